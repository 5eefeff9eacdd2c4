//! The generated `semver` component against the native `semver` crate.
//!
//! Run with `cargo test -p compwrap-tests --test semver`; the first run
//! builds the component (a few minutes), later runs reuse it from the shared
//! test store.

use anyhow::{Context, Result, ensure};
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{SEMVER, ValExt, call1, error_message, from_wave, generated, string, to_wave};
use semver::{Comparator, Op, Prerelease, Version, VersionReq};

const VALID_VERSIONS: &[&str] = &[
    "0.0.0",
    "1.2.3",
    "10.20.30",
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-0.3.7",
    "1.0.0-x.7.z.92",
    "1.0.0+20130313144700",
    "1.0.0-beta+exp.sha.5114f85",
    "1.2.3-rc.1+build.5",
    "18446744073709551615.0.1",
];

const INVALID_VERSIONS: &[&str] = &[
    "",
    "1.2",
    "1.0.01",
    "x",
    "1.2.3-",
    "1.2.3+",
    "01.2.3",
    "1.2.3-a..b",
    " 1.2.3",
    "18446744073709551616.0.0",
    "1.2.3-α",
    "1.2.3\0",
];

fn semver() -> Result<Instance> {
    let (_, loaded) = generated(SEMVER)?;
    loaded.instantiate()
}

/// A native `Version` as the component's `version` record.
fn version_val(v: &Version) -> Val {
    Val::Record(vec![
        ("major".into(), Val::U64(v.major)),
        ("minor".into(), Val::U64(v.minor)),
        ("patch".into(), Val::U64(v.patch)),
        ("pre".into(), Val::String(v.pre.to_string())),
        ("build".into(), Val::String(v.build.to_string())),
    ])
}

/// The WIT name of the `op` enum case for a native `Op`.
fn op_case(op: Op) -> &'static str {
    match op {
        Op::Exact => "exact",
        Op::Greater => "greater",
        Op::GreaterEq => "greater-eq",
        Op::Less => "less",
        Op::LessEq => "less-eq",
        Op::Tilde => "tilde",
        Op::Caret => "caret",
        Op::Wildcard => "wildcard",
        _ => "unknown",
    }
}

fn opt_u64(n: Option<u64>) -> Val {
    Val::Option(n.map(|n| Box::new(Val::U64(n))))
}

/// A native `Comparator` as the component's `comparator` record.
fn comparator_val(c: &Comparator) -> Val {
    Val::Record(vec![
        ("op".into(), Val::Enum(op_case(c.op).into())),
        ("major".into(), Val::U64(c.major)),
        ("minor".into(), opt_u64(c.minor)),
        ("patch".into(), opt_u64(c.patch)),
        ("pre".into(), Val::String(c.pre.to_string())),
    ])
}

/// A native `VersionReq` as the component's `version-req` record.
fn version_req_val(req: &VersionReq) -> Val {
    Val::Record(vec![(
        "comparators".into(),
        Val::List(req.comparators.iter().map(comparator_val).collect()),
    )])
}

#[test]
fn parses_valid_versions_like_native() -> Result<()> {
    let mut semver = semver()?;
    for text in VALID_VERSIONS {
        let native = Version::parse(text).with_context(|| format!("native parse of {text:?}"))?;
        let parsed = call1(&mut semver, "version-parse", &[string(text)])?
            .ok()
            .with_context(|| format!("version-parse({text:?})"))?;
        assert_eq!(parsed, version_val(&native), "version-parse({text:?})");
    }
    Ok(())
}

#[test]
fn parses_versions_through_wave_like_native() -> Result<()> {
    let mut semver = semver()?;
    let result_type = semver
        .func_type("version-parse")?
        .result
        .clone()
        .context("version-parse returns")?;
    for text in ["1.2.3-beta.1+build.5", "0.1.0"] {
        let native = Version::parse(text)?;
        let wave = semver
            .call_wave("version-parse", &[&to_wave(&string(text))?])?
            .context("version-parse returns a value")?;
        let expected = Val::Result(Ok(Some(Box::new(version_val(&native)))));
        assert_eq!(
            from_wave(&result_type.ty, &wave)?,
            expected,
            "version-parse({text:?}) gave {wave}"
        );
    }
    Ok(())
}

#[test]
fn invalid_versions_give_the_native_error_message() -> Result<()> {
    let mut semver = semver()?;
    for text in INVALID_VERSIONS {
        let native = Version::parse(text).expect_err("the test input is invalid");
        let error = call1(&mut semver, "version-parse", &[string(text)])?
            .err()
            .with_context(|| format!("version-parse({text:?})"))?;
        assert_eq!(
            error_message(&error)?,
            native.to_string(),
            "version-parse({text:?})"
        );
        let debug = error.field("debug")?.str()?;
        assert_eq!(
            debug,
            format!("{native:?}"),
            "debug text of version-parse({text:?})"
        );
        let kind = error
            .field("kind")?
            .option()?
            .context("the error names its Rust type")?
            .str()?;
        assert!(
            kind.starts_with("semver::"),
            "kind of version-parse({text:?}) is {kind:?}"
        );
    }
    Ok(())
}

#[test]
fn version_new_builds_the_native_version() -> Result<()> {
    let mut semver = semver()?;
    for (major, minor, patch) in [(0, 0, 0), (1, 2, 3), (u64::MAX, 0, u64::MAX)] {
        let version = call1(
            &mut semver,
            "version-new",
            &[Val::U64(major), Val::U64(minor), Val::U64(patch)],
        )?;
        assert_eq!(version, version_val(&Version::new(major, minor, patch)));
    }
    Ok(())
}

const REQ_MATCHES: &[(&str, &str)] = &[
    (">=1.2.0, <1.8.0", "1.2.3"),
    (">=1.2.0, <1.8.0", "1.8.0"),
    (">=1.2.0, <1.8.0", "1.3.0-alpha"),
    ("^1.2", "1.9.9"),
    ("^1.2", "2.0.0"),
    ("^0.2.3", "0.2.9"),
    ("^0.2.3", "0.3.0"),
    ("~1.2.3", "1.2.7"),
    ("~1.2.3", "1.3.0"),
    ("=1.2.3", "1.2.3"),
    ("=1.2.3", "1.2.3+build"),
    ("1.*", "1.99.0"),
    ("1.*", "2.0.0"),
    ("*", "0.0.1"),
    ("*", "1.0.0-rc.1"),
    (">1.0.0-alpha", "1.0.0-beta"),
    (">1.0.0-alpha", "1.0.1-beta"),
    ("<=2.0.0", "2.0.0"),
    ("<2", "1.999.0"),
];

#[test]
fn version_req_matches_like_native() -> Result<()> {
    let mut semver = semver()?;
    for (req_text, version_text) in REQ_MATCHES {
        let native_req = VersionReq::parse(req_text)?;
        let native_version = Version::parse(version_text)?;
        let req = call1(&mut semver, "version-req-parse", &[string(req_text)])?
            .ok()
            .with_context(|| format!("version-req-parse({req_text:?})"))?;
        assert_eq!(
            req,
            version_req_val(&native_req),
            "version-req-parse({req_text:?})"
        );
        let version = call1(&mut semver, "version-parse", &[string(version_text)])?.ok()?;
        let matches = call1(&mut semver, "version-req-matches", &[req, version])?.bool()?;
        assert_eq!(
            matches,
            native_req.matches(&native_version),
            "version-req-matches({req_text:?}, {version_text:?})"
        );
    }
    Ok(())
}

#[test]
fn version_req_built_on_the_host_matches_like_native() -> Result<()> {
    // Records made by the host, not returned by the component, go in too.
    let mut semver = semver()?;
    for (req_text, version_text) in REQ_MATCHES {
        let native_req = VersionReq::parse(req_text)?;
        let native_version = Version::parse(version_text)?;
        let matches = call1(
            &mut semver,
            "version-req-matches",
            &[version_req_val(&native_req), version_val(&native_version)],
        )?
        .bool()?;
        assert_eq!(
            matches,
            native_req.matches(&native_version),
            "{req_text:?} matches {version_text:?}"
        );
    }
    Ok(())
}

#[test]
fn invalid_version_reqs_give_the_native_error_message() -> Result<()> {
    let mut semver = semver()?;
    for text in ["", ">=", "1.2.3.4", ">=1.0 <2.0", "^x", "1.*.3", "=>1.0"] {
        let native = VersionReq::parse(text).expect_err("the test input is invalid");
        let error = call1(&mut semver, "version-req-parse", &[string(text)])?
            .err()
            .with_context(|| format!("version-req-parse({text:?})"))?;
        assert_eq!(
            error_message(&error)?,
            native.to_string(),
            "version-req-parse({text:?})"
        );
    }
    Ok(())
}

#[test]
fn comparator_parse_and_matches_like_native() -> Result<()> {
    let mut semver = semver()?;
    let cases = [
        ("=1.2.3", "1.2.3"),
        (">1", "2.0.0"),
        (">=1.2", "1.1.9"),
        ("<0.1.0-alpha", "0.0.9"),
        ("<=3", "3.5.0"),
        ("~1.2", "1.2.9"),
        ("^0.0.3", "0.0.4"),
        ("1.2.*", "1.2.0"),
        ("1.2", "1.3.0"),
    ];
    for (text, version_text) in cases {
        let native = Comparator::parse(text)?;
        let comparator = call1(&mut semver, "comparator-parse", &[string(text)])?
            .ok()
            .with_context(|| format!("comparator-parse({text:?})"))?;
        assert_eq!(
            comparator,
            comparator_val(&native),
            "comparator-parse({text:?})"
        );
        assert_eq!(
            comparator.field("op")?,
            &Val::Enum(op_case(native.op).into())
        );
        let native_version = Version::parse(version_text)?;
        let matches = call1(
            &mut semver,
            "comparator-matches",
            &[comparator, version_val(&native_version)],
        )?
        .bool()?;
        assert_eq!(
            matches,
            native.matches(&native_version),
            "{text:?} matches {version_text:?}"
        );
    }
    for text in ["", "1.2.3, 2", "!1.0", "x"] {
        let native = Comparator::parse(text).expect_err("the test input is invalid");
        let error = call1(&mut semver, "comparator-parse", &[string(text)])?
            .err()
            .with_context(|| format!("comparator-parse({text:?})"))?;
        assert_eq!(
            error_message(&error)?,
            native.to_string(),
            "comparator-parse({text:?})"
        );
    }
    Ok(())
}

#[test]
fn prerelease_new_like_native() -> Result<()> {
    let mut semver = semver()?;
    for text in ["", "alpha", "alpha.1", "0.3.7", "x-y-z.--"] {
        let native = Prerelease::new(text)?;
        let pre = call1(&mut semver, "prerelease-new", &[string(text)])?
            .ok()
            .with_context(|| format!("prerelease-new({text:?})"))?;
        assert_eq!(pre.str()?, native.to_string(), "prerelease-new({text:?})");
        let as_str = call1(&mut semver, "prerelease-as-str", std::slice::from_ref(&pre))?;
        assert_eq!(
            as_str.str()?,
            native.as_str(),
            "prerelease-as-str({text:?})"
        );
        let is_empty = call1(&mut semver, "prerelease-is-empty", &[pre])?;
        assert_eq!(
            is_empty.bool()?,
            native.is_empty(),
            "prerelease-is-empty({text:?})"
        );
    }
    for text in ["01", "a..b", ".a", "a.", "a b", "é", "+"] {
        let native = Prerelease::new(text).expect_err("the test input is invalid");
        let error = call1(&mut semver, "prerelease-new", &[string(text)])?
            .err()
            .with_context(|| format!("prerelease-new({text:?})"))?;
        assert_eq!(
            error_message(&error)?,
            native.to_string(),
            "prerelease-new({text:?})"
        );
    }
    Ok(())
}

#[test]
fn build_metadata_new_like_native() -> Result<()> {
    let mut semver = semver()?;
    for text in ["", "build.5", "001", "exp.sha.5114f85"] {
        let native = semver::BuildMetadata::new(text)?;
        let build = call1(&mut semver, "build-metadata-new", &[string(text)])?.ok()?;
        assert_eq!(
            build.str()?,
            native.to_string(),
            "build-metadata-new({text:?})"
        );
        let is_empty = call1(&mut semver, "build-metadata-is-empty", &[build])?;
        assert_eq!(
            is_empty.bool()?,
            native.is_empty(),
            "build-metadata-is-empty({text:?})"
        );
    }
    for text in ["a..b", "a+b", "ü"] {
        let native = semver::BuildMetadata::new(text).expect_err("the test input is invalid");
        let error = call1(&mut semver, "build-metadata-new", &[string(text)])?.err()?;
        assert_eq!(
            error_message(&error)?,
            native.to_string(),
            "build-metadata-new({text:?})"
        );
    }
    Ok(())
}

#[test]
fn version_ordering_survives_the_round_trip() -> Result<()> {
    // Versions the component parsed and the host re-sorted with native
    // `Ord` must compare like the natively parsed ones: nothing is lost in
    // the pre-release or build fields.
    let mut semver = semver()?;
    let mut native: Vec<Version> = VALID_VERSIONS
        .iter()
        .map(|t| Version::parse(t))
        .collect::<Result<_, _>>()?;
    let mut round_tripped = Vec::new();
    for text in VALID_VERSIONS {
        let v = call1(&mut semver, "version-parse", &[string(text)])?.ok()?;
        round_tripped.push(Version {
            major: v.field("major")?.u64()?,
            minor: v.field("minor")?.u64()?,
            patch: v.field("patch")?.u64()?,
            pre: v.field("pre")?.str()?.parse()?,
            build: v.field("build")?.str()?.parse()?,
        });
    }
    native.sort();
    round_tripped.sort();
    ensure!(
        native == round_tripped,
        "sorted natively: {native:?}\nsorted after the component: {round_tripped:?}"
    );
    Ok(())
}

#[test]
fn op_unknown_cannot_be_passed_in() -> Result<()> {
    // `unknown` stands for ops added to Rust's non-exhaustive `Op` later;
    // no Rust value corresponds to it, so passing it in is refused.
    let mut semver = semver()?;
    let mut comparator = comparator_val(&Comparator::parse(">=1.0.0")?);
    let Val::Record(fields) = &mut comparator else {
        unreachable!()
    };
    fields[0].1 = Val::Enum("unknown".into());
    let version = version_val(&Version::parse("1.0.0")?);
    let error = semver
        .call("comparator-matches", &[comparator, version.clone()])
        .expect_err("`unknown` was accepted");
    let text = compwrap_tests::error_text(&error);
    assert!(text.contains("`unknown` cannot be passed"), "{text}");
    // The next call runs in a fresh instance.
    let req = version_req_val(&VersionReq::parse(">=1.0.0")?);
    let matches = call1(&mut semver, "version-req-matches", &[req, version])?;
    assert_eq!(
        matches.bool()?,
        VersionReq::parse(">=1.0.0")?.matches(&Version::parse("1.0.0")?)
    );
    Ok(())
}
