//! The client's [`Error`]: a kind a program can match on, the runtime's
//! message and its causes.

use std::fmt;
use std::path::PathBuf;

use crate::abi::{AbiError, Status};

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No runtime library was found; the message names the places looked
    /// in and `compwrap runtime install`.
    RuntimeMissing,
    /// The runtime library speaks another ABI version than this client.
    AbiMismatch {
        /// The library's version.
        library: u32,
        /// The client's ([`crate::abi::ABI_VERSION`]).
        client: u32,
    },
    /// The runtime library's bytes are not those the store recorded for
    /// it: it was not loaded.
    RuntimeDigestMismatch {
        /// The library's path.
        path: PathBuf,
    },
    /// The runtime library could not be loaded (not a library, missing
    /// functions).
    RuntimeLoad,
    /// No such component in the store, or no such exported function.
    NotFound,
    /// A component's bytes do not match the digest they were to have.
    DigestMismatch,
    /// The bytes are not a component this runtime can run.
    InvalidComponent,
    /// A setting, name or argument value was refused.
    InvalidArgument,
    /// The guest trapped (a panic, an `unreachable`); the next call uses a
    /// new instance.
    Trap,
    /// A call passed one of the runtime's limits; the next call uses a new
    /// instance.
    Limit(Limit),
    /// A call failed after the runtime denied outgoing HTTP requests
    /// ([`Error::denied_http`]: their URLs).
    HttpDenied,
    /// A resource handle was dropped already, or came from an instance a
    /// trap discarded.
    StaleHandle,
    /// The runtime returned bytes that are not a value of the expected type
    /// (a host crate made for another component).
    Decode,
    /// The guest returned an error value (see [`GuestResult`]).
    Guest,
    /// The runtime library panicked: a bug in the runtime.
    RuntimePanic,
    /// Anything else.
    Other,
}

/// The limit a call passed ([`ErrorKind::Limit`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Wall time per call.
    Time,
    /// Linear memory.
    Memory,
    /// Wasm stack.
    Stack,
    /// Fuel.
    Fuel,
}

/// An error of the client or the runtime.
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone, Debug)]
struct Inner {
    kind: ErrorKind,
    message: String,
    causes: Vec<String>,
    chain: Option<Box<Cause>>,
    denied_http: Vec<String>,
    guest_stderr: String,
}

impl Error {
    /// An error of `kind`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                causes: Vec::new(),
                chain: None,
                denied_http: Vec::new(),
                guest_stderr: String::new(),
            }),
        }
    }

    /// A guest's error value as an [`Error`] of kind [`ErrorKind::Guest`].
    pub fn guest(value: impl fmt::Display) -> Error {
        Error::new(ErrorKind::Guest, value.to_string())
    }

    /// The error a runtime function reported.
    pub(crate) fn from_abi(status: Status, abi: AbiError) -> Error {
        let kind = match status {
            Status::NotFound => ErrorKind::NotFound,
            Status::DigestMismatch => ErrorKind::DigestMismatch,
            Status::InvalidComponent => ErrorKind::InvalidComponent,
            Status::InvalidArgument => ErrorKind::InvalidArgument,
            Status::Trap => ErrorKind::Trap,
            Status::Limit => ErrorKind::Limit(match abi.limit.as_deref() {
                Some("memory") => Limit::Memory,
                Some("stack") => Limit::Stack,
                Some("fuel") => Limit::Fuel,
                _ => Limit::Time,
            }),
            Status::HttpDenied => ErrorKind::HttpDenied,
            Status::StaleHandle => ErrorKind::StaleHandle,
            Status::Panic => ErrorKind::RuntimePanic,
            Status::Ok | Status::Other => ErrorKind::Other,
        };
        Error {
            inner: Box::new(Inner {
                kind,
                message: abi.message,
                chain: Cause::chain(&abi.causes),
                causes: abi.causes,
                denied_http: abi.denied_http,
                guest_stderr: abi.guest_stderr,
            }),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The message, without its causes.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The causes, outermost first.
    pub fn causes(&self) -> &[String] {
        &self.inner.causes
    }

    /// The URLs of the outgoing HTTP requests the runtime denied during the
    /// call (their hosts were not on the allowlist).
    pub fn denied_http(&self) -> &[String] {
        &self.inner.denied_http
    }

    /// What the guest wrote to stderr during the call (its panic message).
    pub fn guest_stderr(&self) -> &str {
        &self.inner.guest_stderr
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.inner.message)
    }
}

/// Like anyhow's: the message and its causes, which is what `main`
/// returning `Result<(), compwrap_client::Error>` prints.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            return f
                .debug_struct("Error")
                .field("kind", &self.inner.kind)
                .field("message", &self.inner.message)
                .finish_non_exhaustive();
        }
        write!(f, "{} ({:?})", self.inner.message, self.inner.kind)?;
        if !self.inner.causes.is_empty() {
            write!(f, "\n\nCaused by:")?;
            for (i, cause) in self.inner.causes.iter().enumerate() {
                write!(f, "\n  {i}: {cause}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.chain.as_deref().map(|c| c as _)
    }
}

/// One cause of an [`Error`], linked to the next, so the causes read as
/// a `source()` chain (anyhow's `Caused by:`).
#[derive(Clone, Debug)]
struct Cause {
    message: String,
    next: Option<Box<Cause>>,
}

impl Cause {
    fn chain(causes: &[String]) -> Option<Box<Cause>> {
        let (first, rest) = causes.split_first()?;
        Some(Box::new(Cause {
            message: first.clone(),
            next: Cause::chain(rest),
        }))
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.next.as_deref().map(|c| c as _)
    }
}

/// Turns a guest's error value into an [`Error`] of kind
/// [`ErrorKind::Guest`], so a call's two layers of `Result` become one:
/// `semver.version_parse("1.2.3").guest()?`.
pub trait GuestResult<T> {
    /// `Ok(Ok(v))` → `Ok(v)`; `Ok(Err(e))` → an [`ErrorKind::Guest`]
    /// error with `e`'s text; `Err(e)` → `Err(e)`.
    fn guest(self) -> Result<T, Error>;
}

impl<T, E: fmt::Display> GuestResult<T> for Result<Result<T, E>, Error> {
    fn guest(self) -> Result<T, Error> {
        self?.map_err(Error::guest)
    }
}
