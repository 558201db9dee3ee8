variable "name" {
  description = "Name of the circuit, such as \"er-ams-primary\"."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_])?$", var.name))
    error_message = "The circuit name must be 1-80 letters, digits, underscores, periods and hyphens, start with a letter or digit, and end with a letter, digit or underscore."
  }
}

variable "resource_group_name" {
  description = "Resource group that holds the circuit, its route filter and its authorizations."
  type        = string
}

variable "location" {
  description = "Azure region of the circuit resource (its ARM location, not where it peers), such as \"westeurope\"."
  type        = string
}

variable "service_provider_name" {
  description = "Connectivity provider as Azure lists it, such as \"Equinix\" or \"Megaport\"."
  type        = string
}

variable "peering_location" {
  description = "Peering location as Azure lists it, such as \"Amsterdam\" or \"London\". Changing it replaces the circuit."
  type        = string
}

variable "bandwidth_in_mbps" {
  description = "Circuit bandwidth in Mbps. It can be raised in place; lowering it replaces the circuit."
  type        = number
  default     = 1000

  validation {
    condition     = contains([50, 100, 200, 500, 1000, 2000, 5000, 10000], var.bandwidth_in_mbps)
    error_message = "A provider circuit's bandwidth must be one of 50, 100, 200, 500, 1000, 2000, 5000 or 10000 Mbps."
  }
}

variable "sku" {
  description = "Circuit SKU: tier Local, Standard or Premium (Premium for VNets or Global Reach across geopolitical regions), family MeteredData or UnlimitedData (Local circuits are always UnlimitedData)."
  type = object({
    tier   = string
    family = string
  })
  default = {
    tier   = "Standard"
    family = "MeteredData"
  }

  validation {
    condition     = contains(["Local", "Standard", "Premium"], var.sku.tier)
    error_message = "The SKU tier must be \"Local\", \"Standard\" or \"Premium\"."
  }

  validation {
    condition     = contains(["MeteredData", "UnlimitedData"], var.sku.family)
    error_message = "The SKU family must be \"MeteredData\" or \"UnlimitedData\"."
  }

  validation {
    condition     = var.sku.tier != "Local" || var.sku.family == "UnlimitedData"
    error_message = "A Local circuit is unlimited by nature: use family \"UnlimitedData\"."
  }
}

variable "private_peering" {
  description = "Azure private peering: your BGP ASN, the VLAN, and the two /30 link networks, given either as one /29 (link_prefix, split in two) or as two /30s."
  type = object({
    peer_asn                      = number
    vlan_id                       = number
    link_prefix                   = optional(string)
    primary_peer_address_prefix   = optional(string)
    secondary_peer_address_prefix = optional(string)
  })

  validation {
    condition = (
      var.private_peering.link_prefix != null
      ? var.private_peering.primary_peer_address_prefix == null && var.private_peering.secondary_peer_address_prefix == null
      : var.private_peering.primary_peer_address_prefix != null && var.private_peering.secondary_peer_address_prefix != null
    )
    error_message = "Give the private peering either link_prefix (a /29) or both primary_peer_address_prefix and secondary_peer_address_prefix (two /30s), not both."
  }

  validation {
    condition = (
      var.private_peering.link_prefix == null
      || try(endswith(var.private_peering.link_prefix, "/29") && cidrhost(var.private_peering.link_prefix, 0) == split("/", var.private_peering.link_prefix)[0], false)
    )
    error_message = "The private peering link_prefix must be a /29 written as its network address, such as \"192.168.10.0/29\"."
  }

  validation {
    condition = alltrue([
      for prefix in [var.private_peering.primary_peer_address_prefix, var.private_peering.secondary_peer_address_prefix] :
      try(endswith(prefix, "/30") && cidrhost(prefix, 0) == split("/", prefix)[0], false) if prefix != null
    ])
    error_message = "Each private peering address prefix must be a /30 written as its network address, such as \"192.168.10.0/30\"."
  }

  validation {
    condition = (
      var.private_peering.primary_peer_address_prefix == null
      || var.private_peering.primary_peer_address_prefix != var.private_peering.secondary_peer_address_prefix
    )
    error_message = "The primary and secondary private peering prefixes must be two different /30s."
  }

  validation {
    condition = (
      var.private_peering.peer_asn >= 1 && var.private_peering.peer_asn <= 4294967295
      && !(var.private_peering.peer_asn >= 65515 && var.private_peering.peer_asn <= 65520)
      && !contains([8074, 8075, 12076], var.private_peering.peer_asn)
    )
    error_message = "The private peering peer_asn must be 1-4294967295 and not one Azure reserves (8074, 8075, 12076, 65515-65520)."
  }

  validation {
    condition     = var.private_peering.vlan_id >= 1 && var.private_peering.vlan_id <= 4094 && floor(var.private_peering.vlan_id) == var.private_peering.vlan_id
    error_message = "The private peering vlan_id must be a whole number from 1 to 4094."
  }
}

variable "private_peering_shared_key" {
  description = "Optional MD5 key of the private peering's BGP sessions (at most 25 letters and digits, the same on your routers)."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.private_peering_shared_key == null || can(regex("^[a-zA-Z0-9]{1,25}$", var.private_peering_shared_key))
    error_message = "The BGP MD5 key must be 1-25 letters and digits."
  }
}

variable "microsoft_peering" {
  description = "Optional Microsoft peering: public /30 link networks (one /29 as link_prefix or two /30s), your public prefixes, the registry that holds them, and the BGP communities its route filter lets through. Null leaves it out."
  type = object({
    peer_asn                      = number
    vlan_id                       = number
    link_prefix                   = optional(string)
    primary_peer_address_prefix   = optional(string)
    secondary_peer_address_prefix = optional(string)
    advertised_public_prefixes    = list(string)
    routing_registry_name         = string
    customer_asn                  = optional(number, 0)
    route_filter_communities      = list(string)
  })
  default = null

  validation {
    condition = var.microsoft_peering == null ? true : (
      var.microsoft_peering.link_prefix != null
      ? var.microsoft_peering.primary_peer_address_prefix == null && var.microsoft_peering.secondary_peer_address_prefix == null
      : var.microsoft_peering.primary_peer_address_prefix != null && var.microsoft_peering.secondary_peer_address_prefix != null
    )
    error_message = "Give the Microsoft peering either link_prefix (a /29) or both primary_peer_address_prefix and secondary_peer_address_prefix (two /30s), not both."
  }

  validation {
    condition = var.microsoft_peering == null ? true : alltrue([
      for prefix in [var.microsoft_peering.link_prefix, var.microsoft_peering.primary_peer_address_prefix, var.microsoft_peering.secondary_peer_address_prefix] :
      try(
        (endswith(prefix, "/29") || endswith(prefix, "/30"))
        && cidrhost(prefix, 0) == split("/", prefix)[0]
        && !can(regex("^(10\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.)", prefix)),
        false
      ) if prefix != null
    ])
    error_message = "Microsoft peering link networks must be public addresses you own (not RFC 1918): a /29 as link_prefix or two /30s, each written as its network address."
  }

  validation {
    condition = var.microsoft_peering == null ? true : (
      length(var.microsoft_peering.advertised_public_prefixes) >= 1
      && length(var.microsoft_peering.advertised_public_prefixes) <= 200
      && alltrue([
        for prefix in var.microsoft_peering.advertised_public_prefixes :
        can(cidrnetmask(prefix)) && !can(regex("^(10\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.)", prefix))
      ])
    )
    error_message = "Microsoft peering needs 1-200 advertised public IPv4 prefixes, registered to you; RFC 1918 ranges are rejected."
  }

  validation {
    condition     = var.microsoft_peering == null ? true : contains(["ARIN", "APNIC", "AFRINIC", "LACNIC", "RIPENCC", "RADB", "ALTDB"], var.microsoft_peering.routing_registry_name)
    error_message = "The routing registry must be one of ARIN, APNIC, AFRINIC, LACNIC, RIPENCC, RADB or ALTDB."
  }

  validation {
    condition = var.microsoft_peering == null ? true : (
      var.microsoft_peering.peer_asn >= 1 && var.microsoft_peering.peer_asn <= 4294967295
      && !(var.microsoft_peering.peer_asn >= 65515 && var.microsoft_peering.peer_asn <= 65520)
      && !contains([8074, 8075, 12076], var.microsoft_peering.peer_asn)
      && var.microsoft_peering.vlan_id >= 1 && var.microsoft_peering.vlan_id <= 4094
    )
    error_message = "The Microsoft peering needs a peer_asn of 1-4294967295 that Azure does not reserve (8074, 8075, 12076, 65515-65520) and a vlan_id of 1-4094."
  }

  validation {
    condition = var.microsoft_peering == null ? true : (
      length(var.microsoft_peering.route_filter_communities) >= 1
      && alltrue([for community in var.microsoft_peering.route_filter_communities : can(regex("^12076:[0-9]+$", community))])
    )
    error_message = "The route filter needs at least one BGP community of the form 12076:NNNNN, such as \"12076:5010\" (Exchange Online) or \"12076:51002\" (West Europe)."
  }
}

variable "microsoft_peering_shared_key" {
  description = "Optional MD5 key of the Microsoft peering's BGP sessions (at most 25 letters and digits)."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.microsoft_peering_shared_key == null || can(regex("^[a-zA-Z0-9]{1,25}$", var.microsoft_peering_shared_key))
    error_message = "The BGP MD5 key must be 1-25 letters and digits."
  }
}

variable "route_filter_name" {
  description = "Name of the Microsoft peering's route filter; defaults to \"rf-<circuit name>\"."
  type        = string
  default     = null
}

variable "authorizations" {
  description = "Names of authorizations to create on the circuit, one per connection that redeems a key (a gateway in another subscription, or Global Reach across subscriptions)."
  type        = set(string)
  default     = []

  validation {
    condition     = length(var.authorizations) <= 10
    error_message = "A circuit holds at most 10 authorizations."
  }

  validation {
    condition     = alltrue([for name in var.authorizations : can(regex("^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_])?$", name))])
    error_message = "Authorization names must be 1-80 letters, digits, underscores, periods and hyphens."
  }
}

variable "tags" {
  description = "Tags for the circuit and its route filter."
  type        = map(string)
  default     = {}
}
