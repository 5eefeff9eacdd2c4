//! Value-encoded calls. Components compwrap generates export
//! `compwrap:types/encoded` (see `wit/types.wit`): it decodes a call's
//! arguments from the value encoding inside the component and encodes the
//! result there, so a host that holds arguments as bytes (compwrap-runtime,
//! behind its C ABI) makes one statically typed call instead of a dynamic
//! one that builds and takes apart [`Val`](wasmtime::component::Val)s.
//!
//! Resources crossing these calls are `u32` handles into the component's
//! own table; [`Instance::drop_encoded`] drops them. They are a different
//! namespace from the [`ResourceAny`](wasmtime::component::ResourceAny)s of
//! [`Instance::call`]: a host uses one kind of call per instance.

use anyhow::{Context, Result, bail};
use wasmtime::component::{Func, TypedFunc};

use super::{ExportedFunc, Instance, Live, require_sync};
use crate::runtime::{LoadedComponent, wasmtime_error};

/// The interface of value-encoded calls.
pub const ENCODED_INTERFACE: &str = "compwrap:types/encoded@0.1.0";

/// What `call` returns: the result's encoding, or what is wrong with the
/// arguments.
type EncodedResult = Result<Vec<u8>, String>;

/// `call` and `drop` of the interface in one instance.
#[derive(Clone, Copy)]
pub(super) struct EncodedFuncs {
    /// Type-checked as `func(u32, list<u8>) -> result<list<u8>, string>`
    /// when found.
    call: Func,
    drop: TypedFunc<(u32,), (bool,)>,
}

/// The interface's function `name`, if the component exports it.
fn encoded_export<'a>(loaded: &'a LoadedComponent, name: &str) -> Option<&'a ExportedFunc> {
    loaded
        .exports()
        .iter()
        .find(|f| f.interface.as_deref() == Some(ENCODED_INTERFACE) && f.name == name)
}

impl EncodedFuncs {
    fn find(live: &mut Live, loaded: &LoadedComponent) -> Result<EncodedFuncs> {
        let (Some(call), Some(drop)) = (
            encoded_export(loaded, "call"),
            encoded_export(loaded, "drop"),
        ) else {
            bail!("the component does not export {ENCODED_INTERFACE}");
        };
        let call = live
            .instance
            .get_func(&mut live.store, call.index)
            .context("the instance has no encoded `call`")?;
        call.typed::<(u32, &[u8]), (EncodedResult,)>(&live.store)
            .map_err(wasmtime_error)
            .context("the component's encoded `call` has another type")?;
        let drop = live
            .instance
            .get_func(&mut live.store, drop.index)
            .context("the instance has no encoded `drop`")?
            .typed::<(u32,), (bool,)>(&live.store)
            .map_err(wasmtime_error)
            .context("the component's encoded `drop` has another type")?;
        Ok(EncodedFuncs { call, drop })
    }
}

impl Live {
    /// The value-encoded calls' functions, found on first use.
    fn encoded_funcs(&mut self, loaded: &LoadedComponent) -> Result<EncodedFuncs> {
        if let Some(encoded) = self.encoded {
            return Ok(encoded);
        }
        let encoded = EncodedFuncs::find(self, loaded)?;
        Ok(*self.encoded.insert(encoded))
    }
}

impl Instance {
    /// The functions the component's value-encoded calls reach, by index
    /// (`interface#function`, as [`ExportedFunc::qualified_name`] spells
    /// them); `None` when it does not export [`ENCODED_INTERFACE`], or
    /// exports functions of other types under its name.
    pub fn encoded_functions(&mut self) -> Result<Option<Vec<String>>> {
        let loaded = self.loaded.clone();
        let Some(func) = encoded_export(&loaded, "functions") else {
            return Ok(None);
        };
        require_sync(&loaded)?;
        let live = self.live()?;
        if live.encoded_funcs(&loaded).is_err() {
            return Ok(None);
        }
        let callee = live.prepare_call(&loaded, func)?;
        let Ok(typed) = callee.typed::<(), (Vec<String>,)>(&live.store) else {
            return Ok(None);
        };
        match typed.call(&mut live.store, ()) {
            Ok((names,)) => Ok(Some(names)),
            Err(error) => Err(self.call_failed(func, error)),
        }
    }

    /// Calls function number `index` of [`Instance::encoded_functions`],
    /// which is `func`, with its arguments in the value encoding. `Ok(Ok)`
    /// holds the result's encoding (empty without a result); `Ok(Err)` the
    /// component's message when `args` are no valid encoding of the
    /// parameters (the instance stays as it was). A trap or a limit is an
    /// error as for [`Instance::call`], and the next call runs on a fresh
    /// instance.
    pub fn call_encoded(
        &mut self,
        func: &ExportedFunc,
        index: u32,
        args: &[u8],
    ) -> Result<Result<Vec<u8>, String>> {
        let Instance { loaded, live, .. } = self;
        require_sync(loaded)?;
        let live = match live {
            Some(live) => live,
            None => live.insert(Live::new(loaded)?),
        };
        live.store.data_mut().clear_captured_stderr();
        loaded.arm_limits(&mut live.store)?;
        let call = live.encoded_funcs(loaded)?.call;
        // SAFETY: `EncodedFuncs::find` type-checked `call` as this type.
        let typed = unsafe { TypedFunc::<(u32, &[u8]), (EncodedResult,)>::new_unchecked(call) };
        match typed.call(&mut live.store, (index, args)) {
            Ok((result,)) => Ok(result),
            Err(error) => Err(self.call_failed(func, error)),
        }
    }

    /// Drops a resource handle a value-encoded call returned, running its
    /// destructor in the guest; false when the component has no such
    /// handle.
    pub fn drop_encoded(&mut self, handle: u32) -> Result<bool> {
        let loaded = self.loaded.clone();
        require_sync(&loaded)?;
        let live = self.live()?;
        live.store.data_mut().clear_captured_stderr();
        loaded.arm_limits(&mut live.store)?;
        let drop = live.encoded_funcs(&loaded)?.drop;
        match drop.call(&mut live.store, (handle,)) {
            Ok((dropped,)) => Ok(dropped),
            Err(error) => Err(self.failed("dropping a resource", error)),
        }
    }
}
