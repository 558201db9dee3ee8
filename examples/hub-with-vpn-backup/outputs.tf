output "service_key" {
  description = "Service key of the circuit, for Equinix."
  value       = module.circuit.service_key
  sensitive   = true
}

output "vpn_public_ip_addresses" {
  description = "Public address of the VPN gateway, for the data centre's VPN device."
  value       = module.hub.vpn_public_ip_addresses
}
