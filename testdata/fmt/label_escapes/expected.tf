resource "azurerm_resource_group" "Abc" {
  name = "a"
}
resource "x" "with\"quote" {
}
resource "x" "tab\there" {}
