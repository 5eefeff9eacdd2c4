//! The async call path, on tokio: instances and calls are futures, the
//! limits hold, and many calls run at once on one runtime.

mod common;

use std::time::Duration;

use anyhow::Result;
use common::{cargo_guest, guest, serve_http};
use compwrap_host::Runtime;

fn async_runtime() -> Result<Runtime> {
    Runtime::builder()
        .native_cache_dir(None)
        .async_calls(true)
        .call_timeout(Some(Duration::from_millis(300)))
        .build()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_calls_run_concurrently_and_keep_the_limits() -> Result<()> {
    let runtime = async_runtime()?;
    let hello = runtime.load_bytes(&guest(r#"eprintln!("hello");"#)?)?;
    let mut instance = hello.instantiate_async().await?;
    let results = instance.call_async("run", &[]).await?;
    assert_eq!(format!("{results:?}"), "[Result(Ok(None))]");

    // The synchronous API says what to use instead.
    let refused = format!("{:#}", hello.instantiate().unwrap_err());
    assert!(refused.contains("instantiate_async"), "{refused}");

    // 16 calls at once, each on its own instance.
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let hello = hello.clone();
            tokio::spawn(async move {
                let mut instance = hello.instantiate_async().await?;
                instance.call_async("run", &[]).await
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }

    // An endless loop stops at the time limit; the instance is replaced.
    let looping = runtime.load_bytes(&guest("loop { std::hint::black_box(0u64); }")?)?;
    let mut instance = looping.instantiate_async().await?;
    for _ in 0..2 {
        let text = format!("{:#}", instance.call_async("run", &[]).await.unwrap_err());
        assert!(text.contains("time limit of 300ms"), "{text}");
    }
    Ok(())
}

/// Outgoing HTTP on the async path: the request to an allowed host is made
/// while the executor keeps running.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_calls_make_allowed_http_requests() -> Result<()> {
    let (port, accepted) = serve_http("async body")?;
    let runtime = Runtime::builder()
        .native_cache_dir(None)
        .async_calls(true)
        .allow_http(format!("127.0.0.1:{port}"))
        .env("URL", format!("http://127.0.0.1:{port}/"))
        .env("BODY", "async body")
        .build()?;
    let get = runtime.load_bytes(&cargo_guest("http-get")?)?;
    let mut instance = get.instantiate_async().await?;
    let results = instance.call_async("run", &[]).await?;
    assert_eq!(format!("{results:?}"), "[Result(Ok(None))]");
    assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), 1);
    Ok(())
}

#[test]
fn a_sync_runtime_refuses_async_calls() -> Result<()> {
    let runtime = Runtime::builder().native_cache_dir(None).build()?;
    let hello = runtime.load_bytes(&guest(r#"eprintln!("hello");"#)?)?;
    let mut instance = hello.instantiate()?;
    let error = block_on(instance.call_async("run", &[])).unwrap_err();
    assert!(
        format!("{error:#}").contains("async_calls(true)"),
        "{error:#}"
    );
    Ok(())
}

/// Runs a future that completes without waiting (the refusal above).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a tokio runtime")
        .block_on(f)
}
