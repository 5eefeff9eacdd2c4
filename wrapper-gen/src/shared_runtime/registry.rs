//! The runtime library as an OCI artifact, one per platform: `compwrap
//! runtime publish` and `compwrap runtime pull`.
//!
//! An image manifest with a config of type [`CONFIG_MEDIA_TYPE`] that names
//! the platform (target triple, OS, architecture), the ABI version and the
//! runtime's version, and one layer of type [`LAYER_MEDIA_TYPE`]: the
//! library. A pull refuses a library built for another platform or ABI
//! before downloading it, and checks its size and sha256 against the
//! manifest before anything is stored.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use compwrap_client::abi::ABI_VERSION;
use compwrap_client::library;
use compwrap_host::oci::oci_client::client::{Config, ImageLayer};
use compwrap_host::oci::oci_client::errors::OciDistributionError;
use compwrap_host::oci::oci_client::manifest::OciImageManifest;
use compwrap_host::oci::{OciError, OciReference, Registry, verify_blob};
use serde::{Deserialize, Serialize};

use super::RuntimeEntry;
use crate::Store;

/// The config's media type.
pub const CONFIG_MEDIA_TYPE: &str = "application/vnd.compwrap.runtime.config.v1+json";

/// The library layer's media type.
pub const LAYER_MEDIA_TYPE: &str = "application/vnd.compwrap.runtime.library.v1";

/// The config of a runtime library artifact.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct RuntimeConfig {
    /// The target triple it was built for.
    pub target: String,
    /// `std::env::consts::OS` of that target (`linux`).
    pub os: String,
    /// `std::env::consts::ARCH` of that target (`x86_64`).
    pub architecture: String,
    /// Its ABI version.
    pub abi: u32,
    /// Its version text.
    pub version: String,
    /// Its file name.
    pub file: String,
}

/// What a runtime publish pushed or a pull stored.
#[derive(Clone, Debug, Serialize)]
pub struct Transferred {
    /// The reference, pinned to the manifest digest.
    pub pinned: String,
    /// The manifest digest.
    pub manifest_digest: String,
    /// The library as the store records it.
    #[serde(flatten)]
    pub entry: RuntimeEntry,
}

/// Pushes the store's runtime library of this platform and ABI to
/// `reference` (which needs a tag).
pub async fn publish(
    registry: &Registry,
    store: &Store,
    reference: &OciReference,
) -> Result<Transferred> {
    if reference.tag().is_none() || reference.digest().is_some() {
        anyhow::bail!(
            "{reference} needs a tag to publish to, e.g. `{}`",
            reference.with_tag(&format!(
                "{}-{}",
                env!("CARGO_PKG_VERSION"),
                library::TARGET
            ))
        );
    }
    let entry = super::current(store)?.with_context(|| {
        format!(
            "the store at {} has no runtime library for {}; `compwrap runtime install` builds one",
            store.root().display(),
            library::TARGET
        )
    })?;
    let bytes = std::fs::read(&entry.path)
        .with_context(|| format!("failed to read {}", entry.path.display()))?;
    entry
        .digest
        .verify(&bytes, &entry.path.display().to_string())?;
    let config = RuntimeConfig {
        target: entry.target.clone(),
        os: std::env::consts::OS.to_owned(),
        architecture: std::env::consts::ARCH.to_owned(),
        abi: entry.abi,
        version: entry.version.clone(),
        file: entry.file.clone(),
    };
    let layer = ImageLayer::new(
        bytes,
        LAYER_MEDIA_TYPE.to_owned(),
        Some(BTreeMap::from([(
            "org.opencontainers.image.title".to_owned(),
            entry.file.clone(),
        )])),
    );
    let config = Config::new(
        serde_json::to_vec(&config)?,
        CONFIG_MEDIA_TYPE.to_owned(),
        None,
    );
    let annotations = BTreeMap::from([
        (
            "org.opencontainers.image.version".to_owned(),
            env!("CARGO_PKG_VERSION").to_owned(),
        ),
        (
            "org.opencontainers.image.description".to_owned(),
            format!("{} for {}", entry.version, entry.target),
        ),
        (
            "dev.compwrap.runtime.target".to_owned(),
            entry.target.clone(),
        ),
        ("dev.compwrap.runtime.abi".to_owned(), entry.abi.to_string()),
    ]);
    let layers = [layer];
    let manifest = OciImageManifest::build(&layers, &config, Some(annotations));
    let (client, auth) = registry.client();
    let pushed = client
        .push(
            reference.as_oci_client(),
            &layers,
            config,
            auth,
            Some(manifest),
        )
        .await
        .map_err(|e| registry.explain(e, &format!("failed to publish to {reference}")))?;
    let manifest_digest = pushed
        .manifest_url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok(Transferred {
        pinned: reference.with_digest(&manifest_digest).to_string(),
        manifest_digest,
        entry,
    })
}

/// Pulls the runtime library `reference` names into `store` as the
/// runtime of its ABI for this platform.
pub async fn pull(
    registry: &Registry,
    store: &Store,
    reference: &OciReference,
) -> Result<Transferred> {
    let not_runtime = |why: String| OciError::NotRuntime {
        reference: reference.to_string(),
        why,
    };
    let (client, auth) = registry.client();
    let (manifest, manifest_digest) = match client
        .pull_image_manifest(reference.as_oci_client(), auth)
        .await
    {
        Ok(found) => found,
        Err(e) => {
            // A missing tag is the registry's 404, which `explain` words.
            return Err(registry.explain(e, &format!("failed to get {reference}")));
        }
    };
    if let Some(pinned) = reference.digest()
        && pinned != manifest_digest
    {
        return Err(OciError::Mismatch(format!(
            "the registry served manifest {manifest_digest} for {reference}, which pins {pinned}"
        ))
        .into());
    }
    if manifest.config.media_type != CONFIG_MEDIA_TYPE {
        return Err(not_runtime(format!(
            "its config has media type {}, not {CONFIG_MEDIA_TYPE}",
            manifest.config.media_type
        ))
        .into());
    }
    let layer = match manifest.layers.as_slice() {
        [layer] if layer.media_type == LAYER_MEDIA_TYPE => layer.clone(),
        [layer] => {
            return Err(not_runtime(format!(
                "its layer has media type {}, not {LAYER_MEDIA_TYPE}",
                layer.media_type
            ))
            .into());
        }
        layers => {
            return Err(
                not_runtime(format!("it has {} layers, not exactly one", layers.len())).into(),
            );
        }
    };
    let mut config_bytes = Vec::new();
    client
        .pull_blob(
            reference.as_oci_client(),
            &manifest.config,
            &mut config_bytes,
        )
        .await
        .map_err(|e| {
            registry.explain(e, &format!("failed to download the config of {reference}"))
        })?;
    verify_blob(&manifest.config, &config_bytes).map_err(OciError::Mismatch)?;
    let config: RuntimeConfig = serde_json::from_slice(&config_bytes)
        .map_err(|e| not_runtime(format!("its config is not a runtime config ({e})")))?;
    if config.target != library::TARGET {
        return Err(not_runtime(format!(
            "it was built for {}, this machine runs {}; publish one from a {} machine",
            config.target,
            library::TARGET,
            library::TARGET
        ))
        .into());
    }
    if config.abi != ABI_VERSION {
        return Err(not_runtime(format!(
            "it speaks ABI {}, this compwrap ABI {ABI_VERSION}",
            config.abi
        ))
        .into());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(layer.size).unwrap_or(0));
    client
        .pull_blob(reference.as_oci_client(), &layer, &mut bytes)
        .await
        .map_err(|e| match e {
            OciDistributionError::DigestError(why) => OciError::Mismatch(format!(
                "the library downloaded from {reference} is not the one its manifest names \
                 ({why}); nothing was stored"
            ))
            .into(),
            e => registry.explain(e, &format!("failed to download the library of {reference}")),
        })?;
    verify_blob(&layer, &bytes).map_err(|why| {
        OciError::Mismatch(format!(
            "the library downloaded from {reference} is not the one its manifest names ({why}); \
             nothing was stored"
        ))
    })?;
    // Loaded once to ask its ABI, from a file of its own.
    let dir = tempfile::tempdir_in(store.build_dir()).context("failed to make a directory")?;
    let file = dir.path().join(library::file_name());
    std::fs::write(&file, &bytes).with_context(|| format!("failed to write {}", file.display()))?;
    let entry = super::add(store, Path::new(&file))?;
    Ok(Transferred {
        pinned: reference.with_digest(&manifest_digest).to_string(),
        manifest_digest,
        entry,
    })
}
