//! The `Backend` trait every place that keeps state implements (local file now; PostgreSQL and Azure Blob
//! later), the lineage and serial rules every write obeys, and `conformance`: the one test suite every
//! backend must pass. It must not know where or how a backend stores its bytes.

use super::lock::{LockInfo, LockRequest};
use super::model::State;

/// How a write treats the lineage and serial rules.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteOptions {
    /// Write even over another lineage or a higher serial (`state push --force`).
    pub force: bool,
}

/// A place that keeps one state and its lock.
pub trait Backend: Send + Sync {
    /// What and where, for messages: `local state ./peerform.tfstate`.
    fn describe(&self) -> String;

    /// The latest state (including completed journal steps), or `None` when there is none yet.
    fn read(&self) -> anyhow::Result<Option<State>>;

    /// Store a state. Without `force`, refuses another lineage, a lower serial, and different content
    /// under the same serial (see [`check_write`]).
    fn write(&self, state: &State, options: WriteOptions) -> anyhow::Result<()>;

    /// Take the lock. When someone holds it, the error is a [`super::StateLocked`] naming them.
    fn lock(&self, request: &LockRequest) -> anyhow::Result<LockInfo>;

    /// Release a lock this caller holds; refuses a lock id that is not the current lock's.
    fn unlock(&self, lock_id: &str) -> anyhow::Result<()>;

    /// Whether a lock can outlive its holder, so that `force-unlock` is needed and supported.
    fn supports_force_unlock(&self) -> bool {
        false
    }

    /// Remove a lock left by a crashed holder; refuses a wrong id.
    fn force_unlock(&self, lock_id: &str) -> anyhow::Result<()> {
        let _ = lock_id;
        anyhow::bail!(
            "{} releases its lock when the holder's session ends, so there is nothing to force-unlock",
            self.describe()
        )
    }
}

/// The write rules shared by every backend: a state never replaces another lineage or a newer serial,
/// nor different content under the same serial, unless forced.
pub fn check_write(
    describe: &str,
    current: Option<&State>,
    new: &State,
    options: WriteOptions,
) -> anyhow::Result<()> {
    check_write_parts(
        describe,
        current.map(|c| (c.lineage.as_str(), c.serial)),
        new,
        || current.is_some_and(|c| c.same_content(new)),
        options,
    )
}

/// [`check_write`] for a backend that knows the stored lineage and serial without decoding the whole
/// state; `same_content` is asked only when the serials are equal.
pub fn check_write_parts(
    describe: &str,
    current: Option<(&str, u64)>,
    new: &State,
    same_content: impl FnOnce() -> bool,
    options: WriteOptions,
) -> anyhow::Result<()> {
    let Some((lineage, serial)) = current else {
        return Ok(());
    };
    if options.force {
        return Ok(());
    }
    if lineage != new.lineage {
        anyhow::bail!(
            "refusing to write a state of lineage {} over {describe}, which holds lineage {lineage}: they are different states; use --force only if you mean to replace it",
            new.lineage
        );
    }
    if new.serial < serial {
        anyhow::bail!(
            "refusing to write serial {} over {describe}, which is at serial {serial}: the stored state is newer; pull it first, or use --force to overwrite it",
            new.serial
        );
    }
    if new.serial == serial && !same_content() {
        anyhow::bail!(
            "refusing to write different content under the same serial {serial} over {describe}: raise the serial, or use --force"
        );
    }
    Ok(())
}

/// The conformance suite: every backend passes each of these. Each function takes a factory that
/// returns two clients of one new, empty store (two clients so that contention can be tested).
pub mod conformance {
    use super::{Backend, WriteOptions};
    use crate::lang::Value;
    use crate::state::lock::{LockRequest, StateLocked};
    use crate::state::model::{CloudTarget, ResourceState, State};

    /// Two clients of one fresh, empty store.
    pub type Factory<'a> = &'a dyn Fn() -> (Box<dyn Backend>, Box<dyn Backend>);

    fn ensure(condition: bool, message: &str) -> anyhow::Result<()> {
        if condition {
            Ok(())
        } else {
            anyhow::bail!("backend conformance: {message}")
        }
    }

    fn request(who: &str) -> LockRequest {
        LockRequest {
            who: who.to_string(),
            operation: "conformance".to_string(),
            created: "2026-01-01T00:00:00Z".to_string(),
        }
    }

    /// A small state with one resource.
    pub fn sample_state() -> State {
        let mut state = State::new(CloudTarget {
            target: "emulator".into(),
            endpoint: "http://127.0.0.1:0".into(),
            subscription: "00000000-0000-0000-0000-000000000000".into(),
        });
        state.serial = 1;
        let address = rg_address();
        state.resources.insert(
            address,
            ResourceState {
                type_name: "azurerm_resource_group".into(),
                id: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg".into(),
                attributes: [("location".to_string(), Value::string("westeurope"))]
                    .into_iter()
                    .collect(),
                ..Default::default()
            },
        );
        state
    }

    fn rg_address() -> crate::config::addr::ResourceInstanceAddr {
        crate::config::addr::ResourceInstanceAddr {
            resource: crate::config::addr::ResourceAddr {
                module: Default::default(),
                mode: crate::config::addr::Mode::Managed,
                type_name: "azurerm_resource_group".into(),
                name: "rg".into(),
            },
            key: None,
        }
    }

    pub fn read_of_missing_state_is_none(factory: Factory<'_>) -> anyhow::Result<()> {
        let (backend, _) = factory();
        ensure(
            backend.read()?.is_none(),
            "an empty store reads as no state",
        )
    }

    pub fn write_then_read_round_trips(factory: Factory<'_>) -> anyhow::Result<()> {
        let (first, second) = factory();
        let state = sample_state();
        first.write(&state, WriteOptions::default())?;
        ensure(
            first.read()?.as_ref() == Some(&state),
            "a written state reads back equal",
        )?;
        ensure(
            second.read()?.as_ref() == Some(&state),
            "a second client reads what the first wrote",
        )
    }

    pub fn lineage_and_serial_rules(factory: Factory<'_>) -> anyhow::Result<()> {
        let (backend, _) = factory();
        let state = sample_state();
        backend.write(&state, WriteOptions::default())?;

        let mut other = sample_state();
        other.serial = state.serial + 5;
        ensure(
            backend.write(&other, WriteOptions::default()).is_err(),
            "a write of another lineage is refused",
        )?;
        let mut lower = state.clone();
        lower.serial = 0;
        ensure(
            backend.write(&lower, WriteOptions::default()).is_err(),
            "a write of a lower serial is refused",
        )?;
        let mut same_serial = state.clone();
        same_serial.resources.clear();
        ensure(
            backend
                .write(&same_serial, WriteOptions::default())
                .is_err(),
            "different content under the same serial is refused",
        )?;
        ensure(
            backend.read()?.as_ref() == Some(&state),
            "refused writes leave the stored state unchanged",
        )?;
        backend.write(&state, WriteOptions::default())?;
        let mut next = state.clone();
        next.serial += 1;
        next.resources.clear();
        backend.write(&next, WriteOptions::default())?;
        ensure(
            backend.read()?.as_ref() == Some(&next),
            "a higher serial is written",
        )?;
        backend.write(&other, WriteOptions { force: true })?;
        ensure(
            backend.read()?.as_ref() == Some(&other),
            "a forced write replaces another lineage",
        )
    }

    pub fn lock_and_unlock(factory: Factory<'_>) -> anyhow::Result<()> {
        let (backend, _) = factory();
        let info = backend.lock(&request("ana@one"))?;
        ensure(!info.id.is_empty(), "a lock has an id")?;
        ensure(
            backend.unlock("not-the-id").is_err(),
            "unlock refuses a wrong lock id",
        )?;
        backend.unlock(&info.id)?;
        let again = backend.lock(&request("ana@one"))?;
        ensure(again.id != info.id, "each lock gets a new id")?;
        backend.unlock(&again.id)
    }

    pub fn contention_names_the_holder(factory: Factory<'_>) -> anyhow::Result<()> {
        let (first, second) = factory();
        let held = first.lock(&request("ana@one"))?;
        let err = match second.lock(&request("bob@two")) {
            Ok(_) => {
                anyhow::bail!("backend conformance: a second lock while one is held must fail")
            }
            Err(e) => e,
        };
        let locked = err.downcast_ref::<StateLocked>().ok_or_else(|| {
            anyhow::anyhow!("backend conformance: contention must be StateLocked, got {err:#}")
        })?;
        let holder = locked.holder.as_ref().ok_or_else(|| {
            anyhow::anyhow!("backend conformance: contention must name the holder")
        })?;
        ensure(holder.who == "ana@one", "the holder's who is reported")?;
        ensure(holder.id == held.id, "the holder's lock id is reported")?;
        ensure(
            holder.operation == "conformance",
            "the operation is reported",
        )?;
        ensure(
            !holder.created.is_empty(),
            "when the lock was taken is reported",
        )?;
        first.unlock(&held.id)?;
        let taken = second.lock(&request("bob@two"))?;
        second.unlock(&taken.id)
    }

    pub fn force_unlock_removes_a_stale_lock(factory: Factory<'_>) -> anyhow::Result<()> {
        let (first, second) = factory();
        if !second.supports_force_unlock() {
            return Ok(());
        }
        let held = first.lock(&request("ana@one"))?;
        ensure(
            second.force_unlock("wrong-id").is_err(),
            "force-unlock refuses a wrong lock id",
        )?;
        second.force_unlock(&held.id)?;
        let taken = second.lock(&request("bob@two"))?;
        second.unlock(&taken.id)
    }

    /// Every check, in order; stops at the first failure.
    pub fn run_all(factory: Factory<'_>) -> anyhow::Result<()> {
        read_of_missing_state_is_none(factory)?;
        write_then_read_round_trips(factory)?;
        lineage_and_serial_rules(factory)?;
        lock_and_unlock(factory)?;
        contention_names_the_holder(factory)?;
        force_unlock_removes_a_stale_lock(factory)
    }
}
