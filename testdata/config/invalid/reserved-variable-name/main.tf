# "count" is a meta-argument of module blocks and cannot name a variable.
provider "azurerm" {
  features {}
}

variable "count" { # ERROR: Invalid variable name
  type    = number
  default = 2
}
