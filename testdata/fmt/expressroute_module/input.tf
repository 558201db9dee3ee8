terraform {
required_providers {
azurerm = {
source = "hashicorp/azurerm"
version = "~> 4.0"
}
}
}

variable "sites" {
type = map(object({
location = string
bandwidth = number
peering_location = string
}))
}

resource "azurerm_express_route_circuit" "site" {
for_each = var.sites
name = "er-${each.key}"
location = each.value.location
resource_group_name = azurerm_resource_group.net.name
service_provider_name = "Equinix"
peering_location = each.value.peering_location
bandwidth_in_mbps = each.value.bandwidth
sku {
tier = "Standard"
family = "MeteredData"
}
tags = merge(var.tags, {site = each.key})
}

output "circuit_ids" {
value = {for k, c in azurerm_express_route_circuit.site : k => c.id}
}
