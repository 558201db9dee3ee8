# Redundant ExpressRoute connectivity for one virtual network: two circuits at different peering
# locations (each built by the expressroute-circuit module), one ExpressRoute gateway, and a
# connection from the gateway to each circuit. The routing weights make Azure prefer the primary
# circuit for traffic to on-premises; the secondary carries it only when the primary fails.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

locals {
  circuits = {
    primary   = var.circuits.primary
    secondary = var.circuits.secondary
  }
}

module "circuit" {
  source   = "../expressroute-circuit"
  for_each = local.circuits

  name                  = "er-${var.name}-${each.key}"
  resource_group_name   = var.resource_group_name
  location              = var.location
  service_provider_name = each.value.service_provider_name
  peering_location      = each.value.peering_location
  bandwidth_in_mbps     = each.value.bandwidth_in_mbps
  sku                   = each.value.sku

  private_peering = {
    peer_asn    = each.value.peer_asn
    vlan_id     = each.value.vlan_id
    link_prefix = each.value.link_prefix
  }

  tags = var.tags
}

# Azure manages the public address of an ExpressRoute gateway: no public IP is attached.
resource "azurerm_virtual_network_gateway" "this" {
  name                = "ergw-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  type                = "ExpressRoute"
  sku                 = var.gateway_sku

  ip_configuration {
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = var.gateway_subnet_id
  }

  tags = var.tags
}

resource "azurerm_virtual_network_gateway_connection" "this" {
  for_each = local.circuits

  name                = "cn-ergw-${var.name}-${each.key}"
  resource_group_name = var.resource_group_name
  location            = var.location

  type                         = "ExpressRoute"
  virtual_network_gateway_id   = azurerm_virtual_network_gateway.this.id
  express_route_circuit_id     = module.circuit[each.key].id
  routing_weight               = var.routing_weights[each.key]
  express_route_gateway_bypass = var.fast_path

  tags = var.tags

  lifecycle {
    precondition {
      condition     = !var.fast_path || var.gateway_sku == "ErGw3AZ"
      error_message = "FastPath needs the ErGw3AZ gateway SKU; ${var.gateway_sku} cannot bypass the gateway."
    }
  }
}
