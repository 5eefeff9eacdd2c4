//! An application that parses and matches versions with the prebuilt
//! `semver` component through its typed host crate: it compiles neither
//! `semver` nor wasmtime, only the generated types and calls on
//! compwrap-client, and calls through the shared runtime library.
//!
//! Run with:
//!
//! ```text
//! compwrap generate semver@1.0.28
//! compwrap host-crate semver@1.0.28 --out examples/semver-host/semver-component
//! compwrap runtime install                  # once per machine
//! cargo run --manifest-path examples/semver-host/Cargo.toml
//! ```
//!
//! With `--features embedded` the runtime is linked into the executable
//! instead (one file to deploy; the build compiles wasmtime).

use semver_component::compwrap_client::{Error, GuestResult};

fn main() -> Result<(), Error> {
    let semver = semver_component::load()?;
    println!("semver {} through {}", semver_component::VERSION, runtime_kind());

    for text in ["1.2.3", "1.2.3-beta.1+build.5", "1.2"] {
        match semver.version_parse(text)? {
            Ok(v) => println!(
                "{text:<22} -> major {} minor {} patch {} pre {:?} build {:?}",
                v.major, v.minor, v.patch, v.pre, v.build
            ),
            Err(e) => println!("{text:<22} -> error: {}", e.message),
        }
    }

    let req = semver.version_req_parse(">=1.2.0, <1.8.0").guest()?;
    for text in ["1.2.3", "1.8.0", "1.3.0-alpha"] {
        let version = semver.version_parse(text).guest()?;
        let matches = semver.version_req_matches(&req, &version)?;
        println!(">=1.2.0, <1.8.0 matches {text:<12} {matches}");
    }
    Ok(())
}

fn runtime_kind() -> &'static str {
    if cfg!(feature = "embedded") {
        "the runtime linked in"
    } else {
        "the shared runtime library"
    }
}
