# Sensitivity survives interpolation and functions: the output still needs sensitive = true.
provider "azurerm" {
  features {}
}

variable "bgp_md5_key" {
  type      = string
  sensitive = true
  default   = "ams-md5-2024"
}

locals {
  router_config = "neighbor 192.168.100.2 password ${upper(var.bgp_md5_key)}"
}

output "router_config" { # ERROR: Output refers to sensitive values
  value = local.router_config
}

# The condition below is sensitive, so the result of the conditional is too.
output "router_config_state" { # ERROR: Output refers to sensitive values
  value = length(local.router_config) > 0 ? "set" : "empty"
}
