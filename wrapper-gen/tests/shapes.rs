//! Shape tests, one directory per API shape under `tests/shapes/<case>/`:
//! a tiny crate (`crate/`), the WIT compwrap derives for it (`world.wit`)
//! and its mapping report (`compwrap-report.json`). A case named `error-*`
//! expects the derivation to fail with the message in `error.txt`. With a
//! `calls.json` (`[{"call": "f", "args": ["WAVE", …], "expect": "WAVE"}]`,
//! or `"error": "text"` for a call that must fail saying so)
//! the case is also built and each call's result compared; items left out
//! of the build because their glue did not compile are in `glue-errors.txt`,
//! default features turned off (they do not build for wasm32) in
//! `features.txt`. The crates have
//! no dependencies, so nothing comes from the network.
//! `BLESS=1 cargo test -p compwrap --test shapes` rewrites the expected
//! files; a new case needs only its `crate/`.

mod common;

use std::path::Path;

use common::{check, manifest_dir, test_store};
use compwrap::generate::{Options, Quiet};
use compwrap::resolve::{CrateSpec, Features};

fn run(case: &Path) {
    let dir = case.join("crate");
    let options = Options {
        spec: CrateSpec::local(&dir).unwrap_or_else(|e| panic!("{}: {e:#}", dir.display())),
        only: Vec::new(),
        features: Features::default(),
        assume_yes: false,
        force: false,
        cache: None,
    };
    let name = case.file_name().unwrap().to_string_lossy();
    let derived = compwrap::generate::derive_only(&test_store(), &options, &Quiet);
    match derived {
        Err(error) if name.starts_with("error-") => {
            let message = format!("{error:#}\n").replace(&dir.display().to_string(), "<crate>");
            check(&case.join("error.txt"), &message);
        }
        Err(error) => panic!("{name}: {error:#}"),
        Ok(_) if name.starts_with("error-") => panic!("{name}: derived, but expected to fail"),
        Ok((wit, report)) => {
            check(&case.join("world.wit"), &wit);
            check(
                &case.join("compwrap-report.json"),
                &(serde_json::to_string_pretty(&report).unwrap() + "\n"),
            );
            let calls = case.join("calls.json");
            if calls.is_file() {
                run_calls(&name, &options, &calls);
            }
        }
    }
}

/// Builds the case's component and makes the calls of `calls.json`.
fn run_calls(name: &str, options: &Options, calls: &Path) {
    #[derive(serde::Deserialize)]
    struct Call {
        call: String,
        args: Vec<String>,
        #[serde(default)]
        expect: String,
        /// Instead of `expect`: the call fails, with this in its message.
        error: Option<String>,
    }
    let calls: Vec<Call> = serde_json::from_slice(&std::fs::read(calls).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", calls.display()));
    let generated = compwrap::generate::generate(&test_store(), options, &Quiet)
        .unwrap_or_else(|e| panic!("{name}: {e:#}"));
    // Items whose glue did not compile, left out of the built component.
    let glue_errors: String = generated
        .report
        .items
        .iter()
        .filter(|i| i.category == Some(compwrap::report::Category::GlueError))
        .map(|i| format!("{}: {}\n", i.path, i.skipped.as_deref().unwrap_or_default()))
        .collect();
    let expected = options
        .spec
        .path
        .as_ref()
        .unwrap()
        .join("../glue-errors.txt");
    if !glue_errors.is_empty() || expected.is_file() {
        check(&expected, &glue_errors);
    }
    // Default features turned off because they do not build for wasm32.
    let features = options.spec.path.as_ref().unwrap().join("../features.txt");
    if generated.features_changed.is_some() || features.is_file() {
        let changed = generated.features_changed.clone().unwrap_or_default();
        check(&features, &(changed + "\n"));
    }
    let runtime = compwrap_host::Runtime::new().unwrap();
    let bytes = std::fs::read(&generated.path).unwrap();
    let mut instance = runtime.load_bytes(&bytes).unwrap().instantiate().unwrap();
    for call in &calls {
        let args: Vec<&str> = call.args.iter().map(String::as_str).collect();
        let result = instance.call_wave(&call.call, &args);
        if let Some(error) = &call.error {
            match result {
                Ok(r) => panic!("{name}: {}: expected an error, got {r:?}", call.call),
                Err(e) => assert!(
                    format!("{e:#}").contains(error),
                    "{name}: {}: {e:#} does not say {error:?}",
                    call.call
                ),
            }
            continue;
        }
        let result = result.unwrap_or_else(|e| panic!("{name}: {}: {e:#}", call.call));
        assert_eq!(
            result.as_deref().unwrap_or("()"),
            call.expect,
            "{name}: {}({})",
            call.call,
            args.join(", ")
        );
    }
}

#[test]
fn every_shape_derives_as_expected() {
    let root = manifest_dir().join("tests/shapes");
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("crate").is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no cases in {}", root.display());
    for case in &cases {
        run(case);
    }
}
