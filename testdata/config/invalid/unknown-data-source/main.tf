# A data source type that does not exist (plural).
provider "azurerm" {
  features {}
}

data "azurerm_express_route_circuits" "existing" { # ERROR: Invalid data source
  name                = "er-ams-primary"
  resource_group_name = "rg-er-ams-prod"
}
