//! `compwrap ls`.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{human_size, open_store};

/// List the components in the local store.
#[derive(Args)]
#[command(after_help = "Examples:\n  compwrap ls\n  compwrap ls --json")]
pub struct Opts {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
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
        let refs = store.refs()?;
        if self.json {
            println!("{}", serde_json::to_string_pretty(&refs)?);
            return Ok(());
        }
        if refs.is_empty() {
            eprintln!(
                "the store at {} is empty (try `compwrap generate semver`)",
                store.root().display()
            );
            return Ok(());
        }
        println!(
            "{:<32} {:<14} {:<20} {:>10}",
            "CRATE", "VERSION", "DIGEST", "SIZE"
        );
        for r in refs {
            let digest = r.digest.to_string();
            println!(
                "{:<32} {:<14} {:<20} {:>10}",
                r.name,
                r.version,
                &digest[..19],
                human_size(r.size)
            );
        }
        Ok(())
    }
}
