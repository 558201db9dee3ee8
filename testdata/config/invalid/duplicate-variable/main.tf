# peer_asn is declared in main.tf and again in variables.tf.
provider "azurerm" {
  features {}
}

variable "peer_asn" {
  type    = number
  default = 65010
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
