# A module that builds the disaster-recovery circuit in another subscription: the caller hands it
# the aliased provider with a providers map, and counts instances with count.

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
  subscription_id = "6a1d2f0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b"
}

provider "azurerm" {
  alias           = "dr"
  subscription_id = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"
  features {}
}

variable "dr_sites" {
  type    = list(string)
  default = ["lon"]
}

module "dr_circuit" {
  source = "./modules/dr-circuit"
  count  = length(var.dr_sites)

  providers = {
    azurerm = azurerm.dr
  }

  site = var.dr_sites[count.index]
}

output "dr_circuit_names" {
  value = module.dr_circuit[*].circuit_name
}
