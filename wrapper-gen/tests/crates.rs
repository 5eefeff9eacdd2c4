//! Real crates whose shapes once broke generation (one test each, named
//! after the shape). Each must generate, build and validate.

mod common;

use common::test_store;

use compwrap::generate::{Generated, Options, Quiet, generate};

fn generated(spec: &str) -> Generated {
    let options = Options {
        spec: spec.parse().unwrap(),
        only: Vec::new(),
        features: Default::default(),
        assume_yes: true,
        force: false,
        cache: None,
    };
    let g = generate(&test_store(), &options, &Quiet)
        .unwrap_or_else(|e| panic!("generate {spec}: {e:?}"));
    let bytes = std::fs::read(&g.path).unwrap();
    compwrap::component::validate(&bytes, spec).unwrap();
    assert!(
        g.report.coverage.functions_mapped > 0,
        "{spec}: nothing mapped"
    );
    g
}

/// `uuid::Uuid` returns `uuid::fmt::Simple`, whose methods return `Uuid`:
/// the two interfaces would `use` each other, which WIT forbids.
#[test]
fn module_cycle_is_merged_into_one_interface() {
    let g = generated("uuid@1.29.3");
    assert!(
        !g.wit.contains("interface fmt"),
        "fmt merged into the uuid interface"
    );
    assert!(
        g.wit
            .contains("simple-from-uuid: func(uuid: uuid) -> simple;"),
        "{}",
        g.wit
    );
}

/// No function uses a `compwrap:types` type: the guest must not refer to
/// them, as wit-bindgen then does not generate them. heck's API is an
/// extension trait implemented for `str`, and blanket impls over it.
#[test]
fn crate_without_shared_types_builds() {
    let g = generated("heck@0.5.0");
    assert!(!g.wit.contains("compwrap:types/types"), "{}", g.wit);
    assert!(
        g.wit
            .contains("to-kebab-case: func(this: string) -> string;"),
        "{}",
        g.wit
    );
}

/// `bytes::buf::UninitSlice` is unsized and only ever borrowed (no
/// resource can hold it), and `Bytes::from_static` wants `&'static [u8]`.
#[test]
fn unsized_borrowed_only_types_and_static_borrows_are_skipped() {
    let g = generated("bytes@1.12.2");
    let item = |path: &str| {
        g.report
            .items
            .iter()
            .find(|i| i.path == path)
            .unwrap_or_else(|| panic!("{path}"))
    };
    assert!(
        item("bytes::buf::UninitSlice")
            .skipped
            .as_deref()
            .unwrap()
            .contains("only borrowed")
    );
    assert!(
        item("bytes::Bytes::from_static")
            .skipped
            .as_deref()
            .unwrap()
            .contains("'static")
    );
}

/// `impl Clone for Box<Utf8Path>` is listed among `Utf8Path`'s impls; it
/// does not make the unsized `Utf8Path` cloneable.
#[test]
fn impls_for_wrappers_do_not_count_for_the_type() {
    let g = generated("camino@1.2.6");
    let path = g
        .report
        .items
        .iter()
        .find(|i| i.path == "camino::Utf8Path")
        .expect("Utf8Path listed");
    assert!(path.skipped.is_some(), "{path:?}");
}
