//! What one call of a guest may use: linear memory, wall time, wasm stack
//! and, optionally, fuel. A call that goes past a limit traps; its error
//! names the limit and the configured value, and the instance is replaced.
//!
//! Wall time uses wasmtime's epoch interruption: a thread owned by the
//! [`Runtime`](crate::Runtime) advances the engine's epoch every
//! [`EPOCH_TICK`], and each call gets a deadline that many ticks ahead.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::{Config, Engine, Trap};

/// Default for [`Limits::max_memory_bytes`]: 1 GiB.
pub const DEFAULT_MAX_MEMORY_BYTES: usize = 1 << 30;

/// Default for [`Limits::call_timeout`]: 10 seconds.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Default for [`Limits::max_wasm_stack`]: 512 KiB (wasmtime's default).
pub const DEFAULT_MAX_WASM_STACK: usize = 512 * 1024;

/// How often the epoch advances: the resolution of the time limit.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// One of the [`Limits`], named in a [`CallFailure`](crate::call::CallFailure).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// [`Limits::call_timeout`].
    Time,
    /// [`Limits::max_memory_bytes`].
    Memory,
    /// [`Limits::max_wasm_stack`].
    Stack,
    /// [`Limits::fuel`].
    Fuel,
}

/// The limits of every call of a [`Runtime`](crate::Runtime)'s instances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most bytes each linear memory may grow to.
    pub max_memory_bytes: usize,
    /// The longest a call may run; `None` for no limit.
    pub call_timeout: Option<Duration>,
    /// The most bytes of native stack wasm code may use.
    pub max_wasm_stack: usize,
    /// Fuel per call (about one unit per wasm instruction); `None` for no
    /// fuel accounting, which is faster.
    pub fuel: Option<u64>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_memory_bytes: DEFAULT_MAX_MEMORY_BYTES,
            call_timeout: Some(DEFAULT_CALL_TIMEOUT),
            max_wasm_stack: DEFAULT_MAX_WASM_STACK,
            fuel: None,
        }
    }
}

impl Limits {
    /// Sets up the engine configuration these limits need.
    pub(crate) fn configure(&self, config: &mut Config) {
        config
            .epoch_interruption(self.call_timeout.is_some())
            .max_wasm_stack(self.max_wasm_stack)
            .consume_fuel(self.fuel.is_some());
    }

    /// Gives `store` a fresh time budget and fuel, before a call.
    pub(crate) fn arm<T>(&self, store: &mut wasmtime::Store<T>) -> wasmtime::Result<()> {
        if let Some(timeout) = self.call_timeout {
            store.set_epoch_deadline(ticks(timeout));
        }
        if let Some(fuel) = self.fuel {
            store.set_fuel(fuel)?;
        }
        Ok(())
    }

    /// Which limit a failed call ran into, with its configured value and
    /// the setting that changes it; `None` when it was none of them.
    pub(crate) fn explain(&self, error: &wasmtime::Error) -> Option<(Limit, String)> {
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => Some((
                Limit::Time,
                format!(
                    "the call ran longer than the time limit of {:?} (`RuntimeBuilder::call_timeout`)",
                    self.call_timeout.unwrap_or_default()
                ),
            )),
            Some(Trap::StackOverflow) => Some((
                Limit::Stack,
                format!(
                    "the call used more than the wasm stack limit of {} bytes (`RuntimeBuilder::max_wasm_stack`)",
                    self.max_wasm_stack
                ),
            )),
            Some(Trap::OutOfFuel) => Some((
                Limit::Fuel,
                format!(
                    "the call used up its fuel limit of {} (`RuntimeBuilder::fuel`)",
                    self.fuel.unwrap_or_default()
                ),
            )),
            // `StoreLimits` with `trap_on_grow_failure` fails the growth with
            // this message rather than a trap code.
            _ if error.root_cause().to_string().contains("growing memory") => Some((
                Limit::Memory,
                format!(
                    "the call tried to grow a linear memory past the limit of {} bytes (`RuntimeBuilder::max_memory_bytes`)",
                    self.max_memory_bytes
                ),
            )),
            _ => None,
        }
    }
}

/// Epoch ticks in `timeout`, rounded up, at least one.
fn ticks(timeout: Duration) -> u64 {
    let tick = EPOCH_TICK.as_nanos();
    u64::try_from(timeout.as_nanos().div_ceil(tick))
        .unwrap_or(u64::MAX)
        .max(1)
}

/// Advances an engine's epoch every [`EPOCH_TICK`] until dropped.
pub(crate) struct EpochTicker {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    /// Starts the ticker thread.
    pub(crate) fn start(engine: &Engine) -> std::io::Result<EpochTicker> {
        let engine = engine.clone();
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("compwrap-epoch".into())
            .spawn(move || {
                // Ends when the sender is dropped (the runtime went away).
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(EPOCH_TICK) {
                    engine.increment_epoch();
                }
            })?;
        Ok(EpochTicker {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_become_whole_ticks() {
        assert_eq!(ticks(Duration::ZERO), 1);
        assert_eq!(ticks(Duration::from_millis(1)), 1);
        assert_eq!(ticks(Duration::from_millis(10)), 1);
        assert_eq!(ticks(Duration::from_millis(11)), 2);
        assert_eq!(ticks(Duration::from_secs(10)), 1000);
        assert_eq!(ticks(Duration::MAX), u64::MAX);
    }
}
