# "validations" is misspelt, so the rule is not a rule.
provider "azurerm" {
  features {}
}

variable "peer_asn" {
  type    = number
  default = 65010

  validations { # ERROR: Unsupported block type
    condition     = var.peer_asn >= 64512
    error_message = "Use a private ASN."
  }
}
