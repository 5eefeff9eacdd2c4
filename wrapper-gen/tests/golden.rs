//! Golden tests: the WIT and report derived for real crates. `BLESS=1`
//! rewrites the expected files (and the semver example's copy of the WIT).

mod common;

use common::{check, manifest_dir, test_store};

use compwrap::generate::{Options, Quiet};
use compwrap::report::Report;
use compwrap::resolve::Features;

/// The WIT and report compwrap derives for `spec`, without building.
fn derive(spec: &str) -> (String, Report) {
    let options = Options {
        spec: spec.parse().unwrap(),
        only: Vec::new(),
        features: Features::default(),
        assume_yes: false,
        force: false,
        cache: None,
    };
    compwrap::generate::derive_only(&test_store(), &options, &Quiet)
        .unwrap_or_else(|e| panic!("derive {spec}: {e:?}"))
}

fn golden(spec: &str) {
    let (wit, report) = derive(spec);
    let dir = manifest_dir()
        .join("tests/golden")
        .join(spec.replace('@', "-"));
    check(&dir.join("world.wit"), &wit);
    check(
        &dir.join("compwrap-report.json"),
        &(serde_json::to_string_pretty(&report).unwrap() + "\n"),
    );
    if spec.starts_with("semver@") {
        // The WIT compwrap-host's benchmark binds with `bindgen!`.
        let example = manifest_dir().join("../host-runtime/benches/semver-wit");
        check(&example.join("world.wit"), &wit);
        check(
            &example.join("deps/compwrap-types/types.wit"),
            compwrap::wit::TYPES_WIT,
        );
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
    let (_, report) = derive("regex@1.13.2");
    for item in &report.items {
        assert!(item.wit.is_some() != item.skipped.is_some(), "{item:?}");
        if let Some(reason) = &item.skipped {
            assert!(!reason.trim().is_empty(), "{item:?}");
        }
    }
    assert!(report.coverage.functions_mapped > 0);
}
