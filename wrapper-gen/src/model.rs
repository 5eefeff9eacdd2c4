//! The intermediate model: a crate's public API as compwrap maps it, between
//! rustdoc JSON ([`crate::api`]) and the emitted WIT ([`crate::wit`]) and
//! guest glue ([`crate::glue`]).

use serde::Serialize;

/// The mapped API of one crate.
#[derive(Debug, Clone)]
pub struct Api {
    /// The crate's name as Rust spells it (`unicode_segmentation`).
    pub rust_name: String,
    /// The crate's package name (`unicode-segmentation`).
    pub package: String,
    /// Crate version.
    pub version: String,
    /// One WIT interface per Rust module with mapped items, sorted by name.
    pub interfaces: Vec<Interface>,
    /// Generated from a Smithy model (an AWS SDK): its client is made from
    /// an `sdk-config` ([`crate::api::smithy`]).
    pub smithy: bool,
}

impl Api {
    /// The WIT package name, `compwrap:<crate>@<version>`.
    pub fn wit_package(&self) -> String {
        format!("compwrap:{}@{}", self.wit_crate(), self.version)
    }

    /// The crate name as a WIT identifier.
    pub fn wit_crate(&self) -> String {
        crate::names::kebab(&self.package)
    }

    /// Number of exported functions (constructors, methods and statics included).
    pub fn function_count(&self) -> usize {
        self.interfaces.iter().map(|i| i.functions.len()).sum()
    }

    /// Whether any exported function is an `async fn`.
    pub fn uses_async(&self) -> bool {
        self.interfaces
            .iter()
            .any(|i| i.functions.iter().any(|f| f.is_async))
    }

    /// Whether nothing at all was mapped.
    pub fn is_empty(&self) -> bool {
        self.interfaces
            .iter()
            .all(|i| i.functions.is_empty() && i.types.is_empty())
    }
}

/// One WIT interface, made from one Rust module.
#[derive(Debug, Clone)]
pub struct Interface {
    /// WIT name.
    pub name: String,
    /// The Rust module path (`regex::bytes`).
    pub rust_module: String,
    /// Types defined here, in dependency-friendly (source) order.
    pub types: Vec<TypeDef>,
    /// Functions, in source order.
    pub functions: Vec<Function>,
}

/// A WIT type defined from a Rust type.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// WIT name.
    pub wit: String,
    /// Rust path (`semver::Version`), or `None` for a record generated for a
    /// struct-like enum variant.
    pub rust: String,
    /// How it maps.
    pub kind: TypeKind,
}

/// How a Rust type maps.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// A struct whose fields are all public → `record`.
    Record {
        /// Fields in declaration order.
        fields: Vec<Field>,
        /// A tuple struct (fields accessed by index).
        tuple: bool,
        /// Generated for the struct-like variant of an enum: it has no Rust
        /// type of its own.
        synthetic: bool,
        /// `#[non_exhaustive]`: cannot be built with a struct literal
        /// outside its crate.
        open: bool,
        /// An open struct with `Default`: built from its default value with
        /// each field assigned (else it only travels out of the component).
        from_default: bool,
        /// An open struct without `Default` but with a builder
        /// (`T::builder().set_<field>(Some(..))….build()`, the smithy-rs
        /// pattern): built through it. `Some(true)` when `build` returns a
        /// `Result`.
        from_builder: Option<bool>,
    },
    /// An enum of unit variants → `enum`.
    Enum {
        /// Cases in declaration order.
        cases: Vec<Case>,
        /// `#[non_exhaustive]`: an extra `unknown` case receives variants
        /// added after generation.
        open: Option<String>,
    },
    /// An enum with data → `variant`.
    Variant {
        /// Cases in declaration order.
        cases: Vec<Case>,
        /// See [`TypeKind::Enum::open`].
        open: Option<String>,
    },
    /// An opaque struct → `resource`.
    Resource,
    /// An opaque struct that borrows data (a lifetime parameter, e.g.
    /// `regex::Match<'h>`): it cannot outlive the call, so it leaves the
    /// component as a `record` of the values of its accessors (`&self`
    /// methods without other parameters).
    Snapshot {
        /// One field per accessor.
        fields: Vec<Accessor>,
        /// Number of lifetime parameters of the Rust type.
        lifetimes: usize,
    },
    /// An opaque value type with `Display`, `FromStr` and `PartialEq`: it
    /// travels as its string form (`type x = string`).
    Text,
    /// An opaque collection of strings or byte strings (`csv::StringRecord`
    /// iterates `&str` and is collected from them) → `type x = list<T>`.
    Seq {
        /// What `&Self` iterates over: `Ty::Str(StrKind::Ref)` or a
        /// `&[u8]` (`Ty::List(u8, ListKind::Slice)`).
        item: Ty,
    },
    /// A trait of the crate taken as `&dyn Trait` whose implementations
    /// include public unit structs (sqlparser's `Dialect`,
    /// `GenericDialect`) → `enum`, one case per such struct (parameters
    /// only).
    Implementors {
        /// WIT case name and the Rust expression making the struct
        /// (`sqlparser::dialect::MySqlDialect {}`).
        cases: Vec<(String, String)>,
    },
    /// An enum that contains itself, without a string form of its own: it
    /// travels as JSON text (`type x = string`, [`crate::api::json`]).
    Json {
        /// Its cases.
        cases: Vec<crate::api::json::JsonCase>,
        /// `#[non_exhaustive]`.
        open: bool,
    },
}

/// An accessor copied into a snapshot record.
#[derive(Debug, Clone)]
pub struct Accessor {
    /// WIT field name.
    pub wit: String,
    /// Rust method name.
    pub method: String,
    /// The method's result type.
    pub ty: Ty,
}

/// A record field.
#[derive(Debug, Clone)]
pub struct Field {
    /// WIT name.
    pub wit: String,
    /// Rust field name, or index for tuple structs.
    pub rust: String,
    /// Type.
    pub ty: Ty,
}

/// An enum or variant case.
#[derive(Debug, Clone)]
pub struct Case {
    /// WIT name.
    pub wit: String,
    /// Rust variant name.
    pub rust: String,
    /// Data carried.
    pub payload: Payload,
}

impl Case {
    /// Whether this is a Smithy enum's `Unknown(UnknownVariantValue)` case,
    /// which takes every value the SDK does not know.
    pub fn is_sdk_unknown(&self) -> bool {
        matches!(&self.payload, Payload::Tuple(ts) if ts.as_slice() == [Ty::Std(StdTy::SdkUnknown)])
    }
}

/// What a variant case carries.
#[derive(Debug, Clone)]
pub enum Payload {
    /// Nothing.
    None,
    /// Tuple-like fields (one → the type itself, more → a `tuple`).
    Tuple(Vec<Ty>),
    /// Struct-like without fields (`SetNamesDefault {}`): no payload in
    /// WIT, braces in Rust.
    Braces,
    /// Struct-like fields, carried as the generated record named here.
    Struct {
        /// The generated record's WIT name.
        record: String,
        /// Its fields.
        fields: Vec<Field>,
    },
}

/// A mapped type expression: enough to write both the WIT type and the Rust
/// conversions.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `()` (no result).
    Unit,
    /// A primitive that has the same meaning in both: `bool`, `u8`..`u64`,
    /// `i8`..`i64`, `f32`, `f64`, `char`. Holds the Rust name.
    Prim(String),
    /// `usize` / `isize` → `u64` / `s64`, checked.
    Size {
        /// `isize`.
        signed: bool,
    },
    /// A string-like type.
    Str(StrKind),
    /// A sequence → `list<T>`.
    List(Box<Ty>, ListKind),
    /// `Option<T>`.
    Option(Box<Ty>),
    /// `Result<T, E>` → `result<T, error>`.
    Result(Box<Ty>),
    /// `Result<T, SdkError<E, R>>` of a Smithy (AWS SDK) operation →
    /// `result<T, sdk-error>`: the output, and the error —
    /// [`StdTy::SdkError`], or for a crate that models its service's
    /// errors the record that carries the `sdk-error` and the modeled error.
    SdkResult(Box<Ty>, Box<Ty>),
    /// A tuple.
    Tuple(Vec<Ty>),
    /// A type defined by the crate.
    Named(Named),
    /// `&T` / `&mut T` of a type that is not a string or slice.
    Ref {
        /// `&mut`.
        mutable: bool,
        /// Referent.
        inner: Box<Ty>,
    },
    /// `Box<T>`, `Rc<T>`, `Arc<T>` → `T`.
    Boxed(Pointer, Box<Ty>),
    /// A standard-library type with a defined mapping.
    Std(StdTy),
}

/// An owning pointer that travels as its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pointer {
    /// `Box<T>`.
    Box,
    /// `Rc<T>` (results need `T: Clone` unless the count is one).
    Rc,
    /// `Arc<T>` (results need `T: Clone` unless the count is one).
    Arc,
}

impl Pointer {
    /// The Rust path of the pointer type.
    pub fn rust(self) -> &'static str {
        match self {
            Pointer::Box => "Box",
            Pointer::Rc => "std::rc::Rc",
            Pointer::Arc => "std::sync::Arc",
        }
    }
}

/// Standard-library types with a defined WIT form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StdTy {
    /// `core::cmp::Ordering` → `compwrap:types/types.ordering`.
    Ordering,
    /// `core::time::Duration` → `compwrap:types/types.duration`.
    Duration,
    /// How a Smithy (AWS SDK) client is configured:
    /// `compwrap:types/types.sdk-config`, passed to the glue as is.
    SdkConfig,
    /// Why a Smithy (AWS SDK) operation failed:
    /// `compwrap:types/types.sdk-error`, made by the glue's
    /// `lower_sdk_error` from the SDK's `SdkError`.
    SdkError,
    /// `std::time::SystemTime` → `compwrap:types/types.timestamp`.
    SystemTime,
    /// Smithy's `aws_smithy_types::DateTime` (AWS SDK timestamps) →
    /// `compwrap:types/types.timestamp`.
    SdkDateTime,
    /// Smithy's `aws_smithy_types::Blob` → `list<u8>`.
    SdkBlob,
    /// Smithy's `aws_smithy_types::byte_stream::ByteStream` (a streaming
    /// body, S3's objects) → `list<u8>`: built from the bytes; in an
    /// operation's output the `byte-stream` resource instead
    /// (`crate::api::smithy`), elsewhere read whole when returned.
    SdkByteStream,
    /// Smithy's `aws_smithy_types::Document` (open JSON-like content) →
    /// `string` holding the document as JSON.
    SdkDocument,
    /// The value of a Smithy enum's `Unknown` case (a value the service
    /// sent that the SDK does not know) → `string`. Only built through its
    /// enum: `E::from(&str)`.
    SdkUnknown,
    /// Any serde value, for a generic parameter bounded only by `Serialize`
    /// (`render(ctx: S)`): `serde_json::Value`, as `string` holding JSON.
    Json,
    /// An IP or socket address → `string` (`Display` / `FromStr`). Holds the
    /// `std::net` path.
    Addr(String),
    /// `NonZero<T>` → `T`, checked when built. Holds the primitive.
    NonZero(String),
    /// `u128` / `i128` → `tuple<u64, u64>` / `tuple<s64, u64>` (high, low).
    Wide {
        /// `i128`.
        signed: bool,
    },
    /// `Option<()>` → `bool` (whether it is `Some`; WIT has no `tuple<>`).
    Present,
    /// `Range<T>` / `RangeInclusive<T>` of a number → `tuple<T, T>`
    /// (start, end; the end included for an inclusive range).
    Range {
        /// The bounds' Rust primitive (`usize`, `u32`, …).
        item: String,
        /// `RangeInclusive`.
        inclusive: bool,
    },
}

impl StdTy {
    /// The bounds' type of a [`StdTy::Range`].
    pub fn range_item(item: &str) -> Ty {
        match item {
            "usize" => Ty::Size { signed: false },
            "isize" => Ty::Size { signed: true },
            p => Ty::Prim(p.into()),
        }
    }

    /// The `compwrap:types` type it maps to, if it is one.
    pub fn shared(&self) -> Option<&'static str> {
        match self {
            StdTy::Ordering => Some("ordering"),
            StdTy::Duration => Some("duration"),
            StdTy::SystemTime | StdTy::SdkDateTime => Some("timestamp"),
            StdTy::SdkConfig => Some("sdk-config"),
            StdTy::SdkError => Some("sdk-error"),
            _ => None,
        }
    }
}

/// A reference to a crate-defined type.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    /// Interface that defines it.
    pub interface: String,
    /// WIT name.
    pub wit: String,
    /// Rust path.
    pub rust: String,
    /// Its kind, abbreviated.
    pub kind: NamedKind,
}

/// [`TypeKind`] without the details.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    /// `record`.
    Record,
    /// `enum`.
    Enum,
    /// `variant`.
    Variant,
    /// `resource`.
    Resource,
    /// `string` via `Display`/`FromStr`.
    Text,
    /// `list<T>` of what `&Self` iterates over, built back by
    /// `FromIterator` (a record of strings such as `csv::StringRecord`).
    Seq,
    /// `record` copied from accessors (results only).
    Snapshot,
}

/// String-like Rust types (all `string` in WIT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrKind {
    /// `String`.
    String,
    /// `&str`.
    Ref,
    /// `&'a str` where `'a` is a lifetime of a resource made over
    /// `'static` (`Environment<'source>`): the guest keeps the string for
    /// the instance's life.
    Kept,
    /// `Box<str>`.
    Boxed,
    /// `Cow<str>`.
    Cow,
    /// `PathBuf`.
    PathBuf,
    /// `&Path`.
    PathRef,
    /// A result of type `impl Display`, sent as its `to_string()`.
    Display,
    /// A resulting iterator of `char` (`impl Iterator<Item = char>`,
    /// unicode-normalization's `"…".nfc()`), sent as the string it spells.
    Chars,
    /// `Rc<str>`.
    Rc,
    /// `Arc<str>`.
    Arc,
    /// Another string type, built `From<String>` and read through
    /// `Deref<Target = str>` (pulldown-cmark's `CowStr<'a>`, smartstring's
    /// `SmartString`).
    Into,
}

/// Sequence-like Rust types (all `list<T>` in WIT).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListKind {
    /// `Vec<T>`.
    Vec,
    /// `&[T]`.
    Slice,
    /// `[T; N]`, holding `N`.
    Array(String),
    /// `VecDeque<T>`.
    VecDeque,
    /// `Box<[T]>`.
    BoxedSlice,
    /// `&'a [T]` where `'a` is a lifetime of a resource made over
    /// `'static`: the guest keeps the list (see [`StrKind::Kept`]).
    Kept,
    /// `Cow<[T]>`.
    Cow,
    /// `std::io::Cursor<Vec<u8>>`: a reader over the bytes, for a generic
    /// parameter bound by `Read`, `BufRead` or `Seek` ([`crate::api::io`]).
    Reader,
    /// A crate type implementing `Iterator<Item = T>`, collected (results only).
    Iter,
    /// An array sized by a type (`hybrid_array::Array<T, N>`, a digest's
    /// `Output<D>`): collected when returned; built from a list of its
    /// length, checked when the guest builds it.
    Sized,
    /// `HashMap<K, V>` (the item is `tuple<K, V>`).
    HashMap,
    /// `BTreeMap<K, V>` (the item is `tuple<K, V>`).
    BTreeMap,
    /// `HashSet<T>`.
    HashSet,
    /// `BTreeSet<T>`.
    BTreeSet,
    /// A generic collection type of the crate, by its items.
    Collection {
        /// Its Rust path.
        path: String,
        /// Number of type parameters.
        params: usize,
        /// It implements `FromIterator` (can be built from a list).
        from_iter: bool,
    },
}

/// An exported function.
#[derive(Debug, Clone)]
pub struct Function {
    /// WIT name (for methods: the part after `resource.`).
    pub wit: String,
    /// Rust path for the report (`semver::Version::parse`).
    pub rust: String,
    /// The Rust callee expression (`semver::Version::parse`,
    /// `<regex::Regex as core::fmt::Display>::to_string`).
    pub callee: String,
    /// How it is exported.
    pub kind: FuncKind,
    /// Parameters, `self` first for methods.
    pub params: Vec<Param>,
    /// Result (`Ty::Unit` for none).
    pub output: Ty,
    /// The parameters passed as `&mut` values (not resources): a value
    /// type's `&mut self`, a `&mut String` to append to. Their updated
    /// values are returned, in order, alone or before the Rust result.
    pub updates: Vec<usize>,
    /// A constant or static: `callee` is read, not called.
    pub value: bool,
    /// An `async fn`: the guest drives it to completion (wstd's executor,
    /// which polls WASI pollables).
    pub is_async: bool,
}

impl Function {
    /// The result as WIT sees it (see [`Function::updates`]).
    pub fn wit_output(&self) -> Ty {
        if self.updates.is_empty() {
            return self.output.clone();
        }
        let mut parts: Vec<Ty> = self
            .updates
            .iter()
            .map(|&i| match &self.params[i].ty {
                Ty::Ref { inner, .. } => (**inner).clone(),
                other => other.clone(),
            })
            .collect();
        if self.output != Ty::Unit {
            parts.push(self.output.clone());
        }
        if parts.len() == 1 {
            parts.remove(0)
        } else {
            Ty::Tuple(parts)
        }
    }
}

/// How a function is exported.
#[derive(Debug, Clone, PartialEq)]
pub enum FuncKind {
    /// A plain interface function.
    Free,
    /// `constructor` of the named resource (returns `Self`).
    Constructor(String),
    /// `static` function of the named resource.
    Static(String),
    /// Method of the named resource (first param is `self`).
    Method(String),
}

/// A function parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// WIT name.
    pub wit: String,
    /// Type as the Rust function takes it.
    pub ty: Ty,
}

/// One public item of the crate, as the report shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReportItem {
    /// Rust path.
    pub path: String,
    /// `function`, `method`, `struct`, `enum`, `trait`, …
    pub kind: String,
    /// The WIT name it maps to (`interface.name`), when mapped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub wit: Option<String>,
    /// Why it was skipped, when skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}
