output "circuit_names" {
  description = "Circuit name per site."
  value       = { for key, site in module.site : key => site.circuit_name }
}

output "circuit_ids" {
  description = "Circuit ARM id per site, for the provider's order form."
  value       = { for key, site in module.site : key => site.circuit_id }
}

output "service_keys" {
  description = "Service keys to hand to the connectivity provider."
  value       = { for key, site in module.site : key => site.service_key }
  sensitive   = true
}

output "gateway_subnets" {
  value = { for key, site in module.site : key => site.gateway_subnet_prefix }
}
