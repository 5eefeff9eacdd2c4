//! The [`Runtime`]: a wasmtime [`Engine`] per compiler (see [`Compiler`]),
//! a WASI linker, and a cache of native code, so that only the first load
//! of a component ever compiles it.
//!
//! ```no_run
//! use compwrap_host::Runtime;
//!
//! # fn main() -> anyhow::Result<()> {
//! let runtime = Runtime::new()?;
//! let semver = runtime.load_file("semver.wasm")?;
//! let mut instance = semver.instantiate()?;
//! let parsed = instance.call_wave("parse", &[r#""1.2.3""#])?;
//! println!("{}", parsed.unwrap_or_default());
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use sha2::{Digest as _, Sha256};
use wasmtime::component::{Component, InstancePre, Linker, ResourceTable};
use wasmtime::{Engine, StoreLimits, StoreLimitsBuilder};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

use crate::call::{self, ExportedFunc, Instance};
use crate::limits::{EpochTicker, Limits};
use crate::store::{Digest, Store};
use crate::wasi::{self, Capabilities, GuestStderr, Preopen};

/// Loads components and compiles them with one shared wasmtime [`Engine`].
///
/// Cheap to clone and `Send + Sync`: clones share the engine, the linker and
/// the configuration.
#[derive(Clone)]
pub struct Runtime {
    inner: Arc<RuntimeInner>,
}

struct RuntimeInner {
    /// The engine of [`RuntimeBuilder::compiler`]'s main choice.
    main: Backend,
    /// With [`Compiler::Auto`] and Winch compiled in: Winch's engine for
    /// large components.
    large: Option<Backend>,
    /// The setting ([`RuntimeBuilder::compiler`]).
    compiler: Compiler,
    limits: Limits,
    caps: Capabilities,
    /// `caps.http_allow`, shared by every store.
    #[cfg(feature = "http")]
    http_allow: Arc<[crate::http::HttpAllow]>,
    async_calls: bool,
}

/// One compiler's engine, the linker for it and where its native code is
/// cached.
struct Backend {
    compiler: Compiler,
    engine: Engine,
    linker: Linker<HostState>,
    /// `<native_cache_dir>/<engine-hash>`, or `None` when caching is off.
    native_cache: Option<PathBuf>,
    /// Advances the epoch for the time limit; stops with the runtime.
    _ticker: Option<EpochTicker>,
}

/// Which compiler makes a component's native code (compwrap-client's, so
/// that both name the same settings).
pub use compwrap_client::{Compiler, WINCH_FROM_BYTES};

/// Configures a [`Runtime`]; made by [`Runtime::builder`].
#[derive(Clone, Debug)]
pub struct RuntimeBuilder {
    native_cache_dir: Option<Option<PathBuf>>,
    limits: Limits,
    caps: Capabilities,
    http_allow: Vec<String>,
    pooling: Option<u32>,
    async_calls: bool,
    compiler: Compiler,
}

impl Runtime {
    /// A runtime with the defaults of [`RuntimeBuilder`]: native code cached
    /// in the local store, the default [`Limits`], no capabilities.
    pub fn new() -> Result<Runtime> {
        Runtime::builder().build()
    }

    /// A builder to change the defaults.
    pub fn builder() -> RuntimeBuilder {
        RuntimeBuilder {
            native_cache_dir: None,
            limits: Limits::default(),
            caps: Capabilities::default(),
            http_allow: Vec::new(),
            pooling: None,
            async_calls: false,
            compiler: Compiler::Auto,
        }
    }

    /// The wasmtime engine components are compiled for (with
    /// [`Compiler::Auto`], the one for components smaller than
    /// [`WINCH_FROM_BYTES`]; [`LoadedComponent::component`] knows its own).
    pub fn engine(&self) -> &Engine {
        &self.inner.main.engine
    }

    /// The linker components of [`Runtime::engine`] are instantiated with
    /// (WASI p2); [`LoadedComponent::linker`] is the one for a loaded
    /// component.
    pub fn linker(&self) -> &Linker<HostState> {
        &self.inner.main.linker
    }

    /// The directory native code of [`Runtime::engine`] is cached in,
    /// `<native_cache_dir>/<engine-hash>`; `None` when caching is off.
    pub fn native_cache_dir(&self) -> Option<&Path> {
        self.inner.main.native_cache.as_deref()
    }

    /// The compiler setting ([`RuntimeBuilder::compiler`]).
    pub fn compiler(&self) -> Compiler {
        self.inner.compiler
    }

    /// The backend that compiles a component of `size` bytes.
    fn backend_for(&self, size: usize) -> &Backend {
        match &self.inner.large {
            Some(large) if size >= WINCH_FROM_BYTES => large,
            _ => &self.inner.main,
        }
    }

    /// The backend of `compiler` (one this runtime has).
    fn backend_of(&self, compiler: Compiler) -> &Backend {
        match &self.inner.large {
            Some(large) if large.compiler == compiler => large,
            _ => &self.inner.main,
        }
    }

    /// The most bytes each linear memory may grow to
    /// ([`RuntimeBuilder::max_memory_bytes`]).
    pub fn max_memory_bytes(&self) -> usize {
        self.inner.limits.max_memory_bytes
    }

    /// The limits of every call.
    pub fn limits(&self) -> &Limits {
        &self.inner.limits
    }

    /// What guests may reach.
    pub fn capabilities(&self) -> &Capabilities {
        &self.inner.caps
    }

    /// Whether guests are called asynchronously
    /// ([`RuntimeBuilder::async_calls`]).
    pub fn async_calls(&self) -> bool {
        self.inner.async_calls
    }

    /// Loads the component in the file at `path`.
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<LoadedComponent> {
        let path = path.as_ref();
        let bytes = fs::read(path).with_context(|| format!("failed to read {}", path.display()))?;
        let digest = Digest::of(&bytes);
        self.load(&bytes, digest, &path.display().to_string())
    }

    /// Loads a component from its bytes.
    pub fn load_bytes(&self, bytes: &[u8]) -> Result<LoadedComponent> {
        self.load(bytes, Digest::of(bytes), "the given bytes")
    }

    /// Loads a component from its bytes after checking they hash to
    /// `expected`; the error names both digests when they do not.
    pub fn load_verified(&self, bytes: &[u8], expected: &Digest) -> Result<LoadedComponent> {
        let source = format!("component {expected}");
        expected.verify(bytes, &source)?;
        self.load(bytes, expected.clone(), &source)
    }

    /// Loads a component from the local store; `spec` is `crate@version`,
    /// `crate` (its newest version) or `sha256:<hex>`.
    pub fn load_from_store(&self, store: &Store, spec: &str) -> Result<LoadedComponent> {
        let digest = store.resolve(spec)?;
        // `read_blob` checks the bytes against the digest.
        let bytes = store.read_blob(&digest)?;
        let source = format!("`{spec}` ({digest})");
        self.load(&bytes, digest, &source)
    }

    /// Loads the component with digest `pinned` from `store` (a typed host
    /// crate's component); the error says how to get it when it is missing.
    pub fn load_pinned(&self, store: &Store, pinned: &Digest) -> Result<LoadedComponent> {
        if !store.has_blob(pinned) {
            bail!(
                "component {pinned} is not in the store at {}; `compwrap pull` it (or generate it) \
                 into that store first",
                store.root().display()
            );
        }
        self.load_from_store(store, &pinned.to_string())
    }

    fn load(&self, bytes: &[u8], digest: Digest, source: &str) -> Result<LoadedComponent> {
        check_is_component(bytes, source)?;
        let backend = self.backend_for(bytes.len());
        let (component, was_cached) = backend
            .compile_cached(bytes, &digest)
            .with_context(|| format!("failed to compile {source}"))?;
        let pre = backend
            .linker
            .instantiate_pre(&component)
            .map_err(wasmtime_error)
            .with_context(|| format!("failed to link {source} with the host's WASI"))?;
        let exports = call::list_exports(&component);
        tracing::debug!(%digest, was_cached, compiler = backend.compiler.name(), "loaded component from {source}");
        Ok(LoadedComponent {
            inner: Arc::new(LoadedInner {
                runtime: self.clone(),
                native_path: backend.native_path(&digest),
                compiler: backend.compiler,
                digest,
                component,
                pre,
                was_cached,
                exports,
            }),
        })
    }
}

impl Backend {
    /// Where the native code of component `digest` is cached for this
    /// engine; `None` when caching is off.
    fn native_path(&self, digest: &Digest) -> Option<PathBuf> {
        self.native_cache
            .as_ref()
            .map(|dir| dir.join(format!("{}.cwasm", digest.hex())))
    }

    /// The component's native code, from the cache when present (`true`)
    /// or compiled now (`false`, and written to the cache).
    #[cfg(feature = "cranelift")]
    fn compile_cached(&self, bytes: &[u8], digest: &Digest) -> Result<(Component, bool)> {
        let engine = &self.engine;
        let Some(path) = self.native_path(digest) else {
            let component = Component::new(engine, bytes).map_err(wasmtime_error)?;
            return Ok((component, false));
        };
        if path.is_file() {
            match deserialize_cached(engine, &path) {
                Ok(component) => return Ok((component, true)),
                Err(e) => tracing::warn!("recompiling: unusable cached native code: {e:#}"),
            }
        }
        let native = engine.precompile_component(bytes).map_err(wasmtime_error)?;
        if let Err(e) = crate::store::atomic_write(&path, &native) {
            tracing::warn!("not caching native code: {e:#}");
            // SAFETY: `native` was produced by `precompile_component` of this
            // very engine a moment ago and has not left this process.
            let component = unsafe { Component::deserialize(engine, &native) };
            return Ok((component.map_err(wasmtime_error)?, false));
        }
        Ok((deserialize_cached(engine, &path)?, false))
    }

    /// Without Cranelift the native code must be in the cache already.
    #[cfg(not(feature = "cranelift"))]
    fn compile_cached(&self, _bytes: &[u8], digest: &Digest) -> Result<(Component, bool)> {
        let hint = "this compwrap-host is built without Cranelift (its `cranelift` feature) and \
                    only loads native code made beforehand for the same engine configuration: \
                    run `compwrap precompile` on the component with the same `COMPWRAP_HOME`";
        let Some(path) = self.native_path(digest) else {
            bail!("no native-code cache is configured; {hint}");
        };
        if !path.is_file() {
            bail!(
                "no native code for component {digest} at {}; {hint}",
                path.display()
            );
        }
        // A file made for another configuration, wasmtime version or CPU is
        // refused by wasmtime's checks: an error, not undefined behaviour.
        deserialize_cached(&self.engine, &path)
            .with_context(|| {
                format!(
                    "the native code at {} is not usable; {hint}",
                    path.display()
                )
            })
            .map(|component| (component, true))
    }
}

/// Deserializes native code from the cache.
fn deserialize_cached(engine: &Engine, path: &Path) -> Result<Component> {
    // SAFETY: wasmtime trusts the file to be its own output. Files under the
    // cache directory are written only by `compile_cached`, from
    // `precompile_component` of an engine with the same compatibility hash
    // (the directory name), and only by renaming a complete file into place,
    // never by changing one in place, so the mapped file cannot change under
    // us. wasmtime still checks the engine configuration and version recorded
    // in the file, so an incompatible file is an error, not undefined
    // behaviour.
    let component = unsafe { Component::deserialize_file(engine, path) };
    component
        .map_err(wasmtime_error)
        .with_context(|| format!("failed to load native code from {}", path.display()))
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("compiler", &self.inner.main.compiler)
            .field("native_cache", &self.inner.main.native_cache)
            .field("limits", &self.inner.limits)
            .field("capabilities", &self.inner.caps)
            .finish_non_exhaustive()
    }
}

impl RuntimeBuilder {
    /// Where native code is cached; `None` turns caching off, so every load
    /// compiles.
    ///
    /// Default: the `native` directory of the local store
    /// ([`Store::open_default`]: `$COMPWRAP_HOME/native`, else
    /// `~/.cache/compwrap/native`). Each engine configuration gets its own
    /// subdirectory named after its compatibility hash.
    pub fn native_cache_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.native_cache_dir = Some(dir);
        self
    }

    /// The most bytes each linear memory of an instance may grow to; a guest
    /// that tries to grow past it traps.
    ///
    /// Default: [`DEFAULT_MAX_MEMORY_BYTES`](crate::limits::DEFAULT_MAX_MEMORY_BYTES) (1 GiB).
    pub fn max_memory_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_memory_bytes = bytes;
        self
    }

    /// The longest one call may run (wall time); `None` for no limit. A call
    /// that runs longer traps and the instance is replaced.
    ///
    /// Default: [`DEFAULT_CALL_TIMEOUT`](crate::limits::DEFAULT_CALL_TIMEOUT)
    /// (10 s), measured in steps of [`EPOCH_TICK`](crate::limits::EPOCH_TICK).
    pub fn call_timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        self.limits.call_timeout = timeout;
        self
    }

    /// The most native stack wasm code may use; deeper recursion traps.
    ///
    /// Default: [`DEFAULT_MAX_WASM_STACK`](crate::limits::DEFAULT_MAX_WASM_STACK) (512 KiB).
    pub fn max_wasm_stack(mut self, bytes: usize) -> Self {
        self.limits.max_wasm_stack = bytes;
        self
    }

    /// Fuel per call (about one unit per wasm instruction): a deterministic
    /// limit on work, at some cost in speed. `None` turns it off.
    ///
    /// Default: `None`.
    pub fn fuel(mut self, fuel: Option<u64>) -> Self {
        self.limits.fuel = fuel;
        self
    }

    /// Whether guests write to the host process's stdout and stderr.
    ///
    /// Default: `false`: stdin is empty, stdout is discarded, and stderr is
    /// captured so that a guest's panic message appears in the error of the
    /// call that trapped.
    pub fn inherit_stdio(mut self, inherit: bool) -> Self {
        self.caps.inherit_stdio = inherit;
        self
    }

    /// Lets guests see the host directory `host` at `guest` (e.g. `/data`),
    /// read-only unless `writable`.
    ///
    /// Default: no directories, so every path is unreachable.
    pub fn preopen_dir(
        mut self,
        host: impl Into<PathBuf>,
        guest: impl Into<String>,
        writable: bool,
    ) -> Self {
        self.caps.preopens.push(Preopen {
            host: host.into(),
            guest: guest.into(),
            writable,
        });
        self
    }

    /// Sets an environment variable guests see.
    ///
    /// Default: none, not even the host's.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.caps.env.push((key.into(), value.into()));
        self
    }

    /// Lets guests make outgoing HTTP requests (`wasi:http`) to the hosts
    /// `pattern` matches: `example.com`, `127.0.0.1:5000`, `[::1]:5000`,
    /// `*.amazonaws.com` or `*` (see [`HttpAllow`](crate::HttpAllow)); can be
    /// given several times. A request to any other host fails in the guest
    /// with wasi:http's `HTTP-request-denied`, and a call that then fails
    /// names the denied URL. Waiting on the network is bounded by
    /// [`RuntimeBuilder::call_timeout`]. A bad pattern fails
    /// [`RuntimeBuilder::build`].
    ///
    /// Default: no hosts. Needs the `http` feature (on by default).
    pub fn allow_http(mut self, pattern: impl Into<String>) -> Self {
        self.http_allow.push(pattern.into());
        self
    }

    /// Preallocates memory, tables and instance state for up to
    /// `max_instances` live instances (wasmtime's pooling allocator), which
    /// makes instantiation cheaper at the cost of reserving address space up
    /// front; `None` allocates on demand. Components [`Compiler::Auto`]
    /// gives to Winch (16 MiB and more) are always allocated on demand.
    ///
    /// Default: `None`.
    pub fn pooling_allocator(mut self, max_instances: Option<u32>) -> Self {
        self.pooling = max_instances;
        self
    }

    /// Calls guests asynchronously: [`Instance::call_async`] and
    /// [`LoadedComponent::instantiate_async`] are futures (for tokio and
    /// other executors), and the synchronous calls are refused. WASI's
    /// blocking operations then yield to the executor instead of blocking
    /// its thread.
    ///
    /// Needs the `async` feature (on by default); without it, `build`
    /// fails for `true`.
    ///
    /// Default: `false`.
    pub fn async_calls(mut self, on: bool) -> Self {
        self.async_calls = on;
        self
    }

    /// Which compiler makes native code (see [`Compiler`]).
    ///
    /// Default: [`Compiler::Auto`]: Cranelift, and Winch for components of
    /// [`WINCH_FROM_BYTES`] or more when the `winch` feature (on by
    /// default) is there.
    pub fn compiler(mut self, compiler: Compiler) -> Self {
        self.compiler = compiler;
        self
    }

    /// Creates the engines, their linkers and epoch tickers.
    pub fn build(mut self) -> Result<Runtime> {
        self.caps.http_allow = crate::http::parse_allowlist(&self.http_allow)?;
        #[cfg(feature = "http")]
        crate::http::ensure_tls_provider();
        // Fail now rather than at the first call when a directory is missing.
        wasi::check_preopens(&self.caps)?;
        let cache_root = match &self.native_cache_dir {
            Some(dir) => dir.clone(),
            None => Some(Store::open_default()?.native_dir()),
        };
        let winch = cfg!(feature = "winch");
        let (main, large) = match self.compiler {
            Compiler::Winch if !winch => bail!(
                "the Winch compiler (`RuntimeBuilder::compiler(Compiler::Winch)`) needs \
                 compwrap-host's `winch` feature"
            ),
            Compiler::Auto if winch => (Compiler::Cranelift, Some(Compiler::Winch)),
            Compiler::Auto => (Compiler::Cranelift, None),
            chosen => (chosen, None),
        };
        let main = self.backend(main, cache_root.as_deref(), self.pooling)?;
        let large = match large {
            // Large components are few: their instances are allocated on
            // demand rather than reserving a second pool.
            Some(compiler) => Some(self.backend(compiler, cache_root.as_deref(), None)?),
            None => None,
        };
        Ok(Runtime {
            inner: Arc::new(RuntimeInner {
                main,
                large,
                compiler: self.compiler,
                limits: self.limits,
                #[cfg(feature = "http")]
                http_allow: self.caps.http_allow.clone().into(),
                caps: self.caps,
                async_calls: self.async_calls,
            }),
        })
    }

    /// The engine, linker and ticker of one compiler.
    fn backend(
        &self,
        compiler: Compiler,
        cache_root: Option<&Path>,
        pooling: Option<u32>,
    ) -> Result<Backend> {
        let mut config = wasmtime::Config::new();
        #[cfg(feature = "winch")]
        if compiler == Compiler::Winch {
            config.strategy(wasmtime::Strategy::Winch);
        }
        self.limits.configure(&mut config);
        if let Some(instances) = pooling {
            let mut pooling = wasmtime::PoolingAllocationConfig::new();
            pooling
                .total_component_instances(instances)
                .total_core_instances(instances.saturating_mul(4))
                .total_memories(instances.saturating_mul(4))
                .total_tables(instances.saturating_mul(4))
                .max_memory_size(self.limits.max_memory_bytes);
            config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pooling));
        }
        let engine = Engine::new(&config)
            .map_err(wasmtime_error)
            .with_context(|| {
                format!(
                    "failed to create the wasmtime engine for {}",
                    compiler.name()
                )
            })?;
        let ticker = match self.limits.call_timeout {
            Some(_) => Some(
                EpochTicker::start(&engine).context("failed to start the epoch ticker thread")?,
            ),
            None => None,
        };
        Ok(Backend {
            compiler,
            linker: wasi::linker(&engine, self.async_calls)?,
            engine,
            native_cache: cache_root.map(|root| root.join(engine_key(compiler, &self.limits))),
            _ticker: ticker,
        })
    }
}

/// The wasmtime release compwrap-host is built with (its native code is
/// only usable by the same release).
const WASMTIME_RELEASE: &str = "48";

/// Names the native-code cache directory of an engine configuration: the
/// first 16 hex digits of a sha256 over what decides whether native code
/// is interchangeable — the wasmtime release, the CPU architecture and OS,
/// the compiler, and the settings that change generated code (epoch
/// interruption, fuel, stack limit). Builds with and without Cranelift agree on it, so code
/// precompiled by one loads in the other; wasmtime itself still checks
/// every file it loads, so a wrong guess is an error, not undefined
/// behaviour.
fn engine_key(compiler: Compiler, limits: &Limits) -> String {
    // Cranelift's key predates the setting: its cached code stays valid.
    let compiler = match compiler {
        Compiler::Winch => "; compiler winch",
        _ => "",
    };
    let key = format!(
        "wasmtime {WASMTIME_RELEASE}; {}-{}{compiler}; epoch {}; fuel {}; stack {}",
        std::env::consts::ARCH,
        std::env::consts::OS,
        limits.call_timeout.is_some(),
        limits.fuel.is_some(),
        limits.max_wasm_stack,
    );
    hex::encode(Sha256::digest(key.as_bytes()))[..16].to_owned()
}

/// Fails with a clear message unless `bytes` start like a component: the
/// `\0asm` magic, a 2-byte version, then layer 1 (a core module has layer 0).
fn check_is_component(bytes: &[u8], source: &str) -> Result<()> {
    let not_a_component = format!("{source} is not a WebAssembly component");
    if !bytes.starts_with(b"\0asm") {
        if Engine::detect_precompiled(bytes).is_some() {
            bail!(
                "{not_a_component}: it is precompiled native code (`.cwasm`); \
                 load the `.wasm` component instead"
            );
        }
        bail!("{not_a_component}: it does not start with the `\\0asm` magic number");
    }
    match bytes.get(4..8) {
        Some([_, _, 1, 0]) => Ok(()),
        Some([1, 0, 0, 0]) => bail!(
            "{not_a_component}: it is a core WebAssembly module (build it for \
             `wasm32-wasip2`, or wrap it with `wasm-tools component new`)"
        ),
        Some(version_and_layer) => {
            bail!("{not_a_component}: unknown version and layer {version_and_layer:02x?}")
        }
        None => bail!("{not_a_component}: it ends within its 8-byte header"),
    }
}

/// Converts a wasmtime error, keeping its chain of causes.
///
/// wasmtime 48 has its own error type; without its `anyhow` feature there is
/// no `From` conversion, so `?` cannot do this on its own.
pub(crate) fn wasmtime_error(error: wasmtime::Error) -> anyhow::Error {
    anyhow::Error::from_boxed(error.into_boxed_dyn_error())
}

/// A compiled component, ready to be instantiated; cheap to clone and
/// `Send + Sync`.
#[derive(Clone)]
pub struct LoadedComponent {
    inner: Arc<LoadedInner>,
}

struct LoadedInner {
    runtime: Runtime,
    /// Where its native code is cached; `None` when caching is off.
    native_path: Option<PathBuf>,
    compiler: Compiler,
    digest: Digest,
    component: Component,
    pre: InstancePre<HostState>,
    was_cached: bool,
    exports: Vec<ExportedFunc>,
}

impl LoadedComponent {
    /// The sha256 digest of the component's bytes.
    pub fn digest(&self) -> &Digest {
        &self.inner.digest
    }

    /// The compiled wasmtime component.
    pub fn component(&self) -> &Component {
        &self.inner.component
    }

    /// The runtime that loaded it.
    pub fn runtime(&self) -> &Runtime {
        &self.inner.runtime
    }

    /// The linker it was linked with (shared by every component of the
    /// [`Runtime`] compiled by the same compiler).
    pub fn linker(&self) -> &Linker<HostState> {
        &self.inner.runtime.backend_of(self.inner.compiler).linker
    }

    /// The compiler that made its native code: [`Compiler::Cranelift`] or
    /// [`Compiler::Winch`].
    pub fn compiler(&self) -> Compiler {
        self.inner.compiler
    }

    /// Where its native code is cached; `None` when caching is off.
    pub fn native_path(&self) -> Option<&Path> {
        self.inner.native_path.as_deref()
    }

    /// The pre-linked component; typed bindings made by
    /// [`bindgen!`](crate::bindgen) instantiate from it.
    pub fn instance_pre(&self) -> &InstancePre<HostState> {
        &self.inner.pre
    }

    /// Whether the native code came from the cache rather than from
    /// compiling the component during this load.
    pub fn was_cached(&self) -> bool {
        self.inner.was_cached
    }

    /// Every exported function, top-level and in exported interfaces, in
    /// export order.
    pub fn exports(&self) -> &[ExportedFunc] {
        &self.inner.exports
    }

    /// The exported function `name`: `interface#function` or just
    /// `function` when only one interface exports one by that name.
    pub fn export(&self, name: &str) -> Result<&ExportedFunc> {
        call::find_export(&self.inner.exports, name)
    }

    /// A fresh wasmtime store for one instance: the runtime's WASI
    /// capabilities, its own resource table, and the runtime's limits, armed
    /// for one call. Before each further call made through typed bindings,
    /// give it a fresh budget with [`LoadedComponent::arm_limits`].
    pub fn new_store(&self) -> Result<wasmtime::Store<HostState>> {
        let runtime = &self.inner.runtime.inner;
        let (wasi, stderr) = wasi::context(&runtime.caps)?;
        let state = HostState {
            wasi,
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new()
                .memory_size(runtime.limits.max_memory_bytes)
                .trap_on_grow_failure(true)
                .build(),
            stderr,
            #[cfg(feature = "http")]
            http_ctx: wasmtime_wasi_http::WasiHttpCtx::new(),
            #[cfg(feature = "http")]
            http_hooks: crate::http::HttpHooks::new(
                runtime.http_allow.clone(),
                runtime.limits.call_timeout,
            ),
        };
        let mut store = wasmtime::Store::new(self.inner.component.engine(), state);
        store.limiter(|state| &mut state.limits);
        self.arm_limits(&mut store)?;
        Ok(store)
    }

    /// Gives `store` a fresh time budget (and fuel, when configured) for the
    /// next call; dynamic calls ([`Instance::call`]) do this themselves.
    pub fn arm_limits(&self, store: &mut wasmtime::Store<HostState>) -> Result<()> {
        self.inner
            .runtime
            .inner
            .limits
            .arm(store)
            .map_err(wasmtime_error)
    }

    /// A new instance in a new store, for dynamic calls.
    pub fn instantiate(&self) -> Result<Instance> {
        Instance::new(self.clone())
    }

    /// [`LoadedComponent::instantiate`] for a runtime with
    /// [`RuntimeBuilder::async_calls`].
    #[cfg(feature = "async")]
    pub async fn instantiate_async(&self) -> Result<Instance> {
        Instance::new_async(self.clone()).await
    }
}

impl fmt::Debug for LoadedComponent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadedComponent")
            .field("digest", &self.inner.digest)
            .field("was_cached", &self.inner.was_cached)
            .finish_non_exhaustive()
    }
}

/// What the host keeps per store: WASI state, resource table, memory
/// limits, the guest's captured stderr, and its outgoing-HTTP state.
pub struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    limits: StoreLimits,
    stderr: GuestStderr,
    #[cfg(feature = "http")]
    http_ctx: wasmtime_wasi_http::WasiHttpCtx,
    #[cfg(feature = "http")]
    http_hooks: crate::http::HttpHooks,
}

impl HostState {
    /// The last few KiB the guest wrote to stderr since the last dynamic call
    /// started (or since the store was made); empty when stdio is inherited.
    pub fn captured_stderr(&mut self) -> String {
        self.stderr.tail()
    }

    /// Forgets the captured stderr and the denied HTTP requests, e.g. before
    /// a call made through typed bindings, so that
    /// [`HostState::captured_stderr`] and [`HostState::denied_http_requests`]
    /// show only what that call did.
    pub fn clear_captured_stderr(&mut self) {
        #[cfg(feature = "http")]
        self.http_hooks.denied.clear();
        self.stderr.start_call();
    }

    /// The URLs of the outgoing HTTP requests the allowlist denied since the
    /// last [`HostState::clear_captured_stderr`].
    pub fn denied_http_requests(&self) -> &[String] {
        #[cfg(feature = "http")]
        return &self.http_hooks.denied;
        #[cfg(not(feature = "http"))]
        return &[];
    }
}

#[cfg(feature = "http")]
impl wasmtime_wasi_http::WasiHttpView for HostState {
    fn http(&mut self) -> wasmtime_wasi_http::WasiHttpCtxView<'_> {
        wasmtime_wasi_http::WasiHttpCtxView {
            ctx: &mut self.http_ctx,
            table: &mut self.table,
            hooks: &mut self.http_hooks,
        }
    }
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}
