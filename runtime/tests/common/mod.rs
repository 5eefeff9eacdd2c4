//! What the runtime's tests share: the echo guest (`tests/guests/echo`,
//! built for `wasm32-wasip2` once per test binary) and its values on the
//! client's side, encoded by hand the way typed host crates encode them.

#![allow(dead_code)]

pub mod behaviour;
pub mod hostile;

/// compwrap-host's guest builders (`cargo_guest` finds `tests/guests/<name>`
/// of the package running the test).
#[path = "../../../host-runtime/tests/common/mod.rs"]
#[allow(dead_code, unused_imports)]
mod host;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use compwrap_client::codec::{self, Decode, DecodeError, Encode, Reader};

/// Which echo guest a test binary calls (its `const ECHO`).
pub enum Echo {
    /// With value-encoded calls, as compwrap generates components: the
    /// runtime calls through them.
    Encoded,
    /// Without: the runtime calls the component dynamically.
    Dynamic,
}

/// The echo component's bytes.
pub fn echo_guest() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        match crate::ECHO {
            Echo::Encoded => host::cargo_guest("echo"),
            Echo::Dynamic => {
                host::cargo_guest_with("echo", &["--no-default-features"], "guests-dynamic")
            }
        }
        .expect("the echo guest builds")
    })
}

/// A new empty store for one test.
pub fn temp_store() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// The runtime library cargo built beside this test's binary
/// (`target/debug/libcompwrap_runtime.so`).
pub fn shared_library() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>/deps/<test>");
    dir.join(compwrap_client::library::file_name())
}

/// The interface's functions, by their names in the WIT.
pub fn func(name: &str) -> String {
    format!("compwrap-test:echo/echo#{name}")
}

/// Encodes arguments one after the other.
#[macro_export]
macro_rules! args {
    ($($arg:expr),* $(,)?) => {{
        let mut out = Vec::new();
        $(compwrap_client::codec::Encode::encode(&$arg, &mut out);)*
        out
    }};
}

#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub x: i32,
    pub y: i32,
    pub label: String,
}

impl Encode for Point {
    fn encode(&self, out: &mut Vec<u8>) {
        self.x.encode(out);
        self.y.encode(out);
        self.label.encode(out);
    }
}

impl Decode for Point {
    fn decode(r: &mut Reader<'_>) -> Result<Point, DecodeError> {
        Ok(Point {
            x: Decode::decode(r)?,
            y: Decode::decode(r)?,
            label: Decode::decode(r)?,
        })
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Shape {
    Circle(f64),
    Rect(Point),
    Empty,
}

impl Encode for Shape {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Shape::Circle(r) => {
                codec::write_case(0, out);
                r.encode(out);
            }
            Shape::Rect(p) => {
                codec::write_case(1, out);
                p.encode(out);
            }
            Shape::Empty => codec::write_case(2, out),
        }
    }
}

impl Decode for Shape {
    fn decode(r: &mut Reader<'_>) -> Result<Shape, DecodeError> {
        Ok(match r.case(3)? {
            0 => Shape::Circle(Decode::decode(r)?),
            1 => Shape::Rect(Decode::decode(r)?),
            _ => Shape::Empty,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Red,
    Green,
    Blue,
}

impl Encode for Color {
    fn encode(&self, out: &mut Vec<u8>) {
        codec::write_case(*self as u32, out);
    }
}

impl Decode for Color {
    fn decode(r: &mut Reader<'_>) -> Result<Color, DecodeError> {
        Ok([Color::Red, Color::Green, Color::Blue][r.case(3)? as usize])
    }
}

/// `perms`: nine flags, bit `i` for label `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Perms(pub u16);

impl Encode for Perms {
    fn encode(&self, out: &mut Vec<u8>) {
        codec::write_flags(u64::from(self.0), 9, out);
    }
}

impl Decode for Perms {
    fn decode(r: &mut Reader<'_>) -> Result<Perms, DecodeError> {
        Ok(Perms(r.flags(9)? as u16))
    }
}
