//! The generated `uuid` component against the native `uuid` crate. `Uuid`
//! and its formatters travel as strings; `u128` as a `(high, low)` pair.

use anyhow::{Result, bail, ensure};
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{UUID, ValExt, bytes, call1, generated, string, text_or_error};
use uuid::Uuid;

const VALID: &[&str] = &[
    "67e55044-10b1-426f-9247-bb680e5fe0c8",
    "67E55044-10B1-426F-9247-BB680E5FE0C8",
    "67e5504410b1426f9247bb680e5fe0c8",
    "{67e55044-10b1-426f-9247-bb680e5fe0c8}",
    "urn:uuid:67e55044-10b1-426f-9247-bb680e5fe0c8",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "a1a2a3a4-b1b2-11c1-8000-0000c0ffee00",
];

const INVALID: &[&str] = &[
    "",
    "67e55044-10b1-426f-9247-bb680e5fe0c",
    "67e55044-10b1-426f-9247-bb680e5fe0c8a",
    "67e55044x10b1-426f-9247-bb680e5fe0c8",
    "g7e55044-10b1-426f-9247-bb680e5fe0c8",
    "{67e55044-10b1-426f-9247-bb680e5fe0c8",
    "67e55044-10b1-426f-9247-bb680e5fe0ç8",
];

fn instance() -> Result<Instance> {
    let (_, loaded) = generated(UUID)?;
    loaded.instantiate()
}

fn pair(v: &Val) -> Result<(u64, u64)> {
    match v {
        Val::Tuple(items) => match items.as_slice() {
            [Val::U64(h), Val::U64(l)] => Ok((*h, *l)),
            other => bail!("expected (u64, u64), got {other:?}"),
        },
        other => bail!("expected a tuple, got {other:?}"),
    }
}

#[test]
fn parse_str_matches_native_including_errors() -> Result<()> {
    let mut instance = instance()?;
    for input in VALID.iter().chain(INVALID) {
        let native = Uuid::parse_str(input)
            .map(|u| u.to_string())
            .map_err(|e| e.to_string());
        let component = text_or_error(call1(&mut instance, "uuid-parse-str", &[string(input)])?)?;
        ensure!(
            component == native,
            "parse {input:?}: {component:?} vs {native:?}"
        );
    }
    Ok(())
}

#[test]
fn formats_versions_and_variants_match_native() -> Result<()> {
    let mut instance = instance()?;
    for input in VALID {
        let native = Uuid::parse_str(input)?;
        let this = string(&native.to_string());
        for (name, expected) in [
            ("uuid-simple", native.simple().to_string()),
            ("uuid-urn", native.urn().to_string()),
            ("uuid-braced", native.braced().to_string()),
            ("uuid-hyphenated", native.hyphenated().to_string()),
        ] {
            let got = call1(&mut instance, name, std::slice::from_ref(&this))?;
            ensure!(
                got.str()? == expected,
                "{name}({input}): {got:?}, native {expected}"
            );
        }
        let version = call1(
            &mut instance,
            "uuid-get-version-num",
            std::slice::from_ref(&this),
        )?;
        ensure!(
            version.u64()? == native.get_version_num() as u64,
            "{input}: version"
        );
        let variant = call1(
            &mut instance,
            "uuid-get-variant",
            std::slice::from_ref(&this),
        )?;
        let expected = match native.get_variant() {
            uuid::Variant::NCS => "ncs",
            uuid::Variant::RFC4122 => "rfc4122",
            uuid::Variant::Microsoft => "microsoft",
            uuid::Variant::Future => "future",
            _ => "unknown",
        };
        ensure!(
            variant == Val::Enum(expected.into()),
            "{input}: variant {variant:?}"
        );
        let nil = call1(&mut instance, "uuid-is-nil", std::slice::from_ref(&this))?;
        ensure!(nil.bool()? == native.is_nil(), "{input}: is-nil");
        let raw = call1(&mut instance, "uuid-as-bytes", std::slice::from_ref(&this))?;
        ensure!(raw == bytes(native.as_bytes()), "{input}: bytes {raw:?}");
    }
    Ok(())
}

#[test]
fn u128_travels_as_a_high_low_pair() -> Result<()> {
    let mut instance = instance()?;
    for input in VALID {
        let native = Uuid::parse_str(input)?;
        let n = native.as_u128();
        let got = pair(&call1(
            &mut instance,
            "uuid-as-u128",
            &[string(&native.to_string())],
        )?)?;
        ensure!(
            got == ((n >> 64) as u64, n as u64),
            "{input}: as-u128 {got:?}"
        );
        let back = call1(
            &mut instance,
            "uuid-from-u128",
            &[Val::Tuple(vec![Val::U64(got.0), Val::U64(got.1)])],
        )?;
        ensure!(
            back.str()? == native.to_string(),
            "{input}: from-u128 {back:?}"
        );
    }
    Ok(())
}

#[test]
fn from_slice_checks_the_length_like_native() -> Result<()> {
    let mut instance = instance()?;
    for len in [0usize, 15, 16, 17] {
        let input: Vec<u8> = (0..len as u8).collect();
        let native = Uuid::from_slice(&input)
            .map(|u| u.to_string())
            .map_err(|e| e.to_string());
        let component = text_or_error(call1(&mut instance, "uuid-from-slice", &[bytes(&input)])?)?;
        ensure!(
            component == native,
            "from-slice of {len} bytes: {component:?} vs {native:?}"
        );
    }
    Ok(())
}

#[test]
fn ordering_matches_native() -> Result<()> {
    let mut instance = instance()?;
    for a in VALID {
        for b in VALID {
            let (na, nb) = (Uuid::parse_str(a)?, Uuid::parse_str(b)?);
            let expected = match na.cmp(&nb) {
                std::cmp::Ordering::Less => "less",
                std::cmp::Ordering::Equal => "equal",
                std::cmp::Ordering::Greater => "greater",
            };
            let got = call1(
                &mut instance,
                "uuid-compare",
                &[string(&na.to_string()), string(&nb.to_string())],
            )?;
            ensure!(
                got == Val::Enum(expected.into()),
                "compare {a} {b}: {got:?}"
            );
        }
    }
    Ok(())
}
