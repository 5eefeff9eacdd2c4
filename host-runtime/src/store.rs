//! The local, content-addressed component store.
//!
//! Layout under the store root (`$COMPWRAP_HOME`, else `~/.cache/compwrap`):
//!
//! ```text
//! blobs/sha256/<hex>            components, by content digest
//! native/<engine-hash>/<hex>    precompiled native code per engine configuration
//! keys/<generate-key>.json      generate key -> digest, WIT, report
//! refs/<crate>/<version>        human names -> digest
//! build/                        shared cargo target dir for guest builds
//! locks/                        advisory lock files
//! ```
//!
//! Every write goes to a temporary file in the destination directory and is
//! renamed into place only once complete (and, for blobs, once its digest has
//! been checked), so a killed process never leaves a partial entry.

use std::fmt;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use fs4::fs_std::FileExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// Environment variable that overrides the store location.
pub const HOME_ENV: &str = "COMPWRAP_HOME";

/// A sha256 content digest, written `sha256:<hex>`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Digest(String);

impl Digest {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Digest {
        Digest(hex::encode(Sha256::digest(bytes)))
    }

    /// The 64 lowercase hex digits.
    pub fn hex(&self) -> &str {
        &self.0
    }

    /// Fails with both digests named when `bytes` do not hash to `self`.
    pub fn verify(&self, bytes: &[u8], what: &str) -> Result<()> {
        let actual = Digest::of(bytes);
        if &actual != self {
            bail!("digest mismatch for {what}: expected {self}, got {actual}");
        }
        Ok(())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", self.0)
    }
}

impl FromStr for Digest {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<Digest> {
        let hex = s
            .strip_prefix("sha256:")
            .with_context(|| format!("`{s}` is not a digest: expected `sha256:<64 hex digits>`"))?;
        if hex.len() != 64
            || !hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            bail!("`{s}` is not a digest: expected `sha256:<64 lowercase hex digits>`");
        }
        Ok(Digest(hex.to_string()))
    }
}

impl TryFrom<String> for Digest {
    type Error = anyhow::Error;
    fn try_from(s: String) -> Result<Digest> {
        s.parse()
    }
}

impl From<Digest> for String {
    fn from(d: Digest) -> String {
        d.to_string()
    }
}

/// What `refs/<crate>/<version>` records.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RefEntry {
    /// Crate name.
    pub name: String,
    /// Exact crate version.
    pub version: String,
    /// Digest of the component.
    pub digest: Digest,
    /// Size of the component in bytes.
    pub size: u64,
    /// The generate key it was built under, when built locally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// The local store.
#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// Opens the store at `$COMPWRAP_HOME`, else the platform cache dir
    /// (`~/.cache/compwrap` on Linux), creating it when missing.
    pub fn open_default() -> Result<Store> {
        let root = match std::env::var_os(HOME_ENV) {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => dirs::cache_dir()
                .context("no cache directory on this platform; set COMPWRAP_HOME")?
                .join("compwrap"),
        };
        Store::open(root)
    }

    /// Opens (creating when missing) the store rooted at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Store> {
        let root = root.into();
        for dir in ["blobs/sha256", "native", "keys", "refs", "build", "locks"] {
            let dir = root.join(dir);
            fs::create_dir_all(&dir)
                .with_context(|| format!("failed to create store directory {}", dir.display()))?;
        }
        Ok(Store { root })
    }

    /// The store's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where precompiled native code lives (`native/`).
    pub fn native_dir(&self) -> PathBuf {
        self.root.join("native")
    }

    /// The shared cargo target directory for guest builds (`build/`).
    pub fn build_dir(&self) -> PathBuf {
        self.root.join("build")
    }

    /// Path of the blob with `digest` (which may not exist).
    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root.join("blobs/sha256").join(digest.hex())
    }

    /// Path of the record for a generate key.
    pub fn key_path(&self, key: &str) -> PathBuf {
        self.root.join("keys").join(format!("{key}.json"))
    }

    fn ref_path(&self, name: &str, version: &str) -> PathBuf {
        self.root.join("refs").join(name).join(version)
    }

    /// Stores `bytes` as a blob and returns its digest. Idempotent.
    pub fn put_blob(&self, bytes: &[u8]) -> Result<Digest> {
        let digest = Digest::of(bytes);
        let path = self.blob_path(&digest);
        if !path.exists() {
            atomic_write_verified(&path, bytes, &digest)?;
        }
        Ok(digest)
    }

    /// Reads a blob, checking its content against `digest`.
    pub fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>> {
        let path = self.blob_path(digest);
        let bytes = fs::read(&path).with_context(|| {
            format!(
                "component {digest} is not in the store at {}",
                self.root.display()
            )
        })?;
        digest.verify(&bytes, &format!("stored blob {}", path.display()))?;
        Ok(bytes)
    }

    /// Whether a blob is present.
    pub fn has_blob(&self, digest: &Digest) -> bool {
        self.blob_path(digest).is_file()
    }

    /// Records `name@version -> digest`.
    pub fn put_ref(&self, entry: &RefEntry) -> Result<()> {
        let json = serde_json::to_vec_pretty(entry)?;
        atomic_write(&self.ref_path(&entry.name, &entry.version), &json)
    }

    /// Reads `name@version`, if recorded.
    pub fn get_ref(&self, name: &str, version: &str) -> Result<Option<RefEntry>> {
        read_entry(&self.ref_path(name, version))
    }

    /// Every recorded `name@version`, sorted by name then version.
    pub fn refs(&self) -> Result<Vec<RefEntry>> {
        let mut out = Vec::new();
        for crate_dir in read_dir_sorted(&self.root.join("refs"))? {
            for file in read_dir_sorted(&crate_dir)? {
                if file
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(".tmp-"))
                {
                    continue; // a write in progress
                }
                if let Some(entry) = read_entry::<RefEntry>(&file)? {
                    out.push(entry);
                }
            }
        }
        out.sort_by(|a, b| {
            a.name.cmp(&b.name).then_with(|| {
                match (
                    semver::Version::parse(&a.version),
                    semver::Version::parse(&b.version),
                ) {
                    (Ok(x), Ok(y)) => x.cmp(&y),
                    _ => a.version.cmp(&b.version),
                }
            })
        });
        Ok(out)
    }

    /// Resolves `sha256:<hex>`, `crate@version` or `crate` (newest stored
    /// version) to a stored digest.
    pub fn resolve(&self, spec: &str) -> Result<Digest> {
        if spec.starts_with("sha256:") {
            let digest: Digest = spec.parse()?;
            if !self.has_blob(&digest) {
                bail!(
                    "component {digest} is not in the store at {}",
                    self.root.display()
                );
            }
            return Ok(digest);
        }
        self.resolve_ref(spec).map(|entry| entry.digest)
    }

    /// The stored component `spec` names: `crate` (its newest version),
    /// `crate@1.2.3` (that version; build metadata aside) or `crate@REQ` for
    /// a cargo version requirement (`strsim@0.11`, `regex@^1.10`: the
    /// newest stored version that matches).
    pub fn resolve_ref(&self, spec: &str) -> Result<RefEntry> {
        let (name, version) = match spec.split_once('@') {
            Some((n, v)) => (n, Some(v)),
            None => (spec, None),
        };
        let requirement = match version {
            Some(v) if semver::Version::parse(v).is_err() => {
                Some(semver::VersionReq::parse(v).with_context(|| {
                    format!("`{v}` in `{spec}` is neither a version nor a version requirement")
                })?)
            }
            _ => None,
        };
        let refs = self.refs()?;
        // `toml@1.2.2` finds `1.2.2+spec-1.1.0`: build metadata does not
        // distinguish versions (semver's precedence rule).
        let same_version = |stored: &str, wanted: &str| {
            stored == wanted
                || matches!(
                    (semver::Version::parse(stored), semver::Version::parse(wanted)),
                    (Ok(a), Ok(b)) if b.build.is_empty() && a.cmp_precedence(&b).is_eq()
                )
        };
        // `refs` is in ascending version order: the last match is the newest.
        let found = refs.iter().rfind(|r| {
            r.name == name
                && match (&requirement, version) {
                    (Some(req), _) => {
                        semver::Version::parse(&r.version).is_ok_and(|v| req.matches(&v))
                    }
                    (None, Some(v)) => same_version(&r.version, v),
                    (None, None) => true,
                }
        });
        match found {
            Some(entry) => Ok(entry.clone()),
            None => {
                let have: Vec<String> = refs
                    .iter()
                    .filter(|r| r.name == name)
                    .map(|r| format!("{}@{}", r.name, r.version))
                    .collect();
                let hint = if have.is_empty() {
                    format!("run `compwrap generate {spec}` first")
                } else {
                    format!("the store has {}", have.join(", "))
                };
                bail!(
                    "no component for `{spec}` in the store at {} ({hint})",
                    self.root.display()
                )
            }
        }
    }

    /// Takes an exclusive advisory lock named `name`, held until the guard drops.
    pub fn lock(&self, name: &str) -> Result<StoreLock> {
        let path = self.root.join("locks").join(format!("{name}.lock"));
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("failed to open lock file {}", path.display()))?;
        file.lock_exclusive()
            .with_context(|| format!("failed to lock {}", path.display()))?;
        Ok(StoreLock { file })
    }
}

/// An exclusive lock on a store entry; released on drop.
#[derive(Debug)]
pub struct StoreLock {
    file: File,
}

impl Drop for StoreLock {
    fn drop(&mut self) {
        let _ = FileExt::unlock(&self.file);
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, synced, then renamed over `path`.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .with_context(|| format!("{} has no parent directory", path.display()))?;
    fs::create_dir_all(dir).with_context(|| format!("failed to create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".tmp-")
        .suffix(".partial")
        .tempfile_in(dir)
        .with_context(|| format!("failed to create a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("failed to write {}", tmp.path().display()))?;
    tmp.persist(path)
        .with_context(|| format!("failed to move a temporary file to {}", path.display()))?;
    Ok(())
}

/// Like [`atomic_write`], but checks the bytes against `digest` first.
pub fn atomic_write_verified(path: &Path, bytes: &[u8], digest: &Digest) -> Result<()> {
    digest.verify(bytes, &path.display().to_string())?;
    atomic_write(path, bytes)
}

/// Reads a JSON store entry; `None` when it does not exist.
pub fn read_entry<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Option<T>> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .with_context(|| format!("corrupt store entry {}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("failed to read {}", path.display())),
    }
}

fn read_dir_sorted(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("failed to list {}", dir.display())),
    };
    for entry in entries {
        out.push(
            entry
                .with_context(|| format!("failed to list {}", dir.display()))?
                .path(),
        );
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_round_trips_and_rejects_garbage() {
        let d = Digest::of(b"hello");
        let s = d.to_string();
        assert!(s.starts_with("sha256:2cf24dba"));
        assert_eq!(s.parse::<Digest>().unwrap(), d);
        assert!("sha256:xyz".parse::<Digest>().is_err());
        assert!("md5:00".parse::<Digest>().is_err());
    }

    #[test]
    fn blobs_are_verified_on_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let d = store.put_blob(b"component").unwrap();
        assert_eq!(store.read_blob(&d).unwrap(), b"component");
        fs::write(store.blob_path(&d), b"tampered").unwrap();
        let err = store.read_blob(&d).unwrap_err().to_string();
        assert!(err.contains("digest mismatch"), "{err}");
    }

    #[test]
    fn refs_resolve_by_name_version_and_newest() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        for (v, bytes) in [("1.0.9", b"a"), ("1.0.10", b"b"), ("2.0.0+spec-1.1", b"c")] {
            let digest = store.put_blob(bytes).unwrap();
            let entry = RefEntry {
                name: "x".into(),
                version: v.into(),
                digest,
                size: 1,
                key: None,
            };
            store.put_ref(&entry).unwrap();
        }
        assert_eq!(store.resolve("x@1.0.9").unwrap(), Digest::of(b"a"));
        assert_eq!(
            store.resolve("x").unwrap(),
            Digest::of(b"c"),
            "newest by semver"
        );
        assert_eq!(
            store.resolve("x@2.0.0").unwrap(),
            Digest::of(b"c"),
            "build metadata does not distinguish versions"
        );
        assert_eq!(store.resolve("x@2.0.0+spec-1.1").unwrap(), Digest::of(b"c"));
        let err = store.resolve("y").unwrap_err().to_string();
        assert!(err.contains("compwrap generate y"), "{err}");

        // Version requirements, as cargo reads them: the newest match.
        for (spec, version) in [
            ("x@1.0", "1.0.10"),
            ("x@1", "1.0.10"),
            ("x@~1.0.9", "1.0.10"),
            ("x@<1.0.10", "1.0.9"),
            ("x@2", "2.0.0+spec-1.1"),
            ("x@*", "2.0.0+spec-1.1"),
        ] {
            assert_eq!(store.resolve_ref(spec).unwrap().version, version, "{spec}");
        }
        let err = format!("{:#}", store.resolve("x@3").unwrap_err());
        assert!(
            err.contains("the store has x@1.0.9, x@1.0.10, x@2.0.0+spec-1.1"),
            "{err}"
        );
        let err = format!("{:#}", store.resolve("x@one").unwrap_err());
        assert!(
            err.contains("neither a version nor a version requirement"),
            "{err}"
        );
    }
}
