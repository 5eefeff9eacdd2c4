//! A C toolchain for `wasm32-wasip2`: crates whose build scripts compile C
//! (`cc`-built `*-sys` crates such as `zstd-sys`) need a clang that targets
//! WebAssembly and a WASI libc. When one is installed (Debian: `clang`,
//! `lld`, `wasi-libc`, `libclang-rt-dev-wasm32`; or a wasi-sdk through
//! `WASI_SYSROOT`), compwrap points `cc` at it for the target. Settings a
//! user made (`CC_wasm32_wasip2`, `CFLAGS_wasm32_wasip2`, …) are kept.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::target::TARGET;

/// Where Debian's `wasi-libc` puts its headers.
const DEBIAN_WASI_INCLUDE: &str = "/usr/include/wasm32-wasi";
/// The usual place of a WASI sysroot (wasi-sdk, Fedora, Arch).
const WASI_SYSROOT: &str = "/usr/share/wasi-sysroot";

/// The C toolchain found for the target, as `cc`'s environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CToolchain {
    /// `(variable, value)` pairs for cargo's build scripts.
    pub env: Vec<(String, String)>,
}

impl CToolchain {
    /// The toolchain on this machine, if there is one (and the user has not
    /// chosen a compiler for the target already).
    pub fn find() -> Option<CToolchain> {
        let target = TARGET.replace('-', "_");
        if std::env::var_os(format!("CC_{target}")).is_some() {
            return None;
        }
        let clang = on_path("clang")?;
        let sysroot = std::env::var_os("WASI_SYSROOT")
            .map(PathBuf::from)
            .or_else(|| {
                Path::new(WASI_SYSROOT)
                    .is_dir()
                    .then(|| WASI_SYSROOT.into())
            });
        if sysroot.is_none() && !Path::new(DEBIAN_WASI_INCLUDE).join("stdlib.h").is_file() {
            return None;
        }
        // The libc's headers are for `wasm32-wasi`, which older clangs
        // know; `cc` passes `--target=wasm32-wasip2`, and the later flag
        // wins. C code of this kind does not call WASI itself.
        let mut cflags = String::from("--target=wasm32-wasi");
        if let Some(dir) = &sysroot {
            cflags.push_str(&format!(" --sysroot={}", dir.display()));
        }
        let mut env = vec![(format!("CC_{target}"), clang.display().to_string())];
        if std::env::var_os(format!("CFLAGS_{target}")).is_none() {
            env.push((format!("CFLAGS_{target}"), cflags));
        }
        if std::env::var_os(format!("AR_{target}")).is_none()
            && let Some(ar) = on_path("llvm-ar")
        {
            env.push((format!("AR_{target}"), ar.display().to_string()));
        }
        Some(CToolchain { env })
    }

    /// Sets the toolchain's environment on a cargo command.
    pub fn apply(&self, cmd: &mut Command) {
        for (key, value) in &self.env {
            cmd.env(key, value);
        }
    }
}

/// Sets the C toolchain for the target, when there is one, on `cmd`.
pub fn apply(cmd: &mut Command) {
    if let Some(toolchain) = CToolchain::find() {
        toolchain.apply(cmd);
    }
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
}
