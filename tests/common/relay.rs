//! A Unix-socket relay in front of the Docker daemon whose connections a test can cut:
//! all at once, or the next request that matches a method and path prefix.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinHandle;

/// The relay: listens on its own socket, forwards to the daemon's.
pub struct Relay {
    path: PathBuf,
    state: Arc<Mutex<State>>,
    accept: JoinHandle<()>,
}

#[derive(Default)]
struct State {
    connections: Vec<JoinHandle<()>>,
    /// Requests whose connection is dropped.
    traps: Vec<Trap>,
    /// How many requests the traps caught.
    caught: usize,
}

impl Relay {
    /// Starts a relay at `dir/docker.sock` in front of `/var/run/docker.sock`.
    pub fn start(dir: &Path) -> Relay {
        let path = dir.join("docker.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let shared2 = shared.clone();
                let task = tokio::spawn(async move {
                    if let Ok(daemon) = UnixStream::connect("/var/run/docker.sock").await {
                        relay(client, daemon, shared2).await;
                    }
                });
                shared.lock().unwrap().connections.push(task);
            }
        });
        Relay {
            path,
            state,
            accept,
        }
    }

    /// `DOCKER_HOST` for the relay.
    pub fn docker_host(&self) -> String {
        format!("unix://{}", self.path.display())
    }

    /// Drops every open connection (new ones are still accepted).
    pub fn cut_all(&self) {
        for task in self.state.lock().unwrap().connections.drain(..) {
            task.abort();
        }
    }

    /// Drops the connection of a request whose method is `method` and whose target
    /// contains `needle`, after letting `skip` such requests through; with `after`, the
    /// request is forwarded and its connection dropped that long after.
    pub fn trap(&self, method: &str, needle: &str, skip: usize, after: Option<Duration>) {
        self.state.lock().unwrap().traps.push(Trap {
            method: method.to_string(),
            needle: needle.to_string(),
            skip,
            after,
        });
    }

    /// How many requests traps caught so far.
    pub fn caught(&self) -> usize {
        self.state.lock().unwrap().caught
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut_all();
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A request to catch.
struct Trap {
    method: String,
    needle: String,
    skip: usize,
    after: Option<Duration>,
}

/// What to do with a request.
enum Verdict {
    Forward,
    Drop,
    DropAfter(Duration),
}

/// Copies daemon -> client as is; client -> daemon request by request, checking traps.
async fn relay(client: UnixStream, daemon: UnixStream, state: Arc<Mutex<State>>) {
    let (mut client_r, mut client_w) = client.into_split();
    let (mut daemon_r, mut daemon_w) = daemon.into_split();
    let down = tokio::spawn(async move {
        let _ = tokio::io::copy(&mut daemon_r, &mut client_w).await;
        let _ = client_w.shutdown().await;
    });
    loop {
        let Some(head) = read_head(&mut client_r).await else {
            break;
        };
        let text = String::from_utf8_lossy(&head).to_string();
        let verdict = judge(&text, &state);
        if matches!(verdict, Verdict::Drop) {
            break;
        }
        if daemon_w.write_all(&head).await.is_err() {
            break;
        }
        if let Verdict::DropAfter(delay) = verdict {
            let _ = forward_body(&text, &mut client_r, &mut daemon_w).await;
            tokio::time::sleep(delay).await;
            break;
        }
        if forward_body(&text, &mut client_r, &mut daemon_w)
            .await
            .is_err()
        {
            break;
        }
    }
    down.abort();
}

fn judge(head: &str, state: &Arc<Mutex<State>>) -> Verdict {
    let mut parts = head.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let mut state = state.lock().unwrap();
    let Some(i) = state
        .traps
        .iter()
        .position(|t| t.method == method && target.contains(t.needle.as_str()))
    else {
        return Verdict::Forward;
    };
    if state.traps[i].skip > 0 {
        state.traps[i].skip -= 1;
        return Verdict::Forward;
    }
    let trap = state.traps.remove(i);
    state.caught += 1;
    match trap.after {
        Some(d) => Verdict::DropAfter(d),
        None => Verdict::Drop,
    }
}

async fn read_head<R: AsyncRead + Unpin>(r: &mut R) -> Option<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if r.read(&mut byte).await.ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(head)
}

async fn forward_body<R, W>(head: &str, r: &mut R, w: &mut W) -> std::io::Result<()>
where
    R: AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim().to_string())
    };
    if let Some(len) = header("content-length").and_then(|v| v.parse::<u64>().ok()) {
        let mut body = r.take(len);
        tokio::io::copy(&mut body, w).await?;
    } else if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
        // Forward chunks until the terminating zero-size chunk.
        let mut tail = Vec::new();
        let mut byte = [0u8; 1];
        while !tail.ends_with(b"\r\n0\r\n\r\n") && tail != b"0\r\n\r\n" {
            if r.read(&mut byte).await? == 0 {
                break;
            }
            w.write_all(&byte).await?;
            tail.push(byte[0]);
            if tail.len() > 8 {
                tail.remove(0);
            }
        }
    }
    Ok(())
}
