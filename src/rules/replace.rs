//! The replacement rules the plan calls when it diffs an instance against its prior state (reference
//! §2.0, §3.1, §3.5): C6 (bandwidth decrease), C7 (UnlimitedData → MeteredData), C12 (immutable
//! circuit arguments, compared as Azure compares them) and W6 (ExpressRoute gateway SKU changes
//! outside the resize matrix). They are not checks: they turn an update into a replacement whose
//! reason is the rule id. Only a `prevent_destroy` on such a replacement is an error, built by
//! [`prevent_destroy_diagnostic`]. Pure functions of two values; unknown values decide nothing.

use super::catalogue::rule;
use super::data::region_key;
use super::model::{CIRCUIT, GATEWAY, get_path};
use crate::config::addr::ResourceInstanceAddr;
use crate::diag::{Diagnostic, Span};
use crate::lang::Value;

/// Why an update must be a replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplaceReason {
    /// The rule: `C6`, `C7`, `C12` or `W6`.
    pub rule_id: &'static str,
    /// The attribute path that forces it (`bandwidth_in_mbps`, `sku.family`, `sku`).
    pub attribute: String,
    /// A phrase for the plan (`# forces replacement` comment and markdown): what and why.
    pub message: String,
}

/// Every domain reason why changing `old` into `new` replaces the object (empty: an update may
/// stay in place as far as the domain rules know; schema ForceNew is the plan's business).
pub fn replacement_reasons(type_name: &str, old: &Value, new: &Value) -> Vec<ReplaceReason> {
    let mut out = Vec::new();
    let text = |v: &Value, path: &str| {
        get_path(v, path)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match type_name {
        CIRCUIT => {
            let number = |v: &Value| get_path(v, "bandwidth_in_mbps").and_then(Value::as_number);
            if let (Some(before), Some(after)) = (number(old), number(new))
                && after.0 < before.0
            {
                out.push(ReplaceReason {
                        rule_id: "C6",
                        attribute: "bandwidth_in_mbps".into(),
                        message: format!(
                            "ExpressRoute cannot lower a circuit's bandwidth ({before} → {after} Mbps): a new circuit is created (new service key, provider re-provisioning) and the old one deleted"
                        ),
                    });
            }
            if text(old, "sku.family").as_deref() == Some("UnlimitedData")
                && text(new, "sku.family").as_deref() == Some("MeteredData")
            {
                out.push(ReplaceReason {
                    rule_id: "C7",
                    attribute: "sku.family".into(),
                    message: "ExpressRoute cannot switch a circuit from UnlimitedData to MeteredData: a new circuit is created and the old one deleted".into(),
                });
            }
            for (attribute, how) in [
                ("peering_location", Compare::IgnoreCase),
                ("service_provider_name", Compare::IgnoreCase),
                ("express_route_port_id", Compare::IgnoreCase),
                ("location", Compare::Region),
                ("name", Compare::Exact),
                ("resource_group_name", Compare::Exact),
            ] {
                let (Some(before), Some(after)) =
                    (get_path(old, attribute), get_path(new, attribute))
                else {
                    continue;
                };
                if !before.is_wholly_known() || !after.is_wholly_known() {
                    continue;
                }
                if !how.same(before, after) {
                    out.push(ReplaceReason {
                        rule_id: "C12",
                        attribute: attribute.into(),
                        message: format!(
                            "a circuit's {attribute} cannot change in place ({before} → {after}): a new circuit is created and the old one deleted"
                        ),
                    });
                }
            }
        }
        GATEWAY => {
            let is_er =
                |v: &Value| get_path(v, "type").and_then(Value::as_str) == Some("ExpressRoute");
            if is_er(old)
                && is_er(new)
                && let (Some(before), Some(after)) = (text(old, "sku"), text(new, "sku"))
                && before != after
                && !sku_resize_in_place(&before, &after)
            {
                out.push(ReplaceReason {
                            rule_id: "W6",
                            attribute: "sku".into(),
                            message: format!(
                                "an ExpressRoute gateway cannot be resized from {before} to {after} in place: the gateway is deleted and recreated (downtime; the migration tool moves non-AZ to AZ SKUs without a replacement)"
                            ),
                        });
            }
        }
        _ => {}
    }
    out
}

/// The first domain reason, if any.
pub fn replacement_reason(type_name: &str, old: &Value, new: &Value) -> Option<ReplaceReason> {
    replacement_reasons(type_name, old, new).into_iter().next()
}

/// The error for a replacement that `lifecycle { prevent_destroy = true }` forbids.
pub fn prevent_destroy_diagnostic(
    addr: &ResourceInstanceAddr,
    reason: &ReplaceReason,
    span: Option<Span>,
) -> Diagnostic {
    let link = rule(reason.rule_id).map(|r| r.source()).unwrap_or_default();
    Diagnostic::error(
        format!("[{}] Instance cannot be destroyed", reason.rule_id),
        format!(
            "Resource {addr} has lifecycle.prevent_destroy set, but the plan calls for this resource to be replaced because {}. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or change the configuration so that {} keeps its current value.\n\nRule {}: {link}",
            reason.message, reason.attribute, reason.rule_id
        ),
    )
    .with_span(span)
    .with_address(addr.to_string())
}

#[derive(Clone, Copy)]
enum Compare {
    Exact,
    IgnoreCase,
    /// Azure locations: case and spaces do not matter (`West Europe` = `westeurope`).
    Region,
}

impl Compare {
    fn same(self, a: &Value, b: &Value) -> bool {
        match (a.as_str(), b.as_str(), self) {
            (Some(x), Some(y), Compare::IgnoreCase) => x.eq_ignore_ascii_case(y),
            (Some(x), Some(y), Compare::Region) => region_key(x) == region_key(y),
            _ => a.unmark().0 == b.unmark().0,
        }
    }
}

/// Azure's in-place resize matrix for ExpressRoute gateways (reference W6).
fn sku_resize_in_place(from: &str, to: &str) -> bool {
    matches!(
        (from, to),
        ("Standard", "HighPerformance")
            | ("Standard", "UltraPerformance")
            | ("HighPerformance", "UltraPerformance")
            | ("ErGw1AZ", "ErGw2AZ")
            | ("ErGw1AZ", "ErGw3AZ")
            | ("ErGw2AZ", "ErGw3AZ")
            | ("Default", "Standard")
            | ("HighPerformance", "Standard")
            | ("ErGw2AZ", "ErGw1AZ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn circuit(bandwidth: i64, family: &str, location: &str) -> Value {
        Value::object([
            ("name", Value::string("er")),
            ("resource_group_name", Value::string("rg")),
            ("location", Value::string("westeurope")),
            ("peering_location", Value::string(location)),
            ("service_provider_name", Value::string("Equinix")),
            ("bandwidth_in_mbps", Value::int(bandwidth)),
            ("express_route_port_id", Value::Null),
            (
                "sku",
                Value::List(vec![Value::object([
                    ("tier", Value::string("Standard")),
                    ("family", Value::string(family)),
                ])]),
            ),
        ])
    }

    fn gateway(sku: &str) -> Value {
        Value::object([
            ("type", Value::string("ExpressRoute")),
            ("sku", Value::string(sku)),
        ])
    }

    #[test]
    fn bandwidth_decrease_replaces_increase_does_not() {
        let old = circuit(1000, "MeteredData", "Amsterdam");
        let r =
            replacement_reason(CIRCUIT, &old, &circuit(500, "MeteredData", "Amsterdam")).unwrap();
        assert_eq!(
            (r.rule_id, r.attribute.as_str()),
            ("C6", "bandwidth_in_mbps")
        );
        assert_eq!(
            replacement_reason(CIRCUIT, &old, &circuit(2000, "MeteredData", "Amsterdam")),
            None
        );
    }

    #[test]
    fn unlimited_to_metered_replaces_the_reverse_does_not() {
        let unlimited = circuit(1000, "UnlimitedData", "Amsterdam");
        let metered = circuit(1000, "MeteredData", "Amsterdam");
        assert_eq!(
            replacement_reason(CIRCUIT, &unlimited, &metered)
                .unwrap()
                .rule_id,
            "C7"
        );
        assert_eq!(replacement_reason(CIRCUIT, &metered, &unlimited), None);
    }

    #[test]
    fn peering_location_change_replaces_but_case_does_not() {
        let old = circuit(1000, "MeteredData", "Amsterdam");
        let r = replacement_reason(CIRCUIT, &old, &circuit(1000, "MeteredData", "London")).unwrap();
        assert_eq!(
            (r.rule_id, r.attribute.as_str()),
            ("C12", "peering_location")
        );
        assert_eq!(
            replacement_reason(CIRCUIT, &old, &circuit(1000, "MeteredData", "amsterdam")),
            None
        );
    }

    #[test]
    fn unknown_values_decide_nothing() {
        let old = circuit(1000, "UnlimitedData", "Amsterdam");
        let mut new = circuit(1000, "MeteredData", "Amsterdam");
        if let Some(m) = new.map_mut() {
            m.insert("bandwidth_in_mbps".into(), Value::Unknown);
            m.insert("peering_location".into(), Value::Unknown);
            m.insert("sku".into(), Value::Unknown);
        }
        assert_eq!(replacement_reasons(CIRCUIT, &old, &new), Vec::new());
    }

    #[test]
    fn gateway_resize_matrix() {
        assert_eq!(
            replacement_reason(GATEWAY, &gateway("ErGw1AZ"), &gateway("ErGw3AZ")),
            None
        );
        assert_eq!(
            replacement_reason(GATEWAY, &gateway("ErGw2AZ"), &gateway("ErGw1AZ")),
            None
        );
        assert_eq!(
            replacement_reason(GATEWAY, &gateway("Standard"), &gateway("HighPerformance")),
            None
        );
        for (from, to) in [
            ("ErGw3AZ", "ErGw1AZ"),
            ("Standard", "ErGw1AZ"),
            ("UltraPerformance", "Standard"),
            ("ErGw1AZ", "ErGwScale"),
        ] {
            let r = replacement_reason(GATEWAY, &gateway(from), &gateway(to)).unwrap();
            assert_eq!(
                (r.rule_id, r.attribute.as_str()),
                ("W6", "sku"),
                "{from} → {to}"
            );
        }
        let vpn = |sku: &str| {
            Value::object([("type", Value::string("Vpn")), ("sku", Value::string(sku))])
        };
        assert_eq!(
            replacement_reason(GATEWAY, &vpn("VpnGw1"), &vpn("VpnGw3")),
            None
        );
    }

    #[test]
    fn prevent_destroy_names_the_rule() {
        let addr = crate::config::addr::parse_instance("azurerm_express_route_circuit.a").unwrap();
        let reason = ReplaceReason {
            rule_id: "C6",
            attribute: "bandwidth_in_mbps".into(),
            message: "x".into(),
        };
        let d = prevent_destroy_diagnostic(&addr, &reason, None);
        assert!(d.is_error());
        assert!(d.summary.starts_with("[C6]"));
    }
}
