//! `compwrap-host` with real generated components: the native-code cache,
//! resource handles, and the errors a caller sees for mistakes.
//!
//! Run with `cargo test -p compwrap-tests --test runtime`.

use std::path::Path;

use anyhow::{Context, Result};
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{
    REGEX, SEMVER, ValExt, error_message, error_text, generated, generated_with_report,
    native_cache_of, runtime_for, single, string, test_home,
};

#[test]
fn test_home_is_in_cargo_target_tmpdir() -> Result<()> {
    if std::env::var_os(compwrap_tests::HOME_ENV).is_some() {
        return Ok(()); // Chosen by the user; nothing to compare.
    }
    assert_eq!(
        test_home()?,
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("compwrap-home")
    );
    Ok(())
}

#[test]
fn generate_reuses_the_stored_component() -> Result<()> {
    let (store, first, _) = generated_with_report(SEMVER)?;
    // A second generate in a new process would find the key; here the
    // store is asked directly, bypassing the per-process memo.
    let options = compwrap::generate::Options {
        spec: SEMVER.parse()?,
        only: Vec::new(),
        features: compwrap::resolve::Features::default(),
        assume_yes: true,
        force: false,
        cache: None,
    };
    let again = compwrap::generate::generate(&store, &options, &compwrap::generate::Quiet)?;
    assert!(again.reused, "the second generate of {SEMVER} rebuilt it");
    assert_eq!(again.digest, first.digest);
    assert_eq!(again.wit, first.wit);
    assert!(again.path.is_file(), "{} is missing", again.path.display());
    // The stored WIT is the component's: it declares what the component exports.
    let (_, loaded) = generated(SEMVER)?;
    let parse = loaded.export("version-parse")?;
    assert!(
        again.wit.contains("version-parse: func(text: string)"),
        "the stored WIT lacks `{parse}`:\n{}",
        again.wit
    );
    Ok(())
}

#[test]
fn second_load_from_a_fresh_runtime_uses_the_native_cache() -> Result<()> {
    let (store, first) = generated(SEMVER)?;
    let cached = native_cache_of(&first)?.join(format!("{}.cwasm", first.digest().hex()));
    assert!(
        cached.is_file(),
        "the first load did not cache native code at {}",
        cached.display()
    );
    let second = runtime_for(&store)?.load_from_store(&store, SEMVER)?;
    assert!(
        second.was_cached(),
        "a fresh runtime compiled {SEMVER} again instead of using {}",
        cached.display()
    );
    assert_eq!(second.digest(), first.digest());
    // The cached code runs.
    let mut instance = second.instantiate()?;
    let parsed = single(instance.call("version-parse", &[string("1.2.3")])?)?.ok()?;
    assert_eq!(
        parsed.field("minor")?.u64()?,
        semver::Version::parse("1.2.3")?.minor
    );

    let uncached = compwrap_host::Runtime::builder()
        .native_cache_dir(None)
        .build()?
        .load_from_store(&store, SEMVER)?;
    assert!(
        !uncached.was_cached(),
        "a runtime without a cache claims a cache hit"
    );
    Ok(())
}

#[test]
fn dropped_resource_handle_is_an_error() -> Result<()> {
    let (_, loaded) = generated(REGEX)?;
    let mut instance = loaded.instantiate()?;
    let created = single(instance.call("regex#[static]regex.create", &[string("a+")])?)?.ok()?;
    let Val::Resource(re) = created else {
        anyhow::bail!("create returned {created:?}")
    };
    let is_match = |instance: &mut compwrap_host::call::Instance, re| {
        instance.call(
            "regex#[method]regex.is-match",
            &[Val::Resource(re), string("aa")],
        )
    };
    assert_eq!(single(is_match(&mut instance, re)?)?, Val::Bool(true));
    instance.drop_resource(re)?;
    let error = is_match(&mut instance, re).expect_err("a dropped handle was accepted");
    let text = error_text(&error);
    assert!(text.contains("already dropped"), "use after drop: {text}");
    let error = instance
        .drop_resource(re)
        .expect_err("a handle was dropped twice");
    println!("second drop: {}", error_text(&error));
    // The instance itself still works.
    let created = single(instance.call("regex#[static]regex.create", &[string("b+")])?)?.ok()?;
    let Val::Resource(other) = created else {
        anyhow::bail!("create returned {created:?}")
    };
    assert_eq!(
        single(is_match(&mut instance, other)?)?,
        Val::Bool(regex::Regex::new("b+")?.is_match("aa"))
    );
    Ok(())
}

#[test]
fn unknown_wave_handle_is_an_error_naming_the_parameter() -> Result<()> {
    let (_, loaded) = generated(REGEX)?;
    let mut instance = loaded.instantiate()?;
    let error = instance
        .call_wave("regex#[method]regex.is-match", &["#7", r#""x""#])
        .expect_err("a handle that was never handed out was accepted");
    let text = error_text(&error);
    assert!(text.contains("#7"), "{text}");
    assert!(
        text.contains("`self`"),
        "the error does not name the parameter: {text}"
    );
    Ok(())
}

#[test]
fn ill_typed_wave_argument_names_the_parameter() -> Result<()> {
    let (_, loaded) = generated(SEMVER)?;
    let mut instance = loaded.instantiate()?;
    let error = instance
        .call_wave("version-parse", &["42"])
        .expect_err("42 was accepted as a string");
    let text = error_text(&error);
    assert!(
        text.contains("`text`"),
        "the error does not name the parameter `text`: {text}"
    );
    assert!(
        text.contains("string"),
        "the error does not name the expected type: {text}"
    );

    let error = instance
        .call_wave("version-req-matches", &["{comparators: []}", "{major: 1}"])
        .expect_err("a version record without most fields was accepted");
    let text = error_text(&error);
    assert!(
        text.contains("`version`"),
        "the error does not name the parameter `version`: {text}"
    );

    // The instance is unharmed.
    let parsed = instance.call_wave("version-parse", &[r#""1.0.0""#])?;
    assert!(parsed.is_some_and(|p| p.starts_with("ok(")));
    Ok(())
}

#[test]
fn ill_typed_val_argument_is_an_error() -> Result<()> {
    let (_, loaded) = generated(SEMVER)?;
    let mut instance = loaded.instantiate()?;
    let error = instance
        .call("version-parse", &[Val::U64(1)])
        .expect_err("a u64 was accepted as a string");
    let text = error_text(&error);
    assert!(
        text.contains("func(text: string)"),
        "the error shows the signature: {text}"
    );
    let parsed = single(instance.call("version-parse", &[string("1.0.0")])?)?;
    parsed
        .ok()
        .context("the instance still parses after the type error")?;
    Ok(())
}

#[test]
fn unknown_function_is_an_error_naming_close_ones() -> Result<()> {
    let (_, loaded) = generated(SEMVER)?;
    let mut instance = loaded.instantiate()?;
    let error = instance
        .call("version-pars", &[string("1.0.0")])
        .expect_err("an unknown function was called");
    let text = error_text(&error);
    assert!(text.contains("`version-pars`"), "{text}");
    assert!(text.contains("version-parse"), "no suggestion in: {text}");
    let error = instance
        .call_wave("no-such-function", &[])
        .expect_err("an unknown function was called");
    assert!(
        error_text(&error).contains("`no-such-function`"),
        "{}",
        error_text(&error)
    );
    Ok(())
}

#[test]
fn ambiguous_function_name_lists_the_interfaces() -> Result<()> {
    let (_, loaded) = generated(REGEX)?;
    let mut instance = loaded.instantiate()?;
    let error = instance
        .call("[static]regex.create", &[string("a")])
        .expect_err("an ambiguous name was accepted");
    let text = error_text(&error);
    assert!(text.contains("ambiguous"), "{text}");
    assert!(
        text.contains("regex/regex") && text.contains("regex/bytes"),
        "{text}"
    );
    Ok(())
}

#[test]
fn wrong_arity_is_an_error() -> Result<()> {
    let (_, loaded) = generated(SEMVER)?;
    let mut instance = loaded.instantiate()?;
    let error = instance
        .call("version-new", &[Val::U64(1)])
        .expect_err("one argument for three was accepted");
    let text = error_text(&error);
    assert!(
        text.contains("major") && text.contains("patch"),
        "the parameters are not named: {text}"
    );
    Ok(())
}

#[test]
fn guest_panic_is_an_error_with_its_message_then_the_instance_recovers() -> Result<()> {
    // `prerelease` is a string in WIT but must be a valid pre-release in
    // Rust; the glue panics on an invalid one.
    let (_, loaded) = generated(SEMVER)?;
    let mut instance = loaded.instantiate()?;
    assert!(semver::Prerelease::new("01").is_err());
    let error = instance
        .call("prerelease-as-str", &[string("01")])
        .expect_err("an invalid pre-release was accepted");
    let text = error_text(&error);
    assert!(text.contains("trapped"), "{text}");
    assert!(
        text.contains("01"),
        "the guest's panic message is missing: {text}"
    );
    let parsed = single(instance.call("version-parse", &[string("1.2.3")])?)?.ok()?;
    assert_eq!(
        parsed.field("patch")?.u64()?,
        semver::Version::parse("1.2.3")?.patch
    );
    let native_error = semver::Version::parse("1.2").expect_err("invalid");
    let error = single(instance.call("version-parse", &[string("1.2")])?)?.err()?;
    assert_eq!(error_message(&error)?, native_error.to_string());
    Ok(())
}

#[test]
fn handles_from_a_trapped_instance_are_rejected_with_an_explanation() -> Result<()> {
    let (_, loaded) = generated(REGEX)?;
    let mut instance = loaded.instantiate()?;
    let created = single(instance.call("regex#[static]regex.create", &[string("a")])?)?.ok()?;
    let Val::Resource(re) = created else {
        anyhow::bail!("create returned {created:?}")
    };
    let haystack = "abc";
    // Offsets are `usize` in Rust, 32 bits in the guest: a start that does
    // not fit makes the glue panic.
    let error = instance
        .call(
            "regex#[method]regex.is-match-at",
            &[Val::Resource(re), string(haystack), Val::U64(u64::MAX)],
        )
        .expect_err("a start that does not fit in the guest's usize did not trap");
    assert!(
        error_text(&error).contains("trapped"),
        "{}",
        error_text(&error)
    );
    let error = instance
        .call(
            "regex#[method]regex.is-match",
            &[Val::Resource(re), string(haystack)],
        )
        .expect_err("a handle from the discarded instance was accepted");
    let text = error_text(&error);
    assert!(
        text.contains("`self`") && text.contains("earlier instance"),
        "{text}"
    );
    // A new handle from the new instance works.
    let created = single(instance.call("regex#[static]regex.create", &[string("a")])?)?.ok()?;
    let Val::Resource(fresh) = created else {
        anyhow::bail!("create returned {created:?}")
    };
    let is_match = single(instance.call(
        "regex#[method]regex.is-match",
        &[Val::Resource(fresh), string(haystack)],
    )?)?;
    assert_eq!(
        is_match,
        Val::Bool(regex::Regex::new("a")?.is_match(haystack))
    );
    Ok(())
}

/// One `Pool` handle shared by 8 threads, 10,000 calls each, every result
/// checked against the native crate.
#[test]
fn a_pool_serves_many_threads_with_correct_results() -> Result<()> {
    let (_, loaded) = generated(SEMVER)?;
    let pool = loaded.pool();
    std::thread::scope(|scope| -> Result<()> {
        let workers: Vec<_> = (0..8u64)
            .map(|t| {
                let pool = pool.clone();
                scope.spawn(move || -> Result<()> {
                    for i in 0..10_000u64 {
                        let text = format!("{t}.{i}.{}-rc.{}", i % 7, i % 3);
                        let native = semver::Version::parse(&text)?;
                        let parsed = single(pool.call("version-parse", &[string(&text)])?)?.ok()?;
                        anyhow::ensure!(
                            parsed.field("major")?.u64()? == native.major
                                && parsed.field("minor")?.u64()? == native.minor
                                && parsed.field("patch")?.u64()? == native.patch
                                && parsed.field("pre")?.str()? == native.pre.as_str(),
                            "thread {t}, call {i}: {parsed:?}"
                        );
                    }
                    Ok(())
                })
            })
            .collect();
        for worker in workers {
            worker.join().expect("a worker panicked")?;
        }
        Ok(())
    })?;
    assert!(pool.idle() >= 1 && pool.idle() <= 8, "{} idle", pool.idle());
    // Functions with resources need their own instance.
    let (_, regex) = generated(REGEX)?;
    let error = regex
        .pool()
        .call("regex#[static]regex.create", &[string("a+")])
        .unwrap_err();
    assert!(
        error_text(&error).contains("takes or returns a resource"),
        "{error:#}"
    );
    Ok(())
}

/// The resident set size of this process, from `/proc/self/statm`.
fn resident_bytes() -> Result<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm")?;
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .context("statm has no resident field")?
        .parse()?;
    Ok(pages * 4096)
}

/// 10,000 calls that trap in a row (each discards its instance) leave
/// resident memory where it was, and normal calls work afterwards.
#[test]
fn ten_thousand_traps_do_not_grow_resident_memory() -> Result<()> {
    let (_, loaded) = generated(SEMVER)?;
    let mut instance = loaded.instantiate()?;
    // A string that is not a prerelease traps in the guest's conversion.
    let trap = |instance: &mut compwrap_host::call::Instance| {
        instance
            .call("prerelease-is-empty", &[string("not a prerelease!")])
            .unwrap_err()
    };
    for _ in 0..500 {
        trap(&mut instance);
    }
    let before = resident_bytes()?;
    for _ in 0..10_000 {
        trap(&mut instance);
    }
    let after = resident_bytes()?;
    assert!(
        after <= before + before / 10,
        "resident memory grew from {before} to {after} bytes over 10,000 traps"
    );
    let ok = single(instance.call("version-parse", &[string("1.2.3")])?)?.ok()?;
    assert_eq!(ok.field("major")?.u64()?, 1);
    Ok(())
}
