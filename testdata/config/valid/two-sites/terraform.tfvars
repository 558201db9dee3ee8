sites = {
  ams = {
    location         = "westeurope"
    peering_location = "Amsterdam"
    address_space    = "10.10.0.0/16"
    link_prefix      = "192.168.100.0/29"
    peer_asn         = 65010
    vlan_id          = 100
    tags = {
      costcenter = "NET-4711"
    }
  }
  lon = {
    location         = "uksouth"
    peering_location = "London"
    address_space    = "10.20.0.0/16"
    link_prefix      = "192.168.110.0/29"
    peer_asn         = 65020
    vlan_id          = 110
    bandwidth_mbps   = 500
    sku_tier         = "Standard"
  }
}
