output "link_ids" {
  description = "ARM id of each Global Reach link, by pair key (\"<from>-<to>\")."
  value       = { for key, link in azurerm_express_route_circuit_connection.this : key => link.id }
}

output "address_prefixes" {
  description = "The /29 of each link, by pair key."
  value       = { for key, link in local.links : key => cidrsubnet(var.address_space, local.ipv4_newbits, link.number) }
}

output "pairs" {
  description = "Every pair of circuits the mesh links, as [from, to] keys."
  value       = [for key in sort(keys(local.links)) : [local.links[key].from, local.links[key].to]]
}
