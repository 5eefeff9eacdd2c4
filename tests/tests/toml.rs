//! The generated `toml` component against the native `toml` crate.
//! `toml::Value` is recursive, which WIT cannot express: it travels in its
//! TOML text form (`Display` / `FromStr`), tables as lists of key/value
//! pairs (`toml::map::Map` iterates over them).

use anyhow::{Result, bail, ensure};
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{TOML, ValExt, call1, error_message, generated, string, text_or_error};
use toml::Value;

const VALUES: &[&str] = &[
    "42",
    "-0x2A",
    "3.25",
    "inf",
    "true",
    "\"text with \\\"quotes\\\" and \\u00e9\"",
    "'literal'",
    "[1, 2, 3]",
    "[[1, 2], [\"a\", \"b\"], []]",
    "{ name = \"compwrap\", version = \"0.1.0\", tags = [\"wasm\", \"wit\"] }",
    "{ nested = { deep = { value = 1 } } }",
    "1979-05-27T07:32:00Z",
    "",
    "[1, 2",
    "{ a = 1, a = 2 }",
    "not toml",
    "0x",
];

fn instance() -> Result<Instance> {
    let (_, loaded) = generated(TOML)?;
    loaded.instantiate()
}

fn parse(instance: &mut Instance, text: &str) -> Result<std::result::Result<String, String>> {
    text_or_error(call1(instance, "value-parse", &[string(text)])?)
}

#[test]
fn parse_and_display_match_native_including_errors() -> Result<()> {
    let mut instance = instance()?;
    for text in VALUES {
        let native = text
            .parse::<Value>()
            .map(|v| v.to_string())
            .map_err(|e| e.to_string());
        let component = parse(&mut instance, text)?;
        ensure!(
            component == native,
            "parse {text:?}: {component:?} vs native {native:?}"
        );
    }
    Ok(())
}

#[test]
fn accessors_match_native() -> Result<()> {
    let mut instance = instance()?;
    for text in VALUES {
        let Ok(native) = text.parse::<Value>() else {
            continue;
        };
        let this = string(&native.to_string());
        let arg = std::slice::from_ref(&this);
        let type_str = call1(&mut instance, "value-type-str", arg)?;
        ensure!(
            type_str.str()? == native.type_str(),
            "{text}: type-str {type_str:?}"
        );
        let as_str = call1(&mut instance, "value-as-str", arg)?;
        ensure!(
            as_str.option()?.map(|s| s.str()).transpose()? == native.as_str(),
            "{text}: as-str {as_str:?}"
        );
        let as_integer = call1(&mut instance, "value-as-integer", arg)?;
        let as_integer = match as_integer.option()? {
            Some(Val::S64(n)) => Some(*n),
            None => None,
            Some(other) => bail!("as-integer gave {other:?}"),
        };
        ensure!(as_integer == native.as_integer(), "{text}: as-integer");
        let array = call1(&mut instance, "value-as-array", arg)?;
        let native_array: Option<Vec<String>> = native
            .as_array()
            .map(|a| a.iter().map(Value::to_string).collect());
        let array: Option<Vec<String>> = match array.option()? {
            None => None,
            Some(Val::List(items)) => Some(
                items
                    .iter()
                    .map(|i| Ok(i.str()?.to_owned()))
                    .collect::<Result<_>>()?,
            ),
            Some(other) => bail!("as-array gave {other:?}"),
        };
        ensure!(array == native_array, "{text}: as-array {array:?}");
    }
    Ok(())
}

/// `toml::Table` is `Map<String, Value>`: a public alias of a generic type
/// with concrete arguments becomes a resource of its own, its methods
/// instantiated (`get<Q>(&self, key: &Q) where String: Borrow<Q>` takes a
/// string) and its iterators collected.
#[test]
fn tables_are_resources_with_the_map_methods() -> Result<()> {
    let mut instance = instance()?;
    let text = "{ name = \"compwrap\", version = \"0.1.0\", tags = [\"wasm\", \"wit\"], n = 1 }";
    let native = text.parse::<Value>()?;
    let native_table = native.as_table().expect("a table");
    let this = string(&native.to_string());
    let table = call1(&mut instance, "value-as-table", std::slice::from_ref(&this))?;
    let Some(Val::Resource(table)) = table.option()?.cloned() else {
        bail!("as-table gave {table:?}");
    };
    let entries = call1(&mut instance, "[method]table.iter", &[Val::Resource(table)])?;
    let got = compwrap_tests::string_pairs(&entries)?;
    let expected: Vec<(String, String)> = native_table
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect();
    ensure!(got == expected, "iter: {got:?} vs {expected:?}");
    for key in ["name", "tags", "missing"] {
        let got = call1(
            &mut instance,
            "[method]table.get",
            &[Val::Resource(table), string(key)],
        )?;
        let got = got
            .option()?
            .map(|v| v.str().map(str::to_owned))
            .transpose()?;
        ensure!(
            got == native_table.get(key).map(Value::to_string),
            "get {key}: {got:?}"
        );
        let by_value = call1(&mut instance, "value-get", &[this.clone(), string(key)])?;
        let by_value = by_value
            .option()?
            .map(|v| v.str().map(str::to_owned))
            .transpose()?;
        ensure!(
            by_value == native.get(key).map(Value::to_string),
            "value-get {key}"
        );
    }
    // `insert(&mut self, ..)` changes the resource in place.
    let mut native_table = native_table.clone();
    let previous = native_table.insert("n".into(), Value::Integer(2));
    let got = call1(
        &mut instance,
        "[method]table.insert",
        &[Val::Resource(table), string("n"), string("2")],
    )?;
    let got = got
        .option()?
        .map(|v| v.str().map(str::to_owned))
        .transpose()?;
    ensure!(got == previous.map(|v| v.to_string()), "insert: {got:?}");
    let len = call1(&mut instance, "[method]table.len", &[Val::Resource(table)])?;
    ensure!(len.u64()? == native_table.len() as u64, "len");
    let keys = call1(&mut instance, "[method]table.keys", &[Val::Resource(table)])?;
    let expected: Vec<Val> = native_table.keys().map(|k| string(k)).collect();
    ensure!(keys == Val::List(expected), "keys: {keys:?}");
    instance.drop_resource(table)?;
    Ok(())
}

/// `toml::value::Datetime` is `toml_datetime::Datetime`, re-exported: a
/// record with its `Display`/`FromStr`, as in its own crate.
#[test]
fn reexported_datetime_matches_native() -> Result<()> {
    let mut instance = instance()?;
    for text in [
        "1979-05-27T07:32:00Z",
        "1979-05-27T00:32:00.999999-07:00",
        "1979-05-27",
        "07:32:00",
        "1979-05-27 07:32:00",
        "not a date",
        "1979-13-27",
    ] {
        let native = text
            .parse::<toml::value::Datetime>()
            .map(|d| d.to_string())
            .map_err(|e| e.to_string());
        let parsed = call1(&mut instance, "datetime-parse", &[string(text)])?.into_result()?;
        let component = match parsed {
            Ok(record) => {
                ensure!(
                    matches!(record, Val::Record(_)),
                    "a datetime is a record: {record:?}"
                );
                Ok(call1(&mut instance, "datetime-to-string", &[record])?
                    .str()?
                    .to_owned())
            }
            Err(e) => Err(error_message(&e)?),
        };
        ensure!(component == native, "{text:?}: {component:?} vs {native:?}");
    }
    Ok(())
}

/// `toml::from_str<T: DeserializeOwned>` has no single obvious `T`: it is
/// exported once per crate type that implements the serde traits, so
/// `from-str-value` parses a whole document and `to-string-value` writes one.
#[test]
fn serde_entry_points_are_instantiated_per_type() -> Result<()> {
    let mut instance = instance()?;
    let documents = [
        "[package]\nname = \"compwrap\"\nversion = \"0.1.0\"\n\n[dependencies]\nwasmtime = { version = \"48\", default-features = false }\n",
        "title = \"TOML\"\n[[servers]]\nip = \"10.0.0.1\"\n[[servers]]\nip = \"10.0.0.2\"\n",
        "a = 1\na = 2\n",
        "[table\n",
        "",
    ];
    for doc in documents {
        let native = toml::from_str::<Value>(doc)
            .map(|v| v.to_string())
            .map_err(|e| e.to_string());
        let got = text_or_error(call1(&mut instance, "from-str-value", &[string(doc)])?)?;
        ensure!(
            got == native,
            "from-str-value {doc:?}: {got:?} vs {native:?}"
        );
        if let Ok(value) = toml::from_str::<Value>(doc) {
            let native = toml::to_string(&value).map_err(|e| e.to_string());
            let got = text_or_error(call1(
                &mut instance,
                "to-string-value",
                &[string(&value.to_string())],
            )?)?;
            ensure!(
                got == native,
                "to-string-value {doc:?}: {got:?} vs {native:?}"
            );
        }
    }
    Ok(())
}
