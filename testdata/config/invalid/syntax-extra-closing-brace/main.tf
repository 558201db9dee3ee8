# One closing brace too many after the route filter.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_route_filter" "m365" {
  name                = "rf-er-ams-m365"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location

  rule {
    name        = "allow-m365"
    access      = "Allow"
    rule_type   = "Community"
    communities = ["12076:5010", "12076:5020"]
  }
}
} # ERROR: Invalid HCL syntax
