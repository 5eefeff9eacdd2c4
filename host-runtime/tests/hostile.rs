//! A hostile guest against one runtime: each attempt to reach the host or
//! to exhaust it is denied or stopped with an error naming the limit, and
//! afterwards the same runtime serves normal calls.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::Result;
use common::{cargo_guest, guest, guest_program, serve_http};
use compwrap_host::{Compiler, LoadedComponent, Runtime, RuntimeBuilder};

/// The runtime every attempt runs on: small limits so the test is quick.
fn strict() -> Result<Runtime> {
    strict_builder().build()
}

fn strict_builder() -> RuntimeBuilder {
    Runtime::builder()
        .native_cache_dir(None)
        .max_memory_bytes(64 << 20)
        .call_timeout(Some(Duration::from_millis(500)))
}

fn error_text(error: &anyhow::Error) -> String {
    format!("{error:#}")
}

/// Runs `wasi:cli/run#run` and returns its error, which must be there.
fn run_fails(loaded: &LoadedComponent) -> Result<String> {
    let mut instance = loaded.instantiate()?;
    match instance.call("run", &[]) {
        Ok(results) => anyhow::bail!("the hostile call returned {results:?}"),
        Err(e) => {
            let text = error_text(&e);
            // The instance is replaced: a second attempt fails the same way
            // rather than with "cannot enter".
            let again = error_text(&instance.call("run", &[]).unwrap_err());
            anyhow::ensure!(!again.contains("cannot enter"), "{again}");
            Ok(text)
        }
    }
}

/// A normal guest still runs on `runtime`.
fn still_serves(runtime: &Runtime) -> Result<()> {
    let hello = runtime.load_bytes(&guest(r#"eprintln!("hello");"#)?)?;
    let result = hello.instantiate()?.call_wave("run", &[])?;
    anyhow::ensure!(result.as_deref() == Some("ok"), "{result:?}");
    Ok(())
}

/// Denied capabilities are seen as errors inside the guest, which panics
/// if any attempt succeeds.
#[test]
fn files_environment_and_sockets_are_denied() -> Result<()> {
    // SAFETY: no other thread of this test binary reads the environment.
    unsafe { std::env::set_var("COMPWRAP_SECRET", "host-only") };
    let bytes = guest(
        r#"
        assert!(std::fs::read("/etc/passwd").is_err(), "read /etc/passwd");
        assert!(std::fs::read_dir("/").is_err(), "listed /");
        assert!(std::fs::write("/tmp/compwrap-escape", b"x").is_err(), "wrote a file");
        assert!(std::env::var("COMPWRAP_SECRET").is_err(), "read a host variable");
        assert_eq!(std::env::vars().count(), 0, "environment");
        assert!(std::net::TcpStream::connect("127.0.0.1:22").is_err(), "opened a socket");
        assert!(std::net::TcpListener::bind("127.0.0.1:0").is_err(), "listened");
        assert!(std::net::UdpSocket::bind("127.0.0.1:0").is_err(), "bound udp");
        "#,
    )?;
    let runtime = strict()?;
    let result = runtime
        .load_bytes(&bytes)?
        .instantiate()?
        .call_wave("run", &[])?;
    assert_eq!(result.as_deref(), Some("ok"));
    assert!(!std::path::Path::new("/tmp/compwrap-escape").exists());
    still_serves(&runtime)
}

#[test]
fn an_endless_loop_hits_the_time_limit() -> Result<()> {
    let runtime = strict()?;
    let looping = runtime.load_bytes(&guest("loop { std::hint::black_box(0u64); }")?)?;
    let started = Instant::now();
    let text = run_fails(&looping)?;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "two calls took {:?}",
        started.elapsed()
    );
    assert!(
        text.contains("ran longer than the time limit of 500ms (`RuntimeBuilder::call_timeout`)"),
        "{text}"
    );
    still_serves(&runtime)
}

/// Winch's code (what large components get by default) is held to the
/// same limits: time, fuel, memory and a panic.
#[test]
fn winch_code_hits_the_same_limits() -> Result<()> {
    let runtime = strict_builder().compiler(Compiler::Winch).build()?;
    let looping = runtime.load_bytes(&guest("loop { std::hint::black_box(0u64); }")?)?;
    assert_eq!(looping.compiler(), Compiler::Winch);
    let text = run_fails(&looping)?;
    assert!(
        text.contains("ran longer than the time limit of 500ms"),
        "{text}"
    );
    let greedy = runtime.load_bytes(&guest(
        "let v = vec![1u8; 256 << 20]; std::hint::black_box(&v);",
    )?)?;
    let text = run_fails(&greedy)?;
    assert!(text.contains("past the limit of 67108864 bytes"), "{text}");
    let panicking = runtime.load_bytes(&guest(r#"panic!("winch guest gives up");"#)?)?;
    let text = run_fails(&panicking)?;
    assert!(text.contains("winch guest gives up"), "{text}");
    still_serves(&runtime)?;

    let fueled = strict_builder()
        .compiler(Compiler::Winch)
        .call_timeout(None)
        .fuel(Some(5_000_000))
        .build()?;
    let text = run_fails(&fueled.load_bytes(&guest("loop { std::hint::black_box(0u64); }")?)?)?;
    assert!(text.contains("used up its fuel limit of 5000000"), "{text}");
    still_serves(&fueled)
}

#[test]
fn allocating_gigabytes_hits_the_memory_limit() -> Result<()> {
    let runtime = strict()?;
    let greedy = runtime.load_bytes(&guest(
        "let mut hoard: Vec<Vec<u8>> = Vec::new(); \
         for _ in 0..16 { hoard.push(vec![1u8; 256 << 20]); } \
         std::hint::black_box(&hoard);",
    )?)?;
    let text = run_fails(&greedy)?;
    assert!(
        text.contains("past the limit of 67108864 bytes (`RuntimeBuilder::max_memory_bytes`)"),
        "{text}"
    );
    still_serves(&runtime)
}

#[test]
fn unbounded_recursion_hits_the_stack_limit() -> Result<()> {
    let runtime = strict()?;
    let deep = runtime.load_bytes(&guest_program(
        "fn down(n: u64) -> u64 { std::hint::black_box(n) + down(std::hint::black_box(n + 1)) }\n\
         fn main() { std::hint::black_box(down(0)); }\n",
    )?)?;
    let text = run_fails(&deep)?;
    assert!(
        text.contains(
            "more than the wasm stack limit of 524288 bytes (`RuntimeBuilder::max_wasm_stack`)"
        ),
        "{text}"
    );
    still_serves(&runtime)
}

#[test]
fn fuel_bounds_the_work_of_a_call() -> Result<()> {
    let runtime = Runtime::builder()
        .native_cache_dir(None)
        .fuel(Some(5_000_000))
        .call_timeout(None)
        .build()?;
    let looping = runtime.load_bytes(&guest("loop { std::hint::black_box(0u64); }")?)?;
    let text = run_fails(&looping)?;
    assert!(
        text.contains("used up its fuel limit of 5000000 (`RuntimeBuilder::fuel`)"),
        "{text}"
    );
    // Each call gets the whole budget again.
    still_serves(&runtime)
}

#[test]
fn a_panic_is_an_error_with_its_message() -> Result<()> {
    let runtime = strict()?;
    let panicking = runtime.load_bytes(&guest(r#"panic!("hostile guest gives up");"#)?)?;
    let text = run_fails(&panicking)?;
    assert!(text.contains("hostile guest gives up"), "{text}");
    assert!(text.contains("wasm backtrace"), "{text}");
    still_serves(&runtime)
}

/// Granted capabilities: a preopened directory (read-only, then writable)
/// and chosen environment variables, nothing more.
#[test]
fn granted_directories_and_variables_are_all_the_guest_sees() -> Result<()> {
    let data = tempfile::tempdir()?;
    std::fs::write(data.path().join("in.txt"), "from the host")?;
    let reader = guest(
        r#"
        assert_eq!(std::fs::read_to_string("/data/in.txt").unwrap(), "from the host");
        assert_eq!(std::env::var("GREETING").unwrap(), "hi");
        assert_eq!(std::env::vars().count(), 1, "only the granted variable");
        assert!(std::fs::read("/etc/passwd").is_err(), "outside the preopen");
        assert!(std::fs::read("/data/../../etc/passwd").is_err(), "escaped the preopen");
        assert!(std::fs::write("/data/out.txt", "x").is_err(), "wrote to a read-only preopen");
        "#,
    )?;
    let read_only = Runtime::builder()
        .native_cache_dir(None)
        .preopen_dir(data.path(), "/data", false)
        .env("GREETING", "hi")
        .build()?;
    let result = read_only
        .load_bytes(&reader)?
        .instantiate()?
        .call_wave("run", &[])?;
    assert_eq!(result.as_deref(), Some("ok"));
    assert!(!data.path().join("out.txt").exists());

    let writer = guest(
        r#"std::fs::write("/data/out.txt", "from the guest").unwrap();
           assert!(std::fs::read("/etc/passwd").is_err());"#,
    )?;
    let writable = Runtime::builder()
        .native_cache_dir(None)
        .preopen_dir(data.path(), "/data", true)
        .build()?;
    let result = writable
        .load_bytes(&writer)?
        .instantiate()?
        .call_wave("run", &[])?;
    assert_eq!(result.as_deref(), Some("ok"));
    assert_eq!(
        std::fs::read_to_string(data.path().join("out.txt"))?,
        "from the guest"
    );

    let missing = Runtime::builder()
        .native_cache_dir(None)
        .preopen_dir(data.path().join("missing"), "/data", false)
        .build()
        .unwrap_err();
    assert!(error_text(&missing).contains("missing"), "{missing:#}");
    Ok(())
}

/// Outgoing HTTP: denied by default and for hosts off the allowlist (the
/// guest sees `HTTP-request-denied`, the error names the URL, no
/// connection is made); allowed hosts are reached; a refused connection
/// is the guest's error; the runtime keeps serving.
#[test]
fn http_reaches_only_allowed_hosts() -> Result<()> {
    const BODY: &str = "hello from the host";
    let (port, accepted) = serve_http(BODY)?;
    let bytes = cargo_guest("http-get")?;
    let get = |builder: RuntimeBuilder, url: &str| -> Result<(Runtime, Result<()>)> {
        let runtime = builder.env("URL", url).env("BODY", BODY).build()?;
        let mut instance = runtime.load_bytes(&bytes)?.instantiate()?;
        let result = instance.call_wave("run", &[]);
        let outcome = match result {
            Ok(Some(ok)) if ok == "ok" => Ok(()),
            Ok(other) => Err(anyhow::anyhow!("the guest returned {other:?}")),
            Err(e) => Err(e),
        };
        Ok((runtime, outcome))
    };
    let url = format!("http://127.0.0.1:{port}/");

    let (runtime, denied) = get(strict_builder(), &url)?;
    let text = error_text(&denied.unwrap_err());
    assert!(
        text.contains(&format!("GET {url} failed: ErrorCode::HttpRequestDenied")),
        "{text}"
    );
    assert!(
        text.contains("the runtime denied outgoing HTTP requests"),
        "{text}"
    );
    assert!(text.contains(&url), "{text}");
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        0,
        "a denied request connected"
    );
    still_serves(&runtime)?;

    let allowed = || strict_builder().allow_http(format!("127.0.0.1:{port}"));
    let (runtime, ok) = get(allowed(), &url)?;
    ok?;
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    still_serves(&runtime)?;

    // The same server by another name is another host.
    let other = format!("http://localhost:{port}/");
    let (_, denied) = get(allowed(), &other)?;
    let text = error_text(&denied.unwrap_err());
    assert!(
        text.contains(&format!("denied outgoing HTTP requests (their host is not on the allowlist; allow it with `RuntimeBuilder::allow_http`):\n    {other}")),
        "{text}"
    );
    assert_eq!(
        accepted.load(Ordering::SeqCst),
        1,
        "a denied request connected"
    );

    // Allowed, but nothing listens there.
    let closed = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let (runtime, refused) = get(
        strict_builder().allow_http(format!("127.0.0.1:{closed}")),
        &format!("http://127.0.0.1:{closed}/"),
    )?;
    let text = error_text(&refused.unwrap_err());
    assert!(text.contains("ConnectionRefused"), "{text}");
    assert!(!text.contains("the runtime denied"), "{text}");
    still_serves(&runtime)?;

    // `https` to an allowed server that answers in plain HTTP: the TLS
    // handshake fails as the guest's error (compwrap-host sets the TLS
    // provider, also when the build has two), and the runtime keeps serving.
    let plain = TcpListener::bind("127.0.0.1:0")?;
    let plain_port = plain.local_addr()?.port();
    std::thread::spawn(move || {
        for mut stream in plain.incoming().flatten() {
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
        }
    });
    let https = format!("https://127.0.0.1:{plain_port}/");
    let (runtime, tls) = get(
        strict_builder().allow_http(format!("127.0.0.1:{plain_port}")),
        &https,
    )?;
    let text = error_text(&tls.unwrap_err());
    assert!(
        text.contains(&format!("GET {https} failed: ErrorCode::")),
        "{text}"
    );
    assert!(!text.contains("the runtime denied"), "{text}");
    still_serves(&runtime)?;

    let bad = strict_builder().allow_http("http://example.com").build();
    assert!(error_text(&bad.unwrap_err()).contains("give the host, not a URL"));
    Ok(())
}
