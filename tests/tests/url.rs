//! The generated `url` component against the native `url` crate. `url::Url`
//! has `Display`, `FromStr` and `PartialEq`, so it travels as its string;
//! its `&mut self` setters return the updated URL.

use anyhow::{Context, Result, ensure};
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{URL, ValExt, call1, generated, string, text_or_error};
use url::Url;

const INPUTS: &[&str] = &[
    "https://example.com",
    "https://user:pa%20ss@example.com:8443/a/b/../c?x=1&y=%202#frag",
    "http://[::1]:80/",
    "http://127.0.0.1:8080/path",
    "HTTPS://EXAMPLE.com/%7Efoo",
    "file:///etc/hosts",
    "mailto:someone@example.com",
    "data:text/plain,hello",
    "https://bücher.example/straße",
    "ftp://ftp.example.org:21/pub",
    "",
    "not a url",
    "https://exa mple.com",
    "http://[::1",
    "https://example.com:99999/",
    "//relative-without-base",
];

fn instance() -> Result<Instance> {
    let (_, loaded) = generated(URL)?;
    loaded.instantiate()
}

/// `url-parse(input)` as `Ok(serialization)` or `Err(message)`.
fn parse(instance: &mut Instance, input: &str) -> Result<std::result::Result<String, String>> {
    text_or_error(call1(instance, "url-parse", &[string(input)])?)
}

#[test]
fn parse_matches_native_including_errors() -> Result<()> {
    let mut instance = instance()?;
    for input in INPUTS {
        let native = Url::parse(input)
            .map(|u| u.to_string())
            .map_err(|e| e.to_string());
        let component = parse(&mut instance, input)?;
        ensure!(
            component == native,
            "parse {input:?}: component {component:?}, native {native:?}"
        );
    }
    Ok(())
}

#[test]
fn accessors_match_native() -> Result<()> {
    let mut instance = instance()?;
    for input in INPUTS {
        let Ok(native) = Url::parse(input) else {
            continue;
        };
        let this = string(native.as_str());
        let text = |v: Val| -> Result<String> { Ok(v.str()?.to_owned()) };
        let opt_text = |v: Val| -> Result<Option<String>> {
            v.option()?.map(|s| s.str().map(str::to_owned)).transpose()
        };
        let mut get = |name: &str| call1(&mut instance, name, std::slice::from_ref(&this));
        ensure!(
            text(get("url-scheme")?)? == native.scheme(),
            "{input}: scheme"
        );
        ensure!(text(get("url-path")?)? == native.path(), "{input}: path");
        ensure!(
            text(get("url-username")?)? == native.username(),
            "{input}: username"
        );
        ensure!(
            opt_text(get("url-host-str")?)?.as_deref() == native.host_str(),
            "{input}: host"
        );
        ensure!(
            opt_text(get("url-password")?)?.as_deref() == native.password(),
            "{input}: password"
        );
        ensure!(
            opt_text(get("url-query")?)?.as_deref() == native.query(),
            "{input}: query"
        );
        ensure!(
            opt_text(get("url-fragment")?)?.as_deref() == native.fragment(),
            "{input}: fragment"
        );
        let port = get("url-port-or-known-default")?;
        let port = port
            .option()?
            .map(|p| match p {
                Val::U16(p) => Ok(*p),
                other => anyhow::bail!("port {other:?}"),
            })
            .transpose()?;
        ensure!(port == native.port_or_known_default(), "{input}: port");
        ensure!(
            get("url-cannot-be-a-base")?.bool()? == native.cannot_be_a_base(),
            "{input}: cannot-be-a-base"
        );
    }
    Ok(())
}

#[test]
fn join_matches_native() -> Result<()> {
    let mut instance = instance()?;
    let base = Url::parse("https://example.com/a/b/c?q=1#f")?;
    for relative in [
        "d",
        "../d",
        "/d",
        "?x=2",
        "#g",
        "//other.org/p",
        "https://x.y/",
        "http://[",
        "",
    ] {
        let native = base
            .join(relative)
            .map(|u| u.to_string())
            .map_err(|e| e.to_string());
        let component = text_or_error(call1(
            &mut instance,
            "url-join",
            &[string(base.as_str()), string(relative)],
        )?)?;
        ensure!(
            component == native,
            "join {relative:?}: {component:?} vs {native:?}"
        );
    }
    Ok(())
}

#[test]
fn setters_return_the_updated_url() -> Result<()> {
    let mut instance = instance()?;
    let start = "https://example.com/a?x=1#top";
    // `set_path(&mut self, &str)`: the updated URL comes back.
    let mut native = Url::parse(start)?;
    native.set_path("/b/c d");
    let updated = call1(
        &mut instance,
        "url-set-path",
        &[string(start), string("/b/c d")],
    )?;
    ensure!(updated.str()? == native.as_str(), "set-path: {updated:?}");

    // `set_query(&mut self, Option<&str>)`, both ways.
    for query in [Some("a=1&b=2"), None] {
        let mut native = Url::parse(start)?;
        native.set_query(query);
        let arg = Val::Option(query.map(|q| Box::new(string(q))));
        let updated = call1(&mut instance, "url-set-query", &[string(start), arg])?;
        ensure!(
            updated.str()? == native.as_str(),
            "set-query {query:?}: {updated:?}"
        );
    }

    // `set_port(&mut self, Option<u16>) -> Result<(), ()>`: the URL and the result.
    for (url, port) in [(start, Some(8443)), ("mailto:a@b.c", Some(1))] {
        let mut native = Url::parse(url)?;
        let native_result = native.set_port(port);
        let Val::Tuple(pair) = call1(
            &mut instance,
            "url-set-port",
            &[
                string(url),
                Val::Option(port.map(|p| Box::new(Val::U16(p)))),
            ],
        )?
        else {
            anyhow::bail!("set-port did not return a tuple");
        };
        let [updated, result] =
            <[Val; 2]>::try_from(pair).map_err(|p| anyhow::anyhow!("set-port returned {p:?}"))?;
        ensure!(
            updated.str()? == native.as_str(),
            "set-port {url}: {updated:?}"
        );
        ensure!(
            result.into_result()?.is_ok() == native_result.is_ok(),
            "set-port {url}: result differs from native {native_result:?}"
        );
    }
    Ok(())
}

#[test]
fn origin_is_a_resource_with_native_serialization() -> Result<()> {
    let mut instance = instance()?;
    for input in [
        "https://example.com:443/x",
        "http://bücher.example:8080/",
        "data:text/plain,x",
    ] {
        let native = Url::parse(input)?.origin();
        let origin = call1(&mut instance, "url-origin", &[string(input)])?;
        let Val::Resource(origin) = origin else {
            anyhow::bail!("url-origin returned {origin:?}");
        };
        let ascii = call1(
            &mut instance,
            "[method]origin.ascii-serialization",
            &[Val::Resource(origin)],
        )
        .context("ascii-serialization")?;
        ensure!(
            ascii.str()? == native.ascii_serialization(),
            "{input}: {ascii:?}"
        );
        let unicode = call1(
            &mut instance,
            "[method]origin.unicode-serialization",
            &[Val::Resource(origin)],
        )?;
        ensure!(
            unicode.str()? == native.unicode_serialization(),
            "{input}: {unicode:?}"
        );
        instance.drop_resource(origin)?;
    }
    Ok(())
}

/// `url::form_urlencoded` is the `form_urlencoded` crate, re-exported:
/// compwrap documents that crate too and exports it as an interface.
#[test]
fn reexported_form_urlencoded_matches_native() -> Result<()> {
    let mut instance = instance()?;
    for input in ["a=1&b=x+y", "k=%E2%9C%93&&=v&novalue", "", "a=%ZZ&b=%41"] {
        let native: Vec<(String, String)> = url::form_urlencoded::parse(input.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        let got = call1(
            &mut instance,
            "form-urlencoded#parse",
            &[compwrap_tests::bytes(input.as_bytes())],
        )?;
        let pairs = compwrap_tests::string_pairs(&got)?;
        ensure!(pairs == native, "parse {input:?}: {pairs:?} vs {native:?}");
    }
    Ok(())
}
