# A validation condition must be true or false, not a number.
provider "azurerm" {
  features {}
}

variable "link_prefixes" {
  type    = list(string)
  default = ["192.168.100.0/30", "192.168.100.4/30"]

  validation {
    condition     = length(var.link_prefixes) # ERROR: Invalid validation result
    error_message = "Give the primary and secondary link networks."
  }
}
