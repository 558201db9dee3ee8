# Input variables: object types with optional attributes and defaults, validation rules,
# sensitive and non-nullable variables, and collection types, feeding a circuit and its peering.

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

variable "circuit" {
  description = "The Amsterdam circuit; only the name is required."
  type = object({
    name              = string
    peering_location  = optional(string, "Amsterdam")
    service_provider  = optional(string, "Equinix")
    bandwidth_in_mbps = optional(number, 1000)
    sku = optional(object({
      tier   = optional(string, "Standard")
      family = optional(string, "MeteredData")
    }), {})
    tags = optional(map(string), {})
  })
  default = {
    name = "er-ams-primary"
  }

  validation {
    condition     = startswith(var.circuit.name, "er-")
    error_message = "Circuit names start with \"er-\"."
  }

  validation {
    condition     = contains(["Standard", "Premium", "Local"], var.circuit.sku.tier)
    error_message = "The SKU tier must be Standard, Premium or Local."
  }
}

variable "peer_asn" {
  description = "Our side's BGP ASN (private range)."
  type        = number
  default     = 65010

  validation {
    condition     = var.peer_asn >= 64512 && var.peer_asn <= 65534
    error_message = "Use a private 16-bit ASN (64512-65534)."
  }
}

variable "vlan_id" {
  type     = number
  nullable = false
  default  = 100
}

variable "secondary_peer_asn" {
  description = "ASN of a second router, when it differs from peer_asn."
  type        = number
  nullable    = true
  default     = null
}

variable "bgp_md5_key" {
  description = "MD5 key of the BGP sessions."
  type        = string
  sensitive   = true
  default     = "amsMd52024"

  validation {
    condition     = length(var.bgp_md5_key) <= 25
    error_message = "ExpressRoute accepts BGP keys of at most 25 characters."
  }
}

variable "link_prefixes" {
  type    = list(string)
  default = ["192.168.100.0/30", "192.168.100.4/30"]

  validation {
    condition     = length(var.link_prefixes) == 2 && alltrue([for p in var.link_prefixes : endswith(p, "/30")])
    error_message = "Give exactly two /30 link networks, primary first."
  }
}

variable "allowed_locations" {
  type    = set(string)
  default = ["westeurope", "northeurope"]
}

variable "extra_tags" {
  type    = map(string)
  default = {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = contains(var.allowed_locations, "westeurope") ? "westeurope" : "northeurope"
  tags     = merge(var.circuit.tags, var.extra_tags)
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = var.circuit.name
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = var.circuit.service_provider
  peering_location      = var.circuit.peering_location
  bandwidth_in_mbps     = var.circuit.bandwidth_in_mbps

  sku {
    tier   = var.circuit.sku.tier
    family = var.circuit.sku.family
  }
}

resource "azurerm_express_route_circuit_peering" "private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = coalesce(var.secondary_peer_asn, var.peer_asn)
  primary_peer_address_prefix   = var.link_prefixes[0]
  secondary_peer_address_prefix = var.link_prefixes[1]
  vlan_id                       = var.vlan_id
  shared_key                    = var.bgp_md5_key
}
