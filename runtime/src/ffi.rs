//! The exported C functions of ABI version 1 (see
//! [`compwrap_client::abi`] for the contract). Each one checks its
//! pointers, catches panics, and reports failures as a status and a
//! value-encoded [`AbiError`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use compwrap_client::abi::{self, AbiError, Buf, RawComponent, RawInstance, RawRuntime, Status};
use compwrap_client::codec::{self, DecodeError, Reader};
use compwrap_host::call::{ExportedFunc, Instance, Param};
use compwrap_host::{CallFailure, Digest, FailureKind, Limit, LoadedComponent, Runtime, Store};

use crate::config;
use crate::handles::{Handles, Held, Taken};
use crate::values;

/// A runtime and its store (`cw_runtime`).
struct CwRuntime {
    runtime: Runtime,
    store: Store,
}

/// A loaded component (`cw_component`).
struct CwComponent {
    shared: Arc<ComponentShared>,
}

struct ComponentShared {
    loaded: LoadedComponent,
    /// Function names as callers spell them -> index into the exports.
    names: RwLock<HashMap<Box<[u8]>, usize, BuildHasherDefault<Fnv>>>,
    /// How each export is called, by its index; set by the first instance.
    routes: OnceLock<Vec<Route>>,
}

/// FNV-1a, for the short function names looked up on every call.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            hash = (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// How the runtime calls an export.
#[derive(Clone, Copy)]
enum Route {
    /// Through the component's value-encoded calls, as function `index`;
    /// `resources` when handles in the values need rewriting.
    Encoded { index: u32, resources: bool },
    /// Dynamically, with `Val`s (a component without value-encoded calls).
    Dynamic,
}

/// An instance (`cw_instance`); calls on it are serialized.
struct CwInstance {
    component: Arc<ComponentShared>,
    state: Mutex<InstanceState>,
}

struct InstanceState {
    instance: Instance,
    handles: Handles,
    /// The function called last, as the caller spelled it, and its index
    /// in the exports: a program calls the same function many times.
    last: Option<(Box<[u8]>, usize)>,
}

/// A failure: its status and its description.
struct Failure(Box<(Status, AbiError)>);

type Outcome = Result<(), Failure>;

impl Failure {
    fn new(status: Status, message: impl Into<String>) -> Failure {
        Failure(Box::new((
            status,
            AbiError {
                message: message.into(),
                ..AbiError::default()
            },
        )))
    }

    /// An error of compwrap-host, classified by its [`CallFailure`] when
    /// it is a failed call, else as `status`.
    fn from_error(status: Status, error: &anyhow::Error) -> Failure {
        let mut abi = AbiError {
            message: error.to_string(),
            causes: error.chain().skip(1).map(ToString::to_string).collect(),
            ..AbiError::default()
        };
        let mut status = status;
        if let Some(failure) = error.downcast_ref::<CallFailure>() {
            abi.denied_http.clone_from(&failure.denied_http);
            abi.guest_stderr.clone_from(&failure.stderr);
            status = match failure.kind {
                FailureKind::Limit(limit) => {
                    abi.limit = Some(limit_name(limit).to_owned());
                    Status::Limit
                }
                _ if !failure.denied_http.is_empty() => Status::HttpDenied,
                FailureKind::Trap => Status::Trap,
                FailureKind::Host => status,
            };
        }
        Failure(Box::new((status, abi)))
    }
}

fn limit_name(limit: Limit) -> &'static str {
    match limit {
        Limit::Time => "time",
        Limit::Memory => "memory",
        Limit::Stack => "stack",
        Limit::Fuel => "fuel",
    }
}

/// Moves `bytes` into a buffer the caller frees with [`cw1_buf_free`].
fn give(bytes: Vec<u8>) -> Buf {
    let boxed = bytes.into_boxed_slice();
    let len = boxed.len();
    Buf {
        ptr: Box::into_raw(boxed).cast::<u8>(),
        len,
    }
}

/// Runs `body`, turning a failure or a panic into a status and, when
/// `err` is not null, an error record.
fn guard(err: *mut Buf, body: impl FnOnce() -> Outcome) -> i32 {
    let outcome = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        Err(Failure::new(
            Status::Panic,
            format!("compwrap-runtime panicked (a bug in the runtime): {message}"),
        ))
    });
    match outcome {
        Ok(()) => Status::Ok as i32,
        Err(Failure(failure)) => {
            let (status, error) = *failure;
            if !err.is_null() {
                // SAFETY: the caller passes a valid `cw_buf` or null.
                unsafe { err.write(give(codec::to_bytes(&error))) };
            }
            status as i32
        }
    }
}

/// The bytes at `ptr`, or a failure for a null pointer with a length.
///
/// # Safety
///
/// `ptr` must point to `len` readable bytes that outlive the call.
unsafe fn bytes<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(Failure::new(
            Status::InvalidArgument,
            format!("{what} is a null pointer"),
        ));
    }
    // SAFETY: promised by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// A UTF-8 string argument.
///
/// # Safety
///
/// As for [`bytes`].
unsafe fn text<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a str, Failure> {
    // SAFETY: promised by the caller.
    let bytes = unsafe { bytes(ptr, len, what)? };
    std::str::from_utf8(bytes)
        .map_err(|_| Failure::new(Status::InvalidArgument, format!("{what} is not UTF-8")))
}

/// The object behind a handle the library made.
///
/// # Safety
///
/// `ptr` must be null or a live handle of type `T` made by this library.
unsafe fn object<'a, T, R>(ptr: *mut R, what: &str) -> Result<&'a T, Failure> {
    if ptr.is_null() {
        return Err(Failure::new(
            Status::InvalidArgument,
            format!("the {what} handle is null"),
        ));
    }
    // SAFETY: promised by the caller.
    Ok(unsafe { &*ptr.cast::<T>() })
}

/// Writes `value` to the out-parameter `out`.
fn put<T>(out: *mut *mut T, value: *mut T) -> Outcome {
    if out.is_null() {
        return Err(Failure::new(
            Status::InvalidArgument,
            "the out-parameter is null",
        ));
    }
    // SAFETY: checked not null; the caller passes a writable pointer.
    unsafe { out.write(value) };
    Ok(())
}

/// The version of the ABI this library implements.
#[unsafe(no_mangle)]
pub extern "C" fn compwrap_runtime_abi_version() -> u32 {
    abi::ABI_VERSION
}

/// The library's version, as text: `compwrap-runtime 0.1.0 (wasmtime 48)`.
///
/// # Safety
///
/// `out` must be a writable `cw_buf`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_version(out: *mut Buf) -> i32 {
    guard(std::ptr::null_mut(), || {
        if out.is_null() {
            return Err(Failure::new(Status::InvalidArgument, "`out` is null"));
        }
        let text = format!("{} (wasmtime 48)", crate::VERSION);
        // SAFETY: checked not null.
        unsafe { out.write(give(text.into_bytes())) };
        Ok(())
    })
}

/// Creates a runtime from value-encoded settings.
///
/// # Safety
///
/// `config` must point to `len` bytes; `out` must be writable; `err` null or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_runtime_new(
    config: *const u8,
    len: usize,
    out: *mut *mut RawRuntime,
    err: *mut Buf,
) -> i32 {
    guard(err, || {
        // SAFETY: promised by the caller.
        let config = unsafe { bytes(config, len, "the configuration")? };
        let settings = abi::decode_settings(config).map_err(|e| {
            Failure::new(
                Status::InvalidArgument,
                format!("the runtime's settings are not valid: {e}"),
            )
        })?;
        let configured = config::build(&settings)
            .map_err(|e| Failure::from_error(Status::InvalidArgument, &e))?;
        let runtime = Box::new(CwRuntime {
            runtime: configured.runtime,
            store: configured.store,
        });
        put(out, Box::into_raw(runtime).cast::<RawRuntime>())
    })
}

/// Frees a runtime; components and instances made with it stay usable.
///
/// # Safety
///
/// `runtime` must be null or a runtime of this library not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_runtime_free(runtime: *mut RawRuntime) {
    if !runtime.is_null() {
        // SAFETY: promised by the caller.
        let _ = catch_unwind(|| drop(unsafe { Box::from_raw(runtime.cast::<CwRuntime>()) }));
    }
}

/// Loads the component with digest `sha256:<hex>` from the runtime's store.
///
/// # Safety
///
/// Pointers as for [`cw1_runtime_new`]; `runtime` a live runtime.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_component_load(
    runtime: *mut RawRuntime,
    digest: *const u8,
    len: usize,
    out: *mut *mut RawComponent,
    err: *mut Buf,
) -> i32 {
    guard(err, || {
        // SAFETY: promised by the caller.
        let (rt, digest) = unsafe {
            (
                object::<CwRuntime, _>(runtime, "runtime")?,
                text(digest, len, "the digest")?,
            )
        };
        let digest = parse_digest(digest)?;
        if !rt.store.has_blob(&digest) {
            return Err(Failure::new(
                Status::NotFound,
                format!(
                    "component {digest} is not in the store at {}; `compwrap pull` it (or \
                     generate it) into that store first",
                    rt.store.root().display()
                ),
            ));
        }
        let path = rt.store.blob_path(&digest);
        let bytes = std::fs::read(&path).map_err(|e| {
            Failure::new(
                Status::Other,
                format!("failed to read {}: {e}", path.display()),
            )
        })?;
        load(rt, &bytes, Some(&digest), out)
    })
}

/// Loads a component from its bytes, checked against `digest` when
/// `digest_len` is not 0.
///
/// # Safety
///
/// As for [`cw1_component_load`]; `bytes` must point to `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_component_load_bytes(
    runtime: *mut RawRuntime,
    bytes_ptr: *const u8,
    len: usize,
    digest: *const u8,
    digest_len: usize,
    out: *mut *mut RawComponent,
    err: *mut Buf,
) -> i32 {
    guard(err, || {
        // SAFETY: promised by the caller.
        let (rt, bytes, digest) = unsafe {
            (
                object::<CwRuntime, _>(runtime, "runtime")?,
                bytes(bytes_ptr, len, "the component")?,
                text(digest, digest_len, "the digest")?,
            )
        };
        let digest = match digest {
            "" => None,
            digest => Some(parse_digest(digest)?),
        };
        load(rt, bytes, digest.as_ref(), out)
    })
}

fn parse_digest(digest: &str) -> Result<Digest, Failure> {
    digest.parse().map_err(|e: anyhow::Error| {
        Failure::new(
            Status::InvalidArgument,
            format!("`{digest}` is not a digest: {e:#}"),
        )
    })
}

/// Checks `bytes` against `digest`, then compiles (or takes from the
/// native-code cache) and links them.
fn load(
    rt: &CwRuntime,
    bytes: &[u8],
    digest: Option<&Digest>,
    out: *mut *mut RawComponent,
) -> Outcome {
    let actual = Digest::of(bytes);
    let digest = match digest {
        Some(expected) if *expected != actual => {
            return Err(Failure::new(
                Status::DigestMismatch,
                format!("the component's bytes have digest {actual}, not the expected {expected}"),
            ));
        }
        _ => actual,
    };
    let loaded = rt
        .runtime
        .load_verified(bytes, &digest)
        .map_err(|e| Failure::from_error(Status::InvalidComponent, &e))?;
    let component = Box::new(CwComponent {
        shared: Arc::new(ComponentShared {
            loaded,
            names: RwLock::default(),
            routes: OnceLock::new(),
        }),
    });
    put(out, Box::into_raw(component).cast::<RawComponent>())
}

/// Frees a component; its instances stay usable.
///
/// # Safety
///
/// `component` must be null or a component of this library not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_component_free(component: *mut RawComponent) {
    if !component.is_null() {
        // SAFETY: promised by the caller.
        let _ = catch_unwind(|| drop(unsafe { Box::from_raw(component.cast::<CwComponent>()) }));
    }
}

/// Makes an instance of a component.
///
/// # Safety
///
/// `component` a live component; `out` writable; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_instance_new(
    component: *mut RawComponent,
    out: *mut *mut RawInstance,
    err: *mut Buf,
) -> i32 {
    guard(err, || {
        // SAFETY: promised by the caller.
        let component = unsafe { object::<CwComponent, _>(component, "component")? };
        let shared = component.shared.clone();
        let mut instance = shared
            .loaded
            .instantiate()
            .map_err(|e| Failure::from_error(Status::Other, &e))?;
        if shared.routes.get().is_none() {
            let routes = routes(&shared.loaded, &mut instance)?;
            let _ = shared.routes.set(routes);
        }
        let instance = Box::new(CwInstance {
            component: shared,
            state: Mutex::new(InstanceState {
                instance,
                handles: Handles::default(),
                last: None,
            }),
        });
        put(out, Box::into_raw(instance).cast::<RawInstance>())
    })
}

/// Frees an instance and the resources it still holds.
///
/// # Safety
///
/// `instance` must be null or an instance of this library not freed before.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_instance_free(instance: *mut RawInstance) {
    if !instance.is_null() {
        // SAFETY: promised by the caller.
        let _ = catch_unwind(|| drop(unsafe { Box::from_raw(instance.cast::<CwInstance>()) }));
    }
}

/// How each export of `loaded` is called: through its value-encoded calls
/// when it has them (asked of `instance`), else dynamically.
fn routes(loaded: &LoadedComponent, instance: &mut Instance) -> Result<Vec<Route>, Failure> {
    let functions = instance
        .encoded_functions()
        .map_err(|e| Failure::from_error(Status::Other, &e))?;
    let index: HashMap<String, u32> = functions.unwrap_or_default().into_iter().zip(0..).collect();
    Ok(loaded
        .exports()
        .iter()
        .map(|func| match index.get(&func.qualified_name()) {
            Some(&index) => Route::Encoded {
                index,
                resources: func.holds_resource(),
            },
            None => Route::Dynamic,
        })
        .collect())
}

impl ComponentShared {
    /// The index in the exports of the function `name`, looked up once
    /// per spelling.
    fn index(&self, name: &[u8]) -> Result<usize, Failure> {
        if let Some(&index) = self
            .names
            .read()
            .ok()
            .and_then(|n| n.get(name).copied())
            .as_ref()
        {
            return Ok(index);
        }
        let name = std::str::from_utf8(name)
            .map_err(|_| Failure::new(Status::InvalidArgument, "the function name is not UTF-8"))?;
        let exports = self.loaded.exports();
        let func = self
            .loaded
            .export(name)
            .map_err(|e| Failure::from_error(Status::NotFound, &e))?;
        let index = exports
            .iter()
            .position(|f| std::ptr::eq(f, func))
            .expect("export() returns one of exports()");
        if let Ok(mut names) = self.names.write() {
            names.insert(name.as_bytes().into(), index);
        }
        Ok(index)
    }

    /// Export `index` and how to call it.
    fn func(&self, index: usize) -> (&ExportedFunc, Route) {
        let route = self
            .routes
            .get()
            .and_then(|routes| routes.get(index).copied())
            .unwrap_or(Route::Dynamic);
        (&self.loaded.exports()[index], route)
    }
}

impl CwInstance {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, InstanceState>, Failure> {
        self.state.lock().map_err(|_| {
            Failure::new(
                Status::Panic,
                "this instance is unusable: the runtime panicked during an earlier call on it",
            )
        })
    }
}

/// Calls an exported function with value-encoded arguments; writes the
/// value-encoded result (empty for a function without one) to `results`.
///
/// # Safety
///
/// `instance` a live instance; `name` and `args` readable for their
/// lengths; `results` writable; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_instance_call(
    instance: *mut RawInstance,
    name: *const u8,
    name_len: usize,
    args: *const u8,
    args_len: usize,
    results: *mut Buf,
    err: *mut Buf,
) -> i32 {
    guard(err, || {
        // SAFETY: promised by the caller.
        let (inst, name, args) = unsafe {
            (
                object::<CwInstance, _>(instance, "instance")?,
                bytes(name, name_len, "the function name")?,
                bytes(args, args_len, "the arguments")?,
            )
        };
        if results.is_null() {
            return Err(Failure::new(Status::InvalidArgument, "`results` is null"));
        }
        let mut state = inst.lock()?;
        let index = match &state.last {
            Some((last, index)) if **last == *name => *index,
            _ => {
                let index = inst.component.index(name)?;
                state.last = Some((name.into(), index));
                index
            }
        };
        let (func, route) = inst.component.func(index);
        let encoded = match route {
            Route::Encoded { index, resources } => {
                call_encoded(&mut state, func, index, resources, args)?
            }
            Route::Dynamic => call(&mut state, func, args)?,
        };
        // SAFETY: checked not null.
        unsafe { results.write(give(encoded)) };
        Ok(())
    })
}

/// Decodes the arguments, calls, and encodes the result.
fn call(state: &mut InstanceState, func: &ExportedFunc, args: &[u8]) -> Result<Vec<u8>, Failure> {
    let InstanceState {
        instance, handles, ..
    } = state;
    handles.set_generation(instance.generation());
    handles.bad_handle = false;
    let mut reader = Reader::new(args);
    let mut vals = Vec::with_capacity(func.params.len());
    for param in &func.params {
        match values::decode(&mut reader, &param.ty.ty, handles) {
            Ok(val) => vals.push(val),
            Err(e) => return Err(bad_argument(handles, func, param, &e)),
        }
    }
    if let Err(e) = reader.finish() {
        handles.forget_moved();
        return Err(mismatch(func, &e));
    }
    let outcome = instance.call_export(func, &vals);
    handles.release_moved();
    let results = outcome.map_err(|e| Failure::from_error(Status::Other, &e))?;
    handles.set_generation(instance.generation());
    let mut out = Vec::new();
    if let (Some(val), Some(ty)) = (results.first(), &func.result) {
        values::encode(val, &ty.ty, &mut out, handles).map_err(|e| {
            Failure::new(
                Status::Other,
                format!("the result of `{}`: {e}", func.qualified_name()),
            )
        })?;
    }
    Ok(out)
}

/// Argument `param` of `func` is not a valid encoding (`e`): nothing it
/// marked as moved moves, and a bad handle is a stale-handle failure.
fn bad_argument(
    handles: &mut Handles,
    func: &ExportedFunc,
    param: &Param,
    e: &DecodeError,
) -> Failure {
    handles.forget_moved();
    let status = if handles.bad_handle {
        Status::StaleHandle
    } else {
        Status::InvalidArgument
    };
    Failure::new(
        status,
        format!(
            "argument `{}` of `{}` is not a valid `{}`: {e}",
            param.name,
            func.qualified_name(),
            param.ty
        ),
    )
}

/// The arguments of `func` do not match its parameters: `what`.
fn mismatch(func: &ExportedFunc, what: &dyn std::fmt::Display) -> Failure {
    Failure::new(
        Status::InvalidArgument,
        format!(
            "the arguments of `{}` do not match {}: {what}",
            func.qualified_name(),
            func.signature()
        ),
    )
}

/// Calls through the component's value-encoded calls; with `resources`,
/// the handles in the arguments and the result are rewritten between the
/// table of this instance and the component's own.
fn call_encoded(
    state: &mut InstanceState,
    func: &ExportedFunc,
    index: u32,
    resources: bool,
    args: &[u8],
) -> Result<Vec<u8>, Failure> {
    let InstanceState {
        instance, handles, ..
    } = state;
    handles.set_generation(instance.generation());
    let refused =
        |message: String| mismatch(func, &format!("{message} (as the component read them)"));
    if !resources {
        return instance
            .call_encoded(func, index, args)
            .map_err(|e| Failure::from_error(Status::Other, &e))?
            .map_err(refused);
    }
    handles.bad_handle = false;
    let mut guest_args = Vec::with_capacity(args.len());
    let mut reader = Reader::new(args);
    for param in &func.params {
        let mut map = |handle, ty: &_, own| handles.guest(handle, ty, own);
        if let Err(e) =
            values::transcode(&mut reader, args, &param.ty.ty, &mut guest_args, &mut map)
        {
            return Err(bad_argument(handles, func, param, &e));
        }
    }
    if let Err(e) = reader.finish() {
        handles.forget_moved();
        return Err(mismatch(func, &e));
    }
    let outcome = instance.call_encoded(func, index, &guest_args);
    handles.release_moved();
    let out = outcome
        .map_err(|e| Failure::from_error(Status::Other, &e))?
        .map_err(refused)?;
    handles.set_generation(instance.generation());
    let Some(result) = &func.result else {
        return Ok(out);
    };
    let mut encoded = Vec::with_capacity(out.len());
    let mut reader = Reader::new(&out);
    let mut map = |guest, ty: &_, _| Ok(handles.insert_guest(guest, *ty));
    values::transcode(&mut reader, &out, &result.ty, &mut encoded, &mut map)
        .and_then(|()| reader.finish())
        .map_err(|e| {
            Failure::new(
                Status::Other,
                format!(
                    "the result of `{}` is not valid: {e}",
                    func.qualified_name()
                ),
            )
        })?;
    Ok(encoded)
}

/// Drops a resource handle a call returned (its destructor runs in the
/// guest). A handle whose instance was discarded is simply forgotten.
///
/// # Safety
///
/// `instance` a live instance; `err` null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_instance_drop_resource(
    instance: *mut RawInstance,
    handle: u32,
    err: *mut Buf,
) -> i32 {
    guard(err, || {
        // SAFETY: promised by the caller.
        let inst = unsafe { object::<CwInstance, _>(instance, "instance")? };
        let mut state = inst.lock()?;
        let InstanceState {
            instance, handles, ..
        } = &mut *state;
        handles.set_generation(instance.generation());
        match handles.take(handle) {
            Ok(Taken::Live(Held::Host(resource))) => instance
                .drop_resource(resource)
                .map_err(|e| Failure::from_error(Status::Other, &e)),
            Ok(Taken::Live(Held::Guest(guest, _))) => match instance.drop_encoded(guest) {
                Ok(true) => Ok(()),
                Ok(false) => Err(Failure::new(
                    Status::StaleHandle,
                    format!("the component has no resource behind handle {handle}"),
                )),
                Err(e) => Err(Failure::from_error(Status::Other, &e)),
            },
            Ok(Taken::Gone) => Ok(()),
            Err(message) => Err(Failure::new(Status::StaleHandle, message)),
        }
    })
}

/// The URLs of the outgoing HTTP requests the allowlist denied during the
/// instance's last call, as a value-encoded `list<string>`.
///
/// # Safety
///
/// `instance` a live instance; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_instance_denied_http(
    instance: *mut RawInstance,
    out: *mut Buf,
) -> i32 {
    guard(std::ptr::null_mut(), || {
        // SAFETY: promised by the caller.
        let inst = unsafe { object::<CwInstance, _>(instance, "instance")? };
        if out.is_null() {
            return Err(Failure::new(Status::InvalidArgument, "`out` is null"));
        }
        let state = inst.lock()?;
        let denied = codec::to_bytes(state.instance.denied_http_requests());
        // SAFETY: checked not null.
        unsafe { out.write(give(denied)) };
        Ok(())
    })
}

/// Frees a buffer the library returned.
///
/// # Safety
///
/// `ptr` and `len` must be those of a buffer this library returned and
/// not freed before (a null `ptr` is ignored).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cw1_buf_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() {
        // SAFETY: `ptr`/`len` came from `give`'s boxed slice.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) });
    }
}

/// The functions above, for an application that links the runtime in.
pub(crate) fn functions() -> abi::Functions {
    abi::Functions {
        abi_version: compwrap_runtime_abi_version,
        version: cw1_version,
        runtime_new: cw1_runtime_new,
        runtime_free: cw1_runtime_free,
        component_load: cw1_component_load,
        component_load_bytes: cw1_component_load_bytes,
        component_free: cw1_component_free,
        instance_new: cw1_instance_new,
        instance_free: cw1_instance_free,
        instance_call: cw1_instance_call,
        instance_drop_resource: cw1_instance_drop_resource,
        instance_denied_http: cw1_instance_denied_http,
        buf_free: cw1_buf_free,
    }
}
