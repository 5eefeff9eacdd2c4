//! The runtime's behaviour through compwrap-client, the same whether the
//! runtime is linked in or loaded as a shared library: values of every WIT
//! type kind, resources, bad input, hostile guests and threads, against the
//! echo guest. Each binary runs them with its own [`Builder`] through
//! [`behaviour_tests!`].

use std::sync::Arc;
use std::time::Duration;

use compwrap_client::codec::{self, Decode, Encode};
use compwrap_client::{Component, ErrorKind, Instance, Limit, Resource, Runtime, RuntimeBuilder};

use super::{Color, Perms, Point, Shape, echo_guest, func, temp_store};

/// How a test binary makes its runtimes, given the store directory.
pub type Builder = fn(&std::path::Path) -> RuntimeBuilder;

/// One `#[test]` per behaviour, with the runtimes `builder` makes: those
/// with the echo guest (`echo`), those with hostile guests (`hostile`), or
/// both.
#[macro_export]
macro_rules! behaviour_tests {
    ($builder:expr) => {
        $crate::behaviour_tests!(echo $builder);
        $crate::behaviour_tests!(hostile $builder);
    };
    (echo $builder:expr) => {
        $crate::behaviour_tests!(@tests $builder;
            every_type_kind_round_trips_through_the_echo_component
            resources_cross_as_handles_that_are_dropped_moved_and_borrowed
            a_trap_is_an_error_with_the_guests_message_and_the_next_call_works
            limits_hold_through_the_abi
            http_requests_off_the_allowlist_are_denied_and_listed
            bad_components_digests_settings_and_names_are_errors
            a_component_in_the_store_loads_by_digest
            garbage_arguments_are_errors_and_the_instance_keeps_serving
            eight_threads_call_one_loaded_component
        );
    };
    (hostile $builder:expr) => {
        $crate::behaviour_tests!(@hostile $builder;
            hostile_files_environment_and_sockets_are_denied
            hostile_an_endless_loop_hits_the_time_limit
            hostile_allocating_gigabytes_hits_the_memory_limit
            hostile_unbounded_recursion_hits_the_stack_limit
            hostile_fuel_bounds_the_work_of_a_call
            hostile_a_panic_is_an_error_with_its_message
            hostile_granted_directories_and_variables_are_all_the_guest_sees
        );
    };
    (@tests $builder:expr; $($name:ident)*) => {$(
        #[test]
        fn $name() {
            common::behaviour::$name($builder);
        }
    )*};
    (@hostile $builder:expr; $($name:ident)*) => {$(
        #[test]
        fn $name() {
            common::hostile::$name($builder);
        }
    )*};
}

pub fn echo_component(runtime: &Runtime) -> Component {
    let digest = compwrap_client::library::digest_of(echo_guest());
    runtime.load_bytes(echo_guest(), Some(&digest)).unwrap()
}

pub fn echo_instance(builder: Builder) -> (tempfile::TempDir, Instance) {
    let store = temp_store();
    let runtime = builder(store.path()).build().unwrap();
    let instance = echo_component(&runtime).instantiate().unwrap();
    (store, instance)
}

/// Calls `echo-<kind>` with `value` and checks it comes back.
pub fn round_trip<T: Encode + Decode + PartialEq + std::fmt::Debug>(
    instance: &Instance,
    kind: &str,
    value: T,
) {
    let back: T = instance
        .call(&func(&format!("echo-{kind}")), &codec::to_bytes(&value))
        .unwrap_or_else(|e| panic!("echo-{kind}: {e}"));
    assert_eq!(back, value, "echo-{kind}");
}

pub fn every_type_kind_round_trips_through_the_echo_component(builder: Builder) {
    let (_store, echo) = echo_instance(builder);
    for v in [false, true] {
        round_trip(&echo, "bool", v);
    }
    for v in [0u8, 1, 127, 128, 255] {
        round_trip(&echo, "u8", v);
    }
    for v in [i8::MIN, -1, 0, i8::MAX] {
        round_trip(&echo, "s8", v);
    }
    for v in [0u16, 300, u16::MAX] {
        round_trip(&echo, "u16", v);
    }
    for v in [i16::MIN, -300, 0, i16::MAX] {
        round_trip(&echo, "s16", v);
    }
    for v in [0u32, 624_485, u32::MAX] {
        round_trip(&echo, "u32", v);
    }
    for v in [i32::MIN, -123_456, 0, i32::MAX] {
        round_trip(&echo, "s32", v);
    }
    for v in [0u64, 1 << 40, u64::MAX] {
        round_trip(&echo, "u64", v);
    }
    for v in [i64::MIN, -1, i64::MAX] {
        round_trip(&echo, "s64", v);
    }
    for v in [0.0f32, -1.5, f32::INFINITY, f32::MIN_POSITIVE] {
        round_trip(&echo, "f32", v);
    }
    for v in [0.0f64, -2.25e300, f64::NEG_INFINITY] {
        round_trip(&echo, "f64", v);
    }
    let nan: f32 = echo
        .call(&func("echo-f32"), &codec::to_bytes(&f32::NAN))
        .unwrap();
    assert!(nan.is_nan());
    let nan: f64 = echo
        .call(&func("echo-f64"), &codec::to_bytes(&f64::NAN))
        .unwrap();
    assert!(nan.is_nan());
    for v in ['a', 'é', '世', '🎉', '\u{10ffff}'] {
        round_trip(&echo, "char", v);
    }
    for v in ["", "plain", "grüße, 世界 🎉"] {
        round_trip(&echo, "string", v.to_string());
    }
    round_trip(&echo, "bytes", (0..=255u8).collect::<Vec<_>>());
    round_trip(&echo, "list", vec![0u32, 1, u32::MAX]);
    round_trip(&echo, "list", Vec::<u32>::new());
    round_trip(&echo, "option", Some("x".to_string()));
    round_trip(&echo, "option", None::<String>);
    round_trip(&echo, "result", Ok::<u32, String>(7));
    round_trip(&echo, "result", Err::<u32, String>("no".into()));
    round_trip(&echo, "unit-result", Ok::<(), ()>(()));
    round_trip(&echo, "unit-result", Err::<(), ()>(()));
    round_trip(&echo, "tuple", (9u8, "nine".to_string(), 9.5f32));
    let point = Point {
        x: -3,
        y: 4,
        label: "p".into(),
    };
    round_trip(&echo, "point", point.clone());
    for shape in [Shape::Circle(1.5), Shape::Rect(point.clone()), Shape::Empty] {
        round_trip(&echo, "shape", shape);
    }
    for color in [Color::Red, Color::Green, Color::Blue] {
        round_trip(&echo, "color", color);
    }
    for perms in [Perms(0), Perms(0b1), Perms(0b1_0000_0101), Perms(0x1ff)] {
        round_trip(&echo, "perms", perms);
    }
    round_trip(
        &echo,
        "nested",
        vec![Some(Shape::Rect(point)), None, Some(Shape::Empty)],
    );
    let many = (true, -7i16, "s".to_string(), Some(u64::MAX), Color::Blue);
    let args = crate::args!(many.0, many.1, many.2, many.3, many.4);
    let back: (bool, i16, String, Option<u64>, Color) =
        echo.call(&func("echo-many"), &args).unwrap();
    assert_eq!(back, many);
    let () = echo.call(&func("nothing"), &[]).unwrap();
    assert!(echo.call_raw(&func("nothing"), &[]).unwrap().is_empty());
}

pub fn resources_cross_as_handles_that_are_dropped_moved_and_borrowed(builder: Builder) {
    let (_store, echo) = echo_instance(builder);
    let new_counter = |start: u64| -> Resource {
        echo.call(&func("[constructor]counter"), &codec::to_bytes(&start))
            .unwrap()
    };
    let counter = new_counter(40);
    let added: u64 = echo
        .call(&func("[method]counter.add"), &crate::args!(counter, 2u64))
        .unwrap();
    assert_eq!(added, 42);
    let peeked: u64 = echo.call(&func("peek"), &crate::args!(counter)).unwrap();
    assert_eq!(peeked, 42);
    let handle = counter.into_handle();
    let consumed: u64 = echo.call(&func("consume"), &crate::args!(handle)).unwrap();
    assert_eq!(consumed, 42);
    // The guest owns it now: the handle is gone.
    let error = echo
        .call::<u64>(&func("peek"), &crate::args!(handle))
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::StaleHandle, "{error}");
    assert!(
        error.message().contains("moved into an earlier call"),
        "{error}"
    );
    // Handles inside lists and options: returned, borrowed, and moved.
    let counters: Vec<Resource> = echo
        .call(&func("counters"), &codec::to_bytes(&vec![1u64, 2, 3]))
        .unwrap();
    assert_eq!(counters.len(), 3);
    let owned = new_counter(10).into_handle();
    let total: u64 = echo
        .call(&func("sum"), &crate::args!(counters, Some(owned)))
        .unwrap();
    assert_eq!(total, 16);
    let second: u64 = echo
        .call(&func("peek"), &crate::args!(counters[1]))
        .unwrap();
    assert_eq!(second, 2, "a borrowed counter stays");
    let error = echo
        .call::<u64>(&func("peek"), &crate::args!(owned))
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::StaleHandle, "{error}");
    // Handles that never were: an error, not a crash.
    for bogus in [0u32, 999] {
        let error = echo
            .call::<u64>(&func("peek"), &crate::args!(bogus))
            .unwrap_err();
        assert_eq!(*error.kind(), ErrorKind::StaleHandle, "{error}");
    }
    // Dropping a handle runs the destructor; dropping it again is an error.
    let other = new_counter(1);
    let handle = other.handle();
    drop(other);
    let error = echo.drop_resource(handle).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::StaleHandle, "{error}");
    // Its number is not handed out again: the stale copy stays an error.
    let again = new_counter(5);
    assert_ne!(again.handle(), handle);
    let error = echo
        .call::<u64>(&func("peek"), &crate::args!(handle))
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::StaleHandle, "{error}");
}

pub fn a_trap_is_an_error_with_the_guests_message_and_the_next_call_works(builder: Builder) {
    let (_store, echo) = echo_instance(builder);
    let counter: Resource = echo
        .call(&func("[constructor]counter"), &codec::to_bytes(&1u64))
        .unwrap();
    let error = echo
        .call::<()>(&func("trap"), &codec::to_bytes("the guest gave up"))
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Trap, "{error}");
    assert!(
        error.guest_stderr().contains("the guest gave up"),
        "{error:?}"
    );
    assert!(error.message().contains("the guest gave up"), "{error}");
    round_trip(&echo, "string", "still serving".to_string());
    // The counter was the discarded instance's.
    let error = echo
        .call::<u64>(&func("peek"), &crate::args!(counter))
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::StaleHandle, "{error}");
    assert!(
        error.message().contains("trapped and was discarded"),
        "{error}"
    );
    // Dropping it is no error: it is gone already.
    drop(counter);
}

pub fn limits_hold_through_the_abi(builder: Builder) {
    let store = temp_store();
    let runtime = builder(store.path())
        .call_timeout(Some(Duration::from_millis(300)))
        .max_memory_bytes(64 << 20)
        .build()
        .unwrap();
    let echo = echo_component(&runtime).instantiate().unwrap();
    let error = echo.call::<()>(&func("spin"), &[]).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Limit(Limit::Time), "{error}");
    assert!(error.message().contains("time limit of 300ms"), "{error}");
    let error = echo.call::<()>(&func("hog"), &[]).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Limit(Limit::Memory), "{error}");
    assert!(error.message().contains("67108864 bytes"), "{error}");
    round_trip(&echo, "u32", 7u32);
}

pub fn http_requests_off_the_allowlist_are_denied_and_listed(builder: Builder) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 2048];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\nconnection: close\r\n\r\nhello",
            );
        }
    });
    let url = format!("http://127.0.0.1:{port}/x");
    let store = temp_store();
    // Not allowed: the guest sees the request fail; the host lists it.
    let denied = builder(store.path()).build().unwrap();
    let echo = echo_component(&denied).instantiate().unwrap();
    let got: Result<String, String> = echo.call(&func("fetch"), &codec::to_bytes(&url)).unwrap();
    let denial = got.unwrap_err();
    assert!(denial.contains("HttpRequestDenied"), "{denial}");
    assert_eq!(
        echo.denied_http_requests().unwrap(),
        std::slice::from_ref(&url)
    );
    // Allowed.
    let allowed = builder(store.path())
        .allow_http(&format!("127.0.0.1:{port}"))
        .build()
        .unwrap();
    let echo = echo_component(&allowed).instantiate().unwrap();
    let got: Result<String, String> = echo.call(&func("fetch"), &codec::to_bytes(&url)).unwrap();
    assert_eq!(got, Ok("hello".to_string()));
    assert!(echo.denied_http_requests().unwrap().is_empty());
}

pub fn bad_components_digests_settings_and_names_are_errors(builder: Builder) {
    let store = temp_store();
    let runtime = builder(store.path()).build().unwrap();
    let error = runtime.load_bytes(b"garbage", None).err().unwrap();
    assert_eq!(*error.kind(), ErrorKind::InvalidComponent, "{error}");
    let wrong = format!("sha256:{}", "0".repeat(64));
    let error = runtime
        .load_bytes(echo_guest(), Some(&wrong))
        .err()
        .unwrap();
    assert_eq!(*error.kind(), ErrorKind::DigestMismatch, "{error}");
    let error = runtime.load(&wrong).err().unwrap();
    assert_eq!(*error.kind(), ErrorKind::NotFound, "{error}");
    assert!(error.message().contains("compwrap pull"), "{error}");
    let error = runtime.load("not-a-digest").err().unwrap();
    assert_eq!(*error.kind(), ErrorKind::InvalidArgument, "{error}");
    let error = builder(store.path())
        .max_memory_bytes(1)
        .allow_http("bad pattern with spaces")
        .build()
        .err()
        .unwrap();
    assert_eq!(*error.kind(), ErrorKind::InvalidArgument, "{error}");
    let echo = echo_component(&runtime).instantiate().unwrap();
    let error = echo.call::<()>(&func("echo-strin"), &[]).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::NotFound, "{error}");
    assert!(error.message().contains("echo-string"), "{error}");
    // Too few and too many argument bytes.
    let error = echo
        .call::<String>(&func("echo-string"), &[5, b'a'])
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidArgument, "{error}");
    let error = echo.call::<u8>(&func("echo-u8"), &[1, 2]).unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::InvalidArgument, "{error}");
    // A result read as the wrong type.
    let error = echo
        .call::<u64>(&func("echo-string"), &codec::to_bytes("long text"))
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Decode, "{error}");
}

pub fn a_component_in_the_store_loads_by_digest(builder: Builder) {
    let store = temp_store();
    // The store's layout: `blobs/sha256/<hex>`.
    let digest = compwrap_client::library::digest_of(echo_guest());
    let blobs = store.path().join("blobs/sha256");
    std::fs::create_dir_all(&blobs).unwrap();
    std::fs::write(blobs.join(&digest["sha256:".len()..]), echo_guest()).unwrap();
    let runtime = builder(store.path()).build().unwrap();
    let component = runtime.load(&digest).unwrap();
    assert_eq!(component.digest(), digest);
    round_trip(&component.instantiate().unwrap(), "u8", 3u8);
    // The native code went into the store's cache.
    let native = std::fs::read_dir(store.path().join("native"))
        .unwrap()
        .count();
    assert_eq!(native, 1);
}

/// A small deterministic generator (xorshift), so the fuzz loop is the
/// same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn garbage_arguments_are_errors_and_the_instance_keeps_serving(builder: Builder) {
    let (_store, echo) = echo_instance(builder);
    let counter: Resource = echo
        .call(&func("[constructor]counter"), &codec::to_bytes(&3u64))
        .unwrap();
    // Taken over by the first call of `sum` that goes through.
    let taken = echo
        .call::<Resource>(&func("[constructor]counter"), &codec::to_bytes(&5u64))
        .unwrap()
        .into_handle();
    let point = Point {
        x: 1,
        y: -2,
        label: "é".into(),
    };
    // A valid encoding of each function's parameters.
    let valid: Vec<(&str, Vec<u8>)> = vec![
        ("echo-bool", codec::to_bytes(&true)),
        ("echo-u8", codec::to_bytes(&7u8)),
        ("echo-s8", codec::to_bytes(&-7i8)),
        ("echo-u16", codec::to_bytes(&700u16)),
        ("echo-s16", codec::to_bytes(&-700i16)),
        ("echo-u32", codec::to_bytes(&70_000u32)),
        ("echo-s32", codec::to_bytes(&-70_000i32)),
        ("echo-u64", codec::to_bytes(&u64::MAX)),
        ("echo-s64", codec::to_bytes(&i64::MIN)),
        ("echo-f32", codec::to_bytes(&1.5f32)),
        ("echo-f64", codec::to_bytes(&-1.5f64)),
        ("echo-char", codec::to_bytes(&'世')),
        ("echo-string", codec::to_bytes("grüße")),
        ("echo-bytes", codec::to_bytes(&vec![1u8, 2, 3])),
        ("echo-list", codec::to_bytes(&vec![1u32, 300])),
        ("echo-option", codec::to_bytes(&Some("x".to_string()))),
        (
            "echo-result",
            codec::to_bytes(&Err::<u32, String>("e".into())),
        ),
        ("echo-unit-result", codec::to_bytes(&Ok::<(), ()>(()))),
        (
            "echo-tuple",
            codec::to_bytes(&(1u8, "t".to_string(), 2.0f32)),
        ),
        ("echo-point", codec::to_bytes(&point)),
        ("echo-shape", codec::to_bytes(&Shape::Rect(point.clone()))),
        ("echo-color", codec::to_bytes(&Color::Green)),
        ("echo-perms", codec::to_bytes(&Perms(0x101))),
        (
            "echo-nested",
            codec::to_bytes(&vec![Some(Shape::Circle(1.0)), None]),
        ),
        (
            "echo-many",
            crate::args!(true, 5i16, "m".to_string(), Some(9u64), Color::Red),
        ),
        ("peek", codec::to_bytes(&counter)),
        ("[method]counter.add", crate::args!(counter, 1u64)),
        ("sum", crate::args!(vec![counter.handle()], Some(taken))),
    ];
    let mut rng = Rng(0x5eed_c0de_2026_1205);
    let (mut accepted, mut refused, mut read_in_guest) = (0, 0, 0);
    for i in 0..10_000 {
        let (name, bytes) = &valid[i % valid.len()];
        let mut input = bytes.clone();
        match rng.below(4) {
            // Truncated.
            0 => input.truncate(rng.below(input.len().max(1))),
            // A byte changed.
            1 if !input.is_empty() => {
                let at = rng.below(input.len());
                input[at] = rng.next() as u8;
            }
            // Extra bytes.
            2 => input.extend((0..1 + rng.below(4)).map(|_| rng.next() as u8)),
            // Random bytes.
            _ => input = (0..rng.below(12)).map(|_| rng.next() as u8).collect(),
        }
        match echo.call_raw(&func(name), &input) {
            Ok(_) => accepted += 1,
            Err(e) => {
                assert!(
                    matches!(
                        e.kind(),
                        ErrorKind::InvalidArgument | ErrorKind::StaleHandle
                    ),
                    "{name} {input:?}: {e}"
                );
                refused += 1;
                if e.to_string().contains("(as the component read them)") {
                    read_in_guest += 1;
                }
            }
        }
    }
    assert!(refused > 5_000, "{refused} refused, {accepted} accepted");
    // The component's value-encoded calls read the arguments of functions
    // without resources; without them the runtime reads every argument.
    match crate::ECHO {
        super::Echo::Encoded => assert!(read_in_guest > 2_000, "{read_in_guest}"),
        super::Echo::Dynamic => assert_eq!(read_in_guest, 0),
    }
    round_trip(&echo, "string", "still serving".to_string());
    let value: u64 = echo.call(&func("peek"), &crate::args!(counter)).unwrap();
    assert!(value >= 3);
}

pub fn eight_threads_call_one_loaded_component(builder: Builder) {
    let store = temp_store();
    let runtime = builder(store.path()).build().unwrap();
    let component = echo_component(&runtime);
    let shared = Arc::new(component.instantiate().unwrap());
    let threads: Vec<_> = (0..8u32)
        .map(|t| {
            let component = component.clone();
            let shared = shared.clone();
            std::thread::spawn(move || {
                let own = component.instantiate().unwrap();
                for i in 0..50u32 {
                    let text = format!("thread {t} call {i}");
                    let back: String = own
                        .call(&func("echo-string"), &codec::to_bytes(&text))
                        .unwrap();
                    assert_eq!(back, text);
                    let n = t * 1000 + i;
                    let back: u32 = shared
                        .call(&func("echo-u32"), &codec::to_bytes(&n))
                        .unwrap();
                    assert_eq!(back, n);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}
