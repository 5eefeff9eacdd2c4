//! Running rustdoc to get a crate's public API as JSON, for `wasm32-wasip2`.

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result};

use crate::resolve::{Resolved, cargo};
use crate::target::TARGET;

/// Runs `cargo rustdoc` for the resolved crate and loads its JSON.
pub fn extract(resolved: &Resolved, target_dir: &Path) -> Result<rustdoc_types::Crate> {
    let output = cargo()
        .args([
            "rustdoc",
            "--quiet",
            "--lib",
            "--target",
            TARGET,
            "--manifest-path",
        ])
        .arg(resolved.scratch.join("Cargo.toml"))
        .arg("-p")
        .arg(format!("{}@{}", resolved.name, resolved.version))
        .args([
            "--",
            "-Z",
            "unstable-options",
            "--output-format",
            "json",
            "--cap-lints",
            "allow",
        ])
        .env("CARGO_TARGET_DIR", target_dir)
        // rustdoc's JSON output is unstable; the stable toolchain emits it
        // under RUSTC_BOOTSTRAP and compwrap checks the format version.
        .env("RUSTC_BOOTSTRAP", "1")
        .stdin(Stdio::null())
        .output()
        .context("failed to run `cargo rustdoc`")?;
    if !output.status.success() {
        // rustdoc compiles the crate's dependencies for the target first,
        // so this is where a crate that cannot target wasm32 fails.
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(crate::Error::BuildFailed {
            what: format!("{} {}", resolved.name, resolved.version),
            detail: crate::build::last_lines(&stderr, 30),
        }
        .into());
    }
    let json = target_dir
        .join(TARGET)
        .join("doc")
        .join(format!("{}.json", resolved.lib_name));
    crate::api::load(&json)
}
