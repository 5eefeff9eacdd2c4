//! [`Pool`]: one component called from many threads.
//!
//! An [`Instance`] belongs to one caller at a time. A pool keeps idle
//! instances (made from the component's cached `InstancePre`) and lends one
//! to each call, so threads share a single `Send + Sync` handle and each
//! call pays for instantiation only when no idle instance is left. A call
//! that traps gets its instance replaced as usual before it goes back.

use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Result, bail};
use wasmtime::component::Val;

use crate::LoadedComponent;
use crate::call::{ExportedFunc, Instance, holds_resource};

/// Default for [`Pool::new`]'s `max_idle`: idle instances kept per pool.
pub const DEFAULT_MAX_IDLE: usize = 16;

/// A `Send + Sync`, cheaply cloned handle that calls a component from any
/// thread, each call on an instance of its own.
///
/// Functions that take or return resources need the instance the handle
/// belongs to, so a pool refuses them: use [`LoadedComponent::instantiate`]
/// for those.
#[derive(Clone)]
pub struct Pool {
    loaded: LoadedComponent,
    idle: Arc<Mutex<Vec<Instance>>>,
    max_idle: usize,
}

impl Pool {
    /// A pool for `loaded` keeping at most `max_idle` idle instances
    /// (more run at once when more threads call; the extra ones are dropped
    /// when they come back).
    pub fn new(loaded: LoadedComponent, max_idle: usize) -> Pool {
        Pool {
            loaded,
            idle: Arc::new(Mutex::new(Vec::new())),
            max_idle,
        }
    }

    /// The component.
    pub fn component(&self) -> &LoadedComponent {
        &self.loaded
    }

    /// Idle instances right now.
    pub fn idle(&self) -> usize {
        self.lock().len()
    }

    /// Calls `name` (see [`Instance::call`]) on an idle instance.
    pub fn call(&self, name: &str, args: &[Val]) -> Result<Vec<Val>> {
        check_poolable(self.loaded.export(name)?)?;
        self.with_instance(|instance| instance.call(name, args))
    }

    /// Calls `name` with WAVE arguments (see [`Instance::call_wave`]) on an
    /// idle instance.
    #[cfg(feature = "wave")]
    pub fn call_wave(&self, name: &str, args: &[&str]) -> Result<Option<String>> {
        check_poolable(self.loaded.export(name)?)?;
        self.with_instance(|instance| instance.call_wave(name, args))
    }

    fn with_instance<R>(&self, call: impl FnOnce(&mut Instance) -> Result<R>) -> Result<R> {
        let taken = self.lock().pop();
        let mut instance = match taken {
            Some(instance) => instance,
            None => self.loaded.instantiate()?,
        };
        let result = call(&mut instance);
        let mut idle = self.lock();
        if idle.len() < self.max_idle {
            idle.push(instance);
        }
        result
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Instance>> {
        // An instance is only pushed or popped under the lock: a panic
        // elsewhere cannot leave the list half-changed.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl LoadedComponent {
    /// A [`Pool`] of this component's instances, for calls from many
    /// threads, keeping up to [`DEFAULT_MAX_IDLE`] idle instances.
    pub fn pool(&self) -> Pool {
        Pool::new(self.clone(), DEFAULT_MAX_IDLE)
    }
}

fn check_poolable(func: &ExportedFunc) -> Result<()> {
    let resource = func.params.iter().any(|p| holds_resource(&p.ty.ty))
        || func.result.as_ref().is_some_and(|r| holds_resource(&r.ty));
    if resource {
        bail!(
            "`{}` takes or returns a resource, which belongs to one instance; \
             call it on an `Instance` (`LoadedComponent::instantiate`), not through a pool",
            func.qualified_name()
        );
    }
    Ok(())
}
