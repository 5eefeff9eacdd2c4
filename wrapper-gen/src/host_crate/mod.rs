//! Typed host crates: a Cargo package that gives an application typed Rust
//! calls into one component, pinned by digest, on compwrap-client: the
//! application compiles no wasmtime, only the generated types and calls.
//!
//! Two packages: the bindings (`bindings/`: the component's WIT in
//! `wit/world.wit`, its exports and compwrap's types without the WASI
//! imports the runtime provides; and `src/lib.rs`, written by compwrap
//! ([`rust`]): the types with their value-encoding code and a wrapper type
//! with one method per exported function, `Semver::version_parse`), and the
//! pinned package around them (the digest, `load()`). The component is
//! loaded by its digest from the local store through the shared runtime
//! library, or through `compwrap-runtime` linked into the application with
//! the pinned package's `embedded` feature.
//!
//! The bindings name the first release of the component's semver track
//! (see `Track`) and files are rewritten only when their text changes:
//! bumping to a release whose bound types are the same rebuilds only the
//! small pinned package, not the bindings.

mod rust;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use heck::{ToSnakeCase, ToUpperCamelCase};
use wit_parser::{FunctionKind, Resolve, WorldId, WorldItem, WorldKey};

use crate::Digest;
use crate::component;

/// Where the crate takes compwrap-client (and, for its `embedded`
/// feature, compwrap-runtime) from.
#[derive(Debug, Clone)]
pub enum CompwrapDependency {
    /// compwrap's source tree (the packages `client/` and `runtime/` in it).
    Path(PathBuf),
    /// A version requirement (from a registry).
    Version(String),
}

impl CompwrapDependency {
    /// The source tree this compwrap was built from, when it is still
    /// there; else the same version.
    pub fn default_for_this_build() -> CompwrapDependency {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        match path.canonicalize() {
            Ok(path) if path.join("client/Cargo.toml").is_file() => CompwrapDependency::Path(path),
            _ => CompwrapDependency::Version(format!("={}", env!("CARGO_PKG_VERSION"))),
        }
    }

    /// `<package> = { … }` for `compwrap-client` or `compwrap-runtime`.
    fn dependency(&self, package: &str, extra: &str) -> String {
        let source = match self {
            CompwrapDependency::Path(root) => {
                let dir = if package == "compwrap-client" {
                    "client"
                } else {
                    "runtime"
                };
                format!("path = {:?}", root.join(dir).display().to_string())
            }
            CompwrapDependency::Version(version) => format!("version = {version:?}"),
        };
        format!("{package} = {{ {source}{extra} }}")
    }
}

/// What to write.
#[derive(Debug, Clone)]
pub struct Options {
    /// The package directory (created; files in it are replaced).
    pub out: PathBuf,
    /// Where the component is published, for the hint when the store
    /// lacks it (`compwrap pull <reference>`).
    pub oci: Option<String>,
    /// Where compwrap-client and compwrap-runtime come from.
    pub compwrap: CompwrapDependency,
    /// Bind only these functions (WIT names; a resource method by its own
    /// name or as `resource.method`, its resource's constructor comes
    /// along) and the types they reach; empty binds everything.
    pub bind: Vec<String>,
}

/// What was written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Written {
    /// The package name (`semver-component`).
    pub package: String,
    /// The package of its bindings (`semver-component-bindings`, in
    /// `bindings/`), which does not change while the bound types do not.
    pub bindings_package: String,
    /// The wrapper type (`Semver`).
    pub wrapper: String,
    /// The component's digest the package is pinned to.
    pub digest: Digest,
    /// The wrapper's methods, `method: interface#function`; a resource's
    /// methods as `resource.method`.
    pub methods: BTreeMap<String, String>,
    /// The package directory.
    pub dir: PathBuf,
    /// The size of the bindings' Rust source in bytes.
    pub bindings_bytes: usize,
}

/// Writes the host crate for the component `bytes`.
pub fn write(bytes: &[u8], options: &Options) -> Result<Written> {
    component::validate(bytes, "the component")?;
    let info = component::info(bytes)?;
    let digest = Digest::of(bytes);
    let name = info
        .name
        .clone()
        .unwrap_or_else(|| "component".to_string())
        .to_snake_case()
        .replace('_', "-");
    let (mut resolve, world) = host_world(bytes, &name)?;
    keep_only(&mut resolve, world, &options.bind)?;
    let track = info.version.as_deref().and_then(Track::of);
    if let Some(track) = &track {
        track.retag(&mut resolve, world);
    }
    let wit = print_wit(&resolve, world)?;
    let wrapper = name.to_upper_camel_case();
    let bindings = rust::bindings(&resolve, world, &wrapper)
        .context("failed to write typed bindings for the component")?;

    let package = format!("{name}-component");
    let bindings_package = format!("{package}-bindings");
    let header = format!(
        "Generated by compwrap {} from component {digest}{}. DO NOT EDIT.",
        env!("CARGO_PKG_VERSION"),
        match (&info.name, &info.version) {
            (Some(n), Some(v)) => format!(" ({n} {v})"),
            _ => String::new(),
        }
    );
    // Nothing in the bindings names the component's exact release, so a
    // bump that leaves the bound types alone leaves them byte for byte.
    let what = match (&info.name, &track) {
        (Some(n), Some(track)) => format!("`{n}` {} components", track.label),
        (Some(n), None) => format!("`{n}` component"),
        _ => "component".to_string(),
    };
    let bindings_header = format!(
        "Generated by compwrap {} from the WIT of the {what}. DO NOT EDIT.",
        env!("CARGO_PKG_VERSION"),
    );
    let bindings_lib = bindings_lib_rs(&bindings_header, &what, &package, &bindings.source);
    let files = [
        (
            "Cargo.toml",
            cargo_toml(
                &package,
                &info,
                &bindings_package,
                &options.compwrap,
                &header,
            ),
        ),
        (
            "src/lib.rs",
            pinned_lib_rs(
                &header,
                &info,
                &digest,
                options.oci.as_deref(),
                &bindings_package,
                &wrapper,
                &bindings.methods,
            )?,
        ),
        (
            "bindings/Cargo.toml",
            bindings_cargo_toml(
                &bindings_package,
                track.as_ref(),
                &what,
                &options.compwrap,
                &bindings_header,
            ),
        ),
        (
            "bindings/wit/world.wit",
            format!("// {bindings_header}\n\n{wit}"),
        ),
        ("bindings/src/lib.rs", bindings_lib.clone()),
    ];
    for (path, text) in &files {
        write_if_changed(&options.out.join(path), text)?;
    }
    // Earlier layouts: wasmtime's bindings as source.
    for stale in [
        "src/bindings.rs",
        "wit/world.wit",
        "bindings/src/bindings.rs",
    ] {
        let stale = options.out.join(stale);
        if stale.is_file() {
            std::fs::remove_file(&stale)
                .with_context(|| format!("failed to remove {}", stale.display()))?;
        }
    }
    Ok(Written {
        package,
        bindings_package,
        wrapper,
        digest,
        methods: bindings.methods,
        dir: options.out.clone(),
        bindings_bytes: bindings_lib.len(),
    })
}

/// Writes `text` to `path` unless it already holds it: an unchanged file
/// keeps its modification time, so cargo does not rebuild it.
fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("failed to create {}", dir.display()))?;
    }
    compwrap_host::store::atomic_write(path, text.as_bytes())
}

/// The releases the bindings bind: a component's interfaces are named with
/// its version (`compwrap:semver/semver@1.0.28`), and wasmtime looks
/// exports up semver-compatibly, so bindings that name the first release
/// of the version's compatible track (`@1.0.0`) bind every release on it;
/// instantiation still checks every bound type.
struct Track {
    /// The version the bindings name (`1.0.0`, `0.4.0`).
    version: semver::Version,
    /// How it reads (`1.x`, `0.4.x`).
    label: String,
}

impl Track {
    /// The track of `version`; none for a version compatible with no other
    /// (`0.0.3`, prereleases) or one that is not semver.
    fn of(version: &str) -> Option<Track> {
        let v = semver::Version::parse(version).ok()?;
        if !v.pre.is_empty() {
            return None;
        }
        let (version, label) = match (v.major, v.minor) {
            (0, 0) => return None,
            (0, minor) => (semver::Version::new(0, minor, 0), format!("0.{minor}.x")),
            (major, _) => (semver::Version::new(major, 0, 0), format!("{major}.x")),
        };
        Some(Track { version, label })
    }

    /// Names the packages of the world's exports (the component's
    /// interfaces) with the track's version.
    fn retag(&self, resolve: &mut Resolve, world: WorldId) {
        let packages: std::collections::BTreeSet<wit_parser::PackageId> = resolve.worlds[world]
            .exports
            .values()
            .filter_map(|item| match item {
                WorldItem::Interface { id, .. } => resolve.interfaces[*id].package,
                _ => None,
            })
            .collect();
        for id in packages {
            let old = resolve.packages[id].name.clone();
            let mut new = old.clone();
            new.version = Some(self.version.clone());
            resolve.package_names.shift_remove(&old);
            resolve.package_names.insert(new.clone(), id);
            resolve.packages[id].name = new;
        }
    }
}

/// The component's world as the host sees it: its exports and the
/// non-WASI interfaces it imports (compwrap's types), named
/// `<name>-component`.
fn host_world(bytes: &[u8], name: &str) -> Result<(Resolve, WorldId)> {
    let decoded = wit_component::decode(bytes).context("failed to decode the component's WIT")?;
    let wit_component::DecodedWasm::Component(mut resolve, world) = decoded else {
        bail!("the input is a WIT package, not a component");
    };
    let is_wasi = |resolve: &Resolve, key: &WorldKey| match key {
        WorldKey::Interface(id) => resolve.interfaces[*id]
            .package
            .is_some_and(|p| resolve.packages[p].name.namespace == "wasi"),
        WorldKey::Name(_) => false,
    };
    let wasi: Vec<WorldKey> = resolve.worlds[world]
        .imports
        .keys()
        .filter(|key| is_wasi(&resolve, key))
        .cloned()
        .collect();
    let imports = &mut resolve.worlds[world].imports;
    for key in &wasi {
        imports.shift_remove(key);
    }
    // Value-encoded calls are how the runtime calls the component, not
    // functions of the application's.
    let encoded: Vec<WorldKey> = resolve.worlds[world]
        .exports
        .keys()
        .filter(|key| match key {
            WorldKey::Interface(id) => {
                resolve.id_of(*id).as_deref() == Some(crate::wit::ENCODED_INTERFACE)
            }
            WorldKey::Name(_) => false,
        })
        .cloned()
        .collect();
    for key in &encoded {
        resolve.worlds[world].exports.shift_remove(key);
    }
    // Imported functions would need host implementations the runtime does
    // not have.
    for (key, item) in &resolve.worlds[world].imports {
        if let WorldItem::Function(_) = item {
            bail!(
                "the component imports the function `{}`, which compwrap-host does not provide",
                resolve.name_world_key(key)
            );
        }
    }
    // Rename the world, also in its package's index of worlds.
    let new_name = format!("{name}-component");
    let old_name = std::mem::replace(&mut resolve.worlds[world].name, new_name.clone());
    if let Some(package) = resolve.worlds[world].package {
        let worlds = &mut resolve.packages[package].worlds;
        worlds.shift_remove(&old_name);
        worlds.insert(new_name, world);
    }
    Ok((resolve, world))
}

/// Keeps, in the exported interfaces, only the functions named in `bind`
/// (with the constructors of their resources) and the types they reach.
/// Typed bindings look up only the exports they have, so a subset links.
fn keep_only(resolve: &mut Resolve, world: WorldId, bind: &[String]) -> Result<()> {
    use heck::ToKebabCase;
    use wit_parser::{Type, TypeDefKind, TypeId};
    if bind.is_empty() {
        return Ok(());
    }
    // `name`, or `resource.name` for one resource's method alone.
    let wanted: std::collections::BTreeSet<String> = bind
        .iter()
        .map(|name| match name.split_once('.') {
            Some((resource, f)) => format!("{}.{}", resource.to_kebab_case(), f.to_kebab_case()),
            None => name.to_kebab_case(),
        })
        .collect();
    let exported: Vec<wit_parser::InterfaceId> = resolve.worlds[world]
        .exports
        .values()
        .filter_map(|item| match item {
            WorldItem::Interface { id, .. } => Some(*id),
            _ => None,
        })
        .collect();
    let resource_of = |kind: &FunctionKind| match kind {
        FunctionKind::Method(r) | FunctionKind::Static(r) | FunctionKind::Constructor(r) => {
            Some(*r)
        }
        _ => None,
    };
    let mut found = std::collections::BTreeSet::new();
    let mut roots: Vec<TypeId> = Vec::new();
    for id in &exported {
        // The names each function answers to, the first its own.
        let names: BTreeMap<String, Vec<String>> = resolve.interfaces[*id]
            .functions
            .iter()
            .map(|(key, f)| {
                let mut names = vec![f.item_name().to_string()];
                if let Some(resource) =
                    resource_of(&f.kind).and_then(|r| resolve.types[r].name.as_ref())
                {
                    names.push(format!("{resource}.{}", f.item_name()));
                }
                (key.clone(), names)
            })
            .collect();
        let bound = |key: &str| names[key].iter().find(|n| wanted.contains(*n));
        let interface = &mut resolve.interfaces[*id];
        let mut resources = std::collections::BTreeSet::new();
        for (key, f) in &interface.functions {
            if let Some(name) = bound(key) {
                found.insert(name.clone());
                resources.extend(resource_of(&f.kind));
            }
        }
        interface.functions.retain(|key, f| {
            bound(key).is_some()
                || matches!(f.kind, FunctionKind::Constructor(r) if resources.contains(&r))
        });
        for f in interface.functions.values() {
            let types = f.params.iter().map(|p| p.ty).chain(f.result);
            roots.extend(types.filter_map(|t| match t {
                Type::Id(id) => Some(id),
                _ => None,
            }));
            roots.extend(resource_of(&f.kind));
        }
    }
    let missing: Vec<&String> = wanted.iter().filter(|w| !found.contains(*w)).collect();
    if !missing.is_empty() {
        bail!(
            "the component exports no function named {}",
            missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let mut reached = std::collections::BTreeSet::new();
    while let Some(id) = roots.pop() {
        if !reached.insert(id) {
            continue;
        }
        let mut push = |t: &Type| {
            if let Type::Id(id) = t {
                roots.push(*id);
            }
        };
        match &resolve.types[id].kind {
            TypeDefKind::Record(r) => r.fields.iter().for_each(|f| push(&f.ty)),
            TypeDefKind::Variant(v) => v.cases.iter().filter_map(|c| c.ty.as_ref()).for_each(push),
            TypeDefKind::Tuple(t) => t.types.iter().for_each(push),
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => push(t),
            TypeDefKind::FixedLengthList(t, _) => push(t),
            TypeDefKind::Map(k, v) => {
                push(k);
                push(v);
            }
            TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).for_each(push),
            TypeDefKind::Handle(wit_parser::Handle::Own(r) | wit_parser::Handle::Borrow(r)) => {
                roots.push(*r)
            }
            TypeDefKind::Future(t) | TypeDefKind::Stream(t) => t.iter().for_each(push),
            _ => {}
        }
    }
    for id in &exported {
        let mut dropped = Vec::new();
        resolve.interfaces[*id].types.retain(|_, ty| {
            let keep = reached.contains(ty);
            if !keep {
                dropped.push(*ty);
            }
            keep
        });
        // A type no interface lists must not claim an owner.
        for ty in dropped {
            resolve.types[ty].owner = wit_parser::TypeOwner::None;
        }
    }
    Ok(())
}

fn print_wit(resolve: &Resolve, world: WorldId) -> Result<String> {
    let main = resolve.worlds[world]
        .package
        .context("the component's world has no package")?;
    component::print_package(resolve, main)
}

/// Where the `compwrap:types` `sdk-error` is in the error of `function`'s
/// result: the error itself (`e`), or the `error` field of the record a
/// crate with typed service errors returns (`e.error`).
fn sdk_error_place(resolve: &Resolve, function: &wit_parser::Function) -> Option<&'static str> {
    use wit_parser::{Type, TypeDefKind};
    // Through `use … as …` aliases to the definition.
    let definition = |mut ty: Type| loop {
        let Type::Id(id) = ty else {
            return None;
        };
        match &resolve.types[id].kind {
            TypeDefKind::Type(inner) => ty = *inner,
            _ => return Some(id),
        }
    };
    let is_sdk_error = |ty: Type| {
        definition(ty).is_some_and(|id| {
            let def = &resolve.types[id];
            let package = match def.owner {
                wit_parser::TypeOwner::Interface(i) => resolve.interfaces[i].package,
                _ => None,
            };
            def.name.as_deref() == Some("sdk-error")
                && package.is_some_and(|p| {
                    let name = &resolve.packages[p].name;
                    name.namespace == "compwrap" && name.name == "types"
                })
        })
    };
    let result = definition(function.result?)?;
    let TypeDefKind::Result(result) = &resolve.types[result].kind else {
        return None;
    };
    let err = result.err?;
    if is_sdk_error(err) {
        return Some("e");
    }
    match &resolve.types[definition(err)?].kind {
        TypeDefKind::Record(r)
            if r.fields
                .iter()
                .any(|f| f.name == "error" && is_sdk_error(f.ty)) =>
        {
            Some("e.error")
        }
        _ => None,
    }
}

/// `[package]` of a generated package, after its header comment.
fn package_section(header: &str, package: &str, version: &str, description: &str) -> String {
    format!(
        "# {header}\n\
         [package]\n\
         name = \"{package}\"\n\
         version = \"{version}\"\n\
         edition = \"2024\"\n\
         description = {description:?}\n\
         publish = false\n"
    )
}

/// The pinned package: the component's digest and how to load it.
fn cargo_toml(
    package: &str,
    info: &component::Info,
    bindings_package: &str,
    compwrap: &CompwrapDependency,
    header: &str,
) -> String {
    let description = format!(
        "Typed calls into the prebuilt {} component",
        info.name.as_deref().unwrap_or("compwrap")
    );
    let version = info.version.as_deref().unwrap_or("0.0.0");
    format!(
        "{}\n\
         [dependencies]\n\
         {bindings_package} = {{ path = \"bindings\" }}\n\
         {}\n\
         {}\n\
         \n\
         [features]\n\
         # Link compwrap-runtime (wasmtime) into the application instead of loading\n\
         # the shared runtime library: one binary to deploy, at the cost of\n\
         # compiling wasmtime with the application.\n\
         embedded = [\"dep:compwrap-runtime\"]\n",
        package_section(header, package, version, &description),
        compwrap.dependency("compwrap-client", ""),
        compwrap.dependency("compwrap-runtime", ", optional = true"),
    )
}

/// The bindings' package, versioned by the track it binds.
fn bindings_cargo_toml(
    package: &str,
    track: Option<&Track>,
    what: &str,
    compwrap: &CompwrapDependency,
    header: &str,
) -> String {
    let version = track.map_or_else(|| "0.0.0".to_string(), |t| t.version.to_string());
    let description = format!("Typed bindings for the prebuilt {what}").replace('`', "");
    format!(
        "{}\n[dependencies]\n{}\n",
        package_section(header, package, &version, &description),
        compwrap.dependency("compwrap-client", "")
    )
}

/// The bindings' `lib.rs`: the header, then the generated bindings.
fn bindings_lib_rs(header: &str, what: &str, package: &str, bindings: &str) -> String {
    format!(
        "//! {header}\n\
         //!\n\
         //! Typed bindings for the prebuilt {what}, on compwrap-client. The\n\
         //! `{package}` package pins the component and loads it; these bindings\n\
         //! do not change while the types of what they bind do not.\n\
         \n\
         #![allow(clippy::all, unused, missing_docs)]\n\
         \n\
         pub use compwrap_client;\n\
         \n\
         {bindings}"
    )
}

/// The pinned package's `lib.rs`: the digest, and `load` / `load_with`.
fn pinned_lib_rs(
    header: &str,
    info: &component::Info,
    digest: &Digest,
    oci: Option<&str>,
    bindings_package: &str,
    wrapper: &str,
    methods: &BTreeMap<String, String>,
) -> Result<String> {
    let what = match (&info.name, &info.version) {
        (Some(n), Some(v)) => format!("`{n}` {v}"),
        _ => "the".to_string(),
    };
    // A wrapper method (a handle's are `resource.method`).
    let example = methods
        .keys()
        .find(|m| !m.contains('.'))
        .map(|m| format!("//! // component.{m}(…)?\n"))
        .unwrap_or_default();
    // Where to get the component when the store lacks it.
    let (hint, oci_const) = match oci {
        Some(reference) => (
            ".map_err(|e| match e.kind() {\n\
                 compwrap_client::ErrorKind::NotFound => compwrap_client::Error::new(\n\
                     compwrap_client::ErrorKind::NotFound,\n\
                     format!(\"{e}; pull it with `compwrap pull {OCI_REFERENCE}`\"),\n\
                 ),\n\
                 _ => e,\n\
             })"
            .to_string(),
            format!(
                "/// Where the component is published.\n\
                 pub const OCI_REFERENCE: &str = {reference:?};\n"
            ),
        ),
        None => (String::new(), String::new()),
    };
    let listing: String = methods
        .iter()
        .map(|(m, f)| format!("//! - `{m}`: `{f}`\n"))
        .collect();
    let source = format!(
        "//! {header}\n\
         //!\n\
         //! Typed calls into the prebuilt {what} component, pinned by digest:\n\
         //!\n\
         //! ```ignore\n\
         //! let component = {crate_name}::load()?;\n\
         {example}\
         //! ```\n\
         //!\n\
         //! The calls go through the shared compwrap runtime library (`compwrap\n\
         //! runtime install`), or, with this package's `embedded` feature,\n\
         //! through compwrap-runtime linked into the application.\n\
         //!\n\
         //! Methods of [`{wrapper}`]:\n\
         {listing}\
         \n\
         pub use {bindings_crate}::*;\n\
         \n\
         /// The version of the component (of the crate it was made from).\n\
         pub const VERSION: &str = {version:?};\n\
         /// The sha256 digest of the component this crate was made for.\n\
         pub const DIGEST: &str = \"{digest}\";\n\
         {oci_const}\
         \n\
         /// A runtime builder for this crate's components: the shared runtime\n\
         /// library, or the linked-in runtime with the `embedded` feature. Set\n\
         /// limits and capabilities on it (`.allow_http(\"127.0.0.1:5000\")`).\n\
         pub fn runtime_builder() -> compwrap_client::RuntimeBuilder {{\n\
             let builder = compwrap_client::Runtime::builder();\n\
             #[cfg(feature = \"embedded\")]\n\
             let builder = builder.embedded(compwrap_runtime::functions());\n\
             builder\n\
         }}\n\
         \n\
         /// Loads the pinned component from the default store with a default runtime.\n\
         pub fn load() -> Result<{wrapper}, compwrap_client::Error> {{\n\
             load_with(&runtime_builder().build()?)\n\
         }}\n\
         \n\
         /// Loads the pinned component with `runtime` (its limits, capabilities\n\
         /// and store) and makes an instance of it.\n\
         pub fn load_with(runtime: &compwrap_client::Runtime) -> Result<{wrapper}, compwrap_client::Error> {{\n\
             let component = runtime.load(DIGEST){hint}?;\n\
             Ok({wrapper}::from_instance(component.instantiate()?))\n\
         }}\n",
        crate_name = info.name.as_deref().unwrap_or("component").to_snake_case() + "_component",
        bindings_crate = bindings_package.replace('-', "_"),
        version = info.version.as_deref().unwrap_or(""),
    );
    let file: syn::File = syn::parse_str(&source).context("compwrap wrote an invalid lib.rs")?;
    Ok(prettyplease::unparse(&file))
}

#[cfg(test)]
mod tests {
    use wit_parser::Resolve;

    /// `sdk_error_place` for each function of interface `api` of the last
    /// of the WIT packages `packages`.
    fn places(packages: &[&str]) -> Vec<(String, Option<&'static str>)> {
        let mut resolve = Resolve::default();
        for (i, wit) in packages.iter().enumerate() {
            resolve.push_str(format!("{i}.wit"), wit).unwrap();
        }
        let (_, api) = resolve
            .interfaces
            .iter()
            .find(|(_, i)| i.name.as_deref() == Some("api"))
            .unwrap();
        api.functions
            .values()
            .map(|f| (f.name.clone(), super::sdk_error_place(&resolve, f)))
            .collect()
    }

    #[test]
    fn the_sdk_error_is_the_error_or_its_error_field() {
        let shared = "package compwrap:types@0.1.0;
            interface types { record sdk-error { detail: string } }";
        let lookalike = "package other:pkg;
            interface types { record sdk-error { detail: string } }";
        let api = "package compwrap:aws-sdk-sts@1.0.0;
            interface api {
                use compwrap:types/types@0.1.0.{sdk-error as compwrap-sdk-error};
                use other:pkg/types.{sdk-error as lookalike};
                record operation-error { error: compwrap-sdk-error, modeled: option<string> }
                record other-error { detail: compwrap-sdk-error }
                plain: func() -> result<u32, compwrap-sdk-error>;
                typed: func() -> result<_, operation-error>;
                unrelated: func() -> result<u32, string>;
                not-the-field: func() -> result<u32, other-error>;
                foreign: func() -> result<u32, lookalike>;
                no-result: func() -> u32;
            }";
        assert_eq!(
            places(&[shared, lookalike, api]),
            [
                ("plain".to_string(), Some("e")),
                ("typed".to_string(), Some("e.error")),
                ("unrelated".to_string(), None),
                ("not-the-field".to_string(), None),
                ("foreign".to_string(), None),
                ("no-result".to_string(), None),
            ]
        );
    }
}
