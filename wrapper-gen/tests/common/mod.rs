//! Shared by the integration tests of this package.

#[allow(dead_code)] // only the registry tests start a registry
pub mod registry;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `compwrap` binary under test.
pub const EXE: &str = env!("CARGO_BIN_EXE_compwrap");

/// Runs compwrap with `home` as its store and nothing on stdin.
#[allow(dead_code)] // not every test file runs the binary
pub fn compwrap(home: &Path, args: &[&str]) -> Output {
    Command::new(EXE)
        .args(args)
        .env("COMPWRAP_HOME", home)
        .stdin(Stdio::null())
        .output()
        .expect("run compwrap")
}

/// Its stdout and stderr, for messages and assertions.
#[allow(dead_code)]
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Its stdout as JSON; fails with its output unless it succeeded.
#[allow(dead_code)]
pub fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", text(o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(o)))
}

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

/// Compares `actual` with the file `expected`; with `BLESS=1` in the
/// environment, writes it instead.
#[allow(dead_code)] // only the golden and shape tests compare files
pub fn check(expected: &Path, actual: &str) {
    if std::env::var_os("BLESS").is_some() {
        std::fs::create_dir_all(expected.parent().unwrap()).unwrap();
        std::fs::write(expected, actual).unwrap();
        return;
    }
    let want = std::fs::read_to_string(expected).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with BLESS=1 to create it)",
            expected.display()
        )
    });
    if want != actual {
        let diff: Vec<String> = want
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n  expected: {a}\n  actual:   {b}", i + 1))
            .collect();
        panic!(
            "{} differs from what compwrap derives now (BLESS=1 updates it):\n{}\n(expected {} lines, got {})",
            expected.display(),
            diff.join("\n"),
            want.lines().count(),
            actual.lines().count()
        );
    }
}

/// This package's directory: cargo sets it at run time too, and that value
/// is right even when the test binary was built in another checkout.
#[allow(dead_code)]
pub fn manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}
