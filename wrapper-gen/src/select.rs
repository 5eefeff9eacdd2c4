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
/// names no public item, suggesting the closest ones. In an AWS SDK
/// component an entry may also name an operation (`describe-instances`,
/// `describe_instances` or `DescribeInstances`): the client keeps its
/// constructor and that operation's method.
pub fn select(api: &mut Api, report: &mut [ReportItem], only: &[String]) -> Result<(), Error> {
    let operations: Vec<(String, String)> = api
        .interfaces
        .iter()
        .flat_map(|i| &i.functions)
        .filter(|f| crate::api::smithy::is_operation(f))
        .map(|f| (f.wit.clone(), f.rust.clone()))
        .collect();
    let mut paths = Vec::new();
    for path in only {
        let wanted = crate::names::kebab(path);
        if let Some((_, rust)) = operations.iter().find(|(wit, _)| *wit == wanted) {
            paths.push(rust.clone());
            continue;
        }
        if !report
            .iter()
            .any(|r| selected(std::slice::from_ref(path), &r.path))
        {
            let names = report
                .iter()
                .map(|r| r.path.as_str())
                .chain(operations.iter().map(|(wit, _)| wit.as_str()));
            return Err(Error::UnknownPath {
                path: path.clone(),
                suggestions: closest(path, names),
            });
        }
        paths.push(path.clone());
    }
    let operation_selected = paths
        .iter()
        .any(|p| operations.iter().any(|(_, rust)| rust == p));
    retain(
        api,
        report,
        |f| {
            selected(&paths, &f.rust)
                || operation_selected && crate::api::smithy::is_client_constructor(f)
        },
        |t| selected(&paths, &t.rust),
        NOT_SELECTED,
    );
    Ok(())
}

/// Keeps the functions `keep_fn` accepts, the types `keep_type` accepts and
/// the types both need, transitively; mapped report entries left out get
/// `reason`.
pub fn retain(
    api: &mut Api,
    report: &mut [ReportItem],
    keep_fn: impl Fn(&Function) -> bool,
    keep_type: impl Fn(&TypeDef) -> bool,
    reason: &str,
) {
    for iface in &mut api.interfaces {
        iface.functions.retain(&keep_fn);
    }
    // The types kept functions and selected types need, transitively.
    let mut needed: BTreeSet<(String, String)> = BTreeSet::new();
    let mut work: Vec<(String, String)> = Vec::new();
    for iface in &api.interfaces {
        for t in iface.types.iter().filter(|t| keep_type(t)) {
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

    // A function's Rust path, without the note some recipes add
    // (`… (sends the operation's input)`).
    let kept: BTreeSet<&str> = api
        .interfaces
        .iter()
        .flat_map(|i| {
            i.functions
                .iter()
                .map(|f| f.rust.split(" (").next().unwrap_or_default())
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
            item.skipped = Some(reason.into());
        }
    }
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
                Payload::None | Payload::Braces => Vec::new(),
                Payload::Tuple(ts) => ts.iter().collect(),
                Payload::Struct { fields, .. } => fields.iter().map(|f| &f.ty).collect(),
            })
            .collect(),
        _ => Vec::new(),
    }
}
