//! The reference tables the rules consult: Azure regions and their geopolitical regions, peering
//! locations with their Local regions, connectivity providers with their bandwidths and locations,
//! and the BGP community values a route filter may select. They live as `|`-separated text files in
//! `src/rules/data/` (edit those, not this code), are embedded with `include_str!` and parsed once.
//! This file must not hold rule logic; a malformed line is recorded in [`Tables::problems`] (a unit
//! test keeps that list empty) and skipped, never a panic.

use std::collections::HashMap;
use std::sync::OnceLock;

const REGIONS: &str = include_str!("data/regions.psv");
const PEERING_LOCATIONS: &str = include_str!("data/peering_locations.psv");
const PROVIDERS: &str = include_str!("data/providers.psv");
const BGP_COMMUNITIES: &str = include_str!("data/bgp_communities.psv");

/// Bandwidths (Mbps) of provider circuits: reference C1.
pub const STANDARD_BANDWIDTHS: &[u32] = &[50, 100, 200, 500, 1000, 2000, 5000, 10000];

#[derive(Clone, Debug)]
pub struct Region {
    pub arm_name: String,
    pub display_name: String,
    pub geopolitical_region: String,
    /// The NNN of the regional community values 12076:5GNNN.
    pub community_code: Option<String>,
}

impl Region {
    /// National clouds (US Government, China) are separate boundaries peerform cannot place a
    /// peering location in, so geography rules stay silent for them.
    pub fn is_national_cloud(&self) -> bool {
        self.geopolitical_region.contains("national cloud")
    }
}

#[derive(Debug)]
pub struct PeeringLocation {
    pub name: String,
    pub geopolitical_region: String,
    /// ARM names of the regions an ExpressRoute Local circuit at this location reaches; `None`
    /// when the table does not know, `Some(empty)` when Local is not offered.
    pub local_regions: Option<Vec<String>>,
}

#[derive(Debug)]
pub struct Provider {
    pub name: String,
    pub bandwidths_mbps: Vec<u32>,
    /// Normalised peering location keys (see [`location_key`]).
    pub locations: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommunityKind {
    /// Microsoft 365 services: need Microsoft's authorization for the route filter (C17).
    Microsoft365,
    Service,
    Regional,
}

#[derive(Debug)]
pub struct Community {
    pub description: String,
    pub kind: CommunityKind,
}

#[derive(Debug, Default)]
pub struct Tables {
    regions: HashMap<String, Region>,
    peering_locations: HashMap<String, PeeringLocation>,
    providers: HashMap<String, Provider>,
    communities: HashMap<String, Community>,
    /// Lines that could not be read, as `file:line: problem`.
    pub problems: Vec<String>,
}

/// The tables, parsed on first use.
pub fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(Tables::parse)
}

/// An ARM region name as azurerm normalises `location`: lowercase, without spaces.
pub fn region_key(region: &str) -> String {
    region
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A peering location or provider name for comparison: lowercase letters and digits only, accents
/// removed (`"Newport(Wales)"` = `"newport (wales)"`, `"GÉANT"` = `"GEANT"`).
pub fn location_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            'É' | 'é' | 'È' | 'è' | 'Ê' | 'ê' => 'e',
            'Á' | 'á' | 'À' | 'à' | 'Ã' | 'ã' => 'a',
            'Ó' | 'ó' | 'Ô' | 'ô' => 'o',
            'Í' | 'í' => 'i',
            'Ú' | 'ú' | 'Ü' | 'ü' => 'u',
            'Ç' | 'ç' => 'c',
            other => other,
        })
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

impl Tables {
    pub fn region(&self, name: &str) -> Option<&Region> {
        self.regions.get(&region_key(name))
    }

    pub fn peering_location(&self, name: &str) -> Option<&PeeringLocation> {
        self.peering_locations.get(&location_key(name))
    }

    pub fn provider(&self, name: &str) -> Option<&Provider> {
        self.providers.get(&location_key(name))
    }

    pub fn community(&self, value: &str) -> Option<&Community> {
        self.communities.get(value.trim())
    }

    /// Display name of a region for messages (`westeurope` → `West Europe (westeurope)`).
    pub fn region_label(&self, name: &str) -> String {
        match self.region(name) {
            Some(r) => format!("{} ({})", r.display_name, r.arm_name),
            None => name.to_string(),
        }
    }

    fn parse() -> Tables {
        let mut tables = Tables::default();
        for (line_no, fields) in rows("regions.psv", REGIONS, 4, &mut tables.problems) {
            let code = match fields[3] {
                "-" => None,
                c if c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()) => Some(c.to_string()),
                other => {
                    tables.problems.push(format!(
                        "regions.psv:{line_no}: bad community code {other:?}"
                    ));
                    None
                }
            };
            let region = Region {
                arm_name: fields[0].to_string(),
                display_name: fields[1].to_string(),
                geopolitical_region: fields[2].to_string(),
                community_code: code,
            };
            tables.regions.insert(region_key(fields[1]), region.clone());
            tables.regions.insert(region_key(fields[0]), region);
        }
        for (line_no, fields) in rows(
            "peering_locations.psv",
            PEERING_LOCATIONS,
            4,
            &mut tables.problems,
        ) {
            let local_regions = match fields[2] {
                "?" => None,
                "-" => Some(Vec::new()),
                list => Some(
                    list.split(',')
                        .map(|r| region_key(r.trim()))
                        .filter(|r| !r.is_empty())
                        .collect(),
                ),
            };
            if let Some(regions) = &local_regions {
                for r in regions {
                    if !tables.regions.contains_key(r) {
                        tables.problems.push(format!(
                            "peering_locations.psv:{line_no}: Local region {r:?} is not in regions.psv"
                        ));
                    }
                }
            }
            // The ExpressRoute Direct column is kept for the Direct rules (C2, P9) to come.
            if !matches!(fields[3], "yes" | "no" | "?") {
                tables.problems.push(format!(
                    "peering_locations.psv:{line_no}: Direct must be yes, no or ?, got {:?}",
                    fields[3]
                ));
            }
            tables.peering_locations.insert(
                location_key(fields[0]),
                PeeringLocation {
                    name: fields[0].to_string(),
                    geopolitical_region: fields[1].to_string(),
                    local_regions,
                },
            );
        }
        for (line_no, fields) in rows("providers.psv", PROVIDERS, 3, &mut tables.problems) {
            let bandwidths_mbps = if fields[1] == "*" {
                STANDARD_BANDWIDTHS.to_vec()
            } else {
                let mut out = Vec::new();
                for b in fields[1].split(',') {
                    match b.trim().parse::<u32>() {
                        Ok(n) => out.push(n),
                        Err(_) => tables.problems.push(format!(
                            "providers.psv:{line_no}: bad bandwidth {:?}",
                            b.trim()
                        )),
                    }
                }
                out
            };
            let mut locations = Vec::new();
            for location in fields[2]
                .split(';')
                .map(str::trim)
                .filter(|l| !l.is_empty())
            {
                let key = location_key(location);
                if !tables.peering_locations.contains_key(&key) {
                    tables.problems.push(format!(
                        "providers.psv:{line_no}: peering location {location:?} is not in peering_locations.psv"
                    ));
                }
                locations.push(key);
            }
            tables.providers.insert(
                location_key(fields[0]),
                Provider {
                    name: fields[0].to_string(),
                    bandwidths_mbps,
                    locations,
                },
            );
        }
        let codes: Vec<String> = {
            let mut c: Vec<String> = tables
                .regions
                .values()
                .filter_map(|r| r.community_code.clone())
                .collect();
            c.sort();
            c.dedup();
            c
        };
        for (line_no, fields) in rows(
            "bgp_communities.psv",
            BGP_COMMUNITIES,
            3,
            &mut tables.problems,
        ) {
            let kind = match fields[2] {
                "microsoft365" => CommunityKind::Microsoft365,
                "service" => CommunityKind::Service,
                "regional" => CommunityKind::Regional,
                other => {
                    tables.problems.push(format!(
                        "bgp_communities.psv:{line_no}: unknown kind {other:?}"
                    ));
                    continue;
                }
            };
            let values: Vec<String> = if fields[0].contains("{code}") {
                codes
                    .iter()
                    .map(|c| fields[0].replace("{code}", c))
                    .collect()
            } else {
                vec![fields[0].to_string()]
            };
            for value in values {
                tables.communities.insert(
                    value,
                    Community {
                        description: fields[1].to_string(),
                        kind,
                    },
                );
            }
        }
        tables
    }
}

/// The data rows of a table: comments (`#`) and blank lines skipped, fields trimmed; a row with the
/// wrong number of fields is recorded as a problem.
fn rows<'a>(
    file: &'a str,
    text: &'a str,
    fields: usize,
    problems: &mut Vec<String>,
) -> Vec<(usize, Vec<&'a str>)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line.split('|').map(str::trim).collect();
        if parts.len() != fields || parts.iter().any(|p| p.is_empty()) {
            problems.push(format!(
                "{file}:{}: expected {fields} non-empty fields separated by |",
                i + 1
            ));
            continue;
        }
        out.push((i + 1, parts));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_line_parses() {
        assert_eq!(tables().problems, Vec::<String>::new());
    }

    #[test]
    fn lookups_normalise_names() {
        let t = tables();
        assert_eq!(t.region("West Europe").unwrap().arm_name, "westeurope");
        assert_eq!(
            t.region("westeurope").unwrap().geopolitical_region,
            "Europe"
        );
        assert_eq!(
            t.peering_location("newport(wales)")
                .unwrap()
                .geopolitical_region,
            "Europe"
        );
        assert_eq!(
            t.peering_location("Washington DC").unwrap().local_regions,
            Some(vec!["eastus".to_string(), "eastus2".to_string()])
        );
        assert_eq!(
            t.peering_location("Dallas").unwrap().local_regions,
            Some(Vec::new())
        );
        let equinix = t.provider("equinix").unwrap();
        assert!(equinix.locations.contains(&location_key("Amsterdam")));
        assert_eq!(equinix.bandwidths_mbps, STANDARD_BANDWIDTHS);
        assert!(t.provider("GEANT").is_some());
    }

    #[test]
    fn communities_expand_regional_codes() {
        let t = tables();
        assert_eq!(
            t.community("12076:5010").unwrap().kind,
            CommunityKind::Microsoft365
        );
        assert_eq!(
            t.community("12076:51002").unwrap().kind,
            CommunityKind::Regional
        );
        assert_eq!(
            t.community("12076:55004").unwrap().kind,
            CommunityKind::Regional
        );
        assert!(t.community("12076:59999").is_none());
    }
}
