# 250 resource groups: the Markdown comment must stay under 65,536 characters and say what it left
# out.

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

variable "count_of_groups" {
  type    = number
  default = 250
}

resource "azurerm_resource_group" "many" {
  count    = var.count_of_groups
  name     = "rg-er-${format("%04d", count.index)}"
  location = "westeurope"
  tags = {
    owner       = "network-team"
    environment = "production"
    costcenter  = "cc-${count.index}"
  }
}
