output "gateway_subnet_id" {
  description = "ARM id of the shared GatewaySubnet."
  value       = azurerm_subnet.gateway.id
}

output "expressroute_gateway_id" {
  description = "ARM id of the ExpressRoute gateway."
  value       = azurerm_virtual_network_gateway.expressroute.id
}

output "vpn_gateway_id" {
  description = "ARM id of the VPN gateway."
  value       = azurerm_virtual_network_gateway.vpn.id
}

output "vpn_public_ip_addresses" {
  description = "Public IPv4 addresses of the VPN gateway, for the on-premises device's tunnel configuration."
  value       = [for name in local.vpn_public_ips : azurerm_public_ip.vpn[name].ip_address]
}

output "local_network_gateway_id" {
  description = "ARM id of the local network gateway that stands for the on-premises device."
  value       = azurerm_local_network_gateway.on_premises.id
}

output "vpn_connection_id" {
  description = "ARM id of the IPsec connection."
  value       = azurerm_virtual_network_gateway_connection.vpn.id
}

output "expressroute_connection_ids" {
  description = "ARM id of each ExpressRoute connection, by circuit key."
  value       = { for key, connection in azurerm_virtual_network_gateway_connection.expressroute : key => connection.id }
}
