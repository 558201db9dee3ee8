# A root output of a sensitive variable must say sensitive = true.
provider "azurerm" {
  features {}
}

variable "bgp_md5_key" {
  type      = string
  sensitive = true
  default   = "ams-md5-2024"
}

output "bgp_md5_key" { # ERROR: Output refers to sensitive values
  value = var.bgp_md5_key
}
