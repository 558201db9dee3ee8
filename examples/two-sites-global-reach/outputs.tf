output "circuit_ids" {
  description = "ARM id of each site's circuit."
  value       = { for key, circuit in module.circuit : key => circuit.id }
}

output "global_reach_prefixes" {
  description = "The /29 of each Global Reach link."
  value       = module.global_reach.address_prefixes
}
