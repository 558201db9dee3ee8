# A variables file holds NAME = VALUE lines; blocks are not allowed in it.
provider "azurerm" {
  features {}
}

variable "peer_asn" {
  type    = number
  default = 65010
}
