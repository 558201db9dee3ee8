resource "azurerm_resource_group" "net" {
  name = "rg"
}
module "site" {
  source = "./site"
}
