//! `cargo bench -p compwrap-runtime --bench ratio`: `version-parse`
//! through compwrap-client — the runtime linked in, and the shared library
//! (`dlopen`) — against compwrap-host's typed call (`bindgen!`), in rounds
//! that interleave them in one process, so that a busy machine slows them
//! alike. Prints each one's median time per call and the median of the
//! rounds' ratios to the typed call. compwrap-host's value-encoded call
//! (with the client's encoding, without the ABI) shows what the ABI adds.
//!
//! Uses semver@1.0.28 from the local store and the library cargo built
//! beside the benchmark, as `calls` and `shared` do.

use std::hint::black_box;
use std::time::{Duration, Instant};

use common::{Error, FUNCTION, INPUT, Version, component};
use compwrap_client::codec;

mod common;

mod typed {
    compwrap_host::bindgen!({
        path: "../host-runtime/benches/semver-wit",
        world: "semver-component",
        wasmtime_crate: compwrap_host::wasmtime,
    });
}

/// One way of making the call.
type Variant<'a> = Box<dyn FnMut() + 'a>;

const ROUNDS: usize = 21;
const CALLS: u32 = 5_000;

fn main() {
    let Some((bytes, digest)) = component() else {
        return;
    };
    let runtime = compwrap_host::Runtime::new().expect("runtime");
    let loaded = runtime.load_bytes(&bytes).expect("load");
    let mut typed = compwrap_host::Typed::new(loaded, |store, pre| {
        typed::SemverComponentPre::new(pre.clone())?.instantiate(store)
    });
    let mut typed_call = move || {
        let parsed = typed
            .call("version-parse", |bindings, store| {
                bindings
                    .compwrap_semver_semver()
                    .call_version_parse(store, black_box(INPUT))
            })
            .expect("call");
        black_box(parsed.expect("valid"));
    };

    let mut host = loaded_encoded(&runtime, &bytes);
    let func = host.func_type(FUNCTION).expect("export").clone();
    let index = host
        .encoded_functions()
        .expect("functions")
        .expect("value-encoded calls")
        .iter()
        .position(|f| *f == func.qualified_name())
        .expect("listed") as u32;
    let mut host_call = move || {
        let args = codec::to_bytes(black_box(INPUT));
        let out = host
            .call_encoded(&func, index, &args)
            .expect("call")
            .expect("valid");
        let parsed: Result<Version, Error> = codec::from_bytes(&out).expect("decode");
        black_box(parsed.expect("valid"));
    };

    let linked = compwrap_client::Runtime::builder()
        .embedded(compwrap_runtime::functions())
        .build()
        .expect("client runtime");
    let linked = linked
        .load_bytes(&bytes, Some(&digest))
        .expect("load")
        .instantiate()
        .expect("instance");
    let client_call = |instance: &compwrap_client::Instance| {
        let args = codec::to_bytes(black_box(INPUT));
        let parsed: Result<Version, Error> = instance.call(FUNCTION, &args).expect("call");
        black_box(parsed.expect("valid"));
    };

    let exe = std::env::current_exe().expect("the benchmark's path");
    let library = exe
        .parent()
        .expect("target/<profile>/deps")
        .join(compwrap_client::library::file_name());
    let shared = compwrap_client::Runtime::builder()
        .library(&library)
        .build()
        .map_err(|e| eprintln!("no shared runtime: {e}"))
        .ok()
        .map(|runtime| {
            runtime
                .load_bytes(&bytes, Some(&digest))
                .expect("load")
                .instantiate()
                .expect("instance")
        });

    let mut variants: Vec<(&str, Variant)> = vec![
        ("compwrap-host typed (bindgen!)", Box::new(&mut typed_call)),
        ("compwrap-host value-encoded call", Box::new(&mut host_call)),
        (
            "compwrap-client, runtime linked in",
            Box::new(|| client_call(&linked)),
        ),
    ];
    if let Some(shared) = &shared {
        variants.push((
            "compwrap-client, shared runtime library",
            Box::new(|| client_call(shared)),
        ));
    }
    let mut times = vec![Vec::new(); variants.len()];
    for round in 0..=ROUNDS {
        for k in 0..variants.len() {
            // Each round starts with another variant.
            let i = (k + round) % variants.len();
            let call = &mut variants[i].1;
            let start = Instant::now();
            for _ in 0..CALLS {
                call();
            }
            // Round 0 warms up.
            if round > 0 {
                times[i].push(start.elapsed() / CALLS);
            }
        }
    }
    println!("version-parse, {ROUNDS} rounds of {CALLS} calls each, interleaved:");
    for (i, (name, _)) in variants.iter().enumerate() {
        let ratios: Vec<f64> = times[i]
            .iter()
            .zip(&times[0])
            .map(|(t, typed)| t.as_secs_f64() / typed.as_secs_f64())
            .collect();
        println!(
            "  {name:<42} {:>9.3} µs   {:.2}× typed",
            median(times[i].clone()).as_secs_f64() * 1e6,
            median_f64(ratios)
        );
    }
}

/// An instance of the component for [`compwrap_host::call::Instance::call_encoded`].
fn loaded_encoded(runtime: &compwrap_host::Runtime, bytes: &[u8]) -> compwrap_host::call::Instance {
    runtime
        .load_bytes(bytes)
        .expect("load")
        .instantiate()
        .expect("instance")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn median_f64(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
