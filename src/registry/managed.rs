//! A local distribution registry on 127.0.0.1, started and stopped by the run.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};

/// Binaries of the CNCF distribution registry, in the order they are looked for.
const BINARIES: [&str; 2] = ["registry", "docker-registry"];

/// Why the registry could not be started.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// No registry binary on PATH.
    #[error(
        "no registry binary found (looked for `registry` and `docker-registry` on PATH): \
         install Debian's package with `apt-get install docker-registry`"
    )]
    NotInstalled,
    /// The storage folder could not be prepared.
    #[error("registry storage {path}: {source}")]
    Storage {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The binary did not start or did not answer.
    #[error("registry {binary} on {addr}: {message}")]
    Start {
        /// The binary.
        binary: PathBuf,
        /// Where it should listen.
        addr: SocketAddr,
        /// What happened.
        message: String,
    },
}

/// A running registry process, listening on loopback only.
#[derive(Debug)]
pub struct ManagedRegistry {
    child: Child,
    addr: SocketAddr,
}

/// Finds the registry binary on PATH.
pub fn find_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    BINARIES.iter().find_map(|name| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

impl ManagedRegistry {
    /// Starts a registry on a free port of 127.0.0.1, storing blobs under `storage`
    /// (kept between runs, so images are pushed once).
    pub async fn start(storage: &Path) -> Result<ManagedRegistry, RegistryError> {
        let binary = find_binary().ok_or(RegistryError::NotInstalled)?;
        std::fs::create_dir_all(storage).map_err(|source| RegistryError::Storage {
            path: storage.to_path_buf(),
            source,
        })?;
        let mut last_error = String::new();
        for _ in 0..3 {
            let addr = free_loopback_port().map_err(|e| RegistryError::Start {
                binary: binary.clone(),
                addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
                message: format!("no free port on 127.0.0.1: {e}"),
            })?;
            match Self::spawn(&binary, storage, addr).await {
                Ok(r) => return Ok(r),
                Err(e) => last_error = e,
            }
        }
        Err(RegistryError::Start {
            binary,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            message: last_error,
        })
    }

    async fn spawn(binary: &Path, storage: &Path, addr: SocketAddr) -> Result<Self, String> {
        let config = storage.join(format!("config-{}.yml", addr.port()));
        std::fs::write(&config, config_yaml(storage, addr))
            .map_err(|e| format!("cannot write {}: {e}", config.display()))?;
        let mut child = Command::new(binary)
            .arg("serve")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("cannot run it: {e}"))?;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                let _ = std::fs::remove_file(&config);
                return Err(format!("exited at start with {status}"));
            }
            let answer = crate::http::get(
                addr,
                &addr.to_string(),
                "/v2/",
                &[],
                0,
                Duration::from_secs(1),
            )
            .await;
            if matches!(answer, Ok(r) if r.status == 200) {
                let _ = std::fs::remove_file(&config);
                return Ok(ManagedRegistry { child, addr });
            }
            if tokio::time::Instant::now() > deadline {
                let _ = child.kill().await;
                let _ = std::fs::remove_file(&config);
                return Err("did not answer GET /v2/ within 15s".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// `127.0.0.1:PORT`, the host part of image references in this registry.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The registry process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// Stops the registry and waits for it to exit.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// A port on 127.0.0.1 that was free a moment ago.
fn free_loopback_port() -> std::io::Result<SocketAddr> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    listener.local_addr()
}

fn config_yaml(storage: &Path, addr: SocketAddr) -> String {
    format!(
        "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {addr}\n",
        storage.join("data").display()
    )
}

/// The folder for caches: `$IMAGEBENCH_CACHE`, else `$XDG_CACHE_HOME/imagebench`,
/// else `~/.cache/imagebench`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("IMAGEBENCH_CACHE") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("imagebench");
    }
    let home = std::env::var_os("HOME").unwrap_or_else(|| "/tmp".into());
    PathBuf::from(home).join(".cache").join("imagebench")
}
