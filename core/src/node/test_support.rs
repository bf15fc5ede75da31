//! What the in-crate node tests share: a loopback node, waiting for an event, a
//! connected pair, and the raw-bytes hook a misbehaving peer needs.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::*;
use crate::link::LinkConfig;
use crate::secrets::MemorySecretStore;

/// A node named `name` under `dir` on loopback links, with cheap Argon2; `tune`
/// changes the configuration before opening.
pub(super) fn start_with(
    name: &str,
    dir: &std::path::Path,
    tune: impl FnOnce(&mut NodeConfig),
) -> Node {
    let mut config = NodeConfig::new(dir.join(name), Arc::new(MemorySecretStore::default()));
    config.link = LinkConfig::loopback();
    config.argon = argon::FLOOR;
    config.display_name = Some(name.to_owned());
    tune(&mut config);
    Node::open(config).unwrap()
}

/// [`start_with`] the defaults.
pub(super) fn start(name: &str, dir: &std::path::Path) -> Node {
    start_with(name, dir, |_| {})
}

/// Waits (20 s at most) for an event matching `pred`.
pub(super) fn wait_for(node: &Node, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(e) = node.next_event(Duration::from_millis(100)) {
            if pred(&e) {
                return e;
            }
            seen.push(e);
        }
    }
    panic!("no {what}; saw {seen:?}");
}

/// Ana invites `other` with an open invite; returns the conversation once both
/// sides are connected.
pub(super) fn connect(ana: &Node, other: &Node) -> PeerId {
    let invite = ana
        .create_invite(InviteRequest {
            protection: Protection::Open,
            lifetime_secs: None,
        })
        .unwrap();
    let joined = other.join(&invite.code, None).unwrap();
    let peer = ana.accept_reply(&joined.reply_code).unwrap();
    for node in [ana, other] {
        wait_for(
            node,
            "connected",
            |e| matches!(e, Event::PeerState { peer: p, state: PeerState::Connected } if *p == peer),
        );
    }
    peer
}

/// Puts `bytes` on `peer`'s link as they are.
pub(super) fn raw(node: &Node, peer: &str, bytes: Vec<u8>) {
    node.slot(peer)
        .unwrap()
        .commands
        .try_send(Command::Raw(bytes))
        .unwrap();
}
