//! Variants that contain themselves, as JSON text.
//!
//! WIT types cannot contain themselves, so a recursive enum (DynamoDB's
//! `AttributeValue`: `S(String)`, `L(Vec<AttributeValue>)`,
//! `M(HashMap<String, AttributeValue>)`, …) without a string form of its
//! own travels as JSON text: each value an object with one key, the case's
//! Rust name, holding the payload (`{"M": {"id": {"S": "1"}}}`, as
//! DynamoDB's JSON writes it, with the cases as Rust spells them). This
//! works when every case carries nothing or one value of a JSON-shaped type:
//! strings, numbers, booleans, bytes (an array of numbers), lists, maps
//! with string keys, options and the enum itself.

use rustdoc_types::{Attribute, Id, ItemEnum, VariantKind};

use super::{Mapper, tuple_ids};
use crate::model::*;

impl Mapper<'_> {
    /// The cases of enum `id`, when it can travel as JSON text.
    pub(super) fn json_cases(&self, id: &Id) -> Option<Vec<JsonCase>> {
        let item = self.type_item(id)?;
        let ItemEnum::Enum(e) = &item.inner else {
            return None;
        };
        let path = &self.types[*self.type_index.get(id)?].path;
        let mut cases = Vec::new();
        for v in &e.variants {
            let var = self.item(v)?;
            let ItemEnum::Variant(variant) = &var.inner else {
                return None;
            };
            let name = var.name.clone()?;
            let payload = match &variant.kind {
                VariantKind::Plain => None,
                VariantKind::Tuple(_) => {
                    let ids = tuple_ids(&variant.kind);
                    let [Some(field)] = ids.as_slice() else {
                        return None;
                    };
                    let ItemEnum::StructField(ty) = &self.item(field)?.inner else {
                        return None;
                    };
                    let ty = self.ty(ty, &self.scope_of(id)).ok()?;
                    if !json_shaped(&ty, path) {
                        return None;
                    }
                    Some(ty)
                }
                VariantKind::Struct { .. } => return None,
            };
            // `#[non_exhaustive]` variants (Smithy's `Unknown`) cannot be
            // made outside their crate.
            let closed = var.attrs.contains(&Attribute::NonExhaustive);
            cases.push(JsonCase {
                name,
                payload,
                closed,
            });
        }
        (!cases.is_empty()).then_some(cases)
    }
}

/// A case of a JSON-text enum.
#[derive(Debug, Clone)]
pub struct JsonCase {
    /// The Rust variant name, the JSON key.
    pub name: String,
    /// What it carries.
    pub payload: Option<Ty>,
    /// `#[non_exhaustive]`: read from the crate's values, never made.
    pub closed: bool,
}

/// Whether values of `ty` have a JSON form compwrap writes and reads back;
/// `own` is the enum's Rust path.
fn json_shaped(ty: &Ty, own: &str) -> bool {
    match ty {
        Ty::Str(StrKind::String) | Ty::Size { .. } | Ty::Std(StdTy::SdkBlob) => true,
        Ty::Prim(p) => p != "char",
        Ty::List(t, ListKind::Vec) | Ty::Option(t) | Ty::Boxed(Pointer::Box, t) => {
            json_shaped(t, own)
        }
        Ty::List(t, ListKind::HashMap | ListKind::BTreeMap) => match &**t {
            Ty::Tuple(kv) => {
                matches!(kv.as_slice(), [Ty::Str(StrKind::String), v] if json_shaped(v, own))
            }
            _ => false,
        },
        Ty::Named(n) => n.rust == own,
        _ => false,
    }
}

/// The guest's conversions of a JSON-text enum: `lift_…(String) -> T` and
/// `lower_…(T) -> String`, over `json_from_…`/`json_to_…`, which recurse.
pub fn glue(
    rust: &str,
    wit: &str,
    lift: &str,
    lower: &str,
    cases: &[JsonCase],
    open: bool,
) -> String {
    let from = lift.replacen("lift_", "json_from_", 1);
    let to = lower.replacen("lower_", "json_to_", 1);
    let names: Vec<&str> = cases
        .iter()
        .filter(|c| !c.closed)
        .map(|c| c.name.as_str())
        .collect();
    let mut out = format!(
        "\nfn {lift}(text: String) -> {rust} {{\n    match serde_json::from_str::<serde_json::Value>(&text) {{\n        \
         Ok(v) => {from}(v),\n        Err(e) => panic!(\"`{wit}` is JSON text: {{e}}\"),\n    }}\n}}\n\n\
         fn {from}(v: serde_json::Value) -> {rust} {{\n    let (case, v) = json_case(v, \"{wit}\");\n    \
         match case.as_str() {{\n"
    );
    for case in cases.iter().filter(|c| !c.closed) {
        let name = &case.name;
        let value = match &case.payload {
            None => String::new(),
            Some(ty) => format!("({})", from_json(ty, "v", &from, 0)),
        };
        out.push_str(&format!("        \"{name}\" => {rust}::{name}{value},\n"));
    }
    out.push_str(&format!(
        "        other => panic!(\"`{{other}}` is not a case of `{wit}` ({})\"),\n    }}\n}}\n\n",
        names.join(", ")
    ));
    out.push_str(&format!(
        "fn {lower}(x: {rust}) -> String {{\n    {to}(x).to_string()\n}}\n\n\
         fn {to}(x: {rust}) -> serde_json::Value {{\n    let (case, v) = match x {{\n"
    ));
    for case in cases {
        let name = &case.name;
        match &case.payload {
            None => out.push_str(&format!(
                "        {rust}::{name} {{ .. }} => (\"{name}\", serde_json::Value::Null),\n"
            )),
            Some(ty) => out.push_str(&format!(
                "        {rust}::{name}(p) => (\"{name}\", {}),\n",
                to_json(ty, "p", &to, 0)
            )),
        }
    }
    if open {
        // Cases added to the Rust enum after this was generated.
        out.push_str("        _ => (\"Unknown\", serde_json::Value::Null),\n");
    }
    out.push_str(
        "    };\n    serde_json::Value::Object([(case.to_string(), v)].into_iter().collect())\n}\n",
    );
    out
}

/// Support for every JSON-text enum.
pub const SUPPORT: &str = r#"
/// The one key of a JSON-text enum value and what it holds.
fn json_case(v: serde_json::Value, what: &str) -> (String, serde_json::Value) {
    match v {
        serde_json::Value::Object(o) if o.len() == 1 => o.into_iter().next().expect("one entry"),
        other => panic!("a `{what}` is an object with one key, its case, not {other}"),
    }
}

macro_rules! json_value {
    ($t:ty, $v:expr) => {
        serde_json::from_value::<$t>($v).unwrap_or_else(|e| panic!("{e}"))
    };
}

fn json_array(v: serde_json::Value) -> Vec<serde_json::Value> {
    match v {
        serde_json::Value::Array(a) => a,
        other => panic!("expected a JSON array, not {other}"),
    }
}

fn json_object(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match v {
        serde_json::Value::Object(o) => o,
        other => panic!("expected a JSON object, not {other}"),
    }
}
"#;

/// Rust reading a value of `ty` from the `serde_json::Value` `v`.
fn from_json(ty: &Ty, v: &str, from: &str, depth: usize) -> String {
    let w = format!("j{depth}");
    match ty {
        Ty::Named(_) => format!("{from}({v})"),
        Ty::Std(StdTy::SdkBlob) => {
            format!("aws_smithy_types::Blob::new(json_value!(Vec<u8>, {v}))")
        }
        Ty::List(t, ListKind::Vec) => format!(
            "json_array({v}).into_iter().map(|{w}| {}).collect::<Vec<_>>()",
            from_json(t, &w, from, depth + 1)
        ),
        Ty::List(t, kind) => {
            let Ty::Tuple(kv) = &**t else {
                unreachable!("checked by json_shaped")
            };
            let map = match kind {
                ListKind::BTreeMap => "std::collections::BTreeMap<_, _>",
                _ => "std::collections::HashMap<_, _>",
            };
            format!(
                "json_object({v}).into_iter().map(|(k, {w})| (k, {})).collect::<{map}>()",
                from_json(&kv[1], &w, from, depth + 1)
            )
        }
        Ty::Option(t) => format!(
            "Some({v}).filter(|{w}| !{w}.is_null()).map(|{w}| {})",
            from_json(t, &w, from, depth + 1)
        ),
        Ty::Boxed(_, t) => format!("Box::new({})", from_json(t, v, from, depth)),
        Ty::Size { signed: false } => format!("json_value!(usize, {v})"),
        Ty::Size { signed: true } => format!("json_value!(isize, {v})"),
        Ty::Prim(p) => format!("json_value!({p}, {v})"),
        _ => format!("json_value!(String, {v})"),
    }
}

/// Rust making the `serde_json::Value` of `e`, a value of `ty`.
fn to_json(ty: &Ty, e: &str, to: &str, depth: usize) -> String {
    let w = format!("j{depth}");
    match ty {
        Ty::Named(_) => format!("{to}({e})"),
        Ty::Std(StdTy::SdkBlob) => format!("serde_json::Value::from({e}.into_inner())"),
        Ty::List(t, ListKind::Vec) => format!(
            "serde_json::Value::Array({e}.into_iter().map(|{w}| {}).collect())",
            to_json(t, &w, to, depth + 1)
        ),
        Ty::List(t, _) => {
            let Ty::Tuple(kv) = &**t else {
                unreachable!("checked by json_shaped")
            };
            format!(
                "serde_json::Value::Object({e}.into_iter().map(|(k, {w})| (k, {})).collect())",
                to_json(&kv[1], &w, to, depth + 1)
            )
        }
        Ty::Option(t) => format!(
            "{e}.map_or(serde_json::Value::Null, |{w}| {})",
            to_json(t, &w, to, depth + 1)
        ),
        Ty::Boxed(_, t) => to_json(t, &format!("(*{e})"), to, depth),
        _ => format!("serde_json::Value::from({e})"),
    }
}
