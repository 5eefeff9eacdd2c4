//! The errors a service's model declares, typed: `aws-sdk-secretsmanager`
//! against moto, which answers a missing secret with the declared
//! `ResourceNotFoundException` and a second secret of the same name with
//! `ResourceExistsException`. Each arrives as a case of the crate's
//! `service-error` variant, with the error's members, next to the
//! `sdk-error`; an application on the typed host crate matches it by type.

use std::path::Path;

use anyhow::{Result, ensure};
use compwrap_tests::Moto;
use compwrap_tests::aws::{
    AWS_SDK_SECRETSMANAGER, build_host_app, call, load_sdk, make_client, run_host_app,
    sdk_component, write_host_crate,
};

#[test]
fn declared_errors_arrive_as_service_error_cases_with_their_members() -> Result<()> {
    let (_, generated) = sdk_component(AWS_SDK_SECRETSMANAGER)?;
    for line in [
        "get-secret-value: func(input: get-secret-value-input) -> result<get-secret-value-output, operation-error>;",
        "resource-not-found-exception(resource-not-found-exception),",
        "resource-exists-exception(resource-exists-exception),",
        "record resource-not-found-exception {\n        message: option<string>,\n    }",
    ] {
        ensure!(generated.wit.contains(line), "the WIT lacks `{line}`");
    }

    let moto = Moto::start()?;
    let mut sm = load_sdk(AWS_SDK_SECRETSMANAGER, &moto.address)?;
    let client = make_client(&mut sm, &moto.endpoint)?;
    let create = r#"{name: some("compwrap-test"), secret-string: some("s3cr3t")}"#;
    let created = call(&mut sm, "[method]client.create-secret", &[&client, create])?;
    ensure!(
        created.starts_with("ok({") && created.contains(r#"name: some("compwrap-test")"#),
        "{created}"
    );
    let value = call(
        &mut sm,
        "[method]client.get-secret-value",
        &[&client, r#"{secret-id: some("compwrap-test")}"#],
    )?;
    ensure!(
        value.contains(r#"secret-string: some("s3cr3t")"#),
        "{value}"
    );

    let missing = call(
        &mut sm,
        "[method]client.get-secret-value",
        &[&client, r#"{secret-id: some("compwrap-missing")}"#],
    )?;
    ensure!(
        missing
            .starts_with(r#"err({error: {kind: service, code: some("ResourceNotFoundException")"#),
        "{missing}"
    );
    ensure!(missing.contains("http-status: some(404)"), "{missing}");
    ensure!(
        missing.contains(
            r#"modeled: some(resource-not-found-exception({message: some("Secrets Manager can"#
        ),
        "{missing}"
    );

    let again = call(&mut sm, "[method]client.create-secret", &[&client, create])?;
    ensure!(
        again.contains(r#"code: some("ResourceExistsException")"#)
            && again.contains("modeled: some(resource-exists-exception({message: some("),
        "{again}"
    );
    // The component keeps serving.
    let value = call(
        &mut sm,
        "[method]client.get-secret-value",
        &[&client, r#"{secret-id: some("compwrap-test")}"#],
    )?;
    ensure!(value.starts_with("ok({"), "{value}");
    Ok(())
}

/// An application matches the declared error by type:
/// `Err(OperationError { modeled: Some(ServiceError::ResourceNotFoundException(e)), .. })`.
#[test]
fn an_application_matches_declared_errors_by_type() -> Result<()> {
    let moto = Moto::start()?;
    let (store, generated) = sdk_component(AWS_SDK_SECRETSMANAGER)?;
    let work = tempfile::tempdir()?;
    let (crate_dir, _) = write_host_crate(
        work.path(),
        &store,
        &generated,
        "aws-sdk-secretsmanager-component",
        &["create-secret", "get-secret-value"],
    )?;
    // Shared with the other host-crate applications of the tests.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("host-crate-app");
    let exe = build_host_app(
        work.path(),
        &target,
        "aws-sdk-secretsmanager-component",
        &crate_dir,
        SECRETS_APP,
    )?;
    let stdout = run_host_app(&exe, &moto.address, &store)?;
    for line in [
        "value: v1\n",
        "missing: not found, status 404, message: Secrets Manager can't find the specified secret.\n",
        "again: exists\n",
    ] {
        ensure!(stdout.contains(line), "no `{line}` in:\n{stdout}");
    }
    Ok(())
}

const SECRETS_APP: &str = r#"use aws_sdk_secretsmanager_component::client::{
    CreateSecretInput, GetSecretValueInput, OperationError, ServiceError,
};

fn main() -> Result<(), compwrap_client::Error> {
    let address = std::env::args().nth(1).expect("moto's address");
    let runtime = aws_sdk_secretsmanager_component::runtime_builder().allow_http(&address).build()?;
    let sm = aws_sdk_secretsmanager_component::load_with(&runtime)?;
    let client = sm.client(&config(format!("http://{address}")))?;
    let create = CreateSecretInput {
        name: Some("app".into()),
        secret_string: Some("v1".into()),
        ..Default::default()
    };
    client
        .create_secret(&create)?
        .map_err(|e| compwrap_client::Error::guest(e.error.detail))?;
    let get = |id: &str| GetSecretValueInput {
        secret_id: Some(id.into()),
        ..Default::default()
    };
    let value = client
        .get_secret_value(&get("app"))?
        .map_err(|e| compwrap_client::Error::guest(e.error.detail))?;
    println!("value: {}", value.secret_string.unwrap_or_default());
    match client.get_secret_value(&get("missing"))? {
        Ok(_) => println!("missing: found"),
        Err(OperationError {
            error,
            modeled: Some(ServiceError::ResourceNotFoundException(e)),
        }) => println!(
            "missing: not found, status {}, message: {}",
            error.http_status.unwrap_or_default(),
            e.message.unwrap_or_default()
        ),
        Err(e) => println!("missing: {:?} {:?}", e.error.code, e.modeled),
    }
    match client.create_secret(&create)? {
        Ok(_) => println!("again: created"),
        Err(OperationError {
            modeled: Some(ServiceError::ResourceExistsException(_)),
            ..
        }) => println!("again: exists"),
        Err(e) => println!("again: {:?} {:?}", e.error.code, e.modeled),
    }
    Ok(())
}
"#;
