//! Safe handles over the runtime library's ABI: [`Runtime`],
//! [`Component`], [`Instance`] and [`Resource`]. All are `Send + Sync`;
//! calls on one instance are serialized by the runtime.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::abi::{
    self, AbiError, Buf, Functions, RawComponent, RawInstance, RawRuntime, Setting, Status,
};
use crate::codec::{self, Decode, Reader};
use crate::error::{Error, ErrorKind};
use crate::library::{self, Loaded};

/// A runtime of the runtime library: its limits and capabilities, and the
/// store components are loaded from.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

struct RuntimeInner {
    lib: Loaded,
    raw: *mut RawRuntime,
}

// SAFETY: the library's runtime is `Send + Sync` (compwrap-host's
// `Runtime`); the pointer is only freed on drop.
unsafe impl Send for RuntimeInner {}
// SAFETY: as above.
unsafe impl Sync for RuntimeInner {}

impl Drop for RuntimeInner {
    fn drop(&mut self) {
        // SAFETY: made by `runtime_new`, freed once.
        unsafe { (self.lib.functions.runtime_free)(self.raw) };
    }
}

/// Where the runtime's functions come from.
#[derive(Clone, Debug)]
enum Source {
    /// The shared library, looked for the usual way ([`crate::library`]).
    Shared,
    /// The shared library at this path.
    Path(PathBuf),
    /// The shared library in the runtime's store only.
    Store,
    /// `compwrap-runtime` linked into the application.
    Embedded(Functions),
}

/// Which compiler makes a component's native code
/// ([`RuntimeBuilder::compiler`]; compwrap-host's as well).
///
/// Cranelift optimizes; Winch, wasmtime's baseline compiler, translates
/// each function in one pass, several times faster, into larger and slower
/// code. Measured on the whole `aws-sdk-ec2` component (35 MiB of wasm):
/// Cranelift 23.0 s and 110 MiB of native code, Winch 4.5 s and 161 MiB,
/// while its calls wait on the network either way.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Compiler {
    /// Cranelift for components smaller than [`WINCH_FROM_BYTES`], Winch
    /// for larger ones (Cranelift for all in a runtime built without
    /// Winch).
    #[default]
    Auto,
    /// Cranelift for every component.
    Cranelift,
    /// Winch for every component.
    Winch,
}

/// From this many bytes of wasm on, [`Compiler::Auto`] compiles with Winch:
/// components this large are whole SDKs, whose first load Winch makes
/// several times shorter.
pub const WINCH_FROM_BYTES: usize = 16 << 20;

impl Compiler {
    /// The setting's value, as [`str::parse`] reads it: `auto`,
    /// `cranelift` or `winch`.
    pub fn name(self) -> &'static str {
        match self {
            Compiler::Auto => "auto",
            Compiler::Cranelift => "cranelift",
            Compiler::Winch => "winch",
        }
    }
}

impl std::str::FromStr for Compiler {
    type Err = String;

    fn from_str(s: &str) -> Result<Compiler, String> {
        [Compiler::Auto, Compiler::Cranelift, Compiler::Winch]
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| {
                format!("unknown compiler `{s}`: expected `auto`, `cranelift` or `winch`")
            })
    }
}

/// Configures a [`Runtime`]: the same settings, with the same defaults,
/// as compwrap-host's `RuntimeBuilder`.
#[derive(Clone, Debug)]
pub struct RuntimeBuilder {
    source: Source,
    settings: Vec<Setting>,
}

impl Runtime {
    /// A runtime with the default settings, on the shared runtime library.
    pub fn new() -> Result<Runtime, Error> {
        Runtime::builder().build()
    }

    /// A builder on the shared runtime library.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder {
            source: Source::Shared,
            settings: Vec::new(),
        }
    }

    /// The library's version (`compwrap-runtime 0.1.0 (wasmtime 48)`).
    pub fn version(&self) -> Result<String, Error> {
        self.inner.lib.functions.version_text()
    }

    /// The shared library the runtime came from; `None` when it is linked
    /// into the application.
    pub fn library_path(&self) -> Option<&Path> {
        self.inner.lib.path
    }

    /// Loads the component with digest `sha256:<hex>` from the store.
    pub fn load(&self, digest: &str) -> Result<Component, Error> {
        let f = &self.inner.lib.functions;
        let mut raw = std::ptr::null_mut();
        // SAFETY: the pointers are valid for the call.
        check(f, |err| unsafe {
            (f.component_load)(self.inner.raw, digest.as_ptr(), digest.len(), &mut raw, err)
        })?;
        Ok(self.component(raw, digest))
    }

    /// Loads a component from its bytes, checked against `digest` when
    /// given.
    pub fn load_bytes(&self, bytes: &[u8], digest: Option<&str>) -> Result<Component, Error> {
        let f = &self.inner.lib.functions;
        let mut raw = std::ptr::null_mut();
        let expected = digest.unwrap_or("");
        // SAFETY: the pointers are valid for the call.
        check(f, |err| unsafe {
            (f.component_load_bytes)(
                self.inner.raw,
                bytes.as_ptr(),
                bytes.len(),
                expected.as_ptr(),
                expected.len(),
                &mut raw,
                err,
            )
        })?;
        let digest = match digest {
            Some(d) => d.to_owned(),
            None => library::digest_of(bytes),
        };
        Ok(self.component(raw, &digest))
    }

    fn component(&self, raw: *mut RawComponent, digest: &str) -> Component {
        Component {
            inner: Arc::new(ComponentInner {
                lib: self.inner.lib,
                raw,
                digest: digest.to_owned(),
            }),
        }
    }
}

impl RuntimeBuilder {
    /// Uses the runtime library at `path` instead of looking for one.
    pub fn library(mut self, path: impl Into<PathBuf>) -> Self {
        self.source = Source::Path(path.into());
        self
    }

    /// Takes the runtime library from the store only ([`RuntimeBuilder::store`],
    /// else the default store), not from `COMPWRAP_RUNTIME` or beside the
    /// executable.
    pub fn library_in_store(mut self) -> Self {
        self.source = Source::Store;
        self
    }

    /// Uses `compwrap-runtime` linked into the application
    /// (`compwrap_runtime::functions()`), as typed host crates do with
    /// their `embedded` feature.
    pub fn embedded(mut self, functions: Functions) -> Self {
        self.source = Source::Embedded(functions);
        self
    }

    fn set(mut self, name: &str, args: &[&str]) -> Self {
        self.settings.push(Setting::new(name, args));
        self
    }

    /// The store components are loaded from (and native code cached in).
    ///
    /// Default: `$COMPWRAP_HOME`, else `~/.cache/compwrap`.
    pub fn store(self, dir: impl AsRef<Path>) -> Self {
        let dir = dir.as_ref().to_string_lossy().into_owned();
        self.set("store", &[&dir])
    }

    /// Where native code is cached; `None` turns caching off.
    ///
    /// Default: the store's `native/` directory.
    pub fn native_cache_dir(self, dir: Option<&Path>) -> Self {
        match dir {
            Some(dir) => {
                let dir = dir.to_string_lossy().into_owned();
                self.set("native-cache", &[&dir])
            }
            None => self.set("native-cache", &["off"]),
        }
    }

    /// The most bytes each linear memory may grow to.
    ///
    /// Default: 1 GiB.
    pub fn max_memory_bytes(self, bytes: usize) -> Self {
        self.set("max-memory-bytes", &[&bytes.to_string()])
    }

    /// The longest one call may run; `None` for no limit.
    ///
    /// Default: 10 s.
    pub fn call_timeout(self, timeout: Option<Duration>) -> Self {
        match timeout {
            Some(t) => self.set("call-timeout-ms", &[&t.as_millis().to_string()]),
            None => self.set("call-timeout-ms", &["none"]),
        }
    }

    /// The most native stack wasm code may use.
    ///
    /// Default: 512 KiB.
    pub fn max_wasm_stack(self, bytes: usize) -> Self {
        self.set("max-wasm-stack", &[&bytes.to_string()])
    }

    /// Fuel per call; `None` turns it off.
    ///
    /// Default: `None`.
    pub fn fuel(self, fuel: Option<u64>) -> Self {
        match fuel {
            Some(n) => self.set("fuel", &[&n.to_string()]),
            None => self.set("fuel", &["none"]),
        }
    }

    /// Whether guests write to the process's stdout and stderr.
    ///
    /// Default: `false` (stderr is captured for error messages).
    pub fn inherit_stdio(self, inherit: bool) -> Self {
        self.set("inherit-stdio", &[if inherit { "true" } else { "false" }])
    }

    /// Lets guests see the host directory `host` at `guest`, read-only
    /// unless `writable`.
    ///
    /// Default: no directories.
    pub fn preopen_dir(self, host: impl AsRef<Path>, guest: &str, writable: bool) -> Self {
        let host = host.as_ref().to_string_lossy().into_owned();
        self.set(
            "preopen",
            &[&host, guest, if writable { "rw" } else { "ro" }],
        )
    }

    /// Sets an environment variable guests see.
    ///
    /// Default: none.
    pub fn env(self, key: &str, value: &str) -> Self {
        self.set("env", &[key, value])
    }

    /// Lets guests make outgoing HTTP requests to the hosts `pattern`
    /// matches (`example.com`, `127.0.0.1:5000`, `*.amazonaws.com`, `*`).
    ///
    /// Default: no hosts.
    pub fn allow_http(self, pattern: &str) -> Self {
        self.set("allow-http", &[pattern])
    }

    /// Which compiler makes native code: Cranelift optimizes, Winch (the
    /// baseline compiler) compiles several times faster into slower code.
    ///
    /// Default: [`Compiler::Auto`]: Winch for components of 16 MiB or
    /// more (whole SDKs, whose calls wait on the network), Cranelift for
    /// the others.
    pub fn compiler(self, compiler: Compiler) -> Self {
        self.set("compiler", &[compiler.name()])
    }

    /// Preallocates slots for up to `max_instances` live instances.
    ///
    /// Default: `None`.
    pub fn pooling_allocator(self, max_instances: Option<u32>) -> Self {
        match max_instances {
            Some(n) => self.set("pooling", &[&n.to_string()]),
            None => self.set("pooling", &["none"]),
        }
    }

    /// Finds and loads the runtime library (once per process) and creates
    /// the runtime.
    pub fn build(self) -> Result<Runtime, Error> {
        let store = self
            .settings
            .iter()
            .rev()
            .find(|s| s.name == "store")
            .and_then(|s| s.args.first())
            .map(PathBuf::from);
        let lib = match self.source {
            Source::Shared => library::load(library::find(store.as_deref())?)?,
            Source::Store => library::load(library::find_in_store(store.as_deref())?)?,
            Source::Path(path) => library::load(library::Found::at(path))?,
            Source::Embedded(functions) => Loaded {
                functions,
                path: None,
            },
        };
        let f = &lib.functions;
        let config = abi::encode_settings(&self.settings);
        let mut raw = std::ptr::null_mut();
        // SAFETY: the pointers are valid for the call.
        check(f, |err| unsafe {
            (f.runtime_new)(config.as_ptr(), config.len(), &mut raw, err)
        })?;
        Ok(Runtime {
            inner: Arc::new(RuntimeInner { lib, raw }),
        })
    }
}

/// A loaded component.
#[derive(Clone)]
pub struct Component {
    inner: Arc<ComponentInner>,
}

struct ComponentInner {
    lib: Loaded,
    raw: *mut RawComponent,
    digest: String,
}

// SAFETY: the library's component is `Send + Sync` (compwrap-host's
// `LoadedComponent`); the pointer is only freed on drop.
unsafe impl Send for ComponentInner {}
// SAFETY: as above.
unsafe impl Sync for ComponentInner {}

impl Drop for ComponentInner {
    fn drop(&mut self) {
        // SAFETY: made by `component_load*`, freed once.
        unsafe { (self.lib.functions.component_free)(self.raw) };
    }
}

impl Component {
    /// The component's digest, `sha256:<hex>`.
    pub fn digest(&self) -> &str {
        &self.inner.digest
    }

    /// A new instance.
    pub fn instantiate(&self) -> Result<Instance, Error> {
        let f = &self.inner.lib.functions;
        let mut raw = std::ptr::null_mut();
        // SAFETY: the pointers are valid for the call.
        check(f, |err| unsafe {
            (f.instance_new)(self.inner.raw, &mut raw, err)
        })?;
        Ok(Instance {
            inner: Arc::new(InstanceInner {
                lib: self.inner.lib,
                raw,
            }),
        })
    }
}

/// An instance of a component. Clones share the instance; calls from
/// several threads are serialized. After a trap the runtime replaces the
/// instance on the next call; resources of the old one are gone.
#[derive(Clone)]
pub struct Instance {
    inner: Arc<InstanceInner>,
}

struct InstanceInner {
    lib: Loaded,
    raw: *mut RawInstance,
}

// SAFETY: the library serializes calls on an instance with a mutex.
unsafe impl Send for InstanceInner {}
// SAFETY: as above.
unsafe impl Sync for InstanceInner {}

impl Drop for InstanceInner {
    fn drop(&mut self) {
        // SAFETY: made by `instance_new`, freed once.
        unsafe { (self.lib.functions.instance_free)(self.raw) };
    }
}

impl Instance {
    /// Calls the exported function `name` (`interface#function`, or just
    /// `function` when only one interface exports one by that name) with
    /// its arguments encoded one after the other; returns its encoded
    /// result (empty for a function without one).
    pub fn call_raw(&self, name: &str, args: &[u8]) -> Result<Vec<u8>, Error> {
        self.call_with(name, args, <[u8]>::to_vec)
    }

    /// Calls `name` and hands the encoded result to `read` in the
    /// library's buffer, which is freed afterwards.
    fn call_with<R>(
        &self,
        name: &str,
        args: &[u8],
        read: impl FnOnce(&[u8]) -> R,
    ) -> Result<R, Error> {
        let f = &self.inner.lib.functions;
        let mut results = Buf::empty();
        // SAFETY: the pointers are valid for the call.
        let outcome = check(f, |err| unsafe {
            (f.instance_call)(
                self.inner.raw,
                name.as_ptr(),
                name.len(),
                args.as_ptr(),
                args.len(),
                &mut results,
                err,
            )
        });
        let read = f.read(results, read);
        outcome.map(|()| read)
    }

    /// [`Instance::call_raw`], decoding the result as `R` (`()` for a
    /// function without one). Resources in the result belong to this
    /// instance.
    pub fn call<R: Decode>(&self, name: &str, args: &[u8]) -> Result<R, Error> {
        let decoded = self.call_with(name, args, |bytes| {
            let mut reader = Reader::with_instance(bytes, self);
            R::decode(&mut reader).and_then(|r| reader.finish().map(|()| r))
        })?;
        decoded.map_err(|e| {
            Error::new(
                ErrorKind::Decode,
                format!(
                    "the result of `{name}` is not the type these bindings expect ({e}); were \
                     they made for another component?"
                ),
            )
        })
    }

    /// Drops a resource handle a call returned. A handle whose instance a
    /// trap discarded is forgotten without error.
    pub fn drop_resource(&self, handle: u32) -> Result<(), Error> {
        let f = &self.inner.lib.functions;
        // SAFETY: the pointers are valid for the call.
        check(f, |err| unsafe {
            (f.instance_drop_resource)(self.inner.raw, handle, err)
        })
    }

    /// The URLs of the outgoing HTTP requests the runtime denied during the
    /// last call (a guest may turn a denial into an error value).
    pub fn denied_http_requests(&self) -> Result<Vec<String>, Error> {
        let f = &self.inner.lib.functions;
        let mut out = Buf::empty();
        // SAFETY: the pointers are valid for the call.
        let status = unsafe { (f.instance_denied_http)(self.inner.raw, &mut out) };
        let bytes = f.take(out);
        if status != 0 {
            return Err(Error::new(
                ErrorKind::Other,
                "the runtime did not list denied requests",
            ));
        }
        codec::from_bytes(&bytes).map_err(|e| Error::new(ErrorKind::Decode, e.to_string()))
    }
}

/// A resource a call returned: an `own` handle into its instance's table,
/// dropped in the guest when this is dropped. Typed host crates wrap it in
/// a type per resource.
pub struct Resource {
    instance: Instance,
    handle: u32,
}

impl Resource {
    /// The handle, to pass as a `borrow` argument.
    pub fn handle(&self) -> u32 {
        self.handle
    }

    /// The instance the resource lives in.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// Gives the handle up, to pass as an `own` argument: the call takes
    /// the resource over.
    pub fn into_handle(self) -> u32 {
        let handle = self.handle;
        std::mem::forget(self);
        handle
    }
}

impl Drop for Resource {
    fn drop(&mut self) {
        let _ = self.instance.drop_resource(self.handle);
    }
}

impl std::fmt::Debug for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Resource({})", self.handle)
    }
}

impl codec::Encode for Resource {
    /// A `borrow` of the resource.
    fn encode(&self, out: &mut Vec<u8>) {
        codec::write_uleb(u64::from(self.handle), out);
    }
}

impl Decode for Resource {
    fn decode(r: &mut Reader<'_>) -> Result<Resource, codec::DecodeError> {
        let handle = r.uleb(32)? as u32;
        let instance = r
            .instance()
            .ok_or_else(|| r.error("a resource handle outside a call's result"))?
            .clone();
        Ok(Resource { instance, handle })
    }
}

/// Runs an ABI function that reports failures through `err`.
fn check(f: &Functions, call: impl FnOnce(*mut Buf) -> i32) -> Result<(), Error> {
    let mut err = Buf::empty();
    let status = call(&mut err);
    let bytes = f.take(err);
    if status == 0 {
        return Ok(());
    }
    let status = Status::from_code(status);
    let abi = codec::from_bytes::<AbiError>(&bytes).unwrap_or_else(|e| AbiError {
        message: format!("the runtime failed ({status:?}) with an unreadable error record: {e}"),
        ..AbiError::default()
    });
    Err(Error::from_abi(status, abi))
}
