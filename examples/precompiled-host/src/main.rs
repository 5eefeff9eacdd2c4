//! Calls the semver component with a `compwrap-host` built without
//! Cranelift: it cannot compile WebAssembly, only load the native code that
//! `compwrap precompile semver@1.0.28` put into the store beforehand.
//!
//! ```sh
//! cargo run -p compwrap -- generate semver@1.0.28
//! cargo run -p compwrap -- precompile semver@1.0.28
//! cargo run -p precompiled-host -- 1.2.3-beta.1
//! ```

use anyhow::{Context, Result};
use compwrap_host::{Runtime, Store};

fn main() -> Result<()> {
    let store = Store::open_default()?;
    let runtime = Runtime::builder()
        .native_cache_dir(Some(store.native_dir()))
        .build()?;
    let semver = runtime
        .load_from_store(&store, "semver@1.0.28")
        .context("loading the precompiled semver component")?;
    anyhow::ensure!(
        semver.was_cached(),
        "without Cranelift nothing is compiled here"
    );
    let mut instance = semver.instantiate()?;
    for text in std::env::args().skip(1) {
        let parsed = instance.call_wave("version-parse", &[&format!("{text:?}")])?;
        println!("{text} -> {}", parsed.unwrap_or_default());
    }
    Ok(())
}
