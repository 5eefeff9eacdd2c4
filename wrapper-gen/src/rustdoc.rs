//! Running rustdoc to get a crate's public API as JSON, for `wasm32-wasip2`.

use std::path::Path;
use std::process::Stdio;

use anyhow::{Context, Result};

use crate::resolve::{Resolved, cargo};
use crate::target::TARGET;

/// Runs `cargo rustdoc` for the resolved crate and loads its JSON, with
/// the items it re-exports from its dependencies merged in
/// ([`crate::reexport`]).
pub fn extract(resolved: &Resolved, target_dir: &Path) -> Result<rustdoc_types::Crate> {
    let what = format!("{} {}", resolved.name, resolved.version);
    let mut krate = document(
        resolved,
        target_dir,
        &resolved.name,
        &resolved.version,
        &resolved.lib_name,
    )
    .map_err(|e| match e {
        Documented::Failed { package, detail } => crate::Error::BuildFailed {
            what,
            package,
            detail,
        }
        .into(),
        Documented::Other(e) => e,
    })?;
    // Re-exports of re-exports: a few rounds at most.
    let mut merged = std::collections::BTreeSet::new();
    for _ in 0..3 {
        let wanted: Vec<String> = crate::reexport::reexported_crates(&krate)
            .into_iter()
            .filter(|name| !merged.contains(name))
            .collect();
        if wanted.is_empty() {
            break;
        }
        for name in wanted {
            merged.insert(name.clone());
            let Some(dep) = resolved.dependencies.iter().find(|d| d.lib_name == name) else {
                continue; // a dependency of a dependency: left as a path
            };
            match document(resolved, target_dir, &dep.name, &dep.version, &dep.lib_name) {
                Ok(json) => crate::reexport::merge(&mut krate, json, &name),
                // Its items stay "re-exported from another crate" in the report.
                Err(e) => tracing::warn!("could not document `{name}`: {e:?}"),
            }
        }
    }
    crate::api::parse(krate)
}

/// Why documenting a package failed.
#[derive(Debug)]
enum Documented {
    /// rustdoc (or the build of its dependencies) failed.
    Failed {
        /// The package cargo names as failed.
        package: Option<String>,
        /// The last lines of cargo's output.
        detail: String,
    },
    /// Anything else.
    Other(anyhow::Error),
}

/// Runs `cargo rustdoc` for package `name@version` of the scratch package
/// and reads its JSON.
fn document(
    resolved: &Resolved,
    target_dir: &Path,
    name: &str,
    version: &str,
    lib_name: &str,
) -> Result<serde_json::Value, Documented> {
    let mut cmd = cargo();
    crate::toolchain::apply(&mut cmd);
    let output = cmd
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
        .arg(format!("{name}@{version}"))
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
        .context("failed to run `cargo rustdoc`")
        .map_err(Documented::Other)?;
    if !output.status.success() {
        // rustdoc compiles the crate's dependencies for the target first,
        // so this is where a crate that cannot target wasm32 fails.
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(Documented::Failed {
            package: crate::build::failed_packages(&stderr).into_iter().next(),
            detail: crate::build::last_lines(&stderr, 30),
        });
    }
    let json = target_dir
        .join(TARGET)
        .join("doc")
        .join(format!("{lib_name}.json"));
    crate::api::read_json(&json).map_err(Documented::Other)
}
