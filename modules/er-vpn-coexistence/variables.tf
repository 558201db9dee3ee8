variable "name" {
  description = "Short name of the site, used in every resource name (\"weu\" gives ergw-weu, vpngw-weu, ...)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$", var.name))
    error_message = "The site name must be 2-32 lowercase letters, digits and hyphens, such as \"weu\" or \"hub-weu\"."
  }
}

variable "resource_group_name" {
  description = "Resource group of the virtual network; the gateways, the local network gateway and the connections go there too."
  type        = string
}

variable "location" {
  description = "Azure region of the virtual network, such as \"westeurope\"."
  type        = string
}

variable "virtual_network_name" {
  description = "Name of the virtual network that receives the GatewaySubnet and both gateways."
  type        = string
}

variable "gateway_subnet_prefix" {
  description = "Address prefix of the GatewaySubnet the module creates: a /27 or larger, which ExpressRoute and VPN gateways need to share it. It must lie inside the virtual network's address space."
  type        = string

  validation {
    condition = try(
      tonumber(split("/", var.gateway_subnet_prefix)[1]) <= 27
      && cidrhost(var.gateway_subnet_prefix, 0) == split("/", var.gateway_subnet_prefix)[0],
      false
    )
    error_message = "ExpressRoute and VPN gateways share a GatewaySubnet only when it is a /27 or larger (such as \"10.10.255.0/27\"), written as its network address."
  }
}

variable "expressroute_gateway_sku" {
  description = "SKU of the ExpressRoute gateway: ErGw1AZ, ErGw2AZ or ErGw3AZ."
  type        = string
  default     = "ErGw1AZ"

  validation {
    condition     = contains(["ErGw1AZ", "ErGw2AZ", "ErGw3AZ"], var.expressroute_gateway_sku)
    error_message = "The ExpressRoute gateway SKU must be \"ErGw1AZ\", \"ErGw2AZ\" or \"ErGw3AZ\"."
  }
}

variable "vpn_gateway_sku" {
  description = "SKU of the route-based VPN gateway: VpnGw1-5 or VpnGw1AZ-5AZ (Basic cannot coexist with ExpressRoute). AZ SKUs get zone-redundant public IPs."
  type        = string
  default     = "VpnGw1AZ"

  validation {
    condition     = can(regex("^VpnGw[1-5](AZ)?$", var.vpn_gateway_sku))
    error_message = "The VPN gateway SKU must be one of VpnGw1-VpnGw5 or VpnGw1AZ-VpnGw5AZ: Basic cannot coexist with an ExpressRoute gateway, and Standard and HighPerformance can no longer be created."
  }
}

variable "vpn_active_active" {
  description = "Run the VPN gateway active-active, with two public IPs and two tunnels to the on-premises device."
  type        = bool
  default     = false
}

variable "on_premises" {
  description = "The on-premises VPN device: its name, public IPv4 address, and either the prefixes behind it (static routing) or its BGP ASN and peering address (dynamic routing), or both."
  type = object({
    name            = string
    gateway_address = string
    address_space   = optional(list(string), [])
    bgp = optional(object({
      asn             = number
      peering_address = string
    }))
  })

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,40}[a-z0-9]$", var.on_premises.name))
    error_message = "The on-premises site name must be 2-42 lowercase letters, digits and hyphens, such as \"ams-dc1\"."
  }

  validation {
    condition = (
      can(cidrhost("${var.on_premises.gateway_address}/32", 0))
      && !can(regex("^(10\\.|192\\.168\\.|172\\.(1[6-9]|2[0-9]|3[01])\\.)", var.on_premises.gateway_address))
    )
    error_message = "The on-premises gateway_address must be the device's public IPv4 address."
  }

  validation {
    condition     = length(var.on_premises.address_space) > 0 || var.on_premises.bgp != null
    error_message = "Tell Azure what lies behind the device: list its prefixes in address_space, or give its BGP settings."
  }

  validation {
    condition     = alltrue([for prefix in var.on_premises.address_space : can(cidrnetmask(prefix))])
    error_message = "Every on-premises prefix must be an IPv4 CIDR block, such as \"10.200.0.0/16\"."
  }

  validation {
    condition = var.on_premises.bgp == null ? true : (
      var.on_premises.bgp.asn >= 1 && var.on_premises.bgp.asn <= 4294967295
      && !contains([8074, 8075, 12076, 65515, 65517, 65518, 65519, 65520], var.on_premises.bgp.asn)
      && can(cidrhost("${var.on_premises.bgp.peering_address}/32", 0))
    )
    error_message = "The on-premises BGP ASN must not be one Azure reserves (8074, 8075, 12076, 65515, 65517-65520), and the peering address must be an IPv4 address."
  }
}

variable "ipsec_shared_key" {
  description = "Pre-shared key of the IPsec tunnel, the same on the on-premises device."
  type        = string
  sensitive   = true

  validation {
    condition     = length(var.ipsec_shared_key) >= 16 && length(var.ipsec_shared_key) <= 128
    error_message = "The IPsec pre-shared key must be 16-128 characters."
  }
}

variable "ipsec_policy" {
  description = "IKE and IPsec algorithms of the tunnel; the defaults are a strong policy most devices support (AES256/SHA256, DH group 14, GCM-AES256, PFS 2048)."
  type = object({
    dh_group         = optional(string, "DHGroup14")
    ike_encryption   = optional(string, "AES256")
    ike_integrity    = optional(string, "SHA256")
    ipsec_encryption = optional(string, "GCMAES256")
    ipsec_integrity  = optional(string, "GCMAES256")
    pfs_group        = optional(string, "PFS2048")
    sa_lifetime      = optional(number, 27000)
    sa_datasize      = optional(number, 102400000)
  })
  default = {}

  validation {
    condition     = !contains(["DES", "DES3"], var.ipsec_policy.ike_encryption) && !contains(["DES", "DES3", "None"], var.ipsec_policy.ipsec_encryption)
    error_message = "DES and 3DES are broken: pick AES or GCM-AES for IKE and IPsec encryption."
  }

  validation {
    condition     = var.ipsec_policy.ike_integrity != "MD5" && var.ipsec_policy.ipsec_integrity != "MD5"
    error_message = "MD5 is broken: pick SHA256 or better for integrity."
  }
}

variable "express_route_circuits" {
  description = "Circuits to connect to the ExpressRoute gateway, by short key: each circuit's ARM id and the connection's routing weight (0-32000; the higher weight wins). ExpressRoute routes win over the VPN's for the same prefix, so the tunnel carries traffic only when no circuit does."
  type = map(object({
    circuit_id     = string
    routing_weight = optional(number, 0)
  }))
  default = {}

  validation {
    condition     = alltrue([for circuit in values(var.express_route_circuits) : circuit.routing_weight >= 0 && circuit.routing_weight <= 32000])
    error_message = "Routing weights must be from 0 to 32000."
  }
}

variable "express_route_authorization_keys" {
  description = "For circuits in another subscription: the authorization key each connection redeems, by circuit key."
  type        = map(string)
  default     = {}
  sensitive   = true
}

variable "zones" {
  description = "Availability zones of the VPN gateway's public IPs when its SKU is an AZ SKU."
  type        = list(string)
  default     = ["1", "2", "3"]
}

variable "tags" {
  description = "Tags for every resource the module creates."
  type        = map(string)
  default     = {}
}
