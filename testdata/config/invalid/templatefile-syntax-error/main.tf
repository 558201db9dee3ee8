# The template opens a for directive it never closes; the error is reported at the call.
provider "azurerm" {
  features {}
}

locals {
  peering_notes = templatefile("${path.module}/templates/peering-notes.tftpl", { prefixes = ["192.168.100.0/30", "192.168.100.4/30"] }) # ERROR: Error in function call
}

output "peering_notes" {
  value = local.peering_notes
}
