//! The azurerm provider over ARM: the mapping of each supported azurerm type to ARM bodies and back
//! (`mapping`, `map_*`), the ARM client with long-running operations, retries and rate limiting
//! (`client`), credentials (`auth`), and [`Provider`], the create/read/delete surface the apply
//! engine calls. It talks to Azure or the emulator only through an [`arm::Transport`]; it never
//! reads the environment or prints (settings arrive as plain structs from `cli`).

pub mod auth;
pub mod client;
mod map_circuit;
mod map_gateway;
mod map_network;
pub mod mapping;

pub use auth::{CredentialSettings, CredentialSource, TokenProvider};
pub use client::{ArmClient, ClientOptions, ClientStats, arm_error_of};

use crate::arm::{self, ResourceId};
use crate::lang::Value;
use anyhow::{Context, Result, bail};

/// Where plan and apply act (`--cloud`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cloud {
    /// The in-process emulator stored in `.peerform/` (the default).
    Emulator,
    /// Azure Resource Manager at `https://management.azure.com`.
    Azure,
    /// Any ARM-compatible endpoint, e.g. `peerform emulator serve`.
    Endpoint(String),
}

pub const AZURE_ENDPOINT: &str = "https://management.azure.com";

impl Cloud {
    /// Parse `emulator`, `azure` or an `http(s)://host[:port]` URL.
    pub fn parse(text: &str) -> Result<Cloud> {
        match text {
            "emulator" => Ok(Cloud::Emulator),
            "azure" => Ok(Cloud::Azure),
            url if url.starts_with("http://") || url.starts_with("https://") => {
                arm::http::origin_of(url)
                    .with_context(|| format!("invalid --cloud URL {url:?}"))?;
                Ok(Cloud::Endpoint(url.trim_end_matches('/').to_string()))
            }
            other => bail!("unknown cloud {other:?}: use emulator, azure, or http://HOST:PORT"),
        }
    }

    /// How the first line of human output names the target.
    pub fn describe(&self) -> String {
        match self {
            Cloud::Emulator => "emulator".to_string(),
            Cloud::Azure => format!("azure ({AZURE_ENDPOINT})"),
            Cloud::Endpoint(url) => url.clone(),
        }
    }
}

/// Create, read and delete azurerm resources through an [`ArmClient`].
pub struct Provider {
    client: ArmClient,
}

impl Provider {
    pub fn new(client: ArmClient) -> Provider {
        Provider { client }
    }

    pub fn client(&self) -> &ArmClient {
        &self.client
    }

    /// The same provider acting in another subscription.
    pub fn with_subscription(&self, subscription_id: &str) -> Provider {
        Provider::new(self.client.with_subscription(subscription_id))
    }

    /// The ARM id of the object these attributes describe.
    pub fn resource_id(&self, type_name: &str, attributes: &Value) -> Result<ResourceId> {
        mapping::resource_id(type_name, attributes, self.client.subscription())
    }

    /// Create or update: read what exists (read-modify-write keeps server-owned fields and
    /// embedded children), PUT, wait, and return the attributes as Azure now has them.
    pub fn create_or_update(
        &self,
        type_name: &str,
        attributes: &Value,
    ) -> Result<(ResourceId, Value)> {
        self.create_or_update_within(type_name, attributes, None)
    }

    /// [`Provider::create_or_update`] with the operation's wait bounded by `timeout` (the
    /// resource's `timeouts { create | update }`).
    pub fn create_or_update_within(
        &self,
        type_name: &str,
        attributes: &Value,
        timeout: Option<std::time::Duration>,
    ) -> Result<(ResourceId, Value)> {
        let id = self.resource_id(type_name, attributes)?;
        let existing = self.client.get(&id)?;
        let body = mapping::request_body(type_name, attributes, existing.as_ref())
            .with_context(|| format!("building the request for {id}"))?;
        let result = self.client.put_within(&id, &body, timeout)?;
        let attributes = mapping::attributes(type_name, &id, &result, Some(attributes))
            .with_context(|| format!("reading the response for {id}"))?;
        Ok((id, attributes))
    }

    /// Read an object; `None` when it no longer exists. `prior` supplies write-only values.
    pub fn read(
        &self,
        type_name: &str,
        id: &ResourceId,
        prior: Option<&Value>,
    ) -> Result<Option<Value>> {
        match self.client.get(id)? {
            None => Ok(None),
            Some(body) => mapping::attributes(type_name, id, &body, prior)
                .with_context(|| format!("reading the response for {id}"))
                .map(Some),
        }
    }

    /// Delete an object and wait until it is gone (gone already is fine).
    pub fn delete(&self, type_name: &str, id: &ResourceId) -> Result<()> {
        self.delete_within(type_name, id, None)
    }

    /// [`Provider::delete`] with the wait bounded by `timeout` (`timeouts { delete }`).
    pub fn delete_within(
        &self,
        type_name: &str,
        id: &ResourceId,
        timeout: Option<std::time::Duration>,
    ) -> Result<()> {
        mapping::kind_of(type_name)?;
        self.client.delete_within(id, timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::{Emulator, EmulatorConfig};
    use std::collections::BTreeMap;
    use std::sync::Arc;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[test]
    fn in_process_emulator_round_trip_and_cloud_names() {
        let emulator = Emulator::in_memory(EmulatorConfig::default()).unwrap();
        let client = ArmClient::new(Arc::new(emulator), None, ClientOptions::for_emulator("s"));
        assert_eq!(client.describe(), "emulator (in memory)");
        let provider = Provider::new(client);
        let rg = object(&[
            ("name", Value::string("rg")),
            ("location", Value::string("West US")),
        ]);
        let (id, attributes) = provider
            .create_or_update("azurerm_resource_group", &rg)
            .unwrap();
        assert_eq!(id.to_string(), "/subscriptions/s/resourceGroups/rg");
        assert_eq!(
            attributes.get_attr("location").unwrap().as_str(),
            Some("westus")
        );
        assert!(attributes.get_attr("tags").unwrap().is_null());
        provider.delete("azurerm_resource_group", &id).unwrap();
        assert!(
            provider
                .read("azurerm_resource_group", &id, None)
                .unwrap()
                .is_none()
        );
        assert!(provider.create_or_update("azurerm_nothing", &rg).is_err());

        assert_eq!(Cloud::parse("emulator").unwrap(), Cloud::Emulator);
        assert_eq!(
            Cloud::parse("azure").unwrap().describe(),
            "azure (https://management.azure.com)"
        );
        assert_eq!(
            Cloud::parse("http://127.0.0.1:8444/").unwrap(),
            Cloud::Endpoint("http://127.0.0.1:8444".into())
        );
        assert!(Cloud::parse("mars").is_err());
    }
}
