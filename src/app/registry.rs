//! Where a run's cold pulls come from: the managed registry, behind the link emulator if
//! asked for, or an existing registry.

use super::Failure;
use crate::bench::runner::WireMeter;
use crate::registry::link::LinkSpec;
use crate::registry::managed::{cache_dir, ManagedRegistry};
use crate::registry::proxy::LinkProxy;
use crate::scenario::RegistryConfig;
use anyhow::anyhow;
use std::sync::Arc;

/// Where cold pulls come from: the managed registry (behind the link emulator, if
/// asked for) or an existing one.
pub struct Registry {
    /// The registry process the run started, if any.
    pub managed: Option<ManagedRegistry>,
    /// The link emulator in front of it, if any.
    pub link: Option<Arc<LinkProxy>>,
    /// `host:port` of image references, if any registry is used.
    pub host: Option<String>,
}

impl Registry {
    /// Starts what the scenario's `[registry]` asks for.
    pub async fn start(cfg: &RegistryConfig) -> Result<Registry, Failure> {
        if !cfg.managed {
            return Ok(Registry {
                managed: None,
                link: None,
                host: cfg.url.as_deref().map(strip_scheme),
            });
        }
        eprintln!("starting the managed registry on 127.0.0.1");
        let managed = ManagedRegistry::start(&cache_dir().join("registry"))
            .await
            .map_err(|e| Failure::Environment(e.into()))?;
        let link = match &cfg.link {
            Some(text) => {
                let spec = LinkSpec::parse(text).map_err(|m| Failure::Input(anyhow!(m)))?;
                let proxy = LinkProxy::start(managed.addr(), spec)
                    .await
                    .map_err(|e| Failure::Environment(e.into()))?;
                proxy.set_throttled(false);
                eprintln!("emulating a {text} link in front of the registry");
                Some(Arc::new(proxy))
            }
            None => None,
        };
        let host = match &link {
            Some(proxy) => proxy.addr().to_string(),
            None => managed.host(),
        };
        Ok(Registry {
            managed: Some(managed),
            link,
            host: Some(host),
        })
    }

    /// Turns the emulated link's limits on or off (no-op without a link).
    pub fn throttle(&self, on: bool) {
        if let Some(link) = &self.link {
            link.set_throttled(on);
        }
    }

    /// Stops the link emulator and the registry.
    pub async fn stop(self) {
        if let Some(link) = self.link {
            if let Ok(proxy) = Arc::try_unwrap(link) {
                proxy.stop().await;
            }
        }
        if let Some(managed) = self.managed {
            managed.stop().await;
        }
    }
}

/// The link emulator's downstream byte counter, for the runner.
pub struct LinkMeter(pub Arc<LinkProxy>);

impl WireMeter for LinkMeter {
    fn take_bytes(&self) -> u64 {
        self.0.take_counters().bytes_down
    }
}

/// `host:port` of a registry URL written with or without a scheme.
fn strip_scheme(url: &str) -> String {
    url.trim_start_matches("http://")
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .to_string()
}
