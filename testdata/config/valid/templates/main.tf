# Strings and templates: interpolation, a heredoc with %{ for } and %{ if } directives, and
# templatefile() rendering a file kept beside the configuration.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

variable "environment" {
  type    = string
  default = "production"
}

locals {
  sites = {
    ams = { peering_location = "Amsterdam", vlan_id = 100, link_prefix = "192.168.100.0/29" }
    lon = { peering_location = "London", vlan_id = 110, link_prefix = "192.168.110.0/29" }
  }

  runbook = <<-EOT
    ExpressRoute runbook (${var.environment})
    %{~for key, site in local.sites}
    - ${upper(key)}: er-${key}-primary at Equinix ${site.peering_location}, VLAN ${site.vlan_id}
    %{~endfor}
    %{if var.environment == "production"}Changes need a CAB ticket.%{else}No change control.%{endif}
  EOT

  peering_notes = templatefile("${path.module}/templates/peering-notes.tftpl", {
    circuit  = "er-ams-primary"
    peer_asn = 65010
    prefixes = [cidrsubnet(local.sites.ams.link_prefix, 1, 0), cidrsubnet(local.sites.ams.link_prefix, 1, 1)]
  })

  circuit_summary = "%{for key in keys(local.sites)}er-${key}-primary %{endfor}"
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-${var.environment}"
  location = "westeurope"

  tags = {
    environment = var.environment
    circuits    = trimspace(local.circuit_summary)
  }
}

output "runbook" {
  value = local.runbook
}

output "peering_notes" {
  value = local.peering_notes
}
