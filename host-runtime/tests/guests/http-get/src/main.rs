//! GETs the URL in the environment variable `URL` through wasi:http and
//! checks the body is `BODY`; panics with the error when the request fails.

use wasip2::http::outgoing_handler;
use wasip2::http::types::{Fields, OutgoingBody, OutgoingRequest, Scheme};
use wasip2::io::streams::StreamError;

fn main() {
    let url = std::env::var("URL").expect("the runtime did not pass URL");
    let expected = std::env::var("BODY").expect("the runtime did not pass BODY");
    let (scheme, rest) = match url.split_once("://") {
        Some(("http", rest)) => (Scheme::Http, rest),
        Some(("https", rest)) => (Scheme::Https, rest),
        _ => panic!("an http:// or https:// URL: {url}"),
    };
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));

    let request = OutgoingRequest::new(Fields::new());
    request.set_scheme(Some(&scheme)).unwrap();
    request.set_authority(Some(authority)).unwrap();
    request.set_path_with_query(Some(path)).unwrap();
    // No body: finish it before sending, so nothing races the response.
    OutgoingBody::finish(request.body().unwrap(), None).unwrap();

    let fail = |error: &dyn std::fmt::Debug| -> ! { panic!("GET {url} failed: {error:?}") };
    let pending = outgoing_handler::handle(request, None).unwrap_or_else(|e| fail(&e));
    pending.subscribe().block();
    let response = pending
        .get()
        .expect("the response is ready")
        .expect("the response is taken once")
        .unwrap_or_else(|e| fail(&e));
    assert_eq!(response.status(), 200, "the status of {url}");

    let body = response.consume().unwrap();
    let stream = body.stream().unwrap();
    let mut bytes = Vec::new();
    loop {
        match stream.blocking_read(64 * 1024) {
            Ok(chunk) => bytes.extend(chunk),
            Err(StreamError::Closed) => break,
            Err(e) => fail(&e),
        }
    }
    assert_eq!(String::from_utf8_lossy(&bytes), expected, "the body of {url}");
}
