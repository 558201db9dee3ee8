# HCP Terraform is not a peerform backend.
terraform {
  cloud { # ERROR: Unsupported block type
    organization = "contoso"

    workspaces {
      name = "expressroute-prod"
    }
  }
}
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
