//! Implementations of the crate's own traits.
//!
//! An extension trait such as `unicode_segmentation::UnicodeSegmentation`
//! (implemented for `str`) or `heck::ToKebabCase` is most of its crate's
//! API. Its methods are exported where the implementing type lives: as
//! methods of a crate type, or, for a type the crate does not define, as
//! functions of the trait's interface taking that type first (`graphemes:
//! func(this: string, is-extended: bool) -> list<string>`). A blanket impl
//! (`impl<T: AsRef<str>> Trait for T`) is instantiated like a generic
//! function.

use std::collections::BTreeSet;

use rustdoc_types::{GenericParamDefKind, Id, Item, ItemEnum, Type};

use super::Mapper;
use super::generics::Scope;
use crate::model::*;
use crate::names::{Namespace, kebab};

impl<'a> Mapper<'a> {
    /// The crate's public trait with this id: its module and Rust path.
    fn own_trait(&self, id: &Id) -> Option<(usize, String)> {
        self.traits
            .iter()
            .find(|(_, t, _)| t == id)
            .map(|(m, _, p)| (*m, p.clone()))
    }

    /// The functions of one trait impl: the impl's own, then the trait's
    /// provided ones it does not override. Empty for a generic trait.
    fn impl_fns(&self, imp: &rustdoc_types::Impl, trait_id: &Id) -> Vec<(String, &'a Item)> {
        let Some(ItemEnum::Trait(tr)) = self.item(trait_id).map(|i| &i.inner) else {
            return Vec::new();
        };
        if tr
            .generics
            .params
            .iter()
            .any(|p| !matches!(p.kind, GenericParamDefKind::Lifetime { .. }))
        {
            return Vec::new();
        }
        let mut out: Vec<(String, &'a Item)> = imp
            .items
            .iter()
            .filter_map(|id| self.item(id))
            .filter(|i| matches!(i.inner, ItemEnum::Function(_)))
            .map(|i| (i.name.clone().unwrap_or_default(), i))
            .collect();
        let provided: BTreeSet<&String> = imp.provided_trait_methods.iter().collect();
        out.extend(
            tr.items
                .iter()
                .filter_map(|id| self.item(id))
                .filter(|i| matches!(i.inner, ItemEnum::Function(_)))
                .filter(|i| i.name.as_ref().is_some_and(|n| provided.contains(n)))
                .map(|i| (i.name.clone().unwrap_or_default(), i)),
        );
        out
    }

    /// Whether rustdoc lists the (blanket) impl among a crate type's, itself
    /// or as the blanket impl of the same trait applied to that type (a
    /// re-exported trait's `impl<D: FixedOutput> Digest for D`, listed on
    /// `Sha256` as its own impl item).
    fn applies_to_own_type(&self, impl_id: &Id) -> bool {
        // By name: a re-exported trait has one id (and path) in the crate's
        // JSON and another in its own crate's, merged in.
        let trait_of = |id: &Id| match self.item(id).map(|i| &i.inner) {
            Some(ItemEnum::Impl(imp)) => imp
                .trait_
                .as_ref()
                .and_then(|t| t.path.rsplit("::").next().map(str::to_string)),
            _ => None,
        };
        let wanted = trait_of(impl_id);
        self.types.iter().any(|t| {
            self.impls_of(&t.id).iter().any(|i| {
                i == impl_id
                    || (wanted.is_some()
                        && trait_of(i) == wanted
                        && matches!(self.item(i).map(|i| &i.inner),
                            Some(ItemEnum::Impl(imp)) if imp.blanket_impl.is_some()))
            })
        })
    }

    /// Methods of the crate's own traits implemented for type `i`.
    pub(super) fn own_trait_methods(
        &mut self,
        i: usize,
        kind: NamedKind,
        ns: &mut Namespace,
        method_ns: &mut Namespace,
    ) -> Vec<Function> {
        let super::TypeRef {
            id,
            path: type_path,
            wit: type_wit,
            iface,
        } = self.type_ref(i);
        let mut out = Vec::new();
        for impl_id in self.impls_of(&id) {
            let Some(ItemEnum::Impl(imp)) = self.item(impl_id).map(|i| &i.inner) else {
                continue;
            };
            let Some(trait_) = &imp.trait_ else { continue };
            if imp.is_synthetic || imp.is_negative {
                continue;
            }
            let Some((_, trait_path)) = self.own_trait(&trait_.id) else {
                continue;
            };
            // `impl<D: FixedOutput + Default> Digest for D`: rustdoc lists
            // a blanket impl with a type only where its bounds hold, so its
            // parameter is that type.
            let blanket = match &imp.blanket_impl {
                Some(Type::Generic(g)) => Some(g.clone()),
                Some(_) => continue,
                None => None,
            };
            for (name, item) in self.impl_fns(imp, &trait_.id) {
                let path = format!("<{type_path} as {trait_path}>::{name}");
                let report_kind = if super::has_self(item) {
                    "method"
                } else {
                    "associated function"
                };
                let mut scope = self.scope_of(&id);
                if let Some(g) = &blanket {
                    match self.named(&id) {
                        Ok(named) => scope.subst.insert(g.clone(), Ty::Named(named)),
                        Err(reason) => {
                            self.skip(path, report_kind, reason);
                            continue;
                        }
                    };
                }
                match self.function_in(item, Some((&id, kind)), scope, &path) {
                    Ok(mut f) => {
                        let wit = self.place(&mut f, kind, &type_wit, &name, ns, method_ns);
                        self.mapped(path, report_kind, format!("{iface}.{wit}"));
                        out.push(f);
                    }
                    Err(reason) => self.skip(path, report_kind, reason),
                }
            }
        }
        out
    }

    /// Functions of trait `t`'s impls for types the crate does not define,
    /// and the trait's own report entry.
    pub(super) fn foreign_impls(&mut self, t: usize, ns: &mut Namespace) -> Vec<Function> {
        let (module, trait_id, trait_path) = self.traits[t].clone();
        let iface = self.modules[module].wit.clone();
        let Some(ItemEnum::Trait(tr)) = self.item(&trait_id).map(|i| &i.inner) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if self.input_traits.contains(&trait_id) {
            // `R: Replacer`: the trait is how the crate accepts arguments;
            // its impls instantiate those parameters instead.
            self.skip(
                trait_path,
                "trait",
                "bounds generic parameters of the crate's functions (its implementation for `String` or `Vec<u8>` instantiates them); its own methods are not exported",
            );
            return out;
        }
        for impl_id in &tr.implementations {
            let Some(ItemEnum::Impl(imp)) = self.item(impl_id).map(|i| &i.inner) else {
                continue;
            };
            if imp.is_synthetic || imp.is_negative {
                continue;
            }
            // The crate's own types export these with their methods; a
            // blanket impl too, where it applies to one of them.
            if matches!(&imp.for_, Type::ResolvedPath(p) if self.type_index.contains_key(&p.id))
                || ((imp.blanket_impl.is_some() || matches!(imp.for_, Type::Generic(_)))
                    && self.applies_to_own_type(impl_id))
            {
                continue;
            }
            let mut scope = Scope {
                self_type: Some(imp.for_.clone()),
                unsized_str: true,
                ..Scope::default()
            };
            let for_self = [("self".to_string(), imp.for_.clone())];
            let prepared = self
                .instantiate(&imp.generics, &for_self, &mut scope)
                .and_then(|()| {
                    self.spell(&imp.for_, &scope)
                        .ok_or_else(|| "implemented for a type compwrap cannot name".to_string())
                });
            for (name, item) in self.impl_fns(imp, &trait_id) {
                let spelled = prepared.as_deref().unwrap_or("_");
                let path = format!("<{spelled} as {trait_path}>::{name}");
                let result = prepared
                    .clone()
                    .and_then(|_| self.function_in(item, None, scope.clone(), &path));
                match result {
                    Ok(mut f) => {
                        f.wit = ns.claim(&kebab(&name));
                        f.callee = path.clone();
                        self.mapped(path, "method", format!("{iface}.{}", f.wit));
                        out.push(f);
                    }
                    Err(reason) => self.skip(path, "method", reason),
                }
            }
        }
        let implemented = format!(" as {trait_path}>::");
        if self.type_index.contains_key(&trait_id) {
            // Reported as the enum of its implementations.
        } else if self
            .report
            .iter()
            .any(|r| r.wit.is_some() && r.path.contains(&implemented))
        {
            self.mapped(
                trait_path,
                "trait",
                format!("{iface} (the methods of its implementations)"),
            );
        } else {
            self.skip(
                trait_path,
                "trait",
                "no method of its implementations maps (traits themselves are not exported)",
            );
        }
        out
    }

    /// The Rust spelling of an impl's `Self` type, for a qualified call.
    fn spell(&self, ty: &Type, scope: &Scope) -> Option<String> {
        match ty {
            Type::Primitive(p) => Some(p.clone()),
            Type::Slice(t) => Some(format!("[{}]", self.spell(t, scope)?)),
            Type::BorrowedRef {
                is_mutable: false,
                type_,
                ..
            } => Some(format!("&{}", self.spell(type_, scope)?)),
            Type::Generic(g) => spell_ty(scope.subst.get(g)?),
            Type::ResolvedPath(p) => match self.std_path(&p.id)?.as_str() {
                "alloc::string::String" => Some("String".into()),
                "std::path::PathBuf" => Some("std::path::PathBuf".into()),
                "alloc::vec::Vec" => {
                    let arg = super::type_args(p).first().copied()?;
                    Some(format!("Vec<{}>", self.spell(arg, scope)?))
                }
                _ => None,
            },
            _ => None,
        }
    }
}

/// The Rust spelling of an instantiation compwrap picked.
fn spell_ty(ty: &Ty) -> Option<String> {
    match ty {
        Ty::Prim(p) => Some(p.clone()),
        Ty::Str(StrKind::String) => Some("String".into()),
        Ty::Str(StrKind::Ref) => Some("str".into()),
        Ty::Str(StrKind::PathBuf) => Some("std::path::PathBuf".into()),
        Ty::List(t, ListKind::Vec) => Some(format!("Vec<{}>", spell_ty(t)?)),
        _ => None,
    }
}
