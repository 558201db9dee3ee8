# An operator where an operand belongs.
provider "azurerm" {
  features {}
}

variable "base_vlan" {
  type    = number
  default = 100
}

locals {
  private_vlan   = var.base_vlan
  microsoft_vlan = var.base_vlan + * 200 # ERROR: Invalid HCL syntax
}
