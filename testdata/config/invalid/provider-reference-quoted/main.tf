# The provider argument is a bare reference, not a string.
provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias = "secondary"
  features {}
}

resource "azurerm_resource_group" "dr" {
  provider = "azurerm.secondary" # ERROR: Invalid provider reference

  name     = "rg-er-lon-dr"
  location = "uksouth"
}
