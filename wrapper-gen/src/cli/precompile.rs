//! `compwrap precompile`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::StoreArgs;

/// Compile a component to native code for this machine, ahead of time.
///
/// The code goes into the store's native-code cache, under the engine
/// configuration of `compwrap-host`'s defaults, where a host built without
/// Cranelift (compwrap-host without its `cranelift` feature) and the same
/// store finds it. Code made for another configuration, wasmtime release or
/// CPU is refused with an error when loaded.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  compwrap precompile semver@1.0.28\n  compwrap precompile ./regex.wasm --out regex.cwasm"
)]
pub struct Opts {
    /// `crate[@version]` or digest in the store, or a .wasm file.
    #[arg(value_name = "COMPONENT")]
    component: String,
    /// Also copy the native code to this file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    store: StoreArgs,
}

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let (bytes, label) = compwrap::component::read_input(&store, &self.component)?;
        compwrap::component::validate(&bytes, &label)?;
        let runtime = super::runtime_for(&store)?;
        let loaded = runtime.load_bytes(&bytes)?;
        let path = runtime
            .native_path(loaded.digest())
            .context("the runtime has no native-code cache")?;
        let size = std::fs::metadata(&path)
            .with_context(|| format!("failed to read {}", path.display()))?
            .len();
        if let Some(out) = &self.out {
            let native = std::fs::read(&path)
                .with_context(|| format!("failed to read {}", path.display()))?;
            compwrap_host::store::atomic_write(out, &native)?;
        }
        if self.json {
            let out = serde_json::json!({
                "digest": loaded.digest().to_string(),
                "native": path,
                "size": size,
                "already_cached": loaded.was_cached(),
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            let verb = if loaded.was_cached() {
                "Cached"
            } else {
                "Precompiled"
            };
            println!("{verb:>12} {label}");
            println!(
                "{:>12} {} ({})",
                "native",
                path.display(),
                super::human_size(size)
            );
        }
        Ok(())
    }
}
