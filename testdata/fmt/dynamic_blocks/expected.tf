resource "azurerm_express_route_circuit_peering" "p" {
  name = "p"
  dynamic "microsoft_peering_config" {
    for_each = var.microsoft ? [1] : []
    content {
      advertised_public_prefixes = var.prefixes
    }
  }
}
