//! `cargo bench -p compwrap-host`: what compwrap-host costs on top of
//! wasmtime, and what its caches save.
//!
//! - `call`: `version-parse` through compwrap-host's typed bindings (with the
//!   per-call limit budget a host re-arms; and without a time limit),
//!   through a hand-written wasmtime `bindgen!` embedding with wasmtime's
//!   defaults and with an epoch deadline per call (the time limit's
//!   mechanism), and native `semver`.
//! - `instantiate`: from the cached `InstancePre`, with the pooling
//!   allocator, and a plain `Linker::instantiate`.
//! - `load`: cached native code vs compiling with Cranelift, for semver and
//!   regex.
//!
//! The components come from the local store (`$COMPWRAP_HOME`); generate
//! them first: `cargo run --release -p compwrap -- generate semver@1.0.28`
//! and `… generate regex@1.13.2`.

use std::hint::black_box;

use compwrap_host::wasmtime::component::{Component, Linker, ResourceTable};
use compwrap_host::wasmtime::{Engine, Store as WasmStore};
use compwrap_host::{Runtime, Store};
use criterion::{Criterion, criterion_group, criterion_main};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

mod typed {
    compwrap_host::bindgen!({
        path: "benches/semver-wit",
        world: "semver-component",
        wasmtime_crate: compwrap_host::wasmtime,
    });
}

/// The hand-written embedding: wasmtime's defaults and WASI, nothing else.
mod plain {
    compwrap_host::wasmtime::component::bindgen!({
        path: "benches/semver-wit",
        world: "semver-component",
        wasmtime_crate: compwrap_host::wasmtime,
    });

    pub struct State {
        pub ctx: super::WasiCtx,
        pub table: super::ResourceTable,
    }

    impl super::WasiView for State {
        fn ctx(&mut self) -> super::WasiCtxView<'_> {
            super::WasiCtxView {
                ctx: &mut self.ctx,
                table: &mut self.table,
            }
        }
    }
}

fn plain_store(engine: &Engine) -> WasmStore<plain::State> {
    WasmStore::new(
        engine,
        plain::State {
            ctx: WasiCtxBuilder::new().build(),
            table: ResourceTable::new(),
        },
    )
}

/// The stored component `spec`'s bytes, or `None` with a note on stderr.
fn component_bytes(spec: &str) -> Option<Vec<u8>> {
    let store = Store::open_default().ok()?;
    match store.resolve(spec).and_then(|d| store.read_blob(&d)) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            eprintln!(
                "skipping benchmarks of {spec}: {e:#} (run `cargo run --release -p compwrap -- generate {spec}`)"
            );
            None
        }
    }
}

fn calls(c: &mut Criterion) {
    let Some(bytes) = component_bytes("semver@1.0.28") else {
        return;
    };
    let mut group = c.benchmark_group("call version-parse");

    let runtime = Runtime::new().expect("runtime");
    let loaded = runtime.load_bytes(&bytes).expect("load");
    let mut store = loaded.new_store().expect("store");
    let bindings =
        typed::SemverComponent::instantiate(&mut store, loaded.component(), loaded.linker())
            .expect("instantiate");
    group.bench_function("compwrap-host typed", |b| {
        b.iter(|| {
            loaded.arm_limits(&mut store).expect("arm");
            let parsed = bindings
                .compwrap_semver_semver()
                .call_version_parse(&mut store, black_box("1.2.3-beta.1+build.5"))
                .expect("call");
            black_box(parsed.expect("valid"))
        })
    });

    // The same without a time limit: what the epoch checks cost.
    let untimed = Runtime::builder()
        .call_timeout(None)
        .build()
        .expect("runtime");
    let untimed_loaded = untimed.load_bytes(&bytes).expect("load");
    let mut untimed_store = untimed_loaded.new_store().expect("store");
    let untimed_bindings = typed::SemverComponent::instantiate(
        &mut untimed_store,
        untimed_loaded.component(),
        untimed_loaded.linker(),
    )
    .expect("instantiate");
    group.bench_function("compwrap-host typed, no time limit", |b| {
        b.iter(|| {
            let parsed = untimed_bindings
                .compwrap_semver_semver()
                .call_version_parse(&mut untimed_store, black_box("1.2.3-beta.1+build.5"))
                .expect("call");
            black_box(parsed.expect("valid"))
        })
    });

    let engine = Engine::default();
    let component = Component::new(&engine, &bytes).expect("compile");
    let mut linker = Linker::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).expect("wasi");
    let mut plain_wasm = plain_store(&engine);
    let plain_bindings = plain::SemverComponent::instantiate(&mut plain_wasm, &component, &linker)
        .expect("instantiate");
    group.bench_function("hand-written wasmtime bindgen", |b| {
        b.iter(|| {
            let parsed = plain_bindings
                .compwrap_semver_semver()
                .call_version_parse(&mut plain_wasm, black_box("1.2.3-beta.1+build.5"))
                .expect("call");
            black_box(parsed.expect("valid"))
        })
    });

    // The hand-written embedding with the protection compwrap-host has by
    // default: epoch interruption and a deadline set before each call.
    let mut config = compwrap_host::wasmtime::Config::new();
    config.epoch_interruption(true);
    let epoch_engine = Engine::new(&config).expect("engine");
    let epoch_component = Component::new(&epoch_engine, &bytes).expect("compile");
    let mut epoch_linker = Linker::new(&epoch_engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut epoch_linker).expect("wasi");
    let mut epoch_wasm = plain_store(&epoch_engine);
    epoch_wasm.set_epoch_deadline(1000);
    let epoch_bindings =
        plain::SemverComponent::instantiate(&mut epoch_wasm, &epoch_component, &epoch_linker)
            .expect("instantiate");
    group.bench_function("hand-written wasmtime bindgen, epoch deadline", |b| {
        b.iter(|| {
            epoch_wasm.set_epoch_deadline(1000);
            let parsed = epoch_bindings
                .compwrap_semver_semver()
                .call_version_parse(&mut epoch_wasm, black_box("1.2.3-beta.1+build.5"))
                .expect("call");
            black_box(parsed.expect("valid"))
        })
    });

    group.bench_function("native semver", |b| {
        b.iter(|| {
            black_box(semver::Version::parse(black_box("1.2.3-beta.1+build.5")).expect("valid"))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("instantiate semver");
    group.bench_function("compwrap-host InstancePre", |b| {
        b.iter(|| {
            let mut store = loaded.new_store().expect("store");
            black_box(
                loaded
                    .instance_pre()
                    .instantiate(&mut store)
                    .expect("instance"),
            )
        })
    });
    let pooled_runtime = Runtime::builder()
        .pooling_allocator(Some(64))
        .build()
        .expect("runtime");
    let pooled = pooled_runtime.load_bytes(&bytes).expect("load");
    group.bench_function("compwrap-host InstancePre, pooling allocator", |b| {
        b.iter(|| {
            let mut store = pooled.new_store().expect("store");
            black_box(
                pooled
                    .instance_pre()
                    .instantiate(&mut store)
                    .expect("instance"),
            )
        })
    });
    group.bench_function("plain Linker::instantiate", |b| {
        b.iter(|| {
            let mut store = plain_store(&engine);
            black_box(
                linker
                    .instantiate(&mut store, &component)
                    .expect("instance"),
            )
        })
    });
    group.finish();
}

fn loads(c: &mut Criterion) {
    for spec in ["semver@1.0.28", "regex@1.13.2"] {
        let Some(bytes) = component_bytes(spec) else {
            continue;
        };
        let mut group = c.benchmark_group(format!("load {spec}"));
        group.sample_size(10);
        let cache = tempfile::tempdir().expect("cache dir");
        let cached = Runtime::builder()
            .native_cache_dir(Some(cache.path().to_path_buf()))
            .build()
            .expect("runtime");
        cached
            .load_bytes(&bytes)
            .expect("first load fills the cache");
        group.bench_function("cached native code", |b| {
            b.iter(|| {
                let loaded = cached.load_bytes(&bytes).expect("load");
                assert!(loaded.was_cached());
                black_box(loaded)
            })
        });
        let compiling = Runtime::builder()
            .native_cache_dir(None)
            .build()
            .expect("runtime");
        group.bench_function("compiled with Cranelift", |b| {
            b.iter(|| black_box(compiling.load_bytes(&bytes).expect("load")))
        });
        group.finish();
    }
}

criterion_group!(benches, calls, loads);
criterion_main!(benches);
