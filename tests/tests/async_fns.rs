//! `async fn`s become synchronous WIT functions: the guest drives the
//! future to completion with wstd's executor. tokio's semaphore (its `sync`
//! feature only, which needs no reactor) against the native one.

use anyhow::{Result, bail, ensure};
use compwrap::resolve::Features;
use compwrap_host::call::Instance;
use compwrap_host::wasmtime::component::Val;
use compwrap_tests::{TOKIO, ValExt, call1, generated_with_features};

fn instance() -> Result<Instance> {
    let features = Features {
        features: vec!["sync".into()],
        no_default: true,
    };
    let (_, generated, loaded) = generated_with_features(TOKIO, features)?;
    let wit = &generated.wit;
    ensure!(
        wit.contains("acquire-many: func(n: u32) -> result<semaphore-permit, compwrap-error>;"),
        "the async `acquire_many` is exported as a plain function:\n{wit}"
    );
    loaded.instantiate()
}

fn permits(v: &Val) -> Result<u64> {
    v.field("num-permits")?.u64()
}

#[test]
fn async_methods_complete_like_native() -> Result<()> {
    let mut instance = instance()?;
    let semaphore = call1(&mut instance, "[constructor]semaphore", &[Val::U64(3)])?;
    let Val::Resource(semaphore) = semaphore else {
        bail!("the constructor returned {semaphore:?}");
    };
    let native = tokio::sync::Semaphore::new(3);
    for n in [1u32, 2, 3] {
        // `async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError>`:
        // the permit is copied out and released when the call returns.
        let permit = call1(
            &mut instance,
            "[method]semaphore.acquire-many",
            &[Val::Resource(semaphore), Val::U32(n)],
        )?
        .ok()?;
        let expected = native.try_acquire_many(n)?.num_permits();
        ensure!(
            permits(&permit)? == expected as u64,
            "acquire-many({n}): {permit:?}"
        );
    }
    let available = call1(
        &mut instance,
        "[method]semaphore.available-permits",
        &[Val::Resource(semaphore)],
    )?;
    ensure!(
        available.u64()? == native.available_permits() as u64,
        "available"
    );
    // A closed semaphore fails the async call with the native error.
    native.close();
    instance.call("[method]semaphore.close", &[Val::Resource(semaphore)])?;
    let error = call1(
        &mut instance,
        "[method]semaphore.acquire",
        &[Val::Resource(semaphore)],
    )?
    .err()?;
    let expected = native.try_acquire().unwrap_err().to_string();
    let message = error.field("message")?.str()?.to_owned();
    ensure!(
        message.contains("closed") && expected.contains("closed"),
        "acquire after close: {message:?} (native: {expected:?})"
    );
    instance.drop_resource(semaphore)?;
    Ok(())
}
