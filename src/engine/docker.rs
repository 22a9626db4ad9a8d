//! The Docker engine, through bollard: the one module that talks to the daemon.

use super::pull_progress::PullProgress;
use super::{
    ChildImage, ContainerSpec, DaemonInfo, Engine, EngineError, EngineResult, ErrorKind,
    LabelledContainer, LocalImage, OutputStream, PullReport,
};
use bollard::errors::Error as BollardError;
use bollard::models::{ContainerCreateBody, HostConfig, ImageInspect};
use bollard::query_parameters::{
    AttachContainerOptionsBuilder, CreateContainerOptionsBuilder, CreateImageOptionsBuilder,
    ListContainersOptionsBuilder, ListImagesOptionsBuilder, LogsOptionsBuilder,
    PushImageOptionsBuilder, RemoveContainerOptionsBuilder, RemoveImageOptionsBuilder,
    TagImageOptionsBuilder, WaitContainerOptionsBuilder,
};
use bollard::Docker;
use futures_util::{StreamExt, TryStreamExt};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The Docker daemon, reached through `DOCKER_HOST` or the default socket.
#[derive(Clone)]
pub struct DockerEngine {
    pub(super) docker: Docker,
    endpoint: String,
}

/// The endpoint bollard will use: `DOCKER_HOST`, or the default Unix socket.
pub fn endpoint() -> String {
    std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".to_string())
}

impl DockerEngine {
    /// Connects and negotiates the API version (the daemon may be older than bollard).
    pub async fn connect() -> EngineResult<DockerEngine> {
        let endpoint = endpoint();
        let unreachable = |e: BollardError| EngineError {
            op: "connect to",
            target: endpoint.clone(),
            message: format!(
                "{e}. Is the Docker daemon running (`systemctl start docker` or `dockerd &`), \
                 and may this user use its socket? Set DOCKER_HOST to use another one."
            ),
            kind: ErrorKind::Connection,
        };
        let docker = Docker::connect_with_defaults()
            .map_err(unreachable)?
            .with_timeout(Duration::from_secs(600));
        let docker = docker.negotiate_version().await.map_err(unreachable)?;
        docker.ping().await.map_err(unreachable)?;
        Ok(DockerEngine { docker, endpoint })
    }

    /// The endpoint this engine is connected to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Imports a root filesystem tarball as an image, with Dockerfile-style `changes`
    /// (`CMD ["/app"]`, `USER 65532`); returns nothing once the daemon has the image.
    pub async fn import_tarball(
        &self,
        tarball: Vec<u8>,
        reference: &str,
        changes: &[String],
    ) -> EngineResult<()> {
        let (repo, tag) = reference.rsplit_once(':').unwrap_or((reference, "latest"));
        let mut options = CreateImageOptionsBuilder::default()
            .from_src("-")
            .repo(repo)
            .tag(tag)
            .build();
        options.changes = changes.to_vec();
        self.docker
            .create_image(
                Some(options),
                Some(bollard::body_full(tarball.into())),
                None,
            )
            .try_collect::<Vec<_>>()
            .await
            .map_err(|e| classify("import", reference, e))?;
        Ok(())
    }
}

/// Maps a bollard error to the project's error, keeping the operation and target.
pub(super) fn classify(op: &'static str, target: &str, e: BollardError) -> EngineError {
    let kind = match &e {
        BollardError::DockerResponseServerError {
            status_code: 404, ..
        } => ErrorKind::NotFound,
        BollardError::DockerResponseServerError { .. }
        | BollardError::DockerStreamError { .. }
        | BollardError::DockerContainerWaitError { .. } => ErrorKind::Other,
        BollardError::RequestTimeoutError => ErrorKind::Connection,
        other => {
            let text = other.to_string().to_lowercase();
            if text.contains("connect")
                || text.contains("hyper")
                || text.contains("broken pipe")
                || text.contains("socket")
                || text.contains("eof")
            {
                ErrorKind::Connection
            } else {
                ErrorKind::Other
            }
        }
    };
    let message = match e {
        BollardError::DockerResponseServerError { message, .. } => message,
        BollardError::DockerStreamError { error } => error,
        other => other.to_string(),
    };
    EngineError {
        op,
        target: target.to_string(),
        message,
        kind,
    }
}

impl Engine for DockerEngine {
    async fn info(&self) -> EngineResult<DaemonInfo> {
        let info = self
            .docker
            .info()
            .await
            .map_err(|e| classify("info", &self.endpoint, e))?;
        let version = self
            .docker
            .version()
            .await
            .map_err(|e| classify("version", &self.endpoint, e))?;
        Ok(DaemonInfo {
            version: version.version.unwrap_or_default(),
            api_version: self.docker.client_version().to_string(),
            storage_driver: info.driver.unwrap_or_default(),
            kernel: info.kernel_version.unwrap_or_default(),
            cpus: info.ncpu.unwrap_or(0).max(0) as u32,
            memory_bytes: info.mem_total.unwrap_or(0).max(0) as u64,
        })
    }

    async fn pull(&self, image: &str) -> EngineResult<PullReport> {
        let options = CreateImageOptionsBuilder::default()
            .from_image(image)
            .build();
        let mut stream = self.docker.create_image(Some(options), None, None);
        let mut progress = PullProgress::default();
        while let Some(event) = stream.next().await {
            let event = event.map_err(|e| {
                let mut err = classify("pull", image, e);
                let pending = progress.pending();
                if !pending.is_empty() {
                    err.message = format!(
                        "{} (layers not pulled: {})",
                        err.message,
                        pending.join(", ")
                    );
                }
                err
            })?;
            let total = event.progress_detail.as_ref().and_then(|d| d.total);
            progress.record(
                event.id.as_deref(),
                event.status.as_deref().unwrap_or(""),
                total,
                Instant::now(),
            );
        }
        Ok(progress.finish())
    }

    async fn local_image(&self, image: &str) -> EngineResult<Option<LocalImage>> {
        match self.docker.inspect_image(image).await {
            Ok(i) => Ok(Some(local_image_of(&i))),
            Err(e) => {
                let err = classify("inspect image", image, e);
                if err.kind == ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn child_images(&self) -> EngineResult<Vec<ChildImage>> {
        let options = ListImagesOptionsBuilder::default().all(true).build();
        let images = self
            .docker
            .list_images(Some(options))
            .await
            .map_err(|e| classify("list", "local images", e))?;
        Ok(images
            .into_iter()
            .filter(|i| !i.parent_id.is_empty())
            .map(|i| ChildImage {
                name: i.repo_tags.first().cloned().unwrap_or_else(|| i.id.clone()),
                id: i.id,
                parent_id: i.parent_id,
            })
            .collect())
    }

    async fn remove_image(&self, image: &str) -> EngineResult<()> {
        let options = RemoveImageOptionsBuilder::default().force(true).build();
        match self.docker.remove_image(image, Some(options), None).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let err = classify("remove image", image, e);
                if err.kind == ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn tag_image(&self, source: &str, target: &str) -> EngineResult<()> {
        let (repo, tag) = split_tag(target);
        let options = TagImageOptionsBuilder::default()
            .repo(repo)
            .tag(tag)
            .build();
        self.docker
            .tag_image(source, Some(options))
            .await
            .map_err(|e| classify("tag image", &format!("{source} as {target}"), e))
    }

    async fn push_image(&self, image: &str) -> EngineResult<()> {
        let (repo, tag) = split_tag(image);
        let options = PushImageOptionsBuilder::default().tag(tag).build();
        self.docker
            .push_image(repo, Some(options), None)
            .try_collect::<Vec<_>>()
            .await
            .map_err(|e| classify("push", image, e))?;
        Ok(())
    }

    async fn create_container(&self, spec: &ContainerSpec) -> EngineResult<String> {
        let body = ContainerCreateBody {
            image: Some(spec.image.clone()),
            entrypoint: spec.entrypoint.clone(),
            cmd: spec.cmd.clone(),
            env: (!spec.env.is_empty()).then(|| spec.env.clone()),
            user: spec.user.clone(),
            labels: Some(spec.labels.clone()),
            attach_stdout: Some(true),
            attach_stderr: Some(true),
            host_config: Some(HostConfig {
                network_mode: Some(spec.network.clone()),
                memory: spec.memory_bytes.map(|m| m as i64),
                nano_cpus: spec.nano_cpus.map(|c| c as i64),
                pids_limit: spec.pids_limit.map(i64::from),
                privileged: Some(spec.privileged),
                binds: (!spec.binds.is_empty()).then(|| spec.binds.clone()),
                cap_add: (!spec.cap_add.is_empty()).then(|| spec.cap_add.clone()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let options = CreateContainerOptionsBuilder::default()
            .name(&spec.name)
            .build();
        let created = self
            .docker
            .create_container(Some(options), body)
            .await
            .map_err(|e| classify("create container from", &spec.image, e))?;
        Ok(created.id)
    }

    async fn attach_output(&self, id: &str) -> EngineResult<OutputStream> {
        let options = AttachContainerOptionsBuilder::default()
            .stream(true)
            .stdout(true)
            .stderr(true)
            .logs(true)
            .build();
        let attached = self
            .docker
            .attach_container(id, Some(options))
            .await
            .map_err(|e| classify("attach to", id, e))?;
        let target = id.to_string();
        Ok(attached
            .output
            .map(move |chunk| {
                chunk
                    .map(|c| c.into_bytes())
                    .map_err(|e| classify("read output of", &target, e))
            })
            .boxed())
    }

    async fn start_container(&self, id: &str) -> EngineResult<()> {
        self.docker
            .start_container(id, None::<bollard::query_parameters::StartContainerOptions>)
            .await
            .map_err(|e| classify("start container", id, e))
    }

    async fn wait_exit(&self, id: &str) -> EngineResult<i64> {
        let options = WaitContainerOptionsBuilder::default()
            .condition("not-running")
            .build();
        let mut stream = self.docker.wait_container(id, Some(options));
        match stream.next().await {
            Some(Ok(r)) => Ok(r.status_code),
            Some(Err(BollardError::DockerContainerWaitError { code, .. })) => Ok(code),
            Some(Err(e)) => Err(classify("wait for", id, e)),
            None => Err(EngineError {
                op: "wait for",
                target: id.to_string(),
                message: "the daemon closed the wait without an exit code".into(),
                kind: ErrorKind::Connection,
            }),
        }
    }

    async fn logs_tail(&self, id: &str, lines: u32) -> EngineResult<String> {
        let options = LogsOptionsBuilder::default()
            .stdout(true)
            .stderr(true)
            .tail(&lines.to_string())
            .build();
        let chunks: Vec<_> = self
            .docker
            .logs(id, Some(options))
            .try_collect()
            .await
            .map_err(|e| classify("read logs of", id, e))?;
        let mut text = String::new();
        for c in chunks {
            text.push_str(&String::from_utf8_lossy(&c.into_bytes()));
        }
        Ok(text)
    }

    async fn remove_container(&self, id: &str) -> EngineResult<()> {
        let options = RemoveContainerOptionsBuilder::default()
            .force(true)
            .v(true)
            .build();
        match self.docker.remove_container(id, Some(options)).await {
            Ok(()) => Ok(()),
            Err(e) => {
                let err = classify("remove container", id, e);
                // Already gone, or already being removed: nothing left to do.
                if err.kind == ErrorKind::NotFound || err.message.contains("already in progress") {
                    Ok(())
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn containers_labelled(
        &self,
        key: &str,
        value: Option<&str>,
    ) -> EngineResult<Vec<LabelledContainer>> {
        let filter = match value {
            Some(v) => format!("{key}={v}"),
            None => key.to_string(),
        };
        let filters = HashMap::from([("label".to_string(), vec![filter])]);
        let options = ListContainersOptionsBuilder::default()
            .all(true)
            .filters(&filters)
            .build();
        let list = self
            .docker
            .list_containers(Some(options))
            .await
            .map_err(|e| classify("list containers labelled", key, e))?;
        Ok(list
            .into_iter()
            .filter_map(|c| {
                Some(LabelledContainer {
                    id: c.id?,
                    labels: c.labels.unwrap_or_default(),
                })
            })
            .collect())
    }
}

/// The project's view of an inspected image.
pub(super) fn local_image_of(i: &ImageInspect) -> LocalImage {
    LocalImage {
        id: i.id.clone().unwrap_or_default(),
        tags: i.repo_tags.clone().unwrap_or_default(),
        size_bytes: i.size.unwrap_or(0).max(0) as u64,
        layers: i
            .root_fs
            .as_ref()
            .and_then(|r| r.layers.as_ref())
            .map_or(0, |l| l.len() as u32),
    }
}

/// Splits `repo:tag` (the tag after the last colon that is not part of a host:port).
fn split_tag(reference: &str) -> (&str, &str) {
    match reference.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, tag),
        _ => (reference, "latest"),
    }
}

#[cfg(test)]
mod tests {
    use super::split_tag;

    #[test]
    fn splits_tags_but_not_ports() {
        assert_eq!(split_tag("a/b:1"), ("a/b", "1"));
        assert_eq!(
            split_tag("127.0.0.1:5000/a/b"),
            ("127.0.0.1:5000/a/b", "latest")
        );
        assert_eq!(split_tag("127.0.0.1:5000/a:x"), ("127.0.0.1:5000/a", "x"));
    }
}
