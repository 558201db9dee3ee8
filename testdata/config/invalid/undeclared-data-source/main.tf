# data.azurerm_client_config.current is used without its data block.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"

  tags = {
    owner = data.azurerm_client_config.current.object_id # ERROR: Reference to undeclared resource
  }
}
