//! `cw1_runtime_new`'s settings ([`compwrap_client::abi::Setting`]) applied
//! to compwrap-host's [`RuntimeBuilder`].

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use compwrap_client::abi::Setting;
use compwrap_host::{Runtime, Store};

/// A runtime and the store its components are loaded from.
pub(crate) struct Configured {
    pub(crate) runtime: Runtime,
    pub(crate) store: Store,
}

/// Builds the runtime the settings describe; an unknown setting or a bad
/// argument is an error that names it.
pub(crate) fn build(settings: &[Setting]) -> Result<Configured> {
    let mut builder = Runtime::builder();
    let mut store = None;
    let mut native_cache: Option<Option<PathBuf>> = None;
    for setting in settings {
        let args: Vec<&str> = setting.args.iter().map(String::as_str).collect();
        let name = setting.name.as_str();
        let context = || format!("invalid runtime setting `{name}` {args:?}");
        builder = match (name, args.as_slice()) {
            ("store", [dir]) => {
                store = Some(Store::open(*dir).with_context(context)?);
                builder
            }
            ("native-cache", ["off"]) => {
                native_cache = Some(None);
                builder
            }
            ("native-cache", [dir]) => {
                native_cache = Some(Some(PathBuf::from(dir)));
                builder
            }
            ("max-memory-bytes", [n]) => builder.max_memory_bytes(number(n).with_context(context)?),
            ("call-timeout-ms", ["none"]) => builder.call_timeout(None),
            ("call-timeout-ms", [ms]) => builder.call_timeout(Some(Duration::from_millis(
                number(ms).with_context(context)?,
            ))),
            ("max-wasm-stack", [n]) => builder.max_wasm_stack(number(n).with_context(context)?),
            ("fuel", ["none"]) => builder.fuel(None),
            ("fuel", [n]) => builder.fuel(Some(number(n).with_context(context)?)),
            ("inherit-stdio", [on]) => builder.inherit_stdio(boolean(on).with_context(context)?),
            ("preopen", [host, guest, mode]) => {
                let writable = match *mode {
                    "rw" => true,
                    "ro" => false,
                    other => {
                        return Err(anyhow::anyhow!("the mode is `{other}`, not `ro` or `rw`"))
                            .with_context(context);
                    }
                };
                builder.preopen_dir(*host, *guest, writable)
            }
            ("env", [key, value]) => builder.env(*key, *value),
            ("allow-http", [pattern]) => builder.allow_http(*pattern),
            ("compiler", [name]) => builder.compiler(
                name.parse()
                    .map_err(anyhow::Error::msg)
                    .with_context(context)?,
            ),
            ("pooling", ["none"]) => builder.pooling_allocator(None),
            ("pooling", [n]) => builder.pooling_allocator(Some(number(n).with_context(context)?)),
            _ => bail!(
                "unknown runtime setting `{name}` with {} argument(s); this runtime knows store, \
                 native-cache, max-memory-bytes, call-timeout-ms, max-wasm-stack, fuel, \
                 inherit-stdio, preopen, env, allow-http, compiler and pooling (a newer compwrap-client \
                 may need a newer runtime: `compwrap runtime install`)",
                args.len()
            ),
        };
    }
    let store = match store {
        Some(store) => store,
        None => Store::open_default()?,
    };
    let native_cache = native_cache.unwrap_or_else(|| Some(store.native_dir()));
    let runtime = builder.native_cache_dir(native_cache).build()?;
    Ok(Configured { runtime, store })
}

fn number<T: std::str::FromStr>(text: &str) -> Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    text.parse()
        .with_context(|| format!("`{text}` is not a number in range"))
}

fn boolean(text: &str) -> Result<bool> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => bail!("`{text}` is not `true` or `false`"),
    }
}
