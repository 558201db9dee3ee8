variable "environment" {
  description = "Environment tag of every resource."
  type        = string
  default     = "production"
}

variable "sites" {
  description = "The sites by short name: Azure region and hub address space, and the circuit's provider, peering location, bandwidth, tier, BGP ASN, VLAN, /29 of private peering links, and Global Reach slot."
  type = map(object({
    location              = string
    address_space         = string
    service_provider_name = string
    peering_location      = string
    bandwidth_in_mbps     = optional(number, 1000)
    sku_tier              = optional(string, "Standard")
    peer_asn              = number
    vlan_id               = number
    link_prefix           = string
    slot                  = number
  }))

  default = {
    ams = {
      location              = "westeurope"
      address_space         = "10.10.0.0/16"
      service_provider_name = "Equinix"
      peering_location      = "Amsterdam"
      peer_asn              = 65010
      vlan_id               = 100
      link_prefix           = "192.168.10.0/29"
      slot                  = 0
    }
    lon = {
      location              = "uksouth"
      address_space         = "10.20.0.0/16"
      service_provider_name = "Megaport"
      peering_location      = "London"
      bandwidth_in_mbps     = 500
      peer_asn              = 65020
      vlan_id               = 200
      link_prefix           = "192.168.20.0/29"
      slot                  = 1
    }
  }
}

variable "global_reach_address_space" {
  description = "Block the Global Reach /29s are carved from; it must not overlap the hubs, the data centres or the peering links."
  type        = string
  default     = "192.168.250.0/24"
}
