//! Serde entry points: `toml::from_str<T: DeserializeOwned>(s: &str)` or
//! `to_string<T: Serialize>(value: &T)` have no single obvious type for `T`
//! (the caller picks it), but a data-format crate defines its own types
//! that implement the serde traits (`toml::Value`, `toml_datetime::Datetime`).
//! Such a function is exported once per such type, named after it:
//! `from-str-value`, `from-str-datetime`, `to-string-value`.
//!
//! A parameter bounded only by `Serialize` (`render(template, ctx: S)`)
//! also takes any value as JSON text (`serde_json::Value`), under the
//! function's own name.

use rustdoc_types::{GenericBound, GenericParamDefKind, Item, ItemEnum, TraitBoundModifier};

use super::generics::Scope;
use super::{Decided, Mapper};
use crate::model::*;
use crate::names::kebab;

/// Which serde trait a bound names, by the end of its path (serde's items
/// live in `serde_core` or `serde`).
fn serde_trait(path: &str) -> Option<&'static str> {
    if path.ends_with("de::DeserializeOwned") || path.ends_with("de::Deserialize") {
        Some("de::Deserialize")
    } else if path.ends_with("ser::Serialize") {
        Some("ser::Serialize")
    } else {
        None
    }
}

impl Mapper<'_> {
    /// One function per crate type satisfying the serde bounds of `item`'s
    /// single type parameter, with the WIT name suffix for each; `None` when
    /// the function is not a serde entry point.
    pub(super) fn serde_instances(
        &self,
        item: &Item,
        owner: Option<(&rustdoc_types::Id, NamedKind)>,
        path: &str,
    ) -> Option<Vec<(String, Function)>> {
        let ItemEnum::Function(func) = &item.inner else {
            return None;
        };
        // The one type parameter bounded by serde's traits alone (others,
        // `W: io::Write` of `to_writer`, are instantiated as usual).
        let mut serde_params = func
            .generics
            .params
            .iter()
            .filter_map(|p| Some((p, self.serde_bounds(func, p)?)));
        let (param, needed) = serde_params.next()?;
        if serde_params.next().is_some() {
            return None;
        }
        // `to_writer::<_, Value>`: the other parameters are inferred
        // (explicit arguments are not allowed next to `impl Trait` ones).
        let mut args = Vec::new();
        for p in &func.generics.params {
            match &p.kind {
                GenericParamDefKind::Type {
                    is_synthetic: true, ..
                } => return None,
                GenericParamDefKind::Type { .. } if p.name == param.name => args.push(None),
                GenericParamDefKind::Type { .. } => args.push(Some("_")),
                _ => {}
            }
        }
        let turbofish = |ty: &str| -> String {
            let args: Vec<&str> = args.iter().map(|a| a.unwrap_or(ty)).collect();
            format!("{path}::<{}>", args.join(", "))
        };
        let mut out = Vec::new();
        if needed.iter().all(|n| *n == "ser::Serialize") {
            let mut scope = owner.map_or_else(Scope::default, |(id, _)| self.scope_of(id));
            scope.subst.insert(param.name.clone(), Ty::Std(StdTy::Json));
            if let Ok(mut f) = self.function_in(item, owner, scope, path) {
                f.callee = turbofish("serde_json::Value");
                out.push((String::new(), f));
            }
        }
        for t in &self.types {
            if !matches!(t.decided, Decided::Kind(k) if k != NamedKind::Snapshot) {
                continue;
            }
            let traits = self.traits_of(&t.id);
            if !needed
                .iter()
                .all(|n| traits.iter().any(|have| have.ends_with(n)))
            {
                continue;
            }
            let mut scope = owner.map_or_else(Scope::default, |(id, _)| self.scope_of(id));
            let Ok(named) = self.named(&t.id) else {
                continue;
            };
            scope.subst.insert(param.name.clone(), Ty::Named(named));
            if let Ok(mut f) = self.function_in(item, owner, scope, path) {
                f.callee = turbofish(&t.path);
                out.push((kebab(&t.wit), f));
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// The serde traits bounding type parameter `param` of `func`, when
    /// they are all its bounds (besides `Sized` / `?Sized`).
    fn serde_bounds(
        &self,
        func: &rustdoc_types::Function,
        param: &rustdoc_types::GenericParamDef,
    ) -> Option<Vec<&'static str>> {
        let GenericParamDefKind::Type {
            bounds,
            is_synthetic: false,
            ..
        } = &param.kind
        else {
            return None;
        };
        let all_bounds = bounds
            .iter()
            .chain(func.generics.where_predicates.iter().flat_map(|w| match w {
                rustdoc_types::WherePredicate::BoundPredicate {
                    type_: rustdoc_types::Type::Generic(g),
                    bounds,
                    ..
                } if *g == param.name => bounds.as_slice(),
                _ => &[],
            }));
        let mut needed = Vec::new();
        for b in all_bounds {
            let GenericBound::TraitBound {
                trait_, modifier, ..
            } = b
            else {
                continue;
            };
            if *modifier == TraitBoundModifier::Maybe {
                continue;
            }
            let trait_path = self
                .std_path(&trait_.id)
                .unwrap_or_else(|| trait_.path.clone());
            match serde_trait(&trait_path) {
                Some(t) => needed.push(t),
                None if trait_path == "core::marker::Sized" => {}
                None => return None,
            }
        }
        (!needed.is_empty()).then_some(needed)
    }
}

/// Reads a serde value's JSON text (a trap on text that is not JSON, like
/// any argument the guest cannot take).
pub const JSON_GLUE: &str = r#"
fn lift_json(text: String) -> serde_json::Value {
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("expected JSON text: {e}"))
}
"#;
