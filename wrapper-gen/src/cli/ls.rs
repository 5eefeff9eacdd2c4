//! `compwrap ls`.

use anyhow::Result;
use clap::Args;

use super::{StoreArgs, human_size};

/// List the components in the local store.
#[derive(Args)]
#[command(after_help = "Examples:\n  compwrap ls\n  compwrap ls --json")]
pub struct Opts {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = self.store.open()?;
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
        let name_w = refs
            .iter()
            .map(|r| r.name.len())
            .max()
            .unwrap_or(0)
            .max("CRATE".len());
        let version_w = refs
            .iter()
            .map(|r| r.version.len())
            .max()
            .unwrap_or(0)
            .max("VERSION".len());
        println!(
            "{:<name_w$}  {:<version_w$}  {:<19}  {:>10}",
            "CRATE", "VERSION", "DIGEST", "SIZE"
        );
        for r in refs {
            let digest = r.digest.to_string();
            println!(
                "{:<name_w$}  {:<version_w$}  {:<19}  {:>10}",
                r.name,
                r.version,
                &digest[..19],
                human_size(r.size)
            );
        }
        Ok(())
    }
}
