//! Finding and loading the runtime library.
//!
//! Looked for, in order: the file `COMPWRAP_RUNTIME` names; the library
//! beside the application's executable; the one `compwrap runtime install`
//! (or `compwrap runtime pull`) put in compwrap's store for this platform
//! and ABI version, whose bytes are checked against the digest the store
//! recorded before it is loaded. A library is loaded once per process and
//! never unloaded (wasmtime's signal handlers and threads live in it).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use sha2::{Digest as _, Sha256};

use crate::abi::{self, ABI_VERSION, Functions, SYMBOLS};
use crate::error::{Error, ErrorKind};

/// The environment variable that names the runtime library to load.
pub const RUNTIME_ENV: &str = "COMPWRAP_RUNTIME";

/// The environment variable that names compwrap's store.
pub const HOME_ENV: &str = "COMPWRAP_HOME";

/// The platform this client was built for, the store's directory for it.
pub const TARGET: &str = env!("COMPWRAP_CLIENT_TARGET");

/// The runtime library's file name on this platform
/// (`libcompwrap_runtime.so`, `libcompwrap_runtime.dylib`,
/// `compwrap_runtime.dll`).
pub fn file_name() -> String {
    format!(
        "{}compwrap_runtime{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    )
}

/// compwrap's store: `$COMPWRAP_HOME`, else the platform's cache directory
/// (`~/.cache/compwrap` on Linux).
pub fn store_root() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os(HOME_ENV).filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home));
    }
    let env_dir = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let cache = if cfg!(target_os = "windows") {
        env_dir("LOCALAPPDATA")
    } else if cfg!(target_os = "macos") {
        env_dir("HOME").map(|h| h.join("Library/Caches"))
    } else {
        env_dir("XDG_CACHE_HOME").or_else(|| env_dir("HOME").map(|h| h.join(".cache")))
    };
    cache.map(|c| c.join("compwrap"))
}

/// Where a store keeps the runtime libraries of `target`:
/// `<store>/runtime/<target>/`.
pub fn store_dir(store: &Path, target: &str) -> PathBuf {
    store.join("runtime").join(target)
}

/// The file in a store's runtime directory that names the digest of the
/// library for ABI `version` (`abi-1`).
pub fn abi_ref(dir: &Path, version: u32) -> PathBuf {
    dir.join(format!("abi-{version}"))
}

/// The library with digest `hex` in a store's runtime directory.
pub fn library_path(dir: &Path, hex: &str) -> PathBuf {
    dir.join("sha256").join(hex).join(file_name())
}

/// `sha256:<hex>` of `bytes`.
pub fn digest_of(bytes: &[u8]) -> String {
    let hash = Sha256::digest(bytes);
    let mut text = String::from("sha256:");
    for byte in hash {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// A runtime library found on disk, and the digest it must have.
#[derive(Clone, Debug)]
pub struct Found {
    /// The library file.
    pub path: PathBuf,
    /// The digest the store recorded for it; `None` for a library named
    /// by path.
    pub digest: Option<String>,
}

impl Found {
    /// The library at `path`, loaded as it is.
    pub fn at(path: impl Into<PathBuf>) -> Found {
        Found {
            path: path.into(),
            digest: None,
        }
    }
}

/// Finds the runtime library: the file `COMPWRAP_RUNTIME` names, else the
/// one beside the executable, else the one in `store` (default:
/// [`store_root`]).
pub fn find(store: Option<&Path>) -> Result<Found, Error> {
    let mut looked = Vec::new();
    if let Some(path) = std::env::var_os(RUNTIME_ENV).filter(|p| !p.is_empty()) {
        let path = PathBuf::from(path);
        if path.is_file() {
            return Ok(Found::at(path));
        }
        return Err(Error::new(
            ErrorKind::RuntimeMissing,
            format!(
                "{RUNTIME_ENV} names {}, which is not a file; point it at a compwrap runtime \
                 library ({}) or unset it to use the one `compwrap runtime install` puts in \
                 the store",
                path.display(),
                file_name()
            ),
        ));
    }
    looked.push(format!("{RUNTIME_ENV} (not set)"));
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_owned))
    {
        let path = dir.join(file_name());
        if path.is_file() {
            return Ok(Found::at(path));
        }
        looked.push(path.display().to_string());
    }
    in_store(store, &mut looked).ok_or_else(|| missing(&looked))
}

/// Finds the runtime library that `compwrap runtime install` or `compwrap
/// runtime pull` put in `store` (default: [`store_root`]) for this platform
/// and ABI version.
pub fn find_in_store(store: Option<&Path>) -> Result<Found, Error> {
    let mut looked = Vec::new();
    in_store(store, &mut looked).ok_or_else(|| missing(&looked))
}

/// The store's library, or `None` with the place looked in added to
/// `looked`.
fn in_store(store: Option<&Path>, looked: &mut Vec<String>) -> Option<Found> {
    let Some(store) = store.map(Path::to_owned).or_else(store_root) else {
        looked.push(format!(
            "compwrap's store ({HOME_ENV} and HOME are not set)"
        ));
        return None;
    };
    let dir = store_dir(&store, TARGET);
    let reference = abi_ref(&dir, ABI_VERSION);
    match std::fs::read_to_string(&reference) {
        Ok(digest) => {
            let digest = digest.trim().to_owned();
            let hex = digest.strip_prefix("sha256:").unwrap_or(&digest);
            Some(Found {
                path: library_path(&dir, hex),
                digest: Some(digest),
            })
        }
        Err(_) => {
            looked.push(reference.display().to_string());
            None
        }
    }
}

/// The error for a runtime library found nowhere.
fn missing(looked: &[String]) -> Error {
    Error::new(
        ErrorKind::RuntimeMissing,
        format!(
            "no compwrap runtime library (ABI {ABI_VERSION}, {TARGET}) found; looked in: {}. \
             Install one with `compwrap runtime install` (or `compwrap runtime pull \
             oci://…`), or set {RUNTIME_ENV} to its path",
            looked.join(", ")
        ),
    )
}

/// What a runtime library says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Info {
    /// Its ABI version (the same as this client's, or it does not load).
    pub abi: u32,
    /// Its version text (`compwrap-runtime 0.1.0 (wasmtime 48)`).
    pub version: String,
}

/// Loads the runtime library at `path` (once per process) and asks it its
/// version; an error when it is not a runtime library of this client's ABI.
pub fn inspect(path: &Path) -> Result<Info, Error> {
    let loaded = load(Found::at(path))?;
    // SAFETY: a loaded library's function, which takes nothing.
    let abi = unsafe { (loaded.functions.abi_version)() };
    Ok(Info {
        abi,
        version: loaded.functions.version_text()?,
    })
}

/// Libraries loaded so far, by path; never unloaded.
static LOADED: Mutex<Vec<(PathBuf, Loaded)>> = Mutex::new(Vec::new());

/// A loaded runtime library's functions.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Loaded {
    pub(crate) functions: Functions,
    pub(crate) path: Option<&'static Path>,
}

/// Loads the runtime library `found`, once per process.
pub(crate) fn load(found: Found) -> Result<Loaded, Error> {
    let mut loaded = LOADED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, lib)) = loaded.iter().find(|(p, _)| *p == found.path) {
        return Ok(*lib);
    }
    let lib = open(&found)?;
    loaded.push((found.path, lib));
    Ok(lib)
}

/// Checks the library's digest and ABI version, then takes its functions.
fn open(found: &Found) -> Result<Loaded, Error> {
    let path = &found.path;
    if let Some(expected) = &found.digest {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::new(
                ErrorKind::RuntimeMissing,
                format!(
                    "the store names the runtime library {expected}, but {} cannot be read \
                     ({e}); install it again with `compwrap runtime install`",
                    path.display()
                ),
            )
        })?;
        let actual = digest_of(&bytes);
        if actual != *expected {
            return Err(Error::new(
                ErrorKind::RuntimeDigestMismatch { path: path.clone() },
                format!(
                    "refusing to load the runtime library {}: its bytes have digest {actual}, \
                     but the store recorded {expected}; install it again with `compwrap \
                     runtime install`",
                    path.display()
                ),
            ));
        }
    }
    // SAFETY: loading a library runs its initializers. The library is a
    // compwrap runtime: named by the user (`COMPWRAP_RUNTIME`), deployed
    // beside the executable, or installed into the store and checked
    // against the digest recorded there.
    let library = unsafe { libloading::Library::new(path) }.map_err(|e| {
        Error::new(
            ErrorKind::RuntimeLoad,
            format!("failed to load the runtime library {}: {e}", path.display()),
        )
    })?;
    let library: &'static libloading::Library = Box::leak(Box::new(library));
    /// A function of the library, as the ABI types it.
    fn symbol<T: Copy>(library: &libloading::Library, path: &Path, name: &str) -> Result<T, Error> {
        // SAFETY: `T` is the type the ABI gives `name`; the caller checks
        // the ABI version before using any other function.
        let found = unsafe { library.get::<T>(name.as_bytes()) };
        found.map(|s| *s).map_err(|e| {
            Error::new(
                ErrorKind::RuntimeLoad,
                format!(
                    "{} is not a compwrap runtime library of ABI {ABI_VERSION}: it has no `{name}` ({e})",
                    path.display()
                ),
            )
        })
    }
    let abi_version: unsafe extern "C" fn() -> u32 =
        symbol(library, path, abi::ABI_VERSION_SYMBOL)?;
    // SAFETY: it takes nothing and returns an integer.
    let version = unsafe { abi_version() };
    if version != ABI_VERSION {
        return Err(Error::new(
            ErrorKind::AbiMismatch {
                library: version,
                client: ABI_VERSION,
            },
            format!(
                "the runtime library {} speaks ABI {version}, this application's compwrap-client \
                 ABI {ABI_VERSION}; install a matching runtime with `compwrap runtime install` \
                 (or update compwrap-client)",
                path.display()
            ),
        ));
    }
    let [
        _,
        v,
        rn,
        rf,
        cl,
        clb,
        cf,
        inew,
        ifree,
        icall,
        idrop,
        idenied,
        bf,
    ] = SYMBOLS;
    let functions = Functions {
        abi_version,
        version: symbol(library, path, v)?,
        runtime_new: symbol(library, path, rn)?,
        runtime_free: symbol(library, path, rf)?,
        component_load: symbol(library, path, cl)?,
        component_load_bytes: symbol(library, path, clb)?,
        component_free: symbol(library, path, cf)?,
        instance_new: symbol(library, path, inew)?,
        instance_free: symbol(library, path, ifree)?,
        instance_call: symbol(library, path, icall)?,
        instance_drop_resource: symbol(library, path, idrop)?,
        instance_denied_http: symbol(library, path, idenied)?,
        buf_free: symbol(library, path, bf)?,
    };
    let path: &'static Path = Box::leak(path.clone().into_boxed_path());
    Ok(Loaded {
        functions,
        path: Some(path),
    })
}
