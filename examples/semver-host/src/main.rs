//! An application that parses and matches versions with the prebuilt
//! `semver` component, through typed bindings: it never compiles `semver`.
//!
//! Run with:
//!
//! ```text
//! cargo run -p compwrap -- generate semver@1.0.28
//! cargo run -p semver-host
//! ```
//!
//! `wit/` holds the WIT that `compwrap generate semver@1.0.28` derived (a
//! golden test keeps it identical).

use anyhow::{Context, Result};
use compwrap_host::{Runtime, Store};

compwrap_host::bindgen!({
    path: "wit",
    world: "semver-component",
    wasmtime_crate: compwrap_host::wasmtime,
});

fn main() -> Result<()> {
    let runtime = Runtime::new()?;
    let store = Store::open_default()?;
    let component = runtime.load_from_store(&store, "semver@1.0.28").context(
        "load the semver component (generate it with `compwrap generate semver@1.0.28`)",
    )?;
    let mut wasm = component.new_store()?;
    let bindings =
        SemverComponent::instantiate(&mut wasm, component.component(), component.linker())
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let semver = bindings.compwrap_semver_semver();

    for text in ["1.2.3", "1.2.3-beta.1+build.5", "1.2"] {
        match semver
            .call_version_parse(&mut wasm, text)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
        {
            Ok(v) => println!(
                "{text:<22} -> major {} minor {} patch {} pre {:?} build {:?}",
                v.major, v.minor, v.patch, v.pre, v.build
            ),
            Err(e) => println!("{text:<22} -> error: {}", e.message),
        }
    }

    let req = semver
        .call_version_req_parse(&mut wasm, ">=1.2.0, <1.8.0")
        .map_err(|e| anyhow::anyhow!("{e:?}"))?
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    for text in ["1.2.3", "1.8.0", "1.3.0-alpha"] {
        let version = semver
            .call_version_parse(&mut wasm, text)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let matches = semver
            .call_version_req_matches(&mut wasm, &req, &version)
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        println!(">=1.2.0, <1.8.0 matches {text:<12} {matches}");
    }
    Ok(())
}
