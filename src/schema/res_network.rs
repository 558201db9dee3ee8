//! Schemas of the plain networking types around ExpressRoute: `azurerm_resource_group`,
//! `azurerm_virtual_network` (with inline `subnet` blocks), `azurerm_subnet` and `azurerm_public_ip`,
//! transcribed from the azurerm 4.x argument tables (reference §2.9–§2.12). Pure data: it must not
//! hold rules that span several arguments or resources (those live in `rules`).

use super::resources::{
    all, at_least, at_least_items, block, boolean, each, list_of_strings, location, map_of_strings,
    name, network_id, not_empty, number, one_of, pattern, range, resource_group_name,
    resource_schema, set_of_strings, string, tags,
};
use super::{AttributeSchema, NestedBlockSchema, ResourceSchema, Validation};
use crate::lang::Value;

/// `subnets.PossibleValuesForVirtualNetworkPrivateEndpointNetworkPolicies()`.
const PRIVATE_ENDPOINT_NETWORK_POLICIES: &[&str] = &[
    "Disabled",
    "Enabled",
    "NetworkSecurityGroupEnabled",
    "RouteTableEnabled",
];

/// The actions a subnet delegation may grant (azurerm's list).
const DELEGATION_ACTIONS: &[&str] = &[
    "Microsoft.Network/networkinterfaces/*",
    "Microsoft.Network/publicIPAddresses/join/action",
    "Microsoft.Network/publicIPAddresses/read",
    "Microsoft.Network/virtualNetworks/read",
    "Microsoft.Network/virtualNetworks/subnets/action",
    "Microsoft.Network/virtualNetworks/subnets/join/action",
    "Microsoft.Network/virtualNetworks/subnets/prepareNetworkPolicies/action",
    "Microsoft.Network/virtualNetworks/subnets/unprepareNetworkPolicies/action",
];

/// azurerm's `subnetDelegationServiceNames` (case-sensitive).
const DELEGATION_SERVICE_NAMES: &[&str] = &[
    "GitHub.Network/networkSettings",
    "Informatica.DataManagement/organizations",
    "Microsoft.ApiManagement/service",
    "Microsoft.Apollo/npu",
    "Microsoft.App/environments",
    "Microsoft.App/testClients",
    "Microsoft.AVS/PrivateClouds",
    "Microsoft.AzureCosmosDB/clusters",
    "Microsoft.BareMetal/AzureHostedService",
    "Microsoft.BareMetal/AzureHPC",
    "Microsoft.BareMetal/AzurePaymentHSM",
    "Microsoft.BareMetal/AzureVMware",
    "Microsoft.BareMetal/CrayServers",
    "Microsoft.BareMetal/MonitoringServers",
    "Microsoft.Batch/batchAccounts",
    "Microsoft.CloudTest/hostedpools",
    "Microsoft.CloudTest/images",
    "Microsoft.CloudTest/pools",
    "Microsoft.Codespaces/plans",
    "Microsoft.ContainerInstance/containerGroups",
    "Microsoft.ContainerService/managedClusters",
    "Microsoft.ContainerService/TestClients",
    "Microsoft.Databricks/workspaces",
    "Microsoft.DBforMySQL/flexibleServers",
    "Microsoft.DBforMySQL/servers",
    "Microsoft.DBforMySQL/serversv2",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "Microsoft.DBforPostgreSQL/serversv2",
    "Microsoft.DBforPostgreSQL/singleServers",
    "Microsoft.DelegatedNetwork/controller",
    "Microsoft.DevCenter/networkConnection",
    "Microsoft.DevOpsInfrastructure/pools",
    "Microsoft.DocumentDB/cassandraClusters",
    "Microsoft.Fidalgo/networkSettings",
    "Microsoft.HardwareSecurityModules/dedicatedHSMs",
    "Microsoft.Kusto/clusters",
    "Microsoft.LabServices/labplans",
    "Microsoft.Logic/integrationServiceEnvironments",
    "Microsoft.MachineLearningServices/workspaces",
    "Microsoft.Netapp/volumes",
    "Microsoft.Network/applicationGateways",
    "Microsoft.Network/dnsResolvers",
    "Microsoft.Network/managedResolvers",
    "Microsoft.Network/fpgaNetworkInterfaces",
    "Microsoft.Network/networkWatchers.",
    "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Orbital/orbitalGateways",
    "Microsoft.PowerAutomate/hostedRpa",
    "Microsoft.PowerPlatform/enterprisePolicies",
    "Microsoft.PowerPlatform/vnetaccesslinks",
    "Microsoft.ServiceFabricMesh/networks",
    "Microsoft.ServiceNetworking/trafficControllers",
    "Microsoft.Singularity/accounts/networks",
    "Microsoft.Singularity/accounts/npu",
    "Microsoft.Sql/managedInstances",
    "Microsoft.Sql/managedInstancesOnebox",
    "Microsoft.Sql/managedInstancesStage",
    "Microsoft.Sql/managedInstancesTest",
    "Microsoft.Sql/servers",
    "Microsoft.StoragePool/diskPools",
    "Microsoft.StreamAnalytics/streamingJobs",
    "Microsoft.Synapse/workspaces",
    "Microsoft.Web/hostingEnvironments",
    "Microsoft.Web/serverFarms",
    "NGINX.NGINXPLUS/nginxDeployments",
    "Oracle.Database/networkAttachments",
    "PaloAltoNetworks.Cloudngfw/firewalls",
    "Qumulo.Storage/fileSystems",
];

/// A list of CIDR prefixes with at least one element.
fn prefixes() -> Validation {
    all(vec![at_least_items(1), each(Validation::Cidr)])
}

fn positive_number_string() -> Validation {
    pattern(
        r"^[1-9]\d*$",
        "a string that represents a positive number for `number_of_ip_addresses`",
    )
}

fn ipam_pool_id() -> Validation {
    network_id!(
        r"(?i:networkManagers)/[^/]+/(?i:ipamPools)/[^/]+",
        "an IPAM pool ID (/subscriptions/…/providers/Microsoft.Network/networkManagers/NAME/ipamPools/NAME)"
    )
}

fn service_endpoint_policy_id() -> Validation {
    network_id!(
        r"(?i:serviceEndpointPolicies)/[^/]+",
        "a service endpoint policy ID (/subscriptions/…/providers/Microsoft.Network/serviceEndpointPolicies/NAME)"
    )
}

fn route_table_id() -> Validation {
    network_id!(
        r"(?i:routeTables)/[^/]+",
        "a route table ID (/subscriptions/…/providers/Microsoft.Network/routeTables/NAME)"
    )
}

fn network_security_group_id() -> Validation {
    network_id!(
        r"(?i:networkSecurityGroups)/[^/]+",
        "a network security group ID (/subscriptions/…/providers/Microsoft.Network/networkSecurityGroups/NAME)"
    )
}

fn ddos_protection_plan_id() -> Validation {
    network_id!(
        r"(?i:ddosProtectionPlans)/[^/]+",
        "a DDoS protection plan ID (/subscriptions/…/providers/Microsoft.Network/ddosProtectionPlans/NAME)"
    )
}

/// `delegation { name, service_delegation { name, actions } }`, shared by the standalone subnet and
/// the inline `subnet` block of a virtual network.
fn delegation() -> NestedBlockSchema {
    block(
        "delegation",
        vec![string("name").required()],
        vec![
            block(
                "service_delegation",
                vec![
                    string("name")
                        .required()
                        .validate(one_of(DELEGATION_SERVICE_NAMES)),
                    set_of_strings("actions").validate(each(one_of(DELEGATION_ACTIONS))),
                ],
                Vec::new(),
            )
            .required()
            .max(1),
        ],
    )
}

/// `service_endpoint { service, network_identifier }`.
fn service_endpoint() -> NestedBlockSchema {
    block(
        "service_endpoint",
        vec![
            string("service").required().validate(not_empty()),
            string("network_identifier").validate(pattern(
                r"^/(?i:subscriptions)/[^/]+(/.*)?$",
                "an Azure resource ID",
            )),
        ],
        Vec::new(),
    )
}

/// `service_endpoints`: the earlier 4.x spelling (a set of service names), still accepted beside
/// the `service_endpoint` block.
fn service_endpoints() -> AttributeSchema {
    set_of_strings("service_endpoints")
        .validate(each(not_empty()))
        .conflicts_with(&["service_endpoint"])
}

/// `ip_address_pool { id, number_of_ip_addresses, allocated_ip_address_prefixes }`.
fn ip_address_pool(max_items: usize) -> NestedBlockSchema {
    block(
        "ip_address_pool",
        vec![
            string("id").required().validate(ipam_pool_id()),
            string("number_of_ip_addresses")
                .required()
                .validate(positive_number_string()),
            list_of_strings("allocated_ip_address_prefixes").computed_only(),
        ],
        Vec::new(),
    )
    .max(max_items)
}

fn private_endpoint_network_policies() -> AttributeSchema {
    string("private_endpoint_network_policies")
        .default(Value::string("Disabled"))
        .validate(one_of(PRIVATE_ENDPOINT_NETWORK_POLICIES))
}

/// §2.11 `azurerm_resource_group`.
pub(super) fn resource_group() -> ResourceSchema {
    resource_schema(
        "azurerm_resource_group",
        vec![
            string("name")
                .required()
                .force_new()
                .validate(super::resources::resource_group_name_validation()),
            location(),
            tags(),
            string("managed_by").validate(not_empty()),
        ],
        Vec::new(),
    )
}

/// §2.10 `azurerm_virtual_network`.
pub(super) fn virtual_network() -> ResourceSchema {
    let inline_subnet = block(
        "subnet",
        vec![
            string("name").required().validate(not_empty()),
            list_of_strings("address_prefixes")
                .required()
                .validate(prefixes())
                // azurerm 3.x had a single `address_prefix` string here.
                .deprecated(&["address_prefix"]),
            boolean("default_outbound_access_enabled").default(Value::Bool(true)),
            private_endpoint_network_policies(),
            boolean("private_link_service_network_policies_enabled").default(Value::Bool(true)),
            string("route_table_id").validate(route_table_id()),
            string("security_group").validate(network_security_group_id()),
            service_endpoints(),
            set_of_strings("service_endpoint_policy_ids")
                .validate(each(service_endpoint_policy_id())),
            string("id").computed_only(),
        ],
        vec![delegation().max(1), service_endpoint()],
    )
    .set()
    .computed();

    resource_schema(
        "azurerm_virtual_network",
        vec![
            name(),
            resource_group_name(),
            location(),
            set_of_strings("address_space")
                .validate(prefixes())
                .exactly_one_of(&["address_space", "ip_address_pool"]),
            string("bgp_community").validate(pattern(
                r"^([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-4]):([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-4])$",
                "a BGP community of the form <as-number>:<community-value> (each 1-65534), e.g. 12076:20000",
            )),
            list_of_strings("dns_servers")
                .optional_computed()
                .validate(each(not_empty())),
            string("edge_zone").force_new().validate(not_empty()),
            number("flow_timeout_in_minutes").validate(range(4.0, 30.0)),
            string("guid").computed_only(),
            string("private_endpoint_vnet_policies")
                .default(Value::string("Disabled"))
                .validate(one_of(&["Disabled", "Basic"])),
            tags(),
        ],
        vec![
            block(
                "ddos_protection_plan",
                vec![
                    string("id").required().validate(ddos_protection_plan_id()),
                    boolean("enable").required(),
                ],
                Vec::new(),
            )
            .max(1),
            block(
                "encryption",
                vec![
                    string("enforcement")
                        .required()
                        .validate(one_of(&["DropUnencrypted", "AllowUnencrypted"])),
                ],
                Vec::new(),
            )
            .max(1),
            ip_address_pool(2),
            inline_subnet,
        ],
    )
}

/// §2.9 `azurerm_subnet`.
pub(super) fn subnet() -> ResourceSchema {
    resource_schema(
        "azurerm_subnet",
        vec![
            string("name").required().force_new(),
            resource_group_name(),
            string("virtual_network_name").required().force_new(),
            list_of_strings("address_prefixes")
                .validate(prefixes())
                .exactly_one_of(&["address_prefixes", "ip_address_pool"]),
            service_endpoints(),
            set_of_strings("service_endpoint_policy_ids")
                .validate(each(service_endpoint_policy_id())),
            string("sharing_scope").validate(one_of(&["Tenant"])),
            boolean("default_outbound_access_enabled").default(Value::Bool(true)),
            // azurerm 3.x spelled this as two booleans (`enforce_…` inverted); 4.x takes a string.
            private_endpoint_network_policies().deprecated(&[
                "private_endpoint_network_policies_enabled",
                "enforce_private_link_endpoint_network_policies",
            ]),
            boolean("private_link_service_network_policies_enabled")
                .default(Value::Bool(true))
                // 3.x `enforce_private_link_service_network_policies` meant the opposite.
                .deprecated(&["enforce_private_link_service_network_policies"]),
            string("network_security_group_id_wo")
                .required_with(&["network_security_group_id_wo_version"])
                .validate(network_security_group_id()),
            number("network_security_group_id_wo_version")
                .required_with(&["network_security_group_id_wo"])
                .validate(at_least(1.0)),
            string("network_security_group_id").computed_only(),
            string("route_table_id_wo")
                .required_with(&["route_table_id_wo_version"])
                .validate(route_table_id()),
            number("route_table_id_wo_version")
                .required_with(&["route_table_id_wo"])
                .validate(at_least(1.0)),
            string("route_table_id").computed_only(),
        ],
        vec![service_endpoint(), delegation(), ip_address_pool(1)],
    )
}

/// §2.12 `azurerm_public_ip`.
pub(super) fn public_ip() -> ResourceSchema {
    resource_schema(
        "azurerm_public_ip",
        vec![
            name(),
            location(),
            resource_group_name(),
            string("allocation_method")
                .required()
                .validate(one_of(&["Static", "Dynamic"])),
            string("ddos_protection_mode")
                .default(Value::string("VirtualNetworkInherited"))
                .validate(one_of(&["Disabled", "Enabled", "VirtualNetworkInherited"])),
            string("ddos_protection_plan_id").validate(ddos_protection_plan_id()),
            string("edge_zone").force_new().validate(not_empty()),
            string("ip_version")
                .force_new()
                .default(Value::string("IPv4"))
                .validate(one_of(&["IPv4", "IPv6"])),
            string("sku")
                .force_new()
                .default(Value::string("Standard"))
                .validate(one_of(&["Basic", "Standard", "StandardV2"])),
            string("sku_tier")
                .force_new()
                .default(Value::string("Regional"))
                .validate(one_of(&["Global", "Regional"])),
            number("idle_timeout_in_minutes")
                .default(Value::int(4))
                .validate(range(4.0, 30.0)),
            string("domain_name_label").validate(pattern(
                r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$",
                "a domain name label of 3-63 lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit",
            )),
            // Replacement when the scope is changed or removed is conditional (a planner rule), so
            // it is not flagged ForceNew here.
            string("domain_name_label_scope").validate(one_of(&[
                "NoReuse",
                "ResourceGroupReuse",
                "SubscriptionReuse",
                "TenantReuse",
            ])),
            string("fqdn").computed_only(),
            string("reverse_fqdn"),
            string("ip_address").computed_only(),
            string("public_ip_prefix_id").force_new().validate(network_id!(
                r"(?i:publicIPPrefixes)/[^/]+",
                "a public IP prefix ID (/subscriptions/…/providers/Microsoft.Network/publicIPPrefixes/NAME)"
            )),
            map_of_strings("ip_tags").force_new(),
            set_of_strings("zones")
                .force_new()
                .validate(each(not_empty())),
            tags(),
        ],
        Vec::new(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bgp_community_parts_are_1_to_65534() {
        let schema = virtual_network();
        let community = schema.block.attribute("bgp_community").unwrap();
        assert_eq!(community.check(&Value::string("12076:20000")), None);
        assert!(community.check(&Value::string("12076:65535")).is_some());
        assert!(community.check(&Value::string("12076")).is_some());
    }
}
