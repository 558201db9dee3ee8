# A Global Reach link between every pair of circuits in a map, so every on-premises site reaches
# every other one through the Microsoft backbone. Global Reach is not transitive (A-B and B-C do not
# give A-C), so a mesh needs one link per pair: n circuits make n(n-1)/2 links. Each link gets its
# own /29 carved from one address block by cidrsubnet; the /29 of the pair of slots (i, j), i < j, is
# number j(j-1)/2 + i, so adding a circuit with a new, higher slot adds links without renumbering
# the ones that exist (their prefixes force replacement when they change).

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
  ipv4_newbits = 29 - tonumber(split("/", var.address_space)[1])
  ipv6_newbits = var.ipv6_address_space == null ? 0 : 125 - tonumber(split("/", var.ipv6_address_space)[1])

  # One entry per unordered pair, keyed "<from>-<to>"; the link starts at the circuit with the
  # lower slot.
  links = {
    for pair in flatten([
      for from_key, from in var.circuits : [
        for to_key, to in var.circuits : {
          key    = "${from_key}-${to_key}"
          from   = from_key
          to     = to_key
          number = to.slot * (to.slot - 1) / 2 + from.slot
        } if from.slot < to.slot
      ]
    ]) : pair.key => pair
  }

  # Geopolitical region of the common peering locations: Global Reach between two regions needs
  # Premium on both circuits. Locations not listed are not checked.
  geopolitical_regions = merge(
    { for location in ["Amsterdam", "Amsterdam2", "Berlin", "Copenhagen", "Dublin", "Dublin2", "Frankfurt", "Frankfurt2", "Geneva", "London", "London2", "Madrid", "Madrid2", "Marseille", "Milan", "Milan2", "Munich", "Oslo", "Paris", "Paris2", "Stavanger", "Stockholm", "Warsaw", "Zurich", "Zurich2"] : location => "Europe" },
    { for location in ["Atlanta", "Chicago", "Chicago2", "Dallas", "Denver", "Las Vegas", "Los Angeles", "Los Angeles2", "Miami", "Minneapolis", "Montreal", "New York", "Phoenix", "Quebec City", "Quincy", "San Antonio", "Seattle", "Silicon Valley", "Silicon Valley2", "Toronto", "Toronto2", "Vancouver", "Washington DC", "Washington DC2"] : location => "North America" },
    { for location in ["Hong Kong", "Hong Kong2", "Jakarta", "Kuala Lumpur", "Singapore", "Singapore2", "Taipei", "Bangkok"] : location => "Asia" },
    { for location in ["Osaka", "Tokyo", "Tokyo2", "Tokyo3"] : location => "Japan" },
    { for location in ["Auckland", "Melbourne", "Perth", "Sydney", "Sydney2"] : location => "Oceania" },
    { for location in ["Chennai", "Chennai2", "Mumbai", "Mumbai2", "Pune"] : location => "India" },
  )
}

resource "azurerm_express_route_circuit_connection" "this" {
  for_each = local.links

  name                = "${var.name_prefix}-${each.key}"
  peering_id          = var.circuits[each.value.from].private_peering_id
  peer_peering_id     = var.circuits[each.value.to].private_peering_id
  address_prefix_ipv4 = cidrsubnet(var.address_space, local.ipv4_newbits, each.value.number)
  address_prefix_ipv6 = var.ipv6_address_space == null ? null : cidrsubnet(var.ipv6_address_space, local.ipv6_newbits, each.value.number)
  authorization_key   = lookup(var.authorization_keys, each.value.to, null)

  lifecycle {
    precondition {
      condition     = each.value.number < pow(2, local.ipv4_newbits)
      error_message = "The address space ${var.address_space} holds ${pow(2, local.ipv4_newbits)} /29s, too few for link ${each.key}: give the mesh a larger block or lower slots."
    }

    precondition {
      condition = (
        lookup(local.geopolitical_regions, var.circuits[each.value.from].peering_location, null) == null
        || lookup(local.geopolitical_regions, var.circuits[each.value.to].peering_location, null) == null
        || lookup(local.geopolitical_regions, var.circuits[each.value.from].peering_location, null) == lookup(local.geopolitical_regions, var.circuits[each.value.to].peering_location, null)
        || (var.circuits[each.value.from].sku_tier == "Premium" && var.circuits[each.value.to].sku_tier == "Premium")
      )
      error_message = "Global Reach link ${each.key} crosses geopolitical regions (${var.circuits[each.value.from].peering_location} to ${var.circuits[each.value.to].peering_location}): both circuits need the Premium tier."
    }
  }
}
