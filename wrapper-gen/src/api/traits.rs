//! Standard trait impls worth exposing as functions: `Display` →
//! `to-string`, `FromStr` → `parse`, `Default` → `default`, `Clone` →
//! `clone`, `PartialEq` → `eq`, `Ord` → `compare`, `Hash` → `hash`.
//!
//! Resources get methods (`clone` and `eq` and `hash` only make sense on a
//! handle); records, variants and string forms get `<type>-<name>`
//! functions where the trait adds something a WIT value does not already
//! have (its text, its parser, its default, its order).

use rustdoc_types::{Id, Type};

use super::Mapper;
use crate::model::*;
use crate::names::{Namespace, kebab};

/// One exposed trait: its path, the function name, and where it applies.
struct Exposed {
    trait_path: &'static str,
    /// Short trait name for the report.
    label: &'static str,
    /// The trait's method.
    method: &'static str,
    /// The exported function's name.
    name: &'static str,
    /// Resources only (values have these natively).
    resource_only: bool,
}

const EXPOSED: &[Exposed] = &[
    Exposed {
        trait_path: "core::fmt::Display",
        label: "Display",
        method: "to_string",
        name: "to_string",
        resource_only: false,
    },
    Exposed {
        trait_path: "core::str::traits::FromStr",
        label: "FromStr",
        method: "from_str",
        name: "parse",
        resource_only: false,
    },
    Exposed {
        trait_path: "core::default::Default",
        label: "Default",
        method: "default",
        name: "default",
        resource_only: false,
    },
    Exposed {
        trait_path: "core::clone::Clone",
        label: "Clone",
        method: "clone",
        name: "clone",
        resource_only: true,
    },
    Exposed {
        trait_path: "core::cmp::PartialEq",
        label: "PartialEq",
        method: "eq",
        name: "eq",
        resource_only: true,
    },
    Exposed {
        trait_path: "core::cmp::Ord",
        label: "Ord",
        method: "cmp",
        name: "compare",
        resource_only: false,
    },
    Exposed {
        trait_path: "core::iter::traits::iterator::Iterator",
        label: "Iterator",
        method: "next",
        name: "next",
        resource_only: true,
    },
    Exposed {
        trait_path: "core::hash::Hash",
        label: "Hash",
        method: "hash",
        name: "hash",
        resource_only: true,
    },
];

impl Mapper<'_> {
    /// The exposed trait functions of type `i`, named after its inherent
    /// ones (an inherent function of the same name wins).
    pub(super) fn trait_methods(
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
        let named = self.named(&id).expect("decided");
        let resource = kind == NamedKind::Resource;
        let mut out = Vec::new();
        for e in EXPOSED {
            if (e.resource_only && !resource)
                || (kind == NamedKind::Text && e.trait_path == "core::fmt::Display")
                || !self.implements(&id, e.trait_path)
                || !self.usable_impl(&id, e.trait_path)
            {
                continue;
            }
            let taken = if resource {
                method_ns.is_taken(&kebab(e.name))
            } else {
                ns.is_taken(&format!("{type_wit}-{}", kebab(e.name)))
            };
            if taken {
                continue;
            }
            let Some(mut f) = self.trait_function(e, &id, &type_path, &named) else {
                continue;
            };
            let wit = self.place(&mut f, kind, &type_wit, e.name, ns, method_ns);
            self.mapped(
                f.rust.clone(),
                &format!("trait method ({})", e.label),
                format!("{iface}.{wit}"),
            );
            out.push(f);
        }
        out
    }

    /// Whether the trait impl can be called the way [`EXPOSED`] calls it:
    /// `PartialEq` against `Self`, and a `FromStr` error that can be shown.
    fn usable_impl(&self, id: &Id, trait_path: &str) -> bool {
        self.trait_impls(id)
            .filter(|(path, _)| path == trait_path)
            .any(|(_, imp)| match trait_path {
                "core::cmp::PartialEq" => {
                    let args = imp
                        .trait_
                        .as_ref()
                        .map(super::type_args)
                        .unwrap_or_default();
                    args.is_empty()
                        || matches!(args[0], Type::Generic(g) if g == "Self")
                        || matches!(args[0], Type::ResolvedPath(p) if p.id == *id)
                }
                "core::str::traits::FromStr" => match self.assoc_type(imp, "Err") {
                    Some(Type::ResolvedPath(p)) if self.type_index.contains_key(&p.id) => {
                        self.implements(&p.id, "core::fmt::Debug")
                    }
                    Some(_) => true,
                    None => false,
                },
                _ => true,
            })
    }

    fn trait_function(
        &self,
        e: &Exposed,
        id: &Id,
        type_path: &str,
        named: &Named,
    ) -> Option<Function> {
        let this = || Ty::Ref {
            mutable: false,
            inner: Box::new(Ty::Named(named.clone())),
        };
        let receiver = |name: &str| Param {
            wit: name.into(),
            ty: this(),
        };
        let (callee, params, output) = match e.name {
            "to_string" => (
                format!("<{type_path} as std::string::ToString>::to_string"),
                vec![receiver("self")],
                Ty::Str(StrKind::String),
            ),
            "parse" => (
                format!("<{type_path} as std::str::FromStr>::from_str"),
                vec![Param {
                    wit: "s".into(),
                    ty: Ty::Str(StrKind::Ref),
                }],
                Ty::Result(Box::new(Ty::Named(named.clone()))),
            ),
            "default" => (
                format!("<{type_path} as std::default::Default>::default"),
                vec![],
                Ty::Named(named.clone()),
            ),
            "clone" => (
                format!("<{type_path} as std::clone::Clone>::clone"),
                vec![receiver("self")],
                Ty::Named(named.clone()),
            ),
            "eq" => (
                format!("<{type_path} as std::cmp::PartialEq>::eq"),
                vec![receiver("self"), receiver("other")],
                Ty::Prim("bool".into()),
            ),
            "compare" => (
                format!("<{type_path} as std::cmp::Ord>::cmp"),
                vec![receiver("self"), receiver("other")],
                Ty::Std(StdTy::Ordering),
            ),
            "hash" => (
                "hash_of".into(),
                vec![receiver("self")],
                Ty::Prim("u64".into()),
            ),
            // An owned iterator: the host pulls items one at a time.
            "next" => {
                let item = self.iterator_item(id)?;
                let item = self.ty(&item, &self.scope_of(id)).ok()?;
                if !self.lowerable(&item) {
                    return None;
                }
                (
                    format!("<{type_path} as std::iter::Iterator>::next"),
                    vec![Param {
                        wit: "self".into(),
                        ty: Ty::Ref {
                            mutable: true,
                            inner: Box::new(Ty::Named(named.clone())),
                        },
                    }],
                    Ty::Option(Box::new(item)),
                )
            }
            other => unreachable!("not an exposed trait function: {other}"),
        };
        Some(Function {
            wit: String::new(),
            rust: format!("<{type_path} as {}>::{}", e.label, e.method),
            callee,
            kind: FuncKind::Free,
            params,
            output,
            updates: Vec::new(),
            value: false,
            is_async: false,
        })
    }
}
