# Registry and git sources are not fetched: vendor the module into a local folder.
provider "azurerm" {
  features {}
}

module "circuit" { # ERROR: Unsupported module source
  source  = "Azure/avm-res-network-expressroutecircuit/azurerm"
  version = "~> 0.3" # ERROR: Invalid module version

  name                = "er-ams-primary"
  resource_group_name = "rg-er-ams-prod"
  location            = "westeurope"
}

module "gateway" { # ERROR: Unsupported module source
  source = "git::https://github.com/contoso/terraform-azurerm-ergw.git?ref=v1.4.0"

  name = "ergw-hub-weu"
}
