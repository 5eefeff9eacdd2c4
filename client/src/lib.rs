//! compwrap-client: what an application links to call prebuilt compwrap
//! components. It has no wasmtime in it: it finds the shared compwrap
//! runtime library (built once per machine by `compwrap runtime install`),
//! checks its ABI version and digest, and calls it through a small C ABI
//! ([`abi`]) with values in the component model's value encoding
//! ([`codec`]).
//!
//! Applications usually use it through a typed host crate that compwrap
//! writes (`compwrap host-crate`), whose methods encode the arguments,
//! call and decode the result:
//!
//! ```no_run
//! use compwrap_client::{Runtime, codec};
//!
//! # fn main() -> Result<(), compwrap_client::Error> {
//! let runtime = Runtime::builder().allow_http("127.0.0.1:5000").build()?;
//! let semver = runtime.load("sha256:…")?.instantiate()?;
//! let args = codec::to_bytes("1.2.3");
//! let parsed: Result<(u64, u64, u64, String, String), (String, Vec<String>, String, Option<String>)> =
//!     semver.call("version-parse", &args)?;
//! # Ok(())
//! # }
//! ```

pub mod abi;
pub mod codec;
mod error;
pub mod library;
mod runtime;

pub use error::{Error, ErrorKind, GuestResult, Limit};

/// The note typed host crates add to an AWS SDK operation's error for the
/// outgoing HTTP requests the runtime denied during the call (the guest
/// only sees the connection fail); empty when there were none.
pub fn denied_note(denied: &[String]) -> String {
    if denied.is_empty() {
        return String::new();
    }
    let list: Vec<String> = denied.iter().map(|url| format!("    {url}")).collect();
    format!(
        "\nthe runtime denied outgoing HTTP requests (their host is not on the allowlist; \
         allow it with `RuntimeBuilder::allow_http`):\n{}",
        list.join("\n")
    )
}
pub use runtime::{
    Compiler, Component, Instance, Resource, Runtime, RuntimeBuilder, WINCH_FROM_BYTES,
};
