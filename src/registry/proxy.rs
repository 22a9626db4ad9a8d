//! The link emulator: a TCP proxy on 127.0.0.1 that makes loopback behave like a slower,
//! longer link (`--link 100mbit/20ms`) between the Docker daemon and the registry.
//!
//! The daemon pulls from `127.0.0.1:<proxy port>`; the proxy forwards every connection to the
//! registry and, while throttled, shapes the traffic:
//!
//! - **Bandwidth**: one token bucket per direction, shared by *all* connections, so the
//!   daemon's parallel layer downloads together never exceed the link's bandwidth. The link is
//!   modelled as full duplex, like a real Ethernet link or `tc` shaping on an interface: the
//!   downstream direction (registry -> daemon) and the upstream direction (daemon -> registry)
//!   each get the full bandwidth. Bursts are small (5 ms of bandwidth: 62.5 kB at 100 Mbit/s)
//!   and the bucket starts empty, so timing stays accurate. Waiting for tokens sleeps until
//!   they are due; nothing spins.
//! - **Delay**: every chunk is delivered half a round trip after the bucket let it go, in
//!   each direction, through a delay line that keeps the order and does not cut the
//!   throughput (chunks are timestamped into a queue; a writer sleeps until each one is due).
//!   Times are computed from the bucket's schedule, not from when a task happened to wake,
//!   so a busy CPU delays single chunks a little but does not add up over a transfer.
//!   A new connection reaches the registry one round trip after it was accepted, which stands
//!   in for the TCP handshake. A request and its `N`-byte answer on a fresh connection thus take
//!   about `2 * rtt + N / bandwidth`.
//! - **Not modelled**: TCP/IP header overhead (the bandwidth counts payload bytes), slow
//!   start, loss, and jitter.
//!
//! A new proxy is **throttled**: it exists to emulate the link, and forgetting to turn the
//! emulation on should not silently yield loopback numbers. Call
//! [`LinkProxy::set_throttled`]`(false)` to push images at full speed, then turn it back on
//! before measuring; the switch applies to data read after it, on open connections too.

use super::link::LinkSpec;
use bytes::{Bytes, BytesMut};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::{sleep, sleep_until, Instant};
use tokio_util::sync::CancellationToken;

/// Largest chunk read from a socket at once, hence the largest unit the bucket hands out.
const CHUNK_BYTES: usize = 16 * 1024;
/// Bucket capacity (the largest burst), as time at full bandwidth.
const BURST_TIME: Duration = Duration::from_millis(5);
/// How far ahead of the link a reader may take tokens: a reader woken a little late (a busy
/// CPU) then finds its next chunk already scheduled, and the link does not idle.
const READ_AHEAD: Duration = Duration::from_millis(10);
/// Bounds of the bytes a delay line may hold per connection and direction.
const MIN_IN_FLIGHT_BYTES: f64 = 1024.0 * 1024.0;
const MAX_IN_FLIGHT_BYTES: f64 = 64.0 * 1024.0 * 1024.0;
/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// Bytes that went through the proxy, counted when written to the other side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkCounters {
    /// Bytes written to clients (registry -> daemon).
    pub bytes_down: u64,
    /// Bytes written to the upstream (daemon -> registry).
    pub bytes_up: u64,
}

/// A running link-emulating TCP proxy on 127.0.0.1; see the [module docs](self).
///
/// Dropping it stops it too (the accept loop and every connection are aborted); prefer
/// [`LinkProxy::stop`], which also waits until they are gone.
#[derive(Debug)]
pub struct LinkProxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: CancellationToken,
    acceptor: Option<JoinHandle<()>>,
}

impl LinkProxy {
    /// Listens on a free port of 127.0.0.1 (never another address) and forwards every
    /// connection to `upstream` through a link shaped by `spec`. Starts throttled.
    ///
    /// Must be called within a tokio runtime. Fails if `spec` has no positive, finite
    /// bandwidth or if the port cannot be bound.
    pub async fn start(upstream: SocketAddr, spec: LinkSpec) -> io::Result<LinkProxy> {
        if !(spec.bytes_per_sec.is_finite() && spec.bytes_per_sec > 0.0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "link proxy: bandwidth must be a positive number of bytes per second, not {}",
                    spec.bytes_per_sec
                ),
            ));
        }
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| {
                io::Error::new(e.kind(), format!("link proxy: cannot bind 127.0.0.1: {e}"))
            })?;
        let addr = listener.local_addr()?;
        let now = Instant::now();
        let shared = Arc::new(Shared {
            spec,
            throttled: AtomicBool::new(true),
            down: Direction::new(spec.bytes_per_sec, now),
            up: Direction::new(spec.bytes_per_sec, now),
            in_flight_bytes: (2.0 * spec.bytes_per_sec * spec.rtt.as_secs_f64())
                .clamp(MIN_IN_FLIGHT_BYTES, MAX_IN_FLIGHT_BYTES)
                as usize,
            upstream_error: Mutex::new(None),
        });
        let shutdown = CancellationToken::new();
        let acceptor = tokio::spawn(accept_loop(
            listener,
            upstream,
            Arc::clone(&shared),
            shutdown.clone(),
        ));
        Ok(LinkProxy {
            addr,
            shared,
            shutdown,
            acceptor: Some(acceptor),
        })
    }

    /// The address clients connect to: `127.0.0.1:<port>`.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Turns the emulation (bandwidth and delay) on or off. Off, data passes at loopback
    /// speed; the counters count in both states.
    pub fn set_throttled(&self, throttled: bool) {
        self.shared.throttled.store(throttled, Ordering::Relaxed);
    }

    /// Whether the emulation is on (it is after [`LinkProxy::start`]).
    pub fn is_throttled(&self) -> bool {
        self.shared.throttled()
    }

    /// Bytes written to clients (registry -> daemon) since the start or the last
    /// [`LinkProxy::take_counters`].
    pub fn bytes_down(&self) -> u64 {
        self.shared.down.bytes.load(Ordering::Relaxed)
    }

    /// Bytes written to the upstream (daemon -> registry) since the start or the last
    /// [`LinkProxy::take_counters`].
    pub fn bytes_up(&self) -> u64 {
        self.shared.up.bytes.load(Ordering::Relaxed)
    }

    /// Reads both counters and sets them to zero. Each counter is read and reset atomically;
    /// the two are not one snapshot while data is flowing.
    pub fn take_counters(&self) -> LinkCounters {
        LinkCounters {
            bytes_down: self.shared.down.bytes.swap(0, Ordering::Relaxed),
            bytes_up: self.shared.up.bytes.swap(0, Ordering::Relaxed),
        }
    }

    /// The last failure to reach the upstream, if any (the client's connection was closed).
    /// Tells the caller why a pull through the proxy failed.
    pub fn upstream_error(&self) -> Option<String> {
        lock(&self.shared.upstream_error).clone()
    }

    /// Stops accepting, ends every open connection and waits until no task of the proxy is
    /// left. Returns the counters as [`LinkProxy::take_counters`] would, now final.
    pub async fn stop(mut self) -> LinkCounters {
        self.shutdown.cancel();
        if let Some(acceptor) = self.acceptor.take() {
            // The task only ends by returning, or by a panic that is not ours to re-raise.
            let _ = acceptor.await;
        }
        self.take_counters()
    }
}

impl Drop for LinkProxy {
    fn drop(&mut self) {
        self.shutdown.cancel();
        if let Some(acceptor) = self.acceptor.take() {
            // Aborting drops the accept loop's JoinSet, which aborts every connection.
            acceptor.abort();
        }
    }
}

/// State shared by the handle, the accept loop and the connections.
#[derive(Debug)]
struct Shared {
    spec: LinkSpec,
    throttled: AtomicBool,
    /// Registry -> daemon.
    down: Direction,
    /// Daemon -> registry.
    up: Direction,
    /// Bytes a delay line may hold (per connection and direction): twice the bandwidth-delay
    /// product, so the delay never limits throughput.
    in_flight_bytes: usize,
    upstream_error: Mutex<Option<String>>,
}

impl Shared {
    fn throttled(&self) -> bool {
        self.throttled.load(Ordering::Relaxed)
    }
}

/// One direction of the link: its bucket and its byte counter.
#[derive(Debug)]
struct Direction {
    bucket: Mutex<TokenBucket>,
    bytes: AtomicU64,
}

impl Direction {
    fn new(bytes_per_sec: f64, now: Instant) -> Direction {
        Direction {
            bucket: Mutex::new(TokenBucket::new(bytes_per_sec, now)),
            bytes: AtomicU64::new(0),
        }
    }

    /// Puts `bytes` onto the link; returns when they have left it (at the bandwidth, after
    /// everything taken before), without waiting.
    fn transmit(&self, bytes: usize) -> Instant {
        lock(&self.bucket).reserve(bytes, Instant::now())
    }
}

/// A token bucket that lends: a caller takes its tokens at once, possibly driving the level
/// below zero, and waits until the debt is paid back. Callers are thus served in arrival
/// order and the long-run rate is exact whatever the timer's resolution.
#[derive(Debug)]
struct TokenBucket {
    /// Bytes per second.
    rate: f64,
    /// Largest level, bytes: the burst.
    capacity: f64,
    /// Level at `stamp`, bytes; negative while callers wait.
    level: f64,
    stamp: Instant,
}

impl TokenBucket {
    /// An empty bucket, so that a transfer's first bytes are not a free burst.
    fn new(rate: f64, now: Instant) -> TokenBucket {
        TokenBucket {
            rate,
            capacity: rate * BURST_TIME.as_secs_f64(),
            level: 0.0,
            stamp: now,
        }
    }

    /// Takes `bytes` tokens at `now`; returns when the caller may send them.
    fn reserve(&mut self, bytes: usize, now: Instant) -> Instant {
        let elapsed = now.saturating_duration_since(self.stamp).as_secs_f64();
        self.level = (self.level + elapsed * self.rate).min(self.capacity);
        self.stamp = self.stamp.max(now);
        self.level -= bytes as f64;
        if self.level >= 0.0 {
            self.stamp
        } else {
            self.stamp + Duration::from_secs_f64(-self.level / self.rate)
        }
    }
}

/// Locks a mutex whose data stays consistent even if a holder panicked.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Accepts until `shutdown`, then ends every connection and returns.
async fn accept_loop(
    listener: TcpListener,
    upstream: SocketAddr,
    shared: Arc<Shared>,
    shutdown: CancellationToken,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => break,
            accepted = listener.accept() => match accepted {
                Ok((client, _)) => {
                    connections.spawn(serve(client, upstream, Arc::clone(&shared)));
                }
                Err(_) => {
                    // Transient (an aborted handshake) or resource exhaustion: pause, retry.
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = sleep(ACCEPT_RETRY) => {}
                    }
                }
            },
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    connections.shutdown().await;
}

/// One client connection: reach the upstream, then relay both ways until both ends close or
/// either fails. Failures end this connection only.
async fn serve(mut client: TcpStream, upstream: SocketAddr, shared: Arc<Shared>) {
    if shared.throttled() {
        // The handshake's round trip.
        sleep(shared.spec.rtt).await;
    }
    let mut server = match TcpStream::connect(upstream).await {
        Ok(server) => server,
        Err(e) => {
            *lock(&shared.upstream_error) = Some(format!(
                "link proxy: cannot connect to upstream {upstream}: {e}"
            ));
            return;
        }
    };
    // Small chunks must not wait for Nagle on top of the emulated delay. Best effort.
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.split();
    let (server_read, server_write) = server.split();
    // A reset or any other error ends the connection: both sockets are dropped on return.
    let _ = tokio::try_join!(
        relay(client_read, server_write, &shared.up, &shared),
        relay(server_read, client_write, &shared.down, &shared),
    );
}

/// A chunk in a delay line.
struct Chunk {
    data: Bytes,
    /// When it arrives at the other end.
    due: Instant,
    /// Its room in the delay line, given back once written.
    _room: OwnedSemaphorePermit,
}

/// Copies `from` to `to` through `direction`'s bucket and a delay line; on end of stream,
/// delivers what is in flight and shuts `to` down for writing.
async fn relay<R, W>(from: R, to: W, direction: &Direction, shared: &Shared) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let (line, arrivals) = mpsc::unbounded_channel();
    tokio::try_join!(
        send_side(from, line, direction, shared),
        receive_side(arrivals, to, direction),
    )?;
    Ok(())
}

/// Reads chunks, passes each through the bucket and puts it on the delay line, due half a
/// round trip after the bucket lets its last byte go. Reads at most [`READ_AHEAD`] of link
/// time ahead of the bucket; the line is bounded in bytes by a semaphore, which pushes back
/// on the reader too.
async fn send_side<R: AsyncRead + Unpin>(
    mut from: R,
    line: mpsc::UnboundedSender<Chunk>,
    direction: &Direction,
    shared: &Shared,
) -> io::Result<()> {
    let room = Arc::new(Semaphore::new(shared.in_flight_bytes));
    loop {
        let mut buf = BytesMut::with_capacity(CHUNK_BYTES);
        let n = from.read_buf(&mut buf).await?;
        if n == 0 {
            // Dropping `line` tells the receiving side the stream ended.
            return Ok(());
        }
        let permit = Arc::clone(&room)
            .acquire_many_owned(n as u32)
            .await
            .map_err(|_| io::Error::other("link proxy: delay line closed"))?;
        let due = if shared.throttled() {
            let sent = direction.transmit(n);
            let wake = sent.checked_sub(READ_AHEAD).unwrap_or(sent);
            sleep_until(wake).await;
            sent + shared.spec.rtt / 2
        } else {
            Instant::now()
        };
        let chunk = Chunk {
            data: buf.freeze(),
            due,
            _room: permit,
        };
        if line.send(chunk).is_err() {
            // The receiving side failed; its error ends the connection.
            return Ok(());
        }
    }
}

/// Writes each chunk of the delay line when it is due, counting the bytes written.
async fn receive_side<W: AsyncWrite + Unpin>(
    mut arrivals: mpsc::UnboundedReceiver<Chunk>,
    mut to: W,
    direction: &Direction,
) -> io::Result<()> {
    while let Some(chunk) = arrivals.recv().await {
        sleep_until(chunk.due).await;
        to.write_all(&chunk.data).await?;
        direction
            .bytes
            .fetch_add(chunk.data.len() as u64, Ordering::Relaxed);
    }
    to.shutdown().await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Equal to the microsecond (float seconds to `Duration` may round).
    fn assert_close(got: Instant, want: Instant) {
        let off = if got > want { got - want } else { want - got };
        assert!(off < Duration::from_micros(1), "off by {off:?}");
    }

    #[test]
    fn bucket_starts_empty_and_lends() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(1_000_000.0, t0);
        // 1000 bytes at 1 MB/s: 1 ms each, queued one after the other.
        assert_close(bucket.reserve(1000, t0), t0 + ms(1));
        assert_close(bucket.reserve(1000, t0), t0 + ms(2));
        // Asked again just when the debt is paid: the level is zero, so 1 ms more.
        assert_close(bucket.reserve(1000, t0 + ms(2)), t0 + ms(3));
    }

    #[test]
    fn bucket_burst_is_capped() {
        let t0 = Instant::now();
        // 5 ms of 100 Mbit/s: 62 500 bytes.
        let mut bucket = TokenBucket::new(12_500_000.0, t0);
        assert_eq!(bucket.capacity, 62_500.0);
        // However long it idled, only the burst passes at once.
        let later = t0 + Duration::from_secs(10);
        assert_close(bucket.reserve(62_500, later), later);
        assert_close(bucket.reserve(12_500, later), later + ms(1));
    }

    #[test]
    fn bucket_rate_is_exact_over_many_reservations() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(2_500_000.0, t0);
        // Callers ask late (as after an oversleep): the rate still holds, up to the burst.
        let mut now = t0;
        let mut due = t0;
        for _ in 0..256 {
            due = bucket.reserve(CHUNK_BYTES, now);
            now = due + ms(1);
        }
        let expected = 256.0 * CHUNK_BYTES as f64 / 2_500_000.0;
        let got = due.duration_since(t0).as_secs_f64();
        assert!((got - expected).abs() < 0.002, "{got} vs {expected}");
    }
}
