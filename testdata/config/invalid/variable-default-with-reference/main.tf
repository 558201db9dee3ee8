# A default must be known before anything else: it cannot refer to locals.
provider "azurerm" {
  features {}
}

locals {
  default_asn = 65010
}

variable "peer_asn" {
  type    = number
  default = local.default_asn # ERROR: Variables not allowed
}
