//! What the benchmarks share: semver's `version` and compwrap's `error`
//! as a typed host crate declares them, and the component.

use compwrap_client::codec::{Decode, DecodeError, Reader};

pub const INPUT: &str = "1.2.3-beta.1+build.5";
pub const FUNCTION: &str = "compwrap:semver/semver#version-parse";

/// `version` as a typed host crate declares it.
#[derive(Debug)]
#[allow(dead_code)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    build: String,
}

impl Decode for Version {
    fn decode(r: &mut Reader<'_>) -> Result<Version, DecodeError> {
        Ok(Version {
            major: Decode::decode(r)?,
            minor: Decode::decode(r)?,
            patch: Decode::decode(r)?,
            pre: Decode::decode(r)?,
            build: Decode::decode(r)?,
        })
    }
}

/// compwrap's `error` record.
#[derive(Debug)]
#[allow(dead_code)]
pub struct Error {
    message: String,
    chain: Vec<String>,
    debug: String,
    kind: Option<String>,
}

impl Decode for Error {
    fn decode(r: &mut Reader<'_>) -> Result<Error, DecodeError> {
        Ok(Error {
            message: Decode::decode(r)?,
            chain: Decode::decode(r)?,
            debug: Decode::decode(r)?,
            kind: Decode::decode(r)?,
        })
    }
}

/// semver@1.0.28 from the local store: its bytes and digest.
pub fn component() -> Option<(Vec<u8>, String)> {
    let store = compwrap_host::Store::open_default().ok()?;
    let found = store
        .resolve("semver@1.0.28")
        .and_then(|d| Ok((store.read_blob(&d)?, d.to_string())));
    match found {
        Ok(found) => Some(found),
        Err(e) => {
            eprintln!(
                "skipping: {e:#} (run `cargo run --release -p compwrap -- generate semver@1.0.28`)"
            );
            None
        }
    }
}
