# A dynamic block iterates a collection, not a single string.
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

  dynamic "rule" {
    for_each = "12076:5010" # ERROR: Invalid dynamic for_each value
    content {
      name        = "allow-m365"
      access      = "Allow"
      rule_type   = "Community"
      communities = [rule.value]
    }
  }
}
