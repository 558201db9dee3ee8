resource "azurerm_express_route_circuit" "c" {
  name = "c"
  location = "westeurope"
  sku {
    tier = "Standard"
    family = "MeteredData"
  }
  tags = {}
  allow_classic_operations = false
}
