# path has module, root and cwd.
provider "azurerm" {
  features {}
}

locals {
  template_dir = "${path.modules}/templates" # ERROR: Invalid "path" attribute
}
