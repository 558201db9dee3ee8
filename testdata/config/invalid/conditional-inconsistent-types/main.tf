# The two results of a conditional must have one type: an object and a string do not.
provider "azurerm" {
  features {}
}

variable "premium" {
  type    = bool
  default = true
}

locals {
  sku = var.premium ? { tier = "Premium", family = "MeteredData" } : "Standard" # ERROR: Inconsistent conditional result types
}
