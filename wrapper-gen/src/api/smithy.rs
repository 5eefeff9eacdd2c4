//! Crates generated from Smithy models (the AWS SDKs), recognised by their
//! structure: a `Client` resource with `from_conf(Config)`. Such a client
//! gets a constructor from `compwrap:types/types.sdk-config` (region,
//! endpoint, static credentials, retries, timeouts) whose glue builds the
//! SDK's `Config` with an HTTP client over `wasi:http` (the glue's own) and
//! a sleep on WASI's clocks (`aws-smithy-wasm`), and one method per
//! operation that takes the
//! operation's input record and returns its output or an `sdk-error`
//! (`client.assume-role(input)`), in place of the SDK's fluent builders.
//! A crate whose model declares errors (`types::error::*`) returns them
//! typed: its operations fail with an `operation-error` record, the
//! `sdk-error` and, when the service answered with a declared error, that
//! error as a case of the crate's `service-error` variant.

use crate::model::{
    Api, Case, Field, FuncKind, Function, ListKind, Named, NamedKind, Param, Payload, ReportItem,
    StdTy, Ty, TypeDef, TypeKind,
};
use crate::names::{Namespace, kebab, rust_raw};

/// Applies the recipe to a Smithy crate; does nothing for other crates.
pub fn recipe(api: &mut Api, report: &mut [ReportItem]) {
    add_client_constructor(api);
    if api.smithy {
        operations(api, report);
        modeled_errors(api, report);
        crate::select::retain(
            api,
            report,
            |f| is_operation(f) || is_client_constructor(f),
            |_| false,
            COVERED,
        );
        merge_operation_modules(api, report);
        streaming_bodies(api);
    }
}

/// The WIT name of the resource a streaming body of an operation's output
/// leaves the component as.
pub const BYTE_STREAM: &str = "byte-stream";

/// The Rust type behind [`BYTE_STREAM`].
const BYTE_STREAM_RUST: &str = "aws_smithy_types::byte_stream::ByteStream";

/// A streaming body in an operation's output (S3's `GetObjectOutput::body`)
/// leaves as a `byte-stream` resource, read as the SDK reads it: in the
/// chunks the response arrives in (`next`), so a large object never sits
/// in memory whole, or whole (`collect`). Inputs keep taking `list<u8>`.
fn streaming_bodies(api: &mut Api) {
    let outputs: std::collections::BTreeSet<String> = api
        .interfaces
        .iter()
        .flat_map(|i| i.functions.iter().filter(|f| is_operation(f)))
        .filter_map(|f| match &f.output {
            Ty::SdkResult(ok, _) => match &**ok {
                Ty::Named(n) if n.kind == NamedKind::Record => Some(n.rust.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    let Some(home) = client_interface(api) else {
        return;
    };
    // A crate type of that name keeps it: its bodies are read whole.
    if api.interfaces[home]
        .types
        .iter()
        .any(|t| t.wit == BYTE_STREAM)
    {
        return;
    }
    let named = Named {
        interface: api.interfaces[home].name.clone(),
        wit: BYTE_STREAM.into(),
        rust: BYTE_STREAM_RUST.into(),
        kind: NamedKind::Resource,
    };
    fn streamed(ty: &mut Ty, named: &Named) -> bool {
        match ty {
            Ty::Std(StdTy::SdkByteStream) => {
                *ty = Ty::Named(named.clone());
                true
            }
            Ty::Option(inner) => streamed(inner, named),
            _ => false,
        }
    }
    let mut any = false;
    for iface in &mut api.interfaces {
        for def in &mut iface.types {
            if !outputs.contains(&def.rust) {
                continue;
            }
            if let TypeKind::Record { fields, .. } = &mut def.kind {
                for field in fields {
                    any |= streamed(&mut field.ty, &named);
                }
            }
        }
    }
    if !any {
        return;
    }
    let iface = &mut api.interfaces[home];
    iface.types.push(TypeDef {
        wit: BYTE_STREAM.into(),
        rust: BYTE_STREAM_RUST.into(),
        kind: TypeKind::Resource,
    });
    let this = Param {
        wit: "self".into(),
        ty: Ty::Ref {
            mutable: true,
            inner: Box::new(Ty::Named(named)),
        },
    };
    let bytes = Ty::List(Box::new(Ty::Prim("u8".into())), ListKind::Vec);
    for (wit, callee, output) in [
        (
            "next",
            "sdk_byte_stream_next",
            Ty::Option(Box::new(bytes.clone())),
        ),
        ("collect", "sdk_byte_stream_collect", bytes),
    ] {
        iface.functions.push(Function {
            wit: wit.into(),
            rust: format!("{BYTE_STREAM_RUST}::{wit}"),
            callee: callee.into(),
            kind: FuncKind::Method(BYTE_STREAM.into()),
            params: vec![this.clone()],
            output: Ty::Result(Box::new(output)),
            updates: Vec::new(),
            value: false,
            is_async: false,
        });
    }
}

/// Whether the API has the [`BYTE_STREAM`] resource of streaming bodies.
pub fn has_byte_stream(api: &Api) -> bool {
    api.smithy
        && api
            .interfaces
            .iter()
            .any(|i| i.types.iter().any(|t| t.rust == BYTE_STREAM_RUST))
}

/// Moves the inputs and outputs of the operations (one Rust module per
/// operation, `aws_sdk_ec2::operation::run_instances`) into the client's
/// interface: a component may hold at most 1000 instances, one per
/// exported interface, and `aws-sdk-ec2` has over 700 operations.
fn merge_operation_modules(api: &mut Api, report: &mut [ReportItem]) {
    let Some(client) = client_interface(api).map(|i| api.interfaces[i].name.clone()) else {
        return;
    };
    let operations: Vec<String> = api
        .interfaces
        .iter()
        .filter(|i| i.name != client && i.rust_module.contains("::operation::"))
        .map(|i| i.name.clone())
        .collect();
    for from in &operations {
        crate::layout::move_into(api, from, &client, report);
    }
    api.interfaces
        .retain(|i| !i.types.is_empty() || !i.functions.is_empty());
}

/// The reason recorded for the rest of an SDK crate's API.
pub const COVERED: &str = "covered by the client's operation functions (an AWS SDK component \
                           keeps the client and the shapes of its operations' inputs and outputs)";

/// Whether `f` is an operation method the recipe made
/// (`client.describe-instances(input)`).
pub fn is_operation(f: &Function) -> bool {
    matches!(f.kind, FuncKind::Method(_)) && f.rust.ends_with(OPERATION_NOTE)
}

/// Added to the Rust path of an operation method in its documentation.
const OPERATION_NOTE: &str = " (sends the operation's input)";

/// The interface of the client, which the recipe gave its constructor.
fn client_interface(api: &Api) -> Option<usize> {
    api.interfaces
        .iter()
        .position(|i| i.functions.iter().any(is_client_constructor))
}

/// Whether `f` is the client constructor the recipe added.
pub fn is_client_constructor(f: &Function) -> bool {
    matches!(f.kind, FuncKind::Constructor(_)) && f.callee == CLIENT_FN
}

/// The glue function that makes a client from an `sdk-config`.
pub const CLIENT_FN: &str = "sdk_client";

/// Adds the `sdk-config` constructor to a Smithy crate's client and marks
/// the API as Smithy's; does nothing for other crates.
fn add_client_constructor(api: &mut Api) {
    for iface in &mut api.interfaces {
        let Some(client) = iface.types.iter().find(|t| {
            matches!(t.kind, TypeKind::Resource) && t.rust.rsplit("::").next() == Some("Client")
        }) else {
            continue;
        };
        let from_conf = iface.functions.iter().any(|f| {
            f.kind == FuncKind::Static(client.wit.clone())
                && f.rust == format!("{}::from_conf", client.rust)
                && matches!(
                    f.params.first().map(|p| &p.ty),
                    Some(Ty::Named(n)) if n.rust.ends_with("::config::Config")
                )
        });
        let has_constructor = iface
            .functions
            .iter()
            .any(|f| matches!(&f.kind, FuncKind::Constructor(c) if *c == client.wit));
        if !from_conf || has_constructor {
            continue;
        }
        let named = Named {
            interface: iface.name.clone(),
            wit: client.wit.clone(),
            rust: client.rust.clone(),
            kind: NamedKind::Resource,
        };
        iface.functions.insert(
            0,
            Function {
                wit: "constructor".into(),
                rust: format!("{}::from_conf (from a compwrap sdk-config)", client.rust),
                callee: CLIENT_FN.into(),
                kind: FuncKind::Constructor(client.wit.clone()),
                params: vec![Param {
                    wit: "config".into(),
                    ty: Ty::Std(StdTy::SdkConfig),
                }],
                output: Ty::Named(named),
                updates: Vec::new(),
                value: false,
                is_async: false,
            },
        );
        api.smithy = true;
        return;
    }
}

/// Replaces each client method that returns an operation's fluent builder
/// (`fn assume_role(&self) -> AssumeRoleFluentBuilder`) with one that takes
/// the operation's input record and sends it, and drops the fluent
/// builders, which nothing makes any more.
fn operations(api: &mut Api, report: &mut [ReportItem]) {
    let defs: Vec<(String, TypeDef)> = api
        .interfaces
        .iter()
        .flat_map(|i| i.types.iter().map(move |t| (i.name.clone(), t.clone())))
        .collect();
    // `<module>::<Op>Input` / `<module>::<Op>Output`; the operation's name
    // is not always spelled alike in the builder's and the shapes' names
    // (`AssumeRoleWithSAMLFluentBuilder`, `AssumeRoleWithSamlInput`).
    let find = |module: &str, suffix: &str| {
        defs.iter().find(|(_, t)| {
            t.rust
                .strip_prefix(module)
                .and_then(|rest| rest.strip_prefix("::"))
                .is_some_and(|name| !name.contains("::") && name.ends_with(suffix))
        })
    };
    let mut replaced = Vec::new();
    for iface in &mut api.interfaces {
        for f in &mut iface.functions {
            let FuncKind::Method(_) = &f.kind else {
                continue;
            };
            let Ty::Named(builder) = &f.output else {
                continue;
            };
            let Some((module, _)) = builder
                .rust
                .split_once("::builders::")
                .filter(|(_, name)| name.ends_with("FluentBuilder"))
            else {
                continue;
            };
            if !module.contains("::operation::") {
                continue;
            }
            let Some((out_iface, output)) = find(module, "Output") else {
                continue;
            };
            let output_kind = match output.kind {
                TypeKind::Resource => NamedKind::Resource,
                TypeKind::Record { .. } => NamedKind::Record,
                _ => continue,
            };
            let input = find(module, "Input");
            let method = f.rust.rsplit("::").next().unwrap_or_default().to_string();
            let client = f.params[0].clone();
            let client_rust = match &client.ty {
                Ty::Ref { inner, .. } => match &**inner {
                    Ty::Named(n) => n.rust.clone(),
                    _ => continue,
                },
                _ => continue,
            };
            let (params, callee) = match input {
                Some((
                    in_iface,
                    def @ TypeDef {
                        kind:
                            TypeKind::Record {
                                fields,
                                from_builder: Some(_),
                                ..
                            },
                        ..
                    },
                )) => {
                    let setters: String = fields
                        .iter()
                        .map(|field| {
                            let value = format!("input.{}", rust_raw(&field.rust));
                            match field.ty {
                                Ty::Option(_) => format!(".set_{}({value})", field.rust),
                                _ => format!(".set_{}(Some({value}))", field.rust),
                            }
                        })
                        .collect();
                    let named = Named {
                        interface: in_iface.clone(),
                        wit: def.wit.clone(),
                        rust: def.rust.clone(),
                        kind: NamedKind::Record,
                    };
                    (
                        vec![
                            client,
                            Param {
                                wit: "input".into(),
                                ty: Ty::Named(named),
                            },
                        ],
                        format!(
                            "(|client: &{client_rust}, input: {}| client.{method}(){setters}.send())",
                            def.rust
                        ),
                    )
                }
                // An operation without input members.
                Some((
                    _,
                    TypeDef {
                        kind: TypeKind::Resource,
                        ..
                    },
                ))
                | None => (
                    vec![client],
                    format!("(|client: &{client_rust}| client.{method}().send())"),
                ),
                Some(_) => continue,
            };
            replaced.push(builder.clone());
            f.params = params;
            f.callee = callee;
            // An output without members (only the request id, which the
            // Rust struct hides) is `result<_, sdk-error>`.
            let ok = match output_kind {
                NamedKind::Resource => Ty::Unit,
                _ => Ty::Named(Named {
                    interface: out_iface.clone(),
                    wit: output.wit.clone(),
                    rust: output.rust.clone(),
                    kind: output_kind,
                }),
            };
            f.output = Ty::SdkResult(Box::new(ok), Box::new(Ty::Std(StdTy::SdkError)));
            f.is_async = true;
            f.rust = format!("{}{OPERATION_NOTE}", f.rust);
        }
    }
    // The fluent builders and their methods are covered by the operation
    // functions.
    for builder in &replaced {
        let Some(iface) = api
            .interfaces
            .iter_mut()
            .find(|i| i.name == builder.interface)
        else {
            continue;
        };
        iface.types.retain(|t| t.wit != builder.wit);
        iface.functions.retain(|f| {
            !matches!(&f.kind,
                FuncKind::Method(r) | FuncKind::Static(r) | FuncKind::Constructor(r) if *r == builder.wit)
        });
        let prefix = format!("{}::", builder.rust);
        for item in report.iter_mut() {
            if item.path == builder.rust || item.path.starts_with(&prefix) {
                item.wit = None;
                item.skipped = Some(
                    "the fluent builder is covered by the operation function, which takes the \
                     input record"
                        .into(),
                );
            }
        }
    }
}

/// The name of the glue function that lowers an operation's `SdkError`
/// into an `operation-error` record.
pub const LOWER_OPERATION_ERROR: &str = "lower_operation_error";

/// Gives the operations of a crate that declares errors
/// (`<crate>::types::error::*`, records of their public members: the
/// message and the service's own fields) a typed error: an
/// `operation-error` record of the `sdk-error` and an optional
/// `service-error`, a variant with one case per declared error. The
/// `service-error` stands for the crate's `Error` enum (every operation's
/// error converts into it) without its `Unhandled` case: a code the model
/// does not declare, and an error before any answer, leave it `none`.
fn modeled_errors(api: &mut Api, report: &mut [ReportItem]) {
    let prefix = format!("{}::types::error::", api.rust_name);
    let errors: Vec<(String, Named)> = api
        .interfaces
        .iter()
        .flat_map(|i| {
            i.types.iter().filter_map(|t| {
                let name = t.rust.strip_prefix(&prefix)?;
                let record = matches!(t.kind, TypeKind::Record { .. }) && !name.contains("::");
                record.then(|| {
                    (
                        name.to_string(),
                        Named {
                            interface: i.name.clone(),
                            wit: t.wit.clone(),
                            rust: t.rust.clone(),
                            kind: NamedKind::Record,
                        },
                    )
                })
            })
        })
        .collect();
    if errors.is_empty() {
        return;
    }
    let Some(client) = client_interface(api).map(|i| &mut api.interfaces[i]) else {
        return;
    };
    let mut names = Namespace::default();
    for t in &client.types {
        names.claim(&t.wit);
    }
    let krate = &api.rust_name;
    let service = Named {
        interface: client.name.clone(),
        wit: names.claim("service-error"),
        rust: format!("{krate}::Error"),
        kind: NamedKind::Variant,
    };
    let operation = Named {
        interface: client.name.clone(),
        wit: names.claim("operation-error"),
        rust: format!("{krate}::error::SdkError"),
        kind: NamedKind::Record,
    };
    client.types.push(TypeDef {
        wit: service.wit.clone(),
        rust: service.rust.clone(),
        kind: TypeKind::Variant {
            cases: errors
                .into_iter()
                .map(|(rust, named)| Case {
                    wit: kebab(&rust),
                    rust,
                    payload: Payload::Tuple(vec![Ty::Named(named)]),
                })
                .collect(),
            open: None,
        },
    });
    // Written by the glue's `lower_operation_error`, not by the general
    // record conversions.
    client.types.push(TypeDef {
        wit: operation.wit.clone(),
        rust: operation.rust.clone(),
        kind: TypeKind::Record {
            fields: vec![
                Field {
                    wit: "error".into(),
                    rust: "error".into(),
                    ty: Ty::Std(StdTy::SdkError),
                },
                Field {
                    wit: "modeled".into(),
                    rust: "modeled".into(),
                    ty: Ty::Option(Box::new(Ty::Named(service.clone()))),
                },
            ],
            tuple: false,
            synthetic: true,
            open: false,
            from_default: false,
            from_builder: None,
        },
    });
    for iface in &mut api.interfaces {
        for f in iface.functions.iter_mut().filter(|f| is_operation(f)) {
            if let Ty::SdkResult(_, err) = &mut f.output {
                **err = Ty::Named(operation.clone());
            }
        }
    }
    for item in report.iter_mut().filter(|item| item.path == service.rust) {
        item.wit = Some(format!("{}.{}", service.interface, service.wit));
        item.skipped = None;
    }
}

/// The `operation-error` record and the `service-error` variant of an API
/// whose operations return typed errors (found through an operation's
/// error, whose `modeled` field holds the variant).
pub fn typed_errors(api: &Api) -> Option<(&Named, &Named)> {
    let operation = api
        .interfaces
        .iter()
        .flat_map(|i| &i.functions)
        .find_map(|f| match &f.output {
            Ty::SdkResult(_, err) if is_operation(f) => match &**err {
                Ty::Named(n) => Some(n),
                _ => None,
            },
            _ => None,
        })?;
    let def = api
        .interfaces
        .iter()
        .filter(|i| i.name == operation.interface)
        .flat_map(|i| &i.types)
        .find(|t| t.wit == operation.wit)?;
    let TypeKind::Record { fields, .. } = &def.kind else {
        return None;
    };
    let service = fields.iter().find_map(|f| match &f.ty {
        Ty::Option(t) => match &**t {
            Ty::Named(n) if n.kind == NamedKind::Variant => Some(n),
            _ => None,
        },
        _ => None,
    })?;
    Some((operation, service))
}

/// Conversions between Smithy's `DateTime` and `compwrap:types`'
/// `timestamp` (both: seconds since the epoch, floored, plus nanoseconds).
pub const DATE_TIME_GLUE: &str = r#"
fn lift_sdk_date_time(v: compwrap::types::types::Timestamp) -> aws_smithy_types::DateTime {
    aws_smithy_types::DateTime::from_secs_and_nanos(v.secs, v.nanos)
}

fn lower_sdk_date_time(v: aws_smithy_types::DateTime) -> compwrap::types::types::Timestamp {
    compwrap::types::types::Timestamp { secs: v.secs(), nanos: v.subsec_nanos() }
}
"#;

/// A returned streaming body outside an operation's output, read whole
/// (after the operation's own `block_on`: the response's body arrives over
/// the same wasi:http stream). A body that breaks off is a trap with the
/// SDK's error.
pub const BYTE_STREAM_GLUE: &str = r#"
fn lower_sdk_byte_stream(body: aws_smithy_types::byte_stream::ByteStream) -> Vec<u8> {
    match wstd::runtime::block_on(body.collect()) {
        Ok(data) => data.into_bytes().to_vec(),
        Err(e) => panic!("reading the response body failed: {e}"),
    }
}
"#;

/// The methods of the `byte-stream` resource: the next chunk of the body
/// as it arrives, or the rest of it whole (the resource is empty after).
pub const BYTE_STREAM_RESOURCE_GLUE: &str = r#"
fn sdk_byte_stream_next(
    body: &mut aws_smithy_types::byte_stream::ByteStream,
) -> Result<Option<Vec<u8>>, aws_smithy_types::byte_stream::error::Error> {
    wstd::runtime::block_on(body.try_next()).map(|chunk| chunk.map(|c| c.to_vec()))
}

fn sdk_byte_stream_collect(
    body: &mut aws_smithy_types::byte_stream::ByteStream,
) -> Result<Vec<u8>, aws_smithy_types::byte_stream::error::Error> {
    let body = std::mem::take(body);
    wstd::runtime::block_on(body.collect()).map(|data| data.into_bytes().to_vec())
}
"#;

/// Conversions between Smithy's `Document` and JSON text.
pub const DOCUMENT_GLUE: &str = r#"
fn lift_sdk_document(json: String) -> aws_smithy_types::Document {
    fn document(v: serde_json::Value) -> aws_smithy_types::Document {
        use aws_smithy_types::{Document as D, Number as N};
        match v {
            serde_json::Value::Null => D::Null,
            serde_json::Value::Bool(b) => D::Bool(b),
            serde_json::Value::Number(n) => D::Number(match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => N::PosInt(u),
                (None, Some(i)) => N::NegInt(i),
                _ => N::Float(n.as_f64().unwrap_or(f64::NAN)),
            }),
            serde_json::Value::String(s) => D::String(s),
            serde_json::Value::Array(a) => D::Array(a.into_iter().map(document).collect()),
            serde_json::Value::Object(o) => {
                D::Object(o.into_iter().map(|(k, v)| (k, document(v))).collect())
            }
        }
    }
    match serde_json::from_str(&json) {
        Ok(v) => document(v),
        Err(e) => panic!("a document must be JSON text: {e}"),
    }
}

fn lower_sdk_document(d: aws_smithy_types::Document) -> String {
    fn json(d: aws_smithy_types::Document) -> serde_json::Value {
        use aws_smithy_types::{Document as D, Number as N};
        match d {
            D::Null => serde_json::Value::Null,
            D::Bool(b) => serde_json::Value::Bool(b),
            D::Number(N::PosInt(u)) => u.into(),
            D::Number(N::NegInt(i)) => i.into(),
            // JSON has no NaN or infinity.
            D::Number(N::Float(f)) => serde_json::Number::from_f64(f).map_or(serde_json::Value::Null, Into::into),
            D::String(s) => serde_json::Value::String(s),
            D::Array(a) => serde_json::Value::Array(a.into_iter().map(json).collect()),
            D::Object(o) => serde_json::Value::Object(o.into_iter().map(|(k, v)| (k, json(v))).collect()),
        }
    }
    json(d).to_string()
}
"#;

/// The SDK's HTTP client in the guest: requests over `wasi:http`, sent
/// whole (SDK requests are in memory), responses read as the SDK reads
/// them (a streaming body in chunks, any other whole), with
/// the host's error kept — a refused connection, a host the runtime does
/// not allow, a timeout — where a client that writes the body while waiting
/// for the response sees only a broken body stream ("connection reset").
const HTTP_GLUE: &str = r#"
mod compwrap_http {
    use std::time::Duration;

    use aws_smithy_runtime_api::client::http::{
        HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
    };
    use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::retry::ErrorKind;
    use wasip2::http::types::{
        ErrorCode, Fields, IncomingBody, Method, OutgoingBody, OutgoingRequest, RequestOptions, Scheme,
    };
    use wasip2::io::streams::StreamError;

    #[derive(Debug, Clone)]
    pub struct Client;

    impl HttpClient for Client {
        fn http_connector(
            &self,
            settings: &HttpConnectorSettings,
            _components: &RuntimeComponents,
        ) -> SharedHttpConnector {
            SharedHttpConnector::new(Connector {
                connect: settings.connect_timeout(),
                read: settings.read_timeout(),
            })
        }
    }

    #[derive(Debug)]
    struct Connector {
        connect: Option<Duration>,
        read: Option<Duration>,
    }

    impl HttpConnector for Connector {
        fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
            let result = send(&request, self.connect, self.read);
            HttpConnectorFuture::new(async move { result })
        }
    }

    fn other(message: String) -> ConnectorError {
        ConnectorError::other(message.into(), Some(ErrorKind::ClientError))
    }

    fn from_code(code: ErrorCode) -> ConnectorError {
        match code {
            ErrorCode::ConnectionRefused => ConnectorError::io(Box::new(std::io::Error::new(
                std::io::ErrorKind::ConnectionRefused,
                "connection refused",
            ))),
            ErrorCode::ConnectionTimeout
            | ErrorCode::ConnectionReadTimeout
            | ErrorCode::ConnectionWriteTimeout
            | ErrorCode::HttpResponseTimeout => ConnectorError::timeout(format!("{code:?}").into()),
            ErrorCode::HttpRequestDenied => other(
                "the host denied the request: its host is not on the runtime's outgoing-HTTP allowlist"
                    .into(),
            ),
            ErrorCode::DnsError(e) => ConnectorError::io(format!("DNS lookup failed: {e:?}").into()),
            code => ConnectorError::other(format!("{code:?}").into(), None),
        }
    }

    fn nanos(d: Duration) -> u64 {
        u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
    }

    fn send(
        request: &HttpRequest,
        connect: Option<Duration>,
        read: Option<Duration>,
    ) -> Result<HttpResponse, ConnectorError> {
        let uri = request.uri();
        let (scheme, rest) = uri
            .split_once("://")
            .ok_or_else(|| other(format!("not an absolute URL: {uri}")))?;
        let (authority, path) = match rest.find(['/', '?']) {
            Some(i) if rest[i..].starts_with('/') => (&rest[..i], rest[i..].to_string()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_string()),
        };
        let headers = Fields::new();
        for (name, value) in request.headers().iter() {
            // wasi:http refuses the headers the host sets itself (`host`,
            // `connection`, …).
            let _ = headers.append(name, value.as_bytes());
        }
        let outgoing = OutgoingRequest::new(headers);
        let method = match request.method() {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            "PATCH" => Method::Patch,
            "OPTIONS" => Method::Options,
            m => Method::Other(m.to_string()),
        };
        let scheme = match scheme {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            s => Scheme::Other(s.to_string()),
        };
        outgoing
            .set_method(&method)
            .and_then(|()| outgoing.set_scheme(Some(&scheme)))
            .and_then(|()| outgoing.set_authority(Some(authority)))
            .and_then(|()| outgoing.set_path_with_query(Some(&path)))
            .map_err(|()| other(format!("wasi:http refused the request line of {uri}")))?;
        let body = request
            .body()
            .bytes()
            .ok_or_else(|| other("a streaming request body is not supported".into()))?;
        let options = RequestOptions::new();
        if let Some(d) = connect {
            let _ = options.set_connect_timeout(Some(nanos(d)));
        }
        if let Some(d) = read {
            let _ = options.set_first_byte_timeout(Some(nanos(d)));
            let _ = options.set_between_bytes_timeout(Some(nanos(d)));
        }
        let outgoing_body = outgoing
            .body()
            .map_err(|()| other("the request body was taken".into()))?;
        let future = wasip2::http::outgoing_handler::handle(outgoing, Some(options)).map_err(from_code)?;
        // The body, then the response: when the body cannot be written,
        // the response says why.
        {
            let stream = outgoing_body
                .write()
                .map_err(|()| other("the request body stream was taken".into()))?;
            for chunk in body.chunks(4096) {
                if stream.blocking_write_and_flush(chunk).is_err() {
                    break;
                }
            }
        }
        let _ = OutgoingBody::finish(outgoing_body, None);
        future.subscribe().block();
        let incoming = match future.get() {
            Some(Ok(Ok(response))) => response,
            Some(Ok(Err(code))) => return Err(from_code(code)),
            _ => return Err(other("the response was not available".into())),
        };
        let status = incoming.status();
        let entries = incoming.headers().entries();
        let incoming_body = incoming
            .consume()
            .map_err(|()| other("the response body was taken".into()))?;
        let stream = incoming_body
            .stream()
            .map_err(|()| other("the response body stream was taken".into()))?;
        let status = status
            .try_into()
            .map_err(|_| other(format!("invalid HTTP status {status}")))?;
        let body = IncomingStream {
            stream: Some(stream),
            body: Some(incoming_body),
        };
        let mut response = HttpResponse::new(status, SdkBody::from_body_1_x(body));
        for (name, value) in entries {
            let _ = response
                .headers_mut()
                .try_append(name, String::from_utf8_lossy(&value).into_owned());
        }
        Ok(response)
    }

    /// A response body read from its wasi:http stream as the SDK polls
    /// it (chunks of up to 64 KiB): a streaming body (S3's objects) is
    /// read as the caller reads it, never held whole; any other the SDK
    /// reads whole.
    struct IncomingStream {
        // Dropped before the body it is a child of.
        stream: Option<wasip2::io::streams::InputStream>,
        body: Option<IncomingBody>,
    }

    impl http_body::Body for IncomingStream {
        type Data = bytes::Bytes;
        type Error = ConnectorError;

        fn poll_frame(
            mut self: std::pin::Pin<&mut Self>,
            _cx: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<bytes::Bytes>, ConnectorError>>> {
            let Some(stream) = &self.stream else {
                return std::task::Poll::Ready(None);
            };
            let read = stream.blocking_read(64 * 1024);
            std::task::Poll::Ready(match read {
                Ok(chunk) => Some(Ok(http_body::Frame::data(bytes::Bytes::from(chunk)))),
                Err(StreamError::Closed) => {
                    self.stream = None;
                    if let Some(body) = self.body.take() {
                        let _ = IncomingBody::finish(body);
                    }
                    None
                }
                Err(StreamError::LastOperationFailed(e)) => {
                    self.stream = None;
                    Some(Err(ConnectorError::io(e.to_debug_string().into())))
                }
            })
        }

        fn is_end_stream(&self) -> bool {
            self.stream.is_none()
        }
    }
}
"#;

/// The glue's `sdk_client` and `lower_sdk_error` for the crate `krate`
/// (its Rust name), and `lower_operation_error` when its operations return
/// typed errors: `typed` holds the `operation-error` record's Rust path in
/// the bindings and the name of the `service-error` variant's lowering.
pub fn glue(krate: &str, typed: Option<(&str, &str)>) -> String {
    let mut out = base_glue(krate);
    if let Some((operation_error, lower_service_error)) = typed {
        out.push_str(&format!(
            r#"
fn {LOWER_OPERATION_ERROR}<E>(
    err: {krate}::error::SdkError<E, {krate}::config::http::HttpResponse>,
) -> {operation_error}
where
    E: {krate}::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {krate}::Error: From<E>,
{{
    let error = describe_sdk_error(&err);
    let modeled = match err {{
        {krate}::error::SdkError::ServiceError(context) => {{
            {lower_service_error}({krate}::Error::from(context.into_err()))
        }}
        _ => None,
    }};
    {operation_error} {{ error, modeled }}
}}
"#
        ));
    }
    out
}

fn base_glue(krate: &str) -> String {
    format!(
        r#"
fn {CLIENT_FN}(c: compwrap::types::types::SdkConfig) -> {krate}::Client {{
    use {krate}::config::{{BehaviorVersion, Credentials, Region}};
    let mut b = {krate}::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(compwrap_http::Client)
        .sleep_impl(aws_smithy_wasm::wasi::WasiSleep)
        // Its timer belongs to the call that sent the request, and a
        // `byte-stream` is read in later calls (which would wait on it
        // forever); the runtime bounds the wait between bytes instead.
        .stalled_stream_protection({krate}::config::StalledStreamProtectionConfig::disabled());
    if let Some(region) = c.region {{
        b = b.region(Region::new(region));
    }}
    if let Some(url) = c.endpoint_url {{
        b = b.endpoint_url(url);
    }}
    if let Some(k) = c.credentials {{
        b = b.credentials_provider(Credentials::new(
            k.access_key_id,
            k.secret_access_key,
            k.session_token,
            None,
            "compwrap",
        ));
    }}
    if let Some(n) = c.max_attempts {{
        b = b.retry_config({krate}::config::retry::RetryConfig::standard().with_max_attempts(n));
    }}
    let mut t = {krate}::config::timeout::TimeoutConfig::builder();
    if let Some(ms) = c.connect_timeout_ms {{
        t = t.connect_timeout(std::time::Duration::from_millis(ms));
    }}
    if let Some(ms) = c.operation_timeout_ms {{
        t = t.operation_timeout(std::time::Duration::from_millis(ms));
    }}
    {krate}::Client::from_conf(b.timeout_config(t.build()).build())
}}

fn lower_sdk_error<E>(
    err: {krate}::error::SdkError<E, {krate}::config::http::HttpResponse>,
) -> compwrap::types::types::SdkError
where
    E: {krate}::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{{
    describe_sdk_error(&err)
}}

fn describe_sdk_error<E>(
    err: &{krate}::error::SdkError<E, {krate}::config::http::HttpResponse>,
) -> compwrap::types::types::SdkError
where
    E: {krate}::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{{
    use {krate}::error::{{ProvideErrorMetadata as _, SdkError as S}};
    use {krate}::operation::RequestId as _;
    use compwrap::types::types::SdkErrorKind as K;
    let kind = match err {{
        S::ConstructionFailure(_) => K::Construction,
        S::TimeoutError(_) => K::Timeout,
        S::DispatchFailure(_) => K::Dispatch,
        S::ResponseError(_) => K::Response,
        S::ServiceError(_) => K::Service,
        _ => K::Other,
    }};
    // The modeled error is the variant of the operation's error enum;
    // `Unhandled` means the service's code is not one of them.
    let error_type = err.as_service_error().and_then(|e| {{
        let debug = format!("{{e:?}}");
        let name: String = debug.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        (!name.is_empty() && name != "Unhandled").then_some(name)
    }});
    compwrap::types::types::SdkError {{
        kind,
        code: err.code().map(str::to_string),
        message: err.message().map(str::to_string),
        request_id: err.request_id().map(str::to_string),
        http_status: err.raw_response().map(|r| r.status().as_u16()),
        error_type,
        detail: {krate}::error::DisplayErrorContext(err).to_string(),
    }}
}}
{HTTP_GLUE}"#
    )
}
