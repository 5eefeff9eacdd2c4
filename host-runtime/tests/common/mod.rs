//! Guests for the runtime's tests: tiny Rust programs built for
//! `wasm32-wasip2` by `rustc` alone (no crates), so they export
//! `wasi:cli/run@0.2.x#run: func() -> result`. Needs the target:
//! `rustup target add wasm32-wasip2`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

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

/// Builds the cargo package `tests/guests/<name>` for `wasm32-wasip2` (its
/// dependencies are locked by its `Cargo.lock`) and returns the component.
#[allow(dead_code)]
pub fn cargo_guest(name: &str) -> Result<Vec<u8>> {
    cargo_guest_with(name, &[], "guests")
}

/// [`cargo_guest`] with more arguments to `cargo build` (features), into
/// `$CARGO_TARGET_TMPDIR/<target>`.
pub fn cargo_guest_with(name: &str, args: &[&str], target: &str) -> Result<Vec<u8>> {
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/guests")
        .join(name)
        .join("Cargo.toml");
    let target_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(target);
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--locked",
            "--release",
            "--target",
            "wasm32-wasip2",
        ])
        .args(args)
        .arg("--manifest-path")
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", &target_dir)
        .status()
        .context("failed to run cargo")?;
    anyhow::ensure!(status.success(), "cargo failed to build the guest {name}");
    let wasm = target_dir
        .join("wasm32-wasip2/release")
        .join(format!("{name}.wasm"));
    std::fs::read(&wasm).with_context(|| format!("failed to read {}", wasm.display()))
}

/// An HTTP server on a free loopback port that answers every request with
/// `body`; returns the port and the number of connections it accepted.
#[allow(dead_code)]
pub fn serve_http(body: &'static str) -> Result<(u16, Arc<AtomicUsize>)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(response.as_bytes());
        }
    });
    Ok((port, accepted))
}
