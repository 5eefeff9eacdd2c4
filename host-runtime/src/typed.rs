//! [`Typed`]: calls through typed bindings ([`bindgen!`](crate::bindgen))
//! with what [`Instance`](crate::call::Instance) gives dynamic calls: a
//! fresh time budget per call, the guest's stderr and the limit it passed
//! in the error, and a new instance after a trap.
//!
//! ```ignore
//! compwrap_host::bindgen!({ path: "wit", world: "semver-component",
//!                           wasmtime_crate: compwrap_host::wasmtime });
//!
//! let loaded = runtime.load_from_store(&store, "semver@1.0.28")?;
//! let mut semver = Typed::new(loaded, |store, pre| {
//!     SemverComponentPre::new(pre.clone())?.instantiate(store)
//! });
//! let version = semver.call("version-parse", |b, store| {
//!     b.compwrap_semver_semver().call_version_parse(store, "1.2.3")
//! })?;
//! ```

use anyhow::Result;
use wasmtime::component::InstancePre;

use crate::call::Failure;
use crate::runtime::{HostState, LoadedComponent};

/// How typed bindings `B` are instantiated from the pre-linked component
/// (e.g. `|store, pre| WorldPre::new(pre.clone())?.instantiate(store)`).
pub type Instantiate<B> =
    fn(&mut wasmtime::Store<HostState>, &InstancePre<HostState>) -> wasmtime::Result<B>;

/// A component instance behind typed bindings `B`, re-made after a trap.
pub struct Typed<B> {
    loaded: LoadedComponent,
    instantiate: Instantiate<B>,
    live: Option<(wasmtime::Store<HostState>, B)>,
    /// How many instances were made; resource handles remember the one
    /// they came from.
    instances: u64,
}

impl<B> Typed<B> {
    /// Bindings for `loaded`; the first call instantiates it.
    pub fn new(loaded: LoadedComponent, instantiate: Instantiate<B>) -> Typed<B> {
        Typed {
            loaded,
            instantiate,
            live: None,
            instances: 0,
        }
    }

    /// The number of the live instance (counting from 1), if there is one.
    /// A resource handle is only usable with the instance that made it:
    /// keep this number with the handle and compare it before each call
    /// (after a trap the instance is gone and the next call makes a new
    /// one, whose number differs).
    pub fn instance(&self) -> Option<u64> {
        self.live.as_ref().map(|_| self.instances)
    }

    /// The component.
    pub fn loaded(&self) -> &LoadedComponent {
        &self.loaded
    }

    /// The URLs of the outgoing HTTP requests the allowlist denied during
    /// the last call. A guest may turn a denial into data (an AWS SDK
    /// operation's `sdk-error`), so the call itself succeeds: this says why.
    pub fn denied_http_requests(&self) -> &[String] {
        match &self.live {
            Some((store, _)) => store.data().denied_http_requests(),
            None => &[],
        }
    }

    /// Runs `call` (one call through the bindings, named `what` in errors)
    /// on the instance, instantiating it first when there is none. The call
    /// gets the runtime's full time budget; when it traps, the error has the
    /// guest's message and the limit it passed, and the instance is dropped
    /// so that the next call starts a fresh one.
    pub fn call<R>(
        &mut self,
        what: &str,
        call: impl FnOnce(&B, &mut wasmtime::Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R> {
        let (store, bindings) = match &mut self.live {
            Some(live) => live,
            None => {
                let mut store = self.loaded.new_store()?;
                let made = (self.instantiate)(&mut store, self.loaded.instance_pre());
                let bindings = made.map_err(|error| {
                    let what = format!("instantiating component {}", self.loaded.digest());
                    Failure::describe(&self.loaded, &what, error, Some(store.data_mut())).error
                })?;
                self.instances += 1;
                self.live.insert((store, bindings))
            }
        };
        store.data_mut().clear_captured_stderr();
        self.loaded.arm_limits(store)?;
        match call(bindings, store) {
            Ok(result) => Ok(result),
            Err(error) => {
                let what = format!("call to `{what}`");
                let failure = Failure::describe(&self.loaded, &what, error, Some(store.data_mut()));
                if failure.entered_wasm {
                    self.live = None;
                }
                Err(failure.error)
            }
        }
    }
}
