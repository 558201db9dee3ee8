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

variable "sites" {
  type = map(object({
    peering_location = string
    bandwidth        = number
  }))
  default = {
    ams = {
      peering_location = "Amsterdam"
      bandwidth        = 1000
    }
    lon = {
      peering_location = "London"
      bandwidth        = 1000
    }
  }
}

module "site" {
  source   = "../modules/site"
  for_each = var.sites

  name             = each.key
  peering_location = each.value.peering_location
  bandwidth        = each.value.bandwidth
}

output "circuit_ids" {
  value = { for k, m in module.site : k => m.circuit_id }
}
