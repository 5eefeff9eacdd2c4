//! Records the target triple: the store keeps runtime libraries per platform.

fn main() {
    let target = std::env::var("TARGET").expect("cargo sets TARGET for build scripts");
    println!("cargo:rustc-env=COMPWRAP_CLIENT_TARGET={target}");
    println!("cargo:rerun-if-changed=build.rs");
}
