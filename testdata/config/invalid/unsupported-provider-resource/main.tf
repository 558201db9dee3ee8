# random_string belongs to the random provider, which peerform does not plan.
provider "azurerm" {
  features {}
}

resource "random_string" "md5_key" { # ERROR: Unsupported provider
  length  = 20
  special = false
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
