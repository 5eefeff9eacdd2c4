//! `compwrap inspect`.

use anyhow::Result;
use clap::Args;
use compwrap::component;
use serde::Serialize;

use super::{StoreArgs, human_size};

/// Show a component's digest, size, metadata, imports, exports and WIT.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  compwrap inspect semver@1.0.28\n  compwrap inspect ./regex.wasm --json"
)]
pub struct Opts {
    /// `crate[@version]` (or a version requirement, `crate@1.0`: the newest
    /// stored match) or digest in the store, or a .wasm file.
    #[arg(value_name = "COMPONENT")]
    component: String,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Serialize)]
struct Inspection {
    digest: String,
    size: u64,
    metadata: component::Info,
    #[serde(flatten)]
    shape: component::Shape,
    wit: String,
}

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let (bytes, label) = super::read_component(&store, &self.component)?;
        component::validate(&bytes, &label)?;
        let i = Inspection {
            digest: compwrap::Digest::of(&bytes).to_string(),
            size: bytes.len() as u64,
            metadata: component::info(&bytes)?,
            shape: component::shape(&bytes)?,
            wit: component::wit_text(&bytes)?,
        };
        if self.json {
            println!("{}", serde_json::to_string_pretty(&i)?);
            return Ok(());
        }
        let m = &i.metadata;
        println!("{:>12} {}", "digest", i.digest);
        println!("{:>12} {}", "size", human_size(i.size));
        for (k, v) in [
            ("name", &m.name),
            ("version", &m.version),
            ("description", &m.description),
            ("licenses", &m.licenses),
            ("source", &m.source),
        ] {
            if let Some(v) = v {
                println!("{k:>12} {}", v.lines().next().unwrap_or_default());
            }
        }
        if let Some(c) = &m.compwrap {
            println!("{:>12} {c}", "compwrap");
        }
        println!("\nimports:");
        for imp in &i.shape.imports {
            println!("  {imp}");
        }
        println!("\nexports:");
        for (iface, funcs) in &i.shape.exports {
            println!("  {iface}");
            for f in funcs {
                println!("    {f}");
            }
        }
        println!("\n{}", i.wit);
        Ok(())
    }
}
