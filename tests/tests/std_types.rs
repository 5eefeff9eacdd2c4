//! Standard-library types with a defined mapping, through real crates:
//! `Duration` and `SystemTime` (`humantime`), IP addresses (`ipnet`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{Result, bail, ensure};
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{HUMANTIME, IPNET, ValExt, call1, error_message, generated, string};

fn instance(spec: &str) -> Result<Instance> {
    let (_, loaded) = generated(spec)?;
    loaded.instantiate()
}

fn duration_val(d: Duration) -> Val {
    Val::Record(vec![
        ("secs".into(), Val::U64(d.as_secs())),
        ("nanos".into(), Val::U32(d.subsec_nanos())),
    ])
}

fn duration_of(v: &Val) -> Result<Duration> {
    let secs = v.field("secs")?.u64()?;
    let Val::U32(nanos) = v.field("nanos")? else {
        bail!("nanos of {v:?}");
    };
    Ok(Duration::new(secs, *nanos))
}

/// A `SystemTime` as `compwrap:types/types.timestamp`.
fn timestamp_val(t: SystemTime) -> Val {
    let (secs, nanos) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            if d.subsec_nanos() == 0 {
                (-(d.as_secs() as i64), 0)
            } else {
                (-(d.as_secs() as i64) - 1, 1_000_000_000 - d.subsec_nanos())
            }
        }
    };
    Val::Record(vec![
        ("secs".into(), Val::S64(secs)),
        ("nanos".into(), Val::U32(nanos)),
    ])
}

#[test]
fn durations_parse_and_format_like_native() -> Result<()> {
    let mut instance = instance(HUMANTIME)?;
    for text in [
        "1s",
        "2h 37min",
        "15days 2min 2s",
        "1ns",
        "3m 1us",
        "",
        "12 parsecs",
        "99999999999999999999h",
    ] {
        let native = humantime::parse_duration(text).map_err(|e| e.to_string());
        let got = match call1(&mut instance, "parse-duration", &[string(text)])?.into_result()? {
            Ok(d) => Ok(duration_of(&d)?),
            Err(e) => Err(error_message(&e)?),
        };
        ensure!(
            got == native,
            "parse-duration {text:?}: {got:?} vs {native:?}"
        );
    }
    for d in [
        Duration::ZERO,
        Duration::new(1, 5),
        Duration::from_secs(86_400 * 400 + 3661),
        Duration::MAX,
    ] {
        let formatted = call1(&mut instance, "format-duration", &[duration_val(d)])?;
        let Val::Resource(formatted) = formatted else {
            bail!("format-duration returned {formatted:?}");
        };
        let text = call1(
            &mut instance,
            "[method]formatted-duration.to-string",
            &[Val::Resource(formatted)],
        )?;
        ensure!(
            text.str()? == humantime::format_duration(d).to_string(),
            "format-duration {d:?}: {text:?}"
        );
        let back = call1(
            &mut instance,
            "[method]formatted-duration.get-ref",
            &[Val::Resource(formatted)],
        )?;
        ensure!(duration_of(&back)? == d, "get-ref {d:?}: {back:?}");
        instance.drop_resource(formatted)?;
    }
    Ok(())
}

#[test]
fn system_times_round_trip_like_native() -> Result<()> {
    let mut instance = instance(HUMANTIME)?;
    let times = [
        UNIX_EPOCH,
        UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_789),
        UNIX_EPOCH + Duration::new(253_402_300_799, 0), // 9999-12-31T23:59:59Z
    ];
    for t in times {
        let formatted = call1(&mut instance, "format-rfc3339-nanos", &[timestamp_val(t)])?;
        let Val::Resource(formatted) = formatted else {
            bail!("format-rfc3339-nanos returned {formatted:?}");
        };
        let text = call1(
            &mut instance,
            "[method]rfc3339-timestamp.to-string",
            &[Val::Resource(formatted)],
        )?;
        let native = humantime::format_rfc3339_nanos(t).to_string();
        ensure!(text.str()? == native, "format {t:?}: {text:?} vs {native}");
        instance.drop_resource(formatted)?;
        let parsed = call1(&mut instance, "parse-rfc3339", &[string(&native)])?.ok()?;
        ensure!(parsed == timestamp_val(t), "parse {native}: {parsed:?}");
    }
    for bad in [
        "",
        "2018-02-30T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "yesterday",
    ] {
        let native = humantime::parse_rfc3339(bad)
            .map(timestamp_val)
            .map_err(|e| e.to_string());
        let got = match call1(&mut instance, "parse-rfc3339", &[string(bad)])?.into_result()? {
            Ok(v) => Ok(v),
            Err(e) => Err(error_message(&e)?),
        };
        ensure!(got == native, "parse {bad:?}: {got:?} vs {native:?}");
    }
    Ok(())
}

#[test]
fn ip_networks_match_native() -> Result<()> {
    let mut instance = instance(IPNET)?;
    for text in [
        "10.1.2.3/8",
        "192.168.0.0/16",
        "fd00::1/64",
        "::/0",
        "10.0.0.1/33",
        "not-an-ip/8",
        "1.2.3.4",
    ] {
        let native = text.parse::<ipnet::IpNet>().map_err(|e| e.to_string());
        let parsed = call1(&mut instance, "ip-net-parse", &[string(text)])?.into_result()?;
        let net = match (&parsed, &native) {
            (Ok(net), Ok(native)) => {
                let Val::Variant(case, Some(inner)) = net else {
                    bail!("ip-net is a variant: {net:?}");
                };
                let expected_case = if native.addr().is_ipv4() { "v4" } else { "v6" };
                ensure!(case == expected_case, "{text}: case {case}");
                ensure!(inner.str()? == native.to_string(), "{text}: {inner:?}");
                net.clone()
            }
            (Err(e), Err(native)) => {
                ensure!(
                    &error_message(e)? == native,
                    "{text}: error {e:?} vs {native}"
                );
                continue;
            }
            _ => bail!("{text}: component {parsed:?}, native {native:?}"),
        };
        let native = native.expect("checked above");
        // `IpAddr` results travel as their text.
        for (name, expected) in [
            ("ip-net-addr", native.addr().to_string()),
            ("ip-net-netmask", native.netmask().to_string()),
            ("ip-net-network", native.network().to_string()),
            ("ip-net-broadcast", native.broadcast().to_string()),
        ] {
            let got = call1(&mut instance, name, std::slice::from_ref(&net))?;
            ensure!(
                got.str()? == expected,
                "{name}({text}): {got:?} vs {expected}"
            );
        }
    }
    // An `IpAddr` parameter: built from its text in the guest.
    let built = call1(
        &mut instance,
        "ip-net-new",
        &[string("192.168.7.9"), Val::U8(20)],
    )?
    .ok()?;
    let native = ipnet::IpNet::new("192.168.7.9".parse()?, 20)?;
    let Val::Variant(_, Some(inner)) = &built else {
        bail!("ip-net-new returned {built:?}");
    };
    ensure!(inner.str()? == native.to_string(), "ip-net-new: {built:?}");
    Ok(())
}

/// `Ipv4AddrRange` is an owned iterator: a resource whose `next` pulls one
/// address at a time, like the native iterator.
#[test]
fn owned_iterators_are_resources_with_next() -> Result<()> {
    let mut instance = instance(IPNET)?;
    for net in ["10.0.0.0/30", "192.168.1.8/29", "10.1.1.1/32"] {
        let native: Vec<String> = net
            .parse::<ipnet::Ipv4Net>()?
            .hosts()
            .map(|a| a.to_string())
            .collect();
        let range = call1(&mut instance, "ipv4-net-hosts", &[string(net)])?;
        let Val::Resource(range) = range else {
            bail!("ipv4-net-hosts returned {range:?}");
        };
        let mut got = Vec::new();
        loop {
            let next = call1(
                &mut instance,
                "[method]ipv4-addr-range.next",
                &[Val::Resource(range)],
            )?;
            match next.option()? {
                Some(addr) => got.push(addr.str()?.to_owned()),
                None => break,
            }
            ensure!(
                got.len() <= native.len(),
                "{net}: more hosts than native: {got:?}"
            );
        }
        ensure!(got == native, "{net}: {got:?} vs {native:?}");
        instance.drop_resource(range)?;
    }
    Ok(())
}
