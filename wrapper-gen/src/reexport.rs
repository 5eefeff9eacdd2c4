//! Items a crate re-exports from its dependencies.
//!
//! `toml::value::Datetime` is `pub use toml_datetime::Datetime`: rustdoc
//! describes it only in `toml_datetime`'s own JSON, and in `toml`'s JSON it
//! is just a path. compwrap documents each dependency a crate re-exports
//! from, renumbers the dependency's item ids past the crate's own, points
//! the crate's references at them, and merges the two indexes, so the
//! mapper sees one crate in which the re-exported items are ordinary items.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

/// Crates of the standard library: their items have built-in mappings.
const STD_CRATES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// Names of the non-standard crates `krate` publicly re-exports items from.
pub fn reexported_crates(krate: &Value) -> BTreeSet<String> {
    let index = &krate["index"];
    let mut out = BTreeSet::new();
    let Some(items) = index.as_object() else {
        return out;
    };
    for item in items.values() {
        if item["visibility"] != "public" {
            continue;
        }
        let Some(target) = item["inner"]["use"]["id"].as_u64() else {
            continue;
        };
        if index.get(target.to_string()).is_some() {
            continue;
        }
        let Some(crate_id) = krate["paths"][target.to_string()]["crate_id"].as_u64() else {
            continue;
        };
        if let Some(name) = krate["external_crates"][crate_id.to_string()]["name"].as_str()
            && !STD_CRATES.contains(&name)
        {
            out.insert(name.to_string());
        }
    }
    out
}

/// Merges `dep`, the rustdoc JSON of the crate `krate` knows as `dep_name`,
/// into `krate`.
pub fn merge(krate: &mut Value, mut dep: Value, dep_name: &str) {
    let Some(dep_crate_id) = krate["external_crates"]
        .as_object()
        .and_then(|c| c.iter().find(|(_, v)| v["name"] == dep_name))
        .and_then(|(k, _)| k.parse::<u64>().ok())
    else {
        return;
    };
    let offset = max_id(krate) + 1;
    renumber(&mut dep, &|id| Some(id + offset));
    // The dependency's own items, by definition path.
    let mut by_path: BTreeMap<Vec<String>, u64> = BTreeMap::new();
    if let Some(paths) = dep["paths"].as_object() {
        for (id, summary) in paths {
            if summary["crate_id"] == 0
                && let (Ok(id), Some(path)) = (id.parse::<u64>(), path_of(summary))
            {
                by_path.insert(path, id);
            }
        }
    }
    // The crate's references to them, by the same path.
    let mut redirect: BTreeMap<u64, u64> = BTreeMap::new();
    if let Some(paths) = krate["paths"].as_object() {
        for (id, summary) in paths {
            if summary["crate_id"].as_u64() == Some(dep_crate_id)
                && let (Ok(id), Some(path)) = (id.parse::<u64>(), path_of(summary))
                && let Some(&new) = by_path.get(&path)
            {
                redirect.insert(id, new);
            }
        }
    }
    renumber(krate, &|id| redirect.get(&id).copied());
    for table in ["index", "paths"] {
        let Some(from) = dep[table].as_object_mut().map(std::mem::take) else {
            continue;
        };
        let Some(into) = krate[table].as_object_mut() else {
            continue;
        };
        for (id, mut entry) in from {
            // The dependency's own items, in the merged crate's numbering.
            if entry["crate_id"] == 0 {
                entry["crate_id"] = Value::from(dep_crate_id);
            }
            into.entry(id).or_insert(entry);
        }
    }
}

fn path_of(summary: &Value) -> Option<Vec<String>> {
    summary["path"]
        .as_array()?
        .iter()
        .map(|s| s.as_str().map(str::to_owned))
        .collect()
}

/// The largest item id in `krate`'s index and paths.
fn max_id(krate: &Value) -> u64 {
    ["index", "paths"]
        .iter()
        .filter_map(|t| krate[*t].as_object())
        .flat_map(|m| m.keys())
        .filter_map(|k| k.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
}

/// Applies `f` to every item id in rustdoc JSON (format 57): the `index`
/// and `paths` keys, `root`, and the fields that hold ids. Ids `f` returns
/// `None` for are kept.
fn renumber(krate: &mut Value, f: &dyn Fn(u64) -> Option<u64>) {
    map_id(&mut krate["root"], f);
    for table in ["index", "paths"] {
        if let Some(obj) = krate[table].as_object_mut() {
            let old = std::mem::take(obj);
            let mut renamed = Map::new();
            for (key, mut value) in old {
                let key = match key.parse::<u64>().ok().and_then(f) {
                    Some(new) => new.to_string(),
                    None => key,
                };
                if table == "index" {
                    renumber_value(&mut value, f);
                }
                renamed.insert(key, value);
            }
            *obj = renamed;
        }
    }
}

/// Renumbers one id value.
fn map_id(id: &mut Value, f: &dyn Fn(u64) -> Option<u64>) {
    if let Some(new) = id.as_u64().and_then(f) {
        *id = Value::from(new);
    }
}

fn renumber_value(v: &mut Value, f: &dyn Fn(u64) -> Option<u64>) {
    let map = |id: &mut Value| map_id(id, f);
    match v {
        Value::Object(obj) => {
            for (key, child) in obj.iter_mut() {
                match key.as_str() {
                    "id" => map(child),
                    "items" | "impls" | "fields" | "variants" | "implementations" => {
                        if let Some(ids) = child.as_array_mut() {
                            ids.iter_mut().for_each(map);
                        }
                    }
                    // A tuple struct's or variant's fields (ids or null), not
                    // a tuple type (objects).
                    "tuple"
                        if child
                            .as_array()
                            .is_some_and(|a| a.iter().all(|x| x.is_u64() || x.is_null())) =>
                    {
                        child.as_array_mut().into_iter().flatten().for_each(map);
                    }
                    "links" => {
                        if let Some(links) = child.as_object_mut() {
                            links.values_mut().for_each(map);
                        }
                    }
                    _ => renumber_value(child, f),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| renumber_value(i, f)),
        _ => {}
    }
}
