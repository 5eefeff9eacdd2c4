//! `compwrap pull`.

use anyhow::Result;
use clap::Args;
use compwrap_host::oci::{OciReference, Registry};

use super::{RegistryArgs, StoreArgs};

/// Download a component from an OCI registry into the store.
///
/// The component's size and sha256 are checked against the manifest before
/// it is stored; on a mismatch nothing is. A component compwrap generated
/// is then also found by `crate@version`.
#[derive(Args)]
#[command(after_help = "Examples:
  compwrap pull oci://ghcr.io/acme/semver:1.0.28
  compwrap pull oci://ghcr.io/acme/semver@sha256:0123…   exactly this manifest
  compwrap pull oci://127.0.0.1:5000/regex:latest --insecure --json")]
pub struct Opts {
    /// `oci://<registry>/<repository>[:<tag>|@sha256:<digest>]`.
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

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let registry = Registry::new(&self.reference, &self.registry.options()?)?;
        let pulled = compwrap_host::oci::block_on(compwrap::registry::pull(
            &registry,
            &self.reference,
            &store,
        ))?;
        if self.json {
            let out = serde_json::json!({
                "reference": self.reference.to_string(),
                "digest": pulled.digest.to_string(),
                "size": pulled.size,
                "manifest_digest": pulled.manifest_digest,
                "annotations": pulled.annotations,
                "already_stored": pulled.already_stored,
                "path": store.blob_path(&pulled.digest),
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            let verb = if pulled.already_stored {
                "Up to date"
            } else {
                "Pulled"
            };
            println!("{verb:>12} {}", self.reference);
            println!(
                "{:>12} {} ({})",
                "component",
                pulled.digest,
                super::human_size(pulled.size)
            );
            println!(
                "{:>12} {}",
                "pinned",
                self.reference.with_digest(&pulled.manifest_digest)
            );
        }
        Ok(())
    }
}
