//! Interface layout: WIT interfaces may not `use` each other in a cycle,
//! while Rust modules often do (`uuid::fmt::Simple` wraps `uuid::Uuid`,
//! whose methods return `fmt::Simple`). Every cycle of interfaces is merged
//! into its member with the shortest Rust module path; names that collide
//! there are renamed as everywhere else (`-vN`) and the report follows.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::*;
use crate::names::Namespace;

/// Merges interface cycles until the interface graph is acyclic.
pub fn merge_cycles(api: &mut Api, report: &mut [ReportItem]) {
    while let Some(cycle) = find_cycle(&api.interfaces) {
        let target = cycle
            .iter()
            .min_by_key(|name| {
                let i = &api.interfaces[index(api, name)];
                (i.rust_module.matches("::").count(), i.rust_module.clone())
            })
            .expect("a cycle has members")
            .clone();
        for from in cycle.iter().filter(|n| **n != target) {
            move_into(api, from, &target, report);
        }
        api.interfaces
            .retain(|i| !i.types.is_empty() || !i.functions.is_empty());
    }
}

fn index(api: &Api, name: &str) -> usize {
    api.interfaces
        .iter()
        .position(|i| i.name == name)
        .expect("interface exists")
}

/// The interfaces each interface uses types from.
fn edges(interfaces: &[Interface]) -> BTreeMap<String, BTreeSet<String>> {
    interfaces
        .iter()
        .map(|i| {
            (
                i.name.clone(),
                crate::wit::foreign_types(i).into_keys().collect(),
            )
        })
        .collect()
}

/// One cycle of interfaces, if any.
fn find_cycle(interfaces: &[Interface]) -> Option<Vec<String>> {
    let edges = edges(interfaces);
    let mut done = BTreeSet::new();
    for start in edges.keys() {
        let mut path = Vec::new();
        if let Some(cycle) = dfs(start, &edges, &mut path, &mut done) {
            return Some(cycle);
        }
    }
    None
}

fn dfs(
    node: &str,
    edges: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    done: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|p| p == node) {
        return Some(path[at..].to_vec());
    }
    if done.contains(node) {
        return None;
    }
    path.push(node.to_string());
    for next in edges.get(node).into_iter().flatten() {
        if let Some(cycle) = dfs(next, edges, path, done) {
            return Some(cycle);
        }
    }
    path.pop();
    done.insert(node.to_string());
    None
}

/// Moves every item of interface `from` into `to`.
pub fn move_into(api: &mut Api, from: &str, to: &str, report: &mut [ReportItem]) {
    let source = index(api, from);
    let moved = std::mem::replace(
        &mut api.interfaces[source],
        Interface {
            name: from.into(),
            rust_module: String::new(),
            types: vec![],
            functions: vec![],
        },
    );
    let target = index(api, to);
    let mut ns = Namespace::default();
    for t in &api.interfaces[target].types {
        ns.claim(&t.wit);
    }
    for f in api.interfaces[target]
        .functions
        .iter()
        .filter(|f| f.kind == FuncKind::Free)
    {
        ns.claim(&f.wit);
    }
    // (interface, name) → new name, for types and free functions.
    let mut renames: BTreeMap<(String, String), String> = BTreeMap::new();
    for t in &moved.types {
        renames.insert((from.into(), t.wit.clone()), ns.claim(&t.wit));
    }
    for f in moved.functions.iter().filter(|f| f.kind == FuncKind::Free) {
        renames.insert((from.into(), f.wit.clone()), ns.claim(&f.wit));
    }
    let rename = |name: &str| renames[&(from.to_string(), name.to_string())].clone();
    let mut types = moved.types;
    for t in &mut types {
        t.wit = rename(&t.wit);
        if let TypeKind::Variant { cases, .. } = &mut t.kind {
            for c in cases {
                if let Payload::Struct { record, .. } = &mut c.payload {
                    *record = rename(record);
                }
            }
        }
    }
    let mut functions = moved.functions;
    for f in &mut functions {
        match &mut f.kind {
            FuncKind::Free => f.wit = rename(&f.wit),
            FuncKind::Constructor(r) | FuncKind::Static(r) | FuncKind::Method(r) => *r = rename(r),
        }
    }
    let to_iface = &mut api.interfaces[target];
    to_iface.types.extend(types);
    to_iface.functions.extend(functions);
    for iface in &mut api.interfaces {
        for_each_ty(iface, &mut |ty| retarget(ty, from, to, &renames));
    }
    for item in report.iter_mut() {
        if let Some(wit) = &mut item.wit {
            *wit = rewrite_report_name(wit, from, to, &renames);
        }
    }
}

fn retarget(ty: &mut Ty, from: &str, to: &str, renames: &BTreeMap<(String, String), String>) {
    match ty {
        Ty::Named(n) => {
            if let Some(new) = renames.get(&(n.interface.clone(), n.wit.clone())) {
                n.interface = to.into();
                n.wit = new.clone();
            }
            debug_assert!(n.interface != from, "every type of `{from}` was moved");
        }
        Ty::List(t, _)
        | Ty::Option(t)
        | Ty::Result(t)
        | Ty::Boxed(_, t)
        | Ty::Ref { inner: t, .. } => retarget(t, from, to, renames),
        Ty::SdkResult(ok, err) => {
            retarget(ok, from, to, renames);
            retarget(err, from, to, renames);
        }
        Ty::Tuple(ts) => ts.iter_mut().for_each(|t| retarget(t, from, to, renames)),
        Ty::Unit | Ty::Prim(_) | Ty::Size { .. } | Ty::Str(_) | Ty::Std(_) => {}
    }
}

/// Applies `f` to every type expression in an interface.
fn for_each_ty(iface: &mut Interface, f: &mut impl FnMut(&mut Ty)) {
    for t in &mut iface.types {
        match &mut t.kind {
            TypeKind::Record { fields, .. } => fields.iter_mut().for_each(|x| f(&mut x.ty)),
            TypeKind::Snapshot { fields, .. } => fields.iter_mut().for_each(|x| f(&mut x.ty)),
            TypeKind::Variant { cases, .. } => {
                for c in cases {
                    match &mut c.payload {
                        Payload::Tuple(ts) => ts.iter_mut().for_each(&mut *f),
                        Payload::Struct { fields, .. } => {
                            fields.iter_mut().for_each(|x| f(&mut x.ty))
                        }
                        Payload::None | Payload::Braces => {}
                    }
                }
            }
            TypeKind::Json { cases, .. } => cases
                .iter_mut()
                .filter_map(|c| c.payload.as_mut())
                .for_each(&mut *f),
            TypeKind::Seq { item } => f(item),
            TypeKind::Implementors { .. } => {}
            TypeKind::Enum { .. } | TypeKind::Resource | TypeKind::Text => {}
        }
    }
    for func in &mut iface.functions {
        func.params.iter_mut().for_each(|p| f(&mut p.ty));
        f(&mut func.output);
    }
}

/// `fmt.[method]simple.as-uuid` → `uuid.[method]simple.as-uuid`, with the
/// item's own name renamed when it collided.
fn rewrite_report_name(
    wit: &str,
    from: &str,
    to: &str,
    renames: &BTreeMap<(String, String), String>,
) -> String {
    let Some(rest) = wit.strip_prefix(&format!("{from}.")) else {
        return wit.to_string();
    };
    let (bracket, rest) = match rest.split_once(']') {
        Some((b, r)) if rest.starts_with('[') => (format!("{b}]"), r),
        _ => (String::new(), rest),
    };
    let end = rest.find(['.', ' ']).unwrap_or(rest.len());
    let (name, tail) = rest.split_at(end);
    let name = renames
        .get(&(from.to_string(), name.to_string()))
        .map_or(name, String::as_str);
    format!("{to}.{bracket}{name}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(interface: &str, wit: &str) -> Ty {
        Ty::Named(Named {
            interface: interface.into(),
            wit: wit.into(),
            rust: format!("c::{wit}"),
            kind: NamedKind::Record,
        })
    }

    fn record(wit: &str, field: Ty) -> TypeDef {
        TypeDef {
            wit: wit.into(),
            rust: format!("c::{wit}"),
            kind: TypeKind::Record {
                fields: vec![Field {
                    wit: "f".into(),
                    rust: "f".into(),
                    ty: field,
                }],
                tuple: false,
                synthetic: false,
                open: false,
                from_default: false,
                from_builder: None,
            },
        }
    }

    #[test]
    fn merges_a_cycle_into_the_shallowest_module_and_renames_collisions() {
        let a = Interface {
            name: "c".into(),
            rust_module: "c".into(),
            types: vec![record("x", named("sub", "x"))],
            functions: vec![],
        };
        let b = Interface {
            name: "sub".into(),
            rust_module: "c::sub".into(),
            types: vec![record("x", named("c", "x"))],
            functions: vec![],
        };
        let mut api = Api {
            rust_name: "c".into(),
            package: "c".into(),
            version: "1.0.0".into(),
            interfaces: vec![a, b],
            smithy: false,
        };
        let mut report = vec![ReportItem {
            path: "c::sub::X".into(),
            kind: "struct".into(),
            wit: Some("sub.x".into()),
            skipped: None,
        }];
        merge_cycles(&mut api, &mut report);
        assert_eq!(api.interfaces.len(), 1);
        let names: Vec<&str> = api.interfaces[0]
            .types
            .iter()
            .map(|t| t.wit.as_str())
            .collect();
        assert_eq!(names, ["x", "x-v2"]);
        assert_eq!(report[0].wit.as_deref(), Some("c.x-v2"));
        let TypeKind::Record { fields, .. } = &api.interfaces[0].types[0].kind else {
            panic!()
        };
        let Ty::Named(n) = &fields[0].ty else {
            panic!()
        };
        assert_eq!(
            (n.interface.as_str(), n.wit.as_str()),
            ("c", "x-v2"),
            "references follow the rename"
        );
        assert!(find_cycle(&api.interfaces).is_none());
    }
}
