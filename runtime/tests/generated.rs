//! compwrap's generated host-crate bindings, compiled and run: the bindings
//! of the echo guest (`wrapper-gen/tests/golden/host-crate/echo.rs`, kept
//! equal to what compwrap writes by compwrap's golden test) call the echo
//! component through the runtime linked in, for every WIT type kind.

#![allow(clippy::all, unused, missing_docs)]

include!("../../wrapper-gen/tests/golden/host-crate/echo.rs");

mod common;

/// The echo guest with value-encoded calls.
const ECHO: common::Echo = common::Echo::Encoded;

use compwrap_client::{ErrorKind, Runtime};
use echo::{Color, Perms, Point, Shape};

fn echo_wrapper() -> (tempfile::TempDir, Echo) {
    let store = common::temp_store();
    let runtime = Runtime::builder()
        .embedded(compwrap_runtime::functions())
        .store(store.path())
        .build()
        .unwrap();
    let component = common::behaviour::echo_component(&runtime);
    (store, Echo::from_instance(component.instantiate().unwrap()))
}

#[test]
fn generated_methods_round_trip_every_type_kind() {
    let (_store, e) = echo_wrapper();
    assert!(e.echo_bool(true).unwrap());
    assert_eq!(e.echo_u8(255).unwrap(), 255);
    assert_eq!(e.echo_s8(-128).unwrap(), -128);
    assert_eq!(e.echo_u16(65535).unwrap(), 65535);
    assert_eq!(e.echo_s16(-32768).unwrap(), -32768);
    assert_eq!(e.echo_u32(u32::MAX).unwrap(), u32::MAX);
    assert_eq!(e.echo_s32(i32::MIN).unwrap(), i32::MIN);
    assert_eq!(e.echo_u64(u64::MAX).unwrap(), u64::MAX);
    assert_eq!(e.echo_s64(i64::MIN).unwrap(), i64::MIN);
    assert_eq!(e.echo_f32(1.5).unwrap(), 1.5);
    assert!(e.echo_f64(f64::NAN).unwrap().is_nan());
    assert_eq!(e.echo_char('🎉').unwrap(), '🎉');
    assert_eq!(e.echo_string("grüße").unwrap(), "grüße");
    assert_eq!(e.echo_bytes(&[0, 1, 255]).unwrap(), [0, 1, 255]);
    assert_eq!(e.echo_list(&[1, 2, 3]).unwrap(), [1, 2, 3]);
    assert_eq!(e.echo_option(Some("x")).unwrap(), Some("x".to_string()));
    assert_eq!(e.echo_option(None).unwrap(), None);
    assert_eq!(
        e.echo_result(&Err("no".into())).unwrap(),
        Err("no".to_string())
    );
    assert_eq!(e.echo_unit_result(&Ok(())).unwrap(), Ok(()));
    assert_eq!(
        e.echo_tuple(&(1, "t".into(), 2.5)).unwrap(),
        (1, "t".to_string(), 2.5)
    );
    let point = Point {
        x: -1,
        y: 2,
        label: "p".into(),
    };
    assert_eq!(e.echo_point(&point).unwrap(), point);
    let shape = Shape::Rect(point.clone());
    assert_eq!(e.echo_shape(&shape).unwrap(), shape);
    assert_eq!(e.echo_color(Color::Green).unwrap(), Color::Green);
    let perms = Perms::READ | Perms::F8;
    assert_eq!(e.echo_perms(perms).unwrap(), perms);
    assert!(e.echo_perms(perms).unwrap().contains(Perms::F8));
    let nested = vec![Some(Shape::Circle(2.0)), None, Some(Shape::Empty)];
    assert_eq!(e.echo_nested(&nested).unwrap(), nested);
    assert_eq!(
        e.echo_many(true, -2, "m", Some(3), Color::Blue).unwrap(),
        (true, -2, "m".to_string(), Some(3), Color::Blue)
    );
    e.nothing().unwrap();
}

#[test]
fn generated_resource_handles_borrow_move_and_drop() {
    let (_store, e) = echo_wrapper();
    let counter = e.counter(40).unwrap();
    assert_eq!(counter.add(2).unwrap(), 42);
    assert_eq!(counter.get().unwrap(), 42);
    assert_eq!(e.peek(&counter).unwrap(), 42);
    let handle = counter.handle();
    assert_eq!(e.consume(counter).unwrap(), 42);
    // Moved: the guest owns it now.
    let error = e
        .instance()
        .call::<u64>(
            "compwrap-test:echo/echo#peek",
            &compwrap_client::codec::to_bytes(&handle),
        )
        .unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::StaleHandle, "{error}");
    // Dropped with its handle type.
    let other = e.counter(1).unwrap();
    let handle = other.handle();
    drop(other);
    assert_eq!(
        *e.instance().drop_resource(handle).unwrap_err().kind(),
        ErrorKind::StaleHandle
    );
    // A trap, then the wrapper keeps serving.
    let error = e.trap("gave up").unwrap_err();
    assert_eq!(*error.kind(), ErrorKind::Trap, "{error}");
    assert_eq!(e.echo_u8(7).unwrap(), 7);
}
