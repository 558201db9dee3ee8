locals {
  a = provider::azurerm::normalise_resource_id(var.id)
  b = provider::azurerm::parse_resource_id(var.id)
}
