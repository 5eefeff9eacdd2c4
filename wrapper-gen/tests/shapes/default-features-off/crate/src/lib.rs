//! A default feature brings in a dependency that does not build for
//! wasm32-wasip2: generate turns that feature off (and keeps `extra`),
//! builds, and says so.

/// Doubles `x`.
pub fn double(x: u32) -> u32 {
    x * 2
}

/// Whether the `extra` feature is on.
pub fn extra() -> bool {
    cfg!(feature = "extra")
}

/// The CPUs the native dependency sees.
#[cfg(feature = "native")]
pub fn cpus() -> u32 {
    native_only::cpus()
}
