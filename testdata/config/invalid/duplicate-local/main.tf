# circuit_name is defined in two locals blocks.
provider "azurerm" {
  features {}
}

locals {
  circuit_name = "er-ams-primary"
  peering_vlan = 100
}

locals {
  circuit_name = "er-ams-secondary" # ERROR: Duplicate local value definition
}
