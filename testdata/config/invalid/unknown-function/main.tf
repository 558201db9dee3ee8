# A misspelt function name; the hint names cidrsubnet.
provider "azurerm" {
  features {}
}

variable "hub_address_space" {
  type    = string
  default = "10.10.0.0/16"
}

locals {
  gateway_subnet = cidrsubnett(var.hub_address_space, 11, 2047) # ERROR: Call to unknown function
}
