//! The `generate` pipeline: resolve → rustdoc → map → emit → build → verify
//! → stamp → store.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use compwrap_host::store::{self, Digest, RefEntry, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::Error;
use crate::report::Report;
use crate::resolve::{CrateSpec, Features, Resolved};

/// Options of one `generate`.
#[derive(Debug, Clone)]
pub struct Options {
    /// The crate and version requirement.
    pub spec: CrateSpec,
    /// Feature selection.
    pub features: Features,
    /// Rust paths to generate (with the types they need); all when empty.
    pub only: Vec<String>,
    /// Install a missing `wasm32-wasip2` target without asking.
    pub assume_yes: bool,
    /// Rebuild even when the generate key is in the store.
    pub force: bool,
    /// A registry to look the generate key up in before building (and to
    /// publish to after building, when it says so).
    pub cache: Option<crate::registry::Cache>,
}

/// Progress reporting for long steps.
pub trait Progress {
    /// A new step starts.
    fn step(&self, message: &str);
    /// Detail within the current step (e.g. the crate being compiled).
    fn detail(&self, _message: &str) {}
}

/// No progress output.
pub struct Quiet;
impl Progress for Quiet {
    fn step(&self, _: &str) {}
}

/// What `generate` produced.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Generated {
    /// Crate name.
    #[serde(rename = "crate")]
    pub name: String,
    /// Exact version.
    pub version: String,
    /// Component digest.
    pub digest: Digest,
    /// Component size in bytes.
    pub size: u64,
    /// The generate key.
    pub key: String,
    /// Whether the stored component was reused (no build).
    pub reused: bool,
    /// Seconds spent in `cargo build` (0 when reused).
    pub build_seconds: f64,
    /// Where the component is.
    pub path: PathBuf,
    /// The generated WIT.
    pub wit: String,
    /// The mapping report.
    pub report: Report,
    /// The registry cache entry the component was pulled from instead of
    /// being built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pulled_from: Option<String>,
    /// The registry cache entry the component was published to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pushed_to: Option<String>,
    /// Default features turned off because they do not build for
    /// wasm32-wasip2, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features_changed: Option<String>,
}

/// The record stored under `keys/<key>.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeyRecord {
    key: String,
    #[serde(rename = "crate")]
    name: String,
    version: String,
    digest: Digest,
    size: u64,
    build_seconds: f64,
    wit: String,
    report: Report,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    features_changed: Option<String>,
}

/// Runs the pipeline; reuses the stored component when the key matches.
pub fn generate(store: &Store, opts: &Options, progress: &dyn Progress) -> Result<Generated> {
    crate::target::ensure(opts.assume_yes)?;
    progress.step(&format!("resolving {}@{}", opts.spec.name, opts.spec.req));
    // One generate per crate at a time: the scratch package and rustdoc
    // output are per crate, and a second run of the same key must wait and
    // then reuse the first one's result.
    let _lock = store.lock(&format!("crate-{}", opts.spec.name))?;
    let resolved = crate::resolve::resolve(&opts.spec, &opts.features, &store.build_dir())?;
    let key = generate_key(&resolved, opts)?;
    // The stored (or cached) component first, then a build; with other
    // features too when the defaults do not build.
    let attempt = |opts: &Options, resolved: &Resolved| {
        let key = generate_key(resolved, opts)?;
        match reuse(store, opts, resolved, &key, progress)? {
            Some(hit) => Ok((hit, key)),
            None => Ok((build_and_store(store, opts, resolved, &key, progress)?, key)),
        }
    };
    let ((mut generated, chosen_key), why) =
        searching_features(store, opts, resolved, progress, attempt)?;
    if why.is_some() {
        generated.features_changed = why;
        // The default features' key leads here next time.
        if let Some(mut record) = store::read_entry::<KeyRecord>(&store.key_path(&chosen_key))? {
            record.features_changed = generated.features_changed.clone();
            store::atomic_write(&store.key_path(&key), &serde_json::to_vec_pretty(&record)?)?;
        }
    }
    Ok(generated)
}

/// Runs `attempt` for the crate as `opts` and `resolved` have it; when its
/// features are the crate's defaults and a dependency fails to build for
/// wasm32-wasip2, again with the features that bring that dependency in
/// turned off (a few rounds). The result, and what was turned off and why.
fn searching_features<T>(
    store: &Store,
    opts: &Options,
    resolved: Resolved,
    progress: &dyn Progress,
    attempt: impl Fn(&Options, &Resolved) -> Result<T>,
) -> Result<(T, Option<String>)> {
    let error = match attempt(opts, &resolved) {
        Err(error) if opts.features == Features::default() => error,
        other => return other.map(|t| (t, None)),
    };
    let (mut error, mut opts, mut resolved) = (error, opts.clone(), resolved);
    let (mut turned_off, mut failed_packages) = (Vec::new(), Vec::new());
    for _ in 0..FEATURE_ROUNDS {
        let Some(failed) = failed_dependency(&error, &resolved.name) else {
            break;
        };
        progress.step(&format!("looking for features without `{failed}`"));
        let Some((features, off)) =
            crate::resolve::features_without(&resolved, &opts.features, &failed)?
        else {
            break;
        };
        turned_off.extend(off.iter().map(|f| format!("`{f}`")));
        failed_packages.push(format!("`{failed}`"));
        let (noun, bring) = match turned_off.len() {
            1 => ("feature", "it brings"),
            _ => ("features", "they bring"),
        };
        let (packages, does) = match failed_packages.len() {
            1 => ("", "does"),
            _ => ("s", "do"),
        };
        let why = format!(
            "{noun} {} of {} turned off: {bring} in the package{packages} {}, which {does} \
             not build for wasm32-wasip2 (choose features with --features)",
            turned_off.join(", "),
            resolved.name,
            failed_packages.join(", ")
        );
        progress.step(&why);
        opts.features = features;
        resolved = crate::resolve::resolve(&opts.spec, &opts.features, &store.build_dir())?;
        match attempt(&opts, &resolved) {
            Ok(t) => return Ok((t, Some(why))),
            Err(e) => error = e,
        }
    }
    Err(error)
}

/// Rounds of turning off features that bring in a package that does not
/// build for wasm32-wasip2.
const FEATURE_ROUNDS: usize = 4;

/// The dependency of `crate_name` that `error` says failed to build.
fn failed_dependency(error: &anyhow::Error, crate_name: &str) -> Option<String> {
    match error.chain().find_map(|c| c.downcast_ref::<Error>())? {
        Error::BuildFailed {
            package: Some(package),
            ..
        } if package.split('@').next() != Some(crate_name)
            && !package.starts_with(crate::build::GUEST_PACKAGE_PREFIX) =>
        {
            Some(package.clone())
        }
        _ => None,
    }
}

/// The stored component for `key`, or the registry cache's.
fn reuse(
    store: &Store,
    opts: &Options,
    resolved: &Resolved,
    key: &str,
    progress: &dyn Progress,
) -> Result<Option<Generated>> {
    if opts.force {
        return Ok(None);
    }
    if let Some(mut hit) = lookup(store, key, opts.only.is_empty())? {
        // Built here before: make sure the cache has it too.
        if let Some(cache) = opts.cache.as_ref().filter(|cache| cache.push) {
            progress.step(&format!("checking {}", cache.reference(key)));
            let bytes = store.read_blob(&hit.digest)?;
            hit.pushed_to = cache
                .push_if_missing(key, &bytes)
                .context("publishing the stored component to the cache failed")?;
        }
        return Ok(Some(hit));
    }
    match &opts.cache {
        Some(cache) => from_cache(store, cache, resolved, key, opts, progress),
        None => Ok(None),
    }
}

/// Derives, builds, verifies, stamps and stores the component for `key`.
fn build_and_store(
    store: &Store,
    opts: &Options,
    resolved: &Resolved,
    key: &str,
    progress: &dyn Progress,
) -> Result<Generated> {
    let target_dir = store.build_dir().join("target");
    let Derived {
        mut api,
        mut report,
    } = derive(resolved, &target_dir, &opts.only, progress)?;
    release_freed_memory();
    let guest_dir = store
        .build_dir()
        .join("guests")
        .join(format!("{}-{}", resolved.name, resolved.version));
    let what = format!("{} {}", resolved.name, resolved.version);
    let started = Instant::now();
    // Glue that does not compile leaves its exports out; the guest is
    // rebuilt without them, a few rounds at most.
    let (files, artifact) = loop {
        let files = crate::emit::files(&api, resolved, &opts.features)?;
        crate::emit::write(&guest_dir, &files)?;
        check_wit(&guest_dir.join("wit"))?;
        store::atomic_write(
            &guest_dir.join(crate::report::FILE_NAME),
            &serde_json::to_vec_pretty(&report)?,
        )?;
        progress.step(&format!("building {what} for wasm32-wasip2"));
        let errors = match crate::build::build(&guest_dir, &target_dir, &what, |line| {
            progress.detail(line)
        })? {
            crate::build::Built::Component(artifact) => break (files, artifact),
            crate::build::Built::GlueErrors(errors) => errors,
        };
        let skipped = glue_culprits(&files["src/lib.rs"], &errors);
        if skipped.is_empty() || report.glue_rounds.len() >= GLUE_ROUNDS {
            let rendered: Vec<&str> = errors.iter().map(|e| e.rendered.as_str()).collect();
            bail!(
                "compwrap generated glue for {what} that does not compile{} (this is a bug in \
                 compwrap; please report it):\n{}",
                if skipped.is_empty() {
                    String::new()
                } else {
                    format!(" after {GLUE_ROUNDS} rounds of leaving items out")
                },
                rendered.join("\n")
            );
        }
        progress.step(&format!(
            "leaving out {} item(s) whose glue does not compile",
            skipped.len()
        ));
        for iface in &mut api.interfaces {
            let name = iface.name.clone();
            iface
                .functions
                .retain(|f| !skipped.contains_key(&format!("{name}.{}", f.component_name())));
        }
        report.skip_glue(&skipped);
        if api.function_count() == 0 {
            return Err(Error::NothingMapped {
                name: resolved.name.clone(),
                report: Box::new(report),
            }
            .into());
        }
    };
    let build_seconds = started.elapsed().as_secs_f64();
    progress.step("verifying the component");
    let bytes = std::fs::read(&artifact)
        .with_context(|| format!("failed to read {}", artifact.display()))?;
    crate::component::validate(&bytes, &artifact.display().to_string())?;
    crate::component::check_matches_wit(
        &bytes,
        &guest_dir.join("wit"),
        &crate::wit::world_name(&api),
    )?;
    let stamped = crate::component::stamp(&bytes, &stamp(resolved, key, &opts.only, &report)?)?;
    progress.step("storing");
    let digest = store.put_blob(&stamped)?;
    let size = stamped.len() as u64;
    let wit = files["wit/world.wit"].clone();
    let record = KeyRecord {
        key: key.to_string(),
        name: resolved.name.clone(),
        version: resolved.version.clone(),
        digest: digest.clone(),
        size,
        build_seconds,
        wit,
        report,
        features_changed: None,
    };
    store::atomic_write(&store.key_path(key), &serde_json::to_vec_pretty(&record)?)?;
    // `name@version` means the whole crate: a `--only` component is found
    // by its digest.
    if opts.only.is_empty() {
        store.put_ref(&record.ref_entry())?;
    }
    let mut generated = generated(store, record, false);
    if let Some(cache) = opts.cache.as_ref().filter(|cache| cache.push) {
        progress.step(&format!("publishing to {}", cache.reference(key)));
        let published = cache.push(key, &stamped).with_context(|| {
            format!(
                "the component was built and stored ({}), but publishing it to the cache failed",
                generated.digest
            )
        })?;
        generated.pushed_to = Some(published.reference);
    }
    Ok(generated)
}

/// The component for `key` from the registry cache, recorded in the store
/// as if it had been built here. A cache that cannot be reached is not an
/// error: the component is built instead.
fn from_cache(
    store: &Store,
    cache: &crate::registry::Cache,
    resolved: &Resolved,
    key: &str,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Option<Generated>> {
    let reference = cache.reference(key);
    progress.step(&format!("looking up {reference}"));
    let pulled = match cache.pull(key, store) {
        Ok(Some(pulled)) => pulled,
        Ok(None) => return Ok(None),
        Err(e) => {
            tracing::warn!("the build cache was not used: {e:#}");
            return Ok(None);
        }
    };
    let bytes = store.read_blob(&pulled.digest)?;
    let report = crate::component::report(&bytes)?
        .with_context(|| format!("the cache entry {reference} has no compwrap report"))?;
    let record = KeyRecord {
        key: key.to_string(),
        name: resolved.name.clone(),
        version: resolved.version.clone(),
        digest: pulled.digest,
        size: pulled.size,
        build_seconds: 0.0,
        wit: crate::component::wit_text(&bytes)?,
        report,
        features_changed: None,
    };
    store::atomic_write(&store.key_path(key), &serde_json::to_vec_pretty(&record)?)?;
    if opts.only.is_empty() {
        store.put_ref(&record.ref_entry())?;
    }
    let mut generated = generated(store, record, true);
    generated.pulled_from = Some(reference.to_string());
    Ok(Some(generated))
}

/// Rounds of leaving out items whose glue does not compile.
const GLUE_ROUNDS: usize = 4;

/// The exports (`interface.name`) the errors are in, with the message of
/// the first error in each; empty when an error is outside per-export
/// glue (compwrap's own code).
fn glue_culprits(
    code: &str,
    errors: &[crate::build::CompileError],
) -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for error in errors {
        let exports = error
            .lines
            .iter()
            .filter(|(file, _)| crate::build::is_glue_file(file))
            .find_map(|&(_, line)| crate::glue::exports_at(code, line));
        let Some(exports) = exports.filter(|e| !e.is_empty()) else {
            return Default::default();
        };
        for export in exports {
            out.entry(export).or_insert_with(|| error.message.clone());
        }
    }
    out
}

/// Generated WIT that does not parse, or that no component can have (a
/// `tuple<>`), is compwrap's bug, not the crate's: say so before cargo
/// reports it as a build failure. The check encodes the package as a
/// component and validates it, as the component linker will.
pub fn check_wit(dir: &std::path::Path) -> Result<()> {
    let bug = || {
        format!(
            "compwrap generated invalid WIT in {} (this is a bug in compwrap; please report it)",
            dir.display()
        )
    };
    let mut resolve = wit_parser::Resolve::default();
    let (package, _) = resolve.push_dir(dir).with_context(bug)?;
    let encoded = wit_component::encode(&resolve, package).with_context(bug)?;
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(&encoded)
        .with_context(bug)?;
    Ok(())
}

/// Gives the memory freed after mapping (the rustdoc JSON of a crate like
/// `aws-sdk-ec2` takes gigabytes) back to the system before the guest
/// build, which needs as much again; glibc keeps it otherwise.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free heap pages to the system.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A crate's mapped API and report, before anything is built.
pub struct Derived {
    /// The model.
    pub api: crate::model::Api,
    /// The report.
    pub report: Report,
}

/// Extracts and maps the API of a resolved crate (no build). Fails with
/// [`Error::NothingMapped`] when nothing maps.
pub fn derive(
    resolved: &Resolved,
    target_dir: &std::path::Path,
    only: &[String],
    progress: &dyn Progress,
) -> Result<Derived> {
    progress.step(&format!(
        "extracting the public API of {} {}",
        resolved.name, resolved.version
    ));
    let krate = crate::rustdoc::extract(resolved, target_dir)?;
    progress.step("mapping the API to WIT");
    let (mut api, mut items) = crate::api::map(&krate, &resolved.name, &resolved.version);
    if !only.is_empty() {
        crate::select::select(&mut api, &mut items, only)?;
    }
    let report = Report::new(&resolved.name, &resolved.version, &items);
    if api.is_empty() {
        return Err(Error::NothingMapped {
            name: resolved.name.clone(),
            report: Box::new(report),
        }
        .into());
    }
    Ok(Derived { api, report })
}

/// Resolves and derives without building: the WIT and report that
/// `generate` would produce (`generate --dry-run`, golden tests).
pub fn derive_only(
    store: &Store,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<(String, Report)> {
    crate::target::ensure(opts.assume_yes)?;
    progress.step(&format!("resolving {}@{}", opts.spec.name, opts.spec.req));
    let _lock = store.lock(&format!("crate-{}", opts.spec.name))?;
    let resolved = crate::resolve::resolve(&opts.spec, &opts.features, &store.build_dir())?;
    let target_dir = store.build_dir().join("target");
    let (derived, _) = searching_features(store, opts, resolved, progress, |opts, resolved| {
        derive(resolved, &target_dir, &opts.only, progress)
    })?;
    Ok((crate::wit::render(&derived.api), derived.report))
}

impl KeyRecord {
    /// The `refs/<crate>/<version>` entry pointing at this component.
    fn ref_entry(&self) -> RefEntry {
        RefEntry {
            name: self.name.clone(),
            version: self.version.clone(),
            digest: self.digest.clone(),
            size: self.size,
            key: Some(self.key.clone()),
        }
    }
}

fn generated(store: &Store, r: KeyRecord, reused: bool) -> Generated {
    Generated {
        path: store.blob_path(&r.digest),
        name: r.name,
        version: r.version,
        digest: r.digest,
        size: r.size,
        key: r.key,
        reused,
        build_seconds: if reused { 0.0 } else { r.build_seconds },
        wit: r.wit,
        report: r.report,
        pulled_from: None,
        pushed_to: None,
        features_changed: r.features_changed,
    }
}

/// The stored result for `key`, when its record and blob are both present.
fn lookup(store: &Store, key: &str, whole_crate: bool) -> Result<Option<Generated>> {
    let Some(record) = store::read_entry::<KeyRecord>(&store.key_path(key))? else {
        return Ok(None);
    };
    if !store.has_blob(&record.digest) {
        return Ok(None);
    }
    // Make sure `name@version` points at it (e.g. after a ref was removed).
    let entry = record.ref_entry();
    if whole_crate && store.get_ref(&entry.name, &entry.version)?.as_ref() != Some(&entry) {
        store.put_ref(&entry)?;
    }
    Ok(Some(generated(store, record, true)))
}

/// Hash of every input that affects the component.
fn generate_key(resolved: &Resolved, opts: &Options) -> Result<String> {
    let features = &opts.features;
    let mut only = opts.only.clone();
    only.sort();
    only.dedup();
    let mut features_sorted = features.features.clone();
    features_sorted.sort();
    features_sorted.dedup();
    let inputs = serde_json::json!({
        "crate": resolved.name,
        "version": resolved.version,
        "checksum": resolved.checksum,
        "features": features_sorted,
        "default_features": !features.no_default,
        "only": only,
        "compwrap": env!("CARGO_PKG_VERSION"),
        "generator": env!("COMPWRAP_GENERATOR_HASH"),
        "wit_bindgen": crate::emit::WIT_BINDGEN,
        "rustc": crate::target::rustc_version()?,
        "target": crate::target::TARGET,
    });
    Ok(hex::encode(Sha256::digest(inputs.to_string().as_bytes())))
}

fn stamp(
    resolved: &Resolved,
    key: &str,
    only: &[String],
    report: &Report,
) -> Result<crate::component::Stamp> {
    Ok(crate::component::Stamp {
        name: resolved.name.clone(),
        version: resolved.version.clone(),
        description: resolved.description.clone(),
        licenses: resolved.license.clone(),
        source: resolved.repository.clone(),
        compwrap: serde_json::json!({
            "compwrap": env!("CARGO_PKG_VERSION"),
            "crate": resolved.name,
            "version": resolved.version,
            "checksum": resolved.checksum,
            "generate_key": key,
            "only": only,
        })
        .to_string(),
        report: serde_json::to_string(report)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(world: &str) -> Result<()> {
        let dir = tempfile::tempdir()?;
        std::fs::write(dir.path().join("world.wit"), world)?;
        check_wit(dir.path())
    }

    #[test]
    fn wit_no_component_can_have_is_refused_before_the_build() {
        let wit = |result: &str| {
            format!(
                "package compwrap:t@1.0.0;\ninterface i {{\n  f: func() -> {result};\n}}\n\
                 world w {{\n  export i;\n}}\n"
            )
        };
        check(&wit("option<u8>")).unwrap();
        // wit-parser accepts `tuple<>`; the component linker does not.
        let err = format!("{:#}", check(&wit("option<tuple<>>")).unwrap_err());
        assert!(err.contains("bug in compwrap"), "{err}");
        assert!(err.contains("tuple"), "{err}");
        let err = format!("{:#}", check(&wit("option<")).unwrap_err());
        assert!(err.contains("bug in compwrap"), "{err}");
    }
}
