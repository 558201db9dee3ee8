resource "azurerm_subnet" /* the gateway subnet */ "gateway" {
  name = "GatewaySubnet"
}
