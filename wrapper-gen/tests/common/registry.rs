//! A real OCI registry for tests: Debian's `docker-registry` (CNCF
//! distribution) on a free loopback port, with its storage in a temporary
//! directory, optionally behind htpasswd basic auth. `cargo xtask test`
//! installs it when missing.

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
        TestRegistry::start(Some((user, password)))
    }

    fn start(auth: Option<(&str, &str)>) -> TestRegistry {
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
        if let Some((user, password)) = auth {
            let hash = bcrypt::hash(password, 4).expect("bcrypt");
            let htpasswd = dir.path().join("htpasswd");
            std::fs::write(&htpasswd, format!("{user}:{hash}\n")).expect("write htpasswd");
            config.push_str(&format!(
                "auth:\n  htpasswd:\n    realm: compwrap-test\n    path: {}\n",
                htpasswd.display()
            ));
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
