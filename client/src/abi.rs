//! The runtime library's C ABI, version [`ABI_VERSION`]: what crosses it
//! and the table of its functions.
//!
//! Only pointers, lengths and integers cross the boundary. Handles are
//! opaque pointers the library made; buffers the library returns are freed
//! with `cw1_buf_free` by whoever received them; every function returns a
//! [`Status`] (`0` for success) and, on failure, writes an error record
//! ([`AbiError`], value-encoded) to its `err` out-parameter when that is
//! not null. No function unwinds: the library catches its panics and
//! reports them as [`Status::Panic`].
//!
//! ```c
//! uint32_t compwrap_runtime_abi_version(void);
//! int32_t  cw1_version(cw_buf *out);
//! int32_t  cw1_runtime_new(const uint8_t *config, size_t len, cw_runtime **out, cw_buf *err);
//! void     cw1_runtime_free(cw_runtime *);
//! int32_t  cw1_component_load(cw_runtime *, const uint8_t *digest, size_t len, cw_component **out, cw_buf *err);
//! int32_t  cw1_component_load_bytes(cw_runtime *, const uint8_t *bytes, size_t len,
//!                                   const uint8_t *digest, size_t digest_len, cw_component **out, cw_buf *err);
//! void     cw1_component_free(cw_component *);
//! int32_t  cw1_instance_new(cw_component *, cw_instance **out, cw_buf *err);
//! void     cw1_instance_free(cw_instance *);
//! int32_t  cw1_instance_call(cw_instance *, const uint8_t *name, size_t name_len,
//!                            const uint8_t *args, size_t args_len, cw_buf *results, cw_buf *err);
//! int32_t  cw1_instance_drop_resource(cw_instance *, uint32_t handle, cw_buf *err);
//! int32_t  cw1_instance_denied_http(cw_instance *, cw_buf *out);
//! void     cw1_buf_free(uint8_t *ptr, size_t len);
//! ```
//!
//! `cw1_runtime_new` takes its configuration as a value-encoded
//! `list<tuple<string, list<string>>>` of settings ([`Setting`]); an
//! unknown setting is an error, so a newer application never silently
//! loses a limit on an older runtime. `cw1_instance_call` takes the
//! function's arguments one after the other, each value-encoded, and
//! returns its result (nothing for a function without one).

use crate::codec::{self, Decode, DecodeError, Encode, Reader};

/// The version of the ABI this client speaks; the runtime's
/// `compwrap_runtime_abi_version()` must return the same.
pub const ABI_VERSION: u32 = 1;

/// The name of the function that tells a library's ABI version.
pub const ABI_VERSION_SYMBOL: &str = "compwrap_runtime_abi_version";

/// A buffer the library allocated: free it with `cw1_buf_free(ptr, len)`.
#[repr(C)]
#[derive(Debug)]
pub struct Buf {
    /// The first byte (dangling, never null, when `len` is 0).
    pub ptr: *mut u8,
    /// The number of bytes.
    pub len: usize,
}

impl Buf {
    /// An empty buffer to pass as an out-parameter.
    pub fn empty() -> Buf {
        Buf {
            ptr: std::ptr::null_mut(),
            len: 0,
        }
    }
}

/// An opaque runtime of the library.
#[repr(C)]
pub struct RawRuntime {
    _private: [u8; 0],
}

/// An opaque loaded component of the library.
#[repr(C)]
pub struct RawComponent {
    _private: [u8; 0],
}

/// An opaque component instance of the library.
#[repr(C)]
pub struct RawInstance {
    _private: [u8; 0],
}

/// The library's functions, found by name in a shared library or taken
/// from `compwrap-runtime` linked into the application (`embedded`); the
/// client calls them the same way either way.
#[derive(Clone, Copy, Debug)]
#[allow(missing_docs, clippy::type_complexity)]
pub struct Functions {
    pub abi_version: unsafe extern "C" fn() -> u32,
    pub version: unsafe extern "C" fn(out: *mut Buf) -> i32,
    pub runtime_new: unsafe extern "C" fn(
        config: *const u8,
        len: usize,
        out: *mut *mut RawRuntime,
        err: *mut Buf,
    ) -> i32,
    pub runtime_free: unsafe extern "C" fn(runtime: *mut RawRuntime),
    pub component_load: unsafe extern "C" fn(
        runtime: *mut RawRuntime,
        digest: *const u8,
        len: usize,
        out: *mut *mut RawComponent,
        err: *mut Buf,
    ) -> i32,
    pub component_load_bytes: unsafe extern "C" fn(
        runtime: *mut RawRuntime,
        bytes: *const u8,
        len: usize,
        digest: *const u8,
        digest_len: usize,
        out: *mut *mut RawComponent,
        err: *mut Buf,
    ) -> i32,
    pub component_free: unsafe extern "C" fn(component: *mut RawComponent),
    pub instance_new: unsafe extern "C" fn(
        component: *mut RawComponent,
        out: *mut *mut RawInstance,
        err: *mut Buf,
    ) -> i32,
    pub instance_free: unsafe extern "C" fn(instance: *mut RawInstance),
    pub instance_call: unsafe extern "C" fn(
        instance: *mut RawInstance,
        name: *const u8,
        name_len: usize,
        args: *const u8,
        args_len: usize,
        results: *mut Buf,
        err: *mut Buf,
    ) -> i32,
    pub instance_drop_resource:
        unsafe extern "C" fn(instance: *mut RawInstance, handle: u32, err: *mut Buf) -> i32,
    pub instance_denied_http:
        unsafe extern "C" fn(instance: *mut RawInstance, out: *mut Buf) -> i32,
    pub buf_free: unsafe extern "C" fn(ptr: *mut u8, len: usize),
}

impl Functions {
    /// Copies a buffer the library returned and frees it there.
    /// Reads `buf` in place with `read`, then frees it.
    pub(crate) fn read<R>(&self, buf: Buf, read: impl FnOnce(&[u8]) -> R) -> R {
        /// Frees the buffer even when `read` panics.
        struct Free<'a>(&'a Functions, Buf);
        impl Drop for Free<'_> {
            fn drop(&mut self) {
                if !self.1.ptr.is_null() {
                    // SAFETY: returned by the library, freed once.
                    unsafe { (self.0.buf_free)(self.1.ptr, self.1.len) };
                }
            }
        }
        let owned = Free(self, buf);
        let bytes = match owned.1.ptr.is_null() {
            true => &[][..],
            // SAFETY: the library returned `len` bytes at `ptr`, valid
            // until freed by `owned`'s drop.
            false => unsafe { std::slice::from_raw_parts(owned.1.ptr, owned.1.len) },
        };
        read(bytes)
    }

    pub(crate) fn take(&self, buf: Buf) -> Vec<u8> {
        if buf.ptr.is_null() {
            return Vec::new();
        }
        // SAFETY: the library returned `len` bytes at `ptr`.
        let bytes = unsafe { std::slice::from_raw_parts(buf.ptr, buf.len) }.to_vec();
        // SAFETY: returned by the library, freed once.
        unsafe { (self.buf_free)(buf.ptr, buf.len) };
        bytes
    }

    /// The library's version text (`cw1_version`).
    pub(crate) fn version_text(&self) -> Result<String, crate::Error> {
        use crate::{Error, ErrorKind};
        let mut out = Buf::empty();
        // SAFETY: `out` is writable.
        let status = unsafe { (self.version)(&mut out) };
        let bytes = self.take(out);
        if status != 0 {
            return Err(Error::new(
                ErrorKind::Other,
                "the runtime did not tell its version",
            ));
        }
        String::from_utf8(bytes)
            .map_err(|_| Error::new(ErrorKind::Decode, "a version that is not UTF-8"))
    }
}

/// The names of the functions of [`Functions`], in its field order.
pub const SYMBOLS: [&str; 13] = [
    ABI_VERSION_SYMBOL,
    "cw1_version",
    "cw1_runtime_new",
    "cw1_runtime_free",
    "cw1_component_load",
    "cw1_component_load_bytes",
    "cw1_component_free",
    "cw1_instance_new",
    "cw1_instance_free",
    "cw1_instance_call",
    "cw1_instance_drop_resource",
    "cw1_instance_denied_http",
    "cw1_buf_free",
];

/// What a function of the ABI returns: `0` is success, anything else the
/// kind of the failure described by the [`AbiError`] it wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Status {
    /// Success.
    Ok = 0,
    /// A failure of no other kind.
    Other = 1,
    /// No such component in the store, or no such exported function.
    NotFound = 2,
    /// Bytes did not match the digest they were to have.
    DigestMismatch = 3,
    /// The bytes are not a WebAssembly component.
    InvalidComponent = 4,
    /// An argument (a setting, a name, an argument value) is not valid.
    InvalidArgument = 5,
    /// The guest trapped; the instance was discarded.
    Trap = 6,
    /// The call passed one of the runtime's limits ([`AbiError::limit`]);
    /// the instance was discarded.
    Limit = 7,
    /// The call failed and the runtime had denied outgoing HTTP requests
    /// during it ([`AbiError::denied_http`]).
    HttpDenied = 8,
    /// A resource handle is unknown or came from a discarded instance.
    StaleHandle = 9,
    /// The runtime itself panicked (a bug in the runtime).
    Panic = 10,
}

impl Status {
    /// The status for a returned code; unknown codes are [`Status::Other`].
    pub fn from_code(code: i32) -> Status {
        match code {
            0 => Status::Ok,
            2 => Status::NotFound,
            3 => Status::DigestMismatch,
            4 => Status::InvalidComponent,
            5 => Status::InvalidArgument,
            6 => Status::Trap,
            7 => Status::Limit,
            8 => Status::HttpDenied,
            9 => Status::StaleHandle,
            10 => Status::Panic,
            _ => Status::Other,
        }
    }
}

/// The error record a failed ABI function writes, value-encoded as
/// `record { message: string, causes: list<string>, limit: option<string>,
/// denied-http: list<string>, guest-stderr: string }`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AbiError {
    /// What failed: the runtime's whole description (the trap, the limit
    /// and its value, the guest's stderr, the denied requests).
    pub message: String,
    /// The causes, outermost first.
    pub causes: Vec<String>,
    /// For [`Status::Limit`]: `time`, `memory`, `stack` or `fuel`.
    pub limit: Option<String>,
    /// The URLs of the outgoing HTTP requests the allowlist denied during
    /// the call.
    pub denied_http: Vec<String>,
    /// What the guest wrote to stderr during the call (its panic message).
    pub guest_stderr: String,
}

impl Encode for AbiError {
    fn encode(&self, out: &mut Vec<u8>) {
        self.message.encode(out);
        self.causes.encode(out);
        self.limit.encode(out);
        self.denied_http.encode(out);
        self.guest_stderr.encode(out);
    }
}

impl Decode for AbiError {
    fn decode(r: &mut Reader<'_>) -> Result<AbiError, DecodeError> {
        Ok(AbiError {
            message: Decode::decode(r)?,
            causes: Decode::decode(r)?,
            limit: Decode::decode(r)?,
            denied_http: Decode::decode(r)?,
            guest_stderr: Decode::decode(r)?,
        })
    }
}

/// One setting of `cw1_runtime_new`'s configuration: a name and its
/// arguments. The runtime knows:
///
/// | name | arguments |
/// | --- | --- |
/// | `store` | the store directory (default: `$COMPWRAP_HOME`, else `~/.cache/compwrap`) |
/// | `native-cache` | `off`, or a directory (default: the store's `native/`) |
/// | `max-memory-bytes` | bytes |
/// | `call-timeout-ms` | milliseconds, or `none` |
/// | `max-wasm-stack` | bytes |
/// | `fuel` | units per call, or `none` |
/// | `inherit-stdio` | `true` or `false` |
/// | `preopen` | host directory, guest path, `ro` or `rw` |
/// | `env` | name, value |
/// | `allow-http` | a host pattern (`example.com`, `127.0.0.1:5000`, `*.domain`, `*`) |
/// | `pooling` | the most live instances, or `none` |
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The setting's name.
    pub name: String,
    /// Its arguments.
    pub args: Vec<String>,
}

impl Setting {
    /// A setting.
    pub fn new(name: &str, args: &[&str]) -> Setting {
        Setting {
            name: name.to_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }
}

impl Encode for Setting {
    fn encode(&self, out: &mut Vec<u8>) {
        self.name.encode(out);
        self.args.encode(out);
    }
}

impl Decode for Setting {
    fn decode(r: &mut Reader<'_>) -> Result<Setting, DecodeError> {
        Ok(Setting {
            name: Decode::decode(r)?,
            args: Decode::decode(r)?,
        })
    }
}

/// Encodes settings for `cw1_runtime_new`.
pub fn encode_settings(settings: &[Setting]) -> Vec<u8> {
    codec::to_bytes(settings)
}

/// Decodes `cw1_runtime_new`'s settings.
pub fn decode_settings(bytes: &[u8]) -> Result<Vec<Setting>, DecodeError> {
    codec::from_bytes(bytes)
}
