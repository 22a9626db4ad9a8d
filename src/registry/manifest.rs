//! Compressed size and layer count of an image, from its registry manifest.

use std::net::SocketAddr;
use std::time::Duration;

/// Manifest media types asked for (Docker v2 and OCI, single-platform).
const ACCEPT: &str = "application/vnd.docker.distribution.manifest.v2+json, \
                      application/vnd.oci.image.manifest.v1+json";

/// Compressed bytes of every layer and the layer count in a registry manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ManifestSize {
    /// Sum of the compressed layer sizes.
    pub compressed_bytes: u64,
    /// Number of layers.
    pub layers: u32,
}

/// Reads the manifest of `repository:tag` from the registry at `addr` (loopback).
pub async fn manifest_size(
    addr: SocketAddr,
    repository: &str,
    tag: &str,
) -> Result<ManifestSize, String> {
    let path = format!("/v2/{repository}/manifests/{tag}");
    let r = crate::http::get(
        addr,
        &addr.to_string(),
        &path,
        &[("Accept", ACCEPT)],
        4 << 20,
        Duration::from_secs(10),
    )
    .await
    .map_err(|e| format!("GET {path} on {addr}: {e}"))?;
    if r.status != 200 {
        return Err(format!("GET {path} on {addr} answered {}", r.status));
    }
    parse_manifest(&r.body).map_err(|e| format!("manifest of {repository}:{tag}: {e}"))
}

/// Sums the layer sizes of a manifest document.
pub fn parse_manifest(body: &[u8]) -> Result<ManifestSize, String> {
    let doc: serde_json::Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let layers = doc
        .get("layers")
        .and_then(|l| l.as_array())
        .ok_or("no layers (a manifest list? push a single-platform image)")?;
    let mut compressed_bytes = 0;
    for layer in layers {
        compressed_bytes += layer
            .get("size")
            .and_then(|s| s.as_u64())
            .ok_or("a layer has no size")?;
    }
    Ok(ManifestSize {
        compressed_bytes,
        layers: layers.len() as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_layers() {
        let doc = br#"{"schemaVersion":2,"config":{"size":7},"layers":[{"size":100},{"size":23}]}"#;
        assert_eq!(
            parse_manifest(doc).unwrap(),
            ManifestSize {
                compressed_bytes: 123,
                layers: 2
            }
        );
        assert!(parse_manifest(br#"{"manifests":[]}"#).is_err());
        assert!(parse_manifest(b"not json").is_err());
    }
}
