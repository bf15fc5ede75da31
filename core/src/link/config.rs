//! How a link binds, gathers and times out.
//!
//! Defaults are the product's: every non-loopback interface, no STUN/TURN (nothing of
//! ours or anybody else's is contacted unless the user asks), mDNS off, gathering
//! bounded at 2 s, ICE timeouts that ride out a short loss of signal.

use std::net::SocketAddr;
use std::time::Duration;

/// A STUN or TURN server to gather reflexive/relay candidates from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IceServer {
    /// `stun:host:port` or `turn:host:port?transport=udp` URLs.
    pub urls: Vec<String>,
    /// TURN user name (empty for STUN).
    pub username: String,
    /// TURN credential (empty for STUN).
    pub credential: String,
}

/// Everything about a link that is a choice rather than a secret.
#[derive(Debug, Clone)]
pub struct LinkConfig {
    /// Exact local addresses to bind, one UDP socket each (port 0 = any). Empty: one
    /// socket per non-loopback, non-link-local IPv4 interface (webrtc expands
    /// `0.0.0.0:0` that way).
    pub bind: Vec<SocketAddr>,
    /// STUN/TURN servers. None by default.
    pub ice_servers: Vec<IceServer>,
    /// Upper bound on candidate gathering before the SDP is emitted anyway: a dead STUN
    /// server costs at most this.
    pub gather_timeout: Duration,
    /// No traffic for this long: `Disconnected`.
    pub ice_disconnected_timeout: Duration,
    /// Disconnected for this long: `Failed`.
    pub ice_failed_timeout: Duration,
    /// Keep-alive interval while idle (also keeps NAT mappings open).
    pub ice_keepalive_interval: Duration,
    /// Time between connectivity checks on one candidate pair while connecting.
    pub ice_check_interval: Duration,
    /// Checks per candidate pair before ICE gives the pair up (webrtc's default, 7 at
    /// 200 ms, gives up after 1.4 s). Across two NATs a pair only works while *both*
    /// sides are checking it, and a failed pair is not revived when the peer's checks
    /// arrive later: raise this when the two sides may start checking seconds apart.
    pub ice_max_checks: u16,
    /// Accept remote `.local` mDNS candidates (costs a 0.0.0.0:5353 socket per link).
    pub mdns: bool,
    /// Driver sleep cap while the connection is being set up (`None`: no cap, ~600 ms
    /// connect). See `runtime.rs`.
    pub setup_sleep_cap: Option<Duration>,
    /// SO_RCVBUF/SO_SNDBUF for the UDP sockets (`0`: kernel default).
    pub socket_buffer_bytes: usize,
    /// `send` waits while this many bytes are unacknowledged on the channel.
    pub send_high_water: usize,
    /// Received messages queued for `recv` before the link stops reading (and SCTP
    /// flow control slows the sender).
    pub recv_queue: usize,
    /// This side waits for the other to load its code: send to the peer with
    /// `waiting_ttl` until it is heard, so our NAT mapping opens without spoiling a far
    /// NAT that has no inbound firewall (`ttl_hold.rs`).
    pub waiting: bool,
    /// The IP TTL of a waiting side's packets (`None`: never shorten them).
    pub waiting_ttl: Option<u32>,
    /// Until the peer is heard, send at most one packet per destination this often
    /// (`None`: as often as ICE likes — five checks a second per pair). For a link
    /// that may wait hours; see `ttl_hold.rs` for why `ice_check_interval` can't do it.
    pub waiting_pace: Option<Duration>,
    /// In the background pace, one keep-alive exchange this often (sent by the
    /// offerer; the answer refreshes both NAT mappings and both sides' consent).
    pub background_keepalive: Duration,
    /// In the background pace, nothing heard for this long: `Disconnected`. Above two
    /// keep-alive rounds, so one lost packet is not a lost link.
    pub background_silence: Duration,
    /// Let an open, quiet link's driver sleep until its next keep-alive instead of
    /// webrtc's 200 ms tick (`idle.rs`). Off only to measure the difference.
    pub stretch_idle_sleeps: bool,
}

impl Default for LinkConfig {
    fn default() -> Self {
        Self {
            bind: Vec::new(),
            ice_servers: Vec::new(),
            gather_timeout: Duration::from_secs(2),
            // Survive tens of seconds without signal: disconnected after 5 s, failed only
            // after 30 s more (the data channel retransmits meanwhile).
            ice_disconnected_timeout: Duration::from_secs(5),
            ice_failed_timeout: Duration::from_secs(30),
            ice_keepalive_interval: Duration::from_secs(2),
            ice_check_interval: Duration::from_millis(200),
            ice_max_checks: 7,
            mdns: false,
            setup_sleep_cap: Some(Duration::from_micros(250)),
            socket_buffer_bytes: 4 << 20,
            send_high_water: 1 << 20,
            recv_queue: 256,
            waiting: false,
            waiting_ttl: Some(super::DEFAULT_WAITING_TTL),
            waiting_pace: None,
            // The top of the usual 15–25 s: 2.4 packets a minute each way. Silence of
            // two rounds plus a margin is a loss, still under a minute.
            background_keepalive: Duration::from_secs(25),
            background_silence: Duration::from_secs(55),
            stretch_idle_sleeps: true,
        }
    }
}

impl LinkConfig {
    /// The default configuration bound to 127.0.0.1 only: for tests and benchmarks.
    pub fn loopback() -> Self {
        Self {
            bind: vec![SocketAddr::from(([127, 0, 0, 1], 0))],
            ..Self::default()
        }
    }

    /// The STUN/TURN servers' socket addresses, for packets that must never be held
    /// short. Names are resolved (bounded); an unresolvable one is skipped.
    pub(crate) async fn server_addrs(&self) -> Vec<SocketAddr> {
        let mut out = Vec::new();
        for url in self.ice_servers.iter().flat_map(|s| s.urls.iter()) {
            let Some(host_port) = server_host_port(url) else {
                continue;
            };
            let lookup = tokio::net::lookup_host(host_port.clone());
            match tokio::time::timeout(self.gather_timeout, lookup).await {
                Ok(Ok(found)) => out.extend(found),
                _ => tracing::debug!("could not resolve {host_port}"),
            }
        }
        out
    }

    /// The addresses handed to `with_udp_addrs`.
    pub(crate) fn bind_addrs(&self) -> Vec<SocketAddr> {
        if self.bind.is_empty() {
            vec![SocketAddr::from(([0, 0, 0, 0], 0))]
        } else {
            self.bind.clone()
        }
    }
}

/// `host:port` of a `stun:`/`turn:`/`turns:` URL (default port 3478), without query.
fn server_host_port(url: &str) -> Option<String> {
    let (_, rest) = url.split_once(':')?;
    let rest = rest.trim_start_matches("//");
    let rest = rest.split('?').next().unwrap_or(rest);
    if rest.is_empty() {
        return None;
    }
    let has_port = match rest.rfind(']') {
        Some(close) => rest[close..].contains(':'),
        None => rest.contains(':'),
    };
    Some(if has_port {
        rest.to_owned()
    } else {
        format!("{rest}:3478")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_urls_give_host_and_port() {
        assert_eq!(
            server_host_port("stun:198.18.0.1:3478").as_deref(),
            Some("198.18.0.1:3478")
        );
        assert_eq!(
            server_host_port("turn:example.org?transport=udp").as_deref(),
            Some("example.org:3478")
        );
        assert_eq!(
            server_host_port("stun:[::1]").as_deref(),
            Some("[::1]:3478")
        );
        assert_eq!(server_host_port("stun:").as_deref(), None);
    }
}
