# Type constraints are keywords, not strings (the Terraform 0.11 spelling).
provider "azurerm" {
  features {}
}

variable "peer_asn" {
  type    = "number" # ERROR: Invalid quoted type constraints
  default = 65010
}
