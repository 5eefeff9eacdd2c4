//! An AWS SDK crate end to end: `aws-sdk-sts` generated into a component
//! whose client is made from an `sdk-config` and talks to moto (the AWS API
//! mock) on loopback through compwrap-host's wasi:http, allowed host by
//! host. Failures arrive as `sdk-error` records and the component stays
//! usable.

use anyhow::{Result, bail, ensure};
use compwrap::resolve::Features;
use compwrap_host::Runtime;
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{AWS_SDK_STS, Moto, ValExt, call1, generated_with_features};

fn some(v: Val) -> Val {
    Val::Option(Some(Box::new(v)))
}

fn string(s: &str) -> Val {
    Val::String(s.into())
}

/// An `sdk-config` for `endpoint`, with moto's test credentials and one
/// attempt per operation.
fn config(endpoint: &str) -> Val {
    Val::Record(vec![
        ("region".into(), some(string("us-east-1"))),
        ("endpoint-url".into(), some(string(endpoint))),
        (
            "credentials".into(),
            some(Val::Record(vec![
                ("access-key-id".into(), string("testing")),
                ("secret-access-key".into(), string("testing")),
                ("session-token".into(), Val::Option(None)),
            ])),
        ),
        ("max-attempts".into(), some(Val::U32(1))),
        ("connect-timeout-ms".into(), some(Val::U64(2_000))),
        ("operation-timeout-ms".into(), some(Val::U64(5_000))),
    ])
}

fn load_sts(allowed: &str) -> Result<Instance> {
    let features = Features {
        features: vec![],
        no_default: true,
    };
    let (store, generated, _) = generated_with_features(AWS_SDK_STS, features)?;
    ensure!(
        generated
            .wit
            .contains("constructor(config: compwrap-sdk-config);"),
        "the client has no sdk-config constructor"
    );
    let runtime = Runtime::builder()
        .native_cache_dir(Some(store.native_dir()))
        .allow_http(allowed)
        .build()?;
    let bytes = store.read_blob(&generated.digest)?;
    runtime.load_bytes(&bytes)?.instantiate()
}

/// `client.get-caller-identity().send()`: the output resource, or the
/// `sdk-error` record.
fn caller_identity(sts: &mut Instance, client: &Val) -> Result<std::result::Result<Val, Val>> {
    let builder = call1(
        sts,
        "[method]client.get-caller-identity",
        std::slice::from_ref(client),
    )?;
    call1(
        sts,
        "[method]get-caller-identity-fluent-builder.send",
        &[builder],
    )?
    .into_result()
}

fn field<'v>(record: &'v Val, name: &str) -> Result<&'v Val> {
    match record {
        Val::Record(fields) => fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| anyhow::anyhow!("no field {name} in {record:?}")),
        other => bail!("not a record: {other:?}"),
    }
}

#[test]
fn get_caller_identity_reaches_moto_and_errors_are_sdk_errors() -> Result<()> {
    let moto = Moto::start()?;
    let mut sts = load_sts(&moto.address)?;
    let client = call1(&mut sts, "[constructor]client", &[config(&moto.endpoint)])?;

    let output = match caller_identity(&mut sts, &client)? {
        Ok(output) => output,
        Err(e) => bail!("GetCallerIdentity failed: {e:?}"),
    };
    let account = call1(
        &mut sts,
        "[method]get-caller-identity-output.account",
        std::slice::from_ref(&output),
    )?;
    let Val::Option(Some(account)) = account else {
        bail!("no account: {account:?}");
    };
    let account = account.str()?.to_owned();
    ensure!(
        account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()),
        "{account}"
    );
    let arn = call1(
        &mut sts,
        "[method]get-caller-identity-output.arn",
        &[output],
    )?;
    ensure!(
        format!("{arn:?}").contains(&format!("arn:aws:sts::{account}:")),
        "{arn:?}"
    );

    // A port nothing listens on (allowed): a dispatch failure, as data.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut refused = load_sts(&closed.to_string())?;
    let client = call1(
        &mut refused,
        "[constructor]client",
        &[config(&format!("http://{closed}"))],
    )?;
    let Err(error) = caller_identity(&mut refused, &client)? else {
        bail!("a refused connection succeeded");
    };
    ensure!(
        format!("{:?}", field(&error, "kind")?).contains("dispatch"),
        "{error:?}"
    );
    ensure!(
        field(&error, "http-status")? == &Val::Option(None),
        "{error:?}"
    );
    Ok(())
}

#[test]
fn a_service_error_has_the_services_code_and_a_denied_host_is_an_error_too() -> Result<()> {
    let moto = Moto::start()?;
    let mut sts = load_sts(&moto.address)?;
    let client = call1(&mut sts, "[constructor]client", &[config(&moto.endpoint)])?;

    // moto refuses a role session name over 64 characters.
    let builder = call1(
        &mut sts,
        "[method]client.assume-role",
        std::slice::from_ref(&client),
    )?;
    let builder = call1(
        &mut sts,
        "[method]assume-role-fluent-builder.set-role-arn",
        &[
            builder,
            some(string("arn:aws:iam::123456789012:role/compwrap")),
        ],
    )?;
    let builder = call1(
        &mut sts,
        "[method]assume-role-fluent-builder.set-role-session-name",
        &[builder, some(string(&"s".repeat(70)))],
    )?;
    let sent = call1(
        &mut sts,
        "[method]assume-role-fluent-builder.send",
        &[builder],
    )?;
    let Err(error) = sent.into_result()? else {
        bail!("an over-long session name was accepted");
    };
    ensure!(
        format!("{:?}", field(&error, "kind")?).contains("service"),
        "{error:?}"
    );
    ensure!(
        field(&error, "code")? == &some(string("ValidationError")),
        "{error:?}"
    );
    ensure!(
        field(&error, "http-status")? == &some(Val::U16(400)),
        "{error:?}"
    );
    ensure!(
        format!("{:?}", field(&error, "message")?).contains("roleSessionName"),
        "{error:?}"
    );

    // The same service by another name is not on the allowlist: the request
    // never leaves the host…
    let port = moto.address.rsplit(':').next().unwrap_or_default();
    let other = call1(
        &mut sts,
        "[constructor]client",
        &[config(&format!("http://localhost:{port}"))],
    )?;
    let Err(error) = caller_identity(&mut sts, &other)? else {
        bail!("a host off the allowlist was reached");
    };
    ensure!(
        format!("{:?}", field(&error, "kind")?).contains("dispatch"),
        "{error:?}"
    );
    // …and the component keeps serving.
    ensure!(caller_identity(&mut sts, &client)?.is_ok());
    Ok(())
}
