//! What an open link does while nobody types: how often it speaks, when its driver may
//! sleep, and how soon silence counts as a lost link.
//!
//! webrtc 0.21's ICE agent asks its driver to wake every 200 ms for as long as the
//! connection lives (`rtc-ice` `get_timeout_interval` starts from its 200 ms default
//! and only ever lowers it; docs/LINK.md, "Why an idle link wakes"), and on most of
//! those wake-ups nothing is due. The agent itself is sans-IO and exposes no way to
//! ask what is really due, but everything it does while connected and idle is visible
//! on the wire: a keep-alive Binding Request to the selected pair every
//! `ice_keepalive_interval`, answers to the peer's requests, and nothing else. So the
//! link's runtime watches its own sockets ([`IdleSocket`]) and, once the link has
//! been quiet long enough for SCTP and DTLS to have nothing pending, lets the driver
//! sleep until the next keep-alive is actually due instead of 200 ms.
//!
//! Two paces ([`Pace`]): in the foreground both sides keep-alive every
//! `ice_keepalive_interval` (2 s) and silence of `ice_disconnected_timeout` (5 s) is a
//! loss, as before. In the background only the offerer sends keep-alives, one every
//! `background_keepalive` (20 s: the answer refreshes both NAT mappings and both
//! sides' consent), the answerer's are dropped before they leave, and silence counts
//! as a loss after `background_silence` (50 s: one lost exchange is tolerated). Both
//! ends use the background pace when either asks for it (the node tells the peer).
//!
//! What a stretched sleep may delay: an SCTP retransmission of data sent into a link
//! that broke after the quiet period began (it goes out at the next keep-alive), and
//! the agent's own disconnected check, which the silence watchdog in `session.rs`
//! does instead.

use std::io::{self, IoSliceMut};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use webrtc::runtime::{AsyncUdpSocket, RecvMeta, Transmit};

use super::ttl_hold::{is_stun, stun_type, BINDING_REQUEST};

/// After this long without DTLS traffic either way, nothing but ICE has a timer
/// running: SCTP's delayed acknowledgement is 200 ms, DTLS retransmits only during
/// its handshake.
pub const SETTLE: Duration = Duration::from_millis(1500);

/// How long after the last DTLS packet the link checks whether everything it sent
/// was acknowledged (see [`Idle::confirm_quiet`]): SCTP's delayed acknowledgement
/// (200 ms) has gone out by then, so neither side owes the other anything.
pub const ACK_WAIT: Duration = Duration::from_millis(250);

/// Margin added to a computed wake-up so the agent, whose clock was read a moment
/// before the packet left, finds the keep-alive due.
const MARGIN: Duration = Duration::from_millis(5);

/// Longest sleep granted to a driver that has nothing due (the answerer in the
/// background): wakes nobody, bounds what a mistaken estimate can cost.
const LONGEST_SLEEP: Duration = Duration::from_secs(60);

/// How lively an open link is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pace {
    /// Someone is looking: keep-alives every couple of seconds, a cut noticed within
    /// `ice_disconnected_timeout`.
    #[default]
    Foreground,
    /// Nobody is looking: one exchange every `background_keepalive`, a cut noticed
    /// within `background_silence`.
    Background,
}

/// Packet and byte counts of one link's sockets (everything, STUN included).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WireCounts {
    /// Datagrams received.
    pub packets_in: u64,
    /// Datagrams sent (dropped keep-alives not counted).
    pub packets_out: u64,
    /// Bytes received (UDP payload).
    pub bytes_in: u64,
    /// Bytes sent (UDP payload).
    pub bytes_out: u64,
}

/// The timings that decide how an idle link behaves.
#[derive(Debug, Clone, Copy)]
pub struct IdleTimes {
    /// The agent's keep-alive interval (foreground pace).
    pub keepalive: Duration,
    /// One keep-alive exchange this often in the background (offerer only).
    pub background_keepalive: Duration,
    /// Stretch idle driver sleeps to the next due keep-alive (`false`: webrtc's 200 ms
    /// tick, for comparison in benchmarks).
    pub stretch: bool,
}

/// One link's idle bookkeeping, shared by its runtime, its sockets and its watchdog.
#[derive(Debug)]
pub struct Idle {
    times: IdleTimes,
    /// This side made the offer: in the background it sends the keep-alives.
    leader: AtomicBool,
    background: AtomicBool,
    setting_up: AtomicBool,
    ice_connected: AtomicBool,
    /// Our STUN/TURN servers: their traffic is never dropped and tells nothing of the
    /// peer.
    servers: Vec<SocketAddr>,
    epoch: Instant,
    /// Microseconds since `epoch` (0: never) of the last packet heard from the peer…
    last_in: AtomicU64,
    /// …of the last DTLS (non-STUN) packet either way…
    last_dtls: AtomicU64,
    /// …of the last keep-alive the agent wanted to send…
    last_attempt: AtomicU64,
    /// …of the last one that left…
    last_request: AtomicU64,
    /// …and of the last check that found nothing of ours unacknowledged.
    confirmed: AtomicU64,
    /// DTLS moved since the last confirmation; the link's checker is waiting for it.
    unconfirmed: AtomicBool,
    packets_in: AtomicU64,
    packets_out: AtomicU64,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    /// Signalled when the pace changes (the watchdog's limit changes with it).
    pub(crate) changed: Notify,
    /// Signalled when DTLS moves after a quiet spell (the checker starts).
    pub(crate) dtls_moved: Notify,
}

impl Idle {
    /// Bookkeeping for a new link; it starts in setup, foreground, as follower.
    pub fn new(times: IdleTimes, servers: Vec<SocketAddr>) -> Arc<Self> {
        Arc::new(Self {
            times,
            leader: AtomicBool::new(false),
            background: AtomicBool::new(false),
            setting_up: AtomicBool::new(true),
            ice_connected: AtomicBool::new(false),
            servers,
            epoch: Instant::now(),
            last_in: AtomicU64::new(0),
            last_dtls: AtomicU64::new(0),
            last_attempt: AtomicU64::new(0),
            last_request: AtomicU64::new(0),
            confirmed: AtomicU64::new(0),
            unconfirmed: AtomicBool::new(false),
            packets_in: AtomicU64::new(0),
            packets_out: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            changed: Notify::new(),
            dtls_moved: Notify::new(),
        })
    }

    fn stamp(&self, now: Instant) -> u64 {
        // +1 keeps 0 free for "never".
        u64::try_from(now.saturating_duration_since(self.epoch).as_micros()).unwrap_or(u64::MAX - 1)
            + 1
    }

    fn at(&self, stamp: u64) -> Option<Instant> {
        (stamp != 0).then(|| self.epoch + Duration::from_micros(stamp - 1))
    }

    /// This side sends the keep-alives in the background (the offerer).
    pub fn set_leader(&self, leader: bool) {
        self.leader.store(leader, Ordering::Release);
    }

    /// Switch pace; the watchdog is told.
    pub fn set_pace(&self, pace: Pace) {
        let background = pace == Pace::Background;
        if self.background.swap(background, Ordering::AcqRel) != background {
            self.changed.notify_waiters();
        }
    }

    /// The pace in force.
    pub fn pace(&self) -> Pace {
        if self.background.load(Ordering::Acquire) {
            Pace::Background
        } else {
            Pace::Foreground
        }
    }

    pub(crate) fn set_setting_up(&self, on: bool) {
        self.setting_up.store(on, Ordering::Release);
    }

    pub(crate) fn is_setting_up(&self) -> bool {
        self.setting_up.load(Ordering::Acquire)
    }

    pub(crate) fn set_ice_connected(&self, on: bool) {
        self.ice_connected.store(on, Ordering::Release);
    }

    pub(crate) fn is_ice_connected(&self) -> bool {
        self.ice_connected.load(Ordering::Acquire)
    }

    /// When the peer was last heard (any packet), if ever.
    pub fn last_heard(&self) -> Option<Instant> {
        self.at(self.last_in.load(Ordering::Acquire))
    }

    /// What this link's sockets moved so far.
    pub fn counts(&self) -> WireCounts {
        WireCounts {
            packets_in: self.packets_in.load(Ordering::Relaxed),
            packets_out: self.packets_out.load(Ordering::Relaxed),
            bytes_in: self.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.bytes_out.load(Ordering::Relaxed),
        }
    }

    /// Connected, set up and quiet: only the keep-alive schedule matters. Quiet means
    /// no DTLS for [`SETTLE`], or confirmed quiet since the last DTLS packet.
    fn settled(&self, now: Instant) -> bool {
        let last_dtls = self.last_dtls.load(Ordering::Acquire);
        self.is_ice_connected()
            && !self.is_setting_up()
            && (self.confirmed.load(Ordering::Acquire) >= last_dtls
                || self
                    .at(last_dtls)
                    .is_none_or(|t| now.saturating_duration_since(t) >= SETTLE))
    }

    fn dtls_moved_at(&self, stamp: u64) {
        self.last_dtls.store(stamp, Ordering::SeqCst);
        if !self.unconfirmed.swap(true, Ordering::SeqCst) {
            self.dtls_moved.notify_one();
        }
    }

    /// When the link should ask SCTP whether anything it sent is unacknowledged:
    /// [`ACK_WAIT`] after the last DTLS packet, unless confirmed since or past
    /// [`SETTLE`] (settled anyway). `None`: nothing to check until `dtls_moved`.
    pub(crate) fn confirm_due(&self, now: Instant) -> Option<Instant> {
        // Cleared before reading: a packet after this line notifies again.
        self.unconfirmed.store(false, Ordering::SeqCst);
        let last_dtls = self.last_dtls.load(Ordering::SeqCst);
        let moved = self.at(last_dtls)?;
        let stale = now.saturating_duration_since(moved) >= SETTLE;
        if stale || self.confirmed.load(Ordering::Acquire) >= last_dtls {
            return None;
        }
        Some(moved + ACK_WAIT)
    }

    /// The link found, at `checked` (taken before it asked), nothing of its own
    /// unacknowledged and no acknowledgement owed: the driver may sleep long before
    /// [`SETTLE`] is up. A DTLS packet after `checked` undoes it.
    pub(crate) fn confirm_quiet(&self, checked: Instant) {
        let stamp = self.stamp(checked);
        let last_dtls = self.last_dtls.load(Ordering::Acquire);
        let owed_until = self.at(last_dtls).map(|t| t + ACK_WAIT);
        if owed_until.is_none_or(|t| checked >= t) {
            self.confirmed.fetch_max(stamp, Ordering::AcqRel);
        }
    }

    /// Whether a packet to `destination` may leave; counts what leaves. Only the
    /// peer's keep-alives are ever held back, and only in the background once settled.
    pub(crate) fn may_send(&self, destination: SocketAddr, packet: &[u8], now: Instant) -> bool {
        let from_us_to_server = self.servers.contains(&destination);
        if !is_stun(packet) {
            self.dtls_moved_at(self.stamp(now));
        } else if !from_us_to_server && stun_type(packet) == Some(BINDING_REQUEST) {
            let stamp = self.stamp(now);
            self.last_attempt.store(stamp, Ordering::Release);
            // Not only when settled: right after data the agent would otherwise slip
            // out the keep-alives it was denied while quiet.
            if self.pace() == Pace::Background && self.is_ice_connected() && !self.is_setting_up() {
                let leader = self.leader.load(Ordering::Acquire);
                let recent = self
                    .at(self.last_request.load(Ordering::Acquire))
                    .is_some_and(|t| now.saturating_duration_since(t) < self.request_spacing());
                if !leader || recent {
                    // To ICE this is a check that got lost; the peer's answer to the
                    // leader's keep-alive keeps our consent fresh.
                    return false;
                }
            }
            self.last_request.store(stamp, Ordering::Release);
        }
        self.packets_out.fetch_add(1, Ordering::Relaxed);
        self.bytes_out
            .fetch_add(packet.len() as u64, Ordering::Relaxed);
        true
    }

    /// A background keep-alive may leave this long after the last one, a little early
    /// so the agent's own 200 ms-granular schedule never skips a round.
    fn request_spacing(&self) -> Duration {
        self.times
            .background_keepalive
            .saturating_sub(Duration::from_millis(250))
    }

    /// Records a packet that arrived from `from`.
    pub(crate) fn heard(&self, from: SocketAddr, packet: &[u8], now: Instant) {
        self.packets_in.fetch_add(1, Ordering::Relaxed);
        self.bytes_in
            .fetch_add(packet.len() as u64, Ordering::Relaxed);
        if self.servers.contains(&from) {
            return;
        }
        let stamp = self.stamp(now);
        self.last_in.store(stamp, Ordering::Release);
        if !is_stun(packet) {
            self.dtls_moved_at(stamp);
        }
    }

    /// How long the driver should sleep when it asked for `requested`: longer only
    /// when settled, and then until the next keep-alive this side will send.
    pub(crate) fn sleep_for(&self, requested: Duration, now: Instant) -> Duration {
        if !self.times.stretch || !self.settled(now) {
            return requested;
        }
        let attempt = self.at(self.last_attempt.load(Ordering::Acquire));
        let next_attempt = attempt.map(|t| t + self.times.keepalive);
        let due = match self.pace() {
            Pace::Foreground => next_attempt,
            Pace::Background if self.leader.load(Ordering::Acquire) => {
                let last = self.at(self.last_request.load(Ordering::Acquire));
                let next_request = last.map(|t| t + self.request_spacing());
                match (next_attempt, next_request) {
                    (Some(a), Some(r)) => Some(a.max(r)),
                    (a, r) => a.or(r),
                }
            }
            // Nothing of ours is due: the leader's keep-alive wakes us.
            Pace::Background => Some(now + LONGEST_SLEEP),
        };
        let Some(due) = due else {
            return requested;
        };
        (due + MARGIN)
            .saturating_duration_since(now)
            .clamp(requested, LONGEST_SLEEP.max(requested))
    }
}

/// A UDP socket that reports what it moves to the link's [`Idle`] and holds back the
/// keep-alives `Idle` says are not needed.
#[derive(Debug)]
pub struct IdleSocket {
    inner: Arc<dyn AsyncUdpSocket>,
    idle: Arc<Idle>,
}

impl IdleSocket {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn AsyncUdpSocket>, idle: Arc<Idle>) -> Self {
        Self { inner, idle }
    }
}

impl AsyncUdpSocket for IdleSocket {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    fn poll_send(&self, cx: &mut Context<'_>, transmit: &Transmit<'_>) -> Poll<io::Result<usize>> {
        if !self
            .idle
            .may_send(transmit.destination, transmit.contents, Instant::now())
        {
            return Poll::Ready(Ok(transmit.contents.len()));
        }
        self.inner.poll_send(cx, transmit)
    }

    fn poll_recv(
        &self,
        cx: &mut Context<'_>,
        bufs: &mut [IoSliceMut<'_>],
        meta: &mut [RecvMeta],
    ) -> Poll<io::Result<usize>> {
        let polled = self.inner.poll_recv(cx, bufs, meta);
        if let Poll::Ready(Ok(n)) = &polled {
            let now = Instant::now();
            for (buf, m) in bufs.iter().zip(meta.iter()).take(*n) {
                self.idle.heard(m.addr, &buf[..m.len.min(buf.len())], now);
            }
        }
        polled
    }

    fn max_gso_segments(&self) -> usize {
        self.inner.max_gso_segments()
    }

    fn max_gro_segments(&self) -> usize {
        self.inner.max_gro_segments()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stun(kind: u16) -> Vec<u8> {
        let mut p = vec![0u8; 20];
        p[..2].copy_from_slice(&kind.to_be_bytes());
        p[4..8].copy_from_slice(&[0x21, 0x12, 0xA4, 0x42]);
        p
    }

    const DTLS: &[u8] = &[23, 254, 253, 0, 1, 0, 0, 0, 0, 0, 0];

    fn times() -> IdleTimes {
        IdleTimes {
            keepalive: Duration::from_secs(2),
            background_keepalive: Duration::from_secs(20),
            stretch: true,
        }
    }

    fn connected(idle: &Idle) {
        idle.set_setting_up(false);
        idle.set_ice_connected(true);
    }

    fn peer() -> SocketAddr {
        "198.18.2.2:40000".parse().expect("addr")
    }

    #[test]
    fn a_foreground_idle_driver_sleeps_until_the_next_keepalive() {
        let idle = Idle::new(times(), Vec::new());
        let t0 = Instant::now();
        let tick = Duration::from_millis(200);
        // Setting up: webrtc's own schedule.
        assert_eq!(idle.sleep_for(tick, t0), tick);
        connected(&idle);
        assert!(idle.may_send(peer(), &stun(BINDING_REQUEST), t0));
        let slept = idle.sleep_for(tick, t0 + Duration::from_millis(10));
        assert!(
            slept >= Duration::from_millis(1990) && slept <= Duration::from_millis(2000),
            "{slept:?}"
        );
        // Data moved a moment ago: SCTP may have a timer running.
        assert!(idle.may_send(peer(), DTLS, t0 + Duration::from_millis(500)));
        assert_eq!(idle.sleep_for(tick, t0 + Duration::from_millis(600)), tick);
        assert!(idle.sleep_for(tick, t0 + Duration::from_millis(2100)) >= tick);
    }

    #[test]
    fn in_the_background_only_the_leader_keeps_alive_and_rarely() {
        let leader = Idle::new(times(), Vec::new());
        let follower = Idle::new(times(), Vec::new());
        leader.set_leader(true);
        for idle in [&leader, &follower] {
            connected(idle);
            idle.set_pace(Pace::Background);
        }
        let t0 = Instant::now() + Duration::from_secs(5);
        let req = stun(BINDING_REQUEST);
        assert!(leader.may_send(peer(), &req, t0));
        assert!(!leader.may_send(peer(), &req, t0 + Duration::from_secs(2)));
        assert!(leader.may_send(peer(), &req, t0 + Duration::from_secs(20)));
        assert!(!follower.may_send(peer(), &req, t0));
        // Answers to the peer's checks always leave.
        assert!(follower.may_send(peer(), &stun(0x0101), t0));
        // The leader sleeps until its next keep-alive; the follower until woken.
        let slept = leader.sleep_for(Duration::from_millis(200), t0 + Duration::from_secs(20));
        assert!(slept >= Duration::from_secs(19), "{slept:?}");
        let slept = follower.sleep_for(Duration::from_millis(200), t0);
        assert_eq!(slept, LONGEST_SLEEP);
        // Back in the foreground, every keep-alive leaves again.
        follower.set_pace(Pace::Foreground);
        assert!(follower.may_send(peer(), &req, t0 + Duration::from_secs(1)));
        assert_eq!(follower.counts().packets_out, 2);
    }

    #[test]
    fn a_confirmed_quiet_link_settles_before_the_window_is_up() {
        let idle = Idle::new(times(), Vec::new());
        connected(&idle);
        let t0 = Instant::now();
        let tick = Duration::from_millis(200);
        assert!(idle.may_send(peer(), &stun(BINDING_REQUEST), t0));
        idle.heard(peer(), DTLS, t0 + Duration::from_millis(100));
        let check_at = idle
            .confirm_due(t0 + Duration::from_millis(200))
            .expect("a check is due");
        let expected = t0 + Duration::from_millis(100) + ACK_WAIT;
        assert!(check_at.max(expected) - check_at.min(expected) < Duration::from_millis(1));
        // Checked too early (an acknowledgement may still be owed): no effect.
        idle.confirm_quiet(t0 + Duration::from_millis(200));
        assert_eq!(idle.sleep_for(tick, t0 + Duration::from_millis(400)), tick);
        // Checked in time and found nothing unacknowledged: long sleeps at once.
        idle.confirm_quiet(check_at);
        assert_eq!(idle.confirm_due(check_at), None);
        assert!(idle.sleep_for(tick, check_at) > Duration::from_secs(1));
        // New data undoes it until confirmed again.
        assert!(idle.may_send(peer(), DTLS, check_at + Duration::from_millis(10)));
        assert_eq!(
            idle.sleep_for(tick, check_at + Duration::from_millis(20)),
            tick
        );
        assert!(idle
            .confirm_due(check_at + Duration::from_millis(20))
            .is_some());
        // Past the settle window nothing needs checking.
        assert_eq!(idle.confirm_due(check_at + SETTLE + tick), None);
    }

    #[test]
    fn hearing_the_peer_is_recorded_but_server_answers_are_not() {
        let server: SocketAddr = "198.18.0.1:3478".parse().expect("addr");
        let idle = Idle::new(times(), vec![server]);
        let t0 = Instant::now();
        idle.heard(server, &stun(0x0101), t0);
        assert_eq!(idle.last_heard(), None);
        idle.heard(peer(), &stun(0x0101), t0);
        assert!(idle.last_heard().is_some());
        assert_eq!(idle.counts().packets_in, 2);
        assert_eq!(idle.counts().bytes_in, 40);
    }

    #[test]
    fn without_stretching_the_driver_keeps_its_own_schedule() {
        let idle = Idle::new(
            IdleTimes {
                stretch: false,
                ..times()
            },
            Vec::new(),
        );
        connected(&idle);
        let t0 = Instant::now();
        assert!(idle.may_send(peer(), &stun(BINDING_REQUEST), t0));
        let tick = Duration::from_millis(200);
        assert_eq!(idle.sleep_for(tick, t0 + Duration::from_secs(3)), tick);
    }
}
