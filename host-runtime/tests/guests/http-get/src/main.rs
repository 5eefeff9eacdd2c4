//! GETs the URL in the environment variable `URL` through wasi:http and
//! checks the body is `BODY`; panics with the error when the request fails.

use wstd::http::{Body, Client, Request};

#[wstd::main]
async fn main() -> Result<(), wstd::http::Error> {
    let url = std::env::var("URL").expect("the runtime did not pass URL");
    let expected = std::env::var("BODY").expect("the runtime did not pass BODY");
    let request = Request::get(&url).body(Body::empty())?;
    let mut response = match Client::new().send(request).await {
        Ok(response) => response,
        Err(error) => panic!("GET {url} failed: {error:?}"),
    };
    let body = response.body_mut().str_contents().await?;
    assert_eq!(body, expected, "the body of {url}");
    Ok(())
}
