//! Checking, describing and stamping built components.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::Serialize;
use wasm_encoder::{ComponentSection, Encode};
use wit_parser::{Resolve, WorldItem, WorldKey};

use crate::Error;

/// Name of the custom section holding compwrap's own metadata.
pub const SECTION: &str = "compwrap";

/// Name of the custom section holding the mapping report (gzip-compressed
/// JSON; components of earlier compwrap releases have the JSON as it is),
/// so that a component pulled from a registry still says what was mapped
/// and skipped. The report of a crate of 70,000 public functions is 25 MB
/// of JSON, a twentieth of that compressed.
pub const REPORT_SECTION: &str = "compwrap-report";

/// Validates `bytes` as a WebAssembly component.
pub fn validate(bytes: &[u8], what: &str) -> Result<()> {
    if !wasmparser::Parser::is_component(bytes) {
        let reason = if wasmparser::Parser::is_core_wasm(bytes) {
            "it is a core WebAssembly module, not a component"
        } else {
            "it does not start with the WebAssembly component header"
        };
        return Err(Error::NotAComponent {
            what: what.into(),
            reason: reason.into(),
        }
        .into());
    }
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(bytes)
        .map_err(|e| Error::NotAComponent {
            what: what.into(),
            reason: e.to_string(),
        })?;
    Ok(())
}

/// What a component exports and imports, by WIT name.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Shape {
    /// Exported interfaces (`compwrap:semver/semver@1.0.28`) and their functions.
    pub exports: BTreeMap<String, BTreeSet<String>>,
    /// Imported interfaces.
    pub imports: BTreeSet<String>,
}

/// The exports and imports of a component.
pub fn shape(bytes: &[u8]) -> Result<Shape> {
    let decoded = wit_component::decode(bytes).context("failed to decode the component's WIT")?;
    let wit_parser::decoding::DecodedWasm::Component(resolve, world) = decoded else {
        bail!("the file is a WIT package, not a component");
    };
    Ok(world_shape(&resolve, world))
}

fn world_shape(resolve: &Resolve, world: wit_parser::WorldId) -> Shape {
    let w = &resolve.worlds[world];
    let name = |key: &WorldKey| resolve.name_world_key(key);
    let mut exports = BTreeMap::new();
    for (key, item) in &w.exports {
        let funcs = match item {
            WorldItem::Interface { id, .. } => {
                resolve.interfaces[*id].functions.keys().cloned().collect()
            }
            WorldItem::Function(f) => BTreeSet::from([f.name.clone()]),
            WorldItem::Type { .. } => BTreeSet::new(),
        };
        exports.insert(name(key), funcs);
    }
    let imports = w
        .imports
        .keys()
        .map(name)
        .filter(|n| n.contains('/'))
        .collect();
    Shape { exports, imports }
}

/// Checks that the component exports exactly what the WIT in `wit_dir`
/// declares for `world`.
pub fn check_matches_wit(bytes: &[u8], wit_dir: &Path, world: &str) -> Result<()> {
    let mut resolve = Resolve::default();
    let (pkg, _) = resolve
        .push_dir(wit_dir)
        .with_context(|| format!("failed to parse {}", wit_dir.display()))?;
    let world = resolve.select_world(&[pkg], Some(world))?;
    let expected = world_shape(&resolve, world).exports;
    let actual = shape(bytes)?.exports;
    if expected != actual {
        bail!(
            "the built component's exports differ from the generated WIT:\n  expected {expected:?}\n  got      {actual:?}"
        );
    }
    Ok(())
}

/// Metadata stamped into a component.
#[derive(Debug, Clone, Default)]
pub struct Stamp {
    /// Component name (the crate's name).
    pub name: String,
    /// Version (the crate's version).
    pub version: String,
    /// The crate's description.
    pub description: Option<String>,
    /// SPDX license expression.
    pub licenses: Option<String>,
    /// Source repository URL.
    pub source: Option<String>,
    /// compwrap's own record (generate key, crate checksum, …) as JSON.
    pub compwrap: String,
    /// The mapping report as JSON.
    pub report: String,
}

/// Adds name, version, description, licenses and source (wasm-metadata), and
/// compwrap's custom section.
pub fn stamp(bytes: &[u8], stamp: &Stamp) -> Result<Vec<u8>> {
    use wasm_metadata::{AddMetadata, AddMetadataField};
    let mut add = AddMetadata::default();
    add.name = AddMetadataField::Set(stamp.name.clone());
    add.version = AddMetadataField::Set(wasm_metadata::Version::new(stamp.version.clone()));
    if let Some(d) = &stamp.description {
        add.description =
            AddMetadataField::Set(wasm_metadata::Description::new(d.trim().to_string()));
    }
    // Crates carry free-form license strings; keep only what is valid SPDX.
    if let Some(l) = stamp
        .licenses
        .as_deref()
        .and_then(|l| wasm_metadata::Licenses::new(l).ok())
    {
        add.licenses = AddMetadataField::Set(l);
    }
    if let Some(s) = stamp
        .source
        .as_deref()
        .and_then(|s| wasm_metadata::Source::new(s).ok())
    {
        add.source = AddMetadataField::Set(s);
    }
    let mut out = add
        .to_wasm(bytes)
        .context("failed to add metadata to the component")?;
    push_custom_section(&mut out, SECTION, stamp.compwrap.as_bytes());
    push_custom_section(&mut out, REPORT_SECTION, &gzip(stamp.report.as_bytes())?);
    Ok(out)
}

/// Appends the custom section `name` holding `data` to the component
/// `bytes`.
fn push_custom_section(bytes: &mut Vec<u8>, name: &str, data: &[u8]) {
    let section = wasm_encoder::CustomSection {
        name: name.into(),
        data: std::borrow::Cow::Borrowed(data),
    };
    bytes.push(ComponentSection::id(&section));
    section.encode(bytes);
}

/// `data` gzip-compressed (no file name or time in the header: the same
/// data always gives the same bytes).
fn gzip(data: &[u8]) -> Result<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(data)?;
    Ok(encoder.finish()?)
}

/// The mapping report stamped into a component by compwrap, if any.
pub fn report(bytes: &[u8]) -> Result<Option<crate::report::Report>> {
    const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(wasmparser::Payload::CustomSection(s)) = payload
            && s.name() == REPORT_SECTION
        {
            let mut json = Vec::new();
            let data = if s.data().starts_with(GZIP_MAGIC) {
                use std::io::Read;
                flate2::read::GzDecoder::new(s.data())
                    .read_to_end(&mut json)
                    .context("the component's compwrap-report section is not valid gzip")?;
                &json
            } else {
                s.data()
            };
            return serde_json::from_slice(data)
                .map(Some)
                .context("the component's compwrap-report section is not a valid report");
        }
    }
    Ok(None)
}

/// Metadata read back from a component.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Info {
    /// `name` from the metadata.
    pub name: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `licenses`.
    pub licenses: Option<String>,
    /// `source`.
    pub source: Option<String>,
    /// compwrap's record, when present.
    pub compwrap: Option<serde_json::Value>,
}

/// Reads a component's metadata.
pub fn info(bytes: &[u8]) -> Result<Info> {
    let payload =
        wasm_metadata::Payload::from_binary(bytes).context("failed to read component metadata")?;
    let m = payload.metadata();
    let mut info = Info {
        name: m.name.clone(),
        version: m.version.as_ref().map(|v| v.to_string()),
        description: m.description.as_ref().map(|v| v.to_string()),
        licenses: m.licenses.as_ref().map(|v| v.to_string()),
        source: m.source.as_ref().map(|v| v.to_string()),
        compwrap: None,
    };
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        if let Ok(wasmparser::Payload::CustomSection(s)) = payload
            && s.name() == SECTION
        {
            info.compwrap = serde_json::from_slice(s.data()).ok();
        }
    }
    Ok(info)
}

/// The WIT of a component, as text.
pub fn wit_text(bytes: &[u8]) -> Result<String> {
    let decoded = wit_component::decode(bytes).context("failed to decode the component's WIT")?;
    print_package(decoded.resolve(), decoded.package())
}

/// The package `main` of `resolve` as WIT text, with every other package of
/// `resolve` nested in it.
pub fn print_package(resolve: &Resolve, main: wit_parser::PackageId) -> Result<String> {
    let nested: Vec<_> = resolve
        .packages
        .iter()
        .map(|(id, _)| id)
        .filter(|id| *id != main)
        .collect();
    let mut printer = wit_component::WitPrinter::default();
    printer.print(resolve, main, &nested)?;
    Ok(printer.output.to_string())
}

/// Reads a component named on the command line: a `.wasm` file, a digest, or
/// `crate[@version or requirement]` in the store. Returns the bytes and a
/// label for messages, which names the exact version a spec resolved to.
pub fn read_input(store: &compwrap_host::Store, spec: &str) -> Result<(Vec<u8>, String)> {
    let path = Path::new(spec);
    if path.is_file() || spec.ends_with(".wasm") {
        let bytes =
            std::fs::read(path).with_context(|| format!("failed to read {}", path.display()))?;
        return Ok((bytes, path.display().to_string()));
    }
    if spec.starts_with("sha256:") {
        let digest = store
            .resolve(spec)
            .map_err(|e| Error::NotFound(e.to_string()))?;
        return Ok((store.read_blob(&digest)?, digest.to_string()));
    }
    let entry = store
        .resolve_ref(spec)
        .map_err(|e| Error::NotFound(format!("{e:#}")))?;
    // The exact version, which a requirement (`strsim@0.11`) or a bare
    // name resolved to.
    let label = format!("{}@{} ({})", entry.name, entry.version, entry.digest);
    Ok((store.read_blob(&entry.digest)?, label))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Coverage, Item, Report};

    fn big_report(items: usize) -> Report {
        Report {
            name: "big".into(),
            version: "1.0.0".into(),
            coverage: Coverage::default(),
            skip_categories: Vec::new(),
            skip_reasons: Vec::new(),
            items: (0..items)
                .map(|i| Item {
                    path: format!("big::operation::op_{i}::builders::OpFluentBuilder::send"),
                    kind: "function".into(),
                    wit: None,
                    skipped: Some("covered by the client's operation functions".into()),
                    category: None,
                })
                .collect(),
            glue_rounds: Vec::new(),
        }
    }

    fn report_section(bytes: &[u8]) -> Vec<u8> {
        wasmparser::Parser::new(0)
            .parse_all(bytes)
            .find_map(|p| match p {
                Ok(wasmparser::Payload::CustomSection(s)) if s.name() == REPORT_SECTION => {
                    Some(s.data().to_vec())
                }
                _ => None,
            })
            .expect("a report section")
    }

    #[test]
    fn the_report_travels_compressed_and_reads_back() -> Result<()> {
        let empty = wasm_encoder::Component::new().finish();
        let original = big_report(2000);
        let json = serde_json::to_string(&original)?;
        let big = Stamp {
            name: "big".into(),
            version: "1.0.0".into(),
            compwrap: "{}".into(),
            report: json.clone(),
            ..Stamp::default()
        };
        let stamped = stamp(&empty, &big)?;
        let section = report_section(&stamped);
        assert!(section.starts_with(&[0x1f, 0x8b]), "not gzip");
        assert!(
            section.len() * 10 < json.len(),
            "{} bytes for {} of JSON",
            section.len(),
            json.len()
        );
        assert_eq!(report(&stamped)?, Some(original.clone()));
        // Stamping is deterministic: the same report, the same bytes.
        assert_eq!(stamped, stamp(&empty, &big)?);

        // A component of an earlier release carries the JSON as it is.
        let mut older = empty.clone();
        push_custom_section(&mut older, REPORT_SECTION, json.as_bytes());
        assert_eq!(report(&older)?, Some(original));

        // Damaged data is an error, not a missing report.
        let mut damaged = empty;
        push_custom_section(&mut damaged, REPORT_SECTION, &[0x1f, 0x8b, 0, 1, 2]);
        let error = format!("{:#}", report(&damaged).unwrap_err());
        assert!(error.contains("not valid gzip"), "{error}");
        Ok(())
    }
}
