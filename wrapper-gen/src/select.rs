//! `generate --only PATH,…`: keep just the named items (Rust paths such as
//! `regex::Regex`, `url::Url::parse` or a module `regex::bytes`) and the
//! types they need.

use std::collections::BTreeSet;

use crate::Error;
use crate::model::*;

/// The reason recorded for mapped items left out by `--only`.
pub const NOT_SELECTED: &str = "not selected with --only";

/// Whether Rust path `path` is one of `only` or inside one of them (a
/// type's methods, a module's items, a type's trait functions).
fn selected(only: &[String], path: &str) -> bool {
    only.iter().any(|p| {
        path == p || path.starts_with(&format!("{p}::")) || path.starts_with(&format!("<{p} as "))
    })
}

/// Keeps only the `only` items of `api` and the types they need; mapped
/// report entries left out get [`NOT_SELECTED`]. Fails for a path that
/// names no public item, suggesting the closest ones.
pub fn select(api: &mut Api, report: &mut [ReportItem], only: &[String]) -> Result<(), Error> {
    for path in only {
        if !report
            .iter()
            .any(|r| selected(std::slice::from_ref(path), &r.path))
        {
            return Err(Error::UnknownPath {
                path: path.clone(),
                suggestions: closest(path, report.iter().map(|r| r.path.as_str())),
            });
        }
    }
    for iface in &mut api.interfaces {
        iface.functions.retain(|f| selected(only, &f.rust));
    }
    // The types kept functions and selected types need, transitively.
    let mut needed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut work: Vec<(String, String)> = Vec::new();
    for iface in &api.interfaces {
        for t in iface.types.iter().filter(|t| selected(only, &t.rust)) {
            work.push((iface.name.clone(), t.wit.clone()));
        }
        for f in &iface.functions {
            if let Some(resource) = f.kind.resource() {
                work.push((iface.name.clone(), resource.clone()));
            }
            for ty in f.params.iter().map(|p| &p.ty).chain([&f.output]) {
                work.extend(named_in(ty));
            }
        }
    }
    while let Some(key) = work.pop() {
        if !needed.insert(key.clone()) {
            continue;
        }
        let def = api
            .interfaces
            .iter()
            .filter(|i| i.name == key.0)
            .flat_map(|i| &i.types)
            .find(|t| t.wit == key.1);
        if let Some(def) = def {
            for ty in field_types(def) {
                work.extend(named_in(ty));
            }
            // A struct-like variant case carries a generated record.
            if let TypeKind::Variant { cases, .. } = &def.kind {
                for c in cases {
                    if let Payload::Struct { record, .. } = &c.payload {
                        work.push((key.0.clone(), record.clone()));
                    }
                }
            }
        }
    }
    for iface in &mut api.interfaces {
        let name = iface.name.clone();
        iface
            .types
            .retain(|t| needed.contains(&(name.clone(), t.wit.clone())));
    }
    api.interfaces
        .retain(|i| !i.types.is_empty() || !i.functions.is_empty());

    let kept: BTreeSet<&str> = api
        .interfaces
        .iter()
        .flat_map(|i| {
            i.functions
                .iter()
                .map(|f| f.rust.as_str())
                .chain(i.types.iter().map(|t| t.rust.as_str()))
        })
        .collect();
    // A kept snapshot record keeps the accessors copied into it.
    let copied_into_kept = |item: &ReportItem| {
        item.wit
            .as_deref()
            .is_some_and(|w| w.ends_with("(copied field)"))
            && item
                .path
                .rsplit_once("::")
                .is_some_and(|(owner, _)| kept.contains(owner))
    };
    for item in report.iter_mut() {
        if item.wit.is_some() && !kept.contains(item.path.as_str()) && !copied_into_kept(item) {
            item.wit = None;
            item.skipped = Some(NOT_SELECTED.into());
        }
    }
    Ok(())
}

/// Up to three public paths closest to `wanted`.
fn closest<'a>(wanted: &str, paths: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> =
        paths.map(|p| (strsim::levenshtein(wanted, p), p)).collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, p)| p.to_string())
        .collect()
}

/// `(interface, wit name)` of the named types in `ty`.
fn named_in(ty: &Ty) -> Vec<(String, String)> {
    let mut named = Vec::new();
    crate::api::collect_named(ty, &mut named);
    named
        .into_iter()
        .map(|n| (n.interface.clone(), n.wit.clone()))
        .collect()
}

fn field_types(def: &TypeDef) -> Vec<&Ty> {
    match &def.kind {
        TypeKind::Record { fields, .. } => fields.iter().map(|f| &f.ty).collect(),
        TypeKind::Snapshot { fields, .. } => fields.iter().map(|f| &f.ty).collect(),
        TypeKind::Variant { cases, .. } => cases
            .iter()
            .flat_map(|c| match &c.payload {
                Payload::None => Vec::new(),
                Payload::Tuple(ts) => ts.iter().collect(),
                Payload::Struct { fields, .. } => fields.iter().map(|f| &f.ty).collect(),
            })
            .collect(),
        _ => Vec::new(),
    }
}
