//! `cargo bench -p compwrap-runtime --bench shared`: `version-parse`
//! through compwrap-client and the shared runtime library (`dlopen`), the
//! default of typed host crates; compare with `calls`'s "compwrap-client,
//! runtime linked in" of the same run. Its own binary, so the calls run
//! in the library's wasmtime and no other is ever started.
//!
//! Uses `target/release/deps/libcompwrap_runtime.so` (cargo builds it
//! beside the benchmark) and semver@1.0.28 from the local store. The process
//! links compwrap-host for the store's lookup only.

use std::hint::black_box;

use compwrap_client::codec;
use criterion::{Criterion, criterion_group, criterion_main};

mod common;

use common::{Error, FUNCTION, INPUT, Version, component};

fn shared(c: &mut Criterion) {
    // The library cargo built for this benchmark, beside it in `deps/`.
    let exe = std::env::current_exe().expect("the benchmark's path");
    let dir = exe.parent().expect("target/<profile>/deps");
    let library = dir.join(compwrap_client::library::file_name());
    let runtime = match compwrap_client::Runtime::builder()
        .library(&library)
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => return eprintln!("skipping: {e}"),
    };
    let Some((_, digest)) = component() else {
        return;
    };
    let instance = runtime
        .load(&digest)
        .expect("load")
        .instantiate()
        .expect("instance");
    let mut group = c.benchmark_group("call version-parse");
    group.bench_function("compwrap-client, shared runtime library", |b| {
        b.iter(|| {
            let args = codec::to_bytes(black_box(INPUT));
            let parsed: Result<Version, Error> = instance.call(FUNCTION, &args).expect("call");
            black_box(parsed.expect("valid"))
        })
    });
    group.finish();
}

criterion_group!(benches, shared);
criterion_main!(benches);
