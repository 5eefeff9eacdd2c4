//! `compwrap host-crate`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use compwrap::host_crate::{CompwrapDependency, Options, Written};

use super::StoreArgs;

/// Write a Cargo package with typed Rust calls into a component.
///
/// The package holds the component's WIT and typed Rust for it, written by
/// compwrap: its types with their encoding, and a wrapper type with one
/// method per exported function. It depends on compwrap-client only, which
/// calls the shared runtime library (`compwrap runtime install`), so
/// applications never compile wasmtime; its `embedded` feature links the
/// runtime in instead. The component is pinned by digest and loaded from
/// the local store.
///
/// The bindings are a package of their own (`DIR/bindings`) that binds every
/// release of the component's semver track and is rewritten only when its
/// text changes: writing the crate again for a newer release with the same
/// bound types rebuilds only the small pinned package.
#[derive(Args)]
#[command(after_help = "Examples:
  compwrap host-crate semver@1.0.28 --out crates/semver-component
  compwrap host-crate semver@1.0.28 --out crates/semver-component --oci oci://ghcr.io/acme/semver:1.0.28

Then, in the application: semver-component = { path = \"crates/semver-component\" }
  let semver = semver_component::load()?;
  let version = semver.version_parse(\"1.2.3\")?;")]
pub struct Opts {
    /// `crate[@version]` (or a version requirement, `crate@1.0`: the newest
    /// stored match) or digest in the store, or a .wasm file.
    #[arg(value_name = "COMPONENT")]
    component: String,
    /// The package directory to write.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    crate_opts: CrateArgs,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

/// Options shared with `generate --host-crate`.
#[derive(Args)]
pub struct CrateArgs {
    /// The OCI reference the component is published at; an application
    /// whose store lacks the component is told to `compwrap pull` it.
    #[arg(long, value_name = "oci://…")]
    oci: Option<compwrap_host::oci::OciReference>,
    /// Where the crate takes compwrap-client (and compwrap-runtime, for its
    /// `embedded` feature) from: compwrap's source tree, or a version
    /// requirement (default: the sources this compwrap was built from).
    #[arg(long, value_name = "PATH|VERSION")]
    compwrap: Option<String>,
    /// Bind only these functions (WIT names, comma-separated: `version-parse`,
    /// a resource method such as `describe-instances`, or one resource's
    /// method alone, `byte-stream.next`) and the types they
    /// reach: the crate builds in seconds even for a component with
    /// thousands of functions. The component itself is unchanged.
    #[arg(long, value_delimiter = ',', value_name = "FUNCTION,…")]
    bind: Vec<String>,
}

impl CrateArgs {
    /// The options for writing to `out`.
    pub fn options(&self, out: PathBuf) -> Options {
        let compwrap = match &self.compwrap {
            Some(path) if std::path::Path::new(path).is_dir() => {
                CompwrapDependency::Path(std::path::absolute(path).unwrap_or_else(|_| path.into()))
            }
            Some(version) => CompwrapDependency::Version(version.clone()),
            None => CompwrapDependency::default_for_this_build(),
        };
        Options {
            out,
            oci: self.oci.as_ref().map(|r| r.to_string()),
            compwrap,
            bind: self.bind.clone(),
        }
    }
}

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let (bytes, label) = super::read_component(&store, &self.component)?;
        let written =
            compwrap::host_crate::write(&bytes, &self.crate_opts.options(self.out.clone()))?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&written)?);
        } else {
            print_written(&written, &label);
        }
        Ok(())
    }
}

/// The terminal summary of a written host crate.
pub fn print_written(written: &Written, label: &str) {
    println!("{:>12} {} for {label}", "Wrote", written.package);
    println!("{:>12} {}", "at", written.dir.display());
    println!("{:>12} {}", "pinned", written.digest);
    println!(
        "{:>12} {} ({} of Rust)",
        "bindings",
        written.bindings_package,
        super::human_size(written.bindings_bytes as u64)
    );
    let module = written.package.replace('-', "_");
    println!(
        "{:>12} {module}::{} with {} methods, from {module}::load()",
        "wrapper",
        written.wrapper,
        written.methods.len()
    );
}
