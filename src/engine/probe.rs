//! Readiness probes: exit code, log line, HTTP answer, TCP connect.
//!
//! Probes never spin: network probes sleep between attempts, log probes wait on the
//! container's output stream, exit probes wait on the daemon's wait call.

use super::{EngineResult, OutputStream};
use crate::scenario::Ready;
use futures_util::StreamExt;
use regex::Regex;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use tokio::time::{Instant, Sleep};

/// Shortest pause between two attempts of a network probe.
const MIN_POLL: Duration = Duration::from_millis(1);
/// Longest pause between two attempts of a network probe.
const MAX_POLL: Duration = Duration::from_millis(10);

/// The pause after a failed attempt: 2% of the time waited so far, within 1-10 ms, so the
/// error of the measured time stays near 2% while the probe's CPU use falls as it waits.
pub fn poll_interval(waited: Duration) -> Duration {
    (waited / 50).clamp(MIN_POLL, MAX_POLL)
}
/// Longest partial line buffered while looking for a match.
const MAX_PARTIAL: usize = 64 * 1024;

/// How a readiness wait ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeEnd {
    /// The probe succeeded.
    Ready,
    /// The container exited first (or with another code than expected).
    Exited(i64),
    /// The deadline passed.
    TimedOut,
    /// Talking to the daemon failed while waiting.
    Failed(String),
}

/// Waits until `ready` holds, the container exits (`exit`), or `deadline` passes.
///
/// `output` must be the attached output stream for log probes; other probes ignore it.
pub async fn wait_ready<X>(
    ready: &Ready,
    output: Option<OutputStream>,
    exit: X,
    deadline: Instant,
) -> ProbeEnd
where
    X: Future<Output = EngineResult<i64>> + Send,
{
    let timeout = tokio::time::sleep_until(deadline);
    tokio::pin!(exit, timeout);
    match ready {
        Ready::Exit(expected) => tokio::select! {
            code = &mut exit => exit_end(code, Some(*expected)),
            _ = &mut timeout => ProbeEnd::TimedOut,
        },
        Ready::Log(text) => watch_output(output, LogMatcher::text(text), exit, timeout).await,
        Ready::LogRegex(re) => {
            watch_output(output, LogMatcher::pattern(re.regex()), exit, timeout).await
        }
        Ready::Http(_) | Ready::Tcp(_) => {
            let poll = async {
                let began = Instant::now();
                loop {
                    if attempt(ready).await {
                        return;
                    }
                    tokio::time::sleep(poll_interval(began.elapsed())).await;
                }
            };
            tokio::select! {
                _ = poll => ProbeEnd::Ready,
                code = &mut exit => exit_end(code, None),
                _ = &mut timeout => ProbeEnd::TimedOut,
            }
        }
    }
}

/// Feeds the container's output to `matcher` until it matches, the output ends (then the
/// exit code decides) or the deadline passes.
async fn watch_output<X: Future<Output = EngineResult<i64>>>(
    output: Option<OutputStream>,
    mut matcher: LogMatcher,
    mut exit: Pin<&mut X>,
    mut timeout: Pin<&mut Sleep>,
) -> ProbeEnd {
    let Some(mut output) = output else {
        return ProbeEnd::Failed("log probe without the container's output".into());
    };
    loop {
        tokio::select! {
            chunk = output.next() => match chunk {
                Some(Ok(bytes)) => if matcher.feed(&bytes) { return ProbeEnd::Ready },
                Some(Err(e)) => return ProbeEnd::Failed(e.to_string()),
                // Output ends when the container exits: the exit call gives the code.
                None => return tokio::select! {
                    code = &mut exit => exit_end(code, None),
                    _ = &mut timeout => ProbeEnd::TimedOut,
                },
            },
            _ = &mut timeout => return ProbeEnd::TimedOut,
        }
    }
}

fn exit_end(code: EngineResult<i64>, expected: Option<i64>) -> ProbeEnd {
    match code {
        Ok(c) if Some(c) == expected => ProbeEnd::Ready,
        Ok(c) => ProbeEnd::Exited(c),
        Err(e) => ProbeEnd::Failed(e.to_string()),
    }
}

/// One attempt of a network probe.
async fn attempt(ready: &Ready) -> bool {
    match ready {
        Ready::Tcp(target) => tokio::net::TcpStream::connect(target.addr()).await.is_ok(),
        Ready::Http(url) => {
            let Ok(parts) = url.parts() else { return false };
            let ip = if parts.host == "localhost" {
                "127.0.0.1".to_string()
            } else {
                parts.host.clone()
            };
            let Ok(ip) = ip.parse::<std::net::IpAddr>() else {
                return false;
            };
            let addr = std::net::SocketAddr::new(ip, parts.port);
            match crate::http::get(
                addr,
                &parts.host,
                &parts.path,
                &[],
                0,
                Duration::from_secs(2),
            )
            .await
            {
                Ok(r) => (200..400).contains(&r.status),
                Err(_) => false,
            }
        }
        _ => false,
    }
}

/// Looks for the ready line in a container's output, with bounded memory.
#[derive(Debug)]
pub struct LogMatcher {
    needle: Needle,
    partial: Vec<u8>,
}

#[derive(Debug)]
enum Needle {
    Text(String),
    Pattern(Regex),
}

impl LogMatcher {
    /// A matcher for a `log` probe: a line contains `text`.
    pub fn text(text: &str) -> LogMatcher {
        LogMatcher {
            needle: Needle::Text(text.to_string()),
            partial: Vec::new(),
        }
    }

    /// A matcher for a `log_regex` probe: a line matches `pattern` (compiled already).
    pub fn pattern(pattern: &Regex) -> LogMatcher {
        LogMatcher {
            needle: Needle::Pattern(pattern.clone()),
            partial: Vec::new(),
        }
    }

    /// Feeds a chunk of output; true once the needle has been seen.
    pub fn feed(&mut self, chunk: &[u8]) -> bool {
        let mut found = false;
        for &b in chunk {
            if b == b'\n' {
                found |= self.check_partial();
                self.partial.clear();
            } else if self.partial.len() < MAX_PARTIAL {
                self.partial.push(b);
            }
        }
        found || self.check_partial()
    }

    fn check_partial(&self) -> bool {
        let line = String::from_utf8_lossy(&self.partial);
        match &self.needle {
            Needle::Text(t) => line.contains(t.as_str()),
            Needle::Pattern(re) => re.is_match(&line),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_text_across_chunks() {
        let mut m = LogMatcher::text("listening on");
        assert!(!m.feed(b"starting\nlisten"));
        assert!(m.feed(b"ing on 8080\n"));
    }

    #[test]
    fn regex_matches_a_line() {
        let mut m = LogMatcher::pattern(&Regex::new(r"^ready in \d+ms$").unwrap());
        assert!(!m.feed(b"ready in soon\n"));
        assert!(m.feed(b"ready in 12ms\n"));
    }

    #[test]
    fn memory_stays_bounded() {
        let mut m = LogMatcher::text("never");
        let big = vec![b'x'; 1 << 20];
        for _ in 0..8 {
            assert!(!m.feed(&big));
            assert!(!m.feed(b"\n"));
        }
        assert!(m.partial.len() <= MAX_PARTIAL);
    }

    #[tokio::test]
    async fn tcp_probe_sees_a_listener_and_exit_wins_otherwise() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let ready = Ready::Tcp(crate::scenario::TcpTarget::parse(&port.to_string()).unwrap());
        let deadline = Instant::now() + Duration::from_secs(5);
        let never = std::future::pending::<EngineResult<i64>>();
        assert_eq!(
            wait_ready(&ready, None, never, deadline).await,
            ProbeEnd::Ready
        );
        drop(listener);
        let exited = async { Ok(3) };
        assert_eq!(
            wait_ready(&ready, None, exited, deadline).await,
            ProbeEnd::Exited(3)
        );
    }

    #[test]
    fn polling_slows_down_as_the_wait_grows() {
        assert_eq!(poll_interval(Duration::ZERO), MIN_POLL);
        assert_eq!(
            poll_interval(Duration::from_millis(200)),
            Duration::from_millis(4)
        );
        assert_eq!(poll_interval(Duration::from_secs(60)), MAX_POLL);
    }

    #[tokio::test]
    async fn probe_times_out() {
        let ready = Ready::Exit(0);
        let deadline = Instant::now() + Duration::from_millis(20);
        let never = std::future::pending::<EngineResult<i64>>();
        assert_eq!(
            wait_ready(&ready, None, never, deadline).await,
            ProbeEnd::TimedOut
        );
    }
}
