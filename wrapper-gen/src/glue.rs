//! The API model → the guest crate's `src/lib.rs`: wit-bindgen exports that
//! convert WIT values to the crate's types, call it, and convert back.

use std::fmt::Write;

use crate::model::*;
use crate::names::{rust_camel, rust_raw, rust_snake};

/// Error conversion for guests that return results: keeps the source chain
/// when the error type implements `std::error::Error`, and falls back to
/// `Display` or `Debug` otherwise (chosen at compile time by autoref).
const SUPPORT_ERROR: &str = r#"
use compwrap::types::types::Error as WitError;

struct ErrProbe<'a, T>(&'a T);

trait ViaStdError {
    fn compwrap_error(&self) -> WitError;
}
impl<T: std::error::Error> ViaStdError for &&ErrProbe<'_, T> {
    fn compwrap_error(&self) -> WitError {
        let mut chain = Vec::new();
        let mut source = self.0.source();
        while let Some(s) = source {
            chain.push(s.to_string());
            source = s.source();
        }
        WitError {
            message: self.0.to_string(),
            chain,
            debug: format!("{:?}", self.0),
            kind: Some(std::any::type_name::<T>().to_string()),
        }
    }
}

trait ViaDisplay {
    fn compwrap_error(&self) -> WitError;
}
impl<T: std::fmt::Display + std::fmt::Debug> ViaDisplay for &ErrProbe<'_, T> {
    fn compwrap_error(&self) -> WitError {
        WitError {
            message: self.0.to_string(),
            chain: Vec::new(),
            debug: format!("{:?}", self.0),
            kind: Some(std::any::type_name::<T>().to_string()),
        }
    }
}

trait ViaDebug {
    fn compwrap_error(&self) -> WitError;
}
impl<T: std::fmt::Debug> ViaDebug for ErrProbe<'_, T> {
    fn compwrap_error(&self) -> WitError {
        WitError {
            message: format!("{:?}", self.0),
            chain: Vec::new(),
            debug: format!("{:?}", self.0),
            kind: Some(std::any::type_name::<T>().to_string()),
        }
    }
}

macro_rules! to_error {
    ($e:expr) => {{
        let e = $e;
        (&&&ErrProbe(&e)).compwrap_error()
    }};
}
"#;

/// Support code every guest gets: checked conversions.
const SUPPORT: &str = r#"
fn parse_text<T: std::str::FromStr>(text: String) -> T
where
    T::Err: std::fmt::Debug,
{
    match text.parse::<T>() {
        Ok(v) => v,
        Err(e) => panic!("invalid `{}` value {text:?}: {e:?}", std::any::type_name::<T>()),
    }
}

fn to_usize(v: u64) -> usize {
    usize::try_from(v).unwrap_or_else(|_| panic!("{v} does not fit in usize on this target"))
}

fn to_isize(v: i64) -> isize {
    isize::try_from(v).unwrap_or_else(|_| panic!("{v} does not fit in isize on this target"))
}

fn hash_of<T: std::hash::Hash + ?Sized>(v: &T) -> u64 {
    use std::hash::BuildHasher;
    std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(v)
}

fn lift_u128((high, low): (u64, u64)) -> u128 {
    (u128::from(high) << 64) | u128::from(low)
}

fn lower_u128(v: u128) -> (u64, u64) {
    ((v >> 64) as u64, v as u64)
}

fn lift_i128((high, low): (i64, u64)) -> i128 {
    (i128::from(high) << 64) | i128::from(low)
}

fn lower_i128(v: i128) -> (i64, u64) {
    ((v >> 64) as i64, v as u64)
}
"#;

/// Conversions for the `compwrap:types` types a guest uses, by WIT name.
const SUPPORT_SHARED: &[(&str, &str)] = &[
    (
        "ordering",
        r#"
fn lift_ordering(v: compwrap::types::types::Ordering) -> std::cmp::Ordering {
    use compwrap::types::types::Ordering as O;
    match v {
        O::Less => std::cmp::Ordering::Less,
        O::Equal => std::cmp::Ordering::Equal,
        O::Greater => std::cmp::Ordering::Greater,
    }
}

fn lower_ordering(v: std::cmp::Ordering) -> compwrap::types::types::Ordering {
    use compwrap::types::types::Ordering as O;
    match v {
        std::cmp::Ordering::Less => O::Less,
        std::cmp::Ordering::Equal => O::Equal,
        std::cmp::Ordering::Greater => O::Greater,
    }
}
"#,
    ),
    (
        "duration",
        r#"
fn lift_duration(v: compwrap::types::types::Duration) -> std::time::Duration {
    std::time::Duration::new(v.secs, v.nanos)
}

fn lower_duration(v: std::time::Duration) -> compwrap::types::types::Duration {
    compwrap::types::types::Duration { secs: v.as_secs(), nanos: v.subsec_nanos() }
}
"#,
    ),
    (
        "timestamp",
        r#"
fn lift_timestamp(v: compwrap::types::types::Timestamp) -> std::time::SystemTime {
    let nanos = std::time::Duration::from_nanos(u64::from(v.nanos));
    if v.secs >= 0 {
        std::time::UNIX_EPOCH + std::time::Duration::from_secs(v.secs as u64) + nanos
    } else {
        std::time::UNIX_EPOCH - std::time::Duration::from_secs(v.secs.unsigned_abs()) + nanos
    }
}

fn lower_timestamp(v: std::time::SystemTime) -> compwrap::types::types::Timestamp {
    match v.duration_since(std::time::UNIX_EPOCH) {
        Ok(d) => compwrap::types::types::Timestamp { secs: d.as_secs() as i64, nanos: d.subsec_nanos() },
        Err(e) => {
            // Before the epoch: floor the seconds, keep nanoseconds positive.
            let d = e.duration();
            let (secs, nanos) = (d.as_secs() as i64, d.subsec_nanos());
            if nanos == 0 {
                compwrap::types::types::Timestamp { secs: -secs, nanos: 0 }
            } else {
                compwrap::types::types::Timestamp { secs: -secs - 1, nanos: 1_000_000_000 - nanos }
            }
        }
    }
}
"#,
    ),
];

/// Renders the guest `src/lib.rs`.
pub fn render(api: &Api) -> String {
    let typed = crate::api::smithy::typed_errors(api);
    let json = json_types(api);
    let g = Glue {
        service_error: typed.map(|(_, service)| service.clone()),
        json,
    };
    let mut out = crate::wit::header("//");
    out.push_str("#![allow(unused, clippy::all, non_camel_case_types)]\n\n");
    // The bindings are a crate of their own (`bindings/`, see
    // `crate::bindings`): its types at this crate's root, as
    // `wit_bindgen::generate!` would put them.
    let bindings = crate::bindings::crate_name(&api.package);
    let _ = writeln!(
        out,
        "pub use {bindings}::*;\n\nmod encoded;\n\nstruct Component;\n{bindings}::export!(Component with_types_in {bindings});"
    );
    out.push_str(SUPPORT);
    if !g.json.is_empty() {
        out.push_str(crate::api::json::SUPPORT);
    }
    // Without a `result` anywhere, wit-bindgen generates no error type.
    let shared: std::collections::BTreeSet<&str> = api
        .interfaces
        .iter()
        .flat_map(crate::wit::shared_types)
        .collect();
    // wit-bindgen generates only the `compwrap:types` types that are used.
    if shared.contains("error") {
        out.push_str(SUPPORT_ERROR);
    }
    for (name, code) in SUPPORT_SHARED {
        if shared.contains(name) {
            out.push_str(code);
        }
    }
    if api.smithy {
        let typed = typed.map(|(operation, service)| {
            (
                g.wpath(operation),
                g.conv_fn("lower", &service.interface, &service.wit),
            )
        });
        out.push_str(&crate::api::smithy::glue(
            &api.rust_name,
            typed.as_ref().map(|(o, l)| (o.as_str(), l.as_str())),
        ));
    }
    if crate::wit::uses_std(api, |s| *s == StdTy::SdkDateTime) {
        out.push_str(crate::api::smithy::DATE_TIME_GLUE);
    }
    if crate::wit::uses_std(api, |s| *s == StdTy::SdkByteStream) {
        out.push_str(crate::api::smithy::BYTE_STREAM_GLUE);
    }
    if crate::api::smithy::has_byte_stream(api) {
        out.push_str(crate::api::smithy::BYTE_STREAM_RESOURCE_GLUE);
    }
    if crate::wit::uses_std(api, |s| *s == StdTy::SdkDocument) {
        out.push_str(crate::api::smithy::DOCUMENT_GLUE);
    }
    if crate::wit::uses_std(api, |s| *s == StdTy::Json) {
        out.push_str(crate::api::serde_fns::JSON_GLUE);
    }
    for iface in &api.interfaces {
        let _ = writeln!(
            out,
            "\nuse exports::compwrap::{}::{} as {};",
            rust_snake(&api.wit_crate()),
            rust_snake(&iface.name),
            g.alias(&iface.name)
        );
    }
    for iface in &api.interfaces {
        g.interface(&mut out, iface);
    }
    prune_conversions(&out)
}

/// Rust paths of the enums of `api` that travel as JSON text.
pub fn json_types(api: &Api) -> std::collections::HashSet<String> {
    api.interfaces
        .iter()
        .flat_map(|i| &i.types)
        .filter(|t| matches!(t.kind, TypeKind::Json { .. }))
        .map(|t| t.rust.clone())
        .collect()
}

/// `code` without the conversion functions nothing calls: every type gets a
/// `lift_…` (WIT to Rust) and a `lower_…` (Rust to WIT), but a type that
/// only goes into the component needs no `lower_` and one that only comes
/// out no `lift_`. rustc checks uncalled functions all the same; in
/// `aws-sdk-ec2`'s glue they are 2,800 of 6,100 conversions, a third of the
/// crate. A conversion is a top-level `fn lift_…` / `fn lower_…` that ends
/// at the next line that is just `}`.
fn prune_conversions(code: &str) -> String {
    // The code as pieces, each a conversion (with its name) or the rest.
    let mut pieces: Vec<(Option<&str>, &str)> = Vec::new();
    let mut start = 0;
    let mut open: Option<(&str, usize)> = None;
    let mut offset = 0;
    for line in code.split_inclusive('\n') {
        let end = offset + line.len();
        match open {
            None => {
                if let Some(name) = conversion_name(line) {
                    pieces.push((None, &code[start..offset]));
                    if line.trim_end().ends_with('}') {
                        pieces.push((Some(name), line));
                        start = end;
                    } else {
                        open = Some((name, offset));
                    }
                }
            }
            Some((name, from)) if line.trim_end() == "}" => {
                pieces.push((Some(name), &code[from..end]));
                open = None;
                start = end;
            }
            Some(_) => {}
        }
        offset = end;
    }
    pieces.push((None, &code[start..]));

    let bodies: std::collections::HashMap<&str, &str> = pieces
        .iter()
        .filter_map(|&(name, text)| Some((name?, text)))
        .collect();
    let mut live = std::collections::HashSet::new();
    let mut queue: Vec<&str> = pieces
        .iter()
        .filter(|(name, _)| name.is_none())
        .flat_map(|(_, text)| named(text))
        .collect();
    while let Some(name) = queue.pop() {
        if let Some(body) = bodies.get(name)
            && live.insert(name)
        {
            queue.extend(named(body));
        }
    }
    let mut out = String::with_capacity(code.len());
    for (name, text) in pieces {
        match name {
            Some(name) if !live.contains(name) => {
                // The blank line before it goes too.
                if out.ends_with("\n\n") {
                    out.pop();
                }
            }
            _ => out.push_str(text),
        }
    }
    out
}

/// `fn lift_x(…` / `fn lower_x<…` starts a conversion named `lift_x`.
fn conversion_name(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("fn ")?;
    let name = rest.split(['(', '<']).next()?;
    (name.starts_with("lift_") || name.starts_with("lower_")).then_some(name)
}

/// The conversions `text` names (identifiers, so `lower_sdk_error` in
/// `.map_err(lower_sdk_error)` counts).
fn named(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| t.starts_with("lift_") || t.starts_with("lower_"))
}

/// The line that starts an export's glue: `// export <interface>.<name>`,
/// the name as the report writes it.
const EXPORT_MARK: &str = "    // export ";

/// The exports (`interface.name`, as the report names them) whose glue in
/// `code`, a guest's `src/lib.rs` from [`render`], holds `line` (1-based):
/// the export itself, or every export that reaches the conversion function
/// the line is in. `None` for a line of neither (support code, type
/// definitions: compwrap's own code).
pub fn exports_at(code: &str, line: usize) -> Option<Vec<String>> {
    let lines: Vec<&str> = code.lines().collect();
    // (first line, last line, name) of each export and conversion, 0-based.
    let mut exports = Vec::new();
    let mut conversions = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if let Some(name) = lines[i].strip_prefix(EXPORT_MARK) {
            let end = (i..lines.len()).find(|&j| lines[j] == "    }")?;
            exports.push((i, end, name));
            i = end;
        } else if let Some(name) = conversion_name(lines[i]) {
            let end = if lines[i].trim_end().ends_with('}') {
                i
            } else {
                (i..lines.len()).find(|&j| lines[j] == "}")?
            };
            conversions.push((i, end, name));
            i = end;
        }
        i += 1;
    }
    let at = line.checked_sub(1)?;
    let within = |&&(start, end, _): &&(usize, usize, &str)| start <= at && at <= end;
    if let Some(&(_, _, name)) = exports.iter().find(within) {
        return Some(vec![name.to_string()]);
    }
    let &(_, _, conversion) = conversions.iter().find(within)?;
    let text = |start: usize, end: usize| lines[start..=end].join("\n");
    let bodies: std::collections::HashMap<&str, String> = conversions
        .iter()
        .map(|&(start, end, name)| (name, text(start, end)))
        .collect();
    let reaches = |start: usize, end: usize| {
        let mut seen = std::collections::HashSet::new();
        let mut queue: Vec<String> = named(&text(start, end)).map(str::to_string).collect();
        while let Some(name) = queue.pop() {
            if name == conversion {
                return true;
            }
            if let Some(body) = bodies.get(name.as_str())
                && seen.insert(name)
            {
                queue.extend(named(body).map(str::to_string));
            }
        }
        false
    };
    Some(
        exports
            .iter()
            .filter(|&&(start, end, _)| reaches(start, end))
            .map(|&(_, _, name)| name.to_string())
            .collect(),
    )
}

struct Glue {
    /// The `service-error` variant of an AWS SDK crate whose operations
    /// return typed errors: its lowering yields `None` for the SDK's
    /// `Unhandled` errors.
    service_error: Option<Named>,
    /// Rust paths of the enums that travel as JSON text.
    json: std::collections::HashSet<String>,
}

impl Glue {
    fn alias(&self, iface: &str) -> String {
        format!("i_{}", rust_snake(iface))
    }

    /// Rust path of the wit-bindgen type for a named WIT type.
    fn wpath(&self, n: &Named) -> String {
        format!("{}::{}", self.alias(&n.interface), rust_camel(&n.wit))
    }

    fn res_struct(&self, iface: &str, wit: &str) -> String {
        format!("Res_{}_{}", rust_snake(iface), rust_camel(wit))
    }

    fn conv_fn(&self, dir: &str, iface: &str, wit: &str) -> String {
        format!("{dir}_{}_{}", rust_snake(iface), rust_snake(wit))
    }

    fn interface(&self, out: &mut String, iface: &Interface) {
        let alias = self.alias(&iface.name);
        for def in &iface.types {
            self.type_glue(out, iface, def);
        }
        let free: Vec<&Function> = iface
            .functions
            .iter()
            .filter(|f| f.kind == FuncKind::Free)
            .collect();
        let resources: Vec<&TypeDef> = iface
            .types
            .iter()
            .filter(|t| matches!(t.kind, TypeKind::Resource))
            .collect();
        if free.is_empty() && resources.is_empty() {
            return;
        }
        let _ = writeln!(out, "\nimpl {alias}::Guest for Component {{");
        for r in &resources {
            let _ = writeln!(
                out,
                "    type {} = {};",
                rust_camel(&r.wit),
                self.res_struct(&iface.name, &r.wit)
            );
        }
        for f in free {
            self.function(out, &iface.name, f, "    ");
        }
        out.push_str("}\n");
        for r in resources {
            let _ = writeln!(
                out,
                "\nimpl {alias}::Guest{} for {} {{",
                rust_camel(&r.wit),
                self.res_struct(&iface.name, &r.wit)
            );
            for f in iface
                .functions
                .iter()
                .filter(|f| f.kind.resource() == Some(&r.wit))
            {
                self.function(out, &iface.name, f, "    ");
            }
            out.push_str("}\n");
        }
    }

    fn type_glue(&self, out: &mut String, iface: &Interface, def: &TypeDef) {
        let named = Named {
            interface: iface.name.clone(),
            wit: def.wit.clone(),
            rust: def.rust.clone(),
            kind: NamedKind::Record,
        };
        let w = self.wpath(&named);
        let r = &def.rust;
        let lift = self.conv_fn("lift", &iface.name, &def.wit);
        let lower = self.conv_fn("lower", &iface.name, &def.wit);
        match &def.kind {
            TypeKind::Record {
                synthetic: true, ..
            }
            | TypeKind::Text => {}
            TypeKind::Json { cases, open } => {
                out.push_str(&crate::api::json::glue(
                    r, &def.wit, &lift, &lower, cases, *open,
                ));
            }
            TypeKind::Implementors { cases } => {
                // `&'static` unit structs (promoted constants).
                let _ = writeln!(
                    out,
                    "\nfn {lift}(x: {w}) -> &'static {r} {{\n    match x {{"
                );
                for (case, rust) in cases {
                    let _ = writeln!(out, "        {w}::{} => &{rust},", rust_camel(case));
                }
                out.push_str("    }\n}\n");
            }
            TypeKind::Seq { item } => {
                // Items are `&str` or `&[u8]`: lowered to owned, lifted
                // back as views of the owned ones.
                let view = if matches!(item, Ty::Str(_)) {
                    "as_str"
                } else {
                    "as_slice"
                };
                let _ = write!(
                    out,
                    "\nfn {lower}(x: {r}) -> {w} {{\n    (&x).into_iter().map(|v| {}).collect()\n}}\n\n\
                     fn {lift}(x: {w}) -> {r} {{\n    x.iter().map(|v| v.{view}()).collect()\n}}\n",
                    self.lower(item, "v", 1)
                );
            }
            TypeKind::Record {
                fields,
                open: true,
                from_default: true,
                ..
            } => {
                // `#[non_exhaustive]`: no struct literal outside its crate.
                let _ = writeln!(
                    out,
                    "\nfn {lift}(x: {w}) -> {r} {{\n    let mut v = <{r} as Default>::default();"
                );
                for f in fields {
                    let _ = writeln!(
                        out,
                        "    v.{} = {};",
                        rust_raw(&f.rust),
                        self.lift(&f.ty, &format!("x.{}", rust_snake(&f.wit)), 0)
                    );
                }
                out.push_str("    v\n}\n");
                self.lower_record(out, &lower, &w, r, fields);
            }
            TypeKind::Record {
                fields,
                open: true,
                from_builder: Some(fallible),
                ..
            } => {
                // `#[non_exhaustive]` without `Default`: through its builder,
                // whose setters take options.
                let _ = writeln!(out, "\nfn {lift}(x: {w}) -> {r} {{\n    {r}::builder()");
                for f in fields {
                    let value = self.lift(&f.ty, &format!("x.{}", rust_snake(&f.wit)), 0);
                    let value = if matches!(f.ty, Ty::Option(_)) {
                        value
                    } else {
                        format!("Some({value})")
                    };
                    let _ = writeln!(out, "        .set_{}({value})", f.rust);
                }
                if *fallible {
                    let _ = writeln!(
                        out,
                        "        .build()\n        .unwrap_or_else(|e| panic!(\"building `{r}` failed: {{e}}\"))"
                    );
                } else {
                    out.push_str("        .build()\n");
                }
                out.push_str("}\n");
                self.lower_record(out, &lower, &w, r, fields);
            }
            TypeKind::Record {
                fields,
                tuple,
                open,
                ..
            } => {
                if !open {
                    let _ = writeln!(out, "\nfn {lift}(x: {w}) -> {r} {{");
                    if *tuple {
                        let items: Vec<String> = fields
                            .iter()
                            .map(|f| self.lift(&f.ty, &format!("x.{}", rust_snake(&f.wit)), 0))
                            .collect();
                        let _ = writeln!(out, "    {r}({})", items.join(", "));
                    } else {
                        let _ = writeln!(out, "    {r} {{");
                        for f in fields {
                            let _ = writeln!(
                                out,
                                "        {}: {},",
                                rust_raw(&f.rust),
                                self.lift(&f.ty, &format!("x.{}", rust_snake(&f.wit)), 0)
                            );
                        }
                        out.push_str("    }\n");
                    }
                    out.push_str("}\n");
                }
                self.lower_record(out, &lower, &w, r, fields);
            }
            TypeKind::Variant { cases, .. }
                if self
                    .service_error
                    .as_ref()
                    .is_some_and(|s| s.interface == iface.name && s.wit == def.wit) =>
            {
                // The SDK's `Error` enum is `#[non_exhaustive]`, and its
                // `Unhandled` case is a code the model does not declare.
                let _ = writeln!(
                    out,
                    "\nfn {lower}(x: {r}) -> Option<{w}> {{\n    match x {{"
                );
                for c in cases {
                    let _ = writeln!(
                        out,
                        "        {} => Some({}),",
                        self.case_pat_rust(r, c),
                        self.case_build_wit(&w, c, iface)
                    );
                }
                out.push_str("        _ => None,\n    }\n}\n");
            }
            TypeKind::Enum { cases, open } | TypeKind::Variant { cases, open } => {
                // A variant of records copied from accessors (`Entry<'a>` of
                // `OccupiedEntry<'a>`) only leaves the component.
                let results_only = cases.iter().any(|c| match &c.payload {
                    Payload::Tuple(ts) => ts.iter().any(crate::api::holds_snapshot),
                    Payload::Struct { fields, .. } => {
                        fields.iter().any(|f| crate::api::holds_snapshot(&f.ty))
                    }
                    Payload::None | Payload::Braces => false,
                });
                let unknown = cases.iter().find(|c| c.is_sdk_unknown());
                if !results_only {
                    self.lift_cases(out, &lift, &w, r, cases, open.as_ref(), iface);
                }
                // A variant made over `'static` (`Event::<'static>`) is read
                // out of a value of any lifetime.
                let any = r.replace("'static", "'_");
                let _ = writeln!(out, "\nfn {lower}(x: {any}) -> {w} {{\n    match x {{");
                for c in cases.iter().filter(|c| !c.is_sdk_unknown()) {
                    let _ = writeln!(
                        out,
                        "        {} => {},",
                        self.case_pat_rust(&any, c),
                        self.case_build_wit(&w, c, iface)
                    );
                }
                if let Some(open) = open {
                    let _ = writeln!(out, "        _ => {w}::{},", rust_camel(open));
                } else if let Some(c) = unknown {
                    let _ = writeln!(
                        out,
                        "        other => {w}::{}(other.as_str().to_string()),",
                        rust_camel(&c.wit)
                    );
                }
                out.push_str("    }\n}\n");
            }
            TypeKind::Snapshot { fields, lifetimes } => {
                let elided = vec!["'_"; *lifetimes].join(", ");
                let _ = writeln!(out, "\nfn {lower}(x: {r}<{elided}>) -> {w} {{\n    {w} {{");
                for f in fields {
                    let call = format!("{r}::{}(&x)", f.method);
                    let _ = writeln!(
                        out,
                        "        {}: {},",
                        rust_snake(&f.wit),
                        self.lower(&f.ty, &call, 0)
                    );
                }
                out.push_str("    }\n}\n");
            }
            TypeKind::Resource => {
                let _ = writeln!(
                    out,
                    "\npub struct {}(std::cell::RefCell<{r}>);",
                    self.res_struct(&iface.name, &def.wit)
                );
            }
        }
    }

    /// The function that builds the Rust value of an enum or variant from
    /// its WIT value.
    #[allow(clippy::too_many_arguments)]
    fn lift_cases(
        &self,
        out: &mut String,
        lift: &str,
        w: &str,
        r: &str,
        cases: &[Case],
        open: Option<&String>,
        iface: &Interface,
    ) {
        let _ = writeln!(out, "\nfn {lift}(x: {w}) -> {r} {{\n    match x {{");
        // A Smithy enum's `Unknown(value)` is built from the value's
        // text, and any other Rust value lowers into it.
        for c in cases {
            let build = if c.is_sdk_unknown() {
                format!("{r}::from(p0.as_str())")
            } else {
                self.case_build_rust(r, c, iface)
            };
            let _ = writeln!(out, "        {} => {build},", self.case_pat_wit(w, c));
        }
        if let Some(open) = open {
            let _ = writeln!(
                out,
                "        {w}::{} => panic!(\"`{}` cannot be passed into the component\"),",
                rust_camel(open),
                open
            );
        }
        out.push_str("    }\n}\n");
    }

    fn lower_record(&self, out: &mut String, lower: &str, w: &str, r: &str, fields: &[Field]) {
        // A record made over `'static` (`Options::<'static>`) is read out
        // of a value of any lifetime.
        let r = r.replace("'static", "'_");
        let _ = writeln!(out, "\nfn {lower}(x: {r}) -> {w} {{\n    {w} {{");
        for f in fields {
            let _ = writeln!(
                out,
                "        {}: {},",
                rust_snake(&f.wit),
                self.lower(&f.ty, &format!("x.{}", rust_raw(&f.rust)), 0)
            );
        }
        out.push_str("    }\n}\n");
    }

    fn case_pat_wit(&self, w: &str, c: &Case) -> String {
        let name = format!("{w}::{}", rust_camel(&c.wit));
        match &c.payload {
            Payload::None | Payload::Braces => name,
            Payload::Tuple(ts) if ts.len() == 1 => format!("{name}(p0)"),
            Payload::Tuple(ts) => format!("{name}(({}))", bindings(ts.len())),
            Payload::Struct { .. } => format!("{name}(p)"),
        }
    }

    fn case_build_rust(&self, r: &str, c: &Case, _iface: &Interface) -> String {
        let name = format!("{}::{}", without_lifetimes(r), rust_raw(&c.rust));
        match &c.payload {
            Payload::None => name,
            Payload::Braces => format!("{name} {{}}"),
            Payload::Tuple(ts) => {
                let items: Vec<String> = ts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| self.lift(t, &format!("p{i}"), 1))
                    .collect();
                format!("{name}({})", items.join(", "))
            }
            Payload::Struct { fields, .. } => {
                let items: Vec<String> = fields
                    .iter()
                    .map(|f| {
                        format!(
                            "{}: {}",
                            rust_raw(&f.rust),
                            self.lift(&f.ty, &format!("p.{}", rust_snake(&f.wit)), 1)
                        )
                    })
                    .collect();
                format!("{name} {{ {} }}", items.join(", "))
            }
        }
    }

    fn case_pat_rust(&self, r: &str, c: &Case) -> String {
        let name = format!("{}::{}", without_lifetimes(r), rust_raw(&c.rust));
        match &c.payload {
            Payload::None => name,
            Payload::Braces => format!("{name} {{}}"),
            Payload::Tuple(ts) => format!("{name}({})", bindings(ts.len())),
            Payload::Struct { fields, .. } => {
                let items: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| format!("{}: p{i}", rust_raw(&f.rust)))
                    .collect();
                format!("{name} {{ {} }}", items.join(", "))
            }
        }
    }

    fn case_build_wit(&self, w: &str, c: &Case, iface: &Interface) -> String {
        let name = format!("{w}::{}", rust_camel(&c.wit));
        match &c.payload {
            Payload::None | Payload::Braces => name,
            Payload::Tuple(ts) if ts.len() == 1 => {
                format!("{name}({})", self.lower(&ts[0], "p0", 1))
            }
            Payload::Tuple(ts) => {
                let items: Vec<String> = ts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| self.lower(t, &format!("p{i}"), 1))
                    .collect();
                format!("{name}(({},))", items.join(", "))
            }
            Payload::Struct { record, fields } => {
                let rec = format!("{}::{}", self.alias(&iface.name), rust_camel(record));
                let items: Vec<String> = fields
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        format!(
                            "{}: {}",
                            rust_snake(&f.wit),
                            self.lower(&f.ty, &format!("p{i}"), 1)
                        )
                    })
                    .collect();
                format!("{name}({rec} {{ {} }})", items.join(", "))
            }
        }
    }

    // ---- functions ---------------------------------------------------------

    fn function(&self, out: &mut String, iface: &str, f: &Function, ind: &str) {
        let is_method = matches!(f.kind, FuncKind::Method(_));
        let mut sig_params = Vec::new();
        if is_method {
            sig_params.push("&self".to_string());
        }
        let mut body = String::new();
        let mut args = Vec::new();
        for (i, p) in f.params.iter().enumerate() {
            if is_method && i == 0 {
                args.push(self.self_arg(&mut body, p, ind));
                continue;
            }
            let name = format!("p{i}");
            sig_params.push(format!("{name}: {}", self.wtype(&p.ty, true)));
            args.push(self.param_arg(&mut body, p, &name, i, ind));
        }
        let fname = match f.kind {
            FuncKind::Constructor(_) => "new".to_string(),
            _ => rust_snake(&f.wit),
        };
        let ret = match (&f.kind, &f.wit_output()) {
            (FuncKind::Constructor(_), _) => " -> Self".to_string(),
            (_, Ty::Unit) => String::new(),
            (_, t) => format!(" -> {}", self.wtype(t, false)),
        };
        let _ = writeln!(out, "{EXPORT_MARK}{iface}.{}", f.component_name());
        let _ = writeln!(out, "{ind}/// `{}`", f.rust);
        let _ = writeln!(out, "{ind}fn {fname}({}){ret} {{", sig_params.join(", "));
        out.push_str(&body);
        let call = if f.value {
            f.callee.clone()
        } else if f.is_async {
            format!("wstd::runtime::block_on({}({}))", f.callee, args.join(", "))
        } else {
            format!("{}({})", f.callee, args.join(", "))
        };
        if !f.updates.is_empty() {
            // The values passed as `&mut` (`a{i}`) go back first.
            let mut parts: Vec<String> = f
                .updates
                .iter()
                .map(|&i| {
                    let ty = match &f.params[i].ty {
                        Ty::Ref { inner, .. } => &**inner,
                        other => other,
                    };
                    self.lower(ty, &format!("a{i}"), 0)
                })
                .collect();
            if f.output == Ty::Unit {
                let _ = writeln!(out, "{ind}    {call};");
            } else {
                // Lower the result first: it may borrow from them.
                let _ = writeln!(out, "{ind}    let r = {call};");
                let _ = writeln!(out, "{ind}    let r = {};", self.lower(&f.output, "r", 0));
                parts.push("r".into());
            }
            if parts.len() == 1 {
                let _ = writeln!(out, "{ind}    {}", parts[0]);
            } else {
                let _ = writeln!(out, "{ind}    ({})", parts.join(", "));
            }
            let _ = writeln!(out, "{ind}}}");
            return;
        }
        match (&f.kind, &f.output) {
            (FuncKind::Constructor(_), _) => {
                let _ = writeln!(out, "{ind}    Self(std::cell::RefCell::new({call}))");
            }
            (_, Ty::Unit) => {
                let _ = writeln!(out, "{ind}    {call};");
            }
            (_, t) => {
                let _ = writeln!(out, "{ind}    let r = {call};");
                let _ = writeln!(out, "{ind}    {}", self.lower(t, "r", 0));
            }
        }
        let _ = writeln!(out, "{ind}}}");
    }

    fn self_arg(&self, body: &mut String, p: &Param, ind: &str) -> String {
        match &p.ty {
            Ty::Ref { mutable: true, .. } => {
                let _ = writeln!(body, "{ind}    let mut g_self = self.0.borrow_mut();");
                "&mut *g_self".into()
            }
            Ty::Ref { .. } => {
                let _ = writeln!(body, "{ind}    let g_self = self.0.borrow();");
                "&*g_self".into()
            }
            Ty::Boxed(..) => "Box::new(self.0.borrow().clone())".into(),
            _ => "self.0.borrow().clone()".into(),
        }
    }

    fn param_arg(&self, body: &mut String, p: &Param, name: &str, i: usize, ind: &str) -> String {
        match &p.ty {
            Ty::Ref { mutable, inner } => match &**inner {
                Ty::Named(n) if n.kind == NamedKind::Resource => {
                    let res = self.res_struct(&n.interface, &n.wit);
                    let (m, b) = if *mutable {
                        ("mut ", "borrow_mut")
                    } else {
                        ("", "borrow")
                    };
                    let _ = writeln!(
                        body,
                        "{ind}    let {m}g{i} = {name}.get::<{res}>().0.{b}();"
                    );
                    format!("&{m}*g{i}")
                }
                // `&dyn Trait`: the lifted value is the `&'static` unit struct.
                Ty::Named(n) if n.rust.starts_with("dyn ") => {
                    let _ = writeln!(body, "{ind}    let a{i} = {};", self.lift(inner, name, 0));
                    format!("a{i}")
                }
                other => {
                    let m = if *mutable { "mut " } else { "" };
                    let _ = writeln!(
                        body,
                        "{ind}    let {m}a{i} = {};",
                        self.lift(other, name, 0)
                    );
                    format!("&{m}a{i}")
                }
            },
            ty if crate::api::nested_view(ty) => {
                let _ = writeln!(body, "{ind}    let a{i} = {};", self.lift(ty, name, 0));
                if let Ty::List(item, _) = ty {
                    let _ = writeln!(
                        body,
                        "{ind}    let v{i}: Vec<_> = a{i}.iter().map(|x0| {}).collect();",
                        view(item, "x0", true, 1)
                    );
                    format!("&v{i}")
                } else {
                    view(ty, &format!("a{i}"), false, 0)
                }
            }
            Ty::Option(t) if crate::api::option_view(t) => {
                let view = if matches!(&**t, Ty::Ref { .. }) {
                    "as_ref"
                } else {
                    "as_deref"
                };
                let _ = writeln!(body, "{ind}    let a{i} = {};", self.lift(&p.ty, name, 0));
                format!("a{i}.{view}()")
            }
            Ty::Str(StrKind::Ref | StrKind::PathRef) | Ty::List(_, ListKind::Slice) => {
                let _ = writeln!(body, "{ind}    let a{i} = {};", self.lift(&p.ty, name, 0));
                format!("&a{i}")
            }
            other => {
                let _ = writeln!(body, "{ind}    let a{i} = {};", self.lift(other, name, 0));
                format!("a{i}")
            }
        }
    }

    /// The wit-bindgen Rust type of a WIT value of `ty`.
    fn wtype(&self, ty: &Ty, param: bool) -> String {
        match ty {
            Ty::Unit => "()".into(),
            Ty::Prim(p) => p.clone(),
            Ty::Size { signed } => if *signed { "i64" } else { "u64" }.into(),
            Ty::Str(_) => "String".into(),
            Ty::List(t, _) => format!("Vec<{}>", self.wtype(t, false)),
            Ty::Option(t) => format!("Option<{}>", self.wtype(t, false)),
            Ty::Result(t) => format!("Result<{}, WitError>", self.wtype(t, false)),
            Ty::SdkResult(ok, err) => format!(
                "Result<{}, {}>",
                self.wtype(ok, false),
                self.wtype(err, false)
            ),
            Ty::Tuple(ts) => {
                let items: Vec<String> = ts.iter().map(|t| self.wtype(t, false)).collect();
                format!("({},)", items.join(", "))
            }
            Ty::Named(n) if n.kind == NamedKind::Text => "String".into(),
            Ty::Named(n) => self.wpath(n),
            Ty::Ref { inner, .. } => match &**inner {
                Ty::Named(n) if n.kind == NamedKind::Resource && param => {
                    format!("{}Borrow<'_>", self.wpath(n))
                }
                other => self.wtype(other, param),
            },
            Ty::Boxed(_, t) => self.wtype(t, param),
            Ty::Std(s) => match s {
                StdTy::Ordering => "compwrap::types::types::Ordering".into(),
                StdTy::Duration => "compwrap::types::types::Duration".into(),
                StdTy::SdkConfig => "compwrap::types::types::SdkConfig".into(),
                StdTy::SdkError => "compwrap::types::types::SdkError".into(),
                StdTy::SystemTime | StdTy::SdkDateTime => {
                    "compwrap::types::types::Timestamp".into()
                }
                StdTy::Addr(_) | StdTy::SdkDocument | StdTy::SdkUnknown | StdTy::Json => {
                    "String".into()
                }
                StdTy::SdkBlob | StdTy::SdkByteStream => "Vec<u8>".into(),
                StdTy::NonZero(p) => p.clone(),
                StdTy::Wide { signed: false } => "(u64, u64)".into(),
                StdTy::Wide { signed: true } => "(i64, u64)".into(),
                StdTy::Present => "bool".into(),
                StdTy::Range { item, .. } => {
                    let t = self.wtype(&StdTy::range_item(item), false);
                    format!("({t}, {t})")
                }
            },
        }
    }

    /// Expression converting WIT value `e` into an owned Rust value of `ty`.
    fn lift(&self, ty: &Ty, e: &str, depth: usize) -> String {
        let v = format!("v{depth}");
        match ty {
            Ty::Unit => "()".into(),
            Ty::Prim(_) => e.into(),
            Ty::Size { signed: false } => format!("to_usize({e})"),
            Ty::Size { signed: true } => format!("to_isize({e})"),
            Ty::Str(StrKind::String | StrKind::Ref) => e.into(),
            Ty::Str(StrKind::Rc) => format!("std::rc::Rc::<str>::from({e})"),
            Ty::Str(StrKind::Arc) => format!("std::sync::Arc::<str>::from({e})"),
            Ty::Str(StrKind::Display) => unreachable!("`impl Display` is never lifted"),
            Ty::Str(StrKind::Chars) => unreachable!("iterators are never lifted"),
            Ty::Str(StrKind::Boxed) => format!("{e}.into_boxed_str()"),
            Ty::Str(StrKind::Into) => format!("{e}.into()"),
            Ty::Str(StrKind::Kept) => format!("&*Box::leak({e}.into_boxed_str())"),
            Ty::Str(StrKind::Cow) => format!("std::borrow::Cow::Owned({e})"),
            Ty::Str(StrKind::PathBuf | StrKind::PathRef) => {
                format!("std::path::PathBuf::from({e})")
            }
            Ty::List(_, ListKind::Reader) => format!("std::io::Cursor::new({e})"),
            Ty::List(t, kind) => {
                let inner = self.lift(t, &v, depth + 1);
                if inner == v && matches!(kind, ListKind::Vec | ListKind::Slice) {
                    return e.into(); // wit-bindgen already gives a `Vec<T>`
                }
                if inner == v && *kind == ListKind::Kept {
                    return format!("&*Box::leak({e}.into_boxed_slice())");
                }
                let each = format!("{e}.into_iter().map(|{v}| {inner})");
                match kind {
                    ListKind::Vec | ListKind::Slice => format!("{each}.collect::<Vec<_>>()"),
                    ListKind::VecDeque => {
                        format!("{each}.collect::<std::collections::VecDeque<_>>()")
                    }
                    ListKind::BoxedSlice => {
                        format!("{each}.collect::<Vec<_>>().into_boxed_slice()")
                    }
                    ListKind::Kept => {
                        format!("&*Box::leak({each}.collect::<Vec<_>>().into_boxed_slice())")
                    }
                    ListKind::Cow => {
                        format!("std::borrow::Cow::Owned({each}.collect::<Vec<_>>())")
                    }
                    ListKind::Iter => unreachable!("iterators are never lifted"),
                    ListKind::Sized => format!(
                        "{{ let {v}: Vec<_> = {each}.collect(); TryFrom::try_from(&{v}[..]).unwrap_or_else(|_| panic!(\"expected an array of the type's length, got {{}} elements\", {v}.len())) }}"
                    ),
                    ListKind::Reader => unreachable!("lifted above"),
                    ListKind::HashMap => {
                        format!("{each}.collect::<std::collections::HashMap<_, _, _>>()")
                    }
                    ListKind::BTreeMap => {
                        format!("{each}.collect::<std::collections::BTreeMap<_, _>>()")
                    }
                    ListKind::HashSet => {
                        format!("{each}.collect::<std::collections::HashSet<_, _>>()")
                    }
                    ListKind::BTreeSet => {
                        format!("{each}.collect::<std::collections::BTreeSet<_>>()")
                    }
                    ListKind::Collection { path, params, .. } => {
                        let holes = vec!["_"; *params].join(", ");
                        format!("{each}.collect::<{path}<{holes}>>()")
                    }
                    ListKind::Array(n) => format!(
                        "<[_; {n}]>::try_from({each}.collect::<Vec<_>>()).unwrap_or_else(|l| panic!(\"expected {n} elements, got {{}}\", l.len()))"
                    ),
                }
            }
            Ty::Option(t) => map_unless_identity(e, &v, self.lift(t, &v, depth + 1)),
            Ty::Result(_) | Ty::SdkResult(..) => unreachable!("results are never lifted"),
            Ty::Tuple(ts) => convert_tuple(ts, e, &v, |t, n| self.lift(t, n, depth + 1)),
            Ty::Named(n) => match n.kind {
                NamedKind::Text if self.json.contains(&n.rust) => {
                    format!("{}({e})", self.conv_fn("lift", &n.interface, &n.wit))
                }
                NamedKind::Text => format!("parse_text::<{}>({e})", n.rust),
                NamedKind::Resource => {
                    format!(
                        "{e}.into_inner::<{}>().0.into_inner()",
                        self.res_struct(&n.interface, &n.wit)
                    )
                }
                _ => format!("{}({e})", self.conv_fn("lift", &n.interface, &n.wit)),
            },
            Ty::Ref { inner, .. } => self.lift(inner, e, depth),
            Ty::Boxed(p, t) => format!("{}::new({})", p.rust(), self.lift(t, e, depth)),
            Ty::Std(s) => match s {
                StdTy::Ordering => format!("lift_ordering({e})"),
                StdTy::Duration => format!("lift_duration({e})"),
                StdTy::SdkConfig => e.to_string(),
                StdTy::SdkError => unreachable!("an sdk-error is never passed in"),
                StdTy::SystemTime => format!("lift_timestamp({e})"),
                StdTy::SdkDateTime => format!("lift_sdk_date_time({e})"),
                StdTy::SdkBlob => format!("aws_smithy_types::Blob::new({e})"),
                StdTy::SdkByteStream => {
                    format!("aws_smithy_types::byte_stream::ByteStream::from({e})")
                }
                StdTy::SdkDocument => format!("lift_sdk_document({e})"),
                StdTy::Json => format!("lift_json({e})"),
                StdTy::SdkUnknown => {
                    unreachable!("an unknown enum value is built through its enum")
                }
                StdTy::Addr(path) => format!("parse_text::<{path}>({e})"),
                StdTy::NonZero(p) => format!(
                    "std::num::NonZero::<{p}>::new({e}).unwrap_or_else(|| panic!(\"a `NonZero<{p}>` must not be 0\"))"
                ),
                StdTy::Wide { signed: false } => format!("lift_u128({e})"),
                StdTy::Wide { signed: true } => format!("lift_i128({e})"),
                StdTy::Present => format!("{e}.then_some(())"),
                StdTy::Range { item, inclusive } => {
                    let (s, t) = (format!("{v}_s"), format!("{v}_e"));
                    let op = if *inclusive { "..=" } else { ".." };
                    let item = StdTy::range_item(item);
                    format!(
                        "{{ let ({s}, {t}) = {e}; {}{op}{} }}",
                        self.lift(&item, &s, depth + 1),
                        self.lift(&item, &t, depth + 1)
                    )
                }
            },
        }
    }

    /// Expression converting owned Rust value `e` of `ty` into its WIT value.
    fn lower(&self, ty: &Ty, e: &str, depth: usize) -> String {
        let v = format!("v{depth}");
        match ty {
            Ty::Unit => "()".into(),
            Ty::Prim(_) => e.into(),
            Ty::Size { signed: false } => format!("{e} as u64"),
            Ty::Size { signed: true } => format!("{e} as i64"),
            Ty::Str(StrKind::String) => e.into(),
            Ty::Str(
                StrKind::Ref | StrKind::Kept | StrKind::Display | StrKind::Rc | StrKind::Arc,
            ) => {
                format!("{e}.to_string()")
            }
            Ty::Str(StrKind::Chars) => format!("{e}.collect::<String>()"),
            Ty::Str(StrKind::Boxed) => format!("{e}.into_string()"),
            Ty::Str(StrKind::Into) => format!("str::to_string(&{e})"),
            Ty::Str(StrKind::Cow) => format!("{e}.into_owned()"),
            Ty::Str(StrKind::PathBuf | StrKind::PathRef) => {
                format!("{e}.to_string_lossy().into_owned()")
            }
            Ty::List(_, ListKind::Reader) => format!("{e}.into_inner()"),
            Ty::List(t, kind) => {
                let inner = self.lower(t, &v, depth + 1);
                match kind {
                    ListKind::Vec if inner == v => e.into(),
                    ListKind::Slice if inner == v => format!("{e}.to_vec()"),
                    ListKind::BoxedSlice if inner == v => format!("{e}.into_vec()"),
                    ListKind::Cow if inner == v => format!("{e}.into_owned()"),
                    ListKind::Cow => format!(
                        "{e}.into_owned().into_iter().map(|{v}| {inner}).collect::<Vec<_>>()"
                    ),
                    ListKind::Slice => {
                        format!("{e}.to_vec().into_iter().map(|{v}| {inner}).collect::<Vec<_>>()")
                    }
                    ListKind::BoxedSlice => {
                        format!("{e}.into_vec().into_iter().map(|{v}| {inner}).collect::<Vec<_>>()")
                    }
                    _ => format!("{e}.into_iter().map(|{v}| {inner}).collect::<Vec<_>>()"),
                }
            }
            Ty::Option(t) => map_unless_identity(e, &v, self.lower(t, &v, depth + 1)),
            Ty::Result(t) => format!(
                "{e}.map(|{v}| {}).map_err(|err| to_error!(err))",
                self.lower(t, &v, depth + 1)
            ),
            // The SDK's error, alone or with the service's modeled error.
            Ty::SdkResult(ok, err) => format!(
                "{e}.map(|{v}| {}).map_err({})",
                self.lower(ok, &v, depth + 1),
                if **err == Ty::Std(StdTy::SdkError) {
                    "lower_sdk_error"
                } else {
                    crate::api::smithy::LOWER_OPERATION_ERROR
                }
            ),
            Ty::Tuple(ts) => convert_tuple(ts, e, &v, |t, n| self.lower(t, n, depth + 1)),
            Ty::Named(n) => match n.kind {
                NamedKind::Text if self.json.contains(&n.rust) => {
                    format!("{}({e})", self.conv_fn("lower", &n.interface, &n.wit))
                }
                NamedKind::Text => format!("{e}.to_string()"),
                NamedKind::Resource => format!(
                    "{}::new({}(std::cell::RefCell::new({e})))",
                    self.wpath(n),
                    self.res_struct(&n.interface, &n.wit)
                ),
                _ => format!("{}({e})", self.conv_fn("lower", &n.interface, &n.wit)),
            },
            Ty::Ref { inner, .. } => match &**inner {
                Ty::Prim(_) | Ty::Size { .. } => self.lower(inner, &format!("(*{e})"), depth),
                Ty::Named(n) if n.kind == NamedKind::Text && !self.json.contains(&n.rust) => {
                    format!("{e}.to_string()")
                }
                other => self.lower(other, &format!("{e}.clone()"), depth),
            },
            Ty::Boxed(Pointer::Box, t) => self.lower(t, &format!("(*{e})"), depth),
            Ty::Boxed(p, t) => self.lower(t, &format!("{}::unwrap_or_clone({e})", p.rust()), depth),
            Ty::Std(s) => match s {
                StdTy::Ordering => format!("lower_ordering({e})"),
                StdTy::Duration => format!("lower_duration({e})"),
                StdTy::SdkConfig => unreachable!("an sdk-config is never returned"),
                StdTy::SdkError => unreachable!("an sdk-error is lowered with its result"),
                StdTy::SystemTime => format!("lower_timestamp({e})"),
                StdTy::SdkDateTime => format!("lower_sdk_date_time({e})"),
                StdTy::SdkBlob => format!("{e}.into_inner()"),
                StdTy::SdkByteStream => format!("lower_sdk_byte_stream({e})"),
                StdTy::SdkDocument => format!("lower_sdk_document({e})"),
                StdTy::SdkUnknown => format!("{e}.as_str().to_string()"),
                StdTy::Json => format!("{e}.to_string()"),
                StdTy::Addr(_) => format!("{e}.to_string()"),
                StdTy::NonZero(_) => format!("{e}.get()"),
                StdTy::Wide { signed: false } => format!("lower_u128({e})"),
                StdTy::Wide { signed: true } => format!("lower_i128({e})"),
                StdTy::Present => format!("{e}.is_some()"),
                StdTy::Range { item, inclusive } => {
                    let (s, t) = if *inclusive {
                        (format!("*{v}.start()"), format!("*{v}.end()"))
                    } else {
                        (format!("{v}.start"), format!("{v}.end"))
                    };
                    let item = StdTy::range_item(item);
                    format!(
                        "{{ let {v} = {e}; ({}, {}) }}",
                        self.lower(&item, &s, depth + 1),
                        self.lower(&item, &t, depth + 1)
                    )
                }
            },
        }
    }
}

/// Converts each element of tuple `e`: `{ let (v_0, v_1,) = e; (f(v_0), f(v_1),) }`.
/// The borrowed form of a [`crate::api::nested_view`] part from its owned
/// form `e`: a place, or a reference to one when `by_ref`.
fn view(ty: &Ty, e: &str, by_ref: bool, depth: usize) -> String {
    match ty {
        Ty::Str(_) => format!("{e}.as_str()"),
        Ty::Ref { .. } if by_ref => e.to_string(),
        Ty::Ref { .. } => format!("&{e}"),
        Ty::Tuple(ts) => {
            let parts: Vec<String> = ts
                .iter()
                .enumerate()
                .map(|(k, t)| view(t, &format!("{e}.{k}"), false, depth))
                .collect();
            format!("({},)", parts.join(", "))
        }
        Ty::Option(t) if crate::api::contains_ref(t) => {
            let x = format!("x{depth}");
            format!("{e}.as_ref().map(|{x}| {})", view(t, &x, true, depth + 1))
        }
        _ => format!("{e}.clone()"),
    }
}

/// An enum's path without the lifetime arguments of a variant made over
/// `'static` (`Event::<'static>`): a case's path cannot carry them.
fn without_lifetimes(path: &str) -> &str {
    match path.rfind("::<'") {
        Some(at) if path.ends_with('>') && !path[at..].contains(['(', '[']) => &path[..at],
        _ => path,
    }
}

fn convert_tuple(ts: &[Ty], e: &str, v: &str, mut f: impl FnMut(&Ty, &str) -> String) -> String {
    let names: Vec<String> = (0..ts.len()).map(|i| format!("{v}_{i}")).collect();
    let items: Vec<String> = ts.iter().zip(&names).map(|(t, n)| f(t, n)).collect();
    format!(
        "{{ let ({},) = {e}; ({},) }}",
        names.join(", "),
        items.join(", ")
    )
}

/// `e.map(|v| inner)`, or just `e` when `inner` is `v` itself.
fn map_unless_identity(e: &str, v: &str, inner: String) -> String {
    if inner == v {
        e.to_string()
    } else {
        format!("{e}.map(|{v}| {inner})")
    }
}

fn bindings(n: usize) -> String {
    (0..n)
        .map(|i| format!("p{i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::{exports_at, prune_conversions};

    #[test]
    fn conversions_nothing_calls_are_dropped() {
        let code = "use x;\n\
                    \nfn lift_a(x: A) -> a::A {\n    a::A { b: lift_b(x.b) }\n}\n\
                    \nfn lower_a(x: a::A) -> A {\n    A { b: lower_b(x.b) }\n}\n\
                    \nfn lift_b(x: B) -> a::B {\n    a::B\n}\n\
                    \nfn lower_b(x: a::B) -> B {\n    B\n}\n\
                    \nfn lower_c<E>(x: E) -> C { C }\n\
                    \nfn lift_unit(x: ()) -> () {}\n\
                    \nimpl Guest for Component {\n    fn f(a: A) -> Result<(), C> {\n        \
                    run(lift_a(a)).map_err(lower_c)\n    }\n}\n";
        let pruned = prune_conversions(code);
        assert_eq!(
            pruned,
            "use x;\n\
             \nfn lift_a(x: A) -> a::A {\n    a::A { b: lift_b(x.b) }\n}\n\
             \nfn lift_b(x: B) -> a::B {\n    a::B\n}\n\
             \nfn lower_c<E>(x: E) -> C { C }\n\
             \nimpl Guest for Component {\n    fn f(a: A) -> Result<(), C> {\n        \
             run(lift_a(a)).map_err(lower_c)\n    }\n}\n"
        );
        // Nothing to drop: the same text.
        assert_eq!(prune_conversions(&pruned), pruned);
    }

    #[test]
    fn errors_are_traced_to_the_exports_whose_glue_holds_them() {
        let code = "\
fn lift_a(x: A) -> a::A {
    lift_b(x.b)
}

fn lift_b(x: B) -> a::B {
    a::B(x)
}

fn lower_c(x: a::C) -> C {
    C(x.0)
}

impl i_a::Guest for Component {
    // export a.f
    /// `a::f`
    fn f(p0: A) {
        let a0 = lift_a(p0);
        a::f(a0);
    }
    // export a.g
    /// `a::g`
    fn g() -> C {
        lower_c(a::g())
    }
}
";
        let at = |line| exports_at(code, line);
        // In an export's own glue.
        assert_eq!(at(18), Some(vec!["a.f".to_string()]));
        assert_eq!(at(24), Some(vec!["a.g".to_string()]));
        // In a conversion: every export that reaches it.
        assert_eq!(at(6), Some(vec!["a.f".to_string()]));
        assert_eq!(at(10), Some(vec!["a.g".to_string()]));
        // Elsewhere: compwrap's own code.
        assert_eq!(at(13), None);
    }
}
