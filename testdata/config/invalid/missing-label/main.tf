# A variable block needs its name.
provider "azurerm" {
  features {}
}

variable { # ERROR: Missing name for variable
  type    = number
  default = 65010
}
