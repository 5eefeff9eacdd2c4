//! Golden tests: the WIT and report derived for real crates. `BLESS=1`
//! rewrites the expected files (and the semver example's copy of the WIT).

mod common;

use common::test_store;
use std::path::Path;

use compwrap::resolve::Features;

fn check(expected: &Path, actual: &str) {
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

fn golden(spec: &str) {
    let store = test_store();
    let (wit, report) =
        compwrap::generate::derive_only(&store, &spec.parse().unwrap(), &Features::default())
            .unwrap_or_else(|e| panic!("derive {spec}: {e:?}"));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(spec.replace('@', "-"));
    check(&dir.join("world.wit"), &wit);
    check(
        &dir.join("compwrap-report.json"),
        &(serde_json::to_string_pretty(&report).unwrap() + "\n"),
    );
    if spec.starts_with("semver@") {
        let example =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/semver-host/wit/world.wit");
        check(&example, &wit);
    }
}

#[test]
fn semver() {
    golden("semver@1.0.28");
}

#[test]
fn regex() {
    golden("regex@1.13.2");
}

#[test]
fn every_skip_has_a_reason_and_every_mapping_a_name() {
    let store = test_store();
    let (_, report) = compwrap::generate::derive_only(
        &store,
        &"regex@1.13.2".parse().unwrap(),
        &Features::default(),
    )
    .unwrap();
    for item in &report.items {
        assert!(item.wit.is_some() != item.skipped.is_some(), "{item:?}");
        if let Some(reason) = &item.skipped {
            assert!(!reason.trim().is_empty(), "{item:?}");
        }
    }
    assert!(report.coverage.functions_mapped > 0);
}
