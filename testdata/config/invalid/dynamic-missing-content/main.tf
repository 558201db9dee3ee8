# A dynamic block describes each generated block in its content block.
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

  dynamic "rule" { # ERROR: Missing content block
    for_each = { allow-m365 = ["12076:5010", "12076:5020"] }
  }
}
