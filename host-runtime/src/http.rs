//! Outgoing HTTP for guests (`wasi:http/outgoing-handler`), deny by
//! default: a request leaves the process only when its host is on the
//! runtime's allowlist ([`HttpAllow`], set with
//! [`RuntimeBuilder::allow_http`](crate::RuntimeBuilder::allow_http)).
//!
//! A denied request fails inside the guest with wasi:http's
//! `HTTP-request-denied` error code, so the guest can report it like any
//! other network error; the host also remembers the URL, and a call that
//! fails afterwards says which request was denied and how to allow it.

use std::fmt;
use std::str::FromStr;

use anyhow::{Result, bail};

/// Makes *ring* the process's TLS provider unless one is installed.
///
/// wasmtime-wasi-http's client builds its TLS configuration from the
/// process default, which rustls can only infer when exactly one provider
/// is compiled in; an application that also builds another (reqwest's
/// aws-lc-rs, through compwrap-host's `oci` feature or its own
/// dependencies) would otherwise panic at its first `https` request.
#[cfg(feature = "http")]
pub(crate) fn ensure_tls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Losing a race to another thread installing one is fine. Newer
        // rustls releases deprecate ring's provider (it lacks post-quantum
        // key exchange), but ring is what wasmtime-wasi-http's client uses.
        #[allow(deprecated)]
        let provider = rustls::crypto::ring::default_provider();
        let _ = provider.install_default();
    }
}

/// One entry of the outgoing-HTTP allowlist: a host, optionally with a port.
///
/// | pattern | allows |
/// | --- | --- |
/// | `example.com` | `example.com` on any port |
/// | `127.0.0.1:5000` | only port 5000 of `127.0.0.1` |
/// | `[::1]:5000` | only port 5000 of `::1` |
/// | `*.amazonaws.com` | every subdomain of `amazonaws.com` (not the domain itself), any port |
/// | `*` | every host (use with care) |
///
/// Host names compare without regard to case. The scheme does not matter:
/// an allowed host may be reached over `http` and `https`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpAllow {
    host: HostPattern,
    port: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    Any,
    Exact(String),
    /// `.example.com` for `*.example.com`.
    Subdomains(String),
}

impl HttpAllow {
    /// Whether a request to `host:port` is allowed by this entry.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let host_ok = match &self.host {
            HostPattern::Any => true,
            HostPattern::Exact(allowed) => *allowed == host,
            HostPattern::Subdomains(suffix) => host.ends_with(suffix.as_str()),
        };
        host_ok && self.port.is_none_or(|allowed| allowed == port)
    }
}

impl FromStr for HttpAllow {
    type Err = anyhow::Error;

    fn from_str(pattern: &str) -> Result<HttpAllow> {
        let invalid = |why: &str| {
            anyhow::anyhow!(
                "invalid outgoing-HTTP allowlist entry `{pattern}`: {why} \
                 (expected `host`, `host:port`, `*.domain` or `*`)"
            )
        };
        if pattern.contains("://") || pattern.contains('/') {
            return Err(invalid("give the host, not a URL"));
        }
        let (host, port) = if let Some(rest) = pattern.strip_prefix('[') {
            // An IPv6 address: `[::1]` or `[::1]:5000`.
            let (address, after) = rest
                .split_once(']')
                .ok_or_else(|| invalid("unclosed `[`"))?;
            let port = match after {
                "" => None,
                _ => Some(
                    after
                        .strip_prefix(':')
                        .ok_or_else(|| invalid("expected `:port` after `]`"))?,
                ),
            };
            (address, port)
        } else {
            match pattern.rsplit_once(':') {
                Some((host, port)) if !host.contains(':') => (host, Some(port)),
                Some(_) => return Err(invalid("write IPv6 addresses in brackets, `[::1]`")),
                None => (pattern, None),
            }
        };
        let port = port
            .map(|port| {
                port.parse::<u16>()
                    .map_err(|_| invalid(&format!("`{port}` is not a port number")))
            })
            .transpose()?;
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostPattern::Any
        } else if let Some(domain) = host.strip_prefix("*.") {
            check_host(domain).map_err(|why| invalid(&why))?;
            HostPattern::Subdomains(format!(".{domain}"))
        } else {
            check_host(&host).map_err(|why| invalid(&why))?;
            HostPattern::Exact(host)
        };
        Ok(HttpAllow { host, port })
    }
}

fn check_host(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("the host is empty".to_string());
    }
    if let Some(bad) = host
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')))
    {
        return Err(format!("`{bad}` cannot appear in a host name"));
    }
    Ok(())
}

impl fmt::Display for HttpAllow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.host {
            HostPattern::Any => f.write_str("*")?,
            HostPattern::Exact(host) if host.contains(':') => write!(f, "[{host}]")?,
            HostPattern::Exact(host) => f.write_str(host)?,
            HostPattern::Subdomains(suffix) => write!(f, "*{suffix}")?,
        }
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

/// Parses the allowlist entries given to the builder.
pub(crate) fn parse_allowlist(patterns: &[String]) -> Result<Vec<HttpAllow>> {
    if !patterns.is_empty() && !cfg!(feature = "http") {
        bail!(
            "an outgoing-HTTP allowlist was given, but compwrap-host was built without its \
             `http` feature"
        );
    }
    patterns.iter().map(|pattern| pattern.parse()).collect()
}

/// The note added to a failed call's error for the requests the allowlist
/// denied during it (see [`crate::Typed::denied_http_requests`]); empty
/// when there were none.
pub fn denied_note(denied: &[String]) -> String {
    compwrap_client::denied_note(denied)
}

#[cfg(feature = "http")]
pub(crate) use hooks::{HttpHooks, add_to_linker};

#[cfg(feature = "http")]
mod hooks {
    use std::sync::Arc;
    use std::time::Duration;

    use anyhow::{Context, Result};
    use http_body_util::BodyExt;
    use wasmtime::component::Linker;
    use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks};

    use super::HttpAllow;
    use crate::runtime::{HostState, wasmtime_error};

    /// Adds `wasi:http/outgoing-handler` and `wasi:http/types`.
    pub(crate) fn add_to_linker(linker: &mut Linker<HostState>, async_calls: bool) -> Result<()> {
        let added = match async_calls {
            #[cfg(feature = "async")]
            true => wasmtime_wasi_http::p2::add_only_http_to_linker_async(linker),
            _ => wasmtime_wasi_http::p2::add_only_http_to_linker_sync(linker),
        };
        added
            .map_err(wasmtime_error)
            .context("failed to add wasi:http to the linker")
    }

    /// The per-store side of the allowlist: decides each request and keeps
    /// the URLs it denied since the current call started.
    pub(crate) struct HttpHooks {
        allow: Arc<[HttpAllow]>,
        /// The longest a request may wait for a connection or for bytes:
        /// the call's time limit, which cannot interrupt a guest blocked
        /// on the network.
        max_wait: Option<Duration>,
        pub(crate) denied: Vec<String>,
    }

    impl HttpHooks {
        pub(crate) fn new(allow: Arc<[HttpAllow]>, max_wait: Option<Duration>) -> HttpHooks {
            HttpHooks {
                allow,
                max_wait,
                denied: Vec::new(),
            }
        }

        fn allowed(&self, uri: &http::Uri) -> bool {
            let Some(host) = uri.host() else {
                return false;
            };
            let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
            let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
            self.allow.iter().any(|entry| entry.allows(host, port))
        }

        fn bounded(&self, options: Option<RequestOptions>) -> Option<RequestOptions> {
            let Some(max) = self.max_wait else {
                return options;
            };
            let options = options.unwrap_or_default();
            let cap = |wait: Option<Duration>| Some(wait.map_or(max, |wait| wait.min(max)));
            Some(RequestOptions {
                connect_timeout: cap(options.connect_timeout),
                first_byte_timeout: cap(options.first_byte_timeout),
                between_bytes_timeout: cap(options.between_bytes_timeout),
            })
        }
    }

    type SendResult = Result<
        (
            http::Response<WasiBody>,
            Box<dyn Future<Output = Result<(), Error>> + Send>,
        ),
        Error,
    >;

    impl WasiHttpHooks for HttpHooks {
        fn send_request(
            &mut self,
            request: http::Request<WasiBody>,
            options: Option<RequestOptions>,
            _response_done: Box<dyn Future<Output = Result<(), Error>> + Send>,
        ) -> Box<dyn Future<Output = SendResult> + Send> {
            if !self.allowed(request.uri()) {
                let url = request.uri().to_string();
                tracing::warn!(%url, "denied a guest's outgoing HTTP request: host not on the allowlist");
                self.denied.push(url);
                return Box::new(async { Err(Error::HttpRequestDenied) });
            }
            let options = self.bounded(options);
            Box::new(async move {
                let (response, io) =
                    wasmtime_wasi_http::default_send_request(request, options).await?;
                Ok((
                    response.map(BodyExt::boxed_unsync),
                    Box::new(io) as Box<dyn Future<Output = _> + Send>,
                ))
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(pattern: &str) -> HttpAllow {
        pattern.parse().unwrap()
    }

    #[test]
    fn patterns_allow_what_they_say() {
        assert!(allow("example.com").allows("example.com", 443));
        assert!(allow("example.com").allows("EXAMPLE.com", 8080));
        assert!(!allow("example.com").allows("api.example.com", 443));
        assert!(allow("127.0.0.1:5000").allows("127.0.0.1", 5000));
        assert!(!allow("127.0.0.1:5000").allows("127.0.0.1", 5001));
        assert!(!allow("127.0.0.1:5000").allows("localhost", 5000));
        assert!(allow("[::1]:5000").allows("[::1]", 5000));
        assert!(allow("*.amazonaws.com").allows("ec2.us-east-1.amazonaws.com", 443));
        assert!(!allow("*.amazonaws.com").allows("amazonaws.com", 443));
        assert!(!allow("*.amazonaws.com").allows("evilamazonaws.com", 443));
        assert!(allow("*").allows("anything.example", 1));
        assert!(allow("*:8080").allows("anything.example", 8080));
        assert!(!allow("*:8080").allows("anything.example", 80));
    }

    #[test]
    fn patterns_print_as_written() {
        for pattern in [
            "example.com",
            "127.0.0.1:5000",
            "[::1]:5000",
            "*.aws.com",
            "*",
        ] {
            assert_eq!(allow(pattern).to_string(), pattern);
        }
    }

    #[test]
    fn bad_patterns_are_refused_with_the_reason() {
        for (pattern, why) in [
            ("http://example.com", "give the host, not a URL"),
            ("example.com:http", "`http` is not a port number"),
            ("::1", "brackets"),
            ("[::1", "unclosed"),
            ("", "the host is empty"),
            ("exa mple.com", "` ` cannot appear"),
        ] {
            let error = pattern.parse::<HttpAllow>().unwrap_err().to_string();
            assert!(error.contains(why), "{pattern}: {error}");
        }
    }
}
