//! The async runtime the link hands to `webrtc`: Tokio, with two fixes for what the
//! plain `TokioRuntime` gets wrong for us.
//!
//! 1. **Socket buffers.** Bulk sends overflow the kernel's default UDP buffers (hundreds
//!    of drops per 64 MiB, 1 s stalls). Every UDP socket gets `SO_RCVBUF`/`SO_SNDBUF`
//!    raised (4 MiB by default; the kernel may clamp to `net.core.[rw]mem_max`).
//! 2. **Setup latency.** The sans-IO core queues the DTLS ClientHello (and later the
//!    SCTP INIT and the channel OPEN) without reporting that it has work due now, so the
//!    driver only sends them at its next timer tick, ~200 ms later each (see
//!    docs/LINK.md for the exact spot). While a connection is being *set up* this
//!    runtime caps every driver sleep at a few milliseconds; once the channel is open
//!    (or setup gives up) the cap is lifted, so an idle phone is not woken every
//!    millisecond.
//! 3. **A short TTL while waiting.** A link that waits for the other side to load its
//!    code can hold its packets to a small TTL until the peer is heard (`ttl_hold.rs`).
//! 4. **Idle sleeps.** Once the link is open and quiet, a driver sleep lasts until the
//!    next keep-alive is due rather than webrtc's 200 ms tick, and in the background
//!    keep-alives are thinned (`idle.rs`).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::idle::{Idle, IdleSocket};
use super::ttl_hold::{HeldSocket, TtlHold};
use webrtc::runtime::{
    AsyncInterval, AsyncTcpListener, AsyncTcpStream, AsyncUdpSocket, JoinHandle, Runtime,
    TokioRuntime,
};

/// Below this, a setup-phase sleep uses the OS timer rather than Tokio's 1 ms wheel.
const FINE_SLEEP_BELOW: Duration = Duration::from_millis(1);

/// Tokio plus bigger socket buffers and a setup-only sleep cap.
///
/// One instance per connection: its setup flag belongs to that connection alone.
#[derive(Debug)]
pub struct LinkRuntime {
    inner: TokioRuntime,
    /// Setup and ICE flags, traffic and pace: while setting up, driver sleeps are
    /// capped at `cap`, but only once ICE has a working pair (before that nothing is
    /// queued without a timer, and an unanswered attempt must not spin the timer).
    idle: Arc<Idle>,
    cap: Option<Duration>,
    socket_buffer: usize,
    /// How many timer sleeps the driver started: a cheap proxy for wake-ups.
    sleeps: AtomicU64,
    /// Short TTL towards the peer until it is heard (`None`: never).
    hold: Option<Arc<TtlHold>>,
}

impl LinkRuntime {
    /// A runtime with the given setup sleep cap (`None`: never cap) and UDP buffer size
    /// (`0`: leave the kernel default).
    pub fn new(cap: Option<Duration>, socket_buffer: usize) -> Arc<Self> {
        let times = super::idle::IdleTimes {
            keepalive: Duration::from_secs(2),
            background_keepalive: Duration::from_secs(20),
            stretch: false,
        };
        Self::with_hold(cap, socket_buffer, None, Idle::new(times, Vec::new()))
    }

    /// Like [`LinkRuntime::new`], with every socket's TTL following `hold` and its
    /// traffic reported to `idle`.
    pub fn with_hold(
        cap: Option<Duration>,
        socket_buffer: usize,
        hold: Option<Arc<TtlHold>>,
        idle: Arc<Idle>,
    ) -> Arc<Self> {
        Arc::new(Self {
            hold,
            inner: TokioRuntime,
            idle,
            cap,
            socket_buffer,
            sleeps: AtomicU64::new(0),
        })
    }

    /// Turn the setup-phase sleep cap on or off.
    pub fn set_setting_up(&self, on: bool) {
        self.idle.set_setting_up(on);
    }

    /// ICE found (or lost) a working candidate pair.
    pub fn set_ice_connected(&self, on: bool) {
        self.idle.set_ice_connected(on);
    }

    /// Whether the setup-phase cap is currently in force.
    pub fn is_setting_up(&self) -> bool {
        self.idle.is_setting_up()
    }

    /// The link's idle bookkeeping (pace, traffic, last heard).
    pub fn idle(&self) -> &Arc<Idle> {
        &self.idle
    }

    /// End the TTL hold (if any): the peer is known to expect our packets.
    pub fn release_hold(&self) {
        if let Some(hold) = &self.hold {
            hold.release();
        }
    }

    /// Whether packets to the peer still go out with the short TTL.
    pub fn is_holding(&self) -> bool {
        self.hold.as_ref().is_some_and(|h| !h.is_released())
    }

    /// How many sleeps the connection's driver has started so far.
    pub fn sleeps(&self) -> u64 {
        self.sleeps.load(Ordering::Relaxed)
    }

    fn tune_socket(&self, socket: &std::net::UdpSocket) {
        if self.socket_buffer == 0 {
            return;
        }
        let sock = socket2::SockRef::from(socket);
        // Best effort: a kernel that refuses still gives a working (slower) socket.
        if let Err(err) = sock.set_recv_buffer_size(self.socket_buffer) {
            tracing::debug!("SO_RCVBUF not raised: {err}");
        }
        if let Err(err) = sock.set_send_buffer_size(self.socket_buffer) {
            tracing::debug!("SO_SNDBUF not raised: {err}");
        }
    }
}

impl Runtime for LinkRuntime {
    fn spawn(&self, future: Pin<Box<dyn Future<Output = ()> + Send>>) -> Box<dyn JoinHandle> {
        self.inner.spawn(future)
    }

    fn spawn_reactor(
        &self,
        reactor_pool_size: usize,
        future: Pin<Box<dyn Future<Output = ()> + Send>>,
    ) -> Box<dyn JoinHandle> {
        self.inner.spawn_reactor(reactor_pool_size, future)
    }

    fn wrap_udp_socket(&self, socket: std::net::UdpSocket) -> io::Result<Arc<dyn AsyncUdpSocket>> {
        self.tune_socket(&socket);
        let inner = match &self.hold {
            None => self.inner.wrap_udp_socket(socket)?,
            Some(hold) => {
                let raw = socket.try_clone()?;
                let inner = self.inner.wrap_udp_socket(socket)?;
                Arc::new(HeldSocket::new(inner, raw, hold.clone())?)
            }
        };
        Ok(Arc::new(IdleSocket::new(inner, self.idle.clone())))
    }

    fn wrap_tcp_listener(
        &self,
        listener: std::net::TcpListener,
    ) -> io::Result<Arc<dyn AsyncTcpListener>> {
        self.inner.wrap_tcp_listener(listener)
    }

    fn connect_tcp<'a>(
        &'a self,
        remote_addr: SocketAddr,
    ) -> Pin<Box<dyn Future<Output = io::Result<Arc<dyn AsyncTcpStream>>> + Send + 'a>> {
        self.inner.connect_tcp(remote_addr)
    }

    fn resolve_host<'a>(
        &'a self,
        host: &'a str,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>> {
        self.inner.resolve_host(host)
    }

    fn now(&self) -> Instant {
        self.inner.now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.sleeps.fetch_add(1, Ordering::Relaxed);
        let setting_up = self.is_setting_up() && self.idle.is_ice_connected();
        let duration = match self.cap {
            Some(cap) if setting_up => duration.min(cap),
            _ => self.idle.sleep_for(duration, Instant::now()),
        };
        // Tokio's timer wheel has 1 ms ticks, so a capped sleep below that would still
        // last 1–2 ms. During setup only, sleep on a blocking-pool thread instead: the
        // OS timer wakes it within tens of microseconds, and a sleeping thread does not
        // take CPU from the other side's runtime the way spinning did (docs/LINK.md).
        if setting_up && duration < FINE_SLEEP_BELOW {
            if let Ok(handle) = tokio::runtime::Handle::try_current() {
                return Box::pin(async move {
                    let _ = handle
                        .spawn_blocking(move || std::thread::sleep(duration))
                        .await;
                });
            }
        }
        self.inner.sleep(duration)
    }

    fn interval(&self, period: Duration) -> Box<dyn AsyncInterval> {
        self.inner.interval(period)
    }

    fn block_on(&self, future: Pin<Box<dyn Future<Output = ()> + '_>>) {
        self.inner.block_on(future)
    }

    fn yield_now(&self) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.inner.yield_now()
    }

    fn name(&self) -> &'static str {
        "tincan-tokio"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raises_udp_buffers_above_the_kernel_default() {
        let untuned = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        let default = socket2::SockRef::from(&untuned)
            .recv_buffer_size()
            .expect("read SO_RCVBUF");
        let rt = LinkRuntime::new(None, 4 << 20);
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind loopback");
        rt.tune_socket(&socket);
        let got = socket2::SockRef::from(&socket)
            .recv_buffer_size()
            .expect("read SO_RCVBUF");
        // The kernel clamps to net.core.rmem_max; this machine allows 4 MiB.
        assert!(got > default, "SO_RCVBUF {got} not above default {default}");
    }

    #[test]
    fn caps_sleeps_only_while_setting_up_after_ice_connected() {
        let rt = LinkRuntime::new(Some(Duration::from_millis(2)), 0);
        let tokio_rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("tokio runtime");
        tokio_rt.block_on(async {
            // Before ICE connects: not capped (an unanswered attempt must not spin).
            let uncapped =
                tokio::time::timeout(Duration::from_millis(50), rt.sleep(Duration::from_secs(5)));
            assert!(uncapped.await.is_err(), "no cap before ICE connects");
            rt.set_ice_connected(true);
            let start = Instant::now();
            rt.sleep(Duration::from_secs(5)).await;
            assert!(start.elapsed() < Duration::from_secs(1));
            // Below 1 ms the sleep uses the OS timer (needs a multi-thread runtime's
            // blocking pool; a current-thread runtime has one too).
            let fine = LinkRuntime::new(Some(Duration::from_micros(250)), 0);
            fine.set_ice_connected(true);
            let start = Instant::now();
            fine.sleep(Duration::from_secs(5)).await;
            assert!(start.elapsed() < Duration::from_millis(100));
            rt.set_setting_up(false);
            let capped =
                tokio::time::timeout(Duration::from_millis(50), rt.sleep(Duration::from_secs(5)));
            assert!(capped.await.is_err(), "idle sleep must not be capped");
        });
        assert_eq!(rt.sleeps(), 3);
    }
}
