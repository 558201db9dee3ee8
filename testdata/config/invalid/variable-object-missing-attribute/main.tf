# The sites object requires peering_location; the London entry leaves it out.
provider "azurerm" {
  features {}
}

variable "sites" {
  type = map(object({
    location         = string
    peering_location = string
    vlan_id          = optional(number, 100)
  }))
}

resource "azurerm_resource_group" "site" {
  for_each = var.sites

  name     = "rg-er-${each.key}"
  location = each.value.location
}
