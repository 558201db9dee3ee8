output "circuit_name" {
  value = azurerm_express_route_circuit.primary.name
}

output "circuit_id" {
  value = azurerm_express_route_circuit.primary.id
}

output "service_key" {
  value     = azurerm_express_route_circuit.primary.service_key
  sensitive = true
}

output "private_peering_id" {
  value = azurerm_express_route_circuit_peering.private.id
}

output "gateway_subnet_prefix" {
  value = local.gateway_subnet_prefix
}
