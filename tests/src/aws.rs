//! AWS SDK crates end to end: components generated without default
//! features (which need tokio's runtime, unavailable on wasm32), called
//! against moto on loopback, and applications on their typed host crates.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use compwrap::Store;
use compwrap::generate::Generated;
use compwrap::resolve::Features;
use compwrap_host::Runtime;
use compwrap_host::call::Instance;

/// The `aws-sdk-sts` release the tests generate.
pub const AWS_SDK_STS: &str = "aws-sdk-sts@1.124.0";

/// The `aws-sdk-secretsmanager` release the tests generate: its model
/// declares the errors moto answers with (`ResourceNotFoundException`, …).
pub const AWS_SDK_SECRETSMANAGER: &str = "aws-sdk-secretsmanager@1.125.0";

/// The `aws-sdk-mediastoredata` release the tests generate: an object
/// store of five operations whose objects are streaming bodies.
pub const AWS_SDK_MEDIASTOREDATA: &str = "aws-sdk-mediastoredata@1.120.0";

/// The `aws-sdk-s3` release `cargo xtask s3` generates.
pub const AWS_SDK_S3: &str = "aws-sdk-s3@1.157.0";

/// The component of the SDK crate `spec` (built once per generate key).
pub fn sdk_component(spec: &str) -> Result<(Store, Generated)> {
    let features = Features {
        features: vec![],
        no_default: true,
    };
    let (store, generated, _) = crate::generated_with_features(spec, features)?;
    Ok((store, generated))
}

/// An instance of the SDK crate `spec`'s component that may reach only
/// `allowed` over HTTP.
pub fn load_sdk(spec: &str, allowed: &str) -> Result<Instance> {
    let (store, generated) = sdk_component(spec)?;
    let runtime = Runtime::builder()
        .native_cache_dir(Some(store.native_dir()))
        .allow_http(allowed)
        .build()?;
    let bytes = store.read_blob(&generated.digest)?;
    runtime.load_bytes(&bytes)?.instantiate()
}

/// An `sdk-config` for `endpoint` in WAVE, with moto's test credentials and
/// one attempt per operation.
pub fn sdk_config(endpoint: &str) -> String {
    format!(
        r#"{{region: some("us-east-1"), endpoint-url: some("{endpoint}"), credentials: some({{access-key-id: "testing", secret-access-key: "testing"}}), max-attempts: some(1), connect-timeout-ms: some(2000), operation-timeout-ms: some(5000)}}"#
    )
}

/// A client for `endpoint`: its handle in WAVE (`#N`).
pub fn make_client(instance: &mut Instance, endpoint: &str) -> Result<String> {
    instance
        .call_wave("[constructor]client", &[&sdk_config(endpoint)])?
        .context("the constructor returned nothing")
}

/// Calls `name` and returns its result in WAVE.
pub fn call(instance: &mut Instance, name: &str, args: &[&str]) -> Result<String> {
    instance
        .call_wave(name, args)?
        .with_context(|| format!("{name} returned nothing"))
}

/// The workspace this test crate belongs to.
fn workspace() -> Result<&'static Path> {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("no workspace")
}

/// Writes the typed host crate of the SDK component `generated` (binding
/// only the functions in `bind`) to `work/<package>`, on this workspace's
/// compwrap-client; returns its directory and what was written.
pub fn write_host_crate(
    work: &Path,
    store: &Store,
    generated: &Generated,
    package: &str,
    bind: &[&str],
) -> Result<(PathBuf, compwrap::host_crate::Written)> {
    let crate_dir = work.join(package);
    let written = compwrap::host_crate::write(
        &store.read_blob(&generated.digest)?,
        &compwrap::host_crate::Options {
            out: crate_dir.clone(),
            oci: None,
            compwrap: compwrap::host_crate::CompwrapDependency::Path(workspace()?.to_owned()),
            bind: bind.iter().map(|b| b.to_string()).collect(),
        },
    )?;
    Ok((crate_dir, written))
}

/// `config(endpoint)` of the applications: moto's test credentials, one
/// attempt per operation.
const APP_CONFIG: &str = r#"fn config(endpoint: String) -> SdkConfig {
    SdkConfig {
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint),
        credentials: Some(SdkCredentials {
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
            session_token: None,
        }),
        max_attempts: Some(1),
        ..Default::default()
    }
}
"#;

/// Builds the application `main_rs` on the typed host crate in
/// `crate_dir` (package `package`) in its own cargo project under `work`,
/// with `target` as its target directory; the source starts with the
/// `use`s of `SdkConfig`, `SdkCredentials` and `compwrap_client`, and a
/// `config(endpoint: String) -> SdkConfig`. Checks that it depends on no
/// wasmtime and no `aws-*` crate. Returns the executable.
pub fn build_host_app(
    work: &Path,
    target: &Path,
    package: &str,
    crate_dir: &Path,
    main_rs: &str,
) -> Result<PathBuf> {
    let workspace = workspace()?;
    let app = work.join("app");
    std::fs::create_dir_all(app.join("src"))?;
    std::fs::write(
        app.join("Cargo.toml"),
        format!(
            "[package]\nname = \"sdk-app\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\
             publish = false\n\n[dependencies]\n\
             {package} = {{ path = {:?} }}\n\n\
             [profile.dev]\ndebug = \"line-tables-only\"\n\n[workspace]\n",
            crate_dir.display().to_string()
        ),
    )?;
    let krate = package.replace('-', "_");
    std::fs::write(
        app.join("src/main.rs"),
        format!(
            "use {krate}::compwrap_types::{{SdkConfig, SdkCredentials}};\n\
             use {krate}::compwrap_client;\n\n{APP_CONFIG}\n{main_rs}"
        ),
    )?;
    std::fs::copy(workspace.join("Cargo.lock"), app.join("Cargo.lock"))?;
    let cargo = || {
        let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
        cmd.current_dir(&app)
            .env("CARGO_TARGET_DIR", target)
            .env_remove("RUSTFLAGS");
        cmd
    };
    let built = cargo().args(["build", "--quiet"]).output()?;
    ensure!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let tree = cargo()
        .args(["tree", "-e", "normal", "--prefix", "none"])
        .output()?;
    let tree = String::from_utf8_lossy(&tree.stdout);
    ensure!(
        !tree
            .lines()
            .any(|l| l.starts_with("wasmtime ") || l.starts_with("compwrap-host ")),
        "the application builds wasmtime:\n{tree}"
    );
    ensure!(
        !tree
            .lines()
            .any(|l| l.starts_with("aws-") && !l.starts_with(package)),
        "the application depends on an aws-* crate:\n{tree}"
    );
    Ok(target.join("debug/sdk-app"))
}

/// Runs the application `exe` with moto's `address` as its argument and
/// `store` as its store; returns its standard output.
pub fn run_host_app(exe: &Path, address: &str, store: &Store) -> Result<String> {
    run_host_app_with(exe, &[address], store)
}

/// [`run_host_app`] with these arguments.
pub fn run_host_app_with(exe: &Path, args: &[&str], store: &Store) -> Result<String> {
    let run = Command::new(exe)
        .args(args)
        .env("COMPWRAP_HOME", store.root())
        .output()?;
    let stdout = String::from_utf8_lossy(&run.stdout).into_owned();
    ensure!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    Ok(stdout)
}
