//! The Rust of a typed host crate's bindings, written by compwrap from the
//! component's WIT: one module per interface with its types (records as
//! structs, variants and enums as enums, flags as bit sets, resources as
//! handle types) and their [`Encode`]/[`Decode`] impls in the value
//! encoding, and a wrapper type with one method per function that encodes
//! the arguments, calls through `compwrap_client::Instance::call` and
//! decodes the result.
//!
//! The code leans on compwrap-client's codec for everything generic, so
//! what an application compiles per type is a few lines.
//!
//! [`Encode`]: https://docs.rs/compwrap-client
//! [`Decode`]: https://docs.rs/compwrap-client

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{Result, bail};
use heck::ToSnakeCase;
use wit_parser::{
    Docs, Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId,
    TypeOwner, WorldId, WorldItem,
};

use crate::names::rust_snake;

/// The Rust name of a WIT type or case name (`Self` is no identifier).
fn rust_camel(wit: &str) -> String {
    match crate::names::rust_camel(wit) {
        name if name == "Self" => "Self_".to_string(),
        name => name,
    }
}

const CODEC: &str = "::compwrap_client::codec";
const STRING: &str = "::std::string::String";
const VEC: &str = "::std::vec::Vec";
const OPTION: &str = "::core::option::Option";
const RESULT: &str = "::core::result::Result";
const ERROR: &str = "::compwrap_client::Error";

/// The bindings' source and the wrapper's methods (`method: interface#function`).
pub(crate) struct Bindings {
    /// `src/lib.rs` of the bindings package, without its header.
    pub(crate) source: String,
    /// The wrapper's methods and the functions they call.
    pub(crate) methods: BTreeMap<String, String>,
}

/// Writes the bindings of `world`'s exports for the wrapper type `wrapper`.
pub(crate) fn bindings(resolve: &Resolve, world: WorldId, wrapper: &str) -> Result<Bindings> {
    let emitter = Emitter::new(resolve, world)?;
    emitter.emit(wrapper)
}

struct Emitter<'a> {
    resolve: &'a Resolve,
    world: WorldId,
    /// The module of each interface whose types the bindings use.
    modules: BTreeMap<InterfaceId, String>,
    /// Types that hold a resource somewhere (no `Clone`, `PartialEq`).
    with_resources: BTreeSet<TypeId>,
}

/// One function of the wrapper or of a resource's handle type.
struct Method {
    /// Where it goes: the wrapper (`None`) or a resource's handle type.
    resource: Option<TypeId>,
    /// The Rust method name.
    name: String,
    /// The function.
    function: Function,
    /// `interface#function` as the runtime finds it (without the
    /// interface's version: the bindings bind a track of releases).
    target: String,
}

impl<'a> Emitter<'a> {
    fn new(resolve: &'a Resolve, world: WorldId) -> Result<Emitter<'a>> {
        let mut modules = BTreeMap::new();
        let mut taken = BTreeSet::new();
        // Exported interfaces first: they take their own names.
        let exported: Vec<InterfaceId> = interfaces(resolve, world, true);
        let imported: Vec<InterfaceId> = interfaces(resolve, world, false);
        for (id, export) in exported
            .iter()
            .map(|id| (*id, true))
            .chain(imported.iter().map(|id| (*id, false)))
        {
            let interface = &resolve.interfaces[id];
            let name = interface.name.clone().unwrap_or_default().to_snake_case();
            let package = interface.package.map(|p| &resolve.packages[p].name);
            let qualified = match package {
                Some(p) if p.name.to_snake_case() == name => {
                    format!("{}_{name}", p.namespace.to_snake_case())
                }
                Some(p) => format!(
                    "{}_{}_{name}",
                    p.namespace.to_snake_case(),
                    p.name.to_snake_case()
                ),
                None => name.clone(),
            };
            let mut module = if export && !taken.contains(&name) {
                name
            } else {
                qualified
            };
            module = module_ident(&module);
            while !taken.insert(module.clone()) {
                module.push('_');
            }
            modules.insert(id, module);
        }
        let mut emitter = Emitter {
            resolve,
            world,
            modules,
            with_resources: BTreeSet::new(),
        };
        emitter.with_resources = resolve
            .types
            .iter()
            .filter(|(id, _)| emitter.holds_resource(&Type::Id(*id)))
            .map(|(id, _)| id)
            .collect();
        Ok(emitter)
    }

    fn emit(&self, wrapper: &str) -> Result<Bindings> {
        let methods = self.methods()?;
        let mut out = String::new();
        for (id, module) in &self.modules {
            let interface = &self.resolve.interfaces[*id];
            let qualified = self.resolve.id_of(*id).unwrap_or_default();
            docs(&mut out, &interface.docs, "");
            if interface.docs.contents.is_none() {
                writeln!(out, "/// Types of `{qualified}`.").unwrap();
            }
            writeln!(out, "pub mod {module} {{").unwrap();
            for (name, ty) in &interface.types {
                self.emit_type(&mut out, name, *ty)?;
            }
            for method in methods.iter().filter(|m| {
                m.resource
                    .is_some_and(|r| self.owner_interface(r) == Some(*id))
            }) {
                let resource = method.resource.expect("filtered");
                writeln!(out, "impl {} {{", self.type_name(resource)).unwrap();
                self.emit_method(&mut out, method, "self.resource.instance()")?;
                writeln!(out, "}}").unwrap();
            }
            writeln!(out, "}}\n").unwrap();
        }
        writeln!(
            out,
            "/// Typed calls into the component, through one instance of it (clones\n\
             /// share it; calls from several threads take turns).\n\
             #[derive(Clone)]\n\
             pub struct {wrapper} {{\n    instance: ::compwrap_client::Instance,\n}}\n\n\
             impl {wrapper} {{\n\
             /// Typed calls through `instance`.\n\
             pub fn from_instance(instance: ::compwrap_client::Instance) -> {wrapper} {{\n\
             {wrapper} {{ instance }}\n}}\n\n\
             /// The instance the calls go to.\n\
             pub fn instance(&self) -> &::compwrap_client::Instance {{\n&self.instance\n}}\n"
        )
        .unwrap();
        for method in methods.iter().filter(|m| m.resource.is_none()) {
            self.emit_method(&mut out, method, "self.instance")?;
        }
        writeln!(out, "}}").unwrap();
        let listing = methods
            .iter()
            .map(|m| {
                let name = match m.resource {
                    Some(r) => format!("{}.{}", self.wit_name(r).to_snake_case(), m.name),
                    None => m.name.clone(),
                };
                (name, m.target.clone())
            })
            .collect();
        let file: syn::File = syn::parse_str(&out)
            .map_err(|e| anyhow::anyhow!("compwrap wrote invalid bindings ({e})"))?;
        Ok(Bindings {
            source: prettyplease::unparse(&file),
            methods: listing,
        })
    }

    /// The functions of the exported interfaces as methods: freestanding
    /// ones, constructors and static functions on the wrapper (named after
    /// the resource: `regex`, `regex_new`), methods on their handle types.
    fn methods(&self) -> Result<Vec<Method>> {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        let mut all = Vec::new();
        for id in interfaces(self.resolve, self.world, true) {
            let interface = &self.resolve.interfaces[id];
            let package = interface
                .package
                .map(|p| &self.resolve.packages[p].name)
                .map(|p| format!("{}:{}/", p.namespace, p.name))
                .unwrap_or_default();
            let iface = interface.name.clone().unwrap_or_default();
            for f in interface.functions.values() {
                let (resource, name) = match f.kind {
                    FunctionKind::Freestanding => (None, f.name.to_snake_case()),
                    FunctionKind::Constructor(r) => (None, self.wit_name(r).to_snake_case()),
                    FunctionKind::Static(r) => (
                        None,
                        format!(
                            "{}_{}",
                            self.wit_name(r).to_snake_case(),
                            f.item_name().to_snake_case()
                        ),
                    ),
                    FunctionKind::Method(r) => (Some(r), f.item_name().to_snake_case()),
                    _ => bail!(
                        "`{}` is an async function, which compwrap's host crates do not call yet",
                        f.name
                    ),
                };
                if resource.is_none() {
                    *count.entry(name.clone()).or_default() += 1;
                }
                all.push((
                    iface.clone(),
                    Method {
                        resource,
                        name,
                        function: f.clone(),
                        target: format!("{package}{iface}#{}", f.name),
                    },
                ));
            }
        }
        // A name two interfaces use gets the interface's name in front.
        Ok(all
            .into_iter()
            .map(|(iface, mut m)| {
                if m.resource.is_none() && count[&m.name] > 1 {
                    m.name = format!("{}_{}", iface.to_snake_case(), m.name);
                }
                m.name = rust_snake(&m.name);
                m
            })
            .collect())
    }

    /// `pub fn name(&self, params) -> Result<T, Error>` calling through
    /// `instance` (an expression whose methods are `Instance`'s).
    fn emit_method(&self, out: &mut String, method: &Method, instance: &str) -> Result<()> {
        let f = &method.function;
        let skip = usize::from(method.resource.is_some());
        let mut params = Vec::new();
        let mut encode = String::new();
        if method.resource.is_some() {
            writeln!(
                encode,
                "{CODEC}::Encode::encode(&self.resource, &mut args);"
            )
            .unwrap();
        }
        let mut used = BTreeSet::from(["args".to_string(), "result".to_string()]);
        for (i, p) in f.params.iter().enumerate().skip(skip) {
            let mut name = rust_snake(&p.name);
            if name == "self" || !used.insert(name.clone()) {
                name = format!("arg{i}");
            }
            let (ty, own) = self.param_type(&p.ty)?;
            params.push(format!("{name}: {ty}"));
            if own {
                writeln!(
                    encode,
                    "{CODEC}::write_uleb(u64::from({name}.into_handle()), &mut args);"
                )
                .unwrap();
            } else {
                writeln!(encode, "{CODEC}::Encode::encode(&{name}, &mut args);").unwrap();
            }
        }
        let result = match &f.result {
            Some(ty) => self.ty(ty)?,
            None => "()".to_string(),
        };
        docs(out, &f.docs, "");
        writeln!(out, "/// Calls `{}`.", method.target).unwrap();
        let sdk_error = super::sdk_error_place(self.resolve, f);
        writeln!(
            out,
            "pub fn {}(&self, {}) -> {RESULT}<{result}, {ERROR}> {{\n\
             let mut args = {VEC}::new();\n{encode}",
            method.name,
            params.join(", ")
        )
        .unwrap();
        match sdk_error {
            // The guest sees only a failed connection: name the requests
            // the runtime denied in the error's `detail`.
            Some(place) => writeln!(
                out,
                "let instance = &{instance};\n\
                 let mut result: {result} = instance.call({:?}, &args)?;\n\
                 if let {RESULT}::Err(e) = &mut result {{\n\
                 {place}.detail.push_str(&::compwrap_client::denied_note(&instance.denied_http_requests()?));\n\
                 }}\n\
                 Ok(result)\n}}\n",
                method.target
            )
            .unwrap(),
            None => writeln!(
                out,
                "{instance}.call({:?}, &args)\n}}\n",
                method.target
            )
            .unwrap(),
        }
        Ok(())
    }

    fn emit_type(&self, out: &mut String, name: &str, id: TypeId) -> Result<()> {
        let def = &self.resolve.types[id];
        let camel = rust_camel(name);
        let clonable = !self.with_resources.contains(&id);
        docs(out, &def.docs, "");
        match &def.kind {
            TypeDefKind::Record(record) => {
                let defaults = self.has_default(&Type::Id(id));
                let derives = match (clonable, defaults) {
                    (true, true) => "Clone, Debug, PartialEq, Default",
                    (true, false) => "Clone, Debug, PartialEq",
                    (false, true) => "Debug, Default",
                    (false, false) => "Debug",
                };
                writeln!(out, "#[derive({derives})]\npub struct {camel} {{").unwrap();
                let (mut enc, mut dec) = (String::new(), String::new());
                for field in &record.fields {
                    let field_name = rust_snake(&field.name);
                    docs(out, &field.docs, "");
                    writeln!(out, "pub {field_name}: {},", self.ty(&field.ty)?).unwrap();
                    writeln!(enc, "{CODEC}::Encode::encode(&self.{field_name}, out);").unwrap();
                    writeln!(dec, "{field_name}: {CODEC}::Decode::decode(r)?,").unwrap();
                }
                writeln!(out, "}}").unwrap();
                codec_impls(out, &camel, &enc, &format!("Ok({camel} {{\n{dec}}})"));
                if let Some(text) = self.error_text(id) {
                    writeln!(
                        out,
                        "\nimpl ::core::fmt::Display for {camel} {{\n\
                         fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {{\n\
                         ::core::fmt::Display::fmt(&{text}, f)\n}}\n}}\n\n\
                         impl ::std::error::Error for {camel} {{}}"
                    )
                    .unwrap();
                }
            }
            TypeDefKind::Variant(variant) => {
                let derives = if clonable {
                    "Clone, Debug, PartialEq"
                } else {
                    "Debug"
                };
                writeln!(out, "#[derive({derives})]\npub enum {camel} {{").unwrap();
                let (mut enc, mut dec) = (String::new(), String::new());
                let n = variant.cases.len();
                for (i, case) in variant.cases.iter().enumerate() {
                    let case_name = rust_camel(&case.name);
                    docs(out, &case.docs, "");
                    match &case.ty {
                        Some(ty) => {
                            writeln!(out, "{case_name}({}),", self.ty(ty)?).unwrap();
                            writeln!(
                                enc,
                                "{camel}::{case_name}(v) => {{ {CODEC}::write_case({i}, out); {CODEC}::Encode::encode(v, out); }}"
                            )
                            .unwrap();
                            writeln!(
                                dec,
                                "{i} => {camel}::{case_name}({CODEC}::Decode::decode(r)?),"
                            )
                            .unwrap();
                        }
                        None => {
                            writeln!(out, "{case_name},").unwrap();
                            writeln!(
                                enc,
                                "{camel}::{case_name} => {CODEC}::write_case({i}, out),"
                            )
                            .unwrap();
                            writeln!(dec, "{i} => {camel}::{case_name},").unwrap();
                        }
                    }
                }
                writeln!(out, "}}").unwrap();
                codec_impls(
                    out,
                    &camel,
                    &format!("match self {{\n{enc}}}"),
                    &format!(
                        "Ok(match r.case({n})? {{\n{dec}_ => unreachable!(\"checked by case()\"),\n}})"
                    ),
                );
            }
            TypeDefKind::Enum(e) => {
                writeln!(
                    out,
                    "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum {camel} {{"
                )
                .unwrap();
                let mut dec = String::new();
                for (i, case) in e.cases.iter().enumerate() {
                    let case_name = rust_camel(&case.name);
                    docs(out, &case.docs, "");
                    writeln!(out, "{case_name},").unwrap();
                    writeln!(dec, "{i} => {camel}::{case_name},").unwrap();
                }
                writeln!(out, "}}").unwrap();
                let n = e.cases.len();
                codec_impls(
                    out,
                    &camel,
                    &format!("{CODEC}::write_case(*self as u32, out);"),
                    &format!(
                        "Ok(match r.case({n})? {{\n{dec}_ => unreachable!(\"checked by case()\"),\n}})"
                    ),
                );
            }
            TypeDefKind::Flags(flags) => {
                let n = flags.flags.len();
                if n > 64 {
                    bail!("flags `{name}` has {n} labels; compwrap's host crates take up to 64");
                }
                writeln!(
                    out,
                    "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]\n\
                     pub struct {camel} {{\n    bits: u64,\n}}\n\nimpl {camel} {{"
                )
                .unwrap();
                for (i, flag) in flags.flags.iter().enumerate() {
                    docs(out, &flag.docs, "");
                    writeln!(
                        out,
                        "pub const {}: {camel} = {camel} {{ bits: 1 << {i} }};",
                        flag.name.to_snake_case().to_uppercase()
                    )
                    .unwrap();
                }
                writeln!(
                    out,
                    "/// No flag set.\npub const fn empty() -> {camel} {{ {camel} {{ bits: 0 }} }}\n\
                     /// Whether every flag of `other` is set.\n\
                     pub const fn contains(self, other: {camel}) -> bool {{ self.bits & other.bits == other.bits }}\n\
                     /// The flags as bits, label `i` at bit `i`.\n\
                     pub const fn bits(self) -> u64 {{ self.bits }}\n}}\n\n\
                     impl ::core::ops::BitOr for {camel} {{\n\
                     type Output = {camel};\n\
                     fn bitor(self, other: {camel}) -> {camel} {{ {camel} {{ bits: self.bits | other.bits }} }}\n}}"
                )
                .unwrap();
                codec_impls(
                    out,
                    &camel,
                    &format!("{CODEC}::write_flags(self.bits, {n}, out);"),
                    &format!("Ok({camel} {{ bits: r.flags({n})? }})"),
                );
            }
            TypeDefKind::Resource => {
                writeln!(
                    out,
                    "/// A handle to a `{name}` in the component instance that made it;\n\
                     /// dropping it drops the resource there.\n\
                     #[derive(Debug)]\n\
                     pub struct {camel} {{\n    resource: ::compwrap_client::Resource,\n}}\n\n\
                     impl {camel} {{\n\
                     /// Gives the handle up to pass it to a function that takes the\n\
                     /// resource over.\n\
                     pub fn into_handle(self) -> u32 {{ self.resource.into_handle() }}\n\
                     /// The handle, as calls pass it.\n\
                     pub fn handle(&self) -> u32 {{ self.resource.handle() }}\n}}\n\n\
                     impl {CODEC}::Encode for {camel} {{\n\
                     fn encode(&self, out: &mut {VEC}<u8>) {{ {CODEC}::Encode::encode(&self.resource, out); }}\n}}\n\n\
                     impl {CODEC}::Decode for {camel} {{\n\
                     fn decode(r: &mut {CODEC}::Reader<'_>) -> {RESULT}<{camel}, {CODEC}::DecodeError> {{\n\
                     Ok({camel} {{ resource: {CODEC}::Decode::decode(r)? }})\n}}\n}}"
                )
                .unwrap();
            }
            TypeDefKind::Type(_)
            | TypeDefKind::List(_)
            | TypeDefKind::Option(_)
            | TypeDefKind::Result(_)
            | TypeDefKind::Tuple(_)
            | TypeDefKind::Handle(_)
            | TypeDefKind::Map(..) => {
                writeln!(out, "pub type {camel} = {};", self.ty_of_def(id)?).unwrap();
            }
            TypeDefKind::FixedLengthList(..)
            | TypeDefKind::Future(_)
            | TypeDefKind::Stream(_)
            | TypeDefKind::Unknown => bail!(
                "type `{name}` is a {}, which compwrap's host crates do not support yet",
                def.kind.as_str()
            ),
        }
        writeln!(out).unwrap();
        Ok(())
    }

    /// For compwrap's error records, what their `Display` prints: an
    /// error's `message`, an SDK error's `detail`, and the `error` of a
    /// record around an SDK error (an AWS SDK crate's `operation-error`),
    /// so `GuestResult::guest` and `?` into `Box<dyn Error>` work on them.
    fn error_text(&self, id: TypeId) -> Option<&'static str> {
        let is_types = |id: TypeId| {
            let TypeOwner::Interface(owner) = self.resolve.types[id].owner else {
                return false;
            };
            self.resolve.interfaces[owner].package.is_some_and(|p| {
                let name = &self.resolve.packages[p].name;
                name.namespace == "compwrap" && name.name == "types"
            })
        };
        let name = self.resolve.types[id].name.as_deref();
        if is_types(id) {
            return match name {
                Some("error") => Some("self.message"),
                Some("sdk-error") => Some("self.detail"),
                _ => None,
            };
        }
        let TypeDefKind::Record(record) = &self.resolve.types[id].kind else {
            return None;
        };
        let field = record.fields.iter().find(|f| f.name == "error")?;
        let mut ty = field.ty;
        while let Type::Id(inner) = ty {
            match &self.resolve.types[inner].kind {
                TypeDefKind::Type(next) => ty = *next,
                _ if is_types(inner)
                    && self.resolve.types[inner].name.as_deref() == Some("sdk-error") =>
                {
                    return Some("self.error");
                }
                _ => return None,
            }
        }
        None
    }

    /// The Rust type of `ty`, owned.
    fn ty(&self, ty: &Type) -> Result<String> {
        Ok(match ty {
            Type::Bool => "bool".into(),
            Type::U8 => "u8".into(),
            Type::U16 => "u16".into(),
            Type::U32 => "u32".into(),
            Type::U64 => "u64".into(),
            Type::S8 => "i8".into(),
            Type::S16 => "i16".into(),
            Type::S32 => "i32".into(),
            Type::S64 => "i64".into(),
            Type::F32 => "f32".into(),
            Type::F64 => "f64".into(),
            Type::Char => "char".into(),
            Type::String => STRING.into(),
            Type::ErrorContext => bail!("error contexts cannot cross compwrap's ABI"),
            Type::Id(id) => match self.named_path(*id) {
                Some(path) => path,
                None => self.ty_of_def(*id)?,
            },
        })
    }

    /// The Rust type a type definition's structure spells.
    fn ty_of_def(&self, id: TypeId) -> Result<String> {
        let def = &self.resolve.types[id];
        Ok(match &def.kind {
            TypeDefKind::Type(t) => self.ty(t)?,
            TypeDefKind::List(t) => format!("{VEC}<{}>", self.ty(t)?),
            TypeDefKind::Map(k, v) => format!("{VEC}<({}, {})>", self.ty(k)?, self.ty(v)?),
            TypeDefKind::Option(t) => format!("{OPTION}<{}>", self.ty(t)?),
            TypeDefKind::Result(r) => format!(
                "{RESULT}<{}, {}>",
                self.ty_or_unit(r.ok.as_ref())?,
                self.ty_or_unit(r.err.as_ref())?
            ),
            TypeDefKind::Tuple(t) => {
                let items: Vec<String> =
                    t.types.iter().map(|t| self.ty(t)).collect::<Result<_>>()?;
                format!("({},)", items.join(", "))
            }
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => self.ty(&Type::Id(*r))?,
            kind => bail!(
                "a {} type without a name cannot cross compwrap's ABI",
                kind.as_str()
            ),
        })
    }

    fn ty_or_unit(&self, ty: Option<&Type>) -> Result<String> {
        ty.map_or_else(|| Ok("()".to_string()), |t| self.ty(t))
    }

    /// A parameter's type: borrowed where that is cheaper (`&str`, `&[T]`,
    /// `&Record`), a resource by value when the call takes it over (`true`).
    fn param_type(&self, ty: &Type) -> Result<(String, bool)> {
        let Type::Id(id) = ty else {
            return Ok(match ty {
                Type::String => ("&str".into(), false),
                other => (self.ty(other)?, false),
            });
        };
        let def = &self.resolve.types[*id];
        Ok(match (&def.kind, &def.name) {
            (TypeDefKind::Handle(Handle::Own(r)), None) => (self.ty(&Type::Id(*r))?, true),
            (TypeDefKind::Handle(Handle::Borrow(r)), None) => {
                (format!("&{}", self.ty(&Type::Id(*r))?), false)
            }
            (TypeDefKind::List(t), None) => (format!("&[{}]", self.ty(t)?), false),
            // `Option<&str>`, `Option<u64>`, `Option<&Record>`.
            (TypeDefKind::Option(t), None) if !self.holds_resource(t) => {
                (format!("{OPTION}<{}>", self.param_type(t)?.0), false)
            }
            (TypeDefKind::Enum(_) | TypeDefKind::Flags(_), Some(_)) => (self.ty(ty)?, false),
            (TypeDefKind::Type(inner), None) => self.param_type(inner)?,
            _ => (format!("&{}", self.ty(ty)?), false),
        })
    }

    /// `crate::<module>::<Name>` for a named type of an interface.
    fn named_path(&self, id: TypeId) -> Option<String> {
        let def = &self.resolve.types[id];
        let name = def.name.as_ref()?;
        let TypeOwner::Interface(owner) = def.owner else {
            return None;
        };
        let module = self.modules.get(&owner)?;
        Some(format!("crate::{module}::{}", rust_camel(name)))
    }

    /// The resource's path (through `use` aliases) for `impl` blocks.
    fn type_name(&self, id: TypeId) -> String {
        self.named_path(id)
            .unwrap_or_else(|| rust_camel(&self.wit_name(id)))
    }

    fn wit_name(&self, id: TypeId) -> String {
        self.resolve.types[id].name.clone().unwrap_or_default()
    }

    fn owner_interface(&self, id: TypeId) -> Option<InterfaceId> {
        match self.resolve.types[id].owner {
            TypeOwner::Interface(i) => Some(i),
            _ => None,
        }
    }

    /// Whether the Rust type of `ty` has `Default`: options, lists,
    /// strings, numbers, flags, and records and tuples of those.
    fn has_default(&self, ty: &Type) -> bool {
        let id = match ty {
            Type::Id(id) => id,
            Type::ErrorContext => return false,
            _ => return true,
        };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Option(_) | TypeDefKind::List(_) | TypeDefKind::Flags(_) => true,
            TypeDefKind::Type(inner) => self.has_default(inner),
            TypeDefKind::Record(r) => {
                !r.fields.is_empty() && r.fields.iter().all(|f| self.has_default(&f.ty))
            }
            TypeDefKind::Tuple(t) => t.types.iter().all(|t| self.has_default(t)),
            _ => false,
        }
    }

    fn holds_resource(&self, ty: &Type) -> bool {
        let Type::Id(id) = ty else { return false };
        match &self.resolve.types[*id].kind {
            TypeDefKind::Resource | TypeDefKind::Handle(_) => true,
            TypeDefKind::Record(r) => r.fields.iter().any(|f| self.holds_resource(&f.ty)),
            TypeDefKind::Variant(v) => v
                .cases
                .iter()
                .any(|c| c.ty.as_ref().is_some_and(|t| self.holds_resource(t))),
            TypeDefKind::Tuple(t) => t.types.iter().any(|t| self.holds_resource(t)),
            TypeDefKind::Option(t) | TypeDefKind::List(t) | TypeDefKind::Type(t) => {
                self.holds_resource(t)
            }
            TypeDefKind::FixedLengthList(t, _) => self.holds_resource(t),
            TypeDefKind::Map(k, v) => self.holds_resource(k) || self.holds_resource(v),
            TypeDefKind::Result(r) => r.ok.iter().chain(&r.err).any(|t| self.holds_resource(t)),
            _ => false,
        }
    }
}

/// The world's exported (`true`) or imported interfaces, in order.
fn interfaces(resolve: &Resolve, world: WorldId, exported: bool) -> Vec<InterfaceId> {
    let items = if exported {
        &resolve.worlds[world].exports
    } else {
        &resolve.worlds[world].imports
    };
    items
        .values()
        .filter_map(|item| match item {
            WorldItem::Interface { id, .. } => Some(*id),
            _ => None,
        })
        .collect()
}

/// `impl Encode` and `impl Decode` for `name` with these bodies (`self`
/// and `out` / `r` in scope).
fn codec_impls(out: &mut String, name: &str, encode: &str, decode: &str) {
    writeln!(
        out,
        "\nimpl {CODEC}::Encode for {name} {{\n\
         fn encode(&self, out: &mut {VEC}<u8>) {{\n{encode}\n}}\n}}\n\n\
         impl {CODEC}::Decode for {name} {{\n\
         fn decode(r: &mut {CODEC}::Reader<'_>) -> {RESULT}<{name}, {CODEC}::DecodeError> {{\n{decode}\n}}\n}}"
    )
    .unwrap();
}

/// The WIT docs as `///` lines.
fn docs(out: &mut String, docs: &Docs, indent: &str) {
    if let Some(text) = &docs.contents {
        for line in text.lines() {
            let line = line.trim_end();
            if line.is_empty() {
                writeln!(out, "{indent}///").unwrap();
            } else {
                writeln!(out, "{indent}/// {line}").unwrap();
            }
        }
    }
}

/// A module name that is a Rust identifier.
fn module_ident(name: &str) -> String {
    let name = rust_snake(name);
    match name.as_str() {
        // Names the bindings use at the crate root.
        "compwrap_client" | "std" | "core" => format!("{name}_"),
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use wit_parser::Resolve;

    /// The bindings of the runtime's echo guest (every WIT type kind, a
    /// resource) match `tests/golden/host-crate/echo.rs`; `BLESS=1`
    /// rewrites it. compwrap-runtime's `generated` test compiles that file
    /// and calls the echo component through it.
    #[test]
    fn echo_bindings_match_the_golden_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let wit = root.join("../runtime/tests/guests/echo/wit");
        let mut resolve = Resolve::default();
        let (package, _) = resolve.push_dir(&wit).expect("the echo WIT parses");
        let world = resolve
            .select_world(&[package], Some("echo-component"))
            .expect("the echo world");
        let bindings = super::bindings(&resolve, world, "Echo").expect("bindings");
        let text = format!(
            "// Generated by compwrap from runtime/tests/guests/echo/wit/world.wit. DO NOT EDIT.\n\
             // `BLESS=1 cargo test -p compwrap echo_bindings` rewrites it.\n\n{}",
            bindings.source
        );
        let golden = root.join("tests/golden/host-crate/echo.rs");
        if std::env::var_os("BLESS").is_some() {
            std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
            std::fs::write(&golden, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert!(
            expected == text,
            "{} differs from the generated bindings; rerun with BLESS=1 if the change is intended",
            golden.display()
        );
        assert_eq!(
            bindings.methods.get("counter.add").map(String::as_str),
            Some("compwrap-test:echo/echo#[method]counter.add")
        );
    }
}
