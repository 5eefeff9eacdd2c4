//! Guests for the runtime's tests: tiny Rust programs built for
//! `wasm32-wasip2` by `rustc` alone (no crates), so they export
//! `wasi:cli/run@0.2.x#run: func() -> result`. Needs the target:
//! `rustup target add wasm32-wasip2`.

use std::process::Command;

use anyhow::{Context, Result};
use tempfile::TempDir;

/// Builds a whole `wasm32-wasip2` program from `source`.
pub fn guest_program(source: &str) -> Result<Vec<u8>> {
    let dir = TempDir::new()?;
    let path = dir.path().join("guest.rs");
    let output = dir.path().join("guest.wasm");
    std::fs::write(&path, source)?;
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let status = Command::new(rustc)
        .args([
            "--target",
            "wasm32-wasip2",
            "-O",
            "-C",
            "strip=debuginfo",
            "-A",
            "warnings",
            "-o",
        ])
        .arg(&output)
        .arg(&path)
        .status()
        .context("failed to run rustc")?;
    anyhow::ensure!(
        status.success(),
        "rustc failed to build a guest; is the target installed? \
         (`rustup target add wasm32-wasip2`)"
    );
    std::fs::read(&output).context("failed to read the guest")
}

/// Builds `main_body` as the `main` of a `wasm32-wasip2` program.
pub fn guest(main_body: &str) -> Result<Vec<u8>> {
    guest_program(&format!("fn main() {{ {main_body} }}\n"))
}
