//! A real OCI registry for tests: Debian's `docker-registry` (CNCF
//! distribution) on a free loopback port, with its storage in a temporary
//! directory, optionally behind htpasswd basic auth or behind bearer tokens
//! from a token service (the docker token protocol: ES256 JWTs with the
//! signing certificate in `x5c`, which the registry checks against its
//! root bundle). `cargo xtask test` installs it when missing.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// A running registry; stopped when dropped.
pub struct TestRegistry {
    child: Child,
    dir: TempDir,
    /// `127.0.0.1:<port>`.
    pub address: String,
}

impl TestRegistry {
    /// A registry anyone may push to and pull from.
    pub fn anonymous() -> TestRegistry {
        TestRegistry::start(None)
    }

    /// A registry that only `user` with `password` may use.
    pub fn with_basic_auth(user: &str, password: &str) -> TestRegistry {
        TestRegistry::start(Some(Auth::Basic(user, password)))
    }

    /// A registry that takes bearer tokens, which a token service on
    /// another port issues to `user` with `password`.
    pub fn with_token_auth(user: &str, password: &str) -> TestRegistry {
        TestRegistry::start(Some(Auth::Token(user, password)))
    }

    fn start(auth: Option<Auth>) -> TestRegistry {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let address = format!("127.0.0.1:{port}");
        let mut config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n\
             http:\n  addr: {address}\n  secret: compwrap-test\n",
            dir.path().join("data").display()
        );
        match auth {
            None => {}
            Some(Auth::Basic(user, password)) => {
                let hash = bcrypt::hash(password, 4).expect("bcrypt");
                let htpasswd = dir.path().join("htpasswd");
                std::fs::write(&htpasswd, format!("{user}:{hash}\n")).expect("write htpasswd");
                config.push_str(&format!(
                    "auth:\n  htpasswd:\n    realm: compwrap-test\n    path: {}\n",
                    htpasswd.display()
                ));
            }
            Some(Auth::Token(user, password)) => {
                let realm = token_service(dir.path(), user, password);
                config.push_str(&format!(
                    "auth:\n  token:\n    realm: {realm}\n    service: {TOKEN_SERVICE}\n    \
                     issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
                    dir.path().join("token.crt").display()
                ));
            }
        }
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write the registry config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config_path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "failed to start docker-registry; install it with `cargo xtask setup` \
                 (Debian package docker-registry)",
            );
        let registry = TestRegistry {
            child,
            dir,
            address,
        };
        registry.wait_ready();
        registry
    }

    fn wait_ready(&self) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if self.get("/v2/").is_ok_and(|(status, _)| status != 0) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "docker-registry did not answer on {} within 20 s",
            self.address
        );
    }

    /// `oci://<address>/<repository>`.
    pub fn oci(&self, repository: &str) -> String {
        format!("oci://{}/{repository}", self.address)
    }

    /// Where the registry keeps the blob `sha256:<hex>` on disk.
    pub fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.trim_start_matches("sha256:");
        self.dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }

    /// A plain HTTP GET (no auth); returns the status and the body.
    pub fn get(&self, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
        http_get(&self.address, path)
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

enum Auth<'a> {
    Basic(&'a str, &'a str),
    Token(&'a str, &'a str),
}

const TOKEN_SERVICE: &str = "compwrap-test-registry";
const TOKEN_ISSUER: &str = "compwrap-test-token-service";

/// Starts a token service that gives `user` (with `password`) a token for
/// every scope it asks for, and writes its certificate to
/// `dir/token.crt`; returns its realm URL.
fn token_service(dir: &Path, user: &str, password: &str) -> String {
    use base64::Engine as _;
    let signer = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("a key");
    let cert = rcgen::CertificateParams::new(vec!["compwrap-token-service".to_string()])
        .expect("certificate parameters")
        .self_signed(&signer)
        .expect("a certificate");
    std::fs::write(dir.join("token.crt"), cert.pem()).expect("write the certificate");
    let key = jsonwebtoken::EncodingKey::from_ec_pem(signer.serialize_pem().as_bytes())
        .expect("the signing key");
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.x5c = Some(vec![
        base64::engine::general_purpose::STANDARD.encode(cert.der()),
    ]);
    let expected = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    );
    let user = user.to_string();
    let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the token service");
    let realm = format!("http://{}/token", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let request = String::from_utf8_lossy(&request).into_owned();
            let authorized = request.lines().any(|line| {
                line.split_once(':').is_some_and(|(name, value)| {
                    name.eq_ignore_ascii_case("authorization") && value.trim() == expected
                })
            });
            let response = if authorized {
                let token =
                    jsonwebtoken::encode(&header, &claims(&request, &user), &key).expect("a token");
                let body = format!("{{\"token\":\"{token}\",\"expires_in\":300}}");
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else {
                "HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    .to_string()
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    realm
}

/// The claims of a token granting every `scope` of `request`
/// (`repository:<name>:pull,push`).
fn claims(request: &str, user: &str) -> serde_json::Value {
    let path = request.split_whitespace().nth(1).unwrap_or_default();
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let access: Vec<serde_json::Value> = query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("scope="))
        .map(|scope| {
            scope
                .replace("%3A", ":")
                .replace("%2C", ",")
                .replace("%2F", "/")
        })
        .filter_map(|scope| {
            let mut parts = scope.splitn(3, ':');
            let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
            Some(serde_json::json!({
                "type": kind,
                "name": name,
                "actions": actions.split(',').collect::<Vec<_>>(),
            }))
        })
        .collect();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    serde_json::json!({
        "iss": TOKEN_ISSUER,
        "sub": user,
        "aud": TOKEN_SERVICE,
        "iat": now,
        "nbf": now - 10,
        "exp": now + 300,
        "jti": format!("{now}-{}", access.len()),
        "access": access,
    })
}

/// GET `path` from `address` over HTTP/1.0, accepting OCI manifests.
pub fn http_get(address: &str, path: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {address}\r\n\
         Accept: application/vnd.oci.image.manifest.v1+json\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of headers"))?;
    let head = String::from_utf8_lossy(&response[..end]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, response[end + 4..].to_vec()))
}

/// Every file under `dir`.
#[allow(dead_code)]
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}
