//! `compwrap call`.

use anyhow::{Context, Result, bail};
use clap::Args;
use compwrap_host::call::Instance;
use std::fmt;

use super::StoreArgs;

/// Call a function of a component, with arguments and result in WAVE.
///
/// FUNCTION is a free function (`version-parse`), `resource.method`
/// (`regex.is-match`), `resource.static` (`regex.create`), `resource.new`
/// for the constructor, or the raw WIT name (`[method]regex.is-match`),
/// prefixed with the interface when several export it
/// (`bytes#regex.is-match`).
/// Methods need `--self`, a call that makes the resource; any other
/// resource argument is such a call too (or `#N`, a handle printed before),
/// and so are the resource arguments of those calls. A call whose result
/// holds a resource (a record with a `byte-stream` body) makes the first
/// one it holds.
#[derive(Args)]
#[command(after_help = "\
Examples:
  compwrap call semver@1.0.28 version-parse '\"1.2.3-beta.1\"'
  compwrap call semver version-req-matches '{comparators: []}' '{major: 1, minor: 4, patch: 0, pre: \"\", build: \"\"}'
  compwrap call regex 'regex#regex.is-match' --self 'regex.create(\"a+b\")' '\"xaab\"'
  compwrap call regex 'regex#regex.captures' --self 'regex.create(\"(\\\\d+)-(\\\\d+)\")' '\"pages 10-12\"'
  compwrap call scraper html.select --self 'html.parse-document(\"<p class=a>x</p>\")' 'selector.parse(\"p.a\")'
  compwrap call rhai dynamic.to-string --self 'engine.eval(engine.new(), \"40 + 2\")'
  compwrap call aws-sdk-s3 byte-stream.collect --allow-http 127.0.0.1:5000 \\
    --self 'client.get-object(client.new({region: some(\"us-east-1\"), endpoint-url: some(\"http://127.0.0.1:5000\"),
      credentials: some({access-key-id: \"test\", secret-access-key: \"test\"})}), {bucket: some(\"objects\"), key: some(\"k\")})'
  compwrap call ./client.wasm fetch --allow-http 127.0.0.1:8080 '\"http://127.0.0.1:8080/\"'

WAVE: strings \"text\", numbers 42, lists [1, 2], records {a: 1}, options some(x) / none,
results ok(x) / err(e), enums and variants by case name.")]
pub struct Opts {
    /// `crate[@version]` (or a version requirement, `crate@1.0`: the newest
    /// stored match) or digest in the store, or a .wasm file.
    #[arg(value_name = "COMPONENT")]
    component: String,
    /// The function to call.
    #[arg(value_name = "FUNCTION")]
    function: String,
    /// Arguments, one WAVE value each; for a resource, a call that makes
    /// it (`selector.parse("p.a")`).
    #[arg(value_name = "ARGS", allow_hyphen_values = true)]
    args: Vec<String>,
    /// For methods: the constructor or static call that makes `self`, e.g.
    /// `regex.create("a+")` or `regex.new("a+")`.
    #[arg(long = "self", value_name = "CALL")]
    self_call: Option<String>,
    /// Let the component make outgoing HTTP requests (wasi:http) to this
    /// host: `example.com`, `127.0.0.1:4566`, `*.amazonaws.com` (repeatable;
    /// none by default).
    #[arg(long, value_name = "HOST")]
    allow_http: Vec<String>,
    #[command(flatten)]
    store: StoreArgs,
}

/// Marks errors of the call itself (exit code 7).
#[derive(Debug)]
pub struct CallFailed(String);

impl fmt::Display for CallFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Opts {
    pub fn run(self) -> Result<()> {
        let store = self.store.open()?;
        let (bytes, label) = super::read_component(&store, &self.component)?;
        compwrap::component::validate(&bytes, &label)?;
        let runtime = self
            .allow_http
            .iter()
            .fold(super::runtime_builder(&store), |builder, host| {
                builder.allow_http(host)
            })
            .build()?;
        let loaded = runtime.load_bytes(&bytes)?;
        let mut instance = loaded.instantiate()?;
        let function = resolve_name(&instance, &self.function)?;
        let prefix = self.function.rsplit_once('#').map(|(iface, _)| iface);
        let mut args: Vec<String> = Vec::new();
        if let Some(self_call) = &self.self_call {
            args.push(make_resource(&mut instance, self_call, prefix, "--self")?);
        } else if function.contains("[method]") {
            bail!(CallFailed(format!(
                "`{function}` is a method: pass `--self 'CALL'` with a constructor or static function that makes the resource"
            )));
        }
        resource_args(&mut instance, &function, &self.args, prefix, &mut args)?;
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let result = instance
            .call_wave(&function, &refs)
            .with_context(|| CallFailed(format!("calling `{function}` failed")))?;
        if let Some(result) = result {
            println!("{result}");
        }
        Ok(())
    }
}

/// Maps the friendly spellings to the WIT name of an export; an interface
/// may prefix any of them (`bytes#regex.is-match`).
fn resolve_name(instance: &Instance, name: &str) -> Result<String> {
    let (prefix, func) = match name.rsplit_once('#') {
        Some((iface, f)) => (format!("{iface}#"), f),
        None => (String::new(), name),
    };
    let mut candidates = vec![func.to_string()];
    if !func.starts_with('[')
        && let Some((res, f)) = func.rsplit_once('.')
    {
        candidates.push(format!("[method]{func}"));
        candidates.push(format!("[static]{func}"));
        if f == "new" {
            candidates.push(format!("[constructor]{res}"));
        }
    }
    let mut first_error = None;
    for c in candidates.iter().map(|c| format!("{prefix}{c}")) {
        match instance.func_type(&c) {
            Ok(_) => return Ok(c),
            // An ambiguous name is a better answer than "not found".
            Err(e) if e.to_string().contains("ambiguous") => {
                return Err(e.context(CallFailed(format!("`{name}` names more than one function"))));
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let err = first_error.expect("at least one candidate");
    Err(err.context(CallFailed(format!("no function `{name}` in the component"))))
}

/// Appends `given` to `args` (which holds what precedes them, e.g. the
/// `self` handle): a resource argument may be the call that makes it, in
/// turn with such arguments (`engine.eval(engine.new(), "1 + 1")`).
fn resource_args(
    instance: &mut Instance,
    function: &str,
    given: &[String],
    prefix: Option<&str>,
    args: &mut Vec<String>,
) -> Result<()> {
    let params = instance.func_type(function)?.params.clone();
    let mut used = 0;
    for (arg, param) in given.iter().zip(params.iter().skip(args.len())) {
        used += 1;
        let resource = matches!(
            param.ty.ty,
            compwrap_host::wasmtime::component::types::Type::Own(_)
                | compwrap_host::wasmtime::component::types::Type::Borrow(_)
        );
        if resource && !arg.trim_start().starts_with('#') {
            let what = format!("argument `{}`", param.name);
            args.push(make_resource(instance, arg, prefix, &what)?);
        } else {
            args.push(arg.clone());
        }
    }
    // Extra arguments go on, for the arity check to count.
    args.extend(given.iter().skip(used).cloned());
    Ok(())
}

/// Runs `name(args…)` and returns the resource it made as a WAVE handle,
/// for `what` (`--self`, an argument). `prefix` is the called function's
/// interface, used when `call` names none.
fn make_resource(
    instance: &mut Instance,
    call: &str,
    prefix: Option<&str>,
    what: &str,
) -> Result<String> {
    let (name, rest) = call.split_once('(').with_context(|| {
        CallFailed(format!(
            "{what} `{call}` must be a call that makes the resource, like `resource.new(ARGS)`"
        ))
    })?;
    let inner = rest
        .trim_end()
        .strip_suffix(')')
        .with_context(|| CallFailed(format!("{what} `{call}` is missing `)`")))?;
    let function = match prefix {
        // The method's own interface first, then any that exports it.
        Some(p) if !name.contains('#') => resolve_name(instance, &format!("{p}#{}", name.trim()))
            .or_else(|_| resolve_name(instance, name.trim()))?,
        _ => resolve_name(instance, name.trim())?,
    };
    let mut args = Vec::new();
    resource_args(instance, &function, &split_args(inner), prefix, &mut args)?;
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = instance
        .call_wave(&function, &refs)
        .with_context(|| CallFailed(format!("calling `{function}` for {what} failed")))?
        .with_context(|| CallFailed(format!("`{function}` returned nothing")))?;
    if result.starts_with("err(") {
        bail!(CallFailed(format!(
            "`{function}` for {what} returned {result}"
        )));
    }
    match first_handle(&result) {
        Some(handle) => Ok(handle),
        None => bail!(CallFailed(format!(
            "`{function}` returned {result}, not a resource"
        ))),
    }
}

/// The first resource handle (`#N`) in a WAVE value, outside its strings:
/// the resource itself, or the first one a record holds
/// (`{body: #1, …}`).
fn first_handle(wave: &str) -> Option<String> {
    let (mut in_str, mut escaped) = (false, false);
    for (at, c) in wave.char_indices() {
        if in_str {
            in_str = c != '"' || escaped;
            escaped = c == '\\' && !escaped;
        } else if c == '"' {
            in_str = true;
        } else if c == '#' {
            let digits: String = wave[at + 1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if !digits.is_empty() {
                return Some(format!("#{digits}"));
            }
        }
    }
    None
}

/// Splits WAVE arguments at top-level commas.
fn split_args(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut in_str, mut escaped) = (0i32, false, false);
    let mut current = String::new();
    for c in text.chars() {
        if in_str {
            in_str = c != '"' || escaped;
            escaped = c == '\\' && !escaped;
        } else {
            match c {
                '"' => in_str = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(std::mem::take(&mut current).trim().to_string());
                    continue;
                }
                _ => {}
            }
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{first_handle, split_args};

    #[test]
    fn finds_the_first_handle_outside_strings() {
        assert_eq!(first_handle("#3").as_deref(), Some("#3"));
        assert_eq!(
            first_handle(r##"ok({etag: "#2", body: #7, next: #8})"##).as_deref(),
            Some("#7")
        );
        assert_eq!(first_handle(r##"ok("# \"#4")"##), None);
    }

    #[test]
    fn splits_wave_arguments() {
        assert_eq!(
            split_args(r#""a,b", [1, 2], {x: "(", y: 3}"#),
            vec![r#""a,b""#, "[1, 2]", r#"{x: "(", y: 3}"#]
        );
        assert_eq!(split_args(""), Vec::<String>::new());
        assert_eq!(split_args(r#""q\"," , 5"#), vec![r#""q\",""#, "5"]);
    }
}
