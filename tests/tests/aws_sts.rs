//! An AWS SDK crate end to end: `aws-sdk-sts` generated into a component
//! whose client is made from an `sdk-config`, with one method per operation
//! taking the operation's input record, talking to moto (the AWS API mock)
//! on loopback through compwrap-host's wasi:http, allowed host by host.
//! Failures arrive as `operation-error` records (the `sdk-error`, and the
//! error STS's model declares when the service answered with one) and the
//! component stays usable. `aws_secretsmanager.rs` gets declared errors
//! from moto.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use compwrap::resolve::Features;
use compwrap_host::call::Instance;
use compwrap_tests::Moto;
use compwrap_tests::aws::{
    AWS_SDK_STS, build_host_app, call, load_sdk, make_client, run_host_app, sdk_component,
    write_host_crate,
};

fn load_sts(allowed: &str) -> Result<Instance> {
    let (_, generated) = sdk_component(AWS_SDK_STS)?;
    for line in [
        "constructor(config: compwrap-sdk-config);",
        "get-caller-identity: func() -> result<get-caller-identity-output, operation-error>;",
        "assume-role: func(input: assume-role-input) -> result<assume-role-output, operation-error>;",
        // The errors STS's model declares, typed.
        "record operation-error {\n        error: compwrap-sdk-error,\n        modeled: option<service-error>,\n    }",
        "expired-token-exception(expired-token-exception),",
        "record expired-token-exception {\n        message: option<string>,\n    }",
    ] {
        ensure!(generated.wit.contains(line), "the WIT lacks `{line}`");
    }
    // Only the client and its operations' shapes are exported.
    for gone in [
        "fluent-builder",
        "input-builder",
        "resource config",
        "-role-arn: func",
    ] {
        ensure!(
            !generated.wit.contains(gone),
            "the WIT still exports `{gone}`"
        );
    }
    load_sdk(AWS_SDK_STS, allowed)
}

#[test]
fn operations_reach_moto_and_take_their_input_records() -> Result<()> {
    let moto = Moto::start()?;
    let mut sts = load_sts(&moto.address)?;
    let client = make_client(&mut sts, &moto.endpoint)?;

    // The output is a record of the operation's output members.
    let identity = call(&mut sts, "[method]client.get-caller-identity", &[&client])?;
    ensure!(
        identity.starts_with("ok({"),
        "GetCallerIdentity failed: {identity}"
    );
    let account = identity
        .split_once(r#"account: some(""#)
        .and_then(|(_, rest)| rest.split_once('"'))
        .map(|(account, _)| account.to_string())
        .with_context(|| format!("no account in {identity}"))?;
    ensure!(
        account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()),
        "{account}"
    );
    ensure!(
        identity.contains(&format!(r#"arn: some("arn:aws:sts::{account}:"#)),
        "{identity}"
    );

    // An input record: AssumeRole with its required members.
    let role = format!("arn:aws:iam::{account}:role/compwrap");
    let assumed = call(
        &mut sts,
        "[method]client.assume-role",
        &[
            &client,
            &format!(
                r#"{{role-arn: some("{role}"), role-session-name: some("compwrap-test"), duration-seconds: some(900)}}"#
            ),
        ],
    )?;
    ensure!(assumed.starts_with("ok({"), "AssumeRole failed: {assumed}");
    // Smithy's `DateTime` arrives as a `compwrap:types` timestamp: the
    // credentials expire in the 900 seconds asked for.
    let expiration: i64 = assumed
        .split_once("expiration: {secs: ")
        .and_then(|(_, rest)| rest.split_once(','))
        .and_then(|(secs, _)| secs.parse().ok())
        .with_context(|| format!("no expiration timestamp in {assumed}"))?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs() as i64;
    ensure!(
        (now + 800..=now + 1000).contains(&expiration),
        "the credentials expire at {expiration}, {} s from now",
        expiration - now
    );
    ensure!(
        assumed.contains(&format!(
            "arn: \"arn:aws:sts::{account}:assumed-role/compwrap/compwrap-test\""
        )),
        "{assumed}"
    );

    // A port nothing listens on (allowed): a dispatch failure, as data.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut refused = load_sts(&closed.to_string())?;
    let dead = make_client(&mut refused, &format!("http://{closed}"))?;
    let error = call(&mut refused, "[method]client.get-caller-identity", &[&dead])?;
    ensure!(error.starts_with("err({error: {kind: dispatch"), "{error}");
    // No response, no status and no modeled error (WAVE leaves out `none`
    // fields).
    ensure!(
        !error.contains("http-status") && !error.contains("modeled"),
        "{error}"
    );
    ensure!(error.contains("ConnectionRefused"), "{error}");
    Ok(())
}

#[test]
fn a_service_error_has_the_services_code_and_a_denied_host_is_an_error_too() -> Result<()> {
    let moto = Moto::start()?;
    let mut sts = load_sts(&moto.address)?;
    let client = make_client(&mut sts, &moto.endpoint)?;

    // moto refuses a role session name over 64 characters.
    let input = format!(
        r#"{{role-arn: some("arn:aws:iam::123456789012:role/compwrap"), role-session-name: some("{}")}}"#,
        "s".repeat(70)
    );
    let error = call(&mut sts, "[method]client.assume-role", &[&client, &input])?;
    ensure!(error.starts_with("err({error: {kind: service"), "{error}");
    // STS's model declares no `ValidationError`: no modeled error.
    ensure!(!error.contains("modeled"), "{error}");
    ensure!(
        error.contains(r#"code: some("ValidationError")"#),
        "{error}"
    );
    ensure!(error.contains("http-status: some(400)"), "{error}");
    ensure!(error.contains("roleSessionName"), "{error}");

    // The same service by another name is not on the allowlist: the request
    // never leaves the host…
    let port = moto.address.rsplit(':').next().unwrap_or_default();
    let other = make_client(&mut sts, &format!("http://localhost:{port}"))?;
    let error = call(&mut sts, "[method]client.get-caller-identity", &[&other])?;
    ensure!(error.starts_with("err({error: {kind: dispatch"), "{error}");
    // The guest's HTTP client keeps the host's reason.
    ensure!(error.contains("the host denied the request"), "{error}");
    // …and the component keeps serving.
    let again = call(&mut sts, "[method]client.get-caller-identity", &[&client])?;
    ensure!(again.starts_with("ok("), "{again}");
    Ok(())
}

#[test]
fn input_records_are_built_through_the_sdks_builders() -> Result<()> {
    let moto = Moto::start()?;
    let mut sts = load_sts(&moto.address)?;
    let client = make_client(&mut sts, &moto.endpoint)?;

    // Members that are lists of shapes: `Tag` has required members (its
    // builder's `build()` returns a `Result`), `PolicyDescriptorType` only
    // optional ones (`build()` returns the shape).
    let input = r#"{role-arn: some("arn:aws:iam::123456789012:role/compwrap"), role-session-name: some("shapes"), tags: some([{key: "team", value: "compwrap"}, {key: "stage", value: "test ✓"}]), policy-arns: some([{arn: some("arn:aws:iam::123456789012:policy/compwrap")}])}"#;
    let assumed = call(&mut sts, "[method]client.assume-role", &[&client, input])?;
    ensure!(assumed.starts_with("ok({"), "AssumeRole failed: {assumed}");
    ensure!(
        assumed.contains(r#"assumed-role-id: "AROA"#) && assumed.contains(":shapes\""),
        "{assumed}"
    );

    // A tag without its required value cannot even be written in WAVE: the
    // record's fields are not optional.
    let bad = r#"{role-arn: some("arn:aws:iam::123456789012:role/compwrap"), role-session-name: some("shapes"), tags: some([{key: "team"}])}"#;
    ensure!(
        sts.call_wave("[method]client.assume-role", &[&client, bad])
            .is_err(),
        "a tag without a value was accepted"
    );
    Ok(())
}

/// An application on the typed host crate of the STS component: a client
/// handle made from an `sdk-config` (a record of options, so
/// `..Default::default()`), `client.get_caller_identity()`, an input record
/// for `client.assume_role(&input)`, and the service's error as a typed
/// `OperationError`. The application depends on no `aws-*` crate and no
/// wasmtime: it calls through the shared runtime library in the store.
#[test]
fn an_application_calls_the_component_through_its_typed_host_crate() -> Result<()> {
    let moto = Moto::start()?;
    let (store, generated) = sdk_component(AWS_SDK_STS)?;
    let work = tempfile::tempdir()?;
    // Only what the application calls is bound.
    let (crate_dir, written) = write_host_crate(
        work.path(),
        &store,
        &generated,
        "aws-sdk-sts-component",
        &["get-caller-identity", "AssumeRole"],
    )?;
    ensure!(written.wrapper == "AwsSdkSts", "{}", written.wrapper);
    ensure!(
        written
            .methods
            .get("client.assume_role")
            .map(String::as_str)
            == Some("compwrap:aws-sdk-sts/client#[method]client.assume-role"),
        "{:?}",
        written.methods
    );
    ensure!(
        written.methods.len() == 3 && !written.methods.contains_key("client.get_session_token"),
        "bound more than asked: {:?}",
        written.methods
    );
    let bindings = std::fs::read_to_string(crate_dir.join("bindings/src/lib.rs"))?;
    ensure!(
        !bindings.contains("FederatedUser"),
        "the bindings have types no bound function reaches"
    );

    // Shared with the other host-crate applications of the tests.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("host-crate-app");
    let exe = build_host_app(
        work.path(),
        &target,
        "aws-sdk-sts-component",
        &crate_dir,
        STS_APP,
    )?;
    let stdout = run_host_app(&exe, &moto.address, &store)?;
    ensure!(stdout.contains("account 123456789012\n"), "{stdout}");
    ensure!(
        stdout.contains("assume-role: service ValidationError 400 modeled: none\n"),
        "{stdout}"
    );
    ensure!(
        stdout.contains("after the error: arn:aws:sts::123456789012:"),
        "{stdout}"
    );
    ensure!(stdout.contains("denied host: dispatch true\n"), "{stdout}");
    Ok(())
}

const STS_APP: &str = r#"use aws_sdk_sts_component::client::{AssumeRoleInput, OperationError, ServiceError};
use aws_sdk_sts_component::compwrap_types::SdkErrorKind;

fn main() -> Result<(), compwrap_client::Error> {
    let address = std::env::args().nth(1).expect("moto's address");
    let runtime = aws_sdk_sts_component::runtime_builder().allow_http(&address).build()?;
    let sts = aws_sdk_sts_component::load_with(&runtime)?;
    let client = sts.client(&config(format!("http://{address}")))?;
    let identity = client.get_caller_identity()?.map_err(|e| compwrap_client::Error::guest(e.error.detail))?;
    println!("account {}", identity.account.unwrap_or_default());
    let input = AssumeRoleInput {
        role_arn: Some("arn:aws:iam::123456789012:role/app".into()),
        role_session_name: Some("s".repeat(70)),
        ..Default::default()
    };
    match client.assume_role(&input)? {
        Ok(_) => println!("assume-role: ok"),
        Err(OperationError { error, modeled }) => println!(
            "assume-role: {} {} {} modeled: {}",
            if matches!(error.kind, SdkErrorKind::Service) { "service" } else { "other" },
            error.code.unwrap_or_default(),
            error.http_status.unwrap_or_default(),
            match modeled {
                Some(ServiceError::MalformedPolicyDocumentException(e)) => e.message.unwrap_or_default(),
                Some(other) => format!("{other:?}"),
                None => "none".into(),
            }
        ),
    }
    let identity = client.get_caller_identity()?.map_err(|e| compwrap_client::Error::guest(e.error.detail))?;
    println!("after the error: {}", identity.arn.unwrap_or_default());
    drop(client);

    // The same service by a name that is not on the allowlist.
    let port = address.rsplit(':').next().unwrap_or_default();
    let other = sts.client(&config(format!("http://localhost:{port}")))?;
    match other.get_caller_identity()? {
        Ok(_) => println!("denied host: reached"),
        Err(OperationError { error, .. }) => println!(
            "denied host: {} {}",
            if matches!(error.kind, SdkErrorKind::Dispatch) { "dispatch" } else { "other" },
            error.detail.contains("denied outgoing HTTP requests") && error.detail.contains("http://localhost:")
        ),
    }
    Ok(())
}
"#;

/// `--only` takes operation names in any spelling: the client keeps its
/// constructor and those operations, with only the shapes they reach.
#[test]
fn only_selects_operations_by_name() -> Result<()> {
    let store = compwrap_tests::test_store()?;
    let derive = |only: &[&str]| {
        let options = compwrap::generate::Options {
            spec: AWS_SDK_STS.parse()?,
            only: only.iter().map(|s| s.to_string()).collect(),
            features: Features {
                features: vec![],
                no_default: true,
            },
            assume_yes: true,
            force: false,
            cache: None,
        };
        compwrap::generate::derive_only(&store, &options, &compwrap::generate::Quiet)
    };
    let (wit, report) = derive(&["get-caller-identity", "AssumeRole"])?;
    for wanted in [
        "constructor(config: compwrap-sdk-config);",
        "get-caller-identity: func() -> result<get-caller-identity-output, operation-error>;",
        "assume-role: func(input: assume-role-input) -> result<assume-role-output, operation-error>;",
        "record tag {",
    ] {
        ensure!(wit.contains(wanted), "the WIT lacks `{wanted}`:\n{wit}");
    }
    for unwanted in [
        "get-session-token",
        "federated-user",
        "decode-authorization-message",
    ] {
        ensure!(!wit.contains(unwanted), "the WIT has `{unwanted}`:\n{wit}");
    }
    let session = report
        .items
        .iter()
        .find(|i| i.path == "aws_sdk_sts::client::Client::get_session_token")
        .context("no report entry for get_session_token")?;
    ensure!(session.wit.is_none(), "{session:?}");

    let error = derive(&["get-caller-identit"])
        .err()
        .context("a misspelt operation was accepted")?;
    let text = format!("{error:#}");
    ensure!(text.contains("closest: get-caller-identity"), "{text}");
    Ok(())
}
