# A value in terraform.tfvars for a variable nobody declares is a warning (as in Terraform), so a
# shared tfvars file can serve several configurations.

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

variable "location" {
  type = string
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = var.location
}
