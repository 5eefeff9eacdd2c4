//! compwrap: compile a heavy Rust crate once into a portable WebAssembly
//! component behind a WIT interface derived from its public API.
//!
//! The pipeline ([`generate::generate`]) resolves a crate through cargo,
//! reads its public API from rustdoc JSON ([`api`]), maps it to WIT
//! ([`wit`]) and guest glue ([`glue`]), builds the guest crate ([`build`]),
//! verifies and stamps the component ([`component`]) and stores it in the
//! local store ([`compwrap_host::store`]).

pub mod api;
pub mod bindings;
pub mod build;
pub mod component;
pub mod emit;
pub mod encoded;
pub mod generate;
pub mod glue;
pub mod host_crate;
pub mod layout;
pub mod model;
pub mod names;
pub mod reexport;
pub mod registry;
pub mod report;
pub mod resolve;
pub mod rustdoc;
pub mod select;
pub mod shared_runtime;
pub mod target;
pub mod toolchain;
pub mod wit;

pub use compwrap_host::store::{Digest, Store};

/// Errors a user can act on; each has its own exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// crates.io has no such crate.
    #[error("crate `{0}` was not found on crates.io (check the spelling)")]
    UnknownCrate(String),
    /// No version matches the requirement.
    #[error("no version of `{name}` matches `{req}`")]
    UnknownVersion {
        /// Crate.
        name: String,
        /// Requirement.
        req: String,
    },
    /// The package has no library.
    #[error("`{0}` has no library target to wrap")]
    NoLibrary(String),
    /// The crate or one of its dependencies did not compile for
    /// `wasm32-wasip2`.
    #[error("{what} does not build for wasm32-wasip2{}:\n{detail}", .package.as_ref().map(|p| format!(": `{p}` failed to build")).unwrap_or_default())]
    BuildFailed {
        /// The crate and version.
        what: String,
        /// The package that failed (`zstd-sys@2.0.15+zstd.1.5.7`), when
        /// cargo names it.
        package: Option<String>,
        /// Compiler diagnostics.
        detail: String,
    },
    /// Input that should be a component is not one.
    #[error("{what} is not a WebAssembly component: {reason}")]
    NotAComponent {
        /// The input.
        what: String,
        /// Why.
        reason: String,
    },
    /// A component named on the command line is not in the store.
    #[error("{0}")]
    NotFound(String),
    /// An `--only` path names no public item of the crate.
    #[error("`{path}` is not a public item of the crate{}", suggest(suggestions))]
    UnknownPath {
        /// The path asked for.
        path: String,
        /// The closest public paths.
        suggestions: Vec<String>,
    },
    /// Nothing in the crate's public API could be mapped.
    #[error("nothing in `{name}`'s public API could be mapped to WIT ({} public items, all skipped)", report.items.len())]
    NothingMapped {
        /// Crate.
        name: String,
        /// The report with every skip reason.
        report: Box<report::Report>,
    },
}

impl Error {
    /// The process exit code for this error (documented in `--help`).
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::UnknownCrate(_)
            | Error::UnknownVersion { .. }
            | Error::NoLibrary(_)
            | Error::NotFound(_)
            | Error::UnknownPath { .. } => 3,
            Error::BuildFailed { .. } => 4,
            Error::NothingMapped { .. } => 5,
            Error::NotAComponent { .. } => 6,
        }
    }
}

fn suggest(suggestions: &[String]) -> String {
    if suggestions.is_empty() {
        String::new()
    } else {
        format!(" (closest: {})", suggestions.join(", "))
    }
}
