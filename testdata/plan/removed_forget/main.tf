# A removed block with destroy = false: the circuit leaves the state but stays in Azure.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams"
  location = "westeurope"
  tags = {
    owner = "network-team"
  }
}

removed {
  from = azurerm_express_route_circuit.primary

  lifecycle {
    destroy = false
  }
}
