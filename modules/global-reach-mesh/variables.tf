variable "circuits" {
  description = "The circuits to join, by short key (such as \"ams\"): the ARM id of each one's Azure private peering, its peering location and SKU tier, and a slot, a small whole number unique to the circuit that fixes which /29 each of its links gets. Give a new circuit the next free slot: links that exist keep their prefixes."
  type = map(object({
    private_peering_id = string
    peering_location   = string
    sku_tier           = string
    slot               = number
  }))

  validation {
    condition     = length(var.circuits) >= 2
    error_message = "A Global Reach mesh needs at least two circuits."
  }

  validation {
    condition     = alltrue([for key in keys(var.circuits) : can(regex("^[a-z0-9][a-z0-9-]{0,20}$", key))])
    error_message = "Circuit keys become part of link names: use up to 21 lowercase letters, digits and hyphens, such as \"ams\"."
  }

  validation {
    condition = alltrue([
      for circuit in values(var.circuits) : circuit.slot >= 0 && floor(circuit.slot) == circuit.slot
    ]) && length(distinct([for circuit in values(var.circuits) : circuit.slot])) == length(var.circuits)
    error_message = "Each circuit needs its own slot, a whole number from 0."
  }

  validation {
    condition     = length(distinct([for circuit in values(var.circuits) : lower(circuit.peering_location)])) == length(var.circuits)
    error_message = "Global Reach joins circuits at different peering locations only: two circuits of the mesh share a peering location."
  }

  validation {
    condition     = alltrue([for circuit in values(var.circuits) : contains(["Standard", "Premium"], circuit.sku_tier)])
    error_message = "Global Reach needs Standard or Premium circuits; it is not available on Local circuits."
  }
}

variable "address_space" {
  description = "IPv4 block the links' /29s are carved from, such as \"192.168.250.0/24\" (32 links). It must not overlap your virtual networks, your on-premises ranges or the circuits' peering /30s."
  type        = string

  validation {
    condition = try(
      tonumber(split("/", var.address_space)[1]) <= 29
      && cidrhost(var.address_space, 0) == split("/", var.address_space)[0]
      && !can(regex(":", var.address_space)),
      false
    )
    error_message = "The address space must be an IPv4 block of /29 or larger, written as its network address, such as \"192.168.250.0/24\"."
  }
}

variable "ipv6_address_space" {
  description = "Optional IPv6 block the links' /125s are carved from, such as \"fd00:250::/120\". Null leaves the links IPv4 only."
  type        = string
  default     = null

  validation {
    condition = var.ipv6_address_space == null || try(
      can(regex(":", var.ipv6_address_space)) && tonumber(split("/", var.ipv6_address_space)[1]) <= 125,
      false
    )
    error_message = "The IPv6 address space must be an IPv6 block of /125 or larger, such as \"fd00:250::/120\"."
  }
}

variable "authorization_keys" {
  description = "For circuits in another subscription: the key of an authorization on that circuit, by circuit key. A link to such a circuit redeems it."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "name_prefix" {
  description = "Prefix of every link's name; a link is named \"<prefix>-<from>-<to>\"."
  type        = string
  default     = "gr"
}
