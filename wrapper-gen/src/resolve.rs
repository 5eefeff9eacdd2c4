//! Resolving `crate[@req]` to an exact version through cargo itself.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use cargo_metadata::{MetadataCommand, TargetKind};

use crate::Error;

/// What the user asked for: `semver` or `semver@1.0` or `semver@=1.0.28`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrateSpec {
    /// Package name.
    pub name: String,
    /// Version requirement (`*` when absent).
    pub req: String,
}

impl std::str::FromStr for CrateSpec {
    type Err = anyhow::Error;

    fn from_str(s: &str) -> Result<CrateSpec> {
        let (name, req) = s.split_once('@').unwrap_or((s, "*"));
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && name.starts_with(|c: char| c.is_ascii_alphabetic());
        if !valid {
            bail!("`{name}` is not a valid crate name");
        }
        // A full version (`1.0.28`) means exactly that version, as in
        // `cargo install name@1.0.28`; anything else is a requirement.
        let req = if semver::Version::parse(req).is_ok() {
            format!("={req}")
        } else {
            req.to_string()
        };
        semver::VersionReq::parse(&req)
            .with_context(|| format!("`{req}` is not a valid version requirement"))?;
        Ok(CrateSpec {
            name: name.into(),
            req,
        })
    }
}

/// Feature selection for the wrapped crate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// Extra features, sorted and deduplicated.
    pub features: Vec<String>,
    /// `--no-default-features`.
    pub no_default: bool,
}

/// A crate resolved to one version.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// Package name.
    pub name: String,
    /// The crate's library name (`unicode_segmentation`).
    pub lib_name: String,
    /// Exact version.
    pub version: String,
    /// crates.io checksum from the lock file.
    pub checksum: String,
    /// Description, license and repository, for component metadata.
    pub description: Option<String>,
    /// SPDX license expression.
    pub license: Option<String>,
    /// Repository URL.
    pub repository: Option<String>,
    /// The scratch package used to resolve and document it.
    pub scratch: PathBuf,
    /// The crate's direct dependencies, whose items it may re-export.
    pub dependencies: Vec<Dependency>,
}

/// A direct dependency of the resolved crate.
#[derive(Debug, Clone)]
pub struct Dependency {
    /// Package name.
    pub name: String,
    /// Exact version.
    pub version: String,
    /// Library crate name (`toml_datetime`), as rustdoc names it.
    pub lib_name: String,
}

/// The library target name of a package.
fn lib_target(pkg: &cargo_metadata::Package) -> Option<String> {
    pkg.targets
        .iter()
        .find(|t| {
            t.kind
                .iter()
                .any(|k| matches!(k, TargetKind::Lib | TargetKind::RLib | TargetKind::DyLib))
        })
        .map(|t| t.name.replace('-', "_"))
}

/// The `cargo` to run (`$CARGO` when set, as cargo subcommands do).
pub fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

/// Writes the scratch package that depends on the crate.
fn write_scratch(dir: &Path, name: &str, req: &str, features: &Features) -> Result<()> {
    fs::create_dir_all(dir.join("src"))
        .with_context(|| format!("failed to create {}", dir.display()))?;
    let feats: Vec<String> = features.features.iter().map(|f| format!("{f:?}")).collect();
    let manifest = format!(
        "{}[package]\nname = \"compwrap-resolve\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\n{name} = {{ version = \"{req}\", default-features = {}, features = [{}] }}\n\n[workspace]\n",
        crate::wit::header("#"),
        !features.no_default,
        feats.join(", ")
    );
    fs::write(dir.join("Cargo.toml"), manifest).context("failed to write the scratch manifest")?;
    fs::write(dir.join("src/lib.rs"), "").context("failed to write the scratch package")?;
    Ok(())
}

/// Resolves `spec` with cargo in a scratch package under `work`.
pub fn resolve(spec: &CrateSpec, features: &Features, work: &Path) -> Result<Resolved> {
    let scratch = work.join(format!("resolve-{}", spec.name));
    write_scratch(&scratch, &spec.name, &spec.req, features)?;
    let manifest = scratch.join("Cargo.toml");
    let lock = scratch.join("Cargo.lock");
    let _ = fs::remove_file(&lock);
    let metadata = MetadataCommand::new()
        .manifest_path(&manifest)
        .other_options(vec!["--filter-platform".into(), "wasm32-wasip2".into()])
        .exec()
        .map_err(|e| resolve_error(spec, e))?;
    let pkg = metadata
        .packages
        .iter()
        .find(|p| p.name.as_str() == spec.name && p.source.is_some())
        .with_context(|| format!("cargo did not resolve `{}`", spec.name))?;
    let lib_name = lib_target(pkg).ok_or_else(|| Error::NoLibrary(spec.name.clone()))?;
    let dependencies = metadata
        .resolve
        .as_ref()
        .and_then(|r| r.nodes.iter().find(|n| n.id == pkg.id))
        .map(|node| {
            node.deps
                .iter()
                .filter_map(|d| metadata.packages.iter().find(|p| p.id == d.pkg))
                .filter_map(|p| {
                    Some(Dependency {
                        name: p.name.to_string(),
                        version: p.version.to_string(),
                        lib_name: lib_target(p)?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let version = pkg.version.to_string();
    // Pin the exact version so rustdoc and the guest see the same crate.
    write_scratch(&scratch, &spec.name, &format!("={version}"), features)?;
    let checksum = lock_checksum(&lock, &spec.name, &version)?;
    Ok(Resolved {
        name: spec.name.clone(),
        lib_name,
        version,
        checksum,
        description: pkg.description.clone(),
        license: pkg.license.clone(),
        repository: pkg.repository.clone(),
        scratch,
        dependencies,
    })
}

fn resolve_error(spec: &CrateSpec, e: cargo_metadata::Error) -> anyhow::Error {
    let text = e.to_string();
    if text.contains("no matching package named") {
        Error::UnknownCrate(spec.name.clone()).into()
    } else if text.contains("failed to select a version")
        || text.contains("candidate versions found")
    {
        Error::UnknownVersion {
            name: spec.name.clone(),
            req: spec.req.clone(),
        }
        .into()
    } else if let Some(feature) = text.split("does not have these features: ").nth(1) {
        anyhow::anyhow!(
            "`{}` has no feature {}",
            spec.name,
            feature.lines().next().unwrap_or("")
        )
    } else {
        anyhow::Error::new(e).context(format!(
            "cargo could not resolve `{}@{}`",
            spec.name, spec.req
        ))
    }
}

/// The checksum cargo recorded for `name version` in a lock file.
fn lock_checksum(lock: &Path, name: &str, version: &str) -> Result<String> {
    let text =
        fs::read_to_string(lock).with_context(|| format!("failed to read {}", lock.display()))?;
    for block in text.split("[[package]]") {
        let field = |key: &str| {
            block.lines().find_map(|l| {
                l.strip_prefix(&format!("{key} = \""))
                    .map(|v| v.trim_end_matches('"').to_string())
            })
        };
        if field("name").as_deref() == Some(name) && field("version").as_deref() == Some(version) {
            return field("checksum")
                .with_context(|| format!("no checksum for {name} {version} in the lock file"));
        }
    }
    bail!("{name} {version} is missing from {}", lock.display())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        let s: CrateSpec = "semver@1.0.28".parse().unwrap();
        assert_eq!((s.name.as_str(), s.req.as_str()), ("semver", "=1.0.28"));
        assert_eq!("semver@1.0".parse::<CrateSpec>().unwrap().req, "1.0");
        let s: CrateSpec = "regex".parse().unwrap();
        assert_eq!(s.req, "*");
        assert!("9x".parse::<CrateSpec>().is_err());
        assert!("semver@not-a-version".parse::<CrateSpec>().is_err());
    }
}
