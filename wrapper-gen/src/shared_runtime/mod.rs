//! The shared runtime library in the store: built once per machine and
//! compwrap version (`compwrap runtime install`), listed, and found by
//! applications through compwrap-client.
//!
//! Layout, per platform (`<target>` is the target triple applications are
//! built for):
//!
//! ```text
//! runtime/<target>/sha256/<hex>/libcompwrap_runtime.so   the library, by digest
//! runtime/<target>/sha256/<hex>/runtime.json             its version, ABI, size
//! runtime/<target>/abi-<N>                               digest of the library for ABI N
//! ```
//!
//! Applications read `abi-<N>` and check the library's bytes against that
//! digest before they load it.

pub mod registry;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use compwrap_client::library;
use serde::{Deserialize, Serialize};

use crate::resolve::cargo;
use crate::{Digest, Store};

/// What is recorded about an installed runtime library (`runtime.json`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RuntimeEntry {
    /// The library's digest.
    pub digest: Digest,
    /// Its version text (`compwrap-runtime 0.1.0 (wasmtime 48)`).
    pub version: String,
    /// Its ABI version.
    pub abi: u32,
    /// The target triple it was built for.
    pub target: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its file name.
    pub file: String,
    /// Where it is.
    #[serde(skip)]
    pub path: PathBuf,
    /// Whether applications of its ABI load it (`abi-<N>` names it).
    #[serde(skip)]
    pub current: bool,
}

/// Where `compwrap-runtime` is built from.
#[derive(Clone, Debug)]
pub enum Source {
    /// The workspace this compwrap was built from (its sources are still
    /// there): `cargo build --release -p compwrap-runtime` in it.
    Workspace(PathBuf),
    /// The crates registry: a scratch package in the store that depends on
    /// `compwrap-runtime = "=<version>"`.
    Registry(String),
}

impl Source {
    /// The workspace this compwrap was built from when its sources are
    /// still there, else this version from the registry.
    pub fn for_this_build() -> Source {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        match workspace.canonicalize() {
            Ok(dir) if dir.join("runtime/Cargo.toml").is_file() => Source::Workspace(dir),
            _ => Source::Registry(env!("CARGO_PKG_VERSION").to_owned()),
        }
    }
}

/// How to build.
#[derive(Clone, Debug)]
pub struct InstallOptions {
    /// Where the sources are.
    pub source: Source,
    /// Build with the debug profile (faster to build, slower to run),
    /// like `cargo install --debug`.
    pub debug: bool,
    /// The cargo target directory (default: the workspace's, or
    /// `$CARGO_TARGET_DIR`, for a workspace build, so wasmtime is shared
    /// with compwrap's own build; the store's `build/runtime` for a
    /// registry build).
    pub target_dir: Option<PathBuf>,
}

/// Builds the runtime library and records it in `store` as the library of
/// its ABI for this platform; `on_line` sees each compiled crate.
pub fn install(
    store: &Store,
    options: &InstallOptions,
    mut on_line: impl FnMut(&str),
) -> Result<RuntimeEntry> {
    let built = build(store, options, &mut on_line)?;
    on_line("checking the library");
    add(store, &built)
}

/// Records the library file `file` in `store` as the runtime of its ABI for
/// this platform, after loading it to ask its ABI and version.
pub fn add(store: &Store, file: &Path) -> Result<RuntimeEntry> {
    let bytes =
        std::fs::read(file).with_context(|| format!("failed to read {}", file.display()))?;
    let info = library::inspect(file).with_context(|| {
        format!(
            "{} is not a usable compwrap runtime library",
            file.display()
        )
    })?;
    let _lock = store.lock("runtime")?;
    let digest = Digest::of(&bytes);
    let dir = runtime_dir(store);
    let path = library::library_path(&dir, digest.hex());
    compwrap_host::store::atomic_write_verified(&path, &bytes, &digest)?;
    let entry = RuntimeEntry {
        digest: digest.clone(),
        version: info.version,
        abi: info.abi,
        target: library::TARGET.to_owned(),
        size: bytes.len() as u64,
        file: library::file_name(),
        path: path.clone(),
        current: true,
    };
    let json = serde_json::to_vec_pretty(&entry)?;
    compwrap_host::store::atomic_write(&entry_path(&path), &json)?;
    // Last: applications see the new library only once it is complete.
    let reference = library::abi_ref(&dir, info.abi);
    compwrap_host::store::atomic_write(&reference, format!("{digest}\n").as_bytes())?;
    Ok(entry)
}

/// The store's runtime libraries for this platform, newest ABI first.
pub fn list(store: &Store) -> Result<Vec<RuntimeEntry>> {
    let dir = runtime_dir(store);
    let by_digest = dir.join("sha256");
    let mut entries = Vec::new();
    let Ok(read) = std::fs::read_dir(&by_digest) else {
        return Ok(entries);
    };
    for item in read {
        let item = item.with_context(|| format!("failed to read {}", by_digest.display()))?;
        let library = item.path().join(library::file_name());
        let Some(mut entry) =
            compwrap_host::store::read_entry::<RuntimeEntry>(&entry_path(&library))?
        else {
            continue;
        };
        entry.current = abi_digest(&dir, entry.abi).as_ref() == Some(&entry.digest);
        entry.path = library;
        entries.push(entry);
    }
    entries.sort_by(|a, b| (b.abi, b.current, &a.version).cmp(&(a.abi, a.current, &b.version)));
    Ok(entries)
}

/// The library applications of this client's ABI load on this platform.
pub fn current(store: &Store) -> Result<Option<RuntimeEntry>> {
    let abi = compwrap_client::abi::ABI_VERSION;
    Ok(list(store)?
        .into_iter()
        .find(|entry| entry.abi == abi && entry.current))
}

/// The digest `abi-<abi>` names.
fn abi_digest(dir: &Path, abi: u32) -> Option<Digest> {
    let text = std::fs::read_to_string(library::abi_ref(dir, abi)).ok()?;
    text.trim().parse().ok()
}

fn runtime_dir(store: &Store) -> PathBuf {
    library::store_dir(store.root(), library::TARGET)
}

fn entry_path(library: &Path) -> PathBuf {
    library.with_file_name("runtime.json")
}

/// Runs cargo; returns the built library.
fn build(
    store: &Store,
    options: &InstallOptions,
    on_line: &mut impl FnMut(&str),
) -> Result<PathBuf> {
    let mut cmd = cargo();
    cmd.args(["build", "-p", "compwrap-runtime", "--lib"]);
    cmd.args(["--message-format", "json"]);
    if !options.debug {
        cmd.arg("--release");
    }
    match &options.source {
        Source::Workspace(dir) => {
            cmd.current_dir(dir);
        }
        Source::Registry(version) => {
            let dir = store.build_dir().join("runtime");
            write_scratch_package(&dir, version)?;
            cmd.current_dir(&dir);
        }
    }
    match (&options.target_dir, &options.source) {
        (Some(dir), _) => {
            cmd.env("CARGO_TARGET_DIR", dir);
        }
        (None, Source::Registry(_)) => {
            cmd.env("CARGO_TARGET_DIR", store.build_dir().join("runtime/target"));
        }
        (None, Source::Workspace(_)) => {}
    }
    let file_name = library::file_name();
    let mut artifact = None;
    let outcome = crate::build::run_cargo(cmd, |a| {
        on_line(&format!("compiled {}", a.target.name));
        if let Some(file) = a
            .filenames
            .iter()
            .find(|f| f.file_name() == Some(&file_name))
        {
            artifact = Some(file.clone().into_std_path_buf());
        }
    })?;
    if let Err(failure) = outcome {
        bail!("building compwrap-runtime failed:\n{}", failure.detail);
    }
    artifact.with_context(|| format!("cargo did not report {file_name}"))
}

/// A package whose build makes the registry's `compwrap-runtime` library.
fn write_scratch_package(dir: &Path, version: &str) -> Result<()> {
    std::fs::create_dir_all(dir.join("src"))
        .with_context(|| format!("failed to create {}", dir.display()))?;
    let manifest = format!(
        "{}[package]\nname = \"compwrap-runtime-build\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\ncompwrap-runtime = \"={version}\"\n\n[workspace]\n",
        crate::wit::header("#")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest)
        .context("failed to write the build package")?;
    std::fs::write(dir.join("src/lib.rs"), "pub use compwrap_runtime;\n")
        .context("failed to write the build package")?;
    Ok(())
}
