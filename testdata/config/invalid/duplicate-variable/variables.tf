variable "vlan_id" {
  type    = number
  default = 100
}

variable "peer_asn" { # ERROR: Duplicate variable declaration
  type    = number
  default = 65020
}
