# A quoted string may not run over a line end; Terraform refuses it (use a heredoc).
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"

  tags = {
    description = "ExpressRoute estate, Amsterdam # ERROR: Invalid multi-line string
Equinix AM5"
  }
}
