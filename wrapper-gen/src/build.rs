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

/// What building a guest crate gave.
#[derive(Debug)]
pub enum Built {
    /// The component file.
    Component(PathBuf),
    /// The crate and its dependencies compiled, the generated glue in
    /// `src/lib.rs` did not: its errors.
    GlueErrors(Vec<CompileError>),
}

/// An error rustc reported.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// The package whose compilation failed (`regex@1.13.2`).
    pub package: String,
    /// The message (`mismatched types`).
    pub message: String,
    /// The whole diagnostic as rustc renders it.
    pub rendered: String,
    /// The file and line (1-based) of each primary span, macro expansions
    /// followed back to where they were invoked.
    pub lines: Vec<(String, usize)>,
}

/// Why a cargo command failed.
#[derive(Debug)]
pub struct Failure {
    /// Rendered error diagnostics, else the end of cargo's stderr.
    pub detail: String,
    /// Error diagnostics.
    pub errors: Vec<CompileError>,
    /// The packages cargo names as failed (`could not compile `x``, `failed
    /// to run custom build command for `x v1.0.0``).
    pub failed_packages: Vec<String>,
}

/// Builds the guest crate in `dir` (wrapping `what`, e.g. `regex 1.13.2`)
/// with the shared `target_dir`. `on_line` sees each compiled crate (for
/// progress). Errors in the guest's own `src/lib.rs` (the glue compwrap
/// generated) come back as [`Built::GlueErrors`]; any other failure is
/// [`Error::BuildFailed`], naming the package that failed.
pub fn build(
    dir: &Path,
    target_dir: &Path,
    what: &str,
    mut on_line: impl FnMut(&str),
) -> Result<Built> {
    write_config(dir)?;
    let mut cmd = cargo();
    cmd.args([
        "build",
        "--release",
        "--target",
        TARGET,
        "--message-format",
        "json",
    ])
    .current_dir(dir)
    .env("CARGO_TARGET_DIR", target_dir)
    .env_remove("RUSTFLAGS")
    .env_remove("CARGO_ENCODED_RUSTFLAGS");
    crate::toolchain::apply(&mut cmd);
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
    let failure = match outcome {
        Ok(()) => {
            return artifact
                .map(Built::Component)
                .context("cargo did not report a .wasm artifact");
        }
        Err(failure) => failure,
    };
    let guest = |e: &CompileError| e.package.starts_with(GUEST_PACKAGE_PREFIX);
    let glue = |e: &CompileError| {
        guest(e)
            && !e.package.contains("-bindings@")
            && e.lines.iter().any(|(file, _)| is_glue_file(file))
    };
    if !failure.errors.is_empty() && failure.errors.iter().all(glue) {
        return Ok(Built::GlueErrors(failure.errors));
    }
    // The guest's own bindings, or code of the guest that is not
    // per-item glue: compwrap's output, not the crate's.
    if !failure.errors.is_empty() && failure.errors.iter().all(guest) {
        anyhow::bail!(
            "compwrap generated a guest crate for {what} that does not compile (this is a bug in \
             compwrap; please report it):\n{}",
            truncate(&failure.detail, 6000)
        );
    }
    let culprit = failure
        .errors
        .iter()
        .find(|e| !guest(e))
        .map(|e| e.package.clone())
        .or_else(|| {
            failure
                .failed_packages
                .iter()
                .find(|p| !p.starts_with(GUEST_PACKAGE_PREFIX))
                .cloned()
        });
    Err(Error::BuildFailed {
        what: what.to_string(),
        package: culprit,
        detail: truncate(&failure.detail, 6000),
    }
    .into())
}

/// The package name every guest crate starts with (`compwrap-guest-regex`).
pub const GUEST_PACKAGE_PREFIX: &str = "compwrap-guest-";

/// The file of generated per-item glue, as rustc names it (relative or
/// remapped).
pub fn is_glue_file(file: &str) -> bool {
    file == "src/lib.rs" || file == format!("{GUEST_PREFIX}/src/lib.rs")
}

/// Runs `cmd`, a cargo command with `--message-format json` (diagnostics
/// come as JSON, rendered text included), handing each compiled artifact to
/// `on_artifact`. `Ok(Err(failure))` when cargo fails.
pub fn run_cargo(
    mut cmd: Command,
    mut on_artifact: impl FnMut(&cargo_metadata::Artifact),
) -> Result<std::result::Result<(), Failure>> {
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
    let mut errors = Vec::new();
    let stdout = child.stdout.take().expect("piped");
    for message in Message::parse_stream(BufReader::new(stdout)) {
        match message.context("failed to read cargo's output")? {
            Message::CompilerArtifact(a) => on_artifact(&a),
            Message::CompilerMessage(m) if is_error(&m.message) => {
                errors.push(compile_error(&m));
            }
            _ => {}
        }
    }
    let status = child.wait().context("failed to wait for cargo")?;
    let stderr = stderr_thread.join().unwrap_or_default();
    if status.success() {
        return Ok(Ok(()));
    }
    let mut detail: Vec<&str> = errors.iter().map(|e| e.rendered.as_str()).collect();
    detail.dedup();
    let mut detail = detail.join("\n");
    if detail.trim().is_empty() {
        detail = last_lines(&stderr, 30);
    }
    Ok(Err(Failure {
        detail,
        errors,
        failed_packages: failed_packages(&stderr),
    }))
}

fn is_error(d: &cargo_metadata::diagnostic::Diagnostic) -> bool {
    use cargo_metadata::diagnostic::DiagnosticLevel;
    // Not the closing `aborting due to …` summary (it has no spans).
    matches!(d.level, DiagnosticLevel::Error | DiagnosticLevel::Ice)
        && !(d.spans.is_empty() && d.message.starts_with("aborting due to"))
}

fn compile_error(m: &cargo_metadata::CompilerMessage) -> CompileError {
    let mut lines = Vec::new();
    for span in m.message.spans.iter().filter(|s| s.is_primary) {
        // A span inside a macro's expansion: where the macro was invoked.
        let mut span = span;
        loop {
            lines.push((span.file_name.clone(), span.line_start));
            match &span.expansion {
                Some(expansion) => span = &expansion.span,
                None => break,
            }
        }
    }
    let package = package_of(&m.package_id.repr);
    CompileError {
        package,
        message: m.message.message.clone(),
        rendered: m
            .message
            .rendered
            .clone()
            .unwrap_or_else(|| m.message.message.clone()),
        lines,
    }
}

/// `name@version` of a package id: `registry+https://…#regex@1.13.2`, or
/// `path+file:///…/foo#1.0.0` when the directory is named like the package.
fn package_of(id: &str) -> String {
    let Some((source, spec)) = id.rsplit_once('#') else {
        return id.to_string();
    };
    if spec.contains('@') {
        return spec.to_string();
    }
    let dir = source.rsplit('/').next().unwrap_or(source);
    format!("{dir}@{spec}")
}

/// The packages cargo's stderr names as failed.
pub fn failed_packages(stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in stderr.lines() {
        for marker in [
            "could not compile `",
            "failed to run custom build command for `",
        ] {
            if let Some(rest) = line.split_once(marker).map(|(_, r)| r)
                && let Some((package, _)) = rest.split_once('`')
            {
                // `zstd-sys v2.0.15+zstd.1.5.7` → `zstd-sys@2.0.15+zstd.1.5.7`.
                let package = package.replacen(" v", "@", 1);
                if !out.contains(&package) {
                    out.push(package);
                }
            }
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_packages_are_read_from_cargo_s_stderr() {
        let stderr = "error: failed to run custom build command for `zstd-sys v2.0.15+zstd.1.5.7`\n\
                      error: could not compile `ring` (lib) due to 2 previous errors\n\
                      error: could not compile `ring` (lib) due to 2 previous errors\n";
        assert_eq!(
            failed_packages(stderr),
            ["zstd-sys@2.0.15+zstd.1.5.7", "ring"]
        );
    }

    #[test]
    fn package_ids_name_the_package() {
        assert_eq!(
            package_of("registry+https://github.com/rust-lang/crates.io-index#regex@1.13.2"),
            "regex@1.13.2"
        );
        assert_eq!(
            package_of("path+file:///b/guests/x-1.0.0#compwrap-guest-x@1.0.0"),
            "compwrap-guest-x@1.0.0"
        );
        assert_eq!(package_of("path+file:///b/foo#1.0.0"), "foo@1.0.0");
    }
}
