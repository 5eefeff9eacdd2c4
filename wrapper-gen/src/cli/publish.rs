//! `compwrap publish`.

use anyhow::Result;
use clap::Args;
use compwrap_host::oci::{OciReference, Registry};

use super::{RegistryArgs, StoreArgs};

/// Push a component to an OCI registry.
///
/// The artifact has the CNCF Wasm OCI layout that wkg and oci-wasm use:
/// the config lists the component's exports and imports, the one layer is
/// the component, and the manifest's annotations
/// (org.opencontainers.image.version, description, licenses, source) come
/// from the component's metadata.
#[derive(Args)]
#[command(after_help = "Examples:
  compwrap publish semver@1.0.28 oci://ghcr.io/acme/semver:1.0.28
  compwrap publish ./regex.wasm oci://127.0.0.1:5000/regex:latest --insecure
  echo \"$TOKEN\" | compwrap publish semver oci://ghcr.io/acme/semver:1 --username acme --password-stdin

Credentials: --username/--password-stdin, else COMPWRAP_OCI_USERNAME and
COMPWRAP_OCI_PASSWORD, else the docker config.json ($DOCKER_CONFIG or
~/.docker), else anonymous.")]
pub struct Opts {
    /// `crate[@version]` (or a version requirement, `crate@1.0`: the newest
    /// stored match) or digest in the store, or a .wasm file.
    #[arg(value_name = "COMPONENT")]
    component: String,
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

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let (bytes, label) = super::read_component(&store, &self.component)?;
        let registry = Registry::new(&self.reference, &self.registry.options()?)?;
        let published = compwrap_host::oci::block_on(compwrap::registry::publish(
            &registry,
            &bytes,
            &self.reference,
        ))?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&published)?);
        } else {
            println!("{:>12} {label}", "Published");
            println!("{:>12} {}", "to", published.reference);
            println!("{:>12} {}", "pinned", published.pinned);
            println!(
                "{:>12} {} ({})",
                "component",
                published.digest,
                super::human_size(published.size)
            );
        }
        Ok(())
    }
}
