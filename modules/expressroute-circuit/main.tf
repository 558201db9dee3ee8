# An ExpressRoute provider circuit with Azure private peering, an optional Microsoft peering behind
# its route filter, and authorizations. The peerings wait for the connectivity provider to provision
# the circuit; the Microsoft peering is never created without a route filter, because a Microsoft
# peering without one advertises no routes.

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
  # The first /30 of a /29 is the primary link, the second the secondary link.
  private_primary_prefix = (
    var.private_peering.link_prefix != null
    ? cidrsubnet(var.private_peering.link_prefix, 1, 0)
    : var.private_peering.primary_peer_address_prefix
  )
  private_secondary_prefix = (
    var.private_peering.link_prefix != null
    ? cidrsubnet(var.private_peering.link_prefix, 1, 1)
    : var.private_peering.secondary_peer_address_prefix
  )

  microsoft = var.microsoft_peering == null ? {} : {
    primary = (
      var.microsoft_peering.link_prefix != null
      ? cidrsubnet(var.microsoft_peering.link_prefix, 1, 0)
      : var.microsoft_peering.primary_peer_address_prefix
    )
    secondary = (
      var.microsoft_peering.link_prefix != null
      ? cidrsubnet(var.microsoft_peering.link_prefix, 1, 1)
      : var.microsoft_peering.secondary_peer_address_prefix
    )
  }

  # Service communities of Microsoft 365 workloads, which need a Premium circuit.
  microsoft_365_communities = ["12076:5010", "12076:5020", "12076:5030", "12076:5040", "12076:5100"]
}

resource "azurerm_express_route_circuit" "this" {
  name                  = var.name
  resource_group_name   = var.resource_group_name
  location              = var.location
  service_provider_name = var.service_provider_name
  peering_location      = var.peering_location
  bandwidth_in_mbps     = var.bandwidth_in_mbps

  sku {
    tier   = var.sku.tier
    family = var.sku.family
  }

  tags = var.tags
}

resource "azurerm_express_route_circuit_peering" "private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.this.name
  resource_group_name           = var.resource_group_name
  peer_asn                      = var.private_peering.peer_asn
  vlan_id                       = var.private_peering.vlan_id
  primary_peer_address_prefix   = local.private_primary_prefix
  secondary_peer_address_prefix = local.private_secondary_prefix
  shared_key                    = var.private_peering_shared_key
}

resource "azurerm_route_filter" "microsoft" {
  count = var.microsoft_peering == null ? 0 : 1

  name                = coalesce(var.route_filter_name, "rf-${var.name}")
  resource_group_name = var.resource_group_name
  location            = var.location

  # A route filter holds exactly one rule, and it can only allow.
  rule {
    name        = "allow-communities"
    access      = "Allow"
    rule_type   = "Community"
    communities = var.microsoft_peering.route_filter_communities
  }

  tags = var.tags
}

resource "azurerm_express_route_circuit_peering" "microsoft" {
  count = var.microsoft_peering == null ? 0 : 1

  peering_type                  = "MicrosoftPeering"
  express_route_circuit_name    = azurerm_express_route_circuit.this.name
  resource_group_name           = var.resource_group_name
  peer_asn                      = var.microsoft_peering.peer_asn
  vlan_id                       = var.microsoft_peering.vlan_id
  primary_peer_address_prefix   = local.microsoft.primary
  secondary_peer_address_prefix = local.microsoft.secondary
  shared_key                    = var.microsoft_peering_shared_key
  route_filter_id               = azurerm_route_filter.microsoft[0].id

  microsoft_peering_config {
    advertised_public_prefixes = var.microsoft_peering.advertised_public_prefixes
    customer_asn               = var.microsoft_peering.customer_asn
    routing_registry_name      = var.microsoft_peering.routing_registry_name
  }

  lifecycle {
    precondition {
      condition     = var.microsoft_peering.vlan_id != var.private_peering.vlan_id
      error_message = "The Microsoft peering needs a VLAN of its own: vlan_id ${var.microsoft_peering.vlan_id} is already the private peering's."
    }
  }
}

resource "azurerm_express_route_circuit_authorization" "this" {
  for_each = var.authorizations

  name                       = each.key
  express_route_circuit_name = azurerm_express_route_circuit.this.name
  resource_group_name        = var.resource_group_name
}

check "microsoft_365_needs_premium" {
  assert {
    condition = var.microsoft_peering == null ? true : (
      var.sku.tier == "Premium"
      || length(setintersection(var.microsoft_peering.route_filter_communities, local.microsoft_365_communities)) == 0
    )
    error_message = "Microsoft 365 communities reach Microsoft 365 only over a Premium circuit: set sku.tier to \"Premium\" on ${var.name}."
  }
}
