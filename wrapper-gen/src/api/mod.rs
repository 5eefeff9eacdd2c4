//! rustdoc JSON → the API [model](crate::model).
//!
//! Walks the crate's public items from its root (following `pub use`,
//! including globs), decides how each public type maps (record, enum,
//! variant, resource, or string form), then maps every public function and
//! method whose signature is expressible, recording a reason for everything
//! that is not.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anyhow::{Context, Result, bail};
use rustdoc_types::{
    Attribute, Crate, GenericArg, GenericArgs, GenericBound, GenericParamDefKind, Generics, Id,
    Item, ItemEnum, StructKind, Type, VariantKind, Visibility, WherePredicate,
};

use crate::model::*;
use crate::names::{Namespace, kebab};

mod generics;
mod impls;
mod instances;
pub mod io;
pub mod json;
pub mod serde_fns;
pub mod smithy;
mod traits;
use generics::Scope;

/// Reads rustdoc JSON, checking its format version first.
pub fn read_json(path: &Path) -> Result<serde_json::Value> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("failed to read rustdoc JSON {}", path.display()))?;
    #[derive(serde::Deserialize)]
    struct Header {
        format_version: u32,
    }
    let header: Header = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not rustdoc JSON", path.display()))?;
    if header.format_version != rustdoc_types::FORMAT_VERSION {
        bail!(
            "rustdoc JSON format version {} is not supported: this compwrap understands version {} \
             (the toolchain's rustdoc and compwrap's rustdoc-types must agree; use the toolchain \
             compwrap was built for)",
            header.format_version,
            rustdoc_types::FORMAT_VERSION
        );
    }
    serde_json::from_slice(&bytes).with_context(|| format!("failed to parse {}", path.display()))
}

/// The typed form of (merged) rustdoc JSON.
pub fn parse(json: serde_json::Value) -> Result<Crate> {
    serde_json::from_value(json).context("rustdoc JSON does not match its format version")
}

/// Maps a crate's public API. Returns the model and one report entry per
/// public item.
pub fn map(krate: &Crate, package: &str, version: &str) -> (Api, Vec<ReportItem>) {
    let root = &krate.index[&krate.root];
    let rust_name = root
        .name
        .clone()
        .unwrap_or_else(|| package.replace('-', "_"));
    let mut m = Mapper {
        krate,
        rust_name,
        modules: Vec::new(),
        types: Vec::new(),
        type_index: HashMap::new(),
        functions: Vec::new(),
        traits: Vec::new(),
        values: Vec::new(),
        input_traits: input_traits(krate),
        report: Vec::new(),
        interface_names: Namespace::default(),
    };
    m.interface_names.claim(&kebab(package));
    m.modules.push(Module {
        rust: m.rust_name.clone(),
        wit: kebab(package),
    });
    m.walk(&krate.root, 0, &mut BTreeSet::new());
    m.signature_instances();
    m.register_trait_enums();
    m.decide_kinds();
    let mut api = m.build(package, version);
    let mut report = m.report;
    smithy::recipe(&mut api, &mut report);
    crate::layout::merge_cycles(&mut api, &mut report);
    report.sort();
    (api, report)
}

struct Mapper<'a> {
    krate: &'a Crate,
    rust_name: String,
    modules: Vec<Module>,
    /// Public types, in discovery order.
    types: Vec<TypeEntry>,
    type_index: HashMap<Id, usize>,
    /// Public free functions: (module, item, Rust path).
    functions: Vec<(usize, Id, String)>,
    /// Public traits: (module, item, Rust path).
    traits: Vec<(usize, Id, String)>,
    /// Public constants and statics: (module, item, Rust path).
    values: Vec<(usize, Id, String)>,
    /// Traits that bound a generic parameter of some function of the crate
    /// (`R: Replacer`): inputs, not extension traits.
    input_traits: BTreeSet<Id>,
    report: Vec<ReportItem>,
    /// Interface names in use (a module named like the crate gets `-v2`).
    interface_names: Namespace,
}

struct Module {
    rust: String,
    wit: String,
}

/// A field of a defaulted record left at its default: its name and why.
type LeftField = (String, String);

struct TypeEntry {
    id: Id,
    module: usize,
    path: String,
    wit: String,
    decided: Decided,
    /// For a public alias of a generic type with concrete arguments
    /// (`toml::Table = Map<String, Value>`): the generic type and the
    /// arguments.
    instance: Option<(Id, Vec<Type>)>,
    /// For a generic type over readers or writers (`csv::Reader<R>`): the
    /// one instance exported, by parameter ([`io`]).
    io: Option<Vec<io::Io>>,
}

#[derive(Clone, PartialEq)]
enum Decided {
    Kind(NamedKind),
    /// A borrowing iterator type: wherever returned, collected into a list
    /// of its `Item`.
    Iter(Type),
    Skipped(String),
}

impl<'a> Mapper<'a> {
    fn item(&self, id: &Id) -> Option<&'a Item> {
        self.krate.index.get(id)
    }

    fn skip(&mut self, path: String, kind: &str, reason: impl Into<String>) {
        self.report.push(ReportItem {
            path,
            kind: kind.into(),
            wit: None,
            skipped: Some(reason.into()),
        });
    }

    fn mapped(&mut self, path: String, kind: &str, wit: String) {
        self.report.push(ReportItem {
            path,
            kind: kind.into(),
            wit: Some(wit),
            skipped: None,
        });
    }

    // ---- discovery -------------------------------------------------------

    fn walk(&mut self, module_id: &Id, module: usize, seen: &mut BTreeSet<Id>) {
        let Some(ItemEnum::Module(m)) = self.item(module_id).map(|i| &i.inner) else {
            return;
        };
        for id in &m.items {
            let Some(item) = self.item(id) else { continue };
            if !matches!(item.visibility, Visibility::Public) {
                continue;
            }
            match &item.inner {
                ItemEnum::Use(u) => self.walk_use(u, module, seen),
                _ => {
                    let name = item.name.clone().unwrap_or_default();
                    self.add_item(id, &name, module, seen);
                }
            }
        }
    }

    fn walk_use(&mut self, u: &rustdoc_types::Use, module: usize, seen: &mut BTreeSet<Id>) {
        let path = format!("{}::{}", self.modules[module].rust, u.name);
        let Some(target) = &u.id else {
            return self.skip(
                path,
                "use",
                "re-export of an item compwrap cannot see (primitive or private)",
            );
        };
        if self.item(target).is_none() {
            let kind = self
                .krate
                .paths
                .get(target)
                .map(|s| format!("{:?}", s.kind).to_lowercase());
            return self.skip(
                path,
                &kind.unwrap_or_else(|| "use".into()),
                "re-exported from another crate",
            );
        }
        if u.is_glob {
            if seen.insert(*target) {
                self.walk(target, module, seen);
            }
        } else {
            self.add_item(target, &u.name, module, seen);
        }
    }

    fn add_item(&mut self, id: &Id, name: &str, module: usize, seen: &mut BTreeSet<Id>) {
        if !seen.insert(*id) {
            return;
        }
        let Some(item) = self.item(id) else { return };
        let path = format!("{}::{}", self.modules[module].rust, name);
        match &item.inner {
            ItemEnum::Module(_) => {
                let wanted = if module == 0 {
                    kebab(name)
                } else {
                    kebab(&format!("{}_{}", self.modules[module].wit, name))
                };
                let wit = self.interface_names.claim(&wanted);
                self.modules.push(Module { rust: path, wit });
                let index = self.modules.len() - 1;
                self.walk(id, index, seen);
            }
            ItemEnum::Struct(_) | ItemEnum::Enum(_) => {
                // `csv::Reader<R>` is `csv::Reader::<Cursor<Vec<u8>>>`
                // (turbofish: the path is a type and a call's prefix).
                let io = self.io_instance(id);
                let path = match &io {
                    Some(args) => {
                        let args: Vec<&str> = args.iter().map(|a| a.rust()).collect();
                        format!("{path}::<{}>", args.join(", "))
                    }
                    None => path,
                };
                let decided = self.candidate(item, io.is_some());
                // A resource (or a defaulted record) with lifetimes is made
                // over `'static`.
                let lifetimes = self.lifetime_params(id).len();
                let path = if matches!(
                    decided,
                    Decided::Kind(
                        NamedKind::Resource
                            | NamedKind::Record
                            | NamedKind::Variant
                            | NamedKind::Enum
                    )
                ) && io.is_none()
                    && lifetimes > 0
                {
                    format!("{path}::<{}>", vec!["'static"; lifetimes].join(", "))
                } else {
                    path
                };
                self.push_type(TypeEntry {
                    id: *id,
                    module,
                    path,
                    wit: kebab(name),
                    decided,
                    instance: None,
                    io,
                });
            }
            ItemEnum::Function(_) => self.functions.push((module, *id, path)),
            ItemEnum::Trait(_) => self.traits.push((module, *id, path)),
            ItemEnum::Macro(_) | ItemEnum::ProcMacro(_) => {
                self.skip(path, "macro", "macros exist only at compile time")
            }
            ItemEnum::Constant { .. } | ItemEnum::Static(_) => {
                self.values.push((module, *id, path))
            }
            ItemEnum::TypeAlias(alias) => match self.instantiated_generic(alias) {
                // `pub type Table = Map<String, Value>`: a type of its own.
                Some((generic, args)) => {
                    let decided = self.candidate(self.item(&generic).expect("checked"), true);
                    self.push_type(TypeEntry {
                        id: *id,
                        module,
                        path,
                        wit: kebab(name),
                        decided,
                        instance: Some((generic, args)),
                        io: None,
                    });
                }
                None => self.skip(path, "type alias", "type aliases are resolved where used"),
            },
            ItemEnum::Union(_) => self.skip(path, "union", "unions have no WIT equivalent"),
            _ => {}
        }
    }

    /// Records a public type (after deciding its kind, which looks types
    /// up by id).
    fn push_type(&mut self, entry: TypeEntry) {
        self.type_index.insert(entry.id, self.types.len());
        self.types.push(entry);
    }

    // ---- type kinds ------------------------------------------------------

    /// The structural kind of a type, before field types are checked.
    /// `instantiated`: the generic parameters are bound by an alias.
    fn candidate(&self, item: &Item, instantiated: bool) -> Decided {
        let generics = match &item.inner {
            ItemEnum::Struct(s) => &s.generics,
            ItemEnum::Enum(e) => &e.generics,
            _ => unreachable!("only structs and enums are types here"),
        };
        if let Some(decided) = self.borrowing_kind(item, generics) {
            return decided;
        }
        if self.string_like(&item.id) {
            return Decided::Skipped("a string type: it travels as `string`".into());
        }
        // `Event<'a>` of `CowStr<'a>` and other owning parts (an enum, or a
        // struct of public fields): a variant or record over `'static`,
        // checked with the other fields (a `&'a str` leaves it skipped).
        let lifetimes_only = !generics.params.is_empty()
            && generics
                .params
                .iter()
                .all(|p| matches!(p.kind, GenericParamDefKind::Lifetime { .. }));
        let owned_enum = lifetimes_only
            && match &item.inner {
                ItemEnum::Enum(_) => true,
                ItemEnum::Struct(s) => matches!(&s.kind,
                    StructKind::Plain { fields, has_stripped_fields: false } if !fields.is_empty()),
                _ => false,
            };
        if !instantiated
            && !owned_enum
            && let Some(reason) = generics_reason(generics)
        {
            return Decided::Skipped(reason);
        }
        // A struct with `Drop` cannot be taken apart into its fields. (An
        // enum with `Drop` is found by rustc: shape `glue-error`.)
        if matches!(item.inner, ItemEnum::Struct(_))
            && self.implements(&item.id, "core::ops::drop::Drop")
        {
            return self.opaque_kind(&item.id);
        }
        match &item.inner {
            ItemEnum::Struct(s) => match &s.kind {
                StructKind::Unit => Decided::Skipped("unit struct: no data to carry".into()),
                StructKind::Plain {
                    fields,
                    has_stripped_fields: false,
                } if !fields.is_empty() => Decided::Kind(NamedKind::Record),
                StructKind::Tuple(fields)
                    if !fields.is_empty() && fields.iter().all(Option::is_some) =>
                {
                    Decided::Kind(NamedKind::Record)
                }
                // A Smithy operation's output hides only its request id
                // (`_request_id`), a declared error only its metadata
                // (`meta`): records of their public members.
                StructKind::Plain {
                    fields,
                    has_stripped_fields: true,
                } if !fields.is_empty()
                    && (self.is_smithy_output(&item.id) || self.is_smithy_error(&item.id)) =>
                {
                    Decided::Kind(NamedKind::Record)
                }
                _ => self.opaque_kind(&item.id),
            },
            ItemEnum::Enum(e) => {
                if e.variants.is_empty() {
                    return Decided::Skipped("enum without variants".into());
                }
                let plain = e.variants.iter().all(|v| {
                    matches!(self.item(v).map(|i| &i.inner), Some(ItemEnum::Variant(v)) if matches!(v.kind, VariantKind::Plain))
                });
                Decided::Kind(if plain {
                    NamedKind::Enum
                } else {
                    NamedKind::Variant
                })
            }
            _ => unreachable!(),
        }
    }

    /// Opaque structs whose only generic parameters are lifetimes borrow
    /// from the call's arguments: iterators are collected into lists, the
    /// rest are copied out through their accessors.
    fn borrowing_kind(&self, item: &Item, generics: &Generics) -> Option<Decided> {
        let ItemEnum::Struct(s) = &item.inner else {
            return None;
        };
        let has_lifetimes = generics
            .params
            .iter()
            .any(|p| matches!(p.kind, GenericParamDefKind::Lifetime { .. }));
        // `Parser<'input, F = DefaultBrokenLinkCallback>`: type parameters
        // with defaults are left at them.
        let defaulted = generics.params.iter().any(|p| {
            matches!(
                p.kind,
                GenericParamDefKind::Type {
                    default: Some(_),
                    ..
                }
            )
        });
        let lifetimes_only = has_lifetimes
            && generics.params.iter().all(|p| {
                matches!(
                    p.kind,
                    GenericParamDefKind::Lifetime { .. }
                        | GenericParamDefKind::Type {
                            default: Some(_),
                            ..
                        }
                )
            });
        let opaque = match &s.kind {
            StructKind::Plain {
                has_stripped_fields,
                ..
            } => *has_stripped_fields,
            StructKind::Tuple(fields) => fields.iter().any(Option::is_none),
            StructKind::Unit => false,
        };
        if self.is_defaulted_record(&item.id) {
            return Some(Decided::Kind(NamedKind::Record));
        }
        if !lifetimes_only || !opaque {
            return None;
        }
        let is_error = self.traits_of(&item.id).contains("core::error::Error");
        // `Environment::new() -> Environment<'source>`, `Parser::new(text)`:
        // made by the caller, not lent by the crate. A resource over
        // `'static`, holding the strings it borrows for as long as the
        // instance lives (an iterator too: it is passed on, or stepped).
        if !is_error && self.has_constructor(&item.id) {
            return Some(Decided::Kind(NamedKind::Resource));
        }
        if defaulted {
            return None;
        }
        if let Some(item_ty) = self.iterator_item(&item.id) {
            return Some(Decided::Iter(item_ty));
        }
        if is_error {
            return None;
        }
        Some(Decided::Kind(NamedKind::Snapshot))
    }

    /// Whether the type has a public associated function returning it
    /// (`new`, `default`, `from_str`), alone or in a `Result`/`Option`,
    /// that borrows nothing but strings and slices for the type's
    /// lifetimes (`Parser::new(text: &'input str)`, not
    /// `ElementRef::wrap(node: NodeRef<'a, Node>)`, which borrows from
    /// another value of the crate).
    fn has_constructor(&self, id: &Id) -> bool {
        let is_self = |t: &Type| match t {
            Type::Generic(g) => g == "Self",
            Type::ResolvedPath(p) => p.id == *id,
            _ => false,
        };
        let lifetimes = self.lifetime_params(id);
        // `&'a dyn Dialect` of the crate's trait: a `&'static` unit struct
        // when the trait is an enum of them (else the parameter fails to map).
        let keepable = |t: &Type| match t {
            Type::BorrowedRef {
                is_mutable: false,
                type_,
                ..
            } if matches!(&**type_, Type::Primitive(p) if p == "str")
                || matches!(&**type_, Type::Slice(_))
                || matches!(&**type_, Type::DynTrait(dt)
                    if dt.traits.iter().any(|p| self.item(&p.trait_.id).is_some())) =>
            {
                true
            }
            other => !carries_lifetime(other, &lifetimes),
        };
        self.inherent_fns(id).iter().any(|f| {
            let ItemEnum::Function(func) = &f.inner else {
                return false;
            };
            if has_self(f) || !func.sig.inputs.iter().all(|(_, t)| keepable(t)) {
                return false;
            }
            match &func.sig.output {
                Some(t) if is_self(t) => true,
                Some(Type::ResolvedPath(p)) => {
                    matches!(p.path.rsplit("::").next(), Some("Result" | "Option"))
                        && type_args(p).first().is_some_and(|a| is_self(a))
                }
                _ => false,
            }
        })
    }

    /// A struct of public fields whose generic parameters are all
    /// lifetimes, with `Default` (comrak's `Options<'c>`: owned data plus
    /// optional callbacks): a record over `'static` of the fields that can
    /// cross ([`Mapper::crossing_fields`]), built from its default value,
    /// so the others (callbacks, trait objects, borrows) stay at theirs.
    fn is_defaulted_record(&self, id: &Id) -> bool {
        let Some(Item {
            inner: ItemEnum::Struct(s),
            ..
        }) = self.item(id)
        else {
            return false;
        };
        let public = matches!(&s.kind, StructKind::Plain { fields, has_stripped_fields: false } if !fields.is_empty());
        public
            && !s.generics.params.is_empty()
            && s.generics
                .params
                .iter()
                .all(|p| matches!(p.kind, GenericParamDefKind::Lifetime { .. }))
            && self.implements(id, "core::default::Default")
    }

    /// The fields of a [defaulted record](Mapper::is_defaulted_record)
    /// that cross both ways, and those that stay at their default, with
    /// why.
    fn crossing_fields(&self, id: &Id) -> (Vec<(String, Ty)>, Vec<LeftField>) {
        let (mut kept, mut left) = (Vec::new(), Vec::new());
        let Some(Item {
            inner: ItemEnum::Struct(s),
            ..
        }) = self.item(id)
        else {
            return (kept, left);
        };
        let StructKind::Plain { fields, .. } = &s.kind else {
            return (kept, left);
        };
        for f in fields {
            let Some(Item {
                name: Some(name),
                inner: ItemEnum::StructField(ty),
                ..
            }) = self.item(f)
            else {
                continue;
            };
            match self.ty(ty, &self.scope_of(id)) {
                Err(reason) => left.push((name.clone(), reason)),
                Ok(ty) if !self.liftable(&ty) || !self.lowerable(&ty) => {
                    left.push((name.clone(), "cannot cross the boundary both ways".into()))
                }
                Ok(ty) if contains_ref(&ty) => left.push((name.clone(), "borrows data".into())),
                Ok(ty) => kept.push((name.clone(), ty)),
            }
        }
        (kept, left)
    }

    /// The lifetime parameters of a resource with lifetimes (made over
    /// `'static`, see [`Mapper::borrowing_kind`]).
    fn kept_lifetimes(&self, id: &Id) -> Vec<String> {
        let Some(&index) = self.type_index.get(id) else {
            return Vec::new();
        };
        if self.types[index].decided != Decided::Kind(NamedKind::Resource) {
            return Vec::new();
        }
        // An alias at `'static` (`SimpleFileOptions = FileOptions<'static,
        // ()>`): the generic type's lifetimes.
        match self.instance_of(id) {
            Some((generic, _)) => self.lifetime_params(generic),
            None => self.lifetime_params(id),
        }
    }

    /// The names of a struct's or enum's lifetime parameters (`'source`).
    fn lifetime_params(&self, id: &Id) -> Vec<String> {
        self.generics_of(id)
            .map(|g| {
                g.params
                    .iter()
                    .filter(|p| matches!(p.kind, GenericParamDefKind::Lifetime { .. }))
                    .map(|p| p.name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `Item` of the type's `Iterator` implementation.
    fn iterator_item(&self, id: &Id) -> Option<Type> {
        self.trait_impls(id).find_map(|(path, imp)| {
            if path != "core::iter::traits::iterator::Iterator" {
                return None;
            }
            self.assoc_type(imp, "Item").cloned()
        })
    }

    /// The associated type `name` an impl defines (`type Item = …`).
    fn assoc_type(&self, imp: &rustdoc_types::Impl, name: &str) -> Option<&'a Type> {
        imp.items.iter().find_map(|assoc| match self.item(assoc) {
            Some(Item {
                name: Some(n),
                inner: ItemEnum::AssocType { type_: Some(t), .. },
                ..
            }) if n == name => Some(t),
            _ => None,
        })
    }

    /// The accessors of a snapshot type: public `&self` methods without
    /// other parameters whose results can leave the component.
    fn accessors(&self, id: &Id) -> Vec<(String, Ty)> {
        let mut out = Vec::new();
        for item in self.inherent_fns(id) {
            let ItemEnum::Function(f) = &item.inner else {
                continue;
            };
            let is_accessor = f.sig.inputs.len() == 1
                && matches!(&f.sig.inputs[0], (n, Type::BorrowedRef { is_mutable: false, type_, .. })
                    if n == "self" && matches!(&**type_, Type::Generic(g) if g == "Self"))
                && f.generics
                    .params
                    .iter()
                    .all(|p| matches!(p.kind, GenericParamDefKind::Lifetime { .. }))
                && !f.header.is_unsafe
                && !f.header.is_async;
            let Some(output) = f.sig.output.as_ref().filter(|_| is_accessor) else {
                continue;
            };
            let Ok(ty) = self.ty(output, &self.scope_of(id)) else {
                continue;
            };
            let own_path = &self.types[self.type_index[id]].path;
            let mut named = Vec::new();
            collect_named(&ty, &mut named);
            if named.iter().any(|n| &n.rust == own_path) || !self.lowerable(&ty) {
                continue;
            }
            out.push((item.name.clone().unwrap_or_default(), ty));
        }
        out
    }

    /// Public functions of the inherent impls of type `id`.
    fn inherent_fns(&self, id: &Id) -> Vec<&'a Item> {
        let mut out = Vec::new();
        for impl_id in self.impls_of(id) {
            let Some(ItemEnum::Impl(imp)) = self.item(impl_id).map(|i| &i.inner) else {
                continue;
            };
            if imp.trait_.is_some()
                || imp.is_synthetic
                || imp.blanket_impl.is_some()
                || !self.impl_applies(id, imp)
            {
                continue;
            }
            out.extend(
                imp.items
                    .iter()
                    .filter_map(|fid| self.item(fid))
                    .filter(|item| {
                        matches!(item.visibility, Visibility::Public)
                            && matches!(item.inner, ItemEnum::Function(_))
                    }),
            );
        }
        out
    }

    /// Whether the struct `id` can be built through a builder: an inherent
    /// `fn builder() -> B` where `B` has `set_<field>(self, Option<_>)` for
    /// every field and `build(self)` returning the struct (`Some(false)`)
    /// or a `Result` (`Some(true)`). This is how smithy-rs (the AWS SDKs)
    /// lets `#[non_exhaustive]` shapes be made outside their crate.
    fn builder_rule(&self, id: &Id) -> Option<bool> {
        let builder = self
            .inherent_fns(id)
            .into_iter()
            .find(|f| f.name.as_deref() == Some("builder"))?;
        let ItemEnum::Function(f) = &builder.inner else {
            return None;
        };
        let Some(Type::ResolvedPath(b)) = &f.sig.output else {
            return None;
        };
        if !f.sig.inputs.is_empty() {
            return None;
        }
        let methods = self.inherent_fns(&b.id);
        let setters: BTreeSet<&str> = methods.iter().filter_map(|m| m.name.as_deref()).collect();
        let ItemEnum::Struct(s) = &self.type_item(id)?.inner else {
            return None;
        };
        let StructKind::Plain { fields, .. } = &s.kind else {
            return None;
        };
        for field in fields {
            let name = self.item(field)?.name.as_deref()?;
            let setter = methods
                .iter()
                .find(|m| m.name.as_deref() == Some(&format!("set_{name}")))?;
            let ItemEnum::Function(set) = &setter.inner else {
                return None;
            };
            // `set_x(self, Option<_>) -> Self`
            let takes_option = matches!(
                set.sig.inputs.get(1),
                Some((_, Type::ResolvedPath(p))) if p.path.rsplit("::").next() == Some("Option")
            );
            if set.sig.inputs.len() != 2 || !takes_option || !setters.contains("build") {
                return None;
            }
        }
        let build = methods
            .iter()
            .find(|m| m.name.as_deref() == Some("build"))?;
        let ItemEnum::Function(build) = &build.inner else {
            return None;
        };
        match &build.sig.output {
            Some(Type::ResolvedPath(p)) if p.id == *id => Some(false),
            Some(Type::ResolvedPath(p)) if p.path.rsplit("::").next() == Some("Result") => {
                match type_args(p).first() {
                    Some(Type::ResolvedPath(ok)) if ok.id == *id => Some(true),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn opaque_kind(&self, id: &Id) -> Decided {
        let traits = self.traits_of(id);
        if traits.contains("core::error::Error") {
            Decided::Skipped(
                "error type: results carry it as the `compwrap:types/types.error` record".into(),
            )
        } else if [
            "core::fmt::Display",
            "core::str::traits::FromStr",
            "core::cmp::PartialEq",
        ]
        .iter()
        .all(|t| traits.contains(*t))
        {
            Decided::Kind(NamedKind::Text)
        } else if self.json_cases(id).is_some() {
            // A recursive enum: its JSON text.
            Decided::Kind(NamedKind::Text)
        } else if self.seq_item(id).is_some() {
            Decided::Kind(NamedKind::Seq)
        } else {
            Decided::Kind(NamedKind::Resource)
        }
    }

    /// `parse_sql(dialect: &dyn Dialect, …)` where the crate ships public
    /// unit structs implementing `Dialect`: the trait is a type of its
    /// own, an `enum` choosing one of them.
    fn register_trait_enums(&mut self) {
        for (module, trait_id, path) in self.traits.clone() {
            if self.unit_implementors(&trait_id).is_empty() {
                continue;
            }
            let name = path.rsplit("::").next().unwrap_or(&path);
            self.push_type(TypeEntry {
                id: trait_id,
                module,
                path: format!("dyn {path}"),
                wit: kebab(name),
                decided: Decided::Kind(NamedKind::Enum),
                instance: None,
                io: None,
            });
        }
    }

    /// The public unit structs (or empty `{}` structs) of the crate
    /// implementing a dyn-compatible trait: (Rust expression making one,
    /// name).
    fn unit_implementors(&self, trait_id: &Id) -> Vec<(String, String)> {
        let Some(ItemEnum::Trait(tr)) = self.item(trait_id).map(|i| &i.inner) else {
            return Vec::new();
        };
        if !tr.is_dyn_compatible {
            return Vec::new();
        }
        let mut out: Vec<(String, String)> = tr
            .implementations
            .iter()
            .filter_map(|impl_id| {
                let ItemEnum::Impl(imp) = &self.item(impl_id)?.inner else {
                    return None;
                };
                let Type::ResolvedPath(p) = &imp.for_ else {
                    return None;
                };
                if imp.is_negative || imp.is_synthetic || imp.blanket_impl.is_some() {
                    return None;
                }
                let entry = &self.types[*self.type_index.get(&p.id)?];
                let item = self.item(&entry.id)?;
                // `GenericDialect;` or `MySqlDialect {}`.
                let ItemEnum::Struct(s) = &item.inner else {
                    return None;
                };
                if !s.generics.params.is_empty() {
                    return None;
                }
                match &s.kind {
                    StructKind::Unit => Some((entry.path.clone(), item.name.clone()?)),
                    StructKind::Plain {
                        fields,
                        has_stripped_fields: false,
                    } if fields.is_empty() => {
                        Some((format!("{} {{}}", entry.path), item.name.clone()?))
                    }
                    _ => None,
                }
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// What an opaque collection of strings or byte strings holds: a
    /// non-generic `Clone` struct whose `&Self` iterates `&str` or `&[u8]`
    /// and that is `FromIterator` (`csv::StringRecord`, `ByteRecord`).
    fn seq_item(&self, id: &Id) -> Option<Ty> {
        let item = self.type_item(id)?;
        let ItemEnum::Struct(s) = &item.inner else {
            return None;
        };
        if !s.generics.params.is_empty()
            || !self.implements(id, "core::clone::Clone")
            || !self.implements(id, "core::iter::traits::collect::FromIterator")
        {
            return None;
        }
        // `impl<'a> IntoIterator for &'a StringRecord`.
        let imp = self.impls_of(id).iter().find_map(|impl_id| {
            let ItemEnum::Impl(imp) = &self.item(impl_id)?.inner else {
                return None;
            };
            let for_ref = matches!(&imp.for_, Type::BorrowedRef { is_mutable: false, type_, .. }
                if matches!(&**type_, Type::ResolvedPath(p) if p.id == *id));
            let trait_ = imp.trait_.as_ref()?;
            (for_ref
                && self.std_path(&trait_.id).as_deref()
                    == Some("core::iter::traits::collect::IntoIterator"))
            .then_some(imp)
        })?;
        match self.assoc_type(imp, "Item")? {
            Type::BorrowedRef {
                is_mutable: false,
                type_,
                ..
            } => match &**type_ {
                Type::Primitive(p) if p == "str" => Some(Ty::Str(StrKind::Ref)),
                Type::Slice(t) if matches!(&**t, Type::Primitive(p) if p == "u8") => {
                    Some(Ty::List(Box::new(Ty::Prim("u8".into())), ListKind::Slice))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether the type travels as its `Display` / `FromStr` form.
    fn has_text_form(&self, id: &Id) -> bool {
        let traits = self.traits_of(id);
        [
            "core::fmt::Display",
            "core::str::traits::FromStr",
            "core::cmp::PartialEq",
        ]
        .iter()
        .all(|t| traits.contains(*t))
    }

    /// Paths of the traits the type itself implements: not through blanket
    /// impls, and not impls for types built from it (`impl Clone for
    /// Box<Path>` is listed among `Path`'s impls too).
    fn traits_of(&self, id: &Id) -> BTreeSet<String> {
        self.trait_impls(id).map(|(path, _)| path).collect()
    }

    /// Whether a type of the crate is a string of its own that borrows
    /// (pulldown-cmark's `CowStr<'a>`): built `From<String>`, read as
    /// `Deref<Target = str>`. (One without lifetimes, toml_edit's `Key`,
    /// keeps its own form and methods.)
    fn string_like(&self, id: &Id) -> bool {
        if self.lifetime_params(id).is_empty() {
            return false;
        }
        let trait_arg = |imp: &rustdoc_types::Impl| {
            imp.trait_
                .as_ref()
                .and_then(|t| type_args(t).first().map(|a| (*a).clone()))
        };
        let (mut from_string, mut reads_str) = (false, false);
        for (path, imp) in self.trait_impls(id) {
            match path.as_str() {
                "core::convert::From" => {
                    from_string |= matches!(trait_arg(imp), Some(Type::ResolvedPath(p))
                        if self.std_path(&p.id).as_deref() == Some("alloc::string::String"));
                }
                "core::ops::deref::Deref" => {
                    reads_str |= matches!(self.assoc_type(imp, "Target"),
                        Some(Type::Primitive(s)) if s == "str");
                }
                _ => {}
            }
        }
        from_string && reads_str
    }

    /// The type's own trait impls, with the trait's path.
    fn trait_impls(&self, id: &Id) -> impl Iterator<Item = (String, &'a rustdoc_types::Impl)> + '_ {
        let owner = *id;
        let target = self.generic_of(id);
        self.impls_of(id).iter().filter_map(move |impl_id| {
            let ItemEnum::Impl(imp) = &self.item(impl_id)?.inner else {
                return None;
            };
            // `impl Display for Table` names the alias itself.
            let own = matches!(&imp.for_, Type::ResolvedPath(p) if p.id == target || p.id == owner)
                && self.impl_applies(&owner, imp);
            if !own || imp.blanket_impl.is_some() || imp.is_negative {
                return None;
            }
            let path = self
                .krate
                .paths
                .get(&imp.trait_.as_ref()?.id)?
                .path
                .join("::");
            Some((path, imp))
        })
    }

    /// The generics of a struct or enum.
    fn generics_of(&self, id: &Id) -> Option<&'a Generics> {
        match &self.item(id)?.inner {
            ItemEnum::Struct(s) => Some(&s.generics),
            ItemEnum::Enum(e) => Some(&e.generics),
            _ => None,
        }
    }

    /// The names and places type `i` is known by.
    fn type_ref(&self, i: usize) -> TypeRef {
        let t = &self.types[i];
        TypeRef {
            id: t.id,
            path: t.path.clone(),
            wit: t.wit.clone(),
            iface: self.modules[t.module].wit.clone(),
        }
    }

    /// The struct or enum item of a type (the generic one for an alias).
    fn type_item(&self, id: &Id) -> Option<&'a Item> {
        self.item(&self.generic_of(id))
    }

    /// The alias instances of generic type `id`.
    fn instances_of(&self, id: &Id) -> impl Iterator<Item = &TypeEntry> + '_ {
        let id = *id;
        self.types
            .iter()
            .filter(move |t| t.instance.as_ref().is_some_and(|(g, _)| *g == id))
    }

    /// The generic type and arguments alias `id` instantiates.
    fn instance_of(&self, id: &Id) -> Option<&(Id, Vec<Type>)> {
        self.type_index
            .get(id)
            .and_then(|&i| self.types[i].instance.as_ref())
    }

    /// The instantiation of a generic type over readers or writers.
    fn io_of(&self, id: &Id) -> Option<&[io::Io]> {
        self.type_index
            .get(id)
            .and_then(|&i| self.types[i].io.as_deref())
    }

    /// The generic type an alias instantiates, else the type itself.
    fn generic_of(&self, id: &Id) -> Id {
        self.instance_of(id).map_or(*id, |(generic, _)| *generic)
    }

    /// `pub type Table = Map<String, Value>`: the crate's generic type and
    /// the alias's arguments, when every argument is concrete.
    /// A use of a generic type alias (`Result<Version>` for `type
    /// Result<T, E = Error> = std::result::Result<T, E>`): the aliased type
    /// with the alias's parameters replaced by the arguments, or their
    /// defaults, mapped in the scope of the use.
    fn generic_alias(
        &self,
        alias: &rustdoc_types::TypeAlias,
        p: &rustdoc_types::Path,
        sc: &Scope,
    ) -> Result<Ty, String> {
        let mut given = type_args(p).into_iter();
        let mut bound: HashMap<String, Type> = HashMap::new();
        for param in &alias.generics.params {
            match &param.kind {
                GenericParamDefKind::Lifetime { .. } => {}
                GenericParamDefKind::Type { default, .. } => {
                    let ty = match (given.next(), default) {
                        (Some(arg), _) => arg.clone(),
                        (None, Some(default)) => substitute(default, &bound),
                        (None, None) => {
                            return Err(format!("`{}` without type arguments", p.path));
                        }
                    };
                    bound.insert(param.name.clone(), ty);
                }
                GenericParamDefKind::Const { .. } => {
                    return Err(format!("type alias `{}` with a const parameter", p.path));
                }
            }
        }
        self.ty(&substitute(&alias.type_, &bound), sc)
    }

    fn instantiated_generic(&self, alias: &rustdoc_types::TypeAlias) -> Option<(Id, Vec<Type>)> {
        if !alias.generics.params.is_empty() {
            return None;
        }
        let Type::ResolvedPath(p) = &alias.type_ else {
            return None;
        };
        let generics = self.generics_of(&p.id)?;
        let params = type_params(generics).count();
        let args: Vec<Type> = type_args(p).into_iter().cloned().collect();
        // `type SimpleFileOptions = FileOptions<'static, ()>`: lifetimes at
        // `'static` borrow nothing from a call.
        let given: Vec<&String> = match p.args.as_deref() {
            Some(GenericArgs::AngleBracketed { args, .. }) => args
                .iter()
                .filter_map(|a| match a {
                    GenericArg::Lifetime(l) => Some(l),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let all_static = given.len() == self.lifetime_params(&p.id).len()
            && given.iter().all(|l| *l == "'static");
        (params > 0 && args.len() == params && all_static && !args.iter().any(has_generic))
            .then_some((p.id, args))
    }

    /// The scope of type `id`'s impls: `Self`, and for an alias instance its
    /// generic parameters bound to the alias's arguments.
    fn scope_of(&self, id: &Id) -> Scope {
        let mut scope = Scope::of(id);
        if let Some(io) = self.io_of(id)
            && let Some(generics) = self.generics_of(id)
        {
            for (param, io) in type_params(generics).zip(io) {
                scope.subst.insert(param.name.clone(), io.ty());
            }
            return scope;
        }
        let Some((generic, args)) = self.instance_of(id) else {
            return scope;
        };
        let Some(generics) = self.generics_of(generic) else {
            return scope;
        };
        for (param, arg) in type_params(generics).zip(args) {
            if let Ok(ty) = self.ty(arg, &Scope::default()) {
                scope.subst.insert(param.name.clone(), ty);
            }
            scope.args.insert(param.name.clone(), arg.clone());
        }
        scope
    }

    /// Whether an impl of type `id`'s generic type applies to `id`: its
    /// concrete arguments (if any) are the alias's.
    fn impl_applies(&self, id: &Id, imp: &rustdoc_types::Impl) -> bool {
        // The instance over bytes: impls for any reader (`impl Reader<File>`
        // is not one of them).
        if self.io_of(id).is_some() {
            return matches!(&imp.for_, Type::ResolvedPath(for_)
                if type_args(for_).iter().all(|a| matches!(a, Type::Generic(_))));
        }
        let Some((_, args)) = self.instance_of(id) else {
            return true;
        };
        let Type::ResolvedPath(for_) = &imp.for_ else {
            return false;
        };
        // Arguments without a WIT form (`impl DateTime<Utc>`, `Utc` a unit
        // struct) compare by their spelling; a parameter's derivable bounds
        // must hold for its argument (`impl<T: Default> Default for Gc<T>`
        // is not `Gc<CodeBlock>`'s).
        type_args(for_).into_iter().zip(args).all(|(a, b)| match a {
            Type::Generic(name) => self.meets_bounds(b, &imp.generics, name),
            _ => match (self.spell_arg(a), self.spell_arg(b)) {
                (Some(a), Some(b)) => a == b,
                _ => self.ty(a, &Scope::default()).ok() == self.ty(b, &Scope::default()).ok(),
            },
        })
    }

    /// Whether the crate type `arg` implements the derivable standard traits
    /// (`Default`, `Hash`, `PartialEq`, …) that `generics` require of the
    /// parameter `name` ([`Mapper::arg_meets`]).
    fn meets_bounds(&self, arg: &Type, generics: &Generics, name: &str) -> bool {
        let own = generics.params.iter().filter_map(|g| match &g.kind {
            GenericParamDefKind::Type { bounds, .. } if g.name == name => Some(bounds),
            _ => None,
        });
        let wheres = generics.where_predicates.iter().filter_map(|w| match w {
            WherePredicate::BoundPredicate {
                type_: Type::Generic(n),
                bounds,
                ..
            } if n == name => Some(bounds),
            _ => None,
        });
        self.arg_meets(arg, own.chain(wheres).flatten())
    }

    /// Whether the crate type `arg` implements the derivable standard
    /// traits among `bounds`; other bounds, and arguments that are not crate
    /// types, are taken to hold.
    pub(super) fn arg_meets<'b>(
        &self,
        arg: &Type,
        mut bounds: impl Iterator<Item = &'b GenericBound>,
    ) -> bool {
        const DERIVABLE: [&str; 9] = [
            "core::default::Default",
            "core::clone::Clone",
            "core::marker::Copy",
            "core::fmt::Debug",
            "core::hash::Hash",
            "core::cmp::PartialEq",
            "core::cmp::Eq",
            "core::cmp::PartialOrd",
            "core::cmp::Ord",
        ];
        // Floats are neither `Eq`, `Ord` nor `Hash` (`Formatted<f64>`).
        if let Type::Primitive(prim) = arg
            && (prim == "f32" || prim == "f64")
        {
            return bounds.all(|bound| match bound {
                GenericBound::TraitBound { trait_, .. } => !matches!(
                    self.std_path(&trait_.id).as_deref(),
                    Some("core::hash::Hash" | "core::cmp::Eq" | "core::cmp::Ord")
                ),
                _ => true,
            });
        }
        let Type::ResolvedPath(p) = arg else {
            return true;
        };
        if !self.type_index.contains_key(&p.id) {
            return true;
        }
        bounds.all(|bound| {
            let GenericBound::TraitBound { trait_, .. } = bound else {
                return true;
            };
            match self.std_path(&trait_.id) {
                Some(path) if DERIVABLE.contains(&path.as_str()) => self.implements(&p.id, &path),
                _ => true,
            }
        })
    }

    /// The alias instance of generic type `p` with `p`'s arguments.
    fn instance_for(&self, p: &rustdoc_types::Path, sc: &Scope) -> Option<Id> {
        // Only generic types have instances (and mapping the arguments of
        // a type that has none could recurse).
        self.instances_of(&p.id).next()?;
        // Arguments that have no WIT form themselves (`DateTime<Utc>`, `Utc`
        // a unit struct) compare by their spelling.
        let spelled = |args: Vec<&Type>| -> Option<Vec<String>> {
            args.into_iter()
                .map(|a| self.spell_arg(a).map(|(rust, _)| rust))
                .collect()
        };
        let bound: Vec<Type> = type_args(p)
            .into_iter()
            .map(|a| substitute(a, &sc.args))
            .collect();
        let given = spelled(bound.iter().collect());
        if let Some(given) = &given
            && let Some(t) = self.instances_of(&p.id).find(|t| {
                t.instance.as_ref().is_some_and(|(_, targs)| {
                    spelled(targs.iter().collect()).as_ref() == Some(given)
                })
            })
        {
            return Some(t.id);
        }
        let args: Vec<Ty> = type_args(p)
            .into_iter()
            .map(|a| self.ty(a, sc))
            .collect::<Result<_, _>>()
            .ok()?;
        self.instances_of(&p.id).find_map(|t| {
            let (generic, targs) = t.instance.as_ref()?;
            let targs: Vec<Ty> = targs
                .iter()
                .map(|a| self.ty(a, &Scope::default()))
                .collect::<Result<_, _>>()
                .ok()?;
            (*generic == p.id && targs == args).then_some(t.id)
        })
    }

    fn impls_of(&self, id: &Id) -> &'a [Id] {
        match self.type_item(id).map(|i| &i.inner) {
            Some(ItemEnum::Struct(s)) => &s.impls,
            Some(ItemEnum::Enum(e)) => &e.impls,
            _ => &[],
        }
    }

    fn implements(&self, id: &Id, trait_path: &str) -> bool {
        self.traits_of(id).contains(trait_path)
    }

    /// Checks field types until nothing changes: a record or variant with a
    /// field that cannot be mapped, and one that contains itself (WIT has no
    /// recursive types), becomes opaque (a resource, or its string form);
    /// resources nothing produces are dropped.
    fn decide_kinds(&mut self) {
        loop {
            // Recursion first: a type that contains itself gets its own form
            // (string, JSON text) before the records holding it are checked.
            let recursion_changed = self.break_recursion();
            let fields_changed = self.check_fields();
            if !self.drop_unproduced_resources() && !fields_changed && !recursion_changed {
                break;
            }
        }
        self.drop_failed_instances();
    }

    /// Records and variants that contain themselves become opaque; a
    /// borrowing snapshot that does is skipped.
    fn break_recursion(&mut self) -> bool {
        let mut changed = false;
        for i in 0..self.types.len() {
            let Decided::Kind(
                kind @ (NamedKind::Record | NamedKind::Variant | NamedKind::Snapshot),
            ) = self.types[i].decided
            else {
                continue;
            };
            let id = self.types[i].id;
            if !self.reaches(&id, &id, &mut BTreeSet::new()) {
                continue;
            }
            self.types[i].decided = if kind == NamedKind::Snapshot {
                Decided::Skipped(
                    "recursive borrowed type: WIT types cannot contain themselves".into(),
                )
            } else {
                self.opaque_kind(&id)
            };
            changed = true;
        }
        changed
    }

    /// A resource holds an owned value, so one that no mappable function
    /// returns by value (e.g. `bytes::buf::UninitSlice`, only ever borrowed,
    /// and unsized) could never exist in a component: skip it.
    fn drop_unproduced_resources(&mut self) -> bool {
        let produced = self.produced_resources();
        let mut changed = false;
        for t in &mut self.types {
            if t.decided == Decided::Kind(NamedKind::Resource) && !produced.contains(&t.path) {
                t.decided = Decided::Skipped(
                    "opaque type that no mappable function returns by value (only borrowed)".into(),
                );
                changed = true;
            }
        }
        changed
    }

    /// Rust paths of the resources that some mappable function returns.
    fn produced_resources(&self) -> BTreeSet<String> {
        let mut candidates: Vec<(&Item, Option<(&Id, NamedKind)>)> = self
            .functions
            .iter()
            .filter_map(|(_, id, _)| self.item(id))
            .map(|item| (item, None))
            .collect();
        for t in &self.types {
            if let Decided::Kind(kind) = t.decided {
                candidates.extend(
                    self.inherent_fns(&t.id)
                        .into_iter()
                        .map(|f| (f, Some((&t.id, kind)))),
                );
            }
        }
        let mut out = BTreeSet::new();
        // `FromStr` and `Default` make values too.
        for t in &self.types {
            if t.decided == Decided::Kind(NamedKind::Resource)
                && (self.implements(&t.id, "core::default::Default")
                    || self.implements(&t.id, "core::str::traits::FromStr"))
            {
                out.insert(t.path.clone());
            }
        }
        for (item, owner) in candidates {
            if let Ok(f) = self.function(item, owner, "") {
                self.collect_resources(&f.output, &mut out, &mut BTreeSet::new());
            }
        }
        out
    }

    fn collect_resources(&self, ty: &Ty, out: &mut BTreeSet<String>, seen: &mut BTreeSet<String>) {
        let mut named = Vec::new();
        collect_named(ty, &mut named);
        for n in named {
            match n.kind {
                NamedKind::Resource => {
                    out.insert(n.rust.clone());
                }
                NamedKind::Record | NamedKind::Variant if seen.insert(n.rust.clone()) => {
                    let id = self.id_of(n);
                    for field in id
                        .and_then(|id| self.data_fields(&id).ok())
                        .unwrap_or_default()
                    {
                        self.collect_resources(&field, out, seen);
                    }
                }
                _ => {}
            }
        }
    }

    /// One pass over record, variant and snapshot fields; whether anything
    /// changed.
    fn check_fields(&mut self) -> bool {
        let mut any = false;
        loop {
            let mut changed = false;
            for i in 0..self.types.len() {
                let Decided::Kind(kind) = self.types[i].decided else {
                    continue;
                };
                if kind == NamedKind::Snapshot {
                    if self.accessors(&self.types[i].id.clone()).is_empty() {
                        self.types[i].decided = Decided::Skipped(
                            "borrows data and has no accessors to copy out".into(),
                        );
                        changed = true;
                    }
                    continue;
                }
                if !matches!(kind, NamedKind::Record | NamedKind::Variant) {
                    continue;
                }
                if let Err(reason) = self.data_fields(&self.types[i].id.clone()) {
                    // Data that cannot cross stays in the component: the
                    // value becomes opaque (an error type is skipped), and
                    // an enum with lifetimes keeps borrowing.
                    let id = self.types[i].id;
                    let lifetimes = self.lifetime_params(&id);
                    self.types[i].decided = match self.opaque_kind(&id) {
                        _ if matches!(kind, NamedKind::Variant | NamedKind::Record)
                            && !lifetimes.is_empty()
                            && !self.is_defaulted_record(&id) =>
                        {
                            Decided::Skipped(format!(
                                "borrows data (lifetime parameter `{}`): {reason}",
                                lifetimes[0]
                            ))
                        }
                        Decided::Skipped(_) => Decided::Skipped(reason),
                        opaque => opaque,
                    };
                    changed = true;
                }
            }
            if !changed {
                return any;
            }
            any = true;
        }
    }

    /// The field types of a record or variant, mapped, each able to cross
    /// the boundary both ways.
    fn data_fields(&self, id: &Id) -> Result<Vec<Ty>, String> {
        if self.is_defaulted_record(id) {
            let (kept, _) = self.crossing_fields(id);
            if kept.is_empty() {
                return Err("no field can cross the boundary".into());
            }
            return Ok(kept.into_iter().map(|(_, ty)| ty).collect());
        }
        let mut out = Vec::new();
        let results_only_ok = self.results_only_variant(id);
        for (name, ty) in self.field_types(id)? {
            let liftable = self.liftable(&ty) || (results_only_ok && holds_snapshot(&ty));
            if !liftable || !self.lowerable(&ty) {
                return Err(format!(
                    "field `{name}` cannot cross the boundary both ways"
                ));
            }
            if contains_ref(&ty) {
                return Err(format!("field `{name}` borrows data"));
            }
            out.push(ty);
        }
        Ok(out)
    }

    /// Whether type `id` is an enum with lifetimes, which may hold records
    /// copied from accessors (`Entry<'a>` of `OccupiedEntry<'a>` and
    /// `VacantEntry<'a>`): a variant that only leaves the component.
    fn results_only_variant(&self, id: &Id) -> bool {
        matches!(
            self.type_item(id).map(|i| &i.inner),
            Some(ItemEnum::Enum(_))
        ) && !self.lifetime_params(id).is_empty()
    }

    /// The field types of a record or variant (a snapshot's accessors),
    /// mapped, by field name.
    fn field_types(&self, id: &Id) -> Result<Vec<(String, Ty)>, String> {
        if self.types[self.type_index[id]].decided == Decided::Kind(NamedKind::Snapshot) {
            return Ok(self.accessors(id));
        }
        let item = self.type_item(id).expect("type exists");
        let mut out = Vec::new();
        let mut field_ids: Vec<&Id> = Vec::new();
        match &item.inner {
            ItemEnum::Struct(s) => match &s.kind {
                StructKind::Plain { fields, .. } => field_ids.extend(fields),
                StructKind::Tuple(fields) => field_ids.extend(fields.iter().flatten()),
                StructKind::Unit => {}
            },
            ItemEnum::Enum(e) => {
                for v in &e.variants {
                    if let Some(ItemEnum::Variant(var)) = self.item(v).map(|i| &i.inner) {
                        match &var.kind {
                            VariantKind::Plain => {}
                            VariantKind::Tuple(f) => {
                                if f.iter().any(Option::is_none) {
                                    return Err("a variant has private fields".into());
                                }
                                field_ids.extend(f.iter().flatten());
                            }
                            VariantKind::Struct {
                                fields,
                                has_stripped_fields,
                            } => {
                                if *has_stripped_fields {
                                    return Err("a variant has private fields".into());
                                }
                                field_ids.extend(fields);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        for f in field_ids {
            let field = self.item(f).expect("field exists");
            let ItemEnum::StructField(ty) = &field.inner else {
                continue;
            };
            let name = field.name.clone().unwrap_or_default();
            let ty = self
                .ty(ty, &self.scope_of(id))
                .map_err(|r| format!("field `{name}`: {r}"))?;
            out.push((name, ty));
        }
        Ok(out)
    }

    fn reaches(&self, from: &Id, target: &Id, seen: &mut BTreeSet<Id>) -> bool {
        if !seen.insert(*from) {
            return false;
        }
        // The types as mapped, whether or not they can cross: a variant
        // that holds itself cannot be built as one (a `#[non_exhaustive]`
        // case), yet contains itself all the same.
        let Ok(fields) = self.field_types(from) else {
            return false;
        };
        let mut named = Vec::new();
        for (_, ty) in &fields {
            collect_named(ty, &mut named);
        }
        named.iter().any(|n| {
            let id = self.id_of(n);
            match id {
                Some(id) if &id == target => true,
                Some(id)
                    if matches!(
                        n.kind,
                        NamedKind::Record | NamedKind::Variant | NamedKind::Snapshot
                    ) =>
                {
                    self.reaches(&id, target, seen)
                }
                _ => false,
            }
        })
    }

    // ---- type expressions --------------------------------------------------

    fn named(&self, id: &Id) -> Result<Named, String> {
        let entry = &self.types[self.type_index[id]];
        match &entry.decided {
            Decided::Kind(kind) => Ok(Named {
                interface: self.modules[entry.module].wit.clone(),
                wit: entry.wit.clone(),
                rust: entry.path.clone(),
                kind: *kind,
            }),
            Decided::Iter(_) => Err(format!("iterator `{}` used as a value", entry.path)),
            Decided::Skipped(reason) => Err(format!("`{}` is not mapped ({reason})", entry.path)),
        }
    }

    /// Maps a Rust type; `sc` resolves `Self` and generic parameters.
    fn ty(&self, ty: &Type, sc: &Scope) -> Result<Ty, String> {
        let mapped = self.ty_parts(ty, sc)?;
        if unit_inside(&mapped) {
            // `tuple<>` is no WIT type: `Option<()>`, `Vec<()>`, `((), u8)`.
            return Err("`()` inside another type has no WIT form".into());
        }
        Ok(mapped)
    }

    fn ty_parts(&self, ty: &Type, sc: &Scope) -> Result<Ty, String> {
        match ty {
            Type::Primitive(p) => prim(p),
            Type::Tuple(items) if items.is_empty() => Ok(Ty::Unit),
            Type::Tuple(items) => items
                .iter()
                .map(|t| self.ty(t, sc))
                .collect::<Result<_, _>>()
                .map(Ty::Tuple),
            Type::Array { type_, len } => Ok(Ty::List(
                Box::new(self.ty(type_, sc)?),
                ListKind::Array(len.clone()),
            )),
            Type::Slice(_) => Err("unsized slice".into()),
            // `add_template(&mut self, source: &'source str)` of a resource
            // over `'static`: the guest keeps the string.
            Type::BorrowedRef {
                is_mutable: false,
                type_,
                lifetime: Some(lifetime),
            } if sc
                .owner
                .is_some_and(|o| self.kept_lifetimes(&o).contains(lifetime)) =>
            {
                match &**type_ {
                    Type::Primitive(p) if p == "str" => Ok(Ty::Str(StrKind::Kept)),
                    Type::Slice(t) => Ok(Ty::List(Box::new(self.ty(t, sc)?), ListKind::Kept)),
                    _ => self.borrowed(false, type_, sc),
                }
            }
            Type::BorrowedRef {
                is_mutable, type_, ..
            } => self.borrowed(*is_mutable, type_, sc),
            Type::Generic(g) if g == "Self" => match (&sc.owner, &sc.self_type) {
                (Some(id), _) => self.named(id).map(Ty::Named),
                (None, Some(t)) => self.ty(t, sc),
                (None, None) => Err("`Self` outside an impl".into()),
            },
            Type::Generic(g) => sc
                .subst
                .get(g)
                .cloned()
                .ok_or_else(|| format!("generic parameter `{g}`")),
            Type::ResolvedPath(p) => self.resolved(p, sc),
            Type::ImplTrait(bounds) => self.obvious(bounds, sc),
            Type::DynTrait(_) => Err("trait object".into()),
            Type::FunctionPointer(_) => Err("function pointer".into()),
            Type::RawPointer { .. } => Err("raw pointer".into()),
            Type::QualifiedPath {
                name,
                self_type,
                trait_: Some(trait_),
                ..
            } if name == "Owned"
                && self.std_path(&trait_.id).as_deref() == Some("alloc::borrow::ToOwned") =>
            {
                self.owned(self_type, sc)
            }
            Type::QualifiedPath { .. } => Err("associated type".into()),
            Type::Infer | Type::Pat { .. } => Err("type not expressible".into()),
        }
    }

    /// Maps a result type: `impl Iterator<Item = T>` is collected into a
    /// list and `impl Display` is sent as its string.
    fn output_ty(&self, ty: &Type, sc: &Scope) -> Result<Ty, String> {
        // `Box<dyn Iterator<Item = T> + '_>` (often behind an alias, toml_edit's
        // `Iter<'a>`): collected like `impl Iterator`.
        if let Some(item) = self.boxed_iterator_item(ty) {
            let item = self
                .ty(&item, sc)
                .map_err(|r| format!("iterator item: {r}"))?;
            return Ok(iterator_of(item));
        }
        let Type::ImplTrait(bounds) = ty else {
            return self.ty(ty, sc);
        };
        let std_path = |id: &Id| self.std_path(id);
        if let Some(item) = generics::iterator_item(bounds, std_path) {
            let item = self
                .ty(item, sc)
                .map_err(|r| format!("iterator item: {r}"))?;
            return Ok(iterator_of(item));
        }
        if generics::is_display(bounds, std_path) {
            return Ok(Ty::Str(StrKind::Display));
        }
        Err("`impl Trait` result that is neither an iterator nor `Display`".into())
    }

    /// The item type of `Box<dyn Iterator<Item = T>>`, seen through aliases
    /// without parameters of their own.
    fn boxed_iterator_item(&self, ty: &Type) -> Option<Type> {
        let Type::ResolvedPath(p) = ty else {
            return None;
        };
        if let Some(ItemEnum::TypeAlias(alias)) = self.item(&p.id).map(|i| &i.inner) {
            if alias
                .generics
                .params
                .iter()
                .any(|g| !matches!(g.kind, GenericParamDefKind::Lifetime { .. }))
            {
                return None;
            }
            return self.boxed_iterator_item(&alias.type_);
        }
        if self.std_path(&p.id).as_deref() != Some("alloc::boxed::Box") {
            return None;
        }
        let Some(Type::DynTrait(dt)) = type_args(p).first() else {
            return None;
        };
        let bounds: Vec<GenericBound> = dt
            .traits
            .iter()
            .map(|poly| GenericBound::TraitBound {
                trait_: poly.trait_.clone(),
                generic_params: poly.generic_params.clone(),
                modifier: rustdoc_types::TraitBoundModifier::None,
            })
            .collect();
        generics::iterator_item(&bounds, |id| self.std_path(id)).cloned()
    }

    /// `<T as ToOwned>::Owned`: `String` for `str`, `Vec<T>` for `[T]`, else `T`.
    fn owned(&self, ty: &Type, sc: &Scope) -> Result<Ty, String> {
        match (ty, &sc.self_type) {
            (Type::Generic(g), Some(t)) if g == "Self" => self.owned(&t.clone(), sc),
            (Type::Primitive(p), _) if p == "str" => Ok(Ty::Str(StrKind::String)),
            (Type::Slice(t), _) => Ok(Ty::List(Box::new(self.ty(t, sc)?), ListKind::Vec)),
            (other, _) => self.ty(other, sc),
        }
    }

    fn borrowed(&self, mutable: bool, inner: &Type, sc: &Scope) -> Result<Ty, String> {
        if let (Type::Generic(g), None, Some(t)) = (inner, &sc.owner, &sc.self_type)
            && g == "Self"
        {
            return self.borrowed(mutable, &t.clone(), sc);
        }
        match inner {
            // `&dyn Dialect`: one of the crate's unit structs.
            Type::DynTrait(dt) if !mutable => {
                let named = dt
                    .traits
                    .iter()
                    .find_map(|poly| {
                        let &index = self.type_index.get(&poly.trait_.id)?;
                        self.types[index]
                            .path
                            .starts_with("dyn ")
                            .then(|| self.named(&poly.trait_.id).ok())
                            .flatten()
                    })
                    .ok_or("trait object of a trait without public unit-struct implementations")?;
                Ok(Ty::Ref {
                    mutable: false,
                    inner: Box::new(Ty::Named(named)),
                })
            }
            Type::Primitive(p) if p == "str" => {
                if mutable {
                    Err("`&mut str`".into())
                } else {
                    Ok(Ty::Str(StrKind::Ref))
                }
            }
            // `&mut [T]` (a buffer to fill): the guest passes its own
            // `Vec`, which comes back, its length the caller's.
            Type::Slice(t) if mutable => Ok(Ty::Ref {
                mutable: true,
                inner: Box::new(Ty::List(Box::new(self.ty(t, sc)?), ListKind::Vec)),
            }),
            Type::Slice(t) => Ok(Ty::List(Box::new(self.ty(t, sc)?), ListKind::Slice)),
            Type::ResolvedPath(p)
                if !mutable && self.std_path(&p.id).as_deref() == Some("std::path::Path") =>
            {
                Ok(Ty::Str(StrKind::PathRef))
            }
            other => {
                let inner = self.ty(other, sc)?;
                if matches!(inner, Ty::Ref { .. }) {
                    return Err("reference to a reference".into());
                }
                Ok(Ty::Ref {
                    mutable,
                    inner: Box::new(inner),
                })
            }
        }
    }

    /// `<crate>::operation::…::<Op>Output` of a Smithy (AWS SDK) crate:
    /// an output shape, with a `builder()`.
    fn is_smithy_output(&self, id: &Id) -> bool {
        let Some(summary) = self.krate.paths.get(id) else {
            return false;
        };
        // Defined in a private module of the operation's module
        // (`operation::assume_role::_assume_role_output::AssumeRoleOutput`).
        matches!(
            summary.path.as_slice(),
            [krate, operation, .., name] if *krate == self.rust_name
                && operation == "operation"
                && name.ends_with("Output")
        ) && self
            .inherent_fns(id)
            .iter()
            .any(|f| f.name.as_deref() == Some("builder"))
    }

    /// `<crate>::types::error::…` of a Smithy (AWS SDK) crate: an error
    /// the service's model declares (`ExpiredTokenException`), with a
    /// `builder()`.
    fn is_smithy_error(&self, id: &Id) -> bool {
        let Some(summary) = self.krate.paths.get(id) else {
            return false;
        };
        // Defined in a private module (`types::error::_expired_token_exception`).
        matches!(
            summary.path.as_slice(),
            [krate, types, error, ..] if *krate == self.rust_name && types == "types" && error == "error"
        ) && self.traits_of(id).contains("core::error::Error")
            && self
                .inherent_fns(id)
                .iter()
                .any(|f| f.name.as_deref() == Some("builder"))
    }

    /// `aws_smithy_runtime_api`'s `SdkError<E, R>`, the error of every
    /// Smithy (AWS SDK) operation.
    fn is_sdk_error(&self, ty: &Type) -> bool {
        let Type::ResolvedPath(p) = ty else {
            return false;
        };
        self.std_path(&p.id).as_deref() == Some("aws_smithy_runtime_api::client::result::SdkError")
    }

    fn std_path(&self, id: &Id) -> Option<String> {
        self.krate.paths.get(id).map(|s| s.path.join("::"))
    }

    fn resolved(&self, p: &rustdoc_types::Path, sc: &Scope) -> Result<Ty, String> {
        // Smithy's primitives, wherever a crate re-exports them from, and
        // the value of a Smithy enum's `Unknown` case.
        let std_path = self.std_path(&p.id);
        if std_path
            .as_deref()
            .is_some_and(|path| path.ends_with("::sealed_enum_unknown::UnknownVariantValue"))
        {
            return Ok(Ty::Std(StdTy::SdkUnknown));
        }
        if let Some(name) = std_path
            .as_deref()
            .and_then(|path| path.strip_prefix("aws_smithy_types::"))
        {
            match name.rsplit("::").next() {
                Some("DateTime") => return Ok(Ty::Std(StdTy::SdkDateTime)),
                Some("Blob") => return Ok(Ty::Std(StdTy::SdkBlob)),
                Some("ByteStream") => return Ok(Ty::Std(StdTy::SdkByteStream)),
                Some("Document") => return Ok(Ty::Std(StdTy::SdkDocument)),
                _ => {}
            }
        }
        if let Some(alias) = self.instance_for(p, sc) {
            return self.named(&alias).map(Ty::Named);
        }
        // A string type of the crate, or a well-known one of another crate.
        if std_path.as_deref() == Some("smartstring::SmartString")
            || (self.type_index.contains_key(&p.id) && self.string_like(&p.id))
        {
            return Ok(Ty::Str(StrKind::Into));
        }
        if let Some(&index) = self.type_index.get(&p.id) {
            if let Decided::Iter(item) = &self.types[index].decided {
                let item = self
                    .ty(item, &Scope::of(&p.id))
                    .map_err(|r| format!("iterator item: {r}"))?;
                return Ok(iterator_of(item));
            }
            if matches!(self.types[index].decided, Decided::Skipped(_))
                && let Some(list) = self.collection(p, sc)
            {
                return list;
            }
            // `Reader<R>` where `R` is the bytes' cursor; not `Reader<File>`.
            if let Some(io) = &self.types[index].io {
                let args: Vec<Ty> = type_args(p)
                    .into_iter()
                    .map(|a| self.ty(a, sc))
                    .collect::<Result<_, _>>()?;
                if args != io.iter().map(|i| i.ty()).collect::<Vec<_>>() {
                    return Err(format!(
                        "only `{}` (over bytes) is mapped",
                        self.types[index].path
                    ));
                }
            }
            return self.named(&p.id).map(Ty::Named);
        }
        if let Some(Item {
            inner: ItemEnum::TypeAlias(alias),
            ..
        }) = self.item(&p.id)
        {
            if alias.generics.params.is_empty() {
                return self.ty(&alias.type_, sc);
            }
            return self.generic_alias(alias, p, sc);
        }
        let args = type_args(p);
        let arg = |i: usize| -> Result<Ty, String> {
            args.get(i)
                .map(|t| self.ty(t, sc))
                .unwrap_or_else(|| Err(format!("`{}` without type arguments", p.path)))
        };
        let full = self.std_path(&p.id).unwrap_or_else(|| p.path.clone());
        match full.as_str() {
            "alloc::string::String" => Ok(Ty::Str(StrKind::String)),
            "std::path::PathBuf" => Ok(Ty::Str(StrKind::PathBuf)),
            "alloc::vec::Vec" => Ok(Ty::List(Box::new(arg(0)?), ListKind::Vec)),
            // Arrays sized by a type (`typenum`): the RustCrypto crates'
            // digests and keys. They leave the component as lists; built
            // from one (a `&mut` buffer, a key), the length is checked when
            // the guest builds it (`hybrid_array`'s `TryFrom<&[T]>`).
            "hybrid_array::Array" => Ok(Ty::List(Box::new(arg(0)?), ListKind::Sized)),
            "generic_array::GenericArray" => Ok(Ty::List(Box::new(arg(0)?), ListKind::Iter)),
            "crypto_common::Output" | "digest::Output" | "crypto_common::Key" => {
                Ok(Ty::List(Box::new(Ty::Prim("u8".into())), ListKind::Sized))
            }
            "alloc::collections::vec_deque::VecDeque" => {
                Ok(Ty::List(Box::new(arg(0)?), ListKind::VecDeque))
            }
            "core::option::Option" => match arg(0)? {
                Ty::Unit => Ok(Ty::Std(StdTy::Present)),
                some => Ok(Ty::Option(Box::new(some))),
            },
            "core::fmt::Result" => Ok(Ty::Result(Box::new(Ty::Unit))),
            // The flags set in a `bitflags` value (`Options::iter()`), and
            // with their names (`iter_names()`): collected.
            "bitflags::iter::Iter" => Ok(Ty::List(Box::new(arg(0)?), ListKind::Iter)),
            "bitflags::iter::IterNames" => Ok(Ty::List(
                Box::new(Ty::Tuple(vec![Ty::Str(StrKind::Ref), arg(0)?])),
                ListKind::Iter,
            )),
            "core::ops::range::Range" | "core::ops::range::RangeInclusive" => match args.first() {
                Some(Type::Primitive(item)) if item != "str" && item != "bool" => {
                    Ok(Ty::Std(StdTy::Range {
                        item: item.clone(),
                        inclusive: full.ends_with("Inclusive"),
                    }))
                }
                _ => Err(format!("`{}` of a type other than a number", p.path)),
            },
            "core::result::Result" | "std::io::error::Result" => {
                let ok = Box::new(arg(0)?);
                if args.get(1).is_some_and(|e| self.is_sdk_error(e)) {
                    Ok(Ty::SdkResult(ok, Box::new(Ty::Std(StdTy::SdkError))))
                } else {
                    Ok(Ty::Result(ok))
                }
            }
            "alloc::borrow::Cow" => match args.first() {
                Some(Type::Primitive(s)) if s == "str" => Ok(Ty::Str(StrKind::Cow)),
                Some(Type::Slice(t)) => Ok(Ty::List(Box::new(self.ty(t, sc)?), ListKind::Cow)),
                _ => Err("`Cow` of a type other than `str` or a slice".into()),
            },
            "alloc::boxed::Box" => match args.first() {
                Some(Type::Primitive(s)) if s == "str" => Ok(Ty::Str(StrKind::Boxed)),
                Some(Type::Slice(t)) => {
                    Ok(Ty::List(Box::new(self.ty(t, sc)?), ListKind::BoxedSlice))
                }
                _ => {
                    let inner = arg(0)?;
                    if matches!(
                        inner,
                        Ty::Named(Named {
                            kind: NamedKind::Resource,
                            ..
                        })
                    ) {
                        return Err("`Box` of a resource".into());
                    }
                    Ok(Ty::Boxed(Pointer::Box, Box::new(inner)))
                }
            },
            "alloc::rc::Rc" | "alloc::sync::Arc" => {
                let pointer = if full == "alloc::rc::Rc" {
                    Pointer::Rc
                } else {
                    Pointer::Arc
                };
                match args.first() {
                    Some(Type::Primitive(s)) if s == "str" => {
                        Ok(Ty::Str(if pointer == Pointer::Rc {
                            StrKind::Rc
                        } else {
                            StrKind::Arc
                        }))
                    }
                    _ => {
                        let inner = arg(0)?;
                        if matches!(&inner, Ty::Named(n) if n.kind == NamedKind::Resource) {
                            return Err(format!("`{}` of a resource", p.path));
                        }
                        Ok(Ty::Boxed(pointer, Box::new(inner)))
                    }
                }
            }
            "std::collections::hash::map::HashMap" | "alloc::collections::btree::map::BTreeMap" => {
                let kind = if full.ends_with("HashMap") {
                    ListKind::HashMap
                } else {
                    ListKind::BTreeMap
                };
                Ok(Ty::List(Box::new(Ty::Tuple(vec![arg(0)?, arg(1)?])), kind))
            }
            "std::collections::hash::set::HashSet" => {
                Ok(Ty::List(Box::new(arg(0)?), ListKind::HashSet))
            }
            "alloc::collections::btree::set::BTreeSet" => {
                Ok(Ty::List(Box::new(arg(0)?), ListKind::BTreeSet))
            }
            "core::cmp::Ordering" => Ok(Ty::Std(StdTy::Ordering)),
            "core::time::Duration" => Ok(Ty::Std(StdTy::Duration)),
            "std::time::SystemTime" => Ok(Ty::Std(StdTy::SystemTime)),
            "core::net::ip_addr::IpAddr"
            | "core::net::ip_addr::Ipv4Addr"
            | "core::net::ip_addr::Ipv6Addr"
            | "core::net::socket_addr::SocketAddr"
            | "core::net::socket_addr::SocketAddrV4"
            | "core::net::socket_addr::SocketAddrV6" => Ok(Ty::Std(StdTy::Addr(format!(
                "std::net::{}",
                full.rsplit("::").next().unwrap_or_default()
            )))),
            "core::num::nonzero::NonZero" => match args.first() {
                Some(Type::Primitive(p)) if !matches!(p.as_str(), "u128" | "i128") => {
                    Ok(Ty::Std(StdTy::NonZero(p.clone())))
                }
                _ => Err("`NonZero` of a type without a WIT form".into()),
            },
            nz if nz.starts_with("core::num::nonzero::NonZero") => {
                let prim = nz
                    .trim_start_matches("core::num::nonzero::NonZero")
                    .to_lowercase();
                match prim.as_str() {
                    "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" => {
                        Ok(Ty::Std(StdTy::NonZero(prim)))
                    }
                    _ => Err(format!("type `{full}` is not mappable")),
                }
            }
            _ => Err(format!("type `{full}` is not mappable")),
        }
    }

    /// A generic collection type of the crate used with concrete arguments
    /// (`toml::map::Map<String, Value>`): it travels as the list of the
    /// items it iterates over, and is collected back when it implements
    /// `FromIterator`.
    fn collection(&self, p: &rustdoc_types::Path, sc: &Scope) -> Option<Result<Ty, String>> {
        let args = type_args(p);
        let entry = &self.types[self.type_index[&p.id]];
        let params = type_params(self.generics_of(&p.id)?).count();
        // An owned collection (`IntoIterator` for itself), or an iterator
        // type with type parameters (`toml::map::Keys<'a, K, V>`).
        let (trait_path, imp) = self.trait_impls(&p.id).find(|(path, _)| {
            path == "core::iter::traits::collect::IntoIterator"
                || path == "core::iter::traits::iterator::Iterator"
        })?;
        let Type::ResolvedPath(for_) = &imp.for_ else {
            return None;
        };
        let item = self.assoc_type(imp, "Item")?;
        let mut scope = Scope::default();
        for (i, a) in type_args(for_).into_iter().enumerate() {
            if let (Type::Generic(g), Some(arg)) = (a, args.get(i)) {
                match self.ty(arg, sc) {
                    Ok(t) => scope.subst.insert(g.clone(), t),
                    Err(e) => return Some(Err(e)),
                };
            }
        }
        let kind = if trait_path == "core::iter::traits::iterator::Iterator" {
            ListKind::Iter
        } else {
            ListKind::Collection {
                path: entry.path.clone(),
                params,
                from_iter: self.implements(&p.id, "core::iter::traits::collect::FromIterator"),
            }
        };
        Some(
            self.ty(item, &scope)
                .map_err(|r| format!("item of `{}`: {r}", entry.path))
                .map(|item| Ty::List(Box::new(item), kind)),
        )
    }

    /// Whether a value of `ty` can be built from its WIT form (parameters).
    fn liftable(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Unit
            | Ty::Result(_)
            | Ty::SdkResult(..)
            | Ty::Str(StrKind::Display | StrKind::Chars) => false,
            Ty::Prim(_) | Ty::Size { .. } | Ty::Str(_) | Ty::Std(_) => true,
            Ty::List(_, ListKind::Iter)
            | Ty::List(
                _,
                ListKind::Collection {
                    from_iter: false, ..
                },
            ) => false,
            // `Option<&str>`, `Option<&[T]>`, `Option<&T>`: the guest holds
            // the owned value and passes a view of it.
            ty if nested_view(ty) => self.view_liftable(ty),
            Ty::Option(t) if option_view(t) => match &**t {
                Ty::Ref { inner, .. } | Ty::List(inner, _) => {
                    !contains_ref(inner) && self.liftable(inner)
                }
                _ => true,
            },
            Ty::List(t, _) | Ty::Option(t) | Ty::Boxed(_, t) => {
                !contains_ref(t) && self.liftable(t)
            }
            Ty::Tuple(ts) => ts.iter().all(|t| !contains_ref(t) && self.liftable(t)),
            Ty::Ref { inner, .. } => self.liftable(inner),
            Ty::Named(n) => self.named_liftable(n),
        }
    }

    /// Whether the owned parts of a [`nested_view`] parameter can be built.
    fn view_liftable(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Str(StrKind::Ref) => true,
            Ty::Ref { inner, .. } => self.liftable(inner),
            Ty::Tuple(ts) => ts.iter().all(|t| self.view_liftable(t)),
            Ty::Option(t) | Ty::List(t, _) if contains_ref(t) => self.view_liftable(t),
            other => self.liftable(other),
        }
    }

    /// The rustdoc id of a mapped type.
    fn id_of(&self, n: &Named) -> Option<Id> {
        self.types.iter().find(|t| t.path == n.rust).map(|t| t.id)
    }

    fn named_liftable(&self, n: &Named) -> bool {
        let Some(id) = self.id_of(n) else {
            return !matches!(
                n.kind,
                NamedKind::Record | NamedKind::Variant | NamedKind::Snapshot
            );
        };
        match n.kind {
            // A `#[non_exhaustive]` struct is built from its `Default`, or
            // through its builder.
            NamedKind::Record => {
                let item = self.type_item(&id).expect("type exists");
                !item.attrs.contains(&Attribute::NonExhaustive)
                    || self.implements(&id, "core::default::Default")
                    || self.builder_rule(&id).is_some()
            }
            // Variants of a `#[non_exhaustive]` enum can be built; a
            // `#[non_exhaustive]` variant cannot.
            NamedKind::Variant => match self.type_item(&id).map(|i| &i.inner) {
                Some(ItemEnum::Enum(e)) => {
                    let open_case = e.variants.iter().any(|v| {
                        self.item(v)
                            .is_some_and(|v| v.attrs.contains(&Attribute::NonExhaustive))
                    });
                    // A variant of copied records only leaves the component.
                    let results_only = self.results_only_variant(&id)
                        && self
                            .field_types(&id)
                            .is_ok_and(|fields| fields.iter().any(|(_, t)| holds_snapshot(t)));
                    !open_case && !results_only
                }
                _ => true,
            },
            NamedKind::Snapshot => false,
            _ => true,
        }
    }

    /// Whether a value of `ty` can be turned into its WIT form (results).
    fn lowerable(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Unit | Ty::Prim(_) | Ty::Size { .. } | Ty::Str(_) | Ty::Std(_) => true,
            Ty::List(t, kind) => {
                self.lowerable(t)
                    && (!matches!(kind, ListKind::Slice | ListKind::Array(_)) || self.cloneable(t))
            }
            Ty::Boxed(Pointer::Rc | Pointer::Arc, t) => self.lowerable(t) && self.cloneable(t),
            Ty::Option(t) | Ty::Result(t) | Ty::Boxed(_, t) => self.lowerable(t),
            Ty::SdkResult(ok, err) => self.lowerable(ok) && self.lowerable(err),
            Ty::Tuple(ts) => ts.iter().all(|t| self.lowerable(t)),
            Ty::Ref { inner, .. } => self.lowerable(inner) && self.cloneable(inner),
            Ty::Named(_) => true,
        }
    }

    fn cloneable(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Named(n) => self
                .id_of(n)
                .is_some_and(|id| self.implements(&id, "core::clone::Clone")),
            Ty::Ref { .. } => true,
            Ty::List(t, ListKind::Collection { path, .. }) => {
                self.cloneable(t)
                    && self
                        .types
                        .iter()
                        .find(|e| &e.path == path)
                        .is_some_and(|e| self.implements(&e.id, "core::clone::Clone"))
            }
            Ty::List(t, _) | Ty::Option(t) | Ty::Result(t) | Ty::Boxed(_, t) => self.cloneable(t),
            Ty::SdkResult(ok, err) => self.cloneable(ok) && self.cloneable(err),
            Ty::Tuple(ts) => ts.iter().all(|t| self.cloneable(t)),
            _ => true,
        }
    }

    // ---- building the model ------------------------------------------------

    fn build(&mut self, package: &str, version: &str) -> Api {
        let mut interfaces: Vec<Interface> = self
            .modules
            .iter()
            .map(|m| Interface {
                name: m.wit.clone(),
                rust_module: m.rust.clone(),
                types: vec![],
                functions: vec![],
            })
            .collect();
        let mut namespaces: Vec<Namespace> =
            self.modules.iter().map(|_| Namespace::default()).collect();
        // Methods of the crate's own string types (`CowStr::into_string`),
        // exported as functions taking the string, after the other names.
        let mut string_fns: Vec<(usize, Id, String, Id, String)> = Vec::new();
        // Types first, so their names win over function names.
        for i in 0..self.types.len() {
            let module = self.types[i].module;
            let path = self.types[i].path.clone();
            let kind_word = match self.item(&self.types[i].id).map(|i| &i.inner) {
                Some(ItemEnum::Enum(_)) => "enum",
                Some(ItemEnum::TypeAlias(_)) => "type alias",
                Some(ItemEnum::Trait(_)) => "trait",
                _ => "struct",
            };
            match self.types[i].decided.clone() {
                Decided::Skipped(_) if self.instances_of(&self.types[i].id).next().is_some() => {
                    // Its functions are listed under the instance.
                    let aliases: Vec<String> = self
                        .instances_of(&self.types[i].id)
                        .map(|t| format!("`{}`", t.path))
                        .collect();
                    self.mapped(
                        path,
                        kind_word,
                        format!("instantiated as {}", aliases.join(", ")),
                    );
                }
                Decided::Skipped(_) if self.string_like(&self.types[i].id) => {
                    for f in self.inherent_fns(&self.types[i].id) {
                        let name = f.name.as_deref().unwrap_or("");
                        string_fns.push((
                            module,
                            f.id,
                            format!("{path}::{name}"),
                            self.types[i].id,
                            self.types[i].wit.clone(),
                        ));
                    }
                    self.skip(path, kind_word, "a string type: it travels as `string`")
                }
                Decided::Skipped(reason) => {
                    // Its functions are public items too: list them.
                    for f in self.inherent_fns(&self.types[i].id) {
                        let name = f.name.as_deref().unwrap_or("");
                        let kind = if has_self(f) {
                            "method"
                        } else {
                            "associated function"
                        };
                        self.skip(
                            format!("{path}::{name}"),
                            kind,
                            format!("`{path}` is not mapped ({reason})"),
                        );
                    }
                    self.skip(path, kind_word, reason)
                }
                Decided::Kind(kind) => {
                    let wit = namespaces[module].claim(&self.types[i].wit);
                    self.types[i].wit = wit.clone();
                    // The report says which rule applied.
                    let form = match kind {
                        NamedKind::Record => "record",
                        NamedKind::Enum if self.types[i].path.starts_with("dyn ") => {
                            "enum: one of its unit-struct implementations, for `&dyn` parameters"
                        }
                        NamedKind::Enum => "enum",
                        NamedKind::Variant => "variant",
                        NamedKind::Resource => "resource",
                        NamedKind::Text if !self.has_text_form(&self.types[i].id) => {
                            "string: JSON text of its cases"
                        }
                        NamedKind::Text => "string: its Display and FromStr forms",
                        NamedKind::Seq => "list: what it iterates over, collected back",
                        NamedKind::Snapshot => "record of its accessors' values",
                    };
                    let full = format!("{}.{wit} ({form})", self.modules[module].wit);
                    self.mapped(path, kind_word, full);
                }
                Decided::Iter(_) => {
                    self.mapped(
                        path,
                        kind_word,
                        "list<…> (iterator, collected where returned)".into(),
                    );
                    for f in self.inherent_fns(&self.types[i].id) {
                        let fpath = format!(
                            "{}::{}",
                            self.types[i].path,
                            f.name.as_deref().unwrap_or("")
                        );
                        let kind = if has_self(f) {
                            "method"
                        } else {
                            "associated function"
                        };
                        self.skip(
                            fpath,
                            kind,
                            "method of an iterator type: the iterator is collected into a list",
                        );
                    }
                }
            }
        }
        for i in 0..self.types.len() {
            if let Decided::Kind(kind) = self.types[i].decided {
                let def = self.type_def(i, kind, &mut namespaces[self.types[i].module]);
                interfaces[self.types[i].module].types.extend(def);
                if kind == NamedKind::Record && self.is_defaulted_record(&self.types[i].id) {
                    let (_, left) = self.crossing_fields(&self.types[i].id);
                    // Without the `::<'static>` the record is made over.
                    let path = self.types[i]
                        .path
                        .split("::<")
                        .next()
                        .unwrap_or_default()
                        .to_string();
                    for (field, reason) in left {
                        self.skip(
                            format!("{path}::{field}"),
                            "field",
                            format!("left at its default when the record is built: {reason}"),
                        );
                    }
                }
            }
        }
        for i in 0..self.types.len() {
            if let Decided::Kind(kind) = self.types[i].decided {
                let module = self.types[i].module;
                let funcs = self.methods(i, kind, &mut namespaces[module]);
                interfaces[module].functions.extend(funcs);
            }
        }
        // Trait methods implemented for foreign types (`<str as
        // heck::ToKebabCase>::to_kebab_case`) take the names left over by
        // the crate's own functions and values, and come first in the WIT.
        let methods_end: Vec<usize> = interfaces.iter().map(|i| i.functions.len()).collect();
        for (module, id, path) in std::mem::take(&mut self.values) {
            let item = self.item(&id).expect("value exists");
            let kind = match item.inner {
                ItemEnum::Static(_) => "static",
                _ => "constant",
            };
            match self.value(item, None, &path) {
                Ok(f) => {
                    let wanted = kebab(item.name.as_deref().unwrap_or("v"));
                    let f =
                        self.export_free(f, module, &wanted, &mut namespaces[module], path, kind);
                    interfaces[module].functions.push(f);
                }
                Err(reason) => self.skip(path, kind, reason),
            }
        }
        for (module, id, path) in std::mem::take(&mut self.functions) {
            let item = self.item(&id).expect("function exists");
            let name = kebab(item.name.as_deref().unwrap_or("f"));
            match self.function(item, None, &path) {
                Ok(f) => {
                    let f = self.export_free(
                        f,
                        module,
                        &name,
                        &mut namespaces[module],
                        path,
                        "function",
                    );
                    interfaces[module].functions.push(f);
                }
                Err(reason) => match self.serde_instances(item, None, &path) {
                    // `from_str<T: DeserializeOwned>`: one per serde type.
                    Some(instances) => {
                        let mut names = Vec::new();
                        for (suffix, mut f) in instances {
                            f.wit = namespaces[module].claim(&suffixed(&name, &suffix));
                            names.push(format!("{}.{}", self.modules[module].wit, f.wit));
                            interfaces[module].functions.push(f);
                        }
                        self.mapped(path, "function", names.join(", "));
                    }
                    None => self.skip(path, "function", reason),
                },
            }
        }
        for (module, id, path, owner, type_wit) in string_fns {
            let item = self.item(&id).expect("function exists");
            let name = item.name.as_deref().unwrap_or("f");
            let kind = if has_self(item) {
                "method"
            } else {
                "associated function"
            };
            // `self` is an ordinary first parameter, a `string`.
            let scope = Scope {
                self_type: Some(Type::ResolvedPath(rustdoc_types::Path {
                    path: type_wit.clone(),
                    id: owner,
                    args: None,
                })),
                ..Scope::default()
            };
            match self.function_in(item, None, scope, &path) {
                Ok(f) => {
                    let wanted = kebab(&format!("{type_wit}_{name}"));
                    let f =
                        self.export_free(f, module, &wanted, &mut namespaces[module], path, kind);
                    interfaces[module].functions.push(f);
                }
                Err(reason) => self.skip(path, kind, reason),
            }
        }
        for t in 0..self.traits.len() {
            let module = self.traits[t].0;
            let funcs = self.foreign_impls(t, &mut namespaces[module]);
            let at = methods_end[module];
            interfaces[module].functions.splice(at..at, funcs);
        }
        interfaces.retain(|i| !i.types.is_empty() || !i.functions.is_empty());
        interfaces.sort_by(|a, b| a.name.cmp(&b.name));
        Api {
            rust_name: self.rust_name.clone(),
            package: package.into(),
            version: version.into(),
            interfaces,
            smithy: false,
        }
    }

    /// Names a free function of `module`'s interface (`wanted`, or a
    /// variant of it left free in `ns`) and reports `path` mapped to it.
    fn export_free(
        &mut self,
        mut f: Function,
        module: usize,
        wanted: &str,
        ns: &mut Namespace,
        path: String,
        kind: &str,
    ) -> Function {
        f.wit = ns.claim(wanted);
        self.mapped(
            path,
            kind,
            format!("{}.{}", self.modules[module].wit, f.wit),
        );
        f
    }

    /// The WIT definitions for type `i` (a variant may add generated records).
    fn type_def(&self, i: usize, kind: NamedKind, ns: &mut Namespace) -> Vec<TypeDef> {
        let entry = &self.types[i];
        let item = self.type_item(&entry.id).expect("type exists");
        let open = item.attrs.contains(&Attribute::NonExhaustive)
            || matches!(&item.inner, ItemEnum::Enum(e) if e.has_stripped_variants);
        let mut defs = Vec::new();
        let kind = match (&item.inner, kind) {
            (ItemEnum::Trait(_), NamedKind::Enum) => {
                let mut case_ns = Namespace::default();
                TypeKind::Implementors {
                    cases: self
                        .unit_implementors(&entry.id)
                        .into_iter()
                        .map(|(rust, name)| (case_ns.claim(&kebab(&name)), rust))
                        .collect(),
                }
            }
            (ItemEnum::Struct(s), NamedKind::Record) => {
                let (mut fields, tuple) = self.fields_of(&s.kind, &entry.id);
                // Fields that stay at their default are not in the record,
                // which is then built from the default value.
                let defaulted = self.is_defaulted_record(&entry.id);
                if defaulted {
                    let (kept, _) = self.crossing_fields(&entry.id);
                    fields.retain(|f| kept.iter().any(|(name, _)| *name == f.rust));
                }
                let open = open || defaulted;
                let from_default = open && self.implements(&entry.id, "core::default::Default");
                TypeKind::Record {
                    fields,
                    tuple,
                    synthetic: false,
                    open,
                    from_default,
                    from_builder: if open && !from_default {
                        self.builder_rule(&entry.id)
                    } else {
                        None
                    },
                }
            }
            (ItemEnum::Enum(e), NamedKind::Enum | NamedKind::Variant) => {
                let mut case_ns = Namespace::default();
                let mut cases = Vec::new();
                for v in &e.variants {
                    let var = self.item(v).expect("variant exists");
                    let ItemEnum::Variant(variant) = &var.inner else {
                        continue;
                    };
                    let rust = var.name.clone().unwrap_or_default();
                    let wit = case_ns.claim(&kebab(&rust));
                    let payload = match &variant.kind {
                        VariantKind::Plain => Payload::None,
                        VariantKind::Tuple(_) => {
                            let (fields, _) = self
                                .fields_of(&StructKind::Tuple(tuple_ids(&variant.kind)), &entry.id);
                            Payload::Tuple(fields.into_iter().map(|f| f.ty).collect())
                        }
                        VariantKind::Struct { fields, .. } if fields.is_empty() => Payload::Braces,
                        VariantKind::Struct { fields, .. } => {
                            let (fields, _) = self.fields_of(
                                &StructKind::Plain {
                                    fields: fields.clone(),
                                    has_stripped_fields: false,
                                },
                                &entry.id,
                            );
                            let record = ns.claim(&format!("{}-{wit}", entry.wit));
                            defs.push(TypeDef {
                                wit: record.clone(),
                                rust: format!("{}::{rust}", entry.path),
                                kind: TypeKind::Record {
                                    fields: fields.clone(),
                                    tuple: false,
                                    synthetic: true,
                                    open: false,
                                    from_default: false,
                                    from_builder: None,
                                },
                            });
                            Payload::Struct { record, fields }
                        }
                    };
                    cases.push(Case { wit, rust, payload });
                }
                // A Smithy enum's `Unknown(value)` case takes every value
                // the Rust enum gains later.
                let sdk_unknown = cases.iter().any(Case::is_sdk_unknown);
                let open = (open && !sdk_unknown).then(|| case_ns.claim("unknown"));
                if kind == NamedKind::Enum {
                    TypeKind::Enum { cases, open }
                } else {
                    TypeKind::Variant { cases, open }
                }
            }
            (_, NamedKind::Resource) => TypeKind::Resource,
            (ItemEnum::Struct(s), NamedKind::Snapshot) => {
                let mut field_ns = Namespace::default();
                let fields = self
                    .accessors(&entry.id)
                    .into_iter()
                    .map(|(method, ty)| Accessor {
                        wit: field_ns.claim(&kebab(&method)),
                        method,
                        ty,
                    })
                    .collect();
                TypeKind::Snapshot {
                    fields,
                    lifetimes: s.generics.params.len(),
                }
            }
            (ItemEnum::Enum(_), NamedKind::Text) if !self.has_text_form(&entry.id) => {
                TypeKind::Json {
                    cases: self.json_cases(&entry.id).expect("decided by json_cases"),
                    open,
                }
            }
            (_, NamedKind::Text) => TypeKind::Text,
            (_, NamedKind::Seq) => TypeKind::Seq {
                item: self.seq_item(&entry.id).expect("decided by seq_item"),
            },
            _ => unreachable!("kind decided from the item"),
        };
        defs.push(TypeDef {
            wit: entry.wit.clone(),
            rust: entry.path.clone(),
            kind,
        });
        defs
    }

    fn fields_of(&self, kind: &StructKind, owner: &Id) -> (Vec<Field>, bool) {
        let (ids, tuple): (Vec<Id>, bool) = match kind {
            StructKind::Plain { fields, .. } => (fields.clone(), false),
            StructKind::Tuple(f) => (f.iter().flatten().cloned().collect(), true),
            StructKind::Unit => (vec![], false),
        };
        let mut ns = Namespace::default();
        let fields = ids
            .iter()
            .enumerate()
            .filter_map(|(n, id)| {
                let item = self.item(id)?;
                let ItemEnum::StructField(ty) = &item.inner else {
                    return None;
                };
                let rust = if tuple {
                    n.to_string()
                } else {
                    item.name.clone().unwrap_or_default()
                };
                let wit = if tuple {
                    format!("f{n}")
                } else {
                    ns.claim(&kebab(&rust))
                };
                Some(Field {
                    wit,
                    rust,
                    ty: self.ty(ty, &self.scope_of(owner)).ok()?,
                })
            })
            .collect();
        (fields, tuple)
    }

    /// Inherent methods and exposed trait methods of type `i`.
    fn methods(&mut self, i: usize, kind: NamedKind, ns: &mut Namespace) -> Vec<Function> {
        if kind == NamedKind::Snapshot {
            self.report_snapshot_methods(i);
            return Vec::new();
        }
        let TypeRef {
            id,
            path: type_path,
            wit: type_wit,
            iface,
        } = self.type_ref(i);
        let mut method_ns = Namespace::default();
        // `[method]x.x` is the same component name as the resource `x`.
        method_ns.claim(&type_wit);
        let mut out = Vec::new();
        // A record built through its builder comes whole from WIT.
        let built_by_builder = kind == NamedKind::Record && self.builder_rule(&id).is_some();
        for impl_id in self.impls_of(&id) {
            let Some(ItemEnum::Impl(imp)) = self.item(impl_id).map(|i| &i.inner) else {
                continue;
            };
            if imp.trait_.is_some()
                || imp.is_synthetic
                || imp.blanket_impl.is_some()
                || !self.impl_applies(&id, imp)
            {
                continue;
            }
            for fid in &imp.items {
                let Some(item) = self.item(fid) else { continue };
                let is_const = matches!(item.inner, ItemEnum::AssocConst { .. });
                if !matches!(item.visibility, Visibility::Public)
                    || !(is_const || matches!(item.inner, ItemEnum::Function(_)))
                {
                    continue;
                }
                let name = item.name.clone().unwrap_or_default();
                let path = format!("{type_path}::{name}");
                if built_by_builder && name == "builder" {
                    self.skip(
                        path,
                        "associated function",
                        "the record is built from its WIT value (through this builder)",
                    );
                    continue;
                }
                let report_kind = if is_const {
                    "associated constant"
                } else if has_self(item) {
                    "method"
                } else {
                    "associated function"
                };
                let mapped = if is_const {
                    self.value(item, Some(&id), &path)
                } else {
                    self.function(item, Some((&id, kind)), &path)
                };
                match mapped {
                    Ok(mut f) => {
                        let wit = self.place(&mut f, kind, &type_wit, &name, ns, &mut method_ns);
                        self.mapped(path, report_kind, format!("{iface}.{wit}"));
                        out.push(f);
                    }
                    Err(reason) => match self.serde_instances(item, Some((&id, kind)), &path) {
                        // `render_str<S: Serialize>(&self, …, ctx: S)`.
                        Some(instances) if !is_const => {
                            let mut names = Vec::new();
                            for (suffix, mut f) in instances {
                                let name = suffixed(&name, &suffix);
                                let wit =
                                    self.place(&mut f, kind, &type_wit, &name, ns, &mut method_ns);
                                names.push(format!("{iface}.{wit}"));
                                out.push(f);
                            }
                            self.mapped(path, report_kind, names.join(", "));
                        }
                        _ => self.skip(path, report_kind, reason),
                    },
                }
            }
        }
        out.extend(self.own_trait_methods(i, kind, ns, &mut method_ns));
        out.extend(self.trait_methods(i, kind, ns, &mut method_ns));
        out
    }

    /// Accessors of a snapshot type are copied into its record; its other
    /// methods need the borrowed value and are skipped.
    fn report_snapshot_methods(&mut self, i: usize) {
        let id = self.types[i].id;
        let accessors: BTreeSet<String> = self.accessors(&id).into_iter().map(|(m, _)| m).collect();
        let record = format!(
            "{}.{}",
            self.modules[self.types[i].module].wit, self.types[i].wit
        );
        for f in self.inherent_fns(&id) {
            let name = f.name.clone().unwrap_or_default();
            let path = format!("{}::{name}", self.types[i].path);
            let kind = if has_self(f) {
                "method"
            } else {
                "associated function"
            };
            if accessors.contains(&name) {
                self.mapped(
                    path,
                    kind,
                    format!("{record}.{} (copied field)", kebab(&name)),
                );
            } else {
                self.skip(
                    path,
                    kind,
                    "needs the borrowed value: only accessors are copied into the record",
                );
            }
        }
    }

    /// Names a type's function and decides constructor / static / method, or
    /// a free `<type>-<name>` function for types that are not resources.
    fn place(
        &self,
        f: &mut Function,
        kind: NamedKind,
        type_wit: &str,
        name: &str,
        ns: &mut Namespace,
        method_ns: &mut Namespace,
    ) -> String {
        let is_method = f.params.first().is_some_and(|p| p.wit == "self");
        if kind != NamedKind::Resource {
            if is_method {
                f.params[0].wit = "this".into();
            }
            f.kind = FuncKind::Free;
            f.wit = ns.claim(&format!("{type_wit}-{}", kebab(name)));
            return f.wit.clone();
        }
        let returns_self =
            matches!(&f.output, Ty::Named(n) if n.wit == type_wit && n.kind == NamedKind::Resource);
        if !is_method && name == "new" && returns_self {
            f.kind = FuncKind::Constructor(type_wit.into());
            f.wit = "constructor".into();
            return format!("[constructor]{type_wit}");
        }
        f.wit = method_ns.claim(&kebab(name));
        if f.wit == "new" {
            // `[static]x.new` would collide with the constructor's Rust name.
            f.wit = method_ns.claim("create");
        }
        if is_method {
            f.kind = FuncKind::Method(type_wit.into());
            format!("[method]{type_wit}.{}", f.wit)
        } else {
            f.kind = FuncKind::Static(type_wit.into());
            format!("[static]{type_wit}.{}", f.wit)
        }
    }

    /// A constant or an immutable static, read by a function without
    /// parameters (WIT has no constants).
    fn value(&self, item: &Item, owner: Option<&Id>, path: &str) -> Result<Function, String> {
        let ty = match &item.inner {
            ItemEnum::Constant { type_, .. } | ItemEnum::AssocConst { type_, .. } => type_,
            ItemEnum::Static(s) if s.is_mutable || s.is_unsafe => {
                return Err("mutable or unsafe static".into());
            }
            ItemEnum::Static(s) => &s.type_,
            _ => return Err("not a constant".into()),
        };
        let scope = Scope {
            owner: owner.copied(),
            ..Scope::default()
        };
        let output = self.ty(ty, &scope).map_err(|r| format!("type: {r}"))?;
        if !self.lowerable(&output) {
            return Err("its type cannot be copied out".into());
        }
        Ok(Function {
            wit: String::new(),
            rust: path.into(),
            callee: raw_callee(path),
            kind: FuncKind::Free,
            params: Vec::new(),
            output,
            updates: Vec::new(),
            value: true,
            is_async: false,
        })
    }

    /// Maps a function's signature, or says why it cannot be.
    fn function(
        &self,
        item: &Item,
        owner: Option<(&Id, NamedKind)>,
        path: &str,
    ) -> Result<Function, String> {
        let scope = owner.map_or_else(Scope::default, |(id, _)| self.scope_of(id));
        self.function_in(item, owner, scope, path)
    }

    /// [`Mapper::function`] in a given scope: for an impl for a type the
    /// crate does not define, `self` is an ordinary first parameter.
    fn function_in(
        &self,
        item: &Item,
        owner: Option<(&Id, NamedKind)>,
        mut scope: Scope,
        path: &str,
    ) -> Result<Function, String> {
        let ItemEnum::Function(func) = &item.inner else {
            return Err("not a function".into());
        };
        if func.header.is_unsafe {
            return Err("unsafe fn".into());
        }
        let is_async = func.header.is_async;
        if !matches!(func.header.abi, rustdoc_types::Abi::Rust) {
            return Err("non-Rust ABI".into());
        }
        self.instantiate(&func.generics, &func.sig.inputs, &mut scope)?;
        let mut params = Vec::new();
        let mut ns = Namespace::default();
        for (n, (name, ty)) in func.sig.inputs.iter().enumerate() {
            if n == 0 && name == "self" && owner.is_some() {
                let receiver = self.receiver(ty, owner)?;
                ns.claim(&receiver.wit);
                params.push(receiver);
                continue;
            }
            if borrows_static(ty) {
                return Err(format!(
                    "parameter `{name}` must be borrowed for `'static`, which no call argument is"
                ));
            }
            let mut mapped = self
                .ty(ty, &scope)
                .map_err(|r| format!("parameter `{name}`: {r}"))?;
            // `w: W` / `w: impl Write`: the guest passes `&mut Vec<u8>` and
            // returns what was written (unless the writer is returned).
            let writer = match ty {
                Type::Generic(g) => {
                    scope.writers.contains(g)
                        && !func
                            .sig
                            .output
                            .as_ref()
                            .is_some_and(|o| generics::mentions_generic(o, g))
                }
                Type::ImplTrait(bounds) => {
                    self.io_bounds(bounds) == Some(io::Io::Writer) || self.text_writer(bounds)
                }
                _ => false,
            };
            if writer {
                mapped = Ty::Ref {
                    mutable: true,
                    inner: Box::new(mapped),
                };
            }
            if !self.liftable(&mapped) {
                return Err(format!("parameter `{name}` cannot be built from WIT"));
            }
            let wit = if n == 0 && name == "self" {
                ns.claim("this")
            } else {
                ns.claim(&kebab(name.trim_start_matches('_')))
            };
            params.push(Param { wit, ty: mapped });
        }
        let output = match &func.sig.output {
            None => Ty::Unit,
            Some(t) => self
                .output_ty(t, &scope)
                .map_err(|r| format!("result: {r}"))?,
        };
        // `fn set_x(&mut self, ..) -> &mut Self` chains calls: the change is
        // in `self` (or, for a value, in the updated value returned).
        let chains = matches!(
            (&output, params.first()),
            (Ty::Ref { mutable: true, inner }, Some(Param { wit, ty: Ty::Ref { mutable: true, inner: this } }))
                if wit == "self" && inner == this
        );
        let output = if chains { Ty::Unit } else { output };
        if !self.lowerable(&output) {
            return Err("result borrows a type that is not Clone".into());
        }
        if contains_mut_ref(&output) {
            return Err(
                "result is a mutable borrow: changes through a copy would not reach the value"
                    .into(),
            );
        }
        // A value passed as `&mut` (a value type's `&mut self`, a
        // `&mut String` to append to) comes back updated; resources change
        // in place.
        let updates = params
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                matches!(&p.ty, Ty::Ref { mutable: true, inner }
                if !matches!(&**inner, Ty::Named(n) if n.kind == NamedKind::Resource))
            })
            .map(|(i, _)| i)
            .collect();
        let callee = match &scope.turbofish {
            Some(t) => format!("{}::<{t}>", raw_callee(path)),
            None => raw_callee(path),
        };
        Ok(Function {
            wit: String::new(),
            rust: path.into(),
            callee,
            kind: FuncKind::Free,
            params,
            output,
            updates,
            value: false,
            is_async,
        })
    }

    fn receiver(&self, ty: &Type, owner: Option<(&Id, NamedKind)>) -> Result<Param, String> {
        let Some((id, kind)) = owner else {
            return Err("`self` outside an impl".into());
        };
        let named = self.named(id)?;
        if kind != NamedKind::Resource && !self.named_liftable(&named) {
            return Err(
                "method of a `#[non_exhaustive]` type: its value cannot be built from WIT".into(),
            );
        }
        let named = Ty::Named(named);
        let ty = match ty {
            // A resource that cannot be copied is given up: the method is a
            // static function taking the handle (`own<T>`), whose value it
            // consumes (`into_records(self)`, a builder's `build(self)`).
            Type::Generic(s) if s == "Self" => {
                if kind == NamedKind::Resource && !self.implements(id, "core::clone::Clone") {
                    return Ok(Param {
                        wit: "this".into(),
                        ty: named,
                    });
                }
                named
            }
            Type::BorrowedRef {
                is_mutable, type_, ..
            } if matches!(&**type_, Type::Generic(s) if s == "Self") => Ty::Ref {
                mutable: *is_mutable,
                inner: Box::new(named),
            },
            // `self: Box<Self>` (`DynDigest::finalize`): by value, boxed by
            // the guest.
            Type::ResolvedPath(p)
                if self.std_path(&p.id).as_deref() == Some("alloc::boxed::Box")
                    && matches!(type_args(p).first(), Some(Type::Generic(s)) if s == "Self") =>
            {
                let boxed = Ty::Boxed(Pointer::Box, Box::new(named));
                if kind == NamedKind::Resource && !self.implements(id, "core::clone::Clone") {
                    return Ok(Param {
                        wit: "this".into(),
                        ty: boxed,
                    });
                }
                boxed
            }
            _ => return Err("unsupported `self` type".into()),
        };
        Ok(Param {
            wit: "self".into(),
            ty,
        })
    }
}

/// A type's id, Rust path, WIT name and interface.
struct TypeRef {
    id: Id,
    path: String,
    wit: String,
    iface: String,
}

/// The type parameters (not lifetimes or consts) of `g`.
fn type_params(g: &Generics) -> impl Iterator<Item = &rustdoc_types::GenericParamDef> {
    g.params
        .iter()
        .filter(|p| matches!(p.kind, GenericParamDefKind::Type { .. }))
}

/// Whether a type mentions a generic parameter anywhere.
fn has_generic(ty: &Type) -> bool {
    match ty {
        Type::Generic(_) | Type::ImplTrait(_) => true,
        Type::BorrowedRef { type_, .. } | Type::RawPointer { type_, .. } => has_generic(type_),
        Type::Slice(t) | Type::Array { type_: t, .. } => has_generic(t),
        Type::Tuple(ts) => ts.iter().any(has_generic),
        Type::ResolvedPath(p) => type_args(p).into_iter().any(has_generic),
        Type::QualifiedPath { .. } => true,
        _ => false,
    }
}

/// Traits named in the bounds of any function's generic parameters.
fn input_traits(krate: &Crate) -> BTreeSet<Id> {
    fn bounds_of(bounds: &[rustdoc_types::GenericBound], out: &mut BTreeSet<Id>) {
        for b in bounds {
            if let rustdoc_types::GenericBound::TraitBound { trait_, .. } = b {
                out.insert(trait_.id);
            }
        }
    }
    let mut out = BTreeSet::new();
    for item in krate.index.values() {
        let ItemEnum::Function(f) = &item.inner else {
            continue;
        };
        for p in &f.generics.params {
            if let GenericParamDefKind::Type { bounds, .. } = &p.kind {
                bounds_of(bounds, &mut out);
            }
        }
        for w in &f.generics.where_predicates {
            if let rustdoc_types::WherePredicate::BoundPredicate { bounds, .. } = w {
                bounds_of(bounds, &mut out);
            }
        }
        for (_, t) in &f.sig.inputs {
            if let Type::ImplTrait(bounds) = t {
                bounds_of(bounds, &mut out);
            }
        }
    }
    out
}

fn tuple_ids(kind: &VariantKind) -> Vec<Option<Id>> {
    match kind {
        VariantKind::Tuple(ids) => ids.clone(),
        _ => vec![],
    }
}

fn has_self(item: &Item) -> bool {
    matches!(&item.inner, ItemEnum::Function(f) if f.sig.inputs.first().is_some_and(|(n, _)| n == "self"))
}

fn prim(p: &str) -> Result<Ty, String> {
    match p {
        "bool" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64" | "f32" | "f64"
        | "char" => Ok(Ty::Prim(p.into())),
        "usize" => Ok(Ty::Size { signed: false }),
        "isize" => Ok(Ty::Size { signed: true }),
        "u128" => Ok(Ty::Std(StdTy::Wide { signed: false })),
        "i128" => Ok(Ty::Std(StdTy::Wide { signed: true })),
        "str" => Err("unsized `str`".into()),
        "never" | "!" => Err("never type".into()),
        other => Err(format!("primitive `{other}`")),
    }
}

/// `ty` with the generic parameters in `bound` replaced by their types.
fn substitute(ty: &Type, bound: &HashMap<String, Type>) -> Type {
    let sub = |t: &Type| Box::new(substitute(t, bound));
    match ty {
        Type::Generic(name) => bound.get(name).cloned().unwrap_or_else(|| ty.clone()),
        Type::ResolvedPath(p) => Type::ResolvedPath(substitute_path(p, bound)),
        Type::Tuple(items) => Type::Tuple(items.iter().map(|t| substitute(t, bound)).collect()),
        Type::Slice(t) => Type::Slice(sub(t)),
        Type::Array { type_, len } => Type::Array {
            type_: sub(type_),
            len: len.clone(),
        },
        Type::BorrowedRef {
            lifetime,
            is_mutable,
            type_,
        } => Type::BorrowedRef {
            lifetime: lifetime.clone(),
            is_mutable: *is_mutable,
            type_: sub(type_),
        },
        Type::RawPointer { is_mutable, type_ } => Type::RawPointer {
            is_mutable: *is_mutable,
            type_: sub(type_),
        },
        Type::QualifiedPath {
            name,
            args,
            self_type,
            trait_,
        } => Type::QualifiedPath {
            name: name.clone(),
            args: args.clone(),
            self_type: sub(self_type),
            trait_: trait_.as_ref().map(|t| substitute_path(t, bound)),
        },
        other => other.clone(),
    }
}

/// [`substitute`] in a path's type arguments.
fn substitute_path(p: &rustdoc_types::Path, bound: &HashMap<String, Type>) -> rustdoc_types::Path {
    let mut p = p.clone();
    if let Some(GenericArgs::AngleBracketed { args, .. }) = p.args.as_deref_mut() {
        for arg in args {
            if let GenericArg::Type(t) = arg {
                *t = substitute(t, bound);
            }
        }
    }
    p
}

fn type_args(p: &rustdoc_types::Path) -> Vec<&Type> {
    match p.args.as_deref() {
        Some(GenericArgs::AngleBracketed { args, .. }) => args
            .iter()
            .filter_map(|a| match a {
                GenericArg::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => vec![],
    }
}

/// Whether a value of `ty` holds a record copied from accessors (results
/// only).
pub fn holds_snapshot(ty: &Ty) -> bool {
    match ty {
        Ty::Named(n) => n.kind == NamedKind::Snapshot,
        Ty::List(t, _) | Ty::Option(t) | Ty::Boxed(_, t) | Ty::Ref { inner: t, .. } => {
            holds_snapshot(t)
        }
        Ty::Tuple(ts) => ts.iter().any(holds_snapshot),
        _ => false,
    }
}

/// Why a type's generics prevent mapping it.
fn generics_reason(g: &Generics) -> Option<String> {
    g.params.first().map(|p| match &p.kind {
        GenericParamDefKind::Lifetime { .. } => {
            format!("borrows data (lifetime parameter `{}`)", p.name)
        }
        GenericParamDefKind::Type { .. } => format!("generic type (parameter `{}`)", p.name),
        GenericParamDefKind::Const { .. } => format!("const generic parameter `{}`", p.name),
    })
}

/// Whether a parameter type holds a `&'static` borrow.
fn borrows_static(ty: &Type) -> bool {
    match ty {
        Type::BorrowedRef {
            lifetime, type_, ..
        } => lifetime.as_deref() == Some("'static") || borrows_static(type_),
        Type::Slice(t) | Type::Array { type_: t, .. } => borrows_static(t),
        Type::Tuple(ts) => ts.iter().any(borrows_static),
        Type::ResolvedPath(p) => type_args(p).into_iter().any(borrows_static),
        _ => false,
    }
}

/// `path` as code: a last segment that is a keyword is a raw identifier
/// (`ForOfLoop::r#await`).
fn raw_callee(path: &str) -> String {
    match path.rsplit_once("::") {
        Some((head, last)) => format!("{head}::{}", crate::names::rust_raw(last)),
        None => crate::names::rust_raw(path),
    }
}

/// Whether `()` is a part of `ty` other than the whole of it or the `ok`
/// of a result (`result<_, e>`).
fn unit_inside(ty: &Ty) -> bool {
    fn part(ty: &Ty) -> bool {
        *ty == Ty::Unit || unit_inside(ty)
    }
    match ty {
        Ty::List(t, _) | Ty::Option(t) | Ty::Boxed(_, t) | Ty::Ref { inner: t, .. } => part(t),
        Ty::Result(t) => unit_inside(t),
        Ty::SdkResult(ok, err) => unit_inside(ok) || part(err),
        Ty::Tuple(ts) => ts.iter().any(part),
        _ => false,
    }
}

pub fn contains_ref(ty: &Ty) -> bool {
    match ty {
        Ty::Ref { .. }
        | Ty::Str(StrKind::Ref | StrKind::PathRef)
        | Ty::List(_, ListKind::Slice) => true,
        Ty::List(t, _) | Ty::Option(t) | Ty::Result(t) | Ty::Boxed(_, t) => contains_ref(t),
        Ty::SdkResult(ok, err) => contains_ref(ok) || contains_ref(err),
        Ty::Tuple(ts) => ts.iter().any(contains_ref),
        _ => false,
    }
}

/// A returned iterator of `item`s: a list, or for `char`s the string they
/// spell.
fn iterator_of(item: Ty) -> Ty {
    match item {
        Ty::Prim(p) if p == "char" => Ty::Str(StrKind::Chars),
        item => Ty::List(Box::new(item), ListKind::Iter),
    }
}

/// A parameter with borrowed parts inside a tuple, an option or a slice
/// (`(&str, u32)`, `Option<(&str, &str)>`, `&[&str]`): the guest builds the
/// owned value and passes a view of it, made by `glue`.
pub fn nested_view(ty: &Ty) -> bool {
    /// A part of such a view: `&str`, `&T` of a type without borrows, a
    /// value without borrows (cloned), or a tuple or option of parts.
    fn part(ty: &Ty) -> bool {
        match ty {
            Ty::Str(StrKind::Ref) => true,
            Ty::Ref {
                mutable: false,
                inner,
            } => {
                !contains_ref(inner)
                    && !matches!(&**inner, Ty::Named(n) if n.kind == NamedKind::Resource)
            }
            t if !contains_ref(t) => true,
            Ty::Tuple(ts) => ts.iter().all(part),
            Ty::Option(t) => part(t),
            _ => false,
        }
    }
    match ty {
        Ty::Tuple(ts) => contains_ref(ty) && ts.iter().all(part),
        Ty::Option(t) => contains_ref(t) && !option_view(t) && part(t),
        Ty::List(t, ListKind::Slice) => contains_ref(t) && part(t),
        _ => false,
    }
}

/// The borrowed payload of an `Option` parameter the guest can pass as a
/// view of an owned value (`as_deref()` / `as_ref()`).
pub fn option_view(ty: &Ty) -> bool {
    match ty {
        Ty::Str(StrKind::Ref | StrKind::PathRef) | Ty::List(_, ListKind::Slice) => true,
        Ty::Ref {
            mutable: false,
            inner,
        } => !matches!(&**inner, Ty::Named(n) if n.kind == NamedKind::Resource),
        _ => false,
    }
}

fn contains_mut_ref(ty: &Ty) -> bool {
    match ty {
        Ty::Ref { mutable: true, .. } => true,
        Ty::Ref { inner: t, .. }
        | Ty::List(t, _)
        | Ty::Option(t)
        | Ty::Result(t)
        | Ty::Boxed(_, t) => contains_mut_ref(t),
        Ty::SdkResult(ok, err) => contains_mut_ref(ok) || contains_mut_ref(err),
        Ty::Tuple(ts) => ts.iter().any(contains_mut_ref),
        _ => false,
    }
}

/// Every named type mentioned in `ty`.
pub fn collect_named<'t>(ty: &'t Ty, out: &mut Vec<&'t Named>) {
    match ty {
        Ty::Named(n) => out.push(n),
        Ty::List(t, _)
        | Ty::Option(t)
        | Ty::Result(t)
        | Ty::Boxed(_, t)
        | Ty::Ref { inner: t, .. } => collect_named(t, out),
        Ty::SdkResult(ok, err) => {
            collect_named(ok, out);
            collect_named(err, out);
        }
        Ty::Tuple(ts) => ts.iter().for_each(|t| collect_named(t, out)),
        _ => {}
    }
}

/// A function's name with an instance's suffix (`from_str` + `value`).
fn suffixed(name: &str, suffix: &str) -> String {
    if suffix.is_empty() {
        name.to_string()
    } else {
        format!("{name}-{suffix}")
    }
}

/// Whether `ty` borrows for one of `lifetimes` (`NodeRef<'a, Node>`,
/// `&'a Html`).
fn carries_lifetime(ty: &Type, lifetimes: &[String]) -> bool {
    match ty {
        Type::BorrowedRef {
            lifetime, type_, ..
        } => {
            lifetime.as_ref().is_some_and(|l| lifetimes.contains(l))
                || carries_lifetime(type_, lifetimes)
        }
        Type::ResolvedPath(p) => match p.args.as_deref() {
            Some(GenericArgs::AngleBracketed { args, .. }) => args.iter().any(|a| match a {
                GenericArg::Lifetime(l) => lifetimes.contains(l),
                GenericArg::Type(t) => carries_lifetime(t, lifetimes),
                _ => false,
            }),
            _ => false,
        },
        Type::Slice(t) | Type::Array { type_: t, .. } | Type::RawPointer { type_: t, .. } => {
            carries_lifetime(t, lifetimes)
        }
        Type::Tuple(ts) => ts.iter().any(|t| carries_lifetime(t, lifetimes)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_rustdoc_format_names_both_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.json");
        std::fs::write(&path, r#"{"format_version": 12, "index": {}}"#).unwrap();
        let err = format!("{:#}", super::read_json(&path).unwrap_err());
        assert!(err.contains("version 12"), "{err}");
        assert!(
            err.contains(&format!("version {}", rustdoc_types::FORMAT_VERSION)),
            "{err}"
        );
    }
}
