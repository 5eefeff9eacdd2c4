//! The generated `regex` component against the native `regex` crate.
//!
//! The component exports two interfaces, `regex` (string haystacks) and
//! `bytes` (`list<u8>` haystacks), so every name carries its interface:
//! `regex#[method]regex.is-match`.
//!
//! Run with `cargo test -p compwrap-tests --test regex`; the first run
//! builds the component (a few minutes), later runs reuse it from the shared
//! test store.

use anyhow::{Context, Result};
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::{ResourceAny, Val};
use compwrap_tests::{REGEX, ValExt, bytes, call1, error_message, generated, string, to_wave};
use regex::Regex;

const PATTERNS: &[&str] = &[
    "a+",
    r"\d{3}-\d{4}",
    r"(?i)hello\s+(world)",
    r"^(\w+)@(\w+)\.com$",
    r"(?P<year>\d{4})-(?P<month>\d{2})(-(?P<day>\d{2}))?",
    "",
    r"\bfoo\b",
    r"\p{Greek}+",
    r"caf\u{e9}|na\u{ef}ve",
    "😀+",
    r"(?m)^$",
];

const HAYSTACKS: &[&str] = &[
    "",
    "aaa",
    "call 555-1234 now",
    "HELLO   World",
    "me@example.com",
    "2024-05-01 and 1999-12",
    "foo bar",
    "food",
    "λόγος and ασφάλεια",
    "naïve café 😀😀 ünïcode",
    "line one\n\nline three",
];

fn regex() -> Result<Instance> {
    let (_, loaded) = generated(REGEX)?;
    loaded.instantiate()
}

/// `create` in `interface` (`regex` or `bytes`), expecting success.
fn create(instance: &mut Instance, interface: &str, pattern: &str) -> Result<ResourceAny> {
    let name = format!("{interface}#[static]regex.create");
    match call1(instance, &name, &[string(pattern)])?
        .ok()
        .with_context(|| format!("{name}({pattern:?})"))?
    {
        Val::Resource(regex) => Ok(regex),
        other => anyhow::bail!("{name}({pattern:?}) returned {other:?}, not a resource"),
    }
}

fn method(instance: &mut Instance, name: &str, this: ResourceAny, args: &[Val]) -> Result<Val> {
    let mut all = vec![Val::Resource(this)];
    all.extend_from_slice(args);
    call1(instance, name, &all)
}

fn opt_u64(n: Option<usize>) -> Val {
    Val::Option(n.map(|n| Box::new(Val::U64(n as u64))))
}

#[test]
fn regex_methods_agree_with_native() -> Result<()> {
    let mut instance = regex()?;
    for pattern in PATTERNS {
        let native = Regex::new(pattern)?;
        let re = create(&mut instance, "regex", pattern)?;
        let as_str = method(&mut instance, "regex#[method]regex.as-str", re, &[])?;
        assert_eq!(as_str.str()?, native.as_str(), "as-str of {pattern:?}");
        let to_string = method(&mut instance, "regex#[method]regex.to-string", re, &[])?;
        assert_eq!(
            to_string.str()?,
            native.to_string(),
            "to-string of {pattern:?}"
        );
        let captures_len = method(&mut instance, "regex#[method]regex.captures-len", re, &[])?;
        assert_eq!(
            captures_len.u64()?,
            native.captures_len() as u64,
            "captures-len of {pattern:?}"
        );
        let static_len = method(
            &mut instance,
            "regex#[method]regex.static-captures-len",
            re,
            &[],
        )?;
        assert_eq!(
            static_len,
            opt_u64(native.static_captures_len()),
            "static-captures-len of {pattern:?}"
        );
        for haystack in HAYSTACKS {
            let is_match = method(
                &mut instance,
                "regex#[method]regex.is-match",
                re,
                &[string(haystack)],
            )?;
            assert_eq!(
                is_match.bool()?,
                native.is_match(haystack),
                "{pattern:?} is-match {haystack:?}"
            );
            let shortest = method(
                &mut instance,
                "regex#[method]regex.shortest-match",
                re,
                &[string(haystack)],
            )?;
            assert_eq!(
                shortest,
                opt_u64(native.shortest_match(haystack)),
                "{pattern:?} shortest-match {haystack:?}"
            );
            for start in [0, haystack.len() / 2, haystack.len(), haystack.len() + 1] {
                let at = [string(haystack), Val::U64(start as u64)];
                let is_match = method(&mut instance, "regex#[method]regex.is-match-at", re, &at)?;
                assert_eq!(
                    is_match.bool()?,
                    native.is_match_at(haystack, start),
                    "{pattern:?} is-match-at {haystack:?} from {start}"
                );
                let shortest = method(
                    &mut instance,
                    "regex#[method]regex.shortest-match-at",
                    re,
                    &at,
                )?;
                assert_eq!(
                    shortest,
                    opt_u64(native.shortest_match_at(haystack, start)),
                    "{pattern:?} shortest-match-at {haystack:?} from {start}"
                );
            }
        }
        instance.drop_resource(re)?;
    }
    Ok(())
}

#[test]
fn unicode_offsets_are_utf8_byte_offsets_like_native() -> Result<()> {
    let mut instance = regex()?;
    let haystack = "ünïcödé → λόγος 😀 end";
    for pattern in ["γ", "😀", "end", r"\s", "ö", r"[^\x00-\x7f]{3}"] {
        let native = Regex::new(pattern)?;
        let re = create(&mut instance, "regex", pattern)?;
        let shortest = method(
            &mut instance,
            "regex#[method]regex.shortest-match",
            re,
            &[string(haystack)],
        )?;
        assert_eq!(
            shortest,
            opt_u64(native.shortest_match(haystack)),
            "{pattern:?} in {haystack:?}"
        );
    }
    Ok(())
}

#[test]
fn megabyte_haystack_agrees_with_native() -> Result<()> {
    let mut instance = regex()?;
    let haystack = format!("{}needle{}", "a".repeat(1 << 20), "é".repeat(1000));
    for pattern in ["needle", "(?:é)+$", "^a+n", "x"] {
        let native = Regex::new(pattern)?;
        let re = create(&mut instance, "regex", pattern)?;
        let shortest = method(
            &mut instance,
            "regex#[method]regex.shortest-match",
            re,
            &[string(&haystack)],
        )?;
        assert_eq!(
            shortest,
            opt_u64(native.shortest_match(&haystack)),
            "{pattern:?}"
        );
    }
    Ok(())
}

#[test]
fn invalid_patterns_give_the_native_error_message() -> Result<()> {
    let mut instance = regex()?;
    for pattern in [
        "a(+",
        "(",
        "[z-a]",
        r"\p{NoSuchClass}",
        "a{2,1}",
        "(?P<n>a)(?P<n>b)",
    ] {
        let native = Regex::new(pattern).expect_err("the test pattern is invalid");
        for interface in ["regex", "bytes"] {
            let name = format!("{interface}#[static]regex.create");
            let error = call1(&mut instance, &name, &[string(pattern)])?
                .err()
                .with_context(|| format!("{name}({pattern:?})"))?;
            assert_eq!(
                error_message(&error)?,
                native.to_string(),
                "{name}({pattern:?})"
            );
        }
    }
    Ok(())
}

#[test]
fn escape_agrees_with_native() -> Result<()> {
    let mut instance = regex()?;
    for text in [
        "",
        "plain",
        "a.b*c",
        r"\d+ (x|y)?",
        "ünï[code]{1}",
        "#&-~ ^$",
        "tab\there\nnewline",
    ] {
        let escaped = call1(&mut instance, "regex#escape", &[string(text)])?;
        assert_eq!(escaped.str()?, regex::escape(text), "escape({text:?})");
        // The escaped pattern matches the text literally, in both worlds.
        let re = create(&mut instance, "regex", escaped.str()?)?;
        let is_match = method(
            &mut instance,
            "regex#[method]regex.is-match",
            re,
            &[string(text)],
        )?;
        assert_eq!(
            is_match.bool()?,
            Regex::new(&regex::escape(text))?.is_match(text)
        );
    }
    Ok(())
}

#[test]
fn bytes_interface_matches_byte_haystacks_like_native() -> Result<()> {
    let mut instance = regex()?;
    let haystacks: &[&[u8]] = &[
        b"",
        b"aaa",
        b"\xff\xfe",
        b"x\xffa",
        "ünï".as_bytes(),
        b"\x00\x01abc\x80",
    ];
    for pattern in [
        "a+",
        r"(?-u)\xff",
        r"(?-u:\xFF)a",
        r"\w+",
        r"(?-u)[\x80-\xff]",
        "ünï",
        r"^\x00",
    ] {
        let native = regex::bytes::Regex::new(pattern)?;
        let re = create(&mut instance, "bytes", pattern)?;
        let as_str = method(&mut instance, "bytes#[method]regex.as-str", re, &[])?;
        assert_eq!(as_str.str()?, native.as_str());
        for haystack in haystacks {
            let is_match = method(
                &mut instance,
                "bytes#[method]regex.is-match",
                re,
                &[bytes(haystack)],
            )?;
            assert_eq!(
                is_match.bool()?,
                native.is_match(haystack),
                "{pattern:?} is-match {haystack:?}"
            );
            let shortest = method(
                &mut instance,
                "bytes#[method]regex.shortest-match",
                re,
                &[bytes(haystack)],
            )?;
            assert_eq!(
                shortest,
                opt_u64(native.shortest_match(haystack)),
                "{pattern:?} shortest-match {haystack:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn builder_options_apply_like_native() -> Result<()> {
    let mut instance = regex()?;
    let pattern = "^HELLO.world$";
    let haystacks = [
        "HELLO world",
        "hello world",
        "hello\nworld",
        "say\nhello world",
    ];
    type Configure = fn(&mut regex::RegexBuilder) -> &mut regex::RegexBuilder;
    let options: [(&str, Configure); 3] = [
        ("case-insensitive", |b| b.case_insensitive(true)),
        ("dot-matches-new-line", |b| b.dot_matches_new_line(true)),
        ("multi-line", |b| b.multi_line(true)),
    ];
    for (option, configure) in options {
        let native = configure(&mut regex::RegexBuilder::new(pattern)).build()?;
        let builder = match call1(
            &mut instance,
            "regex#[constructor]regex-builder",
            &[string(pattern)],
        )? {
            Val::Resource(builder) => builder,
            other => anyhow::bail!("the regex-builder constructor returned {other:?}"),
        };
        // `fn case_insensitive(&mut self, yes: bool) -> &mut RegexBuilder`
        // changes the builder in place; the chained `&mut Self` is dropped.
        let name = format!("regex#[method]regex-builder.{option}");
        let results = instance.call(&name, &[Val::Resource(builder), Val::Bool(true)])?;
        anyhow::ensure!(results.is_empty(), "{name} returned {results:?}");
        let built = method(
            &mut instance,
            "regex#[method]regex-builder.build",
            builder,
            &[],
        )?
        .ok()?;
        let Val::Resource(re) = built else {
            anyhow::bail!("build returned {built:?}")
        };
        for haystack in haystacks {
            let is_match = method(
                &mut instance,
                "regex#[method]regex.is-match",
                re,
                &[string(haystack)],
            )?;
            assert_eq!(
                is_match.bool()?,
                native.is_match(haystack),
                "{option}: {pattern:?} is-match {haystack:?}"
            );
        }
    }
    Ok(())
}

#[test]
fn capture_locations_and_empty_set_agree_with_native() -> Result<()> {
    let mut instance = regex()?;
    for pattern in PATTERNS {
        let native = Regex::new(pattern)?;
        let re = create(&mut instance, "regex", pattern)?;
        let Val::Resource(locations) = method(
            &mut instance,
            "regex#[method]regex.capture-locations",
            re,
            &[],
        )?
        else {
            anyhow::bail!("capture-locations returns a resource");
        };
        let len = method(
            &mut instance,
            "regex#[method]capture-locations.len",
            locations,
            &[],
        )?;
        assert_eq!(
            len.u64()?,
            native.capture_locations().len() as u64,
            "capture-locations.len of {pattern:?}"
        );
        // Fresh locations hold no match yet.
        let first = method(
            &mut instance,
            "regex#[method]capture-locations.get",
            locations,
            &[Val::U64(0)],
        )?;
        let native_first = native.capture_locations().get(0);
        assert_eq!(
            first.option()?.is_some(),
            native_first.is_some(),
            "capture-locations.get(0) of {pattern:?}"
        );
    }
    let native = regex::RegexSet::empty();
    let Val::Resource(set) = call1(&mut instance, "regex#[static]regex-set.empty", &[])? else {
        anyhow::bail!("regex-set.empty returns a resource");
    };
    let len = method(&mut instance, "regex#[method]regex-set.len", set, &[])?;
    assert_eq!(len.u64()?, native.len() as u64);
    let is_empty = method(&mut instance, "regex#[method]regex-set.is-empty", set, &[])?;
    assert_eq!(is_empty.bool()?, native.is_empty());
    let is_match = method(
        &mut instance,
        "regex#[method]regex-set.is-match",
        set,
        &[string("anything")],
    )?;
    assert_eq!(is_match.bool()?, native.is_match("anything"));
    let patterns = method(&mut instance, "regex#[method]regex-set.patterns", set, &[])?;
    assert_eq!(
        patterns,
        Val::List(native.patterns().iter().map(|p| string(p)).collect())
    );
    Ok(())
}

#[test]
fn wave_calls_pass_handles_between_calls() -> Result<()> {
    let mut instance = regex()?;
    let created = instance
        .call_wave("regex#[static]regex.create", &[&to_wave(&string(r"\d+"))?])?
        .context("create returns a value")?;
    let handle = created
        .strip_prefix("ok(")
        .and_then(|rest| rest.strip_suffix(')'))
        .with_context(|| format!("create printed {created}, not ok(#N)"))?
        .to_owned();
    assert!(
        handle.starts_with('#'),
        "a handle prints as #N, got {handle}"
    );
    let native = Regex::new(r"\d+")?;
    for haystack in ["abc", "a1b", "λ42"] {
        let matched = instance.call_wave(
            "regex#[method]regex.is-match",
            &[&handle, &to_wave(&string(haystack))?],
        )?;
        assert_eq!(
            matched,
            Some(to_wave(&Val::Bool(native.is_match(haystack)))?),
            "is-match {haystack:?}"
        );
        let shortest = instance.call_wave(
            "regex#[method]regex.shortest-match",
            &[&handle, &to_wave(&string(haystack))?],
        )?;
        assert_eq!(
            shortest,
            Some(to_wave(&opt_u64(native.shortest_match(haystack)))?),
            "shortest-match {haystack:?}"
        );
    }
    let as_str = instance.call_wave("regex#[method]regex.as-str", &[&handle])?;
    assert_eq!(as_str, Some(to_wave(&string(native.as_str()))?));
    Ok(())
}

/// A `match` record as the component returns it, built from a native match.
fn match_val(m: regex::Match<'_>) -> Val {
    Val::Record(vec![
        ("start".into(), Val::U64(m.start() as u64)),
        ("end".into(), Val::U64(m.end() as u64)),
        ("is-empty".into(), Val::Bool(m.is_empty())),
        ("len".into(), Val::U64(m.len() as u64)),
        (
            "range".into(),
            Val::Tuple(vec![
                Val::U64(m.range().start as u64),
                Val::U64(m.range().end as u64),
            ]),
        ),
        ("as-str".into(), Val::String(m.as_str().into())),
    ])
}

fn opt_match(m: Option<regex::Match<'_>>) -> Val {
    Val::Option(m.map(|m| Box::new(match_val(m))))
}

/// A `captures` record built from native captures.
fn captures_val(c: &regex::Captures<'_>) -> Val {
    Val::Record(vec![
        ("get-match".into(), match_val(c.get_match())),
        ("iter".into(), Val::List(c.iter().map(opt_match).collect())),
        ("len".into(), Val::U64(c.len() as u64)),
    ])
}

/// `find`, `find-iter`, `captures`, `captures-iter`, `split` and
/// `splitn`: results that borrow the haystack come back as copies.
#[test]
fn find_and_captures_agree_with_native() -> Result<()> {
    let mut instance = regex()?;
    for pattern in PATTERNS {
        let native = Regex::new(pattern)?;
        let re = create(&mut instance, "regex", pattern)?;
        for haystack in HAYSTACKS {
            let h = [string(haystack)];
            let find = method(&mut instance, "regex#[method]regex.find", re, &h)?;
            assert_eq!(
                find,
                opt_match(native.find(haystack)),
                "{pattern:?} find {haystack:?}"
            );
            let all = method(&mut instance, "regex#[method]regex.find-iter", re, &h)?;
            let want = Val::List(native.find_iter(haystack).map(match_val).collect());
            assert_eq!(all, want, "{pattern:?} find-iter {haystack:?}");
            let caps = method(&mut instance, "regex#[method]regex.captures", re, &h)?;
            let want = Val::Option(
                native
                    .captures(haystack)
                    .map(|c| Box::new(captures_val(&c))),
            );
            assert_eq!(caps, want, "{pattern:?} captures {haystack:?}");
            let all = method(&mut instance, "regex#[method]regex.captures-iter", re, &h)?;
            let want = Val::List(
                native
                    .captures_iter(haystack)
                    .map(|c| captures_val(&c))
                    .collect(),
            );
            assert_eq!(all, want, "{pattern:?} captures-iter {haystack:?}");
            let split = method(&mut instance, "regex#[method]regex.split", re, &h)?;
            let want = Val::List(
                native
                    .split(haystack)
                    .map(|s| Val::String(s.into()))
                    .collect(),
            );
            assert_eq!(split, want, "{pattern:?} split {haystack:?}");
        }
    }
    Ok(())
}
