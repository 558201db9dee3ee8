//! Data-source-only schema facts: `azurerm_client_config` and `azurerm_subscription`, which have no
//! resource, and the attributes azurerm's data sources expose beyond the resource they mirror
//! (`subnets` on a virtual network, `peerings` on a circuit…). The mirroring itself is done in
//! `resources`. Pure data: no I/O, and no reading of the caller's credentials or environment.

use super::resources::{
    block, block_type, list_of_strings, map_of_strings, number, string, timeouts,
};
use super::{AttributeSchema, BlockSchema, ResourceSchema};

/// `data "azurerm_client_config"`: who the provider is authenticated as.
pub(super) fn client_config() -> ResourceSchema {
    ResourceSchema {
        type_name: "azurerm_client_config",
        block: BlockSchema {
            attributes: vec![
                string("id").computed_only(),
                string("client_id").computed_only(),
                string("tenant_id").computed_only(),
                string("subscription_id").computed_only(),
                string("object_id").computed_only(),
            ],
            blocks: vec![timeouts(&["read"])],
        },
    }
}

/// `data "azurerm_subscription"`: the provider's subscription, or the one named.
pub(super) fn subscription() -> ResourceSchema {
    ResourceSchema {
        type_name: "azurerm_subscription",
        block: BlockSchema {
            attributes: vec![
                string("id").computed_only(),
                string("subscription_id").optional_computed(),
                string("display_name").computed_only(),
                string("tenant_id").computed_only(),
                string("state").computed_only(),
                string("location_placement_id").computed_only(),
                string("quota_id").computed_only(),
                string("spending_limit").computed_only(),
                map_of_strings("tags").computed_only(),
            ],
            blocks: vec![timeouts(&["read"])],
        },
    }
}

/// Add what azurerm's data source of this type exposes beyond the mirrored resource.
pub(super) fn add_data_source_extras(data_source: &mut ResourceSchema) {
    let extras: Vec<AttributeSchema> = match data_source.type_name {
        "azurerm_express_route_circuit" => vec![
            // Secret-bearing (each peering's `shared_key`), so sensitive as a whole.
            computed_list_of_objects(block(
                "peerings",
                vec![
                    string("peering_type"),
                    string("primary_peer_address_prefix"),
                    string("secondary_peer_address_prefix"),
                    number("azure_asn"),
                    number("peer_asn"),
                    number("vlan_id"),
                    string("shared_key"),
                ],
                Vec::new(),
            ))
            .sensitive(),
            computed_list_of_objects(block(
                "service_provider_properties",
                vec![
                    string("service_provider_name"),
                    string("peering_location"),
                    number("bandwidth_in_mbps"),
                ],
                Vec::new(),
            )),
        ],
        "azurerm_virtual_network" => vec![
            list_of_strings("subnets").computed_only(),
            map_of_strings("vnet_peerings").computed_only(),
            list_of_strings("vnet_peerings_addresses").computed_only(),
        ],
        "azurerm_subnet" => vec![string("address_prefix").computed_only()],
        "azurerm_virtual_network_gateway_connection" => {
            vec![string("resource_guid").computed_only()]
        }
        _ => Vec::new(),
    };
    for extra in extras {
        if data_source.block.attribute(extra.name).is_none() {
            data_source.block.attributes.push(extra);
        }
    }
}

fn computed_list_of_objects(shape: super::NestedBlockSchema) -> AttributeSchema {
    super::resources::attribute(shape.name, block_type(&shape)).computed_only()
}
