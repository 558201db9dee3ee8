resource "azurerm_resource_group" "site" {
  name     = "rg-er-ams"
  location = "westeurope"
}
