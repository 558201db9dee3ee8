output "gateway_id" {
  description = "ARM id of the ExpressRoute gateway."
  value       = azurerm_virtual_network_gateway.this.id
}

output "circuit_ids" {
  description = "ARM id of each circuit, by role (primary, secondary)."
  value       = { for role, circuit in module.circuit : role => circuit.id }
}

output "circuit_names" {
  description = "Name of each circuit, by role."
  value       = { for role, circuit in module.circuit : role => circuit.name }
}

output "service_keys" {
  description = "Service key of each circuit, by role, for the connectivity providers."
  value       = { for role, circuit in module.circuit : role => circuit.service_key }
  sensitive   = true
}

output "private_peering_ids" {
  description = "ARM id of each circuit's private peering, by role, for Global Reach."
  value       = { for role, circuit in module.circuit : role => circuit.private_peering_id }
}

output "connection_ids" {
  description = "ARM id of each gateway connection, by role."
  value       = { for role, connection in azurerm_virtual_network_gateway_connection.this : role => connection.id }
}

output "preferred_circuit" {
  description = "Name of the circuit Azure prefers for traffic to on-premises."
  value       = module.circuit["primary"].name
}
