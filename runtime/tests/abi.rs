//! The runtime's ABI through compwrap-client with the runtime linked in
//! (`embedded`): the behaviour tests of `common::behaviour`, and values
//! compared with what wasmtime's own typed bindings give.

mod common;

/// The echo guest with value-encoded calls.
const ECHO: common::Echo = common::Echo::Encoded;

use common::behaviour::echo_instance;
use common::{Color, Point, Shape, echo_guest, func};
use compwrap_client::codec;
use compwrap_client::{Instance, Runtime, RuntimeBuilder};

fn embedded(store: &std::path::Path) -> RuntimeBuilder {
    Runtime::builder()
        .embedded(compwrap_runtime::functions())
        .store(store)
}

behaviour_tests!(embedded);

/// An async application runs calls on tokio's blocking pool (the pattern
/// the README documents): a slow call does not stall the executor, and
/// many calls run at once.
#[test]
fn async_applications_call_on_the_blocking_pool() {
    use std::time::Duration;

    use compwrap_client::{ErrorKind, Limit};

    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    tokio.block_on(async {
        let store = common::temp_store();
        let runtime = embedded(store.path())
            .call_timeout(Some(Duration::from_millis(400)))
            .build()
            .unwrap();
        let echo = common::behaviour::echo_component(&runtime)
            .instantiate()
            .unwrap();
        let slow = {
            let echo = echo.clone();
            tokio::task::spawn_blocking(move || echo.call::<()>(&func("spin"), &[]))
        };
        let mut ticks = 0;
        while !slow.is_finished() {
            tokio::time::sleep(Duration::from_millis(10)).await;
            ticks += 1;
        }
        let error = slow.await.unwrap().unwrap_err();
        assert_eq!(*error.kind(), ErrorKind::Limit(Limit::Time), "{error}");
        assert!(
            ticks >= 10,
            "the executor ran only {ticks} ticks during the call"
        );
        let calls: Vec<_> = (0..16u32)
            .map(|i| {
                let echo = echo.clone();
                tokio::task::spawn_blocking(move || {
                    echo.call::<u32>(&func("echo-u32"), &codec::to_bytes(&i))
                })
            })
            .collect();
        for (i, call) in calls.into_iter().enumerate() {
            assert_eq!(call.await.unwrap().unwrap(), i as u32);
        }
    });
}

/// The same values through wasmtime's own typed bindings, for comparison.
mod typed {

    compwrap_host::bindgen!({
        path: "tests/guests/echo/wit",
        world: "echo-component",
        wasmtime_crate: compwrap_host::wasmtime,
    });

    pub use exports::compwrap_test::echo::echo as api;
}

mod compare {
    use proptest::prelude::*;

    use super::*;
    use typed::api;

    fn to_typed_point(p: &Point) -> api::Point {
        api::Point {
            x: p.x,
            y: p.y,
            label: p.label.clone(),
        }
    }

    fn from_typed_point(p: api::Point) -> Point {
        Point {
            x: p.x,
            y: p.y,
            label: p.label,
        }
    }

    fn to_typed_shape(s: &Shape) -> api::Shape {
        match s {
            Shape::Circle(r) => api::Shape::Circle(*r),
            Shape::Rect(p) => api::Shape::Rect(to_typed_point(p)),
            Shape::Empty => api::Shape::Empty,
        }
    }

    fn from_typed_shape(s: api::Shape) -> Shape {
        match s {
            api::Shape::Circle(r) => Shape::Circle(r),
            api::Shape::Rect(p) => Shape::Rect(from_typed_point(p)),
            api::Shape::Empty => Shape::Empty,
        }
    }

    fn point() -> impl Strategy<Value = Point> {
        (any::<i32>(), any::<i32>(), ".*").prop_map(|(x, y, label)| Point { x, y, label })
    }

    fn shape() -> impl Strategy<Value = Shape> {
        prop_oneof![
            any::<f64>()
                .prop_filter("NaN compares unequal", |f| !f.is_nan())
                .prop_map(Shape::Circle),
            point().prop_map(Shape::Rect),
            Just(Shape::Empty),
        ]
    }

    struct Both {
        _dir: tempfile::TempDir,
        client: Instance,
        store: compwrap_host::wasmtime::Store<compwrap_host::HostState>,
        typed: typed::EchoComponent,
    }

    fn both() -> Both {
        let (dir, client) = echo_instance(embedded);
        let runtime = compwrap_host::Runtime::builder()
            .native_cache_dir(Some(dir.path().join("native")))
            .build()
            .unwrap();
        let loaded = runtime.load_bytes(echo_guest()).unwrap();
        let mut store = loaded.new_store().unwrap();
        let typed =
            typed::EchoComponent::instantiate(&mut store, loaded.component(), loaded.linker())
                .unwrap();
        Both {
            _dir: dir,
            client,
            store,
            typed,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn values_match_wasmtimes_typed_bindings(
            p in point(),
            nested in proptest::collection::vec(proptest::option::of(shape()), 0..5),
            s in ".*",
            c in any::<char>(),
            f in any::<f32>(),
            wide in any::<(u64, i64, u16, i16, i8)>(),
            many in (any::<bool>(), any::<i16>(), ".*", any::<Option<u64>>()),
        ) {
            thread_local!(static BOTH: std::cell::RefCell<Option<Both>> = const { std::cell::RefCell::new(None) });
            BOTH.with(|cell| {
                let mut cell = cell.borrow_mut();
                let both = cell.get_or_insert_with(both);
                let echo = both.typed.compwrap_test_echo_echo();
                let store = &mut both.store;

                let via_client: Point = both.client.call(&func("echo-point"), &codec::to_bytes(&p)).unwrap();
                let via_typed = from_typed_point(echo.call_echo_point(&mut *store, &to_typed_point(&p)).unwrap());
                prop_assert_eq!(&via_client, &p);
                prop_assert_eq!(&via_typed, &p);

                let via_client: Vec<Option<Shape>> = both.client.call(&func("echo-nested"), &codec::to_bytes(&nested)).unwrap();
                let typed_in: Vec<Option<api::Shape>> = nested.iter().map(|s| s.as_ref().map(to_typed_shape)).collect();
                let via_typed: Vec<Option<Shape>> = echo.call_echo_nested(&mut *store, &typed_in).unwrap()
                    .into_iter().map(|s| s.map(from_typed_shape)).collect();
                prop_assert_eq!(&via_client, &nested);
                prop_assert_eq!(&via_typed, &nested);

                let via_client: String = both.client.call(&func("echo-string"), &codec::to_bytes(&s)).unwrap();
                prop_assert_eq!(&via_client, &echo.call_echo_string(&mut *store, &s).unwrap());
                prop_assert_eq!(&via_client, &s);

                let via_client: char = both.client.call(&func("echo-char"), &codec::to_bytes(&c)).unwrap();
                prop_assert_eq!(via_client, echo.call_echo_char(&mut *store, c).unwrap());

                let via_client: f32 = both.client.call(&func("echo-f32"), &codec::to_bytes(&f)).unwrap();
                let via_typed = echo.call_echo_f32(&mut *store, f).unwrap();
                prop_assert!(via_client.to_bits() == via_typed.to_bits() || (via_client.is_nan() && via_typed.is_nan()));

                let (a, b, c16, d16, e8) = wide;
                prop_assert_eq!(both.client.call::<u64>(&func("echo-u64"), &codec::to_bytes(&a)).unwrap(), echo.call_echo_u64(&mut *store, a).unwrap());
                prop_assert_eq!(both.client.call::<i64>(&func("echo-s64"), &codec::to_bytes(&b)).unwrap(), echo.call_echo_s64(&mut *store, b).unwrap());
                prop_assert_eq!(both.client.call::<u16>(&func("echo-u16"), &codec::to_bytes(&c16)).unwrap(), echo.call_echo_u16(&mut *store, c16).unwrap());
                prop_assert_eq!(both.client.call::<i16>(&func("echo-s16"), &codec::to_bytes(&d16)).unwrap(), echo.call_echo_s16(&mut *store, d16).unwrap());
                prop_assert_eq!(both.client.call::<i8>(&func("echo-s8"), &codec::to_bytes(&e8)).unwrap(), echo.call_echo_s8(&mut *store, e8).unwrap());

                let (ma, mb, mc, md) = many;
                let args = args!(ma, mb, mc.clone(), md, Color::Green);
                let via_client: (bool, i16, String, Option<u64>, Color) = both.client.call(&func("echo-many"), &args).unwrap();
                let via_typed = echo.call_echo_many(&mut *store, ma, mb, &mc, md, api::Color::Green).unwrap();
                prop_assert_eq!((via_client.0, via_client.1, via_client.2, via_client.3), (via_typed.0, via_typed.1, via_typed.2, via_typed.3));
                prop_assert_eq!(via_client.4, Color::Green);
                Ok(())
            })?;
        }
    }
}
