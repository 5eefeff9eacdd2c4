//! A crate that does not build for wasm32-wasip2: generate fails with the
//! compiler's message, and nothing is stored.

#[cfg(target_arch = "wasm32")]
compile_error!("this crate needs a native target");

/// Never reached on wasm32.
pub fn native() -> u32 {
    1
}
