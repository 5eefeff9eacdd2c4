//! Generic parameters with one obvious concrete instantiation.
//!
//! `fn slugify(s: impl AsRef<str>)` or `fn new<S: Into<String>>(name: S)` is
//! exported as taking a `string`: the guest passes a `String`, and Rust's
//! inference picks it for the parameter. A parameter whose bounds admit no
//! single obvious type (serde's `T: Deserialize`, closures, a type chosen
//! only by the caller of the result) keeps the function skipped.

use std::collections::HashMap;

use rustdoc_types::{
    AssocItemConstraintKind, GenericArgs, GenericBound, GenericParamDefKind, Generics, Id, Term,
    TraitBoundModifier, Type, WherePredicate,
};

use super::{Mapper, type_args};
use crate::model::*;

/// What resolves `Self` and the generic parameters of a signature.
#[derive(Clone, Default)]
pub(super) struct Scope {
    /// The type whose impl the signature is in.
    pub owner: Option<Id>,
    /// Generic parameters bound to their instantiation.
    pub subst: HashMap<String, Ty>,
    /// `Self` of an impl for a type the crate does not define (`impl Trait
    /// for str`).
    pub self_type: Option<Type>,
    /// A `?Sized` parameter may be `str`: the call is fully qualified
    /// (`<str as Trait>::f(&s)`), so the guest's `&String` coerces.
    pub unsized_str: bool,
    /// Parameters bound by `Write` alone: a writer passed by value is a
    /// `&mut Vec<u8>` (also a writer), so the bytes come back.
    pub writers: std::collections::BTreeSet<String>,
    /// The function's one type parameter, only in its result, is this
    /// crate type (`eval::<rhai::Dynamic>`): the call names it.
    pub turbofish: Option<String>,
    /// An instance's parameters bound to its arguments as the crate spells
    /// them (`Tz` = `Utc`, which has no WIT form of its own): a signature's
    /// `DateTime<Tz>` is the instance itself.
    pub args: HashMap<String, Type>,
}

impl Scope {
    /// The scope of `impl Owner`.
    pub fn of(owner: &Id) -> Scope {
        Scope {
            owner: Some(*owner),
            ..Scope::default()
        }
    }
}

/// Traits any instantiation compwrap picks satisfies (its own types are
/// checked against their impls instead).
const SATISFIED_BY_STD: &[&str] = &[
    "core::marker::Sized",
    "core::marker::Send",
    "core::marker::Sync",
    "core::marker::Unpin",
    "core::clone::Clone",
    "core::fmt::Debug",
    "core::hash::Hash",
    "core::cmp::Eq",
    "core::cmp::PartialEq",
    "core::cmp::Ord",
    "core::cmp::PartialOrd",
    "core::default::Default",
    "core::panic::unwind_safe::UnwindSafe",
    "core::panic::unwind_safe::RefUnwindSafe",
];

/// Whether a reader or writer over bytes (`Cursor<Vec<u8>>`, `Vec<u8>`)
/// implements the trait at `path`.
pub(super) fn satisfied_by_bytes(path: &str) -> bool {
    MARKERS.contains(&path)
        || matches!(
            path,
            "core::clone::Clone"
                | "core::fmt::Debug"
                | "core::default::Default"
                | "core::cmp::Eq"
                | "core::cmp::PartialEq"
                | "core::panic::unwind_safe::UnwindSafe"
                | "core::panic::unwind_safe::RefUnwindSafe"
        )
}

/// Marker traits every value satisfies for our purposes.
const MARKERS: &[&str] = &[
    "core::marker::Sized",
    "core::marker::Send",
    "core::marker::Sync",
    "core::marker::Unpin",
];

impl Mapper<'_> {
    /// Binds every type parameter of a function's generics into `scope`, or
    /// says why one has no obvious instantiation.
    pub(super) fn instantiate(
        &self,
        generics: &Generics,
        inputs: &[(String, Type)],
        scope: &mut Scope,
    ) -> Result<(), String> {
        let mut pending: Vec<(String, Vec<GenericBound>)> = Vec::new();
        for p in &generics.params {
            match &p.kind {
                // Bound by the caller (a serde entry point's type).
                _ if scope.subst.contains_key(&p.name) => {}
                GenericParamDefKind::Lifetime { .. } => {}
                GenericParamDefKind::Const { .. } => {
                    return Err(format!("const generic parameter `{}`", p.name));
                }
                // `impl Trait` parameters are instantiated where they appear.
                GenericParamDefKind::Type {
                    is_synthetic: true, ..
                } => {}
                GenericParamDefKind::Type { bounds, .. } => {
                    // `I: IntoIterator<Item = S>`: `S` is fixed through `I`.
                    let through_bounds = generics.params.iter().any(|q| {
                        matches!(&q.kind, GenericParamDefKind::Type { bounds, .. }
                            if bounds_mention(bounds, &p.name))
                    }) || generics.where_predicates.iter().any(|w| {
                        matches!(w, WherePredicate::BoundPredicate { bounds, .. }
                            if bounds_mention(bounds, &p.name))
                    });
                    if !through_bounds && !inputs.iter().any(|(_, t)| mentions_generic(t, &p.name))
                    {
                        // `eval<T: Variant + Clone>` where `Dynamic::from<T:
                        // Variant + Clone>(T)` holds any such value.
                        let single = only_type_param(generics).is_some();
                        if single && let Some(named) = self.universal_value(bounds) {
                            scope.turbofish = Some(named.rust.clone());
                            scope.subst.insert(p.name.clone(), Ty::Named(named));
                            continue;
                        }
                        return Err(format!(
                            "generic parameter `{}` appears only in the result: its type is the caller's choice",
                            p.name
                        ));
                    }
                    pending.push((p.name.clone(), bounds.clone()));
                }
            }
        }
        for w in &generics.where_predicates {
            match w {
                WherePredicate::BoundPredicate {
                    type_: Type::Generic(name),
                    bounds,
                    ..
                } => match pending.iter_mut().find(|(n, _)| n == name) {
                    Some((_, b)) => b.extend(bounds.iter().cloned()),
                    // `K: Borrow<Q>` with `K` bound by the impl (a map's
                    // `get<Q>(&self, key: &Q)`): `Q` is `K` itself.
                    None if scope.subst.contains_key(name) => {
                        let known = scope.subst[name].clone();
                        for q in borrowed_params(bounds, |id| self.std_path(id)) {
                            pending.retain(|(n, _)| *n != q);
                            scope.subst.insert(q, known.clone());
                        }
                    }
                    // `where Self: Sized` (`Update::chain`): markers, or
                    // traits the owner implements.
                    None if name == "Self" && scope.owner.is_some() => {
                        let owner = scope.owner.expect("checked");
                        let holds = bounds.iter().all(|b| match b {
                            GenericBound::TraitBound { trait_, .. } => {
                                self.std_path(&trait_.id).is_some_and(|path| {
                                    MARKERS.contains(&path.as_str())
                                        || self.implements(&owner, &path)
                                })
                            }
                            _ => true,
                        });
                        if !holds {
                            return Err("where clause on `Self` that the type does not meet".into());
                        }
                    }
                    // `where Z: Clone` on a method of an instance's impl:
                    // the instance's argument must implement it.
                    None if scope.args.contains_key(name) => {
                        if !self.arg_meets(&scope.args[name], bounds.iter()) {
                            return Err(format!(
                                "where clause on `{name}`: the instance's argument does not meet it"
                            ));
                        }
                    }
                    None => return Err(format!("where clause on `{name}`")),
                },
                WherePredicate::LifetimePredicate { .. } => {}
                // `String: Borrow<Q>` in an impl for a concrete map (`impl
                // Map<String, Value>`'s `get<Q>(&self, key: &Q)`): `Q` is
                // that type itself.
                WherePredicate::BoundPredicate { type_, bounds, .. }
                    if !super::has_generic(type_)
                        && bounds.iter().all(|b| match b {
                            GenericBound::TraitBound { trait_, .. } => {
                                self.std_path(&trait_.id).as_deref() == Some("core::borrow::Borrow")
                            }
                            _ => true,
                        }) =>
                {
                    let known = self.ty(type_, scope)?;
                    for q in borrowed_params(bounds, |id| self.std_path(id)) {
                        pending.retain(|(n, _)| *n != q);
                        scope.subst.insert(q, known.clone());
                    }
                }
                _ => return Err("where clause on a type expression".into()),
            }
        }
        // A bound may name another parameter (`I: IntoIterator<Item = S>`):
        // resolve in rounds until nothing changes.
        let mut last_error = String::new();
        while !pending.is_empty() {
            let before = pending.len();
            let mut i = 0;
            while i < pending.len() {
                match self.obvious(&pending[i].1, scope) {
                    Ok(ty) => {
                        let (name, bounds) = pending.remove(i);
                        if self.io_bounds(&bounds) == Some(super::io::Io::Writer)
                            || self.text_writer(&bounds)
                        {
                            scope.writers.insert(name.clone());
                        }
                        scope.subst.insert(name, ty);
                    }
                    Err(reason) => {
                        last_error = format!("generic parameter `{}`: {reason}", pending[i].0);
                        i += 1;
                    }
                }
            }
            if pending.len() == before {
                return Err(last_error);
            }
        }
        Ok(())
    }

    /// The one obvious type satisfying all of `bounds`.
    pub(super) fn obvious(&self, bounds: &[GenericBound], scope: &Scope) -> Result<Ty, String> {
        // `R: BufRead + Seek`: a cursor over the bytes; `W: Write`: bytes.
        if let Some(io) = self.io_bounds(bounds) {
            return Ok(io.ty());
        }
        let mut chosen: Option<Ty> = None;
        let mut others: Vec<String> = Vec::new();
        for b in bounds {
            let GenericBound::TraitBound {
                trait_, modifier, ..
            } = b
            else {
                continue; // lifetimes and `use<..>` capture nothing we pass
            };
            let path = self
                .std_path(&trait_.id)
                .unwrap_or_else(|| trait_.path.clone());
            if *modifier == TraitBoundModifier::Maybe {
                continue; // `?Sized`
            }
            let candidate = match path.as_str() {
                "core::convert::AsRef" | "core::borrow::Borrow" => {
                    match type_args(trait_).first() {
                        Some(Type::Primitive(s)) if s == "str" => Some(Ty::Str(StrKind::String)),
                        Some(Type::Slice(t)) if matches!(&**t, Type::Primitive(p) if p == "u8") => {
                            Some(Ty::List(Box::new(Ty::Prim("u8".into())), ListKind::Vec))
                        }
                        Some(Type::ResolvedPath(p)) => match self.std_path(&p.id).as_deref() {
                            Some("std::path::Path") => Some(Ty::Str(StrKind::PathBuf)),
                            Some("std::ffi::os_str::OsStr") => Some(Ty::Str(StrKind::String)),
                            _ => {
                                return Err(format!(
                                    "bound `{path}` of a type without an owned form"
                                ));
                            }
                        },
                        _ => return Err(format!("bound `{}`", trait_.path)),
                    }
                }
                "core::convert::Into" => {
                    let Some(target) = type_args(trait_).first().copied() else {
                        return Err("bound `Into` without a target".into());
                    };
                    let ty = match self.ty(target, scope)? {
                        // `impl Into<SmartString>`: a `String` converts.
                        Ty::Str(StrKind::Into) => Ty::Str(StrKind::String),
                        ty => ty,
                    };
                    if !self.liftable(&ty) || super::contains_ref(&ty) {
                        return Err(format!(
                            "`Into<{}>`: the target cannot be built from WIT",
                            trait_.path
                        ));
                    }
                    Some(ty)
                }
                // `I: Iterator<Item = Event<'a>>`: the crate's iterator
                // resource over those items (`Parser`), handed over.
                "core::iter::traits::iterator::Iterator" => {
                    let Some(ItemBound::Type(item)) = item_constraint(trait_) else {
                        return Err("`Iterator` without an `Item` type".into());
                    };
                    match self.iterator_resource(item) {
                        Some(ty) => Some(ty),
                        None => {
                            return Err(
                                "`Iterator` of items that no iterator resource of the crate yields"
                                    .into(),
                            );
                        }
                    }
                }
                "core::iter::traits::collect::IntoIterator" => {
                    let item =
                        item_constraint(trait_).ok_or("`IntoIterator` without an `Item` type")?;
                    let ty = match item {
                        ItemBound::Type(t) => self.ty(t, scope)?,
                        ItemBound::Bounds(b) => self.obvious(b, scope)?,
                    };
                    if !self.liftable(&ty) || super::contains_ref(&ty) {
                        return Err("iterator items cannot be built from WIT".into());
                    }
                    Some(Ty::List(Box::new(ty), ListKind::Vec))
                }
                // `W: fmt::Write`: a `String`, whose text comes back.
                "core::fmt::Write" => Some(Ty::Str(StrKind::String)),
                "alloc::string::ToString" | "core::fmt::Display" => {
                    others.push(path.clone());
                    None
                }
                "core::ops::function::Fn"
                | "core::ops::function::FnMut"
                | "core::ops::function::FnOnce" => {
                    return Err("closure parameter".into());
                }
                p if SATISFIED_BY_STD.contains(&p) || p == "core::marker::Copy" => {
                    others.push(path.clone());
                    None
                }
                _ => match self.own_trait_instance(&trait_.id, scope) {
                    Some(ty) => Some(ty),
                    None => return Err(format!("bound `{}` has no obvious type", trait_.path)),
                },
            };
            if let Some(c) = candidate {
                match &chosen {
                    Some(prev) if *prev != c => {
                        return Err("bounds that no single type satisfies".into());
                    }
                    _ => chosen = Some(c),
                }
            }
        }
        // `T: Display` / `T: ToString` alone: a string is the natural value.
        let chosen = match chosen {
            Some(c) => c,
            None if others
                .iter()
                .any(|o| o == "alloc::string::ToString" || o == "core::fmt::Display") =>
            {
                Ty::Str(StrKind::String)
            }
            None => return Err("no bound names an obvious type".into()),
        };
        for other in &others {
            if !self.satisfies(&chosen, other) {
                return Err(format!("the obvious type does not implement `{other}`"));
            }
        }
        Ok(chosen)
    }

    /// Whether `bounds` name `fmt::Write` and nothing else but markers: a
    /// writer of text, passed as a `&mut String`.
    pub(super) fn text_writer(&self, bounds: &[GenericBound]) -> bool {
        let mut found = false;
        for b in bounds {
            let GenericBound::TraitBound { trait_, .. } = b else {
                continue;
            };
            match self.std_path(&trait_.id).as_deref() {
                Some("core::fmt::Write") => found = true,
                Some(p) if MARKERS.contains(&p) => {}
                _ => return false,
            }
        }
        found
    }

    /// The crate's resource that iterates over `item` (the same type, up to
    /// lifetimes), if exactly one does.
    fn iterator_resource(&self, item: &Type) -> Option<Ty> {
        let mut found = self.types.iter().filter(|t| {
            t.decided == super::Decided::Kind(NamedKind::Resource)
                && self
                    .iterator_item(&t.id)
                    .is_some_and(|i| same_but_lifetimes(&i, item))
        });
        let (Some(one), None) = (found.next(), found.next()) else {
            return None;
        };
        self.named(&one.id).ok().map(Ty::Named)
    }

    /// The crate's type that holds any value meeting `bounds`: it has an
    /// associated function taking one such value and returning itself
    /// (rhai's `Dynamic::from<T: Variant + Clone>(value: T)`). A parameter
    /// only in a result is that type (the caller asks for the value as is).
    fn universal_value(&self, bounds: &[GenericBound]) -> Option<Named> {
        let wanted = self.bound_paths(bounds);
        if wanted.is_empty() {
            return None;
        }
        self.types.iter().find_map(|t| {
            if !matches!(t.decided, super::Decided::Kind(_)) {
                return None;
            }
            let holds_any = self.inherent_fns(&t.id).iter().any(|f| {
                let rustdoc_types::ItemEnum::Function(func) = &f.inner else {
                    return false;
                };
                let Some(param) = only_type_param(&func.generics) else {
                    return false;
                };
                let GenericParamDefKind::Type { bounds, .. } = &param.kind else {
                    return false;
                };
                let returns_self = match &func.sig.output {
                    Some(Type::Generic(g)) => g == "Self",
                    Some(Type::ResolvedPath(p)) => p.id == t.id,
                    _ => false,
                };
                matches!(func.sig.inputs.as_slice(), [(_, Type::Generic(g))] if *g == param.name)
                    && returns_self
                    && self.bound_paths(bounds) == wanted
            });
            if !holds_any {
                return None;
            }
            self.named(&t.id).ok()
        })
    }

    /// The trait paths of `bounds`, without `Sized` and `?Sized`.
    fn bound_paths(&self, bounds: &[GenericBound]) -> std::collections::BTreeSet<String> {
        bounds
            .iter()
            .filter_map(|b| match b {
                GenericBound::TraitBound {
                    trait_, modifier, ..
                } if *modifier != TraitBoundModifier::Maybe => Some(
                    self.std_path(&trait_.id)
                        .unwrap_or_else(|| trait_.path.clone()),
                ),
                _ => None,
            })
            .filter(|p| p != "core::marker::Sized")
            .collect()
    }

    /// The obvious type for a bound by one of the crate's own traits: the
    /// trait's implementation for `String` or `Vec<u8>` (`regex::Replacer`
    /// for `String`), or for `str` where the call is qualified.
    fn own_trait_instance(&self, trait_id: &Id, scope: &Scope) -> Option<Ty> {
        let Some(rustdoc_types::ItemEnum::Trait(tr)) = self.item(trait_id).map(|i| &i.inner) else {
            return None;
        };
        let mut found = Vec::new();
        let mut own = Vec::new();
        for imp in tr.implementations.iter().filter_map(|id| self.item(id)) {
            let rustdoc_types::ItemEnum::Impl(imp) = &imp.inner else {
                continue;
            };
            let ty = match &imp.for_ {
                Type::Primitive(p) if p == "str" && scope.unsized_str => Ty::Str(StrKind::Ref),
                // A type of the crate (base64's `GeneralPurpose`, the one
                // `Engine`): the choice when it is the only one.
                Type::ResolvedPath(p)
                    if type_args(p).is_empty() && self.type_index.contains_key(&p.id) =>
                {
                    own.push(p.id);
                    continue;
                }
                Type::ResolvedPath(p) => match self.std_path(&p.id).as_deref() {
                    Some("alloc::string::String") => Ty::Str(StrKind::String),
                    Some("alloc::vec::Vec") if matches!(type_args(p).first(), Some(Type::Primitive(u)) if u == "u8") => {
                        Ty::List(Box::new(Ty::Prim("u8".into())), ListKind::Vec)
                    }
                    _ => continue,
                },
                _ => continue,
            };
            found.push(ty);
        }
        // An owned `String` is the first choice.
        found.sort_by_key(|t| !matches!(t, Ty::Str(StrKind::String)));
        if found.is_empty()
            && let [one] = own.as_slice()
        {
            return self.named(one).ok().map(Ty::Named);
        }
        found.into_iter().next()
    }

    /// Whether a value of `ty` implements the trait at `path`.
    fn satisfies(&self, ty: &Ty, path: &str) -> bool {
        if MARKERS.contains(&path) {
            return true;
        }
        match ty {
            Ty::Prim(_) | Ty::Size { .. } => true,
            Ty::Named(n) => self.id_of(n).is_some_and(|id| self.implements(&id, path)),
            Ty::List(t, _) | Ty::Option(t) => {
                path != "core::marker::Copy"
                    && path != "core::fmt::Display"
                    && path != "alloc::string::ToString"
                    && self.satisfies(t, path)
            }
            Ty::Str(_) => path != "core::marker::Copy",
            _ => false,
        }
    }
}

enum ItemBound<'t> {
    Type(&'t Type),
    Bounds(&'t [GenericBound]),
}

/// `Item = T` or `Item: Bounds` of an iterator bound.
fn item_constraint(trait_: &rustdoc_types::Path) -> Option<ItemBound<'_>> {
    let Some(GenericArgs::AngleBracketed { constraints, .. }) = trait_.args.as_deref() else {
        return None;
    };
    constraints
        .iter()
        .find(|c| c.name == "Item")
        .and_then(|c| match &c.binding {
            AssocItemConstraintKind::Equality(Term::Type(t)) => Some(ItemBound::Type(t)),
            AssocItemConstraintKind::Constraint(b) => Some(ItemBound::Bounds(b)),
            _ => None,
        })
}

/// The generic parameters `Q` of `Borrow<Q>` bounds.
fn borrowed_params(
    bounds: &[GenericBound],
    std_path: impl Fn(&Id) -> Option<String>,
) -> Vec<String> {
    bounds
        .iter()
        .filter_map(|b| match b {
            GenericBound::TraitBound { trait_, .. }
                if std_path(&trait_.id).as_deref() == Some("core::borrow::Borrow") =>
            {
                match type_args(trait_).first() {
                    Some(Type::Generic(q)) => Some(q.clone()),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect()
}

/// `Item` of an `impl Iterator<Item = T>` result.
pub(super) fn iterator_item(
    bounds: &[GenericBound],
    std_path: impl Fn(&Id) -> Option<String>,
) -> Option<&Type> {
    bounds.iter().find_map(|b| match b {
        GenericBound::TraitBound { trait_, .. }
            if std_path(&trait_.id).as_deref()
                == Some("core::iter::traits::iterator::Iterator") =>
        {
            match item_constraint(trait_)? {
                ItemBound::Type(t) => Some(t),
                ItemBound::Bounds(_) => None,
            }
        }
        _ => None,
    })
}

/// Whether a bound list includes `Display` (or `ToString`).
pub(super) fn is_display(
    bounds: &[GenericBound],
    std_path: impl Fn(&Id) -> Option<String>,
) -> bool {
    bounds.iter().any(|b| {
        matches!(b, GenericBound::TraitBound { trait_, .. }
            if matches!(std_path(&trait_.id).as_deref(), Some("core::fmt::Display" | "alloc::string::ToString")))
    })
}

/// Whether trait bounds mention the generic parameter `name` in their
/// arguments (`IntoIterator<Item = S>`, `AsRef<T>`).
fn bounds_mention(bounds: &[GenericBound], name: &str) -> bool {
    bounds.iter().any(|b| {
        let GenericBound::TraitBound { trait_, .. } = b else {
            return false;
        };
        match trait_.args.as_deref() {
            Some(GenericArgs::AngleBracketed { args, constraints }) => args.iter().any(
                |a| matches!(a, rustdoc_types::GenericArg::Type(t) if mentions_generic(t, name)),
            ) || constraints.iter().any(
                |c| match &c.binding {
                    AssocItemConstraintKind::Equality(Term::Type(t)) => mentions_generic(t, name),
                    AssocItemConstraintKind::Constraint(b) => bounds_mention(b, name),
                    _ => false,
                },
            ),
            _ => false,
        }
    })
}

/// Whether `ty` mentions the generic parameter `name`.
pub(super) fn mentions_generic(ty: &Type, name: &str) -> bool {
    match ty {
        Type::Generic(g) => g == name,
        Type::BorrowedRef { type_, .. } | Type::RawPointer { type_, .. } => {
            mentions_generic(type_, name)
        }
        Type::Slice(t) | Type::Array { type_: t, .. } => mentions_generic(t, name),
        Type::Tuple(ts) => ts.iter().any(|t| mentions_generic(t, name)),
        Type::ResolvedPath(p) => type_args(p).into_iter().any(|t| mentions_generic(t, name)),
        _ => false,
    }
}

/// Whether two types are the same but for their lifetimes (`Event<'a>`,
/// `Event<'input>`).
fn same_but_lifetimes(a: &Type, b: &Type) -> bool {
    match (a, b) {
        (Type::ResolvedPath(x), Type::ResolvedPath(y)) => {
            let (xs, ys) = (super::type_args(x), super::type_args(y));
            x.id == y.id
                && xs.len() == ys.len()
                && xs.iter().zip(&ys).all(|(p, q)| same_but_lifetimes(p, q))
        }
        (
            Type::BorrowedRef {
                is_mutable: m,
                type_: t,
                ..
            },
            Type::BorrowedRef {
                is_mutable: n,
                type_: u,
                ..
            },
        ) => m == n && same_but_lifetimes(t, u),
        (Type::Slice(t), Type::Slice(u)) => same_but_lifetimes(t, u),
        (Type::Tuple(ts), Type::Tuple(us)) => {
            ts.len() == us.len() && ts.iter().zip(us).all(|(t, u)| same_but_lifetimes(t, u))
        }
        _ => a == b,
    }
}

/// The one generic parameter that is not a lifetime, if there is exactly
/// one (`fn eval<T: Variant>`, `fn from_str<'de, T: Deserialize<'de>>`).
pub(super) fn only_type_param(g: &Generics) -> Option<&rustdoc_types::GenericParamDef> {
    let mut params = g
        .params
        .iter()
        .filter(|p| !matches!(p.kind, GenericParamDefKind::Lifetime { .. }));
    match (params.next(), params.next()) {
        (Some(p), None) => Some(p),
        _ => None,
    }
}
