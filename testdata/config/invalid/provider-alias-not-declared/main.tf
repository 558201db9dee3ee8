# provider = azurerm.secondary needs a provider "azurerm" block with alias = "secondary".
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "dr" {
  provider = azurerm.secondary # ERROR: Provider configuration not present

  name     = "rg-er-lon-dr"
  location = "uksouth"
}
