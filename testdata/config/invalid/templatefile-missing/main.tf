# The template file does not exist beside the configuration.
provider "azurerm" {
  features {}
}

locals {
  runbook = templatefile("${path.module}/templates/runbook.tftpl", { circuit = "er-ams-primary" }) # ERROR: Invalid function argument
}

output "runbook" {
  value = local.runbook
}
