# A set of strings derived from a resource group id is unknown until apply.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_route_filter" "per_scope" {
  for_each = toset(["${azurerm_resource_group.er.id}/m365", "${azurerm_resource_group.er.id}/azure"]) # ERROR: Invalid for_each argument

  name                = "rf-${replace(each.key, "/", "-")}"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
}
