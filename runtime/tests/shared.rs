//! The runtime as a shared library, loaded by compwrap-client the way
//! applications load it: the behaviour tests of `common::behaviour`, and
//! the checks made before a library is loaded (ABI version, digest).

mod common;

/// The echo guest with value-encoded calls.
const ECHO: common::Echo = common::Echo::Encoded;

use std::path::Path;
use std::process::Command;

use compwrap_client::abi::ABI_VERSION;
use compwrap_client::library::{self, TARGET};
use compwrap_client::{ErrorKind, Runtime, RuntimeBuilder};

fn shared(store: &Path) -> RuntimeBuilder {
    Runtime::builder()
        .library(common::shared_library())
        .store(store)
}

behaviour_tests!(shared);

/// A shared library that claims ABI version `version` and has nothing else.
fn fake_runtime(dir: &Path, version: u32) -> std::path::PathBuf {
    let source = dir.join("fake.rs");
    std::fs::write(
        &source,
        format!(
            "#[unsafe(no_mangle)]\npub extern \"C\" fn compwrap_runtime_abi_version() -> u32 {{ {version} }}\n"
        ),
    )
    .unwrap();
    let out = dir.join(library::file_name());
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let status = Command::new(rustc)
        .args(["--edition", "2024", "--crate-type", "cdylib", "-o"])
        .arg(&out)
        .arg(&source)
        .status()
        .unwrap();
    assert!(status.success());
    out
}

/// Puts `library` into `store` as the runtime of this platform and ABI,
/// recording `digest` for it.
fn install(store: &Path, library: &Path, digest: &str) {
    let dir = library::store_dir(store, TARGET);
    let hex = digest.strip_prefix("sha256:").unwrap();
    let path = library::library_path(&dir, hex);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::copy(library, &path).unwrap();
    std::fs::write(library::abi_ref(&dir, ABI_VERSION), format!("{digest}\n")).unwrap();
}

#[test]
fn the_library_installed_in_the_store_is_found_and_checked() {
    let store = common::temp_store();
    let real = common::shared_library();
    install(
        store.path(),
        &real,
        &library::digest_of(&std::fs::read(&real).unwrap()),
    );
    let runtime = Runtime::builder()
        .library_in_store()
        .store(store.path())
        .build()
        .unwrap();
    assert!(runtime.version().unwrap().starts_with("compwrap-runtime "));
    assert!(runtime.library_path().unwrap().starts_with(store.path()));
}

#[test]
fn a_library_of_another_abi_version_is_refused_naming_both() {
    let dir = common::temp_store();
    let fake = fake_runtime(dir.path(), ABI_VERSION + 1);
    let error = Runtime::builder()
        .library(&fake)
        .store(dir.path())
        .build()
        .err()
        .unwrap();
    assert_eq!(
        *error.kind(),
        ErrorKind::AbiMismatch {
            library: ABI_VERSION + 1,
            client: ABI_VERSION
        }
    );
    let message = error.to_string();
    assert!(
        message.contains(&format!("speaks ABI {}", ABI_VERSION + 1)),
        "{message}"
    );
    assert!(
        message.contains(&format!("compwrap-client ABI {ABI_VERSION}")),
        "{message}"
    );
}

#[test]
fn a_library_whose_bytes_differ_from_the_store_record_is_never_loaded() {
    let store = common::temp_store();
    // Were it loaded, its ABI version would be the error.
    let fake = fake_runtime(store.path(), ABI_VERSION + 7);
    let recorded = library::digest_of(b"the library that was installed");
    install(store.path(), &fake, &recorded);
    let error = Runtime::builder()
        .library_in_store()
        .store(store.path())
        .build()
        .err()
        .unwrap();
    assert!(
        matches!(error.kind(), ErrorKind::RuntimeDigestMismatch { .. }),
        "{error}"
    );
    assert!(error.to_string().contains(&recorded), "{error}");
    assert!(
        error.to_string().contains("compwrap runtime install"),
        "{error}"
    );
}

#[test]
fn a_missing_runtime_names_where_it_looked_and_how_to_install_one() {
    let store = common::temp_store();
    let error = Runtime::builder()
        .library_in_store()
        .store(store.path())
        .build()
        .err()
        .unwrap();
    assert_eq!(*error.kind(), ErrorKind::RuntimeMissing);
    let message = error.to_string();
    assert!(message.contains("compwrap runtime install"), "{message}");
    let expected = library::abi_ref(&library::store_dir(store.path(), TARGET), ABI_VERSION);
    assert!(
        message.contains(&expected.display().to_string()),
        "{message}"
    );
    // A path that is no file.
    let error = Runtime::builder()
        .library(store.path().join("nothing.so"))
        .build()
        .err()
        .unwrap();
    assert_eq!(*error.kind(), ErrorKind::RuntimeLoad, "{error}");
}
