//! The `wasm32-wasip2` target: checking for it and installing it.

use std::io::IsTerminal;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The target every component is built for.
pub const TARGET: &str = "wasm32-wasip2";

/// Whether the active toolchain has the target's standard library.
pub fn installed() -> Result<bool> {
    let out = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .context("failed to run `rustc --print sysroot`; is Rust installed?")?;
    let sysroot = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok(std::path::Path::new(&sysroot)
        .join("lib/rustlib")
        .join(TARGET)
        .join("lib")
        .is_dir())
}

/// Makes sure the target is installed, running `rustup target add` when it
/// is missing and `assume_yes` is set or stdin is not a terminal; otherwise
/// asks first.
pub fn ensure(assume_yes: bool) -> Result<()> {
    if installed()? {
        return Ok(());
    }
    eprintln!("note: the `{TARGET}` target is not installed; compwrap builds components for it");
    if !assume_yes && std::io::stdin().is_terminal() {
        eprint!("install it now with `rustup target add {TARGET}`? [Y/n] ");
        let mut answer = String::new();
        std::io::stdin().read_line(&mut answer)?;
        if answer.trim().eq_ignore_ascii_case("n") {
            bail!(
                "the `{TARGET}` target is required (install it with `rustup target add {TARGET}`)"
            );
        }
    }
    eprintln!("running `rustup target add {TARGET}`");
    let status = Command::new("rustup")
        .args(["target", "add", TARGET])
        .stdin(Stdio::null())
        .status()
        .context(
            "failed to run rustup; install the target with `rustup target add wasm32-wasip2`",
        )?;
    if !status.success() {
        bail!("`rustup target add {TARGET}` failed ({status})");
    }
    Ok(())
}

/// `rustc -vV`, part of the generate key.
pub fn rustc_version() -> Result<String> {
    // Asked once per process: the toolchain does not change under it.
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(version) = VERSION.get() {
        return Ok(version.clone());
    }
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .context("failed to run `rustc -vV`")?;
    let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok(VERSION.get_or_init(|| version).clone())
}
