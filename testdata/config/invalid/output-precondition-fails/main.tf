# An output's precondition that does not hold.
provider "azurerm" {
  features {}
}

variable "peer_asn" {
  type    = number
  default = 12076
}

output "peer_asn" {
  value = var.peer_asn

  precondition {
    condition     = var.peer_asn != 12076 # ERROR: Module output value precondition failed
    error_message = "12076 is Microsoft's ASN; use your own."
  }
}
