//! Helpers for compwrap's end-to-end tests.
//!
//! The tests under `tests/` generate real crates.io crates into components
//! with [`compwrap::generate::generate`], call them through
//! [`compwrap_host`], and compare every result with the native crate on the
//! same input. Building a component takes minutes, so all test runs share
//! one store ([`test_home`]) and a component is built only when its generate
//! key changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result, bail, ensure};
use compwrap::Store;
use compwrap::generate::{Generated, Options, Quiet, generate};
use compwrap_host::wasmtime::component::{Type, Val};
use compwrap_host::{LoadedComponent, Runtime};

pub mod aws;

/// The `semver` release the tests generate; the native `semver` dependency
/// is pinned to the same version.
pub const SEMVER: &str = "semver@1.0.28";

/// The `regex` release the tests generate; the native `regex` dependency is
/// pinned to the same version.
pub const REGEX: &str = "regex@1.13.2";

/// The `url` release the tests generate (the native dependency matches).
pub const URL: &str = "url@2.5.8";

/// The `uuid` release the tests generate (the native dependency matches).
pub const UUID: &str = "uuid@1.29.3";

/// The `unicode-segmentation` release the tests generate (the native
/// dependency matches).
pub const UNICODE_SEGMENTATION: &str = "unicode-segmentation@1.13.3";

/// The `toml` release the tests generate (the native dependency matches;
/// its version carries build metadata, `1.2.2+spec-1.1.0`).
pub const TOML: &str = "toml@1.2.2+spec-1.1.0";

/// The `humantime` release the tests generate (durations and system times).
pub const HUMANTIME: &str = "humantime@2.4.0";

/// The `ipnet` release the tests generate (IP addresses as strings).
pub const IPNET: &str = "ipnet@2.12.2";

/// The `tokio` release the tests generate with only its `sync` feature
/// (`async fn`s that complete without a reactor).
pub const TOKIO: &str = "tokio@1.54.1";

/// Overrides where the shared test store lives.
pub const HOME_ENV: &str = "COMPWRAP_TEST_HOME";

/// The store directory every test run shares: `$COMPWRAP_TEST_HOME`, else
/// `compwrap-home` in cargo's `CARGO_TARGET_TMPDIR` (`<target-dir>/tmp`).
///
/// Cargo gives `CARGO_TARGET_TMPDIR` only to integration tests, not to this
/// library, so the target directory is found from the test executable
/// instead: the nearest ancestor with cargo's `CACHEDIR.TAG`. The
/// `test_home_is_in_cargo_target_tmpdir` test keeps the two in agreement.
pub fn test_home() -> Result<PathBuf> {
    if let Some(home) = std::env::var_os(HOME_ENV).filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    let exe = std::env::current_exe().context("failed to find the test executable")?;
    let target_dir = exe
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .with_context(|| {
            format!(
                "no cargo target directory (with a CACHEDIR.TAG) above {}; set {HOME_ENV}",
                exe.display()
            )
        })?;
    Ok(target_dir.join("tmp").join("compwrap-home"))
}

/// Opens the shared test store ([`test_home`]).
pub fn test_store() -> Result<Store> {
    let home = test_home()?;
    Store::open(&home).with_context(|| format!("failed to open the test store {}", home.display()))
}

/// A runtime caching native code in `store`'s `native` directory.
pub fn runtime_for(store: &Store) -> Result<Runtime> {
    Runtime::builder()
        .native_cache_dir(Some(store.native_dir()))
        .build()
}

/// What one process generated and loaded, by spec: generating is a cargo
/// run even when the store has the component, and loading deserializes
/// megabytes of native code, so each test binary does both once per crate.
static GENERATED: Mutex<BTreeMap<String, (Store, Generated, LoadedComponent)>> =
    Mutex::new(BTreeMap::new());

/// Generates `spec` (`name@exact-version`) into the shared test store,
/// building it only when the store lacks it, and loads it.
///
/// Calls are serialized within the process (the store's file locks
/// serialize processes); a failure names the spec and keeps the whole
/// error chain, e.g. the compiler's diagnostics.
pub fn generated(spec: &str) -> Result<(Store, LoadedComponent)> {
    let (store, _, loaded) = generated_with_report(spec)?;
    Ok((store, loaded))
}

/// Like [`generated`], also returning what `generate` reported.
pub fn generated_with_report(spec: &str) -> Result<(Store, Generated, LoadedComponent)> {
    generated_with_features(spec, compwrap::resolve::Features::default())
}

/// Like [`generated_with_report`], with a feature selection; the component
/// is loaded by digest (`name@version` names the last one generated).
pub fn generated_with_features(
    spec: &str,
    features: compwrap::resolve::Features,
) -> Result<(Store, Generated, LoadedComponent)> {
    let mut done = GENERATED.lock().unwrap_or_else(PoisonError::into_inner);
    let memo = format!("{spec} {:?} {}", features.features, features.no_default);
    let default_features = features.features.is_empty() && !features.no_default;
    if let Some(hit) = done.get(&memo) {
        return Ok(hit.clone());
    }
    let store = test_store()?;
    let options = Options {
        spec: spec.parse()?,
        only: Vec::new(),
        features,
        assume_yes: true,
        force: false,
        cache: None,
    };
    let generated = generate(&store, &options, &Quiet).with_context(|| {
        format!(
            "failed to generate `{spec}` into {}",
            store.root().display()
        )
    })?;
    let (_, wanted_version) = spec
        .split_once('@')
        .context("the spec needs an exact version")?;
    ensure!(
        generated.version == wanted_version,
        "generating `{spec}` gave version {}; the native crate the tests compare with is {wanted_version}",
        generated.version
    );
    // `name@version` must name what was just generated; with other
    // features it names the default component, so load by digest.
    let source = if default_features {
        spec.to_owned()
    } else {
        generated.digest.to_string()
    };
    let loaded = runtime_for(&store)?
        .load_from_store(&store, &source)
        .with_context(|| format!("failed to load `{spec}` from {}", store.root().display()))?;
    ensure!(
        loaded.digest() == &generated.digest,
        "`{spec}` in the store is {}, but generate produced {}",
        loaded.digest(),
        generated.digest
    );
    let entry = (store, generated, loaded);
    done.insert(memo, entry.clone());
    Ok(entry)
}

/// Where native code for `loaded`'s engine is cached, for tests that look
/// at the files.
pub fn native_cache_of(loaded: &LoadedComponent) -> Result<&Path> {
    loaded
        .runtime()
        .native_cache_dir()
        .context("the test runtime caches native code")
}

/// The only value of a call's results.
pub fn single(results: Vec<Val>) -> Result<Val> {
    match <[Val; 1]>::try_from(results) {
        Ok([val]) => Ok(val),
        Err(results) => bail!("expected one result, got {results:?}"),
    }
}

/// Reads component values the tests compare; each accessor fails with the
/// value it got, so a type mismatch reads as a test failure, not a panic.
pub trait ValExt {
    /// A `result`'s payload: `Ok` for `ok(..)`, `Err` for `err(..)`.
    fn into_result(self) -> Result<std::result::Result<Val, Val>>;
    /// The payload of `ok(..)`; fails with the error record's message on `err(..)`.
    fn ok(self) -> Result<Val>;
    /// The payload of `err(..)`; fails on `ok(..)`.
    fn err(self) -> Result<Val>;
    /// The field `name` of a record.
    fn field(&self, name: &str) -> Result<&Val>;
    /// A `string`.
    fn str(&self) -> Result<&str>;
    /// A `u64`.
    fn u64(&self) -> Result<u64>;
    /// A `bool`.
    fn bool(&self) -> Result<bool>;
    /// An `option`'s payload.
    fn option(&self) -> Result<Option<&Val>>;
}

impl ValExt for Val {
    fn into_result(self) -> Result<std::result::Result<Val, Val>> {
        match self {
            Val::Result(Ok(payload)) => Ok(Ok(payload.map_or(Val::Tuple(Vec::new()), |v| *v))),
            Val::Result(Err(payload)) => Ok(Err(payload.map_or(Val::Tuple(Vec::new()), |v| *v))),
            other => bail!("expected a result, got {other:?}"),
        }
    }

    fn ok(self) -> Result<Val> {
        match self.into_result()? {
            Ok(val) => Ok(val),
            Err(error) => match error
                .field("message")
                .and_then(|m| m.str().map(str::to_owned))
            {
                Ok(message) => bail!("expected ok(..), got an error: {message}"),
                Err(_) => bail!("expected ok(..), got err({error:?})"),
            },
        }
    }

    fn err(self) -> Result<Val> {
        match self.into_result()? {
            Ok(val) => bail!("expected err(..), got ok({val:?})"),
            Err(error) => Ok(error),
        }
    }

    fn field(&self, name: &str) -> Result<&Val> {
        let Val::Record(fields) = self else {
            bail!("expected a record with `{name}`, got {self:?}")
        };
        fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, val)| val)
            .with_context(|| format!("the record has no field `{name}`: {self:?}"))
    }

    fn str(&self) -> Result<&str> {
        match self {
            Val::String(s) => Ok(s),
            other => bail!("expected a string, got {other:?}"),
        }
    }

    fn u64(&self) -> Result<u64> {
        match self {
            Val::U64(n) => Ok(*n),
            other => bail!("expected a u64, got {other:?}"),
        }
    }

    fn bool(&self) -> Result<bool> {
        match self {
            Val::Bool(b) => Ok(*b),
            other => bail!("expected a bool, got {other:?}"),
        }
    }

    fn option(&self) -> Result<Option<&Val>> {
        match self {
            Val::Option(payload) => Ok(payload.as_deref()),
            other => bail!("expected an option, got {other:?}"),
        }
    }
}

/// The `message` of a `compwrap:types/types.error` record.
pub fn error_message(error: &Val) -> Result<String> {
    Ok(error.field("message")?.str()?.to_owned())
}

/// A `result<string-like, error>` as `Ok(text)` or `Err(message)`, to
/// compare with a native `Result` mapped the same way.
pub fn text_or_error(val: Val) -> Result<std::result::Result<String, String>> {
    Ok(match val.into_result()? {
        Ok(v) => Ok(v.str()?.to_owned()),
        Err(e) => Err(error_message(&e)?),
    })
}

/// A `list<string>`.
pub fn strings(val: &Val) -> Result<Vec<String>> {
    match val {
        Val::List(items) => items.iter().map(|s| Ok(s.str()?.to_owned())).collect(),
        other => bail!("expected a list of strings, got {other:?}"),
    }
}

/// A `list<tuple<string, string>>`.
pub fn string_pairs(val: &Val) -> Result<Vec<(String, String)>> {
    let Val::List(items) = val else {
        bail!("expected a list of pairs, got {val:?}");
    };
    items
        .iter()
        .map(|item| match item {
            Val::Tuple(pair) => match pair.as_slice() {
                [a, b] => Ok((a.str()?.to_owned(), b.str()?.to_owned())),
                other => bail!("expected a pair of strings, got {other:?}"),
            },
            other => bail!("expected a tuple, got {other:?}"),
        })
        .collect()
}

/// A `list<u8>` value.
pub fn bytes(bytes: &[u8]) -> Val {
    Val::List(bytes.iter().copied().map(Val::U8).collect())
}

/// A `string` value.
pub fn string(s: &str) -> Val {
    Val::String(s.to_owned())
}

/// Converts a wasmtime error, keeping its chain (wasmtime 48 has its own
/// error type, without a `From` conversion for `?`).
pub fn wasmtime_error(error: compwrap_host::wasmtime::Error) -> anyhow::Error {
    anyhow::Error::from_boxed(error.into_boxed_dyn_error())
}

/// `val` in WAVE, e.g. to pass a native value to [`Instance::call_wave`].
///
/// [`Instance::call_wave`]: compwrap_host::call::Instance::call_wave
pub fn to_wave(val: &Val) -> Result<String> {
    val.to_wave().map_err(wasmtime_error)
}

/// Parses WAVE text as a value of type `ty`.
pub fn from_wave(ty: &Type, wave: &str) -> Result<Val> {
    Val::from_wave(ty, wave)
        .map_err(wasmtime_error)
        .with_context(|| format!("`{wave}` is not a valid WAVE value"))
}

/// The whole chain of an error, as the tests' failure messages show it.
pub fn error_text(error: &anyhow::Error) -> String {
    format!("{error:#}")
}

/// Calls `name` and returns its single result.
pub fn call1(
    instance: &mut compwrap_host::call::Instance,
    name: &str,
    args: &[Val],
) -> Result<Val> {
    let results = instance
        .call(name, args)
        .with_context(|| format!("calling `{name}`"))?;
    single(results)
}

/// Where `cargo xtask setup` installs moto's server.
pub const MOTO_ENV: &str = "COMPWRAP_MOTO_SERVER";

/// moto (the AWS API mock) serving on a free loopback port; stopped when
/// dropped. `cargo xtask setup` installs it into a venv and tells the tests
/// where (`COMPWRAP_MOTO_SERVER`).
pub struct Moto {
    child: std::process::Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    /// `127.0.0.1:<port>`, for the outgoing-HTTP allowlist.
    pub address: String,
}

impl Moto {
    /// Starts `moto_server`.
    pub fn start() -> Result<Moto> {
        let server = std::env::var_os(MOTO_ENV).with_context(|| {
            format!(
                "{MOTO_ENV} is not set: run the tests with `cargo xtask test` (it installs moto)"
            )
        })?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let child = std::process::Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .with_context(|| format!("failed to start {}", Path::new(&server).display()))?;
        let address = format!("127.0.0.1:{port}");
        let moto = Moto {
            child,
            endpoint: format!("http://{address}"),
            address,
        };
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(&moto.address).is_err() {
            ensure!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "moto_server did not start on {}",
                moto.address
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Ok(moto)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
