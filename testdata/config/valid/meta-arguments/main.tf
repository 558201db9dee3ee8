# Meta-arguments on an ExpressRoute estate: count, for_each over a set built with toset, dynamic
# blocks, depends_on, every lifecycle setting, a second (aliased) provider for the DR
# subscription, and the client configuration data source.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
  subscription_id = "6a1d2f0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b"
}

provider "azurerm" {
  alias           = "secondary"
  subscription_id = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"

  features {
    resource_group {
      prevent_deletion_if_contains_resources = true
    }
  }
}

data "azurerm_client_config" "current" {}

variable "enable_secondary_circuit" {
  description = "Build the London circuit in the DR subscription."
  type        = bool
  default     = true
}

variable "authorized_teams" {
  description = "Teams that connect their own virtual networks to the Amsterdam circuit."
  type        = list(string)
  default     = ["app-team", "data-team", "app-team"]
}

locals {
  route_filter_version = 2

  hub_subnets = {
    "snet-shared-services" = "10.10.1.0/24"
    "snet-management"      = "10.10.2.0/24"
    "snet-dns-resolver"    = "10.10.3.0/28"
  }

  tags = {
    environment = "production"
    owner       = data.azurerm_client_config.current.object_id
  }
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
  tags     = local.tags

  lifecycle {
    ignore_changes = [tags["owner"]]
  }
}

resource "azurerm_resource_group" "dr" {
  count    = var.enable_secondary_circuit ? 1 : 0
  provider = azurerm.secondary

  name     = "rg-er-lon-dr"
  location = "uksouth"
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-er-hub-weu"
  location            = azurerm_resource_group.er.location
  resource_group_name = azurerm_resource_group.er.name
  address_space       = ["10.10.0.0/16"]

  dynamic "subnet" {
    for_each = local.hub_subnets
    content {
      name             = subnet.key
      address_prefixes = [subnet.value]
    }
  }
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-ams-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Premium"
    family = "MeteredData"
  }

  tags = local.tags

  lifecycle {
    prevent_destroy = true
    ignore_changes  = [tags]
  }
}

resource "azurerm_express_route_circuit" "secondary" {
  count    = var.enable_secondary_circuit ? 1 : 0
  provider = azurerm.secondary

  name                  = "er-lon-secondary"
  resource_group_name   = azurerm_resource_group.dr[count.index].name
  location              = azurerm_resource_group.dr[count.index].location
  service_provider_name = "Equinix"
  peering_location      = "London"
  bandwidth_in_mbps     = 500

  sku {
    tier   = "Premium"
    family = "MeteredData"
  }
}

resource "azurerm_express_route_circuit_authorization" "team" {
  for_each = toset(var.authorized_teams)

  name                       = "auth-${each.key}"
  express_route_circuit_name = azurerm_express_route_circuit.primary.name
  resource_group_name        = azurerm_resource_group.er.name

  # Hand out authorizations only once the private peering is configured.
  depends_on = [azurerm_express_route_circuit_peering.private]
}

resource "azurerm_route_filter" "m365" {
  name                = "rf-er-ams-m365-v${local.route_filter_version}"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location

  dynamic "rule" {
    for_each = [["12076:5010", "12076:5020", "12076:5030"]]
    iterator = communities
    content {
      name        = "allow-m365"
      access      = "Allow"
      rule_type   = "Community"
      communities = communities.value
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "azurerm_express_route_circuit_peering" "private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = "192.168.100.0/30"
  secondary_peer_address_prefix = "192.168.100.4/30"
  vlan_id                       = 100
}

output "authorization_names" {
  value = sort([for auth in azurerm_express_route_circuit_authorization.team : auth.name])
}

output "secondary_circuit_name" {
  value = one(azurerm_express_route_circuit.secondary[*].name)
}
