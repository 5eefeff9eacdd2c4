//! The WASI p2 capabilities a component gets: none, unless the application
//! grants them ([`Capabilities`]).
//!
//! Every store starts from a deny-by-default [`WasiCtx`]: no preopened
//! directories, no environment variables, no arguments, no sockets and no
//! name lookups. Clocks and randomness stay available because the standard
//! library of a `wasm32-wasip2` guest needs them to start. The guest's stderr
//! is captured so a panic message can be put into the error of the call that
//! trapped. Outgoing HTTP is denied unless the host is on the allowlist
//! (see [`crate::http`]).

use std::collections::VecDeque;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};

use anyhow::{Context, Result, ensure};
use bytes::Bytes;
use tokio::io::AsyncWrite;
use wasmtime::Engine;
use wasmtime::component::Linker;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

use crate::http::HttpAllow;
use crate::runtime::{HostState, wasmtime_error};

/// How much of a call's stderr is kept for its error message.
const STDERR_TAIL_BYTES: usize = 16 * 1024;

/// A linker with every WASI p2 interface and (with the `http` feature)
/// `wasi:http`, for synchronous or (with `async_calls`, which needs the
/// `async` feature) asynchronous calls.
pub(crate) fn linker(engine: &Engine, async_calls: bool) -> Result<Linker<HostState>> {
    ensure!(
        !async_calls || cfg!(feature = "async"),
        "asynchronous calls (`RuntimeBuilder::async_calls(true)`) need compwrap-host's \
         `async` feature: add `features = [\"async\"]` to its dependency"
    );
    let mut linker = Linker::new(engine);
    let added = match async_calls {
        #[cfg(feature = "async")]
        true => wasmtime_wasi::p2::add_to_linker_async(&mut linker),
        _ => wasmtime_wasi::p2::add_to_linker_sync(&mut linker),
    };
    added
        .map_err(wasmtime_error)
        .context("failed to add WASI p2 to the linker")?;
    #[cfg(feature = "http")]
    crate::http::add_to_linker(&mut linker, async_calls)?;
    Ok(linker)
}

/// What a guest may reach beyond its own memory; nothing by default.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// The guest uses the host process's stdout and stderr (else stdout is
    /// discarded and stderr captured for error messages).
    pub inherit_stdio: bool,
    /// Host directories the guest sees, and at which guest paths.
    pub preopens: Vec<Preopen>,
    /// Environment variables the guest sees.
    pub env: Vec<(String, String)>,
    /// The hosts outgoing HTTP requests may go to (`wasi:http`).
    pub http_allow: Vec<HttpAllow>,
}

/// A host directory made visible to the guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preopen {
    /// The directory on the host.
    pub host: PathBuf,
    /// Where the guest sees it (`/data`).
    pub guest: String,
    /// Whether the guest may create, change and remove files in it.
    pub writable: bool,
}

/// Fails, naming the directory, when a preopened directory cannot be read.
pub(crate) fn check_preopens(caps: &Capabilities) -> Result<()> {
    for dir in &caps.preopens {
        std::fs::read_dir(&dir.host).with_context(|| {
            format!(
                "failed to open {} for the guest's {}",
                dir.host.display(),
                dir.guest
            )
        })?;
    }
    Ok(())
}

/// A WASI context with exactly `caps`, and the guest's stderr.
pub(crate) fn context(caps: &Capabilities) -> Result<(WasiCtx, GuestStderr)> {
    let mut builder = WasiCtxBuilder::new();
    builder
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    for dir in &caps.preopens {
        let perms = if dir.writable {
            FsPerms::ReadWrite
        } else {
            FsPerms::ReadOnly
        };
        builder
            .preopened_dir(&dir.host, &dir.guest, perms)
            .map_err(crate::runtime::wasmtime_error)
            .with_context(|| {
                format!(
                    "failed to open {} for the guest's {}",
                    dir.host.display(),
                    dir.guest
                )
            })?;
    }
    builder.envs(&caps.env);
    let stderr = if caps.inherit_stdio {
        builder.inherit_stdout().inherit_stderr();
        GuestStderr::Inherited
    } else {
        let (stream, stderr) = GuestStderr::capture();
        builder.stderr(stream);
        stderr
    };
    Ok((builder.build(), stderr))
}

/// The guest's stderr, when it is captured.
///
/// It goes to an in-memory [`TailPipe`] that keeps the last
/// [`STDERR_TAIL_BYTES`] and counts what it dropped: it never fills up, so
/// a chatty but healthy guest never fails (wasmtime's `MemoryOutputPipe`
/// traps the guest once its fixed capacity is used up over the life of a
/// store), and a call that wrote nothing costs no system call.
#[derive(Debug)]
pub(crate) enum GuestStderr {
    /// The guest writes to the host's stderr; nothing to report.
    Inherited,
    /// Our side of the pipe the guest's stderr stream writes to.
    Captured(TailPipe),
}

impl GuestStderr {
    fn capture() -> (TailPipe, GuestStderr) {
        let pipe = TailPipe::default();
        (pipe.clone(), GuestStderr::Captured(pipe))
    }

    /// Forgets what earlier calls wrote, so that an error shows only the
    /// output of the call that failed.
    pub(crate) fn start_call(&mut self) {
        if let GuestStderr::Captured(pipe) = self {
            pipe.clear();
        }
    }

    /// The last few KiB the guest wrote since [`GuestStderr::start_call`],
    /// lossily decoded; empty when nothing was written or stderr is
    /// inherited.
    pub(crate) fn tail(&mut self) -> String {
        match self {
            GuestStderr::Inherited => String::new(),
            GuestStderr::Captured(pipe) => pipe.tail(),
        }
    }
}

/// An output stream that keeps only the last [`STDERR_TAIL_BYTES`] written
/// to it. Clones share the buffer.
#[derive(Clone, Debug, Default)]
pub(crate) struct TailPipe {
    inner: Arc<Mutex<Tail>>,
}

#[derive(Debug, Default)]
struct Tail {
    bytes: VecDeque<u8>,
    /// How many earlier bytes were dropped to keep within the bound.
    omitted: u64,
}

impl TailPipe {
    fn lock(&self) -> std::sync::MutexGuard<'_, Tail> {
        // Only whole `VecDeque` operations happen under the lock.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push(&self, bytes: &[u8]) {
        let mut tail = self.lock();
        let keep = bytes.len().min(STDERR_TAIL_BYTES);
        let dropped_now = bytes.len() - keep;
        let overflow = (tail.bytes.len() + keep).saturating_sub(STDERR_TAIL_BYTES);
        tail.bytes.drain(..overflow);
        tail.bytes.extend(&bytes[dropped_now..]);
        tail.omitted += (overflow + dropped_now) as u64;
    }

    fn clear(&self) {
        let mut tail = self.lock();
        if tail.omitted > 0 || !tail.bytes.is_empty() {
            tail.bytes.clear();
            tail.omitted = 0;
        }
    }

    fn tail(&self) -> String {
        let tail = self.lock();
        let (front, back) = tail.bytes.as_slices();
        let text = String::from_utf8_lossy(&[front, back].concat()).into_owned();
        match tail.omitted {
            0 => text,
            omitted => format!("[... first {omitted} bytes omitted ...]\n{text}"),
        }
    }
}

impl OutputStream for TailPipe {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        // Always room: older bytes give way.
        Ok(1 << 20)
    }
}

// The trait is declared with `async_trait`; this is its expansion of
// `async fn ready(&mut self) {}`.
impl Pollable for TailPipe {
    fn ready<'life0, 'async_trait>(
        &'life0 mut self,
    ) -> Pin<Box<dyn Future<Output = ()> + Send + 'async_trait>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(std::future::ready(()))
    }
}

impl AsyncWrite for TailPipe {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.push(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

impl IsTerminal for TailPipe {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for TailPipe {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }

    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pipe_keeps_the_last_bytes_and_counts_the_rest() {
        let pipe = TailPipe::default();
        pipe.push(b"hello ");
        pipe.push(b"world");
        assert_eq!(pipe.tail(), "hello world");
        let big = vec![b'x'; STDERR_TAIL_BYTES + 10];
        pipe.push(&big);
        let tail = pipe.tail();
        assert!(
            tail.starts_with("[... first 21 bytes omitted ...]\n"),
            "{tail:.60}"
        );
        assert_eq!(tail.len() - tail.find('\n').unwrap() - 1, STDERR_TAIL_BYTES);
        pipe.push(b"end");
        assert!(pipe.tail().ends_with("xxend"));
        assert!(pipe.tail().starts_with("[... first 24 bytes omitted"));
        pipe.clear();
        assert_eq!(pipe.tail(), "");
    }
}
