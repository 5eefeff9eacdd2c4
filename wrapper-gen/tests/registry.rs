//! `compwrap publish` and `compwrap pull` against a real OCI registry
//! (Debian's docker-registry on loopback), anonymous and with basic auth.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::registry::{TestRegistry, files_under};
use common::{EXE, json, test_home, text};
use serde_json::Value;

const SEMVER: &str = "semver@1.0.28";

/// Runs compwrap with `home` as its store, `stdin` on its standard input
/// and no registry credentials from the environment unless `env` sets them.
fn compwrap_with(home: &Path, args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(EXE)
        .args(args)
        .env("COMPWRAP_HOME", home)
        .env_remove("COMPWRAP_OCI_USERNAME")
        .env_remove("COMPWRAP_OCI_PASSWORD")
        .env("DOCKER_CONFIG", home.join("no-docker-config"))
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run compwrap");
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().expect("wait for compwrap")
}

fn compwrap(home: &Path, args: &[&str]) -> Output {
    compwrap_with(home, args, "", &[])
}

fn assert_fails(o: &Output, code: i32, needle: &str) {
    let t = text(o);
    assert_eq!(o.status.code(), Some(code), "{t}");
    assert!(t.contains(needle), "expected `{needle}` in:\n{t}");
}

/// The semver component in the shared test store (built once), and its
/// bytes.
fn semver_component() -> (Value, Vec<u8>) {
    let home = test_home();
    let generated = json(&compwrap(&home, &["generate", SEMVER, "--yes", "--json"]));
    let path = generated["path"].as_str().expect("path").to_string();
    (generated, std::fs::read(path).expect("read the component"))
}

fn blobs_in(home: &Path) -> Vec<std::path::PathBuf> {
    files_under(&home.join("blobs"))
}

#[test]
fn publish_then_pull_round_trips_in_the_wasm_oci_layout() {
    let registry = TestRegistry::anonymous();
    let (generated, bytes) = semver_component();
    let reference = format!("{}:1.0.28", registry.oci("compwrap/semver"));
    let published = json(&compwrap(
        &test_home(),
        &["publish", SEMVER, &reference, "--insecure", "--json"],
    ));
    assert_eq!(published["digest"], generated["digest"]);
    let manifest_digest = published["manifest_digest"].as_str().unwrap().to_string();

    // The manifest, config and layer exactly as the CNCF Wasm OCI layout
    // (and wkg / oci-wasm) have them.
    let (status, body) = registry
        .get("/v2/compwrap/semver/manifests/1.0.28")
        .unwrap();
    assert_eq!(status, 200);
    let manifest: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0]["mediaType"], "application/wasm");
    assert_eq!(layers[0]["digest"], generated["digest"]);
    assert_eq!(layers[0]["size"], bytes.len() as u64);
    assert_eq!(
        layers[0]["annotations"]["org.opencontainers.image.title"],
        "semver.wasm"
    );
    let annotations = &manifest["annotations"];
    assert_eq!(annotations["org.opencontainers.image.version"], "1.0.28");
    assert_eq!(
        annotations["org.opencontainers.image.description"],
        "Parser and evaluator for Cargo's flavor of Semantic Versioning"
    );
    assert_eq!(
        annotations["org.opencontainers.image.licenses"],
        "MIT OR Apache-2.0"
    );
    assert_eq!(
        annotations["org.opencontainers.image.source"],
        "https://github.com/dtolnay/semver"
    );
    assert_eq!(
        annotations["dev.compwrap.generate-key"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    let config_digest = manifest["config"]["digest"].as_str().unwrap();
    let (status, config) = registry
        .get(&format!("/v2/compwrap/semver/blobs/{config_digest}"))
        .unwrap();
    assert_eq!(status, 200);
    let config: Value = serde_json::from_slice(&config).unwrap();
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert_eq!(config["layerDigests"][0], generated["digest"]);
    assert_eq!(
        config["component"]["exports"][0],
        "compwrap:semver/semver@1.0.28"
    );
    let imports = config["component"]["imports"].as_array().unwrap();
    assert!(imports.iter().any(|i| i == "compwrap:types/types@0.1.0"));

    // Pull into a fresh store: byte-identical, found by name, callable.
    let second = tempfile::tempdir().unwrap();
    let pulled = json(&compwrap(
        second.path(),
        &["pull", &reference, "--insecure", "--json"],
    ));
    assert_eq!(pulled["digest"], generated["digest"]);
    assert_eq!(pulled["manifest_digest"].as_str(), Some(&*manifest_digest));
    assert_eq!(pulled["already_stored"], false);
    let stored = std::fs::read(pulled["path"].as_str().unwrap()).unwrap();
    assert!(stored == bytes, "the pulled component differs");
    let call = compwrap(
        second.path(),
        &["call", SEMVER, "version-parse", r#""1.2.3-beta.1""#],
    );
    assert!(call.status.success(), "{}", text(&call));
    assert!(text(&call).contains(r#"pre: "beta.1""#), "{}", text(&call));
    let again = json(&compwrap(
        second.path(),
        &["pull", &reference, "--insecure", "--json"],
    ));
    assert_eq!(again["already_stored"], true);

    // A reference by digest is honoured exactly.
    let third = tempfile::tempdir().unwrap();
    let pinned = format!("{}@{manifest_digest}", registry.oci("compwrap/semver"));
    let by_digest = json(&compwrap(
        third.path(),
        &["pull", &pinned, "--insecure", "--json"],
    ));
    assert_eq!(by_digest["digest"], generated["digest"]);
    let absent = format!(
        "{}@sha256:{}",
        registry.oci("compwrap/semver"),
        "0".repeat(64)
    );
    assert_fails(
        &compwrap(third.path(), &["pull", &absent, "--insecure"]),
        3,
        "does not exist in the registry",
    );
    assert_fails(
        &compwrap(
            third.path(),
            &[
                "pull",
                &format!("{}:9.9.9", registry.oci("compwrap/semver")),
                "--insecure",
            ],
        ),
        3,
        "does not exist in the registry",
    );

    // compwrap-host loads `oci://` references through a store.
    let host_store = tempfile::tempdir().unwrap();
    let store = compwrap_host::Store::open(host_store.path()).unwrap();
    let runtime = compwrap_host::Runtime::builder()
        .native_cache_dir(None)
        .build()
        .unwrap();
    let options = compwrap_host::oci::RegistryOptions::default();
    let loaded = runtime.load_oci(&store, &reference, &options).unwrap();
    assert_eq!(
        loaded.digest().to_string(),
        generated["digest"].as_str().unwrap()
    );
    let parsed = loaded
        .instantiate()
        .unwrap()
        .call_wave("version-parse", &[r#""3.1.4""#])
        .unwrap();
    assert!(parsed.unwrap_or_default().contains("major: 3"));
    assert!(store.has_blob(loaded.digest()));

    // Another tool of the ecosystem reads what compwrap published.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = oci_wasm::WasmClient::new(compwrap_host::oci::oci_client::Client::new(
        compwrap_host::oci::oci_client::client::ClientConfig {
            protocol: compwrap_host::oci::oci_client::client::ClientProtocol::Http,
            ..Default::default()
        },
    ));
    let image: compwrap_host::oci::oci_client::Reference =
        reference.trim_start_matches("oci://").parse().unwrap();
    let anonymous = compwrap_host::oci::oci_client::secrets::RegistryAuth::Anonymous;
    let (_, config, _) = runtime
        .block_on(client.pull_manifest_and_config(&image, &anonymous))
        .expect("oci-wasm reads the manifest and config");
    assert_eq!(config.os, "wasip2");
    let image_data = runtime
        .block_on(client.pull(&image, &anonymous))
        .expect("oci-wasm pulls the component");
    assert!(image_data.layers[0].data == bytes);
}

#[test]
fn basic_auth_takes_flags_environment_or_docker_config_and_never_prints_secrets() {
    const PASSWORD: &str = "s3cret-Pa55";
    let registry = TestRegistry::with_basic_auth("alice", PASSWORD);
    let (_, bytes) = semver_component();
    let reference = format!("{}:1", registry.oci("team/semver"));
    let home = test_home();

    let anonymous = compwrap(&home, &["publish", SEMVER, &reference, "--insecure"]);
    assert_fails(&anonymous, 8, "requires credentials and none were found");

    let args = [
        "publish",
        SEMVER,
        &reference,
        "--insecure",
        "--username",
        "alice",
        "--password-stdin",
    ];
    let wrong = compwrap_with(&home, &args, "not-the-Pa55\n", &[]);
    assert_fails(&wrong, 8, "refused the credentials given");
    assert!(!text(&wrong).contains("not-the-Pa55"), "{}", text(&wrong));

    let right = compwrap_with(&home, &args, &format!("{PASSWORD}\n"), &[]);
    assert!(right.status.success(), "{}", text(&right));
    assert!(!text(&right).contains(PASSWORD));

    // Pull with the environment's credentials: a wrong password, then the
    // right one.
    let second = tempfile::tempdir().unwrap();
    let pull = ["pull", &reference, "--insecure"];
    let env_wrong = compwrap_with(
        second.path(),
        &pull,
        "",
        &[
            ("COMPWRAP_OCI_USERNAME", "alice"),
            ("COMPWRAP_OCI_PASSWORD", "wrong-env-Pa55"),
        ],
    );
    assert_fails(
        &env_wrong,
        8,
        "refused the credentials in COMPWRAP_OCI_USERNAME and COMPWRAP_OCI_PASSWORD",
    );
    assert!(!text(&env_wrong).contains("wrong-env-Pa55"));
    assert!(
        blobs_in(second.path()).is_empty(),
        "a refused pull stored something"
    );
    let env_right = compwrap_with(
        second.path(),
        &pull,
        "",
        &[
            ("COMPWRAP_OCI_USERNAME", "alice"),
            ("COMPWRAP_OCI_PASSWORD", PASSWORD),
        ],
    );
    assert!(env_right.status.success(), "{}", text(&env_right));

    // Credentials from a docker config.json (`auth` = base64 user:password).
    let third = tempfile::tempdir().unwrap();
    let docker = third.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("alice:{PASSWORD}"));
    std::fs::write(
        docker.join("config.json"),
        serde_json::json!({ "auths": { registry.address.clone(): { "auth": auth } } }).to_string(),
    )
    .unwrap();
    let from_docker = compwrap_with(
        third.path(),
        &["pull", &reference, "--insecure", "--json"],
        "",
        &[("DOCKER_CONFIG", docker.to_str().unwrap())],
    );
    let pulled = json(&from_docker);
    let stored = std::fs::read(pulled["path"].as_str().unwrap()).unwrap();
    assert!(stored == bytes);
}

#[test]
fn a_registry_that_is_down_is_a_clear_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let home = tempfile::tempdir().unwrap();
    let reference = format!("oci://127.0.0.1:{port}/compwrap/semver:1");
    let o = compwrap(home.path(), &["pull", &reference, "--insecure"]);
    assert_fails(
        &o,
        8,
        &format!("cannot reach the registry 127.0.0.1:{port}"),
    );
    assert!(text(&o).contains("is it running?"));
    assert!(blobs_in(home.path()).is_empty());
    let o = compwrap(&test_home(), &["publish", SEMVER, &reference, "--insecure"]);
    assert_fails(&o, 8, "cannot reach the registry");
}

#[test]
fn a_blob_tampered_on_the_registry_is_rejected_and_nothing_is_stored() {
    let registry = TestRegistry::anonymous();
    let (generated, _) = semver_component();
    let reference = format!("{}:1.0.28", registry.oci("compwrap/semver"));
    let o = compwrap(&test_home(), &["publish", SEMVER, &reference, "--insecure"]);
    assert!(o.status.success(), "{}", text(&o));
    let blob = registry.blob_file(generated["digest"].as_str().unwrap());
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&blob, &bytes).unwrap();

    let home = tempfile::tempdir().unwrap();
    let o = compwrap(home.path(), &["pull", &reference, "--insecure"]);
    assert_fails(&o, 8, "is not the one its manifest names");
    assert!(text(&o).contains("nothing was stored"), "{}", text(&o));
    assert!(
        blobs_in(home.path()).is_empty(),
        "{:?}",
        blobs_in(home.path())
    );
    assert!(files_under(&home.path().join("refs")).is_empty());
}

#[test]
fn publishing_bad_input_fails_before_the_registry() {
    let registry = TestRegistry::anonymous();
    let home = tempfile::tempdir().unwrap();
    let garbage = home.path().join("garbage.wasm");
    std::fs::write(&garbage, b"\0asm not really").unwrap();
    let reference = format!("{}:1", registry.oci("compwrap/garbage"));
    let o = compwrap(
        home.path(),
        &[
            "publish",
            garbage.to_str().unwrap(),
            &reference,
            "--insecure",
        ],
    );
    assert_fails(&o, 6, "is not a WebAssembly component");
    let (status, _) = registry.get("/v2/compwrap/garbage/tags/list").unwrap();
    assert_eq!(status, 404, "something was pushed");

    // A digest names content, so it cannot be published to; without a
    // tag, `latest` is meant, as with docker.
    let pinned = format!(
        "{}@sha256:{}",
        registry.oci("compwrap/semver"),
        "0".repeat(64)
    );
    let o = compwrap(&test_home(), &["publish", SEMVER, &pinned, "--insecure"]);
    assert_fails(&o, 1, "needs a tag to publish to");
    let untagged = registry.oci("compwrap/semver");
    let o = compwrap(&test_home(), &["publish", SEMVER, &untagged, "--insecure"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("compwrap/semver:latest"), "{}", text(&o));
    let o = compwrap(home.path(), &["pull", "ghcr.io/acme/semver:1"]);
    assert_fails(&o, 2, "is not an OCI reference");
}

#[test]
fn a_registry_build_cache_serves_a_second_store_without_building() {
    let registry = TestRegistry::anonymous();
    let cache = registry.oci("team/cache");
    let (generated, bytes) = semver_component();
    let key = generated["key"].as_str().unwrap();

    // The first machine has the component (built before): `--push` puts it
    // into the cache under its generate key.
    let first = json(&compwrap(
        &test_home(),
        &[
            "generate",
            SEMVER,
            "--cache",
            &cache,
            "--push",
            "--insecure",
            "--json",
        ],
    ));
    let entry = format!("{cache}:compwrap-{key}");
    assert_eq!(first["pushed_to"].as_str(), Some(entry.as_str()));
    let (status, _) = registry
        .get(&format!("/v2/team/cache/manifests/compwrap-{key}"))
        .unwrap();
    assert_eq!(status, 200);
    // Once is enough.
    let again = json(&compwrap(
        &test_home(),
        &[
            "generate",
            SEMVER,
            "--cache",
            &cache,
            "--push",
            "--insecure",
            "--json",
        ],
    ));
    assert!(again.get("pushed_to").is_none(), "{again}");

    // A second machine (a fresh store) gets it without building.
    let second = tempfile::tempdir().unwrap();
    let hit = json(&compwrap(
        second.path(),
        &[
            "generate",
            SEMVER,
            "--cache",
            &cache,
            "--insecure",
            "--json",
            "--yes",
        ],
    ));
    assert_eq!(hit["pulled_from"].as_str(), Some(entry.as_str()));
    assert_eq!(hit["digest"], generated["digest"]);
    assert_eq!(hit["key"], generated["key"]);
    assert_eq!(hit["reused"], true);
    assert_eq!(hit["report"], generated["report"]);
    let stored = std::fs::read(hit["path"].as_str().unwrap()).unwrap();
    assert!(stored == bytes);
    let built = files_under(&second.path().join("build/target"));
    assert!(
        built
            .iter()
            .all(|f| !f.to_string_lossy().contains("wasm32-wasip2")),
        "the cache hit ran a build: {built:?}"
    );
    let call = compwrap(
        second.path(),
        &["call", SEMVER, "version-parse", r#""2.0.0""#],
    );
    assert!(call.status.success(), "{}", text(&call));
    // Now it is local: the next generate does not ask the registry.
    drop(registry);
    let local = json(&compwrap(
        second.path(),
        &[
            "generate",
            SEMVER,
            "--cache",
            &cache,
            "--insecure",
            "--json",
        ],
    ));
    assert_eq!(local["reused"], true);
    assert!(local.get("pulled_from").is_none());
}

#[test]
fn bearer_tokens_from_the_registrys_token_service_are_used() {
    const PASSWORD: &str = "t0ken-Pa55";
    let registry = TestRegistry::with_token_auth("bob", PASSWORD);
    let (generated, bytes) = semver_component();
    let reference = format!("{}:1", registry.oci("team/semver"));
    let home = test_home();

    let anonymous = compwrap(&home, &["publish", SEMVER, &reference]);
    assert_fails(&anonymous, 8, "requires credentials and none were found");
    let args = [
        "publish",
        SEMVER,
        &reference,
        "--username",
        "bob",
        "--password-stdin",
    ];
    let wrong = compwrap_with(&home, &args, "not-the-t0ken\n", &[]);
    assert_fails(&wrong, 8, "refused the credentials given");
    assert!(!text(&wrong).contains("not-the-t0ken"));
    let right = compwrap_with(&home, &args, &format!("{PASSWORD}\n"), &[]);
    assert!(right.status.success(), "{}", text(&right));

    let second = tempfile::tempdir().unwrap();
    let pulled = json(&compwrap_with(
        second.path(),
        &["pull", &reference, "--json"],
        "",
        &[
            ("COMPWRAP_OCI_USERNAME", "bob"),
            ("COMPWRAP_OCI_PASSWORD", PASSWORD),
        ],
    ));
    assert_eq!(pulled["digest"], generated["digest"]);
    let stored = std::fs::read(pulled["path"].as_str().unwrap()).unwrap();
    assert!(stored == bytes);
}

/// The shared runtime library travels through a registry per platform:
/// published from the test store, pulled into an empty one, refused when
/// the artifact is a component, is built for another platform or was
/// tampered with.
#[test]
fn the_runtime_library_is_published_and_pulled_per_platform() {
    use compwrap::shared_runtime::registry::{CONFIG_MEDIA_TYPE, LAYER_MEDIA_TYPE};
    use compwrap_host::oci::oci_client::client::{Config, ImageLayer};

    let registry = TestRegistry::anonymous();
    let home = test_home();
    let installed = json(&compwrap(&home, &["runtime", "ls", "--json"]));
    let installed = installed
        .as_array()
        .and_then(|list| list.iter().find(|e| e["current"] == true))
        .expect("the test store has a runtime library (cargo xtask test installs it)")
        .clone();
    let reference = format!("{}:test", registry.oci("compwrap/runtime"));
    let published = json(&compwrap(
        &home,
        &["runtime", "publish", &reference, "--json"],
    ));
    assert_eq!(published["digest"], installed["digest"]);

    let empty = tempfile::tempdir().unwrap();
    let pulled = json(&compwrap(
        empty.path(),
        &["runtime", "pull", &reference, "--json"],
    ));
    assert_eq!(pulled["digest"], installed["digest"]);
    assert_eq!(pulled["pinned"], published["pinned"]);
    let listed = json(&compwrap(empty.path(), &["runtime", "ls", "--json"]));
    assert_eq!(listed[0]["digest"], installed["digest"]);
    assert_eq!(listed[0]["current"], true);

    // A component is not a runtime library.
    semver_component();
    let component = format!("{}:1.0.28", registry.oci("compwrap/semver"));
    let o = compwrap(&home, &["publish", SEMVER, &component]);
    assert!(o.status.success(), "{}", text(&o));
    let other = tempfile::tempdir().unwrap();
    let o = compwrap(other.path(), &["runtime", "pull", &component]);
    assert_fails(&o, 8, "is not a compwrap runtime library for this machine");

    // A library for another platform is refused before it is downloaded.
    let foreign = format!("{}:darwin", registry.oci("compwrap/runtime"));
    let config = serde_json::json!({
        "target": "aarch64-apple-darwin", "os": "macos", "architecture": "aarch64",
        "abi": 1, "version": "compwrap-runtime 0.1.0 (wasmtime 48)",
        "file": "libcompwrap_runtime.dylib",
    });
    let parsed: compwrap_host::oci::OciReference = foreign.parse().unwrap();
    let client = compwrap_host::oci::Registry::new(&parsed, &Default::default()).unwrap();
    let (oci, auth) = client.client();
    compwrap_host::oci::block_on(oci.push(
        parsed.as_oci_client(),
        &[ImageLayer::new(
            b"not a library".to_vec(),
            LAYER_MEDIA_TYPE.into(),
            None,
        )],
        Config::new(
            serde_json::to_vec(&config).unwrap(),
            CONFIG_MEDIA_TYPE.into(),
            None,
        ),
        auth,
        None,
    ))
    .unwrap();
    let o = compwrap(other.path(), &["runtime", "pull", &foreign]);
    assert_fails(&o, 8, "it was built for aarch64-apple-darwin");
    assert!(files_under(&other.path().join("runtime")).is_empty());

    // A library changed on the registry: nothing is stored.
    let blob = registry.blob_file(installed["digest"].as_str().unwrap());
    let mut bytes = std::fs::read(&blob).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0xff;
    std::fs::write(&blob, &bytes).unwrap();
    let o = compwrap(other.path(), &["runtime", "pull", &reference]);
    assert_fails(&o, 8, "nothing was stored");
    assert!(files_under(&other.path().join("runtime")).is_empty());
}
