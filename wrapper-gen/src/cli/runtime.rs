//! `compwrap runtime`: the shared runtime library applications load.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};
use compwrap::shared_runtime::{self, InstallOptions, RuntimeEntry, Source};

use compwrap::shared_runtime::registry::{self, Transferred};
use compwrap_host::oci::{OciReference, Registry};

use super::{RegistryArgs, Spinner, StoreArgs};

/// Manage the shared runtime library (wasmtime, WASI, wasi:http behind a
/// small C ABI) that applications load through compwrap-client, so they
/// never compile wasmtime themselves.
///
/// Applications look for the library in `COMPWRAP_RUNTIME` (a path), then
/// beside their executable, then in the store, where they check its bytes
/// against the digest recorded at install before loading it.
#[derive(Args)]
#[command(after_help = "Examples:\n  \
    compwrap runtime install            build the runtime once for this machine (release)\n  \
    compwrap runtime ls                 the installed runtime libraries\n  \
    compwrap runtime publish oci://ghcr.io/acme/compwrap-runtime:0.1.0-x86_64-unknown-linux-gnu\n  \
    compwrap runtime pull oci://ghcr.io/acme/compwrap-runtime:0.1.0-x86_64-unknown-linux-gnu")]
pub struct Opts {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Install(InstallOpts),
    Ls(LsOpts),
    Publish(PublishOpts),
    Pull(PullOpts),
}

impl Opts {
    pub fn run(self) -> Result<()> {
        match self.command {
            Command::Install(o) => o.run(),
            Command::Ls(o) => o.run(),
            Command::Publish(o) => o.run(),
            Command::Pull(o) => o.run(),
        }
    }
}

/// Build the runtime library (release) and install it into the store as
/// the runtime of this platform.
///
/// Builds `compwrap-runtime` from the sources this compwrap was built from
/// (sharing their target directory, so the wasmtime compwrap itself was
/// built with is reused), else from the crates registry at this compwrap's
/// version. The first build of wasmtime takes minutes.
#[derive(Args)]
#[command(after_help = "Examples:\n  \
    compwrap runtime install\n  \
    compwrap runtime install --debug     quicker to build, slower to run\n  \
    compwrap runtime install --library target/release/libcompwrap_runtime.so")]
struct InstallOpts {
    /// Build with the debug profile, as `cargo install --debug` does.
    #[arg(long)]
    debug: bool,
    /// Cargo's target directory for the build.
    #[arg(long, value_name = "DIR")]
    target_dir: Option<PathBuf>,
    /// Install this already built library instead of building one.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["debug", "target_dir"])]
    library: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    store: StoreArgs,
}

impl InstallOpts {
    fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let started = std::time::Instant::now();
        let entry = match &self.library {
            Some(file) => shared_runtime::add(&store, file)?,
            None => {
                let spinner = Spinner::new(self.quiet || self.json);
                let options = InstallOptions {
                    source: Source::for_this_build(),
                    debug: self.debug,
                    target_dir: self.target_dir.clone(),
                };
                let progress = |line: &str| {
                    use compwrap::generate::Progress;
                    spinner.step(&format!("building compwrap-runtime — {line}"));
                };
                let entry = shared_runtime::install(&store, &options, progress);
                spinner.finish();
                entry?
            }
        };
        let seconds = started.elapsed().as_secs_f64();
        if self.json {
            let mut json = entry_json(&entry);
            json["seconds"] = seconds.into();
            println!("{}", serde_json::to_string_pretty(&json)?);
        } else {
            println!("{:>12} {} (ABI {})", "Installed", entry.version, entry.abi);
            println!("{:>12} {}", "digest", entry.digest);
            println!(
                "{:>12} {} ({})",
                "library",
                entry.path.display(),
                super::human_size(entry.size)
            );
            println!("{:>12} {seconds:.1} s", "took");
        }
        Ok(())
    }
}

/// List the runtime libraries installed in the store for this platform;
/// `*` marks the one applications of its ABI load.
#[derive(Args)]
struct LsOpts {
    /// Print the list as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

impl LsOpts {
    fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let entries = shared_runtime::list(&store)?;
        if self.json {
            let list: Vec<_> = entries.iter().map(entry_json).collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
            return Ok(());
        }
        if entries.is_empty() {
            println!(
                "no runtime library for {} in {}; `compwrap runtime install` builds one",
                compwrap_client::library::TARGET,
                store.root().display()
            );
            return Ok(());
        }
        for entry in &entries {
            println!(
                "{} ABI {}  {}  {}  {}",
                if entry.current { "*" } else { " " },
                entry.abi,
                entry.version,
                entry.digest,
                super::human_size(entry.size)
            );
        }
        Ok(())
    }
}

/// Push the store's runtime library for this platform to an OCI registry,
/// so machines of the same platform pull it instead of building it.
///
/// The artifact's config names the platform (target triple, OS,
/// architecture) and the ABI version; its one layer is the library. Publish
/// one per platform, e.g. with the target triple in the tag.
#[derive(Args)]
#[command(after_help = "Examples:
  compwrap runtime publish oci://ghcr.io/acme/compwrap-runtime:0.1.0-x86_64-unknown-linux-gnu
  compwrap runtime publish oci://127.0.0.1:5000/compwrap-runtime:latest

Credentials as for `compwrap publish`.")]
struct PublishOpts {
    /// Where to push: `oci://<registry>/<repository>:<tag>`.
    #[arg(value_name = "REFERENCE")]
    reference: OciReference,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

impl PublishOpts {
    fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let client = Registry::new(&self.reference, &self.registry.options()?)?;
        let published =
            compwrap_host::oci::block_on(registry::publish(&client, &store, &self.reference))?;
        print_transferred("Published", &published, self.json)
    }
}

/// Pull a runtime library published with `compwrap runtime publish` and
/// install it into the store as this platform's runtime.
///
/// A library built for another platform or ABI is refused before it is
/// downloaded; the library's size and sha256 are checked against the
/// manifest before anything is stored.
#[derive(Args)]
#[command(after_help = "Examples:
  compwrap runtime pull oci://ghcr.io/acme/compwrap-runtime:0.1.0-x86_64-unknown-linux-gnu
  compwrap runtime pull oci://ghcr.io/acme/compwrap-runtime@sha256:…")]
struct PullOpts {
    /// What to pull: `oci://<registry>/<repository>[:<tag>][@sha256:…]`.
    #[arg(value_name = "REFERENCE")]
    reference: OciReference,
    #[command(flatten)]
    registry: RegistryArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

impl PullOpts {
    fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let client = Registry::new(&self.reference, &self.registry.options()?)?;
        let pulled =
            compwrap_host::oci::block_on(registry::pull(&client, &store, &self.reference))?;
        print_transferred("Pulled", &pulled, self.json)
    }
}

fn print_transferred(verb: &str, done: &Transferred, json: bool) -> Result<()> {
    if json {
        let mut out = entry_json(&done.entry);
        out["pinned"] = done.pinned.clone().into();
        out["manifest_digest"] = done.manifest_digest.clone().into();
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("{verb:>12} {} (ABI {})", done.entry.version, done.entry.abi);
        println!("{:>12} {}", "pinned", done.pinned);
        println!("{:>12} {}", "digest", done.entry.digest);
        println!(
            "{:>12} {} ({})",
            "library",
            done.entry.path.display(),
            super::human_size(done.entry.size)
        );
    }
    Ok(())
}

fn entry_json(entry: &RuntimeEntry) -> serde_json::Value {
    serde_json::json!({
        "digest": entry.digest.to_string(),
        "version": entry.version,
        "abi": entry.abi,
        "target": entry.target,
        "size": entry.size,
        "path": entry.path,
        "current": entry.current,
    })
}
