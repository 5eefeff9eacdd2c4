//! Fingerprints the code generator's sources so a change to how compwrap
//! maps or emits code changes every generate key (stale components are never
//! reused by a newer compwrap build).
//!
//! Every `.rs` file under `src/` counts except those that do not change
//! what a generate makes: the command line (`cli/`, `main.rs`), typed host
//! crates (`host_crate/`, written from a finished component), the shared
//! runtime library (`shared_runtime/`) and registry transfers
//! (`registry.rs`); so do the shared WIT package and the value encoding's
//! bytes (compwrap-client's `codec/wire.rs`, compiled into every guest).

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| {
                !["cli", "host_crate", "shared_runtime"]
                    .iter()
                    .any(|x| n == *x)
            }) {
                sources(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path
                .file_name()
                .is_some_and(|n| !["main.rs", "registry.rs"].iter().any(|x| n == *x))
        {
            out.push(path);
        }
    }
}

fn main() {
    let mut files = Vec::new();
    sources(Path::new("src"), &mut files);
    files.push(PathBuf::from("../wit/types.wit"));
    files.push(PathBuf::from("../client/src/codec/wire.rs"));
    files.sort();
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=../wit/types.wit");
    println!("cargo:rerun-if-changed=../client/src/codec/wire.rs");
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
    for path in &files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.to_string_lossy().replace('\\', "/");
        for b in name.bytes().chain(bytes) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=COMPWRAP_GENERATOR_HASH={hash:016x}");
}
