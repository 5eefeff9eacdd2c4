//! Loading, caching and calling components through [`Runtime`].
//!
//! The components are tiny Rust programs built for `wasm32-wasip2` by the
//! test itself (`rustc` alone, no crates), so they export
//! `wasi:cli/run@0.2.x#run: func() -> result`. Needs the target:
//! `rustup target add wasm32-wasip2`.

mod common;

use std::path::{Path, PathBuf};

use anyhow::Result;
use common::guest;
use compwrap_host::call::Instance;
use compwrap_host::{Compiler, Digest, LoadedComponent, Runtime, Store};
use tempfile::TempDir;

/// A runtime whose native-code cache lives in `cache`.
fn runtime_with_cache(cache: &Path) -> Result<Runtime> {
    Runtime::builder()
        .native_cache_dir(Some(cache.to_path_buf()))
        .build()
}

/// A runtime that never touches the disk.
fn uncached_runtime() -> Result<Runtime> {
    Runtime::builder().native_cache_dir(None).build()
}

fn hello() -> Result<Vec<u8>> {
    guest(r#"eprintln!("hello from the guest");"#)
}

fn cwasm_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in walk(dir) {
        if entry.extension().is_some_and(|e| e == "cwasm") {
            found.push(entry);
        }
    }
    found
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            paths.extend(walk(&path));
        } else {
            paths.push(path);
        }
    }
    paths
}

fn error_text(error: &anyhow::Error) -> String {
    format!("{error:?}")
}

#[test]
fn handles_are_send_and_sync() {
    fn send_sync<T: Send + Sync + Clone>() {}
    fn send<T: Send>() {}
    send_sync::<Runtime>();
    send_sync::<LoadedComponent>();
    send::<Instance>();
}

#[test]
fn garbage_is_not_a_component() -> Result<()> {
    let runtime = uncached_runtime()?;
    let error = runtime.load_bytes(b"definitely not wasm").unwrap_err();
    let text = error_text(&error);
    assert!(
        text.contains("the given bytes is not a WebAssembly component"),
        "{text}"
    );
    assert!(text.contains("magic number"), "{text}");
    Ok(())
}

#[test]
fn core_module_is_not_a_component() -> Result<()> {
    let dir = TempDir::new()?;
    let path = dir.path().join("core.wasm");
    std::fs::write(&path, b"\0asm\x01\0\0\0")?;
    let error = uncached_runtime()?.load_file(&path).unwrap_err();
    let text = error_text(&error);
    assert!(
        text.contains(&format!(
            "{} is not a WebAssembly component",
            path.display()
        )),
        "{text}"
    );
    assert!(text.contains("core WebAssembly module"), "{text}");
    Ok(())
}

#[test]
fn truncated_header_is_not_a_component() -> Result<()> {
    let error = uncached_runtime()?.load_bytes(b"\0asm\x0d").unwrap_err();
    assert!(error_text(&error).contains("header"), "{error:?}");
    Ok(())
}

#[test]
fn missing_file_names_the_path() -> Result<()> {
    let error = uncached_runtime()?
        .load_file("/nonexistent/compwrap/x.wasm")
        .unwrap_err();
    assert!(
        error_text(&error).contains("/nonexistent/compwrap/x.wasm"),
        "{error:?}"
    );
    Ok(())
}

#[test]
fn load_verified_names_both_digests() -> Result<()> {
    let bytes = b"\0asm\x0d\0\x01\0";
    let wrong = Digest::of(b"something else");
    let error = uncached_runtime()?
        .load_verified(bytes, &wrong)
        .unwrap_err();
    let text = error_text(&error);
    assert!(text.contains(&wrong.to_string()), "{text}");
    assert!(text.contains(&Digest::of(bytes).to_string()), "{text}");
    Ok(())
}

#[test]
fn second_load_uses_cached_native_code() -> Result<()> {
    let cache = TempDir::new()?;
    let bytes = hello()?;
    let runtime = runtime_with_cache(cache.path())?;
    let first = runtime.load_bytes(&bytes)?;
    assert!(!first.was_cached());
    let files = cwasm_files(cache.path());
    let expected_name = format!("{}.cwasm", Digest::of(&bytes).hex());
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].ends_with(&expected_name), "{files:?}");
    assert_eq!(files[0].parent(), runtime.native_cache_dir());

    // A second runtime, as in another process, finds the same file.
    let second = runtime_with_cache(cache.path())?.load_bytes(&bytes)?;
    assert!(second.was_cached());
    assert_eq!(second.digest(), first.digest());
    assert_eq!(
        second.instantiate()?.call_wave("run", &[])?.as_deref(),
        Some("ok")
    );
    Ok(())
}

/// Each compiler caches its own code; `Auto` keeps Cranelift for small
/// components.
#[test]
fn each_compiler_has_its_own_native_code() -> Result<()> {
    let cache = TempDir::new()?;
    let bytes = hello()?;
    let with = |compiler: Compiler| {
        Runtime::builder()
            .native_cache_dir(Some(cache.path().to_path_buf()))
            .compiler(compiler)
            .build()
    };
    let auto = with(Compiler::Auto)?.load_bytes(&bytes)?;
    assert_eq!(
        auto.compiler(),
        Compiler::Cranelift,
        "{bytes_len}",
        bytes_len = bytes.len()
    );
    let cranelift = with(Compiler::Cranelift)?.load_bytes(&bytes)?;
    assert!(
        cranelift.was_cached(),
        "Auto and Cranelift share small components' code"
    );
    let winch = with(Compiler::Winch)?.load_bytes(&bytes)?;
    assert_eq!(winch.compiler(), Compiler::Winch);
    assert!(!winch.was_cached(), "Cranelift's code was used for Winch");
    assert_ne!(winch.native_path(), cranelift.native_path());
    assert_eq!(cwasm_files(cache.path()).len(), 2);
    assert!(with(Compiler::Winch)?.load_bytes(&bytes)?.was_cached());
    assert_eq!(
        winch.instantiate()?.call_wave("run", &[])?.as_deref(),
        Some("ok")
    );
    let error = "fast".parse::<Compiler>().unwrap_err().to_string();
    assert!(error.contains("`auto`, `cranelift` or `winch`"), "{error}");
    Ok(())
}

#[test]
fn corrupt_cache_entry_is_recompiled() -> Result<()> {
    let cache = TempDir::new()?;
    let bytes = hello()?;
    let runtime = runtime_with_cache(cache.path())?;
    runtime.load_bytes(&bytes)?;
    let files = cwasm_files(cache.path());
    std::fs::write(&files[0], b"not native code")?;

    let reloaded = runtime.load_bytes(&bytes)?;
    assert!(!reloaded.was_cached());
    assert_eq!(
        reloaded.instantiate()?.call_wave("run", &[])?.as_deref(),
        Some("ok")
    );
    assert!(
        runtime.load_bytes(&bytes)?.was_cached(),
        "the entry was rewritten"
    );
    Ok(())
}

#[test]
fn precompiled_native_code_is_not_a_component() -> Result<()> {
    let runtime = uncached_runtime()?;
    let native = runtime
        .engine()
        .precompile_component(&hello()?)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let error = runtime.load_bytes(&native).unwrap_err();
    assert!(
        error_text(&error).contains("precompiled native code"),
        "{error:?}"
    );
    Ok(())
}

#[test]
fn loads_from_the_store_by_digest() -> Result<()> {
    let home = TempDir::new()?;
    let store = Store::open(home.path())?;
    let digest = store.put_blob(&hello()?)?;
    let runtime = runtime_with_cache(&store.native_dir())?;
    let loaded = runtime.load_from_store(&store, &digest.to_string())?;
    assert_eq!(loaded.digest(), &digest);
    assert_eq!(
        loaded.instantiate()?.call_wave("run", &[])?.as_deref(),
        Some("ok")
    );
    Ok(())
}

#[test]
fn lists_exports_with_interfaces_and_types() -> Result<()> {
    let loaded = uncached_runtime()?.load_bytes(&hello()?)?;
    let exports = loaded.exports();
    assert_eq!(exports.len(), 1, "{exports:?}");
    let run = &exports[0];
    let interface = run.interface.as_deref().unwrap_or_default();
    assert!(interface.starts_with("wasi:cli/run@0.2."), "{interface}");
    assert_eq!(run.name, "run");
    assert!(run.params.is_empty());
    assert_eq!(run.result.as_ref().map(|r| r.wit.as_str()), Some("result"));
    assert_eq!(
        run.to_string(),
        format!("{interface}#run: func() -> result")
    );
    Ok(())
}

#[test]
fn finds_functions_by_any_interface_spelling() -> Result<()> {
    let loaded = uncached_runtime()?.load_bytes(&hello()?)?;
    let full = loaded.export("run")?.qualified_name();
    for name in [full.as_str(), "wasi:cli/run#run", "run#run", "run"] {
        assert_eq!(loaded.export(name)?.qualified_name(), full, "{name}");
        // A command's `run` may only be called once per instance.
        let result = loaded.instantiate()?.call_wave(name, &[])?;
        assert_eq!(result.as_deref(), Some("ok"), "{name}");
    }
    Ok(())
}

#[test]
fn instance_recovers_after_a_trap() -> Result<()> {
    // wasi-libc's `_start` traps when a command is run a second time in the
    // same instance: a trap any guest can produce without a panic.
    let mut instance = uncached_runtime()?.load_bytes(&hello()?)?.instantiate()?;
    assert_eq!(instance.call_wave("run", &[])?.as_deref(), Some("ok"));
    let error = error_text(&instance.call_wave("run", &[]).unwrap_err());
    assert!(
        error.contains("trapped: wasm trap: wasm `unreachable`"),
        "{error}"
    );
    assert!(error.contains("the instance was discarded"), "{error}");
    assert_eq!(instance.call_wave("run", &[])?.as_deref(), Some("ok"));
    Ok(())
}

#[test]
fn unknown_function_suggests_close_names() -> Result<()> {
    let mut instance = uncached_runtime()?.load_bytes(&hello()?)?.instantiate()?;
    let close = instance.call_wave("rnu", &[]).unwrap_err().to_string();
    assert!(
        close.contains("no exported function `rnu`; did you mean: wasi:cli/run@"),
        "{close}"
    );
    let far = instance
        .call_wave("describe-instances", &[])
        .unwrap_err()
        .to_string();
    assert!(
        far.contains("the component exports: wasi:cli/run@"),
        "{far}"
    );
    let wrong_interface = instance
        .call_wave("other#run", &[])
        .unwrap_err()
        .to_string();
    assert!(
        wrong_interface.contains("no exported function `other#run`"),
        "{wrong_interface}"
    );
    Ok(())
}

#[test]
fn wrong_arity_names_the_parameters() -> Result<()> {
    let mut instance = uncached_runtime()?.load_bytes(&hello()?)?.instantiate()?;
    let error = instance.call_wave("run", &["1"]).unwrap_err().to_string();
    assert!(
        error.contains("#run` takes 0 arguments (), got 1"),
        "{error}"
    );
    Ok(())
}

#[test]
fn trap_reports_panic_message_and_backtrace_then_recovers() -> Result<()> {
    let bytes = guest(r#"panic!("guest exploded: code 42");"#)?;
    let mut instance = uncached_runtime()?.load_bytes(&bytes)?.instantiate()?;
    for attempt in 0..2 {
        let error = instance.call("run", &[]).unwrap_err();
        let text = error_text(&error);
        assert!(
            text.contains("trapped: wasm trap"),
            "attempt {attempt}: {text}"
        );
        assert!(
            text.contains("guest exploded: code 42"),
            "attempt {attempt}: {text}"
        );
        assert!(text.contains("wasm backtrace"), "attempt {attempt}: {text}");
        // Without a fresh instance wasmtime would refuse to enter it again.
        assert!(!text.contains("cannot enter"), "attempt {attempt}: {text}");
    }
    Ok(())
}

#[test]
fn memory_limit_traps() -> Result<()> {
    let bytes = guest("let v = vec![7u8; 64 << 20]; std::hint::black_box(&v);")?;
    let runtime = Runtime::builder()
        .native_cache_dir(None)
        .max_memory_bytes(16 << 20)
        .build()?;
    let error = runtime
        .load_bytes(&bytes)?
        .instantiate()?
        .call("run", &[])
        .unwrap_err();
    let text = error_text(&error);
    assert!(
        text.contains("trapped: forcing trap when growing memory"),
        "{text}"
    );
    assert!(
        text.contains("past the limit of 16777216 bytes (`RuntimeBuilder::max_memory_bytes`)"),
        "{text}"
    );
    assert!(text.contains("the instance was discarded"), "{text}");

    let roomy = uncached_runtime()?
        .load_bytes(&bytes)?
        .instantiate()?
        .call_wave("run", &[])?;
    assert_eq!(roomy.as_deref(), Some("ok"));
    Ok(())
}

#[test]
fn stderr_capture_has_no_fixed_capacity() -> Result<()> {
    // 4 MiB of stderr, more than a fixed-capacity pipe would hold, then a panic:
    // the call must not fail early, and the error keeps only the tail.
    let bytes = guest(
        r#"let line = "x".repeat(1023);
           for _ in 0..4096 { eprintln!("{line}"); }
           panic!("after the noise");"#,
    )?;
    let mut instance = uncached_runtime()?.load_bytes(&bytes)?.instantiate()?;
    let text = error_text(&instance.call("run", &[]).unwrap_err());
    assert!(
        text.contains("after the noise"),
        "{}",
        &text[..text.len().min(2000)]
    );
    assert!(
        text.contains("bytes omitted"),
        "{}",
        &text[..text.len().min(2000)]
    );
    assert!(
        text.len() < 64 * 1024,
        "the error holds {} bytes",
        text.len()
    );
    Ok(())
}

#[test]
fn guests_get_no_environment_or_files() -> Result<()> {
    let bytes = guest(
        r#"assert_eq!(std::env::vars().count(), 0, "env");
           assert_eq!(std::env::args().count(), 0, "args");
           assert!(std::fs::read_dir("/").is_err(), "filesystem");"#,
    )?;
    let result = uncached_runtime()?
        .load_bytes(&bytes)?
        .instantiate()?
        .call_wave("run", &[])?;
    assert_eq!(result.as_deref(), Some("ok"));
    Ok(())
}

#[test]
fn pooling_allocator_instantiates_and_recovers() -> Result<()> {
    let runtime = Runtime::builder()
        .native_cache_dir(None)
        .pooling_allocator(Some(8))
        .max_memory_bytes(64 << 20)
        .build()?;
    // A command's `run` runs once per instance: 20 instances reuse the
    // pool's 8 slots as each is dropped.
    let loaded = runtime.load_bytes(&hello()?)?;
    for _ in 0..20 {
        assert_eq!(
            loaded.instantiate()?.call_wave("run", &[])?.as_deref(),
            Some("ok")
        );
    }
    let panicking = runtime.load_bytes(&guest(r#"panic!("in a pooled slot");"#)?)?;
    let mut instance = panicking.instantiate()?;
    for _ in 0..3 {
        let text = format!("{:#}", instance.call("run", &[]).unwrap_err());
        assert!(text.contains("in a pooled slot"), "{text}");
    }
    Ok(())
}

/// Native code made for another engine configuration (here: with fuel) put
/// where this engine's belongs is refused by wasmtime's checks and compiled
/// anew, never run.
#[test]
fn native_code_of_another_configuration_is_refused() -> Result<()> {
    let cache = TempDir::new()?;
    let bytes = hello()?;
    let fueled = Runtime::builder()
        .native_cache_dir(Some(cache.path().to_path_buf()))
        .fuel(Some(u64::MAX))
        .build()?;
    let theirs = fueled.load_bytes(&bytes)?;
    let theirs = theirs.native_path().expect("cached").to_path_buf();
    let plain = runtime_with_cache(cache.path())?;
    let ours = plain
        .native_cache_dir()
        .expect("cached")
        .join(format!("{}.cwasm", Digest::of(&bytes).hex()));
    assert_ne!(theirs, ours, "configurations share a cache directory");
    std::fs::create_dir_all(ours.parent().unwrap())?;
    std::fs::copy(&theirs, &ours)?;
    let loaded = plain.load_bytes(&bytes)?;
    assert!(!loaded.was_cached(), "the foreign native code was used");
    assert_eq!(
        loaded.instantiate()?.call_wave("run", &[])?.as_deref(),
        Some("ok")
    );
    Ok(())
}
