//! A dependency that does not build for wasm32 (as a C library or a
//! threaded runtime would not).

#[cfg(target_arch = "wasm32")]
compile_error!("native-only needs an operating system thread");

/// The number of CPUs.
pub fn cpus() -> u32 {
    1
}
