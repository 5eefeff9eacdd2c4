//! Fingerprints the code generator's sources so a change to how compwrap
//! maps or emits code changes every generate key (stale components are never
//! reused by a newer compwrap build).

use std::path::Path;

const GENERATOR_SOURCES: &[&str] = &[
    "api.rs",
    "model.rs",
    "names.rs",
    "wit.rs",
    "glue.rs",
    "emit.rs",
    "build.rs",
    "component.rs",
];

fn main() {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325; // FNV-1a
    for name in GENERATOR_SOURCES {
        let path = Path::new("src").join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = std::fs::read(&path).unwrap_or_default();
        for b in name.bytes().chain(bytes) {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    println!("cargo:rerun-if-changed=../wit/types.wit");
    for b in std::fs::read("../wit/types.wit").unwrap_or_default() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    println!("cargo:rustc-env=COMPWRAP_GENERATOR_HASH={hash:016x}");
}
