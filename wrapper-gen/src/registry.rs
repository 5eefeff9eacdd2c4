//! Publishing components to OCI registries and pulling them into the store,
//! in the CNCF Wasm OCI artifact layout (`oci-wasm`): the config lists the
//! component's exports and imports, the one layer is the component, and the
//! manifest's annotations come from the component's metadata.
//!
//! The protocol, credentials and pull verification are compwrap-host's
//! ([`compwrap_host::oci`]); this module adds what the command line needs:
//! building the artifact, and recording pulled components by name.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use compwrap_host::oci::{OciError, OciReference, Pulled, Registry, RegistryOptions, block_on};
use compwrap_host::store::RefEntry;
use oci_wasm::{WasmClient, WasmConfig};

use crate::component::{self, Info};
use crate::{Digest, Store};

/// Manifest annotation with the generate key a component was built under.
pub const KEY_ANNOTATION: &str = "dev.compwrap.generate-key";

/// What a publish pushed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Published {
    /// The reference it was pushed to (with its tag).
    pub reference: String,
    /// The same, pinned to the manifest digest.
    pub pinned: String,
    /// The manifest digest.
    pub manifest_digest: String,
    /// The component's digest (the layer).
    pub digest: Digest,
    /// The component's size in bytes.
    pub size: u64,
}

/// The manifest annotations for a component: `org.opencontainers.image.*`
/// from its metadata, and compwrap's generate key when it has one.
pub fn annotations(info: &Info) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    // One line each, whitespace collapsed: oci-client writes manifests as
    // canonical JSON, which keeps control characters raw, and registries
    // refuse a manifest with a raw newline in a string.
    let mut put = |key: &str, value: &Option<String>| {
        let value = value.as_deref().unwrap_or_default();
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        if !value.is_empty() {
            out.insert(format!("org.opencontainers.image.{key}"), value);
        }
    };
    put("version", &info.version);
    put("description", &info.description);
    put("licenses", &info.licenses);
    put("source", &info.source);
    if let Some(key) = generate_key(info) {
        out.insert(KEY_ANNOTATION.to_string(), key);
    }
    out
}

/// The generate key compwrap stamped into a component.
pub fn generate_key(info: &Info) -> Option<String> {
    info.compwrap
        .as_ref()?
        .get("generate_key")?
        .as_str()
        .map(str::to_string)
}

/// Whether compwrap built the component from the crate's whole API (not
/// `--only` a part), so that it may stand for `name@version`.
fn whole_crate(info: &Info) -> bool {
    info.compwrap
        .as_ref()
        .and_then(|c| c.get("only"))
        .and_then(|only| only.as_array())
        .is_none_or(|only| only.is_empty())
}

/// Pushes the component `bytes` to `reference` (which needs a tag).
pub async fn publish(
    registry: &Registry,
    bytes: &[u8],
    reference: &OciReference,
) -> Result<Published> {
    component::validate(bytes, "the component to publish")?;
    let tag = reference.tag().filter(|_| reference.digest().is_none());
    let Some(tag) = tag else {
        anyhow::bail!(
            "{reference} needs a tag to publish to, e.g. `{}`",
            reference.with_tag("1.0.0")
        );
    };
    let info = component::info(bytes)?;
    let (config, mut layer) = WasmConfig::from_raw_component(bytes.to_vec(), None)
        .context("failed to describe the component for the registry")?;
    let title = format!("{}.wasm", info.name.as_deref().unwrap_or("component"));
    layer.annotations = Some(BTreeMap::from([(
        "org.opencontainers.image.title".to_string(),
        title,
    )]));
    let (client, auth) = registry.client();
    let pushed = WasmClient::new(client.clone())
        .push(
            reference.as_oci_client(),
            auth,
            layer,
            config,
            Some(annotations(&info)),
        )
        .await
        .map_err(|e| {
            match e.downcast::<compwrap_host::oci::oci_client::errors::OciDistributionError>() {
                Ok(oci) => registry.explain(oci, &format!("failed to publish to {reference}")),
                Err(other) => other.context(format!("failed to publish to {reference}")),
            }
        })?;
    let manifest_digest = pushed
        .manifest_url
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    Ok(Published {
        reference: reference.with_tag(tag).to_string(),
        pinned: reference.with_digest(&manifest_digest).to_string(),
        manifest_digest,
        digest: Digest::of(bytes),
        size: bytes.len() as u64,
    })
}

/// Pulls `reference` into `store` and, when the component was made by
/// compwrap, records it under `name@version` as a local build would.
pub async fn pull(registry: &Registry, reference: &OciReference, store: &Store) -> Result<Pulled> {
    let pulled = registry.pull(reference, store).await?;
    let bytes = store.read_blob(&pulled.digest)?;
    let info = component::info(&bytes)?;
    if let (Some(name), Some(version), Some(key), true) = (
        &info.name,
        &info.version,
        generate_key(&info),
        whole_crate(&info),
    ) {
        store.put_ref(&RefEntry {
            name: name.clone(),
            version: version.clone(),
            digest: pulled.digest.clone(),
            size: pulled.size,
            key: Some(key),
        })?;
    }
    Ok(pulled)
}

/// A registry repository used as a shared build cache
/// (`generate --cache oci://<registry>/<repository>`).
#[derive(Debug, Clone)]
pub struct Cache {
    /// The repository; tags are derived from generate keys ([`cache_tag`]).
    pub repository: OciReference,
    /// How to reach it.
    pub options: RegistryOptions,
    /// Publish what is built on a miss.
    pub push: bool,
}

/// The tag a component built under the generate key `key` is cached under.
pub fn cache_tag(key: &str) -> String {
    format!("compwrap-{key}")
}

impl Cache {
    /// The reference of `key`'s entry.
    pub fn reference(&self, key: &str) -> OciReference {
        self.repository.with_tag(&cache_tag(key))
    }

    /// Pulls the component built under `key` into `store`; `Ok(None)` when
    /// the cache has none. The entry must carry the same generate key.
    pub fn pull(&self, key: &str, store: &Store) -> Result<Option<Pulled>> {
        let reference = self.reference(key);
        let registry = Registry::new(&reference, &self.options)?;
        let pulled = match block_on(registry.pull(&reference, store)) {
            Ok(pulled) => pulled,
            Err(e) if matches!(e.downcast_ref::<OciError>(), Some(OciError::NotFound(_))) => {
                return Ok(None);
            }
            Err(e) => return Err(e),
        };
        let info = component::info(&store.read_blob(&pulled.digest)?)?;
        let found = generate_key(&info);
        if found.as_deref() != Some(key) {
            anyhow::bail!(
                "the cache entry {reference} holds a component built under another generate key \
                 ({}); it was not used",
                found.as_deref().unwrap_or("none")
            );
        }
        Ok(Some(pulled))
    }

    /// Publishes `bytes`, built under `key`, unless the cache has an entry
    /// for `key` already; returns where it was published.
    pub fn push_if_missing(&self, key: &str, bytes: &[u8]) -> Result<Option<String>> {
        let reference = self.reference(key);
        let registry = Registry::new(&reference, &self.options)?;
        if block_on(registry.manifest(&reference))?.is_some() {
            return Ok(None);
        }
        Ok(Some(
            block_on(publish(&registry, bytes, &reference))?.reference,
        ))
    }

    /// Publishes `bytes`, built under `key`, to the cache.
    pub fn push(&self, key: &str, bytes: &[u8]) -> Result<Published> {
        let reference = self.reference(key);
        let registry = Registry::new(&reference, &self.options)?;
        block_on(publish(&registry, bytes, &reference))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_are_single_lines() {
        let info = Info {
            description: Some(
                "An implementation of regular expressions.\nIt uses\tfinite automata.\n".into(),
            ),
            version: Some("1.13.2".into()),
            ..Info::default()
        };
        let annotations = annotations(&info);
        assert_eq!(
            annotations["org.opencontainers.image.description"],
            "An implementation of regular expressions. It uses finite automata."
        );
        assert!(!annotations.contains_key("org.opencontainers.image.licenses"));
    }
}
