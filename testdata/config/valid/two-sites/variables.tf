variable "environment" {
  description = "Environment tag for every resource."
  type        = string
  default     = "production"
}

variable "sites" {
  description = "ExpressRoute sites by short name."
  type = map(object({
    location         = string
    peering_location = string
    address_space    = string
    link_prefix      = string
    peer_asn         = number
    vlan_id          = number
    bandwidth_mbps   = optional(number, 1000)
    sku_tier         = optional(string)
    tags             = optional(map(string), {})
  }))

  validation {
    condition     = alltrue([for site in values(var.sites) : site.vlan_id >= 1 && site.vlan_id <= 4094])
    error_message = "Every site needs a VLAN ID between 1 and 4094."
  }
}

variable "global_reach_prefix" {
  description = "The /29 Global Reach uses between the two sites' private peerings."
  type        = string
  default     = "192.168.250.0/29"
}
