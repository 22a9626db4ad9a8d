//! The link emulator against a real TCP server on 127.0.0.1: its timing accuracy, its one
//! bucket for parallel connections, its counters, and that it leaves nothing behind.
//!
//! `cargo test --test link_proxy -- --nocapture` prints the measured deviations.

use imagebench::registry::link::LinkSpec;
use imagebench::registry::proxy::{LinkCounters, LinkProxy};
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;
use tokio::time::{timeout, Instant};

const MIB: u64 = 1024 * 1024;

/// A server on 127.0.0.1 that reads a request line `<up> <down>\n`, then `up` bytes, then
/// answers with `down` bytes and closes.
async fn server() -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                let _ = answer(socket).await;
            });
        }
    });
    (addr, task)
}

async fn answer(socket: TcpStream) -> io::Result<()> {
    let mut socket = BufReader::new(socket);
    let mut line = String::new();
    socket.read_line(&mut line).await?;
    let mut words = line
        .split_whitespace()
        .map(|w| w.parse::<u64>().unwrap_or(0));
    let (up, down) = (words.next().unwrap_or(0), words.next().unwrap_or(0));
    let read = tokio::io::copy(&mut (&mut socket).take(up), &mut tokio::io::sink()).await?;
    assert_eq!(read, up, "server got fewer request bytes than announced");
    let block = vec![0x5a_u8; 64 * 1024];
    let mut left = down;
    while left > 0 {
        let n = left.min(block.len() as u64) as usize;
        socket.write_all(&block[..n]).await?;
        left -= n as u64;
    }
    socket.shutdown().await
}

/// The request line a client sends.
fn request(up: u64, down: u64) -> String {
    format!("{up} {down}\n")
}

/// Connects through `proxy`, sends `up` bytes after the request line, reads the answer to
/// the end. Returns the bytes received and the time from before the connect to the end.
async fn fetch(proxy: SocketAddr, up: u64, down: u64) -> (u64, Duration) {
    let start = Instant::now();
    let mut socket = TcpStream::connect(proxy).await.unwrap();
    socket
        .write_all(request(up, down).as_bytes())
        .await
        .unwrap();
    socket.write_all(&vec![7_u8; up as usize]).await.unwrap();
    let got = tokio::io::copy(&mut socket, &mut tokio::io::sink())
        .await
        .unwrap();
    (got, start.elapsed())
}

/// `20mbit/20ms`: 2.5 MB/s, 20 ms round trip.
fn slow_link() -> LinkSpec {
    LinkSpec::parse("20mbit/20ms").unwrap()
}

/// Model time of a request on a fresh connection: the handshake's round trip, the request's
/// and answer's round trip, the answer's bytes at the bandwidth.
fn model(spec: LinkSpec, down_bytes: u64) -> Duration {
    spec.rtt * 2 + Duration::from_secs_f64(down_bytes as f64 / spec.bytes_per_sec)
}

/// Asserts `measured` is within 10 % + 30 ms of `expected` and prints the deviation.
fn check_accuracy(what: &str, measured: Duration, expected: Duration) {
    let deviation = measured.as_secs_f64() - expected.as_secs_f64();
    let allowed = expected.as_secs_f64() * 0.10 + 0.030;
    eprintln!(
        "link accuracy, {what}: measured {:.1} ms, model {:.1} ms, deviation {:+.1} ms ({:+.2} %)",
        measured.as_secs_f64() * 1e3,
        expected.as_secs_f64() * 1e3,
        deviation * 1e3,
        deviation / expected.as_secs_f64() * 100.0
    );
    assert!(
        deviation.abs() <= allowed,
        "{what}: measured {measured:?}, model {expected:?}: off by more than 10 % + 30 ms"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_connection_takes_bytes_over_bandwidth_plus_delay() {
    let (upstream, _server) = server().await;
    let spec = slow_link();
    let proxy = LinkProxy::start(upstream, spec).await.unwrap();
    assert!(proxy.is_throttled(), "a new proxy is throttled");
    assert!(proxy.addr().ip().is_loopback());

    let down = 4 * MIB;
    let (got, elapsed) = fetch(proxy.addr(), 0, down).await;
    assert_eq!(got, down);
    check_accuracy("1 x 4 MiB at 20mbit/20ms", elapsed, model(spec, down));
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_connections_share_one_bucket() {
    let (upstream, _server) = server().await;
    let spec = slow_link();
    let proxy = LinkProxy::start(upstream, spec).await.unwrap();

    let per_connection = MIB;
    let start = Instant::now();
    let fetches: Vec<_> = (0..4)
        .map(|_| tokio::spawn(fetch(proxy.addr(), 0, per_connection)))
        .collect();
    let mut each = Vec::new();
    for f in fetches {
        let (got, elapsed) = f.await.unwrap();
        assert_eq!(got, per_connection);
        each.push(elapsed);
    }
    let total = start.elapsed();
    eprintln!(
        "link accuracy, 4 x 1 MiB in parallel: each connection took {:?} ms",
        each.iter().map(|d| d.as_millis()).collect::<Vec<_>>()
    );
    check_accuracy(
        "4 x 1 MiB in parallel at 20mbit/20ms",
        total,
        model(spec, 4 * per_connection),
    );
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_connections_at_100mbit() {
    let (upstream, _server) = server().await;
    let spec = LinkSpec::parse("100mbit/20ms").unwrap();
    let proxy = LinkProxy::start(upstream, spec).await.unwrap();

    let per_connection = 2 * MIB;
    let start = Instant::now();
    let fetches: Vec<_> = (0..4)
        .map(|_| tokio::spawn(fetch(proxy.addr(), 0, per_connection)))
        .collect();
    for f in fetches {
        assert_eq!(f.await.unwrap().0, per_connection);
    }
    check_accuracy(
        "4 x 2 MiB in parallel at 100mbit/20ms",
        start.elapsed(),
        model(spec, 4 * per_connection),
    );
    assert_eq!(proxy.stop().await.bytes_down, 4 * per_connection);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upstream_direction_is_shaped_too() {
    let (upstream, _server) = server().await;
    let spec = slow_link();
    let proxy = LinkProxy::start(upstream, spec).await.unwrap();

    // 1 MiB up, a 1-byte answer: the upload's bytes at the bandwidth plus the delays.
    let up = MIB;
    let (got, elapsed) = fetch(proxy.addr(), up, 1).await;
    assert_eq!(got, 1);
    check_accuracy("1 MiB up at 20mbit/20ms", elapsed, model(spec, up));
    proxy.stop().await;
}

#[tokio::test]
async fn counters_count_exactly_the_bytes_that_passed() {
    let (upstream, _server) = server().await;
    let proxy = LinkProxy::start(upstream, LinkSpec::parse("1gbit/1ms").unwrap())
        .await
        .unwrap();

    let exchanges = [(0, 12_345), (100_000, 1), (3, 1_000_000), (0, 0)];
    let mut want = LinkCounters::default();
    for (up, down) in exchanges {
        let (got, _) = fetch(proxy.addr(), up, down).await;
        assert_eq!(got, down);
        want.bytes_up += request(up, down).len() as u64 + up;
        want.bytes_down += down;
    }
    // The client saw the end of every answer, so every answer byte has been counted.
    assert_eq!(proxy.bytes_down(), want.bytes_down);

    // Taking resets; stop returns what came after.
    let first = proxy.take_counters();
    assert_eq!(proxy.bytes_down(), 0);
    let (got, _) = fetch(proxy.addr(), 10, 777).await;
    assert_eq!(got, 777);
    let second = proxy.stop().await;
    assert_eq!(first.bytes_down, want.bytes_down);
    assert_eq!(
        first.bytes_up + second.bytes_up,
        want.bytes_up + request(10, 777).len() as u64 + 10
    );
    assert_eq!(second.bytes_down, 777);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unthrottled_runs_at_loopback_speed_and_can_be_throttled_again() {
    let (upstream, _server) = server().await;
    // 1 Mbit/s and 200 ms: 4 MiB would take over 30 s throttled.
    let spec = LinkSpec::parse("1mbit/200ms").unwrap();
    let proxy = LinkProxy::start(upstream, spec).await.unwrap();

    proxy.set_throttled(false);
    assert!(!proxy.is_throttled());
    let (got, elapsed) = fetch(proxy.addr(), 0, 4 * MIB).await;
    assert_eq!(got, 4 * MIB);
    assert!(
        elapsed < Duration::from_secs(2),
        "unthrottled took {elapsed:?}"
    );
    eprintln!("link unthrottled: 4 MiB in {elapsed:?}");

    proxy.set_throttled(true);
    let (got, elapsed) = fetch(proxy.addr(), 0, 12_500).await;
    assert_eq!(got, 12_500);
    check_accuracy("12.5 kB at 1mbit/200ms", elapsed, model(spec, 12_500));
    assert_eq!(proxy.stop().await.bytes_down, 4 * MIB + 12_500);
}

/// Reads until the connection ends (end of stream or error); fails after 2 s.
async fn ends_soon(mut socket: TcpStream) {
    let mut buf = [0_u8; 1024];
    let ended = timeout(Duration::from_secs(2), async {
        loop {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the connection is still open 2 s later");
}

/// A client connection through the proxy, waiting on an answer that never comes (the server
/// waits for the rest of the request line).
async fn idle_connection(proxy: SocketAddr) -> TcpStream {
    let mut socket = TcpStream::connect(proxy).await.unwrap();
    socket.write_all(b"0 ").await.unwrap();
    socket
}

#[tokio::test]
async fn stop_ends_connections_and_stops_accepting() {
    let (upstream, _server) = server().await;
    let proxy = LinkProxy::start(upstream, slow_link()).await.unwrap();
    let addr = proxy.addr();
    let open = idle_connection(addr).await;
    // Let the connection reach the upstream (one round trip).
    tokio::time::sleep(Duration::from_millis(100)).await;

    proxy.stop().await;
    ends_soon(open).await;
    let refused = TcpStream::connect(addr).await;
    assert!(refused.is_err(), "the proxy still accepts after stop");
}

#[tokio::test]
async fn drop_ends_connections_and_stops_accepting() {
    let (upstream, _server) = server().await;
    let proxy = LinkProxy::start(upstream, slow_link()).await.unwrap();
    let addr = proxy.addr();
    let open = idle_connection(addr).await;
    tokio::time::sleep(Duration::from_millis(100)).await;

    drop(proxy);
    ends_soon(open).await;
    assert!(TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn unreachable_upstream_closes_the_client_and_says_why() {
    // A port that was free a moment ago: nothing listens there.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let proxy = LinkProxy::start(dead, LinkSpec::parse("1gbit/1ms").unwrap())
        .await
        .unwrap();
    assert_eq!(proxy.upstream_error(), None);
    let socket = TcpStream::connect(proxy.addr()).await.unwrap();
    ends_soon(socket).await;
    let error = proxy.upstream_error().expect("the failure is recorded");
    assert!(error.contains(&dead.to_string()), "{error}");
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_client_ends_only_its_connection() {
    let (upstream, _server) = server().await;
    let proxy = LinkProxy::start(upstream, LinkSpec::parse("100mbit/2ms").unwrap())
        .await
        .unwrap();

    // Ask for a lot, read a little, then close with unread data: the kernel sends a reset.
    let mut socket = TcpStream::connect(proxy.addr()).await.unwrap();
    socket
        .write_all(request(0, 64 * MIB).as_bytes())
        .await
        .unwrap();
    let mut buf = vec![0_u8; 1024];
    socket.read_exact(&mut buf).await.unwrap();
    drop(socket);

    // The proxy goes on serving.
    let (got, _) = fetch(proxy.addr(), 0, 100_000).await;
    assert_eq!(got, 100_000);
    proxy.stop().await;
}

#[tokio::test]
async fn rejects_a_link_without_bandwidth() {
    let spec = LinkSpec {
        bytes_per_sec: 0.0,
        rtt: Duration::from_millis(1),
    };
    let upstream: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let error = LinkProxy::start(upstream, spec).await.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
}
