resource "azurerm_subnet" "gateway" {
  name = "GatewaySubnet"
}
