resource "azurerm_resource_group" "\u0041bc" {
  name = "a"
}
resource "x" "with\"quote" {
}
resource "x" "tab\there" {}
