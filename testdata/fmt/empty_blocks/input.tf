provider "azurerm" {
  features {}
  other { }
  third {
  }
}
terraform {}
