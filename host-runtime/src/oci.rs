//! Components in OCI registries, in the CNCF Wasm OCI artifact layout that
//! wkg and `oci-wasm` use: an image manifest whose config has media type
//! `application/vnd.wasm.config.v0+json` and whose one layer is the
//! component (`application/wasm`).
//!
//! ```no_run
//! use compwrap_host::oci::{OciReference, Registry, RegistryOptions};
//! use compwrap_host::Store;
//!
//! # async fn pull() -> anyhow::Result<()> {
//! let reference: OciReference = "oci://ghcr.io/acme/semver:1.0.28".parse()?;
//! let registry = Registry::new(&reference, &RegistryOptions::default())?;
//! let pulled = registry.pull(&reference, &Store::open_default()?).await?;
//! println!("{}", pulled.digest);
//! # Ok(())
//! # }
//! ```
//!
//! Credentials ([`Credentials`]) come from the caller, else the environment
//! (`COMPWRAP_OCI_USERNAME`, `COMPWRAP_OCI_PASSWORD`), else the docker
//! `config.json`, else none; registries that issue bearer tokens get them
//! from these. Passwords never appear in `Debug` output or errors.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use base64::Engine as _;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::OciDistributionError;
use oci_client::manifest::{OciDescriptor, OciImageManifest};
use oci_client::secrets::RegistryAuth;
use oci_client::{Client, Reference};

use crate::store::{Digest, Store};

pub use oci_client;

/// The manifest media type of a Wasm artifact.
pub const MANIFEST_MEDIA_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";
/// The config media type of a Wasm artifact.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.wasm.config.v0+json";
/// The media type of the one layer, the component.
pub const LAYER_MEDIA_TYPE: &str = "application/wasm";

/// Environment variable with the registry user name.
pub const USERNAME_ENV: &str = "COMPWRAP_OCI_USERNAME";
/// Environment variable with the registry password or token.
pub const PASSWORD_ENV: &str = "COMPWRAP_OCI_PASSWORD";

/// What went wrong with an artifact, as the root of an error chain (the
/// registry's own failures are oci-client's `OciDistributionError`).
#[derive(Debug, thiserror::Error)]
pub enum OciError {
    /// The reference names no manifest in the registry.
    #[error("{0} does not exist in the registry")]
    NotFound(String),
    /// The artifact is not a Wasm component in the CNCF layout.
    #[error("{reference} is not a Wasm component artifact: {why}")]
    NotWasm {
        /// The reference.
        reference: String,
        /// What does not match the layout.
        why: String,
    },
    /// What the registry sent does not match its digest or size.
    #[error("{0}")]
    Mismatch(String),
    /// The artifact is not a compwrap runtime library for this machine.
    #[error("{reference} is not a compwrap runtime library for this machine: {why}")]
    NotRuntime {
        /// The reference.
        reference: String,
        /// What does not match: the layout, the platform or the ABI.
        why: String,
    },
}

/// `oci://<registry>/<repository>[:<tag>][@sha256:<digest>]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OciReference {
    reference: Reference,
}

impl OciReference {
    /// The registry's host (and port): `ghcr.io`, `127.0.0.1:5000`.
    pub fn registry(&self) -> &str {
        self.reference.resolve_registry()
    }

    /// The repository within the registry: `acme/semver`.
    pub fn repository(&self) -> &str {
        self.reference.repository()
    }

    /// The tag, when the reference has one.
    pub fn tag(&self) -> Option<&str> {
        self.reference.tag()
    }

    /// The manifest digest (`sha256:…`), when the reference pins one.
    pub fn digest(&self) -> Option<&str> {
        self.reference.digest()
    }

    /// The same repository with another tag (and no digest).
    pub fn with_tag(&self, tag: &str) -> OciReference {
        OciReference {
            reference: Reference::with_tag(
                self.reference.registry().to_string(),
                self.reference.repository().to_string(),
                tag.to_string(),
            ),
        }
    }

    /// The same repository pinned to a manifest digest.
    pub fn with_digest(&self, digest: &str) -> OciReference {
        OciReference {
            reference: Reference::with_digest(
                self.reference.registry().to_string(),
                self.reference.repository().to_string(),
                digest.to_string(),
            ),
        }
    }

    /// The reference in oci-client's terms.
    pub fn as_oci_client(&self) -> &Reference {
        &self.reference
    }
}

impl FromStr for OciReference {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<OciReference> {
        let Some(rest) = text.strip_prefix("oci://") else {
            bail!(
                "`{text}` is not an OCI reference: expected \
                 `oci://<registry>/<repository>[:<tag>|@sha256:<digest>]`"
            );
        };
        if !rest.contains('/') {
            bail!("`{text}` names no repository: expected `oci://<registry>/<repository>…`");
        }
        let reference: Reference = rest
            .parse()
            .with_context(|| format!("`{text}` is not a valid OCI reference"))?;
        if let Some(digest) = reference.digest() {
            digest
                .parse::<Digest>()
                .with_context(|| format!("`{text}` pins an unsupported digest"))?;
        }
        Ok(OciReference { reference })
    }
}

impl fmt::Display for OciReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "oci://{}", self.reference.whole())
    }
}

/// How to authenticate to a registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// No credentials (public repositories, anonymous tokens).
    Anonymous,
    /// A user name and password (or a personal access token).
    Basic {
        /// The user name.
        username: String,
        /// The password or token; never printed.
        password: String,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Anonymous => f.write_str("Anonymous"),
            Credentials::Basic { username, .. } => f
                .debug_struct("Basic")
                .field("username", username)
                .field("password", &"<redacted>")
                .finish(),
        }
    }
}

/// Where credentials came from, for messages (never the secret itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    /// Given by the caller (command-line flags).
    Given,
    /// `COMPWRAP_OCI_USERNAME` and `COMPWRAP_OCI_PASSWORD`.
    Environment,
    /// The docker `config.json` at this path.
    DockerConfig(PathBuf),
    /// None found.
    None,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Given => f.write_str("the credentials given"),
            CredentialSource::Environment => {
                write!(f, "the credentials in {USERNAME_ENV} and {PASSWORD_ENV}")
            }
            CredentialSource::DockerConfig(path) => {
                write!(f, "the credentials in {}", path.display())
            }
            CredentialSource::None => f.write_str("no credentials (anonymous)"),
        }
    }
}

impl Credentials {
    /// The credentials for `registry`: `given`, else the environment, else
    /// the docker `config.json`, else anonymous.
    pub fn resolve(
        given: Option<Credentials>,
        registry: &str,
    ) -> Result<(Credentials, CredentialSource)> {
        if let Some(given) = given {
            return Ok((given, CredentialSource::Given));
        }
        if let Some(env) = Credentials::from_env()? {
            return Ok((env, CredentialSource::Environment));
        }
        if let Some(path) = docker_config_path()
            && let Some(found) = Credentials::from_docker_config(&path, registry)?
        {
            return Ok((found, CredentialSource::DockerConfig(path)));
        }
        Ok((Credentials::Anonymous, CredentialSource::None))
    }

    /// `COMPWRAP_OCI_USERNAME` and `COMPWRAP_OCI_PASSWORD`, when set; an
    /// error when only one of them is.
    pub fn from_env() -> Result<Option<Credentials>> {
        let get = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        match (get(USERNAME_ENV), get(PASSWORD_ENV)) {
            (Some(username), Some(password)) => Ok(Some(Credentials::Basic { username, password })),
            (None, None) => Ok(None),
            (Some(_), None) => bail!("{USERNAME_ENV} is set but {PASSWORD_ENV} is not"),
            (None, Some(_)) => bail!("{PASSWORD_ENV} is set but {USERNAME_ENV} is not"),
        }
    }

    /// The entry for `registry` in a docker `config.json` (`auths.<registry>`
    /// with `auth` = base64 `user:password`, or `username` and `password`).
    /// Credential helpers (`credsStore`) are not run.
    pub fn from_docker_config(
        path: &std::path::Path,
        registry: &str,
    ) -> Result<Option<Credentials>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("failed to read {}", path.display())),
        };
        let config: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{} is not valid JSON", path.display()))?;
        let Some(auths) = config.get("auths").and_then(|a| a.as_object()) else {
            return Ok(None);
        };
        let entry = auths.iter().find(|(key, _)| {
            let key = key
                .trim_start_matches("https://")
                .trim_start_matches("http://");
            let host = key.split('/').next().unwrap_or(key);
            host == registry
                || (registry == "docker.io" && host == "index.docker.io")
                || (registry == "index.docker.io" && host == "docker.io")
        });
        let Some((key, entry)) = entry else {
            return Ok(None);
        };
        let field = |name: &str| {
            entry
                .get(name)
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())
        };
        if let Some(auth) = field("auth") {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(auth)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .with_context(|| {
                    format!(
                        "the `auth` of `{key}` in {} is not base64 of `user:password`",
                        path.display()
                    )
                })?;
            let Some((username, password)) = decoded.split_once(':') else {
                bail!(
                    "the `auth` of `{key}` in {} is not `user:password`",
                    path.display()
                );
            };
            return Ok(Some(Credentials::Basic {
                username: username.to_string(),
                password: password.to_string(),
            }));
        }
        match (field("username"), field("password")) {
            (Some(username), Some(password)) => Ok(Some(Credentials::Basic {
                username: username.to_string(),
                password: password.to_string(),
            })),
            _ => Ok(None),
        }
    }

    fn registry_auth(&self) -> RegistryAuth {
        match self {
            Credentials::Anonymous => RegistryAuth::Anonymous,
            Credentials::Basic { username, password } => {
                RegistryAuth::Basic(username.clone(), password.clone())
            }
        }
    }
}

/// `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
fn docker_config_path() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir).join("config.json")),
        _ => dirs::home_dir().map(|home| home.join(".docker/config.json")),
    }
}

/// How to talk to a registry.
#[derive(Clone, Debug, Default)]
pub struct RegistryOptions {
    /// Credentials to use instead of looking them up
    /// ([`Credentials::resolve`]).
    pub credentials: Option<Credentials>,
    /// Plain HTTP instead of HTTPS. Registries on loopback (`localhost`,
    /// `127.0.0.0/8`, `[::1]`) are always reached over plain HTTP, as docker
    /// does.
    pub insecure: bool,
}

/// A connection to one registry, with its credentials.
pub struct Registry {
    client: Client,
    auth: RegistryAuth,
    registry: String,
    source: CredentialSource,
    insecure: bool,
}

/// A component pulled into the store.
#[derive(Clone, Debug)]
pub struct Pulled {
    /// The component's digest (its blob in the store).
    pub digest: Digest,
    /// The component's size in bytes.
    pub size: u64,
    /// The digest of the manifest it was pulled through.
    pub manifest_digest: String,
    /// The manifest's annotations (`org.opencontainers.image.version`, …).
    pub annotations: BTreeMap<String, String>,
    /// Whether the component was already in the store (nothing downloaded
    /// but the manifest).
    pub already_stored: bool,
}

/// A manifest and the digest the registry serves it under.
#[derive(Clone, Debug)]
pub struct Manifest {
    /// The manifest.
    pub manifest: OciImageManifest,
    /// Its digest (`sha256:…`).
    pub digest: String,
}

impl Registry {
    /// A client for the registry of `reference`, with credentials from
    /// `options` or looked up ([`Credentials::resolve`]).
    pub fn new(reference: &OciReference, options: &RegistryOptions) -> Result<Registry> {
        let registry = reference.registry().to_string();
        let (credentials, source) = Credentials::resolve(options.credentials.clone(), &registry)?;
        let insecure = options.insecure || is_loopback(&registry);
        let protocol = if insecure {
            ClientProtocol::Http
        } else {
            ClientProtocol::Https
        };
        let client = Client::new(ClientConfig {
            protocol,
            ..ClientConfig::default()
        });
        Ok(Registry {
            client,
            auth: credentials.registry_auth(),
            registry,
            source,
            insecure,
        })
    }

    /// The oci-client client and credentials, for operations this module
    /// does not wrap (pushing, which compwrap does through `oci-wasm`).
    pub fn client(&self) -> (&Client, &RegistryAuth) {
        (&self.client, &self.auth)
    }

    /// The manifest `reference` names, checked to be a Wasm component
    /// artifact. `Ok(None)` when the registry has no such tag or digest.
    pub async fn manifest(&self, reference: &OciReference) -> Result<Option<Manifest>> {
        let result = self
            .client
            .pull_image_manifest(reference.as_oci_client(), &self.auth)
            .await;
        let (manifest, digest) = match result {
            Ok(found) => found,
            Err(error) if is_not_found(&error) => return Ok(None),
            Err(error) => return Err(self.explain(error, &format!("failed to get {reference}"))),
        };
        if let Some(pinned) = reference.digest()
            && pinned != digest
        {
            return Err(OciError::Mismatch(format!(
                "the registry served manifest {digest} for {reference}, which pins {pinned}"
            ))
            .into());
        }
        check_layout(&manifest).map_err(|why| OciError::NotWasm {
            reference: reference.to_string(),
            why,
        })?;
        Ok(Some(Manifest { manifest, digest }))
    }

    /// Downloads the component `reference` names into `store`. The layer's
    /// size and sha256 are checked against the manifest before anything is
    /// stored; on a mismatch nothing is.
    pub async fn pull(&self, reference: &OciReference, store: &Store) -> Result<Pulled> {
        let found = self
            .manifest(reference)
            .await?
            .ok_or_else(|| OciError::NotFound(reference.to_string()))?;
        let layer = &found.manifest.layers[0];
        let expected: Digest = layer.digest.parse().with_context(|| {
            format!("the manifest of {reference} gives an unsupported layer digest")
        })?;
        let size = u64::try_from(layer.size).unwrap_or(0);
        let annotations = found.manifest.annotations.clone().unwrap_or_default();
        if store.has_blob(&expected) {
            return Ok(Pulled {
                digest: expected,
                size,
                manifest_digest: found.digest,
                annotations,
                already_stored: true,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        self.client
            .pull_blob(reference.as_oci_client(), layer, &mut bytes)
            .await
            .map_err(|e| match e {
                OciDistributionError::DigestError(why) => OciError::Mismatch(format!(
                    "the component downloaded from {reference} is not the one its manifest \
                     names ({why}); nothing was stored"
                ))
                .into(),
                e => self.explain(
                    e,
                    &format!("failed to download the component of {reference}"),
                ),
            })?;
        verify_blob(layer, &bytes).map_err(|why| {
            OciError::Mismatch(format!(
                "the component downloaded from {reference} is not the one its manifest names \
                 ({why}); nothing was stored"
            ))
        })?;
        let digest = store.put_blob(&bytes)?;
        Ok(Pulled {
            digest,
            size: bytes.len() as u64,
            manifest_digest: found.digest,
            annotations,
            already_stored: false,
        })
    }

    /// The error for a failed registry operation, with what went wrong in
    /// terms of the user's setup (never the password).
    pub fn explain(&self, error: OciDistributionError, what: &str) -> anyhow::Error {
        let hint = if is_unauthorized(&error) && self.source == CredentialSource::None {
            format!(
                "the registry {} requires credentials and none were found (pass \
                 --username/--password-stdin, set {USERNAME_ENV} and {PASSWORD_ENV}, or add \
                 the registry to the docker config.json)",
                self.registry
            )
        } else if is_unauthorized(&error) {
            format!(
                "the registry {} refused {} (check the user name and password)",
                self.registry, self.source
            )
        } else if is_connect_error(&error) {
            let how = if self.insecure {
                "over plain HTTP; is it running?"
            } else {
                "over HTTPS; is it running? (a plain-HTTP registry on loopback needs --insecure)"
            };
            format!("cannot reach the registry {} {how}", self.registry)
        } else {
            String::new()
        };
        let error = anyhow::Error::new(error);
        if hint.is_empty() {
            error.context(what.to_string())
        } else {
            error.context(format!("{what}: {hint}"))
        }
    }
}

/// Checks the CNCF Wasm layout: image manifest, Wasm config, one
/// `application/wasm` layer; says what differs.
pub fn check_layout(manifest: &OciImageManifest) -> Result<(), String> {
    if let Some(media_type) = &manifest.media_type
        && media_type != MANIFEST_MEDIA_TYPE
    {
        return Err(format!(
            "its manifest has media type {media_type}, not {MANIFEST_MEDIA_TYPE}"
        ));
    }
    if manifest.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(format!(
            "its config has media type {}, not {CONFIG_MEDIA_TYPE}",
            manifest.config.media_type
        ));
    }
    match manifest.layers.as_slice() {
        [layer] if layer.media_type == LAYER_MEDIA_TYPE => Ok(()),
        [layer] => Err(format!(
            "its layer has media type {}, not {LAYER_MEDIA_TYPE}",
            layer.media_type
        )),
        layers => Err(format!("it has {} layers, not exactly one", layers.len())),
    }
}

/// Checks `bytes` against the size and sha256 of `descriptor`; says what
/// differs.
pub fn verify_blob(descriptor: &OciDescriptor, bytes: &[u8]) -> Result<(), String> {
    if u64::try_from(descriptor.size).ok() != Some(bytes.len() as u64) {
        return Err(format!(
            "the manifest says {} bytes, the registry sent {}",
            descriptor.size,
            bytes.len()
        ));
    }
    let actual = Digest::of(bytes);
    if actual.to_string() != descriptor.digest {
        return Err(format!(
            "the manifest says {}, the bytes hash to {actual}",
            descriptor.digest
        ));
    }
    Ok(())
}

/// Whether `registry` (`host[:port]`) is on this machine's loopback.
fn is_loopback(registry: &str) -> bool {
    let host = match registry.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(rest),
        None => registry.rsplit_once(':').map_or(registry, |(host, _)| host),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_not_found(error: &OciDistributionError) -> bool {
    match error {
        OciDistributionError::ImageManifestNotFoundError(_) => true,
        OciDistributionError::ServerError { code, .. } => *code == 404,
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                oci_client::errors::OciErrorCode::ManifestUnknown
                    | oci_client::errors::OciErrorCode::NameUnknown
            )
        }),
        _ => false,
    }
}

fn is_unauthorized(error: &OciDistributionError) -> bool {
    match error {
        OciDistributionError::AuthenticationFailure(_)
        | OciDistributionError::UnauthorizedError { .. } => true,
        OciDistributionError::ServerError { code, .. } => *code == 401 || *code == 403,
        OciDistributionError::RegistryError { envelope, .. } => envelope.errors.iter().any(|e| {
            matches!(
                e.code,
                oci_client::errors::OciErrorCode::Unauthorized
                    | oci_client::errors::OciErrorCode::Denied
            )
        }),
        _ => false,
    }
}

fn is_connect_error(error: &OciDistributionError) -> bool {
    matches!(error, OciDistributionError::RequestError(e) if e.is_connect() || e.is_timeout())
}

impl crate::Runtime {
    /// Loads the component `reference` names (`oci://…:tag` or
    /// `oci://…@sha256:…`) through `store`: the registry is asked which
    /// component the reference names, and the component is downloaded only
    /// when the store does not have it (verified before it is stored).
    pub async fn load_oci_async(
        &self,
        store: &Store,
        reference: &str,
        options: &RegistryOptions,
    ) -> Result<crate::LoadedComponent> {
        let reference: OciReference = reference.parse()?;
        let registry = Registry::new(&reference, options)?;
        let pulled = registry.pull(&reference, store).await?;
        self.load_from_store(store, &pulled.digest.to_string())
    }

    /// [`Runtime::load_oci_async`](crate::Runtime::load_oci_async) for
    /// synchronous code (it runs its own short-lived tokio runtime, so call
    /// it outside of one).
    pub fn load_oci(
        &self,
        store: &Store,
        reference: &str,
        options: &RegistryOptions,
    ) -> Result<crate::LoadedComponent> {
        block_on(self.load_oci_async(store, reference, options))
    }

    /// [`Runtime::load_pinned`](crate::Runtime::load_pinned), pulling the
    /// component from `reference` first when the store lacks it; the pulled
    /// component must hash to `pinned`. This is how a typed host crate made
    /// with an OCI reference loads its component: no registry round trip
    /// once the component is stored.
    pub fn load_pinned_or_pull(
        &self,
        store: &Store,
        pinned: &Digest,
        reference: &str,
        options: &RegistryOptions,
    ) -> Result<crate::LoadedComponent> {
        if !store.has_blob(pinned) {
            let reference: OciReference = reference.parse()?;
            let registry = Registry::new(&reference, options)?;
            let pulled = block_on(registry.pull(&reference, store))?;
            if pulled.digest != *pinned {
                bail!(OciError::Mismatch(format!(
                    "{reference} now names component {}, not the pinned {pinned}; pin the new \
                     digest (make the host crate again) or pull by the old manifest digest",
                    pulled.digest
                )));
            }
        }
        self.load_pinned(store, pinned)
    }
}

/// Runs `future` (a registry operation) to completion on a new
/// single-threaded tokio runtime; call it outside of one.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("failed to start a tokio runtime")
        .block_on(future)
}
