//! Shared by the integration tests of this package.

#[allow(dead_code)] // only the registry tests start a registry
pub mod registry;

use std::path::{Path, PathBuf};

/// The store shared by tests (builds are reused across tests and runs):
/// `$COMPWRAP_TEST_HOME`, set by `cargo xtask test`, else one under cargo's
/// target directory.
pub fn test_home() -> PathBuf {
    std::env::var_os("COMPWRAP_TEST_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("compwrap-home"))
}

/// The shared test store, opened.
#[allow(dead_code)] // not every test file opens the store itself
pub fn test_store() -> compwrap::Store {
    compwrap::Store::open(test_home()).expect("open the test store")
}
