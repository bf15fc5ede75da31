//! Story helpers shared by the code-layer tests: Ana invites, Ben joins.
#![allow(dead_code, missing_docs, clippy::unwrap_used, clippy::panic)]

pub mod device;
pub mod mesh;
pub mod rooms;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use tincan_core::node::{Event, Node, PeerState};
use tincan_core::sdp::{
    Candidate, CandidateAddress, CandidateKind, SessionDescription, SetupRole, Transport,
};

pub const NOW: u64 = 1_800_000_000;
pub const DAY: u64 = 24 * 60 * 60;

pub fn rng(seed: u8) -> ChaCha20Rng {
    ChaCha20Rng::from_seed([seed; 32])
}

fn host(ip: IpAddr, port: u16) -> Candidate {
    Candidate {
        kind: CandidateKind::Host,
        transport: Transport::Udp,
        address: CandidateAddress::Ip(ip),
        port,
    }
}

/// Ana's side: an offer with three IPv4 host candidates, as Tincan makes it.
pub fn ana_description() -> SessionDescription {
    SessionDescription {
        ice_ufrag: "aNa1".into(),
        ice_pwd: "anasIcePasswordIs22chr".into(),
        fingerprint: [0xA5; 32],
        setup: SetupRole::Actpass,
        candidates: vec![
            host(IpAddr::V4(Ipv4Addr::new(192, 168, 1, 20)), 50123),
            host(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 7)), 50124),
            host(IpAddr::V4(Ipv4Addr::new(172, 17, 0, 1)), 50125),
        ],
        sctp_port: 5000,
        max_message_size: None,
    }
}

/// Ben's side: an answer with an IPv4 and an IPv6 host candidate.
pub fn ben_description() -> SessionDescription {
    SessionDescription {
        ice_ufrag: "bEn2".into(),
        ice_pwd: "bensIcePasswordIs22chr".into(),
        fingerprint: [0xB6; 32],
        setup: SetupRole::Active,
        candidates: vec![
            host(IpAddr::V4(Ipv4Addr::new(192, 168, 1, 31)), 41000),
            host(
                IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0x31)),
                41001,
            ),
        ],
        sctp_port: 5000,
        max_message_size: None,
    }
}

/// How long a node-level step may take before a test fails.
pub const STEP: Duration = Duration::from_secs(20);

/// Waits (bounded) for an event matching `pred`, returning it.
pub fn expect_event(node: &Node, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
    let deadline = Instant::now() + STEP;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(e) = node.next_event(Duration::from_millis(200)) {
            if pred(&e) {
                return e;
            }
            seen.push(e);
        }
    }
    panic!("no {what} within {STEP:?}; saw {seen:?}");
}

/// Waits for `peer` to be key-confirmed and connected.
pub fn expect_connected(node: &Node, peer: &str) {
    expect_event(
        node,
        "connected",
        |e| matches!(e, Event::PeerState { peer: p, state: PeerState::Connected } if p == peer),
    );
}

/// Waits for `text` from `peer`.
pub fn expect_received(node: &Node, peer: &str, text: &str) {
    expect_event(
        node,
        &format!("message {text:?}"),
        |e| matches!(e, Event::Message { peer: p, text: t, .. } if p == peer && t == text),
    );
}
