//! An enum that contains itself (WIT types cannot) and has no string form
//! of its own travels as JSON text, one key per value: its case.

use std::collections::HashMap;

/// A record holding the enum (before it: checked first).
pub struct Entry {
    /// The name.
    pub key: String,
    /// The value.
    pub value: Value,
}

/// A document value, as DynamoDB's `AttributeValue` is.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    S(String),
    /// A number.
    N(f64),
    /// A boolean.
    Bool(bool),
    /// Bytes.
    B(Vec<u8>),
    /// A list.
    L(Vec<Value>),
    /// A map.
    M(HashMap<String, Value>),
    /// Nothing.
    Null,
    /// A value of a later version (made only by this crate, as Smithy's
    /// `Unknown` is: the enum cannot be built as a WIT variant).
    #[non_exhaustive]
    Unknown,
}

/// The leaves of an entry's value.
pub fn entry_leaves(entry: Entry) -> u32 {
    leaves(entry.value)
}

/// The number of values in `v` that are not lists or maps.
pub fn leaves(v: Value) -> u32 {
    match v {
        Value::L(items) => items.into_iter().map(leaves).sum(),
        Value::M(map) => map.into_values().map(leaves).sum(),
        _ => 1,
    }
}

/// The comma-separated parts of `text` as a list of strings.
pub fn split(text: &str) -> Value {
    Value::L(text.split(',').map(|s| Value::S(s.to_string())).collect())
}

/// `v` in a map under `key`.
pub fn nest(key: &str, v: Value) -> Value {
    Value::M(HashMap::from([(key.to_string(), v)]))
}
