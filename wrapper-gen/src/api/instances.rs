//! Generic types at the arguments the crate's own signatures give them.
//!
//! `chrono::DateTime<Tz>` has no one obvious instance, but the crate names
//! its instances where it makes them: `Utc::now() -> DateTime<Utc>`,
//! `DateTime::parse_from_rfc3339(…) -> ParseResult<DateTime<FixedOffset>>`.
//! Each such instance (every argument concrete) becomes a type of its own,
//! the way a public alias of one does (`type Table = Map<String, Value>`):
//! `date-time-utc`, with the methods of the impls that apply to it.

use std::collections::{BTreeMap, HashMap};

use rustdoc_types::{GenericParamDefKind, Id, ItemEnum, Type};

use super::{Decided, Mapper, TypeEntry, has_generic, substitute, type_args, type_params};
use crate::names::kebab;

/// An instance found in a signature: the generic type, its arguments and
/// the instance's WIT name.
struct Found {
    generic: Id,
    args: Vec<Type>,
    wit: String,
}

impl<'a> Mapper<'a> {
    /// Adds a type for each instance of a generic type of the crate that a
    /// public signature or field spells with concrete arguments, unless an
    /// alias names it already.
    pub(super) fn signature_instances(&mut self) {
        let mut found: BTreeMap<String, Found> = BTreeMap::new();
        for ty in self.signature_types() {
            self.collect_instances(&ty, &mut found);
        }
        // Synthetic ids, from the top of the range down: no rustdoc item
        // has them.
        let mut next = u32::MAX;
        for (path, Found { generic, args, wit }) in found {
            let Some(&g) = self.type_index.get(&generic) else {
                continue;
            };
            let Some(item) = self.item(&generic) else {
                continue;
            };
            let decided = self.candidate(item, true);
            if !matches!(decided, Decided::Kind(_)) {
                continue;
            }
            let module = self.types[g].module;
            let id = Id(next);
            next -= 1;
            self.push_type(TypeEntry {
                id,
                module,
                path,
                wit,
                decided,
                instance: Some((generic, args)),
                io: None,
            });
        }
    }

    /// Forgets the instances found in signatures that did not map: their
    /// functions fall back to the generic type (and its reason), and the
    /// report lists its methods once, not once per instance (an AWS SDK's
    /// `CustomizableOperation<Output, Error, Builder>` of each operation).
    pub(super) fn drop_failed_instances(&mut self) {
        let krate = self.krate;
        let failed = |t: &TypeEntry| {
            t.instance.is_some()
                && matches!(t.decided, Decided::Skipped(_))
                && !krate.index.contains_key(&t.id)
        };
        if !self.types.iter().any(failed) {
            return;
        }
        self.types.retain(|t| !failed(t));
        self.type_index = self
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| (t.id, i))
            .collect();
    }

    /// The types in the crate's public signatures and fields: free
    /// functions, the inherent and trait methods of its types (`Self`
    /// replaced by the type), the fields of its structs.
    fn signature_types(&self) -> Vec<Type> {
        let mut out = Vec::new();
        let of_fn = |item: &rustdoc_types::Item, this: Option<&Type>, out: &mut Vec<Type>| {
            let ItemEnum::Function(f) = &item.inner else {
                return;
            };
            let bound: HashMap<String, Type> = this
                .map(|t| [("Self".to_string(), t.clone())].into())
                .unwrap_or_default();
            for (_, t) in &f.sig.inputs {
                out.push(substitute(t, &bound));
            }
            if let Some(t) = &f.sig.output {
                out.push(substitute(t, &bound));
            }
        };
        for (_, id, _) in &self.functions {
            if let Some(item) = self.item(id) {
                of_fn(item, None, &mut out);
            }
        }
        for t in &self.types {
            if t.instance.is_some() || t.io.is_some() {
                continue;
            }
            for impl_id in self.impls_of(&t.id) {
                let Some(ItemEnum::Impl(imp)) = self.item(impl_id).map(|i| &i.inner) else {
                    continue;
                };
                if imp.is_synthetic || imp.blanket_impl.is_some() {
                    continue;
                }
                for f in imp.items.iter().filter_map(|f| self.item(f)) {
                    of_fn(f, Some(&imp.for_), &mut out);
                }
            }
            let Some(item) = self.item(&t.id) else {
                continue;
            };
            // Fields of structs and of enum variants (toml_edit's
            // `Value::String(Formatted<String>)`).
            let fields: Vec<&Id> = match &item.inner {
                ItemEnum::Struct(s) => match &s.kind {
                    rustdoc_types::StructKind::Plain { fields, .. } => fields.iter().collect(),
                    rustdoc_types::StructKind::Tuple(f) => f.iter().flatten().collect(),
                    rustdoc_types::StructKind::Unit => Vec::new(),
                },
                ItemEnum::Enum(e) => e
                    .variants
                    .iter()
                    .filter_map(|v| match self.item(v).map(|i| &i.inner) {
                        Some(ItemEnum::Variant(v)) => Some(&v.kind),
                        _ => None,
                    })
                    .flat_map(|kind| -> Vec<&Id> {
                        match kind {
                            rustdoc_types::VariantKind::Plain => Vec::new(),
                            rustdoc_types::VariantKind::Tuple(f) => f.iter().flatten().collect(),
                            rustdoc_types::VariantKind::Struct { fields, .. } => {
                                fields.iter().collect()
                            }
                        }
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for f in fields {
                if let Some(ItemEnum::StructField(ty)) = self.item(f).map(|i| &i.inner) {
                    out.push(ty.clone());
                }
            }
        }
        out
    }

    /// Finds the instances in `ty` (and in its arguments), keyed by their
    /// Rust path: generic id, arguments and WIT name.
    fn collect_instances(&self, ty: &Type, found: &mut BTreeMap<String, Found>) {
        match ty {
            Type::BorrowedRef { type_, .. } | Type::RawPointer { type_, .. } => {
                self.collect_instances(type_, found)
            }
            Type::Slice(t) | Type::Array { type_: t, .. } => self.collect_instances(t, found),
            Type::Tuple(ts) => ts.iter().for_each(|t| self.collect_instances(t, found)),
            Type::ResolvedPath(p) => {
                for arg in type_args(p) {
                    self.collect_instances(arg, found);
                }
                if let Some((path, instance)) = self.instance_named(p) {
                    found.entry(path).or_insert(instance);
                }
            }
            _ => {}
        }
    }

    /// `p` as an instance to add: a generic type of the crate (type
    /// parameters only) with every argument concrete and spelled, that no
    /// alias instantiates alike.
    fn instance_named(&self, p: &rustdoc_types::Path) -> Option<(String, Found)> {
        let &i = self.type_index.get(&p.id)?;
        let entry = &self.types[i];
        if entry.instance.is_some() || entry.io.is_some() {
            return None;
        }
        let generics = self.generics_of(&p.id)?;
        // Type parameters only, without defaults (`JsObject<T = Erased>`'s
        // plain impls are for the default alone).
        if generics
            .params
            .iter()
            .any(|g| !matches!(g.kind, GenericParamDefKind::Type { default: None, .. }))
        {
            return None;
        }
        let params = type_params(generics).count();
        let args: Vec<Type> = type_args(p).into_iter().cloned().collect();
        if params == 0 || args.len() != params || args.iter().any(has_generic) {
            return None;
        }
        if self.instance_for(p, &super::Scope::default()).is_some() {
            return None;
        }
        let (spelled, names) = self.spell_args(args.iter())?;
        let name = self.item(&p.id)?.name.clone()?;
        let path = format!("{}::<{spelled}>", entry.path);
        let wit = kebab(&format!("{name}_{names}"));
        Some((
            path,
            Found {
                generic: p.id,
                args,
                wit,
            },
        ))
    }

    /// The Rust spellings of concrete arguments, comma-separated, and a
    /// name for them, `_`-separated.
    fn spell_args<'t>(&self, args: impl Iterator<Item = &'t Type>) -> Option<(String, String)> {
        let (spelled, names): (Vec<String>, Vec<String>) = args
            .map(|a| self.spell_arg(a))
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .unzip();
        Some((spelled.join(", "), names.join("_")))
    }

    /// The Rust spelling of a concrete argument and a name for it: a
    /// primitive, `String`, or a type of the crate that borrows nothing
    /// (a generic one at such arguments too).
    pub(super) fn spell_arg(&self, ty: &Type) -> Option<(String, String)> {
        match ty {
            Type::Primitive(p) => Some((p.clone(), p.clone())),
            Type::ResolvedPath(p) => {
                if self.std_path(&p.id).as_deref() == Some("alloc::string::String") {
                    return Some(("String".into(), "string".into()));
                }
                let &i = self.type_index.get(&p.id)?;
                let entry = &self.types[i];
                // A type that borrows (`StrftimeItems<'a>`) ties the
                // instance to a call's arguments.
                let borrows = !self.lifetime_params(&p.id).is_empty();
                if entry.instance.is_some() || entry.io.is_some() || borrows {
                    return None;
                }
                let name = self.item(&p.id)?.name.clone()?;
                if type_args(p).is_empty() {
                    return Some((entry.path.clone(), name));
                }
                let (spelled, names) = self.spell_args(type_args(p).into_iter())?;
                Some((
                    format!("{}<{spelled}>", entry.path),
                    format!("{name}_{names}"),
                ))
            }
            _ => None,
        }
    }
}
