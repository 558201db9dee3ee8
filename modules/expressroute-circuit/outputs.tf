output "id" {
  description = "ARM id of the circuit. A connection built from it waits for the private peering, which Azure needs before it links a gateway."
  value       = azurerm_express_route_circuit.this.id

  depends_on = [azurerm_express_route_circuit_peering.private]
}

output "name" {
  description = "Name of the circuit."
  value       = azurerm_express_route_circuit.this.name
}

output "service_key" {
  description = "Service key to give the connectivity provider so they can provision the circuit."
  value       = azurerm_express_route_circuit.this.service_key
  sensitive   = true
}

output "peering_location" {
  description = "Peering location of the circuit."
  value       = azurerm_express_route_circuit.this.peering_location
}

output "sku_tier" {
  description = "SKU tier of the circuit (Local, Standard or Premium)."
  value       = var.sku.tier
}

output "private_peering_id" {
  description = "ARM id of the Azure private peering, for Global Reach links."
  value       = azurerm_express_route_circuit_peering.private.id
}

output "private_peering_prefixes" {
  description = "The primary and secondary /30 link networks of the private peering."
  value       = [local.private_primary_prefix, local.private_secondary_prefix]
}

output "microsoft_peering_id" {
  description = "ARM id of the Microsoft peering, or null when there is none."
  value       = one(azurerm_express_route_circuit_peering.microsoft[*].id)
}

output "route_filter_id" {
  description = "ARM id of the Microsoft peering's route filter, or null when there is none."
  value       = one(azurerm_route_filter.microsoft[*].id)
}

output "authorization_ids" {
  description = "ARM id of each authorization, by name."
  value       = { for name, authorization in azurerm_express_route_circuit_authorization.this : name => authorization.id }
}

output "authorization_keys" {
  description = "Key of each authorization, by name, for the connection that redeems it."
  value       = { for name, authorization in azurerm_express_route_circuit_authorization.this : name => authorization.authorization_key }
  sensitive   = true
}
