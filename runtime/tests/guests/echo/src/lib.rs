//! The echo guest: see `wit/world.wit`. With the `encoded` feature (the
//! default) it also exports value-encoded calls, in compwrap's generated
//! `src/encoded.rs`, as the components compwrap generates do.

use std::cell::Cell;

use exports::compwrap_test::echo::echo::{
    Color, Counter, Guest, GuestCounter, Perms, Point, Shape,
};

#[cfg(feature = "encoded")]
wit_bindgen::generate!({ path: "wit", world: "echo-encoded" });
#[cfg(not(feature = "encoded"))]
wit_bindgen::generate!({ path: "wit", world: "echo-component" });

#[cfg(feature = "encoded")]
mod encoded;

struct Echo;

struct MyCounter(Cell<u64>);

impl GuestCounter for MyCounter {
    fn new(start: u64) -> MyCounter {
        MyCounter(Cell::new(start))
    }
    fn add(&self, n: u64) -> u64 {
        self.0.set(self.0.get() + n);
        self.0.get()
    }
    fn get(&self) -> u64 {
        self.0.get()
    }
}

impl Guest for Echo {
    type Counter = MyCounter;

    fn echo_bool(v: bool) -> bool { v }
    fn echo_u8(v: u8) -> u8 { v }
    fn echo_s8(v: i8) -> i8 { v }
    fn echo_u16(v: u16) -> u16 { v }
    fn echo_s16(v: i16) -> i16 { v }
    fn echo_u32(v: u32) -> u32 { v }
    fn echo_s32(v: i32) -> i32 { v }
    fn echo_u64(v: u64) -> u64 { v }
    fn echo_s64(v: i64) -> i64 { v }
    fn echo_f32(v: f32) -> f32 { v }
    fn echo_f64(v: f64) -> f64 { v }
    fn echo_char(v: char) -> char { v }
    fn echo_string(v: String) -> String { v }
    fn echo_bytes(v: Vec<u8>) -> Vec<u8> { v }
    fn echo_list(v: Vec<u32>) -> Vec<u32> { v }
    fn echo_option(v: Option<String>) -> Option<String> { v }
    fn echo_result(v: Result<u32, String>) -> Result<u32, String> { v }
    fn echo_unit_result(v: Result<(), ()>) -> Result<(), ()> { v }
    fn echo_tuple(v: (u8, String, f32)) -> (u8, String, f32) { v }
    fn echo_point(v: Point) -> Point { v }
    fn echo_shape(v: Shape) -> Shape { v }
    fn echo_color(v: Color) -> Color { v }
    fn echo_perms(v: Perms) -> Perms { v }
    fn echo_nested(v: Vec<Option<Shape>>) -> Vec<Option<Shape>> { v }
    fn echo_many(
        a: bool,
        b: i16,
        c: String,
        d: Option<u64>,
        e: Color,
    ) -> (bool, i16, String, Option<u64>, Color) {
        (a, b, c, d, e)
    }
    fn nothing() {}

    fn consume(c: Counter) -> u64 {
        c.get::<MyCounter>().get()
    }
    fn peek(c: exports::compwrap_test::echo::echo::CounterBorrow<'_>) -> u64 {
        c.get::<MyCounter>().get()
    }
    fn counters(starts: Vec<u64>) -> Vec<Counter> {
        starts
            .into_iter()
            .map(|start| Counter::new(MyCounter(Cell::new(start))))
            .collect()
    }
    fn sum(
        borrowed: Vec<exports::compwrap_test::echo::echo::CounterBorrow<'_>>,
        owned: Option<Counter>,
    ) -> u64 {
        let borrowed: u64 = borrowed.iter().map(|c| c.get::<MyCounter>().get()).sum();
        borrowed + owned.map_or(0, |c| c.get::<MyCounter>().get())
    }

    fn trap(message: String) {
        panic!("{message}");
    }
    fn spin() {
        let mut n = 0u64;
        loop {
            n = std::hint::black_box(n.wrapping_add(1));
        }
    }
    fn hog() {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            hoard.push(vec![1; 16 << 20]);
            std::hint::black_box(&hoard);
        }
    }
    fn fetch(url: String) -> Result<String, String> {
        http_get(&url)
    }
}

/// GETs `url` through wasi:http.
fn http_get(url: &str) -> Result<String, String> {
    use wasip2::http::outgoing_handler;
    use wasip2::http::types::{Fields, OutgoingBody, OutgoingRequest, Scheme};
    use wasip2::io::streams::StreamError;

    let (scheme, rest) = match url.split_once("://") {
        Some(("http", rest)) => (Scheme::Http, rest),
        Some(("https", rest)) => (Scheme::Https, rest),
        _ => return Err(format!("not an http(s) URL: {url}")),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let request = OutgoingRequest::new(Fields::new());
    request.set_scheme(Some(&scheme)).map_err(|()| "bad scheme")?;
    request.set_authority(Some(authority)).map_err(|()| "bad authority")?;
    request.set_path_with_query(Some(path)).map_err(|()| "bad path")?;
    OutgoingBody::finish(request.body().map_err(|()| "no body")?, None)
        .map_err(|e| format!("{e:?}"))?;
    let pending = outgoing_handler::handle(request, None).map_err(|e| format!("{e:?}"))?;
    pending.subscribe().block();
    let response = pending
        .get()
        .ok_or("no response")?
        .map_err(|()| "response taken")?
        .map_err(|e| format!("{e:?}"))?;
    let body = response.consume().map_err(|()| "no body")?;
    let stream = body.stream().map_err(|()| "no stream")?;
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => bytes.extend(chunk),
            Err(StreamError::Closed) => break,
            Err(e) => return Err(format!("{e:?}")),
        }
    }
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

export!(Echo);
