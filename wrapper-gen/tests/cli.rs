//! The `compwrap` command end to end: bad input, store reuse, atomicity and
//! concurrency, reproducible components.

mod common;

use common::{EXE, compwrap, json as generated_json, manifest_dir, test_home, text};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Asserts a failure with `code` whose message contains `needle`.
fn assert_fails(o: &Output, code: i32, needle: &str) {
    let t = text(o);
    assert_eq!(o.status.code(), Some(code), "{t}");
    assert!(t.contains("error: "), "{t}");
    assert!(t.contains(needle), "expected `{needle}` in:\n{t}");
}

/// Nothing was stored: no refs, keys or blobs, no temporary files.
fn assert_store_empty(home: &Path) {
    for dir in ["refs", "keys", "blobs/sha256"] {
        let entries: Vec<_> = std::fs::read_dir(home.join(dir))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        assert!(entries.is_empty(), "{dir} should be empty: {entries:?}");
    }
}

#[test]
fn unknown_crate_is_a_clear_error_and_stores_nothing() {
    let home = tempfile::tempdir().unwrap();
    let o = compwrap(
        home.path(),
        &["generate", "compwrap-no-such-crate-zzz", "--yes"],
    );
    assert_fails(&o, 3, "was not found on crates.io");
    assert_store_empty(home.path());
}

#[test]
fn unknown_version_is_a_clear_error() {
    let home = tempfile::tempdir().unwrap();
    let o = compwrap(home.path(), &["generate", "semver@99.0.0", "--yes"]);
    assert_fails(&o, 3, "no version of `semver` matches `=99.0.0`");
    assert_store_empty(home.path());
}

#[test]
fn crate_that_cannot_target_wasm32_fails_with_the_compiler_error() {
    // Other tests store tokio with other features: compare tokio's entries.
    let tokio_refs = || {
        let refs = compwrap(&test_home(), &["ls", "--json"]);
        let refs: serde_json::Value = serde_json::from_slice(&refs.stdout).unwrap();
        let all = refs.as_array().cloned().unwrap_or_default();
        all.into_iter()
            .filter(|r| r["name"] == "tokio")
            .collect::<Vec<_>>()
    };
    let before = tokio_refs();
    // tokio's `net` needs sockets that wasm32-wasip2 does not provide to it.
    let o = compwrap(
        &test_home(),
        &["generate", "tokio@1", "--features", "net", "--yes"],
    );
    assert_fails(&o, 4, "does not build for wasm32-wasip2");
    assert!(
        text(&o).contains("Only features"),
        "tokio's own compile_error is shown: {}",
        text(&o)
    );
    assert!(text(&o).contains("hint:"), "{}", text(&o));
    assert_eq!(tokio_refs(), before, "nothing stored for tokio");
}

#[test]
fn garbage_and_core_modules_are_not_components() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.wasm");
    std::fs::write(&garbage, b"definitely not wasm").unwrap();
    let core = dir.path().join("core.wasm");
    std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
    for (file, why) in [
        (&garbage, "component header"),
        (&core, "core WebAssembly module"),
    ] {
        for cmd in ["inspect", "wit"] {
            let o = compwrap(dir.path(), &[cmd, file.to_str().unwrap()]);
            assert_fails(&o, 6, why);
        }
        let o = compwrap(dir.path(), &["call", file.to_str().unwrap(), "f"]);
        assert_fails(&o, 6, "is not a WebAssembly component");
    }
}

#[test]
fn component_not_in_store_names_the_fix() {
    let home = tempfile::tempdir().unwrap();
    let o = compwrap(home.path(), &["inspect", "semver@1.0.28"]);
    assert_fails(&o, 3, "compwrap generate semver@1.0.28");
}

#[test]
fn generate_reuses_the_stored_component_and_call_works() {
    let home = test_home();
    let first = generated_json(&compwrap(
        &home,
        &["generate", "semver@1.0.28", "--json", "--yes"],
    ));
    let again = compwrap(&home, &["generate", "semver@1.0.28", "--yes"]);
    assert!(again.status.success(), "{}", text(&again));
    assert!(text(&again).contains("Reused"), "{}", text(&again));
    let second = generated_json(&compwrap(
        &home,
        &["generate", "semver@1.0.28", "--json", "--yes"],
    ));
    assert_eq!(second["reused"], true);
    assert_eq!(first["digest"], second["digest"]);

    let o = compwrap(
        &home,
        &["call", "semver@1.0.28", "version-parse", "\"1.2.3-beta.1\""],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        r#"ok({major: 1, minor: 2, patch: 3, pre: "beta.1", build: ""})"#
    );

    // A version requirement, as `generate` takes it, names the newest
    // stored match, and the command says which.
    let o = compwrap(
        &home,
        &["call", "semver@=1.0.28", "version-parse", "\"1.2.3\""],
    );
    assert!(o.status.success(), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(&format!(
            "Resolved `semver@=1.0.28` to semver@1.0.28 ({})",
            first["digest"].as_str().unwrap()
        )),
        "{stderr}"
    );
    let o = compwrap(&home, &["wit", "semver@1"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("to semver@1.0."),
        "{}",
        text(&o)
    );
    let o = compwrap(&home, &["wit", "semver@9"]);
    assert_fails(&o, 3, "the store has semver@");

    let o = compwrap(&home, &["call", "semver@1.0.28", "version-nope"]);
    assert_fails(&o, 7, "version-new");
    let o = compwrap(&home, &["call", "semver@1.0.28", "version-parse", "42"]);
    assert_fails(&o, 7, "text");
    let o = compwrap(&home, &["call", "semver@1.0.28", "version-parse"]);
    assert_fails(&o, 7, "argument");

    let o = compwrap(&home, &["inspect", "semver@1.0.28", "--json"]);
    let i: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(i["digest"], first["digest"]);
    assert_eq!(i["metadata"]["name"], "semver");
    assert_eq!(i["metadata"]["version"], "1.0.28");
    assert_eq!(i["metadata"]["compwrap"]["generate_key"], first["key"]);
    assert!(
        i["exports"]["compwrap:semver/semver@1.0.28"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "version-parse")
    );
}

/// `--only` keeps the named items and the types they need; the component
/// builds, is found by digest, and does not replace `name@version`.
#[test]
fn only_generates_the_named_items_and_the_types_they_need() {
    let home = test_home();
    generated_json(&compwrap(
        &home,
        &["generate", "semver@1.0.28", "--json", "--yes"],
    ));
    let args = [
        "generate",
        "semver@1.0.28",
        "--only",
        "semver::VersionReq::matches,semver::Version::parse",
        "--json",
        "--yes",
    ];
    let g = generated_json(&compwrap(&home, &args));
    let wit = g["wit"].as_str().unwrap();
    for wanted in [
        "version-req-matches:",
        "version-parse:",
        "record version {",
        "record comparator {",
        "enum op {",
    ] {
        assert!(wit.contains(wanted), "{wanted} missing:\n{wit}");
    }
    for unwanted in ["version-req-parse:", "comparator-parse:", "prerelease-new:"] {
        assert!(!wit.contains(unwanted), "{unwanted} kept:\n{wit}");
    }
    let items = g["report"]["items"].as_array().unwrap();
    let item = |path: &str| items.iter().find(|i| i["path"] == path).unwrap();
    assert_eq!(
        item("semver::Comparator::parse")["category"],
        "not-selected"
    );
    assert_eq!(
        item("semver::Version::parse")["wit"],
        "semver.version-parse"
    );

    let digest = g["digest"].as_str().unwrap();
    let o = compwrap(&home, &["call", digest, "version-parse", "\"1.2.3\""]);
    assert!(o.status.success(), "{}", text(&o));
    let o = compwrap(&home, &["call", digest, "version-req-parse", "\">=1\""]);
    assert_fails(&o, 7, "version-req-parse");
    // The whole crate's component is still `semver@1.0.28`.
    let o = compwrap(
        &home,
        &["call", "semver@1.0.28", "version-req-parse", "\">=1\""],
    );
    assert!(o.status.success(), "{}", text(&o));

    let o = compwrap(
        &home,
        &[
            "generate",
            "semver@1.0.28",
            "--dry-run",
            "--only",
            "semver::Verson::parse",
        ],
    );
    assert_fails(&o, 3, "closest: semver::Version::parse");
}

/// A crate whose API is only macros maps nothing: exit 5, with the report.
#[test]
fn crate_with_nothing_mappable_says_why() {
    let home = test_home();
    let o = compwrap(
        &home,
        &["generate", "static_assertions@1.1.0", "--dry-run", "--yes"],
    );
    assert_fails(
        &o,
        5,
        "nothing in `static_assertions`'s public API could be mapped",
    );
    assert!(text(&o).contains("compile-time"), "{}", text(&o));
    let o = compwrap(
        &home,
        &[
            "generate",
            "static_assertions@1.1.0",
            "--dry-run",
            "--json",
            "--yes",
        ],
    );
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(
        report["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["category"] == "compile-time"),
        "{report}"
    );
}

#[test]
fn regex_methods_are_callable_from_the_command_line() {
    let home = test_home();
    generated_json(&compwrap(
        &home,
        &["generate", "regex@1.13.2", "--json", "--yes"],
    ));
    let o = compwrap(
        &home,
        &[
            "call",
            "regex@1.13.2",
            "regex#regex.is-match",
            "--self",
            "regex.create(\"a+b\")",
            "\"xaab\"",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "true");
    let o = compwrap(
        &home,
        &[
            "call",
            "regex@1.13.2",
            "regex#regex.is-match",
            "--self",
            "regex.create(\"a(+\")",
            "\"x\"",
        ],
    );
    assert_fails(&o, 7, "repetition operator missing expression");
    let o = compwrap(
        &home,
        &["call", "regex@1.13.2", "regex#regex.is-match", "\"x\""],
    );
    assert_fails(&o, 7, "--self");
}

/// Two stores in different directories, one of them filled by two
/// concurrent runs: one run builds, the other waits and reuses, and both
/// stores end up with byte-identical components.
#[test]
fn concurrent_generates_build_once_and_output_is_reproducible() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let spawn = |home: &Path| {
        Command::new(EXE)
            .args(["generate", "semver@1.0.28", "--json", "--yes"])
            .env("COMPWRAP_HOME", home)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (p1, p2) = (spawn(a.path()), spawn(a.path()));
    let r1 = generated_json(&p1.wait_with_output().unwrap());
    let r2 = generated_json(&p2.wait_with_output().unwrap());
    let built: Vec<bool> = [&r1, &r2].iter().map(|r| r["reused"] == false).collect();
    assert_eq!(
        built.iter().filter(|b| **b).count(),
        1,
        "exactly one run builds: {r1} {r2}"
    );
    assert_eq!(r1["digest"], r2["digest"]);

    // The second store is filled from another working directory too.
    let elsewhere = tempfile::tempdir().unwrap();
    let other = Command::new(EXE)
        .args(["generate", "semver@1.0.28", "--json", "--yes"])
        .env("COMPWRAP_HOME", b.path())
        .current_dir(elsewhere.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let other = generated_json(&other);
    assert_eq!(other["reused"], false);
    assert_eq!(
        other["digest"], r1["digest"],
        "same inputs, different store and working directory, same bytes"
    );
}

#[test]
fn killed_generate_leaves_no_partial_entry() {
    let home = tempfile::tempdir().unwrap();
    let mut child = Command::new(EXE)
        .args(["generate", "semver@1.0.28", "--yes"])
        .env("COMPWRAP_HOME", home.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the guest build has started, then kill compwrap.
    let manifest = home.path().join("build/guests/semver-1.0.28/Cargo.toml");
    let started = Instant::now();
    while !manifest.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "generate never reached the build"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "generate ended before the build started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(500));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_store_empty(home.path());
    // The store is still usable: the next run completes.
    let r = generated_json(&compwrap(
        home.path(),
        &["generate", "semver@1.0.28", "--json", "--yes"],
    ));
    assert_eq!(r["reused"], false);
}

/// With the target missing and no terminal, `generate` says so and runs
/// `rustup target add wasm32-wasip2` itself. A stand-in `rustc` reports a
/// sysroot without the target (and passes every other call to the real
/// one); a stand-in `rustup` records what it was asked.
#[cfg(unix)]
#[test]
fn missing_wasm_target_is_installed_with_rustup() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.path().join("rustup.log");
    let empty_sysroot = dir.path().join("sysroot");
    let real_rustc =
        String::from_utf8(Command::new("which").arg("rustc").output().unwrap().stdout).unwrap();
    let scripts = [
        (
            "rustc",
            format!(
                "#!/bin/sh\nif [ \"$1\" = --print ] && [ \"$2\" = sysroot ]; then echo {}; exit 0; fi\nexec {} \"$@\"\n",
                empty_sysroot.display(),
                real_rustc.trim()
            ),
        ),
        (
            "rustup",
            format!("#!/bin/sh\necho \"$@\" >> {}\n", log.display()),
        ),
    ];
    for (name, text) in scripts {
        let path = bin.join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let o = Command::new(EXE)
        .args(["generate", "compwrap-no-such-crate-zzz"])
        .env("COMPWRAP_HOME", dir.path().join("home"))
        .env("PATH", path)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let t = text(&o);
    assert!(
        t.contains("the `wasm32-wasip2` target is not installed"),
        "{t}"
    );
    assert!(
        t.contains("running `rustup target add wasm32-wasip2`"),
        "{t}"
    );
    assert_eq!(
        std::fs::read_to_string(&log).unwrap().trim(),
        "target add wasm32-wasip2"
    );
    // It then went on (and stopped at the unknown crate).
    assert_fails(&o, 3, "was not found on crates.io");
}

/// `generate --path` builds a crate from a local directory (here a copy of
/// a shape test's crate), `call` finds it by name, and an edit to its
/// sources is a new component, not a reuse.
#[test]
fn a_local_crate_generates_and_an_edit_rebuilds_it() {
    let home = test_home();
    let work = tempfile::tempdir().unwrap();
    let source = manifest_dir().join("tests/shapes/name-collision/crate");
    std::fs::create_dir_all(work.path().join("src")).unwrap();
    for file in ["Cargo.toml", "src/lib.rs"] {
        std::fs::copy(source.join(file), work.path().join(file)).unwrap();
    }
    let dir = work.path().to_str().unwrap();
    let first = generated_json(&compwrap(
        &home,
        &["generate", "--path", dir, "--json", "--yes"],
    ));
    assert_eq!(first["crate"], "shape-name-collision");
    let o = compwrap(&home, &["call", "shape-name-collision", "hash", "[97]"]);
    assert!(o.status.success(), "{}", text(&o));
    // FNV-1a of "a".
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "12638187200555641996"
    );

    let lib = work.path().join("src/lib.rs");
    let edited =
        std::fs::read_to_string(&lib).unwrap() + "\n/// Added.\npub fn one() -> u32 {\n    1\n}\n";
    std::fs::write(&lib, edited).unwrap();
    let second = generated_json(&compwrap(
        &home,
        &["generate", "--path", dir, "--json", "--yes"],
    ));
    // (A store kept from an earlier run may already hold the edited crate's
    // component: reused or not, it is another one.)
    assert_ne!(first["digest"], second["digest"]);
    assert_ne!(first["key"], second["key"]);
    let o = compwrap(&home, &["call", "shape-name-collision", "one"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "1");
}

#[test]
fn a_resource_argument_is_the_call_that_makes_it() {
    let home = test_home();
    let dir = manifest_dir().join("tests/shapes/component-names/crate");
    let dir = dir.to_str().unwrap();
    generated_json(&compwrap(
        &home,
        &["generate", "--path", dir, "--json", "--yes"],
    ));
    let call = |args: &[&str]| {
        let mut all = vec!["call", "shape-component-names", "same"];
        all.extend(args);
        compwrap(&home, &all)
    };
    let o = call(&["html.parse(\"x\")", "html.parse(\" x \")"]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "true");
    let o = call(&["html.parse(\"x\")", "html.parse(\"y\")"]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "false");
    // A method whose Rust name is a keyword (`Html::r#match`).
    let o = compwrap(
        &home,
        &[
            "call",
            "shape-component-names",
            "html.match",
            "--self",
            "html.parse(\"abc\")",
            "\"b\"",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "true");
    // One argument too many: counted, not dropped.
    let o = call(&["html.parse(\"x\")", "html.parse(\"x\")", "1"]);
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    assert!(text(&o).contains("got 3"), "{}", text(&o));
    // Not a call: said so, with the argument's name.
    let o = call(&["html.parse(\"x\")", "\"y\""]);
    assert_eq!(o.status.code(), Some(7), "{}", text(&o));
    assert!(text(&o).contains("argument `b`"), "{}", text(&o));
}

#[test]
fn a_resource_argument_of_a_resource_argument_is_made_first() {
    let home = test_home();
    let dir = manifest_dir().join("tests/shapes/universal-value/crate");
    generated_json(&compwrap(
        &home,
        &[
            "generate",
            "--path",
            dir.to_str().unwrap(),
            "--json",
            "--yes",
        ],
    ));
    // `--self` is `clone(self)`, whose `self` is made by `sum`.
    let o = compwrap(
        &home,
        &[
            "call",
            "shape-universal-value",
            "dynamic.text",
            "--self",
            "dynamic.clone(sum([1, 2]))",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "\"number 3\"");
}

#[test]
fn a_crate_that_compiles_c_builds_with_the_wasm_c_toolchain() {
    // `cargo xtask setup` installs clang, lld and a WASI libc.
    assert!(
        compwrap::toolchain::CToolchain::find().is_some(),
        "no C toolchain for wasm32 (run `cargo xtask setup`)"
    );
    let home = test_home();
    // zstd-sys builds the zstd C library with `cc`; `encode_all` and
    // `decode_all` take readers (`R: Read`), so bytes.
    let g = generated_json(&compwrap(
        &home,
        &["generate", "zstd@0.13.3", "--json", "--yes"],
    ));
    assert!(g["wit"].as_str().unwrap().contains("encode-all"), "{g}");
    let data: Vec<u8> = b"compwrap ".repeat(40);
    let list = |bytes: &[u8]| {
        let items: Vec<String> = bytes.iter().map(u8::to_string).collect();
        format!("[{}]", items.join(", "))
    };
    let o = compwrap(
        &home,
        &["call", "zstd@0.13.3", "encode-all", &list(&data), "3"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let encoded = String::from_utf8_lossy(&o.stdout).trim().to_string();
    let inner = encoded
        .strip_prefix("ok(")
        .and_then(|e| e.strip_suffix(')'));
    let inner = inner.unwrap_or_else(|| panic!("{encoded}"));
    // A zstd frame (magic 28 b5 2f fd), smaller than the input.
    assert!(inner.starts_with("[40, 181, 47, 253"), "{inner}");
    assert!(inner.len() < list(&data).len(), "{inner}");
    let o = compwrap(&home, &["call", "zstd@0.13.3", "decode-all", inner]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        format!("ok({})", list(&data))
    );
}
