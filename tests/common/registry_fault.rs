//! An HTTP proxy in front of a real registry that injects faults into pulls: a 500
//! answer, a corrupted blob, or the registry going away in the middle of a blob.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The fault to inject into the first request that matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer `500 Internal Server Error`.
    Status500,
    /// Forward the answer with one byte of its body flipped.
    Corrupt,
    /// Forward half of the body, then stop listening for good (the registry died).
    Die,
}

/// The proxy; one request per connection (it answers with `Connection: close`).
pub struct FaultProxy {
    addr: SocketAddr,
    state: Arc<Mutex<Rule>>,
    accept: JoinHandle<()>,
}

#[derive(Debug, Default)]
struct Rule {
    /// The fault, the path needle, and how many matching requests to let through first.
    fault: Option<(Fault, String, usize)>,
    caught: usize,
    dead: bool,
}

impl FaultProxy {
    /// Starts a proxy on 127.0.0.1 in front of `upstream`.
    pub async fn start(upstream: SocketAddr) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(Rule::default()));
        let shared = state.clone();
        let accept = tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    break;
                };
                if shared.lock().unwrap().dead {
                    break; // dropping the listener: connections are refused from now on
                }
                let rule = shared.clone();
                tokio::spawn(async move {
                    let _ = serve(client, upstream, rule).await;
                });
            }
        });
        FaultProxy {
            addr,
            state,
            accept,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    /// Injects `fault` into a GET whose path contains `needle`, after letting `skip`
    /// such requests through.
    pub fn arm(&self, fault: Fault, needle: &str, skip: usize) {
        self.state.lock().unwrap().fault = Some((fault, needle.to_string(), skip));
    }

    /// How many requests got a fault.
    pub fn caught(&self) -> usize {
        self.state.lock().unwrap().caught
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    rule: Arc<Mutex<Rule>>,
) -> std::io::Result<()> {
    let head = read_head(&mut client).await?;
    let text = String::from_utf8_lossy(&head).to_string();
    let mut words = text.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let fault = {
        let mut r = rule.lock().unwrap();
        let mut hit = false;
        if let Some((_, needle, skip)) = &mut r.fault {
            if method == "GET" && path.contains(needle.as_str()) {
                if *skip == 0 {
                    hit = true;
                } else {
                    *skip -= 1;
                }
            }
        }
        if hit {
            r.caught += 1;
            r.fault.take().map(|(f, _, _)| f)
        } else {
            None
        }
    };
    if fault == Some(Fault::Status500) {
        let body = r#"{"errors":[{"code":"UNKNOWN","message":"injected failure"}]}"#;
        let answer = format!(
            "HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        return client.write_all(answer.as_bytes()).await;
    }
    let mut server = TcpStream::connect(upstream).await?;
    server.write_all(&close_connection(&text)).await?;
    let answer_head = read_head(&mut server).await?;
    client.write_all(&answer_head).await?;
    let length = String::from_utf8_lossy(&answer_head)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok());
    let mut body = Vec::new();
    server.read_to_end(&mut body).await?;
    match fault {
        Some(Fault::Corrupt) if !body.is_empty() => {
            let i = body.len() / 2;
            body[i] ^= 0xff;
            client.write_all(&body).await
        }
        Some(Fault::Die) => {
            let half = length.unwrap_or(body.len()) / 2;
            client.write_all(&body[..half.min(body.len())]).await?;
            rule.lock().unwrap().dead = true;
            // Wake the accept loop so it drops the listener now.
            let _ = TcpStream::connect(client.local_addr()?).await;
            Ok(())
        }
        _ => client.write_all(&body).await,
    }
}

/// The request head with `Connection: close` instead of keep-alive.
fn close_connection(head: &str) -> Vec<u8> {
    let mut out = String::new();
    for line in head.trim_end().split("\r\n") {
        if !line.to_ascii_lowercase().starts_with("connection:") {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

async fn read_head<R: AsyncRead + Unpin>(r: &mut R) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if r.read(&mut byte).await? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    Ok(head)
}
