variable "name" {
  description = "Short name of the site, used in every resource name (\"weu\" gives ergw-weu, er-weu-primary, cn-ergw-weu-primary, ...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$", var.name))
    error_message = "The site name must be 2-32 lowercase letters, digits and hyphens, such as \"weu\" or \"hub-weu\"."
  }
}

variable "resource_group_name" {
  description = "Resource group for the gateway, the circuits and the connections."
  type        = string
}

variable "location" {
  description = "Azure region of the gateway's virtual network, such as \"westeurope\"."
  type        = string
}

variable "gateway_subnet_id" {
  description = "ARM id of the virtual network's GatewaySubnet (a /27 or larger leaves room for a VPN gateway later)."
  type        = string

  validation {
    condition     = can(regex("(?i)/subnets/GatewaySubnet$", var.gateway_subnet_id))
    error_message = "The gateway must sit in a subnet named exactly GatewaySubnet."
  }
}

variable "gateway_sku" {
  description = "SKU of the ExpressRoute gateway: ErGw1AZ (1 Gbps, 4 circuits from different locations), ErGw2AZ (2 Gbps, 8) or ErGw3AZ (10 Gbps, 16, FastPath)."
  type        = string
  default     = "ErGw1AZ"

  validation {
    condition     = contains(["ErGw1AZ", "ErGw2AZ", "ErGw3AZ"], var.gateway_sku)
    error_message = "The ExpressRoute gateway SKU must be \"ErGw1AZ\", \"ErGw2AZ\" or \"ErGw3AZ\"."
  }
}

variable "circuits" {
  description = "The primary and the secondary circuit, at two different peering locations so that one facility failing leaves the other. Each has its provider, location, bandwidth, SKU, BGP ASN, VLAN and a /29 for its two /30 private peering links."
  type = object({
    primary = object({
      service_provider_name = string
      peering_location      = string
      bandwidth_in_mbps     = optional(number, 1000)
      sku = optional(object({
        tier   = string
        family = string
      }), { tier = "Standard", family = "MeteredData" })
      peer_asn    = number
      vlan_id     = number
      link_prefix = string
    })
    secondary = object({
      service_provider_name = string
      peering_location      = string
      bandwidth_in_mbps     = optional(number, 1000)
      sku = optional(object({
        tier   = string
        family = string
      }), { tier = "Standard", family = "MeteredData" })
      peer_asn    = number
      vlan_id     = number
      link_prefix = string
    })
  })

  validation {
    condition     = lower(var.circuits.primary.peering_location) != lower(var.circuits.secondary.peering_location)
    error_message = "The primary and secondary circuits must be at different peering locations (such as Amsterdam and London), or one facility failing takes both down."
  }

  validation {
    condition     = var.circuits.primary.link_prefix != var.circuits.secondary.link_prefix
    error_message = "Each circuit needs its own /29 of private peering link networks."
  }
}

variable "routing_weights" {
  description = "Routing weight of each connection (0-32000). Azure sends traffic to on-premises over the connection with the higher weight, before it compares AS paths; the other one carries traffic only when the preferred one fails."
  type = object({
    primary   = optional(number, 100)
    secondary = optional(number, 10)
  })
  default = {}

  validation {
    condition = alltrue([
      for weight in [var.routing_weights.primary, var.routing_weights.secondary] :
      weight >= 0 && weight <= 32000 && floor(weight) == weight
    ])
    error_message = "Routing weights must be whole numbers from 0 to 32000."
  }

  validation {
    condition     = var.routing_weights.primary > var.routing_weights.secondary
    error_message = "The primary connection's routing weight must be higher than the secondary's, or Azure does not prefer it."
  }
}

variable "fast_path" {
  description = "Send traffic from the virtual network straight to the VMs, bypassing the gateway (ExpressRoute FastPath). Needs the ErGw3AZ SKU."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
}
