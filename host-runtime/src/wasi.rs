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

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

use anyhow::{Context, Result, ensure};
use wasmtime::Engine;
use wasmtime::component::Linker;
use wasmtime_wasi::cli::OutputFile;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder};

use crate::http::HttpAllow;
use crate::runtime::{HostState, wasmtime_error};

/// How much of a call's stderr is kept for its error message.
const STDERR_TAIL_BYTES: u64 = 16 * 1024;

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
        let (stream, stderr) = GuestStderr::capture()?;
        builder.stderr(stream);
        stderr
    };
    Ok((builder.build(), stderr))
}

/// The guest's stderr, when it is captured.
///
/// It goes to an anonymous temporary file rather than an in-memory pipe:
/// wasmtime's `MemoryOutputPipe` traps the guest once its fixed capacity is
/// used up, over the whole life of a store, so a chatty but healthy guest
/// would eventually fail. The file is emptied at the start of every call
/// (see [`GuestStderr::start_call`]), which bounds it by one call's output.
#[derive(Debug)]
pub(crate) enum GuestStderr {
    /// The guest writes to the host's stderr; nothing to report.
    Inherited,
    /// Our handle on the file the guest's stderr stream writes to. Both are
    /// the same open file description, so they share the file offset.
    Captured(File),
}

impl GuestStderr {
    fn capture() -> Result<(OutputFile, GuestStderr)> {
        let file =
            tempfile::tempfile().context("failed to create a file for the guest's stderr")?;
        let ours = file
            .try_clone()
            .context("failed to duplicate the guest's stderr file handle")?;
        Ok((OutputFile::new(file), GuestStderr::Captured(ours)))
    }

    /// Forgets what earlier calls wrote, so that an error shows only the
    /// output of the call that failed.
    ///
    /// Most calls write nothing: one `fstat` tells, and only a file with
    /// something in it is emptied (two more system calls, which cost more
    /// than a whole small call otherwise).
    pub(crate) fn start_call(&mut self) -> Result<()> {
        if let GuestStderr::Captured(file) = self {
            let written = file
                .metadata()
                .context("failed to read the guest's stderr file")?
                .len();
            if written > 0 {
                file.set_len(0)
                    .and_then(|()| file.rewind())
                    .context("failed to reset the guest's stderr file")?;
            }
        }
        Ok(())
    }

    /// The last few KiB the guest wrote since [`GuestStderr::start_call`],
    /// lossily decoded; empty when nothing was written or stderr is
    /// inherited.
    pub(crate) fn tail(&mut self) -> String {
        match self {
            GuestStderr::Inherited => String::new(),
            // Only used to enrich an error: if reading fails, say so there
            // instead of hiding the original error behind this one.
            GuestStderr::Captured(file) => read_tail(file)
                .unwrap_or_else(|e| format!("<failed to read the guest's stderr: {e}>")),
        }
    }
}

fn read_tail(file: &mut File) -> io::Result<String> {
    let len = file.seek(SeekFrom::End(0))?;
    let start = len.saturating_sub(STDERR_TAIL_BYTES);
    file.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(if start > 0 {
        format!("[... first {start} bytes omitted ...]\n{text}")
    } else {
        text.into_owned()
    })
}
