//! The emulator's store: one SQLite database (under `.peerform/`, or in memory for tests) holding
//! every resource as the JSON body ARM would return (children kept as rows of their own, not inside
//! the parent), the references between resources (for "in use" checks), and long-running
//! operations. Each call is a small indexed statement; nothing rewrites the whole store. It must not
//! hold ARM rules: validation lives in `kinds`, protocol in `mod`.

use crate::arm::{ResourceId, ResourceKind};
use anyhow::{Context, Result, bail};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::path::Path;

const SCHEMA_VERSION: i64 = 1;

/// One stored resource.
#[derive(Clone, Debug)]
pub struct Row {
    pub id: ResourceId,
    pub body: Value,
    /// The pending long-running operation on this resource, if any.
    pub operation: Option<String>,
}

/// One long-running operation.
#[derive(Clone, Debug)]
pub struct Operation {
    pub id: String,
    pub resource_key: String,
    pub resource_id: String,
    /// `put`, `patch` or `delete`.
    pub action: String,
    pub observations: u32,
    pub required: u32,
    /// `InProgress`, `Succeeded`, `Failed`.
    pub status: String,
    pub error: Option<Value>,
    /// The resource was created (not updated) by this operation.
    pub created: bool,
}

pub struct Store {
    conn: Connection,
}

/// The bounds of the keys below `key` (its descendants): every key that starts with `key/` lies
/// strictly between `key/` and `key0` (`0` follows `/`), so the primary key index finds them
/// without reading the whole table.
fn below(key: &str) -> (String, String) {
    (format!("{key}/"), format!("{key}0"))
}

impl Store {
    /// Open (creating when missing) the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let conn = Connection::open(path)
            .with_context(|| format!("opening the emulator database {}", path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .context("setting the database busy timeout")?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .context("enabling write-ahead logging")?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .context("setting synchronous mode")?;
        Store::init(conn).with_context(|| format!("preparing {}", path.display()))
    }

    /// A store that lives only as long as the process.
    pub fn in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().context("opening an in-memory database")?;
        Store::init(conn)
    }

    fn init(conn: Connection) -> Result<Store> {
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS resources (
                 key TEXT PRIMARY KEY,
                 id TEXT NOT NULL,
                 kind TEXT NOT NULL,
                 sub TEXT NOT NULL,
                 rg TEXT NOT NULL,
                 parent TEXT NOT NULL,
                 body TEXT NOT NULL,
                 op TEXT,
                 seq INTEGER NOT NULL);
             CREATE INDEX IF NOT EXISTS resources_parent ON resources(parent, seq);
             CREATE INDEX IF NOT EXISTS resources_scope ON resources(sub, kind, rg, seq);
             CREATE INDEX IF NOT EXISTS resources_busy ON resources(key) WHERE op IS NOT NULL;
             CREATE TABLE IF NOT EXISTS refs (from_key TEXT NOT NULL, to_key TEXT NOT NULL);
             CREATE INDEX IF NOT EXISTS refs_from ON refs(from_key);
             CREATE INDEX IF NOT EXISTS refs_to ON refs(to_key);
             CREATE TABLE IF NOT EXISTS operations (
                 id TEXT PRIMARY KEY,
                 resource_key TEXT NOT NULL,
                 resource_id TEXT NOT NULL,
                 action TEXT NOT NULL,
                 observations INTEGER NOT NULL,
                 required INTEGER NOT NULL,
                 status TEXT NOT NULL,
                 error TEXT,
                 created INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);",
        )
        .context("creating the emulator tables")?;
        let version: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()
            .context("reading the schema version")?;
        match version {
            None => {
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', ?1)",
                    params![SCHEMA_VERSION.to_string()],
                )
                .context("recording the schema version")?;
            }
            Some(v) if v == SCHEMA_VERSION.to_string() => {}
            Some(v) => bail!(
                "the emulator database has schema version {v}; this peerform understands {SCHEMA_VERSION}: remove .peerform/emulator.db to start afresh"
            ),
        }
        Ok(Store { conn })
    }

    /// Run `work` in one transaction: all of its writes land, or none.
    pub fn transaction<T>(&mut self, work: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .context("starting a transaction")?;
        match work(self) {
            Ok(value) => {
                self.conn
                    .execute_batch("COMMIT")
                    .context("committing a transaction")?;
                Ok(value)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// A setting kept beside the resources (the simulated provider's mode).
    pub fn get_setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![format!("setting:{key}")],
                |r| r.get(0),
            )
            .optional()
            .with_context(|| format!("reading setting {key}"))
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![format!("setting:{key}"), value],
            )
            .with_context(|| format!("writing setting {key}"))?;
        Ok(())
    }

    pub fn get(&self, id: &ResourceId) -> Result<Option<Row>> {
        self.get_key(&id.key())
    }

    pub fn get_key(&self, key: &str) -> Result<Option<Row>> {
        let row = self
            .conn
            .query_row(
                "SELECT id, body, op FROM resources WHERE key = ?1",
                params![key],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, Option<String>>(2)?,
                    ))
                },
            )
            .optional()
            .with_context(|| format!("reading {key}"))?;
        row.map(decode_row).transpose()
    }

    /// Insert or replace a resource body (its position in listings is kept on replace).
    pub fn put(&self, id: &ResourceId, body: &Value, operation: Option<&str>) -> Result<()> {
        let key = id.key();
        let parent = id.parent().map(|p| p.key()).unwrap_or_default();
        let seq = self.next_counter("seq")?;
        self.conn
            .execute(
                "INSERT INTO resources (key, id, kind, sub, rg, parent, body, op, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
                 ON CONFLICT(key) DO UPDATE SET id = excluded.id, body = excluded.body, op = excluded.op",
                params![
                    key,
                    id.to_string(),
                    id.kind.arm_type(),
                    id.subscription.to_ascii_lowercase(),
                    id.resource_group.to_ascii_lowercase(),
                    parent,
                    body.to_string(),
                    operation,
                    seq
                ],
            )
            .with_context(|| format!("writing {id}"))?;
        Ok(())
    }

    /// Delete a resource, its descendants and their outgoing references.
    pub fn delete_tree(&self, key: &str) -> Result<()> {
        let (low, high) = below(key);
        self.conn
            .execute(
                "DELETE FROM resources WHERE key = ?1 OR (key > ?2 AND key < ?3)",
                params![key, low, high],
            )
            .with_context(|| format!("deleting {key}"))?;
        self.conn
            .execute(
                "DELETE FROM refs WHERE from_key = ?1 OR (from_key > ?2 AND from_key < ?3)",
                params![key, low, high],
            )
            .with_context(|| format!("deleting references of {key}"))?;
        Ok(())
    }

    /// Direct children of a resource of one kind, in creation order.
    pub fn children(&self, parent: &ResourceId, kind: ResourceKind) -> Result<Vec<Row>> {
        self.query_rows(
            "SELECT id, body, op FROM resources WHERE parent = ?1 AND kind = ?2 ORDER BY seq",
            params![parent.key(), kind.arm_type()],
        )
    }

    /// Every key below this one (descendants), in creation order.
    pub fn descendants(&self, key: &str) -> Result<Vec<Row>> {
        let (low, high) = below(key);
        self.query_rows(
            "SELECT id, body, op FROM resources WHERE key > ?1 AND key < ?2 ORDER BY seq",
            params![low, high],
        )
    }

    /// Resources of one kind in a subscription, optionally one resource group.
    pub fn list(
        &self,
        subscription: &str,
        resource_group: Option<&str>,
        kind: ResourceKind,
    ) -> Result<Vec<Row>> {
        let sub = subscription.to_ascii_lowercase();
        match resource_group {
            Some(rg) => self.query_rows(
                "SELECT id, body, op FROM resources WHERE sub = ?1 AND kind = ?2 AND rg = ?3 ORDER BY seq",
                params![sub, kind.arm_type(), rg.to_ascii_lowercase()],
            ),
            None => self.query_rows(
                "SELECT id, body, op FROM resources WHERE sub = ?1 AND kind = ?2 ORDER BY seq",
                params![sub, kind.arm_type()],
            ),
        }
    }

    /// A pending operation on this resource, an ancestor or a descendant.
    pub fn busy_operation(&self, key: &str) -> Result<Option<String>> {
        let prefix = format!("{key}/");
        self.conn
            .query_row(
                "SELECT op FROM resources WHERE op IS NOT NULL AND
                   (key = ?1 OR substr(key, 1, length(?2)) = ?2 OR substr(?2, 1, length(key) + 1) = key || '/')
                 LIMIT 1",
                params![key, prefix],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .with_context(|| format!("checking operations on {key}"))
    }

    /// Replace the outgoing references of a resource.
    pub fn set_refs(&self, from: &str, to: &[String]) -> Result<()> {
        self.conn
            .execute("DELETE FROM refs WHERE from_key = ?1", params![from])
            .with_context(|| format!("clearing references of {from}"))?;
        for target in to {
            self.conn
                .execute(
                    "INSERT INTO refs (from_key, to_key) VALUES (?1, ?2)",
                    params![from, target],
                )
                .with_context(|| format!("recording a reference of {from}"))?;
        }
        Ok(())
    }

    /// Keys of resources referencing `key` or anything below it, excluding its own subtree.
    pub fn referrers(&self, key: &str) -> Result<Vec<String>> {
        let (low, high) = below(key);
        let mut statement = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT from_key FROM refs
                 WHERE (to_key = ?1 OR (to_key > ?2 AND to_key < ?3))
                   AND from_key != ?1 AND NOT (from_key > ?2 AND from_key < ?3)
                 ORDER BY from_key",
            )
            .context("preparing a reference query")?;
        let keys = statement
            .query_map(params![key, low, high], |r| r.get::<_, String>(0))
            .with_context(|| format!("finding references to {key}"))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .with_context(|| format!("reading references to {key}"))?;
        Ok(keys)
    }

    pub fn next_counter(&self, name: &str) -> Result<i64> {
        self.conn
            .query_row(
                "INSERT INTO counters (name, value) VALUES (?1, 1)
                 ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
                params![name],
                |r| r.get(0),
            )
            .with_context(|| format!("advancing counter {name}"))
    }

    pub fn put_operation(&self, op: &Operation) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO operations
                 (id, resource_key, resource_id, action, observations, required, status, error, created)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    op.id,
                    op.resource_key,
                    op.resource_id,
                    op.action,
                    op.observations,
                    op.required,
                    op.status,
                    op.error.as_ref().map(|e| e.to_string()),
                    op.created
                ],
            )
            .with_context(|| format!("writing operation {}", op.id))?;
        Ok(())
    }

    pub fn get_operation(&self, id: &str) -> Result<Option<Operation>> {
        let op = self
            .conn
            .query_row(
                "SELECT id, resource_key, resource_id, action, observations, required, status, error, created
                 FROM operations WHERE id = ?1",
                params![id],
                |r| {
                    Ok(Operation {
                        id: r.get(0)?,
                        resource_key: r.get(1)?,
                        resource_id: r.get(2)?,
                        action: r.get(3)?,
                        observations: r.get(4)?,
                        required: r.get(5)?,
                        status: r.get(6)?,
                        error: r
                            .get::<_, Option<String>>(7)?
                            .and_then(|e| serde_json::from_str(&e).ok()),
                        created: r.get(8)?,
                    })
                },
            )
            .optional()
            .with_context(|| format!("reading operation {id}"))?;
        Ok(op)
    }

    fn query_rows(&self, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Row>> {
        let mut statement = self.conn.prepare_cached(sql).context("preparing a query")?;
        let raw = statement
            .query_map(params, |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })
            .context("querying resources")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("reading resources")?;
        raw.into_iter().map(decode_row).collect()
    }
}

fn decode_row((id, body, op): (String, String, Option<String>)) -> Result<Row> {
    let resource_id = parse_stored_id(&id)?;
    let body = serde_json::from_str(&body).with_context(|| format!("stored body of {id}"))?;
    Ok(Row {
        id: resource_id,
        body,
        operation: op,
    })
}

/// Parse an id as stored (resource groups included).
pub fn parse_stored_id(id: &str) -> Result<ResourceId> {
    ResourceId::parse(id).with_context(|| format!("stored id {id}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_children_refs_and_busy() {
        let mut store = Store::in_memory().unwrap();
        let circuit = ResourceId::parse(
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er",
        )
        .unwrap();
        let peering = circuit
            .child(ResourceKind::CircuitPeering, "AzurePrivatePeering")
            .unwrap();
        store
            .transaction(|s| {
                s.put(&circuit, &json!({"name": "er"}), None)?;
                s.put(
                    &peering,
                    &json!({"name": "AzurePrivatePeering"}),
                    Some("op1"),
                )?;
                s.set_refs("/x", &[peering.key()])
            })
            .unwrap();
        assert_eq!(
            store
                .children(&circuit, ResourceKind::CircuitPeering)
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store.referrers(&circuit.key()).unwrap(),
            vec!["/x".to_string()]
        );
        assert_eq!(
            store.busy_operation(&circuit.key()).unwrap().as_deref(),
            Some("op1")
        );
        store.delete_tree(&circuit.key()).unwrap();
        assert!(store.get(&peering).unwrap().is_none());
        assert!(store.busy_operation(&circuit.key()).unwrap().is_none());
    }
}
