//! The guest's side of value-encoded calls (`compwrap:types/encoded`, see
//! `wit/types.wit`): `src/encoded.rs` of the guest crate, which decodes a
//! call's arguments from the value encoding inside the component, calls the
//! exported function's Rust implementation, and encodes its result.
//!
//! A host that holds arguments as bytes (compwrap-runtime, behind its C
//! ABI) then makes one statically typed wasm call per call, `call(index,
//! bytes) -> bytes`, instead of a dynamic call that builds and takes apart
//! a tree of `Val`s; the component's own functions stay exported as they
//! are for every other host.
//!
//! What the file holds, all written from the world's WIT:
//! - `Enc`/`Dec` impls for every record, variant, enum, flags and resource
//!   the exported functions reach (generic ones for the rest, in
//!   `encoded/support.rs`), over wit-bindgen's Rust types;
//! - one small function per exported function and a table of them, indexed
//!   as `functions()` lists them (`interface#function`);
//! - a table of the resources `call` handed out: the host sees `u32`
//!   handles into it, `own` parameters take a resource out of it, `borrow`
//!   parameters borrow it for the call, and `drop` drops it.
//!
//! The bytes themselves are read and written by compwrap-client's own
//! `codec/wire.rs` ([`WIRE`], compiled into the guest as
//! `src/encoded/wire.rs`), so both ends share one implementation of the
//! format.

use std::collections::HashSet;
use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use heck::{ToShoutySnakeCase, ToUpperCamelCase};
use wit_parser::{
    Function, FunctionKind, Handle, InterfaceId, Resolve, Type, TypeDefKind, TypeId, TypeOwner,
    WorldId, WorldItem, WorldKey,
};

/// The value encoding's bytes, shared with compwrap-client: the guest's
/// `src/encoded/wire.rs`.
pub const WIRE: &str = include_str!("../../client/src/codec/wire.rs");

/// `src/encoded.rs` for the guest of `world`, whose exports are
/// implemented by the type `component` at the crate's root, with
/// wit-bindgen's bindings (or their re-export) at the crate's root too.
/// Its module `wire` is `src/encoded/wire.rs` ([`WIRE`]), or the file at
/// `wire_path` (relative to `src/`).
pub fn render(
    resolve: &Resolve,
    world: WorldId,
    component: &str,
    wire_path: Option<&str>,
) -> Result<String> {
    let emitter = Emitter {
        resolve,
        world,
        component,
    };
    let mut out = crate::wit::header("//");
    out.push_str(HEAD);
    if let Some(path) = wire_path {
        let _ = writeln!(out, "#[path = {path:?}]");
    }
    out.push_str("mod wire;\n");
    out.push_str(USES);
    out.push_str(SUPPORT);
    emitter.render(&mut out)?;
    Ok(out)
}

/// The world's WIT (with `compwrap:types` as `types_wit`) parsed, and the
/// world `world` in it.
pub fn parse(wit: &str, types_wit: &str, world: &str) -> Result<(Resolve, WorldId)> {
    let mut resolve = Resolve::default();
    resolve
        .push_str("deps/compwrap-types/types.wit", types_wit)
        .context("the compwrap:types WIT does not parse")?;
    let main = resolve
        .push_str("world.wit", wit)
        .context("the guest's WIT does not parse")?;
    let world = resolve
        .select_world(&[main], Some(world))
        .context("the guest's WIT has no such world")?;
    Ok((resolve, world))
}

struct Emitter<'a> {
    resolve: &'a Resolve,
    world: WorldId,
    component: &'a str,
}

impl Emitter<'_> {
    fn render(&self, out: &mut String) -> Result<()> {
        let mut functions = Vec::new();
        for id in self.exported_interfaces() {
            for function in self.resolve.interfaces[id].functions.values() {
                functions.push((id, function));
            }
        }
        let mut types = Reached::default();
        for (_, function) in &functions {
            for param in &function.params {
                self.reach(&param.ty, &mut types)?;
            }
            if let Some(ty) = &function.result {
                self.reach(ty, &mut types)?;
            }
        }

        let encoded = self.module_of_name(crate::wit::ENCODED_INTERFACE)?;
        let _ = writeln!(
            out,
            "\nimpl {encoded}::Guest for crate::{} {{\n    fn functions() -> Vec<String> {{\n        FUNCTIONS.iter().map(|f| f.to_string()).collect()\n    }}\n\n    fn call(function: u32, args: Vec<u8>) -> Result<Vec<u8>, String> {{\n        dispatch(CALLS, function, &args)\n    }}\n\n    fn drop(handle: u32) -> bool {{\n        drop_handle(handle)\n    }}\n}}",
            self.component
        );
        out.push_str(
            "\n/// The functions `call` reaches, by index.\nconst FUNCTIONS: &[&str] = &[\n",
        );
        for (id, function) in &functions {
            let _ = writeln!(
                out,
                "    {:?},",
                format!("{}#{}", self.interface_name(*id)?, function.name)
            );
        }
        out.push_str("];\n\n/// Their calls, by the same index.\nconst CALLS: &[Call] = &[\n");
        for index in 0..functions.len() {
            let _ = writeln!(out, "    f{index},");
        }
        out.push_str("];\n");
        for (index, (id, function)) in functions.iter().enumerate() {
            self.call(out, index, *id, function)?;
        }
        for id in &types.order {
            self.codec(out, *id)?;
        }
        Ok(())
    }

    /// The interfaces the world exports, but the encoded calls themselves.
    fn exported_interfaces(&self) -> Vec<InterfaceId> {
        let encoded = self.resolve.interfaces.iter().find_map(|(id, _)| {
            (self.resolve.id_of(id).as_deref() == Some(crate::wit::ENCODED_INTERFACE)).then_some(id)
        });
        self.resolve.worlds[self.world]
            .exports
            .values()
            .filter_map(|item| match item {
                WorldItem::Interface { id, .. } if Some(*id) != encoded => Some(*id),
                _ => None,
            })
            .collect()
    }

    /// `interface#name` in the WIT (`compwrap:semver/semver@1.0.28`).
    fn interface_name(&self, id: InterfaceId) -> Result<String> {
        self.resolve
            .id_of(id)
            .context("an exported interface has no name")
    }

    /// The Rust module of the exported interface named `name`.
    fn module_of_name(&self, name: &str) -> Result<String> {
        let id = self
            .resolve
            .interfaces
            .iter()
            .find_map(|(id, _)| (self.resolve.id_of(id).as_deref() == Some(name)).then_some(id))
            .with_context(|| format!("the WIT has no interface {name}"))?;
        self.module(id)
    }

    /// The Rust module wit-bindgen puts an interface's items in:
    /// `crate::exports::ns::package::interface` for an exported one.
    fn module(&self, id: InterfaceId) -> Result<String> {
        let interface = &self.resolve.interfaces[id];
        let package = interface
            .package
            .map(|p| &self.resolve.packages[p].name)
            .context("an interface outside any package")?;
        let name = interface.name.as_deref().context("an unnamed interface")?;
        let exported = self.resolve.worlds[self.world]
            .exports
            .keys()
            .any(|key| matches!(key, WorldKey::Interface(i) if *i == id));
        Ok(format!(
            "crate::{}{}::{}::{}",
            if exported { "exports::" } else { "" },
            rust_ident(&package.namespace),
            rust_ident(&package.name),
            rust_ident(name)
        ))
    }

    /// The type `id` stands for, through `type a = b` and `use`.
    fn base(&self, mut id: TypeId) -> TypeId {
        while let TypeDefKind::Type(Type::Id(next)) = self.resolve.types[id].kind {
            id = next;
        }
        id
    }

    /// The Rust path of the named type `id` (a record, variant, enum, flags
    /// or resource).
    fn path(&self, id: TypeId) -> Result<String> {
        let def = &self.resolve.types[id];
        let name = def.name.as_deref().context("a named type without a name")?;
        let TypeOwner::Interface(owner) = def.owner else {
            bail!("type `{name}` is not defined in an interface");
        };
        let name = match def.kind {
            TypeDefKind::Flags(_) => name.to_upper_camel_case(),
            _ => type_camel(name),
        };
        Ok(format!("{}::{name}", self.module(owner)?))
    }

    /// Collects the named types `ty` reaches.
    fn reach(&self, ty: &Type, reached: &mut Reached) -> Result<()> {
        let Type::Id(id) = ty else {
            if let Type::ErrorContext = ty {
                bail!("error-context values cannot be encoded");
            }
            return Ok(());
        };
        let id = self.base(*id);
        match &self.resolve.types[id].kind {
            TypeDefKind::Record(record) => {
                if reached.add(id) {
                    for field in &record.fields {
                        self.reach(&field.ty, reached)?;
                    }
                }
            }
            TypeDefKind::Variant(variant) => {
                if reached.add(id) {
                    for case in &variant.cases {
                        if let Some(ty) = &case.ty {
                            self.reach(ty, reached)?;
                        }
                    }
                }
            }
            TypeDefKind::Enum(_) | TypeDefKind::Flags(_) => {
                reached.add(id);
            }
            TypeDefKind::Handle(Handle::Own(r) | Handle::Borrow(r)) => {
                reached.add(self.base(*r));
            }
            TypeDefKind::Option(ty) | TypeDefKind::List(ty) => self.reach(ty, reached)?,
            TypeDefKind::Result(result) => {
                for ty in result.ok.iter().chain(&result.err) {
                    self.reach(ty, reached)?;
                }
            }
            TypeDefKind::Tuple(tuple) => {
                for ty in &tuple.types {
                    self.reach(ty, reached)?;
                }
            }
            TypeDefKind::Type(ty) => self.reach(ty, reached)?,
            other => bail!("values of WIT type kind {other:?} cannot be encoded"),
        }
        Ok(())
    }

    /// `f{index}`: decodes the arguments of `function`, calls it, encodes
    /// its result.
    fn call(
        &self,
        out: &mut String,
        index: usize,
        interface: InterfaceId,
        function: &Function,
    ) -> Result<()> {
        let module = self.module(interface)?;
        let component = format!("crate::{}", self.component);
        let implementation = |resource: TypeId| -> Result<(String, String)> {
            let name = self.resolve.types[resource]
                .name
                .as_deref()
                .context("an unnamed resource")?;
            let camel = type_camel(name);
            Ok((
                format!("<{component} as {module}::Guest>::{camel}"),
                format!("{module}::Guest{camel}"),
            ))
        };
        let _ = writeln!(
            out,
            "\n/// `{}`\nfn f{index}(r: &mut Cursor<'_>, out: &mut Vec<u8>) -> Result<(), String> {{",
            function.name
        );
        let mut args = Vec::new();
        for (i, param) in function.params.iter().enumerate() {
            let (name, ty) = (&param.name, &param.ty);
            let is_self = i == 0 && matches!(function.kind, FunctionKind::Method(_));
            if is_self {
                let resource = self.borrowed_resource(ty)?;
                let (imp, _) = implementation(resource)?;
                let _ = writeln!(
                    out,
                    "    let a{i}: {}Borrow<'static> = arg(r, {name:?})?;",
                    self.path(resource)?
                );
                args.push(format!("a{i}.get::<{imp}>()"));
            } else {
                let _ = writeln!(out, "    let a{i} = arg(r, {name:?})?;");
                args.push(format!("a{i}"));
            }
        }
        out.push_str("    finish(r)?;\n");
        let args = args.join(", ");
        let call = match &function.kind {
            FunctionKind::Freestanding => format!(
                "<{component} as {module}::Guest>::{}({args})",
                rust_ident(&function.name)
            ),
            FunctionKind::Constructor(resource) => {
                let resource = self.base(*resource);
                let (imp, guest) = implementation(resource)?;
                format!(
                    "{}::new(<{imp} as {guest}>::new({args}))",
                    self.path(resource)?
                )
            }
            FunctionKind::Method(resource) | FunctionKind::Static(resource) => {
                let (imp, guest) = implementation(self.base(*resource))?;
                format!(
                    "<{imp} as {guest}>::{}({args})",
                    rust_ident(function.item_name())
                )
            }
            _ => bail!("async function `{}` cannot be encoded", function.name),
        };
        if function.result.is_some() {
            let _ = writeln!(out, "    {call}.enc(out);");
        } else {
            let _ = writeln!(out, "    {call};");
        }
        out.push_str("    Ok(())\n}\n");
        Ok(())
    }

    /// The resource of a method's `self: borrow<r>`.
    fn borrowed_resource(&self, ty: &Type) -> Result<TypeId> {
        if let Type::Id(id) = ty
            && let TypeDefKind::Handle(Handle::Borrow(r)) = self.resolve.types[self.base(*id)].kind
        {
            return Ok(self.base(r));
        }
        bail!("a method whose `self` is not a borrowed resource")
    }

    /// `Enc` and `Dec` for the named type `id`.
    fn codec(&self, out: &mut String, id: TypeId) -> Result<()> {
        let path = self.path(id)?;
        let def = &self.resolve.types[id];
        let mut enc = String::new();
        let mut dec = String::new();
        match &def.kind {
            TypeDefKind::Record(record) => {
                for field in &record.fields {
                    let _ = write!(enc, "\n        self.{}.enc(out);", rust_ident(&field.name));
                    let _ = write!(
                        dec,
                        "\n            {}: Dec::dec(r)?,",
                        rust_ident(&field.name)
                    );
                }
                enc.push_str("\n    ");
                dec = format!("Ok({path} {{{dec}\n        }})");
            }
            TypeDefKind::Variant(variant) => {
                let count = variant.cases.len();
                enc.push_str("\n        match self {");
                dec = format!("Ok(match r.case({count})? {{");
                for (i, case) in variant.cases.iter().enumerate() {
                    let name = case.name.to_upper_camel_case();
                    if case.ty.is_some() {
                        let _ = write!(
                            enc,
                            "\n            {path}::{name}(v) => {{\n                write_case({i}, out);\n                v.enc(out);\n            }}"
                        );
                        let _ = write!(dec, "\n            {i} => {path}::{name}(Dec::dec(r)?),");
                    } else {
                        let _ =
                            write!(enc, "\n            {path}::{name} => write_case({i}, out),");
                        let _ = write!(dec, "\n            {i} => {path}::{name},");
                    }
                }
                enc.push_str("\n        }\n    ");
                dec.push_str("\n            _ => unreachable!(\"checked by `case`\"),\n        })");
            }
            TypeDefKind::Enum(cases) => {
                let count = cases.cases.len();
                enc.push_str("\n        match self {");
                dec = format!("Ok(match r.case({count})? {{");
                for (i, case) in cases.cases.iter().enumerate() {
                    let name = case.name.to_upper_camel_case();
                    let _ = write!(enc, "\n            {path}::{name} => write_case({i}, out),");
                    let _ = write!(dec, "\n            {i} => {path}::{name},");
                }
                enc.push_str("\n        }\n    ");
                dec.push_str("\n            _ => unreachable!(\"checked by `case`\"),\n        })");
            }
            TypeDefKind::Flags(flags) => {
                let labels = flags.flags.len();
                if labels > 64 {
                    bail!("flags of more than 64 labels cannot be encoded");
                }
                // wit-bindgen's constants, so that a renamed flag fails to build.
                for flag in &flags.flags {
                    let _ = write!(
                        enc,
                        "\n        let _ = {path}::{};",
                        flag.name.to_shouty_snake_case()
                    );
                }
                let _ = write!(
                    enc,
                    "\n        write_flags(self.bits() as u64, {labels}, out);\n    "
                );
                dec = format!("Ok({path}::from_bits_retain(r.flags({labels})? as _))");
            }
            TypeDefKind::Resource => {
                let name = def.name.as_deref().context("an unnamed resource")?;
                let TypeOwner::Interface(owner) = def.owner else {
                    bail!("resource `{name}` is not defined in an interface");
                };
                let module = self.module(owner)?;
                let camel = type_camel(name);
                let _ = write!(
                    out,
                    "\nimpl Enc for {path} {{\n    fn enc(self, out: &mut Vec<u8>) {{\n        write_uleb(u64::from(insert(self)), out);\n    }}\n}}\n\nimpl Dec for {path} {{\n    fn dec(r: &mut Cursor<'_>) -> Result<Self, DecodeError> {{\n        take(r)\n    }}\n}}\n\nimpl Dec for {path}Borrow<'static> {{\n    fn dec(r: &mut Cursor<'_>) -> Result<Self, DecodeError> {{\n        let resource: &{path} = borrow(r)?;\n        let rep = <<crate::{} as {module}::Guest>::{camel} as {module}::Guest{camel}>::_resource_rep(resource.handle());\n        // SAFETY: `rep` is the live resource's, which `borrow` keeps\n        // in the table until the call returns.\n        Ok(unsafe {{ Self::lift(rep) }})\n    }}\n}}\n",
                    self.component
                );
                return Ok(());
            }
            other => bail!("no codec for WIT type kind {other:?}"),
        }
        let _ = write!(
            out,
            "\nimpl Enc for {path} {{\n    fn enc(self, out: &mut Vec<u8>) {{{enc}}}\n}}\n\nimpl Dec for {path} {{\n    fn dec(r: &mut Cursor<'_>) -> Result<Self, DecodeError> {{\n        {dec}\n    }}\n}}\n"
        );
        Ok(())
    }
}

/// Named types in the order first reached.
#[derive(Default)]
struct Reached {
    order: Vec<TypeId>,
    seen: HashSet<TypeId>,
}

impl Reached {
    /// Adds `id`; false when it was there.
    fn add(&mut self, id: TypeId) -> bool {
        let new = self.seen.insert(id);
        if new {
            self.order.push(id);
        }
        new
    }
}

/// wit-bindgen's Rust name of a value or function (`type` → `type_`).
fn rust_ident(name: &str) -> String {
    wit_bindgen_rust::to_rust_ident(name)
}

/// wit-bindgen's Rust name of a type (`guest` is taken by its traits).
fn type_camel(name: &str) -> String {
    match name {
        "guest" => "Guest_".to_owned(),
        name => name.to_upper_camel_case(),
    }
}

/// The start of every `src/encoded.rs`, up to `mod wire`.
const HEAD: &str = "//! Value-encoded calls (`compwrap:types/encoded`): arguments decoded and
//! results encoded inside the component.
#![allow(unused, clippy::all, non_camel_case_types)]

";

/// What follows `mod wire`, up to [`SUPPORT`].
const USES: &str = "
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use wire::{Cursor, DecodeError, write_case, write_flags, write_len, write_sleb, write_str, write_uleb};
";

/// What every `src/encoded.rs` has after its `use`s: the codec traits with
/// their generic impls, the handle table and the dispatcher.
const SUPPORT: &str = include_str!("encoded/support.rs");

#[cfg(test)]
mod tests {
    use std::path::Path;

    use wit_parser::Resolve;

    /// The runtime's echo guest (every WIT type kind, a resource) compiles
    /// compwrap's value-encoded calls for its world: they match its
    /// `src/encoded.rs`; `BLESS=1` rewrites it. compwrap-runtime's tests
    /// build the guest and call it through them.
    #[test]
    fn echo_encoded_calls_match_the_golden_file() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let guest = root.join("../runtime/tests/guests/echo");
        let mut resolve = Resolve::default();
        let (package, _) = resolve
            .push_dir(guest.join("wit"))
            .expect("the echo WIT parses");
        let world = resolve
            .select_world(&[package], Some("echo-encoded"))
            .expect("the echo-encoded world");
        let text = super::render(
            &resolve,
            world,
            "Echo",
            Some("../../../../../client/src/codec/wire.rs"),
        )
        .expect("encoded calls");
        let golden = guest.join("src/encoded.rs");
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&golden, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        assert!(
            expected == text,
            "{} differs from the generated calls; rerun with BLESS=1 if the change is intended",
            golden.display()
        );
    }
}
