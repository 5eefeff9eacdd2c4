//! compwrap-host: load, cache and call prebuilt compwrap components.
//!
//! A [`Runtime`] owns one wasmtime [`Engine`](wasmtime::Engine). Components
//! come from a file, bytes, or the local [`store`], are checked against their
//! sha256 digest, and are compiled to native code once per engine
//! configuration; later loads deserialize the cached native code.

pub mod call;
pub mod http;
pub mod limits;
#[cfg(feature = "oci")]
pub mod oci;
pub mod pool;
pub mod runtime;
pub mod store;
pub mod typed;
mod wasi;

pub use anyhow;
pub use call::{CallFailure, FailureKind};
pub use http::HttpAllow;
pub use limits::{DEFAULT_MAX_MEMORY_BYTES, Limit, Limits};
pub use pool::Pool;
pub use runtime::*;
pub use store::{Digest, Store};
pub use typed::Typed;
pub use wasi::{Capabilities, Preopen};
pub use wasmtime;
pub use wasmtime::component::bindgen;
