peer_asn = 65010

variable "vlan_id" { # ERROR: Unexpected block in variables file
  default = 100
}
