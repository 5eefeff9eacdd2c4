//! compwrap-runtime: compwrap's host runtime ([`compwrap_host`]: wasmtime,
//! WASI, wasi:http, limits, capabilities, the native-code cache) behind a
//! small versioned C ABI, so applications never compile wasmtime.
//!
//! Built once per machine as a shared library (`compwrap runtime install`
//! puts it in compwrap's store) and loaded by applications through
//! `compwrap-client`; or linked into an application as a Rust library (the
//! typed host crates' `embedded` feature), which calls the same functions
//! through [`functions`]. The ABI is described in [`compwrap_client::abi`]:
//! opaque handles, pointers, lengths and integers; values in the component
//! model's value encoding ([`compwrap_client::codec`]), decoded against the
//! called function's types; resources as `u32` handles into a
//! per-instance table.

mod config;
mod ffi;
mod handles;
mod values;

pub use ffi::{
    compwrap_runtime_abi_version, cw1_buf_free, cw1_component_free, cw1_component_load,
    cw1_component_load_bytes, cw1_instance_call, cw1_instance_denied_http,
    cw1_instance_drop_resource, cw1_instance_free, cw1_instance_new, cw1_runtime_free,
    cw1_runtime_new, cw1_version,
};

/// `compwrap-runtime <version>`.
pub const VERSION: &str = concat!("compwrap-runtime ", env!("CARGO_PKG_VERSION"));

/// The ABI's functions of this runtime, for an application that links it
/// in (`compwrap_client::Runtime::embedded(compwrap_runtime::functions())`).
pub fn functions() -> compwrap_client::abi::Functions {
    ffi::functions()
}
