//! `compwrap wit`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::open_store;

/// Print the WIT of a component.
#[derive(Args)]
#[command(after_help = "Examples:\n  compwrap wit semver@1.0.28\n  compwrap wit ./regex.wasm")]
pub struct Opts {
    /// `crate[@version]` or digest in the store, or a .wasm file.
    #[arg(value_name = "COMPONENT")]
    component: String,
    /// Store directory (default: $COMPWRAP_HOME, else ~/.cache/compwrap).
    #[arg(
        long,
        value_name = "DIR",
        env = "COMPWRAP_HOME",
        hide_env_values = true
    )]
    store: Option<PathBuf>,
}

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = open_store(self.store.as_deref())?;
        let (bytes, label) = compwrap::component::read_input(&store, &self.component)?;
        compwrap::component::validate(&bytes, &label)?;
        print!("{}", compwrap::component::wit_text(&bytes)?);
        Ok(())
    }
}
