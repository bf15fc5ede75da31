//! Sending "short" until the peer is heard: how the side that waits for the other to
//! load its code keeps its own NAT mapping open without spoiling the far NAT.
//!
//! Many NATs (every plain Linux MASQUERADE, many home and carrier routers) have no
//! inbound firewall. When our first connectivity check reaches such a far NAT before
//! its host has sent anything, the router keeps a record of that unanswered flow;
//! when its host then sends to us, the NAT finds its port-preserving mapping taken by
//! that record and picks another public port, which our NAT does not expect — the two
//! sides never meet (tests/tests/nat_kinds.rs shows it with plain sockets).
//!
//! So a waiting side sends its checks with a small IP TTL: enough to pass its own
//! router (and a carrier NAT right behind it) and open the mapping there, too small to
//! reach a NAT across the internet. When the other side loads the code and checks
//! towards that mapping, its packets are let in; the first one heard releases the hold
//! and everything from then on (the check's answer included) goes out with the normal
//! TTL. Packets to our STUN/TURN servers always use the normal TTL: they must arrive.
//!
//! A waiting side also paces itself: until the peer is heard, at most one packet per
//! destination every few seconds leaves. webrtc 0.21's ICE agent checks every pair on
//! every tick of its timer, and that timer never runs slower than 200 ms whatever the
//! configured check interval (`rtc-ice` `get_timeout_interval` starts from its 200 ms
//! default and only ever lowers it), so without this a wait of hours would send five
//! checks a second per pair. Dropped checks are ordinary UDP loss to ICE.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, IoSliceMut};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use webrtc::runtime::{AsyncUdpSocket, RecvMeta, Transmit};

/// The TTL a waiting side sends with by default: passes a home router and a carrier
/// NAT directly behind it; internet paths between two homes are far longer.
pub const DEFAULT_WAITING_TTL: u32 = 3;

/// STUN message type of a Binding Request (a peer's connectivity check).
pub(crate) const BINDING_REQUEST: u16 = 0x0001;
/// The STUN magic cookie, bytes 4..8 of every STUN message.
const MAGIC_COOKIE: [u8; 4] = [0x21, 0x12, 0xA4, 0x42];

/// Most destinations a paced link remembers (a description has a handful).
const MAX_PACED: usize = 64;

/// One link's hold: shared by all its sockets, released once for all.
pub struct TtlHold {
    /// Short TTL towards the peer (`None`: the normal one).
    ttl: Option<u32>,
    /// At most one packet per destination this often (`None`: unpaced).
    pace: Option<Duration>,
    servers: Vec<SocketAddr>,
    released: AtomicBool,
    last_sent: Mutex<HashMap<SocketAddr, Instant>>,
}

impl fmt::Debug for TtlHold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TtlHold")
            .field("ttl", &self.ttl)
            .field("released", &self.is_released())
            .finish()
    }
}

impl TtlHold {
    /// A hold sending with `ttl`, at most once per `pace` per destination, to
    /// everyone but `servers` (our STUN/TURN servers).
    pub fn new(ttl: Option<u32>, pace: Option<Duration>, servers: Vec<SocketAddr>) -> Arc<Self> {
        Arc::new(Self {
            ttl: ttl.map(|t| t.max(1)),
            pace,
            servers,
            released: AtomicBool::new(false),
            last_sent: Mutex::new(HashMap::new()),
        })
    }

    /// Whether a packet to `destination` may leave now under the pace (and if so,
    /// counts it).
    fn may_send(&self, destination: SocketAddr, now: Instant) -> bool {
        let Some(pace) = self.pace else {
            return true;
        };
        let mut sent = self.last_sent.lock().unwrap_or_else(|p| p.into_inner());
        if sent
            .get(&destination)
            .is_some_and(|last| now.duration_since(*last) < pace)
        {
            return false;
        }
        if sent.len() >= MAX_PACED && !sent.contains_key(&destination) {
            sent.clear();
        }
        sent.insert(destination, now);
        true
    }

    /// From now on every packet goes out with the normal TTL.
    pub fn release(&self) {
        if !self.released.swap(true, Ordering::AcqRel) {
            tracing::debug!("TTL hold released: the other side was heard");
        }
    }

    /// Whether the hold is over.
    pub fn is_released(&self) -> bool {
        self.released.load(Ordering::Acquire)
    }

    fn limits(&self, destination: SocketAddr) -> bool {
        !self.is_released() && !self.servers.contains(&destination)
    }

    /// Whether `packet` from `from` shows the peer reached us: a connectivity check, or
    /// anything that is not STUN (DTLS), from an address that is not one of our servers.
    fn is_from_peer(&self, from: SocketAddr, packet: &[u8]) -> bool {
        if self.servers.contains(&from) {
            return false;
        }
        !is_stun(packet) || stun_type(packet) == Some(BINDING_REQUEST)
    }
}

pub(crate) fn is_stun(packet: &[u8]) -> bool {
    packet.len() >= 20 && packet[0] & 0xC0 == 0 && packet[4..8] == MAGIC_COOKIE
}

pub(crate) fn stun_type(packet: &[u8]) -> Option<u16> {
    is_stun(packet).then(|| u16::from_be_bytes([packet[0], packet[1]]))
}

/// A UDP socket whose outgoing TTL follows a [`TtlHold`].
#[derive(Debug)]
pub struct HeldSocket {
    inner: Arc<dyn AsyncUdpSocket>,
    /// The same socket (a duplicated descriptor), for setting its TTL.
    raw: std::net::UdpSocket,
    hold: Arc<TtlHold>,
    normal_ttl: u32,
    current_ttl: AtomicU32,
}

impl HeldSocket {
    /// Wraps `inner`; `raw` must be a duplicate of the same socket.
    pub fn new(
        inner: Arc<dyn AsyncUdpSocket>,
        raw: std::net::UdpSocket,
        hold: Arc<TtlHold>,
    ) -> io::Result<Self> {
        let normal_ttl = ttl_of(&raw)?;
        Ok(Self {
            inner,
            raw,
            hold,
            normal_ttl,
            current_ttl: AtomicU32::new(normal_ttl),
        })
    }

    fn use_ttl(&self, ttl: u32) {
        if self.current_ttl.swap(ttl, Ordering::AcqRel) == ttl {
            return;
        }
        if let Err(err) = set_ttl(&self.raw, ttl) {
            // Sending with the normal TTL still works wherever NATs have a firewall.
            tracing::debug!("could not set TTL {ttl}: {err}");
        }
    }
}

fn is_v6(socket: &std::net::UdpSocket) -> bool {
    socket
        .local_addr()
        .map(|a| matches!(a.ip(), IpAddr::V6(_)))
        .unwrap_or(false)
}

fn ttl_of(socket: &std::net::UdpSocket) -> io::Result<u32> {
    let sock = socket2::SockRef::from(socket);
    if is_v6(socket) {
        sock.unicast_hops_v6()
    } else {
        sock.ttl_v4()
    }
}

fn set_ttl(socket: &std::net::UdpSocket, ttl: u32) -> io::Result<()> {
    let sock = socket2::SockRef::from(socket);
    if is_v6(socket) {
        sock.set_unicast_hops_v6(ttl)
    } else {
        sock.set_ttl_v4(ttl)
    }
}

impl AsyncUdpSocket for HeldSocket {
    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    fn poll_send(&self, cx: &mut Context<'_>, transmit: &Transmit<'_>) -> Poll<io::Result<usize>> {
        let ttl = if self.hold.limits(transmit.destination) {
            if !self.hold.may_send(transmit.destination, Instant::now()) {
                // Not yet: to ICE this is a lost check.
                return Poll::Ready(Ok(transmit.contents.len()));
            }
            self.hold.ttl.unwrap_or(self.normal_ttl)
        } else {
            self.normal_ttl
        };
        self.use_ttl(ttl);
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
            if !self.hold.is_released() {
                let heard =
                    bufs.iter().zip(meta.iter()).take(*n).any(|(buf, m)| {
                        self.hold.is_from_peer(m.addr, &buf[..m.len.min(buf.len())])
                    });
                if heard {
                    self.hold.release();
                }
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
    use webrtc::runtime::Runtime;

    fn stun(kind: u16) -> Vec<u8> {
        let mut p = vec![0u8; 20];
        p[..2].copy_from_slice(&kind.to_be_bytes());
        p[4..8].copy_from_slice(&MAGIC_COOKIE);
        p
    }

    #[test]
    fn a_check_or_dtls_from_the_peer_counts_but_server_answers_do_not() {
        let server: SocketAddr = "198.18.0.1:3478".parse().expect("addr");
        let peer: SocketAddr = "198.18.2.2:40000".parse().expect("addr");
        let hold = TtlHold::new(Some(3), None, vec![server]);
        assert!(
            !hold.is_from_peer(server, &stun(0x0101)),
            "STUN server answer"
        );
        assert!(
            !hold.is_from_peer(server, &[22, 254, 253]),
            "anything from a server"
        );
        assert!(!hold.is_from_peer(peer, &stun(0x0101)), "an answer alone");
        assert!(hold.is_from_peer(peer, &stun(BINDING_REQUEST)), "a check");
        assert!(hold.is_from_peer(peer, &[22, 254, 253, 0, 0]), "DTLS");
        assert!(hold.limits(peer) && !hold.limits(server));
        hold.release();
        assert!(!hold.limits(peer));
    }

    #[test]
    fn a_paced_hold_lets_one_packet_per_destination_through_per_pace() {
        let server: SocketAddr = "198.18.0.1:3478".parse().expect("addr");
        let (a, b): (SocketAddr, SocketAddr) = (
            "198.18.2.2:40000".parse().expect("addr"),
            "10.2.0.2:40000".parse().expect("addr"),
        );
        let hold = TtlHold::new(None, Some(Duration::from_secs(15)), vec![server]);
        let t0 = Instant::now();
        assert!(hold.may_send(a, t0));
        assert!(hold.may_send(b, t0), "another destination has its own pace");
        assert!(!hold.may_send(a, t0 + Duration::from_millis(200)));
        assert!(!hold.may_send(a, t0 + Duration::from_secs(14)));
        assert!(hold.may_send(a, t0 + Duration::from_secs(15)));
        assert!(!hold.limits(server), "servers are never held");
        hold.release();
        assert!(!hold.limits(a), "heard: no pace any more");
    }

    #[test]
    fn the_socket_ttl_follows_the_hold() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let a = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
            let b = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
            let b_addr = b.local_addr().expect("addr");
            let normal = ttl_of(&a).expect("ttl");
            let raw = a.try_clone().expect("dup");
            let probe = a.try_clone().expect("dup");
            let inner = webrtc::runtime::TokioRuntime
                .wrap_udp_socket(a)
                .expect("wrap");
            let hold = TtlHold::new(Some(3), None, Vec::new());
            let held = HeldSocket::new(inner, raw, hold.clone()).expect("held");
            held.send_to(b"x", b_addr).await.expect("send");
            assert_eq!(ttl_of(&probe).expect("ttl"), 3, "held: short TTL");
            // The peer's check arrives: the hold ends, the answer goes out normally.
            b.send_to(&stun(BINDING_REQUEST), held.local_addr().expect("addr"))
                .expect("send check");
            let mut buf = [0u8; 64];
            held.recv_from(&mut buf).await.expect("recv");
            assert!(hold.is_released());
            held.send_to(b"y", b_addr).await.expect("send");
            assert_eq!(ttl_of(&probe).expect("ttl"), normal, "released: normal TTL");
        });
    }
}
