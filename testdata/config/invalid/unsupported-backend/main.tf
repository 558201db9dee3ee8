# peerform keeps state in the local, pg or azurerm backend; s3 is not one of them.
terraform {
  backend "s3" { # ERROR: Unsupported backend type
    bucket = "contoso-tfstate"
    key    = "expressroute/ams.tfstate"
    region = "eu-west-1"
  }
}
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
