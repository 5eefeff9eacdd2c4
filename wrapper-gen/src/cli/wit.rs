//! `compwrap wit`.

use anyhow::Result;
use clap::Args;

use super::StoreArgs;

/// Print the WIT of a component.
#[derive(Args)]
#[command(after_help = "Examples:\n  compwrap wit semver@1.0.28\n  compwrap wit ./regex.wasm")]
pub struct Opts {
    /// `crate[@version]` (or a version requirement, `crate@1.0`: the newest
    /// stored match) or digest in the store, or a .wasm file.
    #[arg(value_name = "COMPONENT")]
    component: String,
    #[command(flatten)]
    store: StoreArgs,
}

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let (bytes, label) = super::read_component(&store, &self.component)?;
        compwrap::component::validate(&bytes, &label)?;
        print!("{}", compwrap::component::wit_text(&bytes)?);
        Ok(())
    }
}
