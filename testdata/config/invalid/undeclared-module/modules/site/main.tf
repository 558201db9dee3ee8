variable "name" {
  type = string
}

variable "location" {
  type = string
}

resource "azurerm_resource_group" "site" {
  name     = "rg-er-${var.name}"
  location = var.location
}

output "resource_group_name" {
  value = azurerm_resource_group.site.name
}
