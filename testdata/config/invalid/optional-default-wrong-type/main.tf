# The default of an optional attribute must fit its type.
provider "azurerm" {
  features {}
}

variable "circuit" {
  type = object({
    name              = string
    bandwidth_in_mbps = optional(number, "one gigabit") # ERROR: Invalid default value for optional attribute
  })
  default = {
    name = "er-ams-primary"
  }
}
