//! Writing the guest wrapper crate: `Cargo.toml`, the WIT, `src/lib.rs`.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use anyhow::{Context, Result};

use crate::model::{Api, StdTy};
use crate::resolve::{Features, Resolved};

/// wit-bindgen version the guests use.
pub const WIT_BINDGEN: &str = "0.61";

/// wstd version guests with `async fn`s use to drive them.
pub const WSTD: &str = "0.6";

/// The aws-smithy-wasm release whose sleep (on WASI clocks) a Smithy (AWS
/// SDK) guest uses; its HTTP client is the glue's own, over wasi:http.
pub const AWS_SMITHY_WASM: &str = "0.2";

/// The files of the guest crate, by relative path (sorted, deterministic).
pub fn files(api: &Api, resolved: &Resolved, features: &Features) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert("Cargo.toml".into(), manifest(api, resolved, features));
    files.insert("wit/world.wit".into(), crate::wit::render(api));
    files.insert(
        "wit/deps/compwrap-types/types.wit".into(),
        crate::wit::TYPES_WIT.into(),
    );
    files.insert("src/lib.rs".into(), crate::glue::render(api));
    files
}

fn manifest(api: &Api, resolved: &Resolved, features: &Features) -> String {
    let feats: Vec<String> = features.features.iter().map(|f| format!("{f:?}")).collect();
    format!(
        r#"{header}[package]
name = "compwrap-guest-{package}"
version = "{version}"
edition = "2021"
publish = false

[lib]
crate-type = ["cdylib"]

[dependencies]
{package} = {{ version = "={version}", default-features = {default}, features = [{feats}] }}
wit-bindgen = "{wit_bindgen}"
{executor}{primitives}
[profile.release]
opt-level = "s"
{optimisation}debug = false
strip = true

[workspace]
"#,
        header = crate::wit::header("#"),
        optimisation = optimisation(api),
        package = resolved.name,
        version = api.version,
        default = !features.no_default,
        feats = feats.join(", "),
        wit_bindgen = WIT_BINDGEN,
        primitives = primitives(api),
        executor = match (api.uses_async(), api.smithy) {
            (_, true) => format!(
                "wstd = {{ version = \"{WSTD}\", default-features = false }}\n\
                 aws-smithy-wasm = {{ version = \"{AWS_SMITHY_WASM}\", default-features = false }}\n\
                 aws-smithy-runtime-api = {{ version = \"1\", default-features = false, features = [\"client\", \"http-1x\"] }}\n\
                 wasip2 = \"1\"\n"
            ),
            (true, false) => {
                format!("wstd = {{ version = \"{WSTD}\", default-features = false }}\n")
            }
            (false, false) => String::new(),
        },
    )
}

/// A component exporting more functions than this is optimised the way
/// cargo builds a release natively: 16 codegen units (compiled in
/// parallel) and no whole-program LTO (the linker still drops what nothing
/// calls). The glue of every `aws-sdk-ec2` operation (over 800) took about
/// 20 minutes to optimise as one LTO module and takes 7 this way, for a
/// component 9 % larger.
pub const LARGE_API_FUNCTIONS: usize = 500;

/// The release profile's code generation settings for `api`'s guest:
/// whole-program LTO in one codegen unit (the smallest component) unless
/// the API is large.
fn optimisation(api: &Api) -> &'static str {
    if api.function_count() > LARGE_API_FUNCTIONS {
        "lto = false\ncodegen-units = 16\n"
    } else {
        "lto = true\ncodegen-units = 1\n"
    }
}

/// What the glue of Smithy's primitives (`DateTime`, `Blob`, `Document`)
/// needs: `aws-smithy-types` (the one the crate already uses) and, for
/// documents, which travel as JSON text, `serde_json`.
fn primitives(api: &Api) -> String {
    let smithy = api.smithy
        || crate::wit::uses_std(api, |s| {
            matches!(s, StdTy::SdkDateTime | StdTy::SdkBlob | StdTy::SdkDocument)
        });
    let mut out = String::new();
    if smithy {
        out.push_str("aws-smithy-types = { version = \"1\", default-features = false }\n");
    }
    if crate::wit::uses_std(api, |s| *s == StdTy::SdkDocument) {
        out.push_str("serde_json = \"1\"\n");
    }
    out
}

/// Writes `files` under `dir`, replacing what was there.
pub fn write(dir: &Path, files: &BTreeMap<String, String>) -> Result<()> {
    if dir.exists() {
        for sub in ["src", "wit"] {
            let _ = fs::remove_dir_all(dir.join(sub));
        }
    }
    for (rel, text) in files {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(())
}
