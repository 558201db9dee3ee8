variable "name" {
  description = "Short site name, three lowercase letters (ams, lon, fra)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{3}$", var.name))
    error_message = "The site name must be three lowercase letters, such as \"ams\"."
  }
}

variable "location" {
  type = string
}

variable "address_space" {
  description = "The hub network's address space, a /16."
  type        = string
}

variable "service_provider_name" {
  type = string
}

variable "peering_location" {
  type = string
}

variable "bandwidth_in_mbps" {
  type    = number
  default = 1000
}

variable "sku_tier" {
  type    = string
  default = "Standard"
}

variable "peer_asn" {
  type = number
}

variable "vlan_id" {
  type = number
}

variable "link_prefix" {
  description = "A /29 split into the primary and secondary /30 link networks."
  type        = string
}

variable "tags" {
  type    = map(string)
  default = {}
}
