//! `cargo bench -p compwrap-runtime`: what a call costs through the
//! runtime's ABI compared with the ways compwrap-host is called in-process,
//! side by side in one run.
//!
//! - `call version-parse`: native `semver`; compwrap-host's typed bindings
//!   (`bindgen!` through `Typed`, what typed host crates did before the
//!   shared runtime); compwrap-host's dynamic `Instance::call` with `Val`s;
//!   compwrap-client through the ABI with the runtime linked in (what a
//!   typed host crate with `embedded` does) and through the shared library
//!   (`dlopen`, what a typed host crate does by default; the library
//!   `cargo` built beside this benchmark).
//! - `codec`: the client's share: encoding the argument and decoding the
//!   `version` record, without a call.
//!
//! The component comes from the local store (`$COMPWRAP_HOME`); generate it
//! first: `cargo run --release -p compwrap -- generate semver@1.0.28`.

use std::hint::black_box;

use common::{Error, FUNCTION, INPUT, Version, component};
use compwrap_client::codec;
use compwrap_host::wasmtime::component::Val;
use criterion::{Criterion, criterion_group, criterion_main};

mod common;

mod typed {
    compwrap_host::bindgen!({
        path: "../host-runtime/benches/semver-wit",
        world: "semver-component",
        wasmtime_crate: compwrap_host::wasmtime,
    });
}

fn calls(c: &mut Criterion) {
    let Some((bytes, digest)) = component() else {
        return;
    };
    let mut group = c.benchmark_group("call version-parse");
    group.bench_function("native semver", |b| {
        b.iter(|| black_box(semver::Version::parse(black_box(INPUT)).expect("valid")))
    });

    let runtime = compwrap_host::Runtime::new().expect("runtime");
    let loaded = runtime.load_bytes(&bytes).expect("load");
    let mut typed = compwrap_host::Typed::new(loaded.clone(), |store, pre| {
        typed::SemverComponentPre::new(pre.clone())?.instantiate(store)
    });
    group.bench_function("compwrap-host typed (bindgen!)", |b| {
        b.iter(|| {
            let parsed = typed
                .call("version-parse", |bindings, store| {
                    bindings
                        .compwrap_semver_semver()
                        .call_version_parse(store, black_box(INPUT))
                })
                .expect("call");
            black_box(parsed.expect("valid"))
        })
    });

    let mut dynamic = loaded.instantiate().expect("instance");
    let func = loaded.export(FUNCTION).expect("export").clone();
    group.bench_function("compwrap-host dynamic (Val)", |b| {
        b.iter(|| {
            let args = [Val::String(black_box(INPUT).to_owned())];
            black_box(dynamic.call_export(&func, &args).expect("call"))
        })
    });

    let client = compwrap_client::Runtime::builder()
        .embedded(compwrap_runtime::functions())
        .build()
        .expect("client runtime");
    let instance = client
        .load_bytes(&bytes, Some(&digest))
        .expect("load")
        .instantiate()
        .expect("instance");
    group.bench_function("compwrap-client, runtime linked in", |b| {
        b.iter(|| {
            let args = codec::to_bytes(black_box(INPUT));
            let parsed: Result<Version, Error> = instance.call(FUNCTION, &args).expect("call");
            black_box(parsed.expect("valid"))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("codec");
    let result = instance
        .call_raw(FUNCTION, &codec::to_bytes(INPUT))
        .expect("call");
    group.bench_function("encode the argument, decode the version", |b| {
        b.iter(|| {
            let args = codec::to_bytes(black_box(INPUT));
            black_box(&args);
            let parsed: Result<Version, Error> =
                codec::from_bytes(black_box(&result)).expect("decode");
            black_box(parsed.expect("valid"))
        })
    });
    group.finish();
}

criterion_group!(benches, calls);
criterion_main!(benches);
