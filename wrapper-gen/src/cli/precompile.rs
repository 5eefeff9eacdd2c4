//! `compwrap precompile`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;

use super::StoreArgs;

/// Compile a component to native code for this machine, ahead of time.
///
/// The code goes into the store's native-code cache, under the engine
/// configuration of `compwrap-host`'s defaults, where every host of the
/// store finds it, also one built without Cranelift (compwrap-host without
/// its `cranelift` feature; it loads Cranelift's code only). Code made for another configuration, wasmtime release or
/// CPU is refused with an error when loaded.
///
/// Components of 16 MiB or more (whole SDKs) are compiled with Winch,
/// wasmtime's baseline compiler, several times faster than with Cranelift;
/// the others with Cranelift. Hosts choose the same way by default.
#[derive(Args)]
#[command(
    after_help = "Examples:\n  compwrap precompile semver@1.0.28\n  compwrap precompile ./regex.wasm --out regex.cwasm\n  compwrap precompile aws-sdk-ec2 --compiler cranelift"
)]
pub struct Opts {
    /// `crate[@version]` (or a version requirement, `crate@1.0`: the newest
    /// stored match) or digest in the store, or a .wasm file.
    #[arg(value_name = "COMPONENT")]
    component: String,
    /// Also copy the native code to this file.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The compiler: `auto` (Winch for components of 16 MiB or more,
    /// Cranelift for the others), `cranelift` or `winch`; code is cached
    /// per compiler.
    #[arg(long, value_name = "COMPILER", default_value = "auto")]
    compiler: compwrap_host::Compiler,
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
        compwrap::component::validate(&bytes, &label)?;
        let runtime = super::runtime_builder(&store)
            .compiler(self.compiler)
            .build()?;
        let loaded = runtime.load_bytes(&bytes)?;
        let path = loaded
            .native_path()
            .map(Path::to_path_buf)
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
                "compiler": loaded.compiler().name(),
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
                "{:>12} {} ({}, {})",
                "native",
                path.display(),
                super::human_size(size),
                loaded.compiler().name()
            );
        }
        Ok(())
    }
}
