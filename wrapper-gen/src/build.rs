//! Driving `cargo build --release --target wasm32-wasip2` for a guest crate.

use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use cargo_metadata::Message;

use crate::Error;
use crate::resolve::cargo;
use crate::target::TARGET;

/// Where paths in the component point after remapping.
const GUEST_PREFIX: &str = "/compwrap/guest";
const REGISTRY_PREFIX: &str = "/cargo/registry/src";

/// Builds the guest crate in `dir` (wrapping `what`, e.g. `regex 1.13.2`)
/// with the shared `target_dir`; returns the component file. `on_line` sees
/// each compiled crate (for progress).
pub fn build(
    dir: &Path,
    target_dir: &Path,
    what: &str,
    mut on_line: impl FnMut(&str),
) -> Result<PathBuf> {
    write_config(dir)?;
    let mut cmd = cargo();
    cmd.args([
        "build",
        "--release",
        "--target",
        TARGET,
        "--message-format",
        "json-render-diagnostics",
    ])
    .current_dir(dir)
    .env("CARGO_TARGET_DIR", target_dir)
    .env_remove("RUSTFLAGS")
    .env_remove("CARGO_ENCODED_RUSTFLAGS");
    let mut artifact = None;
    let outcome = run_cargo(cmd, |a| {
        on_line(&format!("compiled {}", a.target.name));
        if a.target.kind.iter().any(|k| k.to_string() == "cdylib") {
            artifact = a
                .filenames
                .iter()
                .find(|f| f.extension() == Some("wasm"))
                .map(|f| f.clone().into_std_path_buf());
        }
    })?;
    if let Err(detail) = outcome {
        return Err(Error::BuildFailed {
            what: what.to_string(),
            detail: truncate(&detail, 6000),
        }
        .into());
    }
    artifact.context("cargo did not report a .wasm artifact")
}

/// Runs `cmd`, a cargo command with `--message-format
/// json-render-diagnostics`, handing each compiled artifact to
/// `on_artifact`. `Ok(Err(detail))` when cargo fails: its rendered
/// diagnostics, else the end of its stderr.
pub fn run_cargo(
    mut cmd: Command,
    mut on_artifact: impl FnMut(&cargo_metadata::Artifact),
) -> Result<std::result::Result<(), String>> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().context("failed to run cargo")?;
    let stderr = child.stderr.take().expect("piped");
    let stderr_thread = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut BufReader::new(stderr), &mut text);
        text
    });
    let mut diagnostics = Vec::new();
    let stdout = child.stdout.take().expect("piped");
    for message in Message::parse_stream(BufReader::new(stdout)) {
        match message.context("failed to read cargo's output")? {
            Message::CompilerArtifact(a) => on_artifact(&a),
            Message::CompilerMessage(m) => diagnostics.extend(m.message.rendered),
            _ => {}
        }
    }
    let status = child.wait().context("failed to wait for cargo")?;
    let stderr = stderr_thread.join().unwrap_or_default();
    if status.success() {
        return Ok(Ok(()));
    }
    let mut detail = diagnostics.join("\n");
    if detail.trim().is_empty() {
        detail = last_lines(&stderr, 30);
    }
    Ok(Err(detail))
}

/// Writes `.cargo/config.toml` with the remapping flags, so a plain
/// `cargo build` run in the guest directory builds exactly what `generate`
/// builds.
fn write_config(dir: &Path) -> Result<()> {
    let flags: Vec<String> = remap_flags(dir).iter().map(|f| format!("{f:?}")).collect();
    let text = format!(
        "{}[build]\nrustflags = [{}]\n",
        crate::wit::header("#"),
        flags.join(", ")
    );
    let path = dir.join(".cargo/config.toml");
    std::fs::create_dir_all(dir.join(".cargo"))
        .with_context(|| format!("failed to create {}", dir.display()))?;
    std::fs::write(&path, text).with_context(|| format!("failed to write {}", path.display()))
}

/// `--remap-path-prefix` flags that make output independent of where the
/// guest crate, the cargo home and the store are.
fn remap_flags(dir: &Path) -> Vec<String> {
    let mut flags = vec![format!(
        "--remap-path-prefix={}={GUEST_PREFIX}",
        dir.display()
    )];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|h| h.join(".cargo")));
    if let Some(home) = cargo_home {
        flags.push(format!(
            "--remap-path-prefix={}={REGISTRY_PREFIX}",
            home.join("registry/src").display()
        ));
    }
    flags
}

/// The last `n` lines of `text`.
pub fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes)", &text[..end], text.len() - end)
}
