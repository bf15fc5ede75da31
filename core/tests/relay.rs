//! Reconnection through a mutual contact (issue #15), on loopback: Ben and Cleo know
//! each other and Ana. Both "move" (restart on other loopback addresses, so the
//! address each stored for the other is dead); each still reaches Ana, who did not
//! move. Their conversation loses its link, asks Ana to pass on fresh details, and
//! comes back with no codes. Ana passed on only sealed bytes, and only while she had
//! a live link to the addressee.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::device::{connect, Device};
use common::{expect_event, expect_received};
use tincan_core::node::{Event, Node, PeerState, ReconnectPolicy};

/// Started on `ip` (a loopback address), with short reconnection attempts.
fn start_on(device: &Device, ip: [u8; 4]) -> Node {
    device.start_with(|config| {
        config.link.bind = vec![SocketAddr::from((ip, 0))];
        config.reconnect = ReconnectPolicy {
            attempt_window: Duration::from_secs(3),
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(1),
            offline_after: Duration::from_secs(2),
            ..ReconnectPolicy::default()
        };
    })
}

#[test]
fn after_both_moved_the_link_comes_back_through_a_mutual_contact() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        Device::new("Ana", dir.path()),
        Device::new("Ben", dir.path()),
        Device::new("Cleo", dir.path()),
    );
    let ana = start_on(&a, [127, 0, 0, 1]);
    let ben = start_on(&b, [127, 0, 0, 1]);
    let cleo = start_on(&c, [127, 0, 0, 1]);
    connect(&ana, &ben);
    connect(&ana, &cleo);
    let ben_cleo = connect(&ben, &cleo);
    assert!(ana.relays().is_empty());

    // Both move: each restarts on another address; what each stored for the other
    // leads nowhere. Ben writes meanwhile.
    ben.shutdown();
    cleo.shutdown();
    drop((ben, cleo));
    let ben = start_on(&b, [127, 0, 0, 2]);
    let cleo = start_on(&c, [127, 0, 0, 3]);
    ben.send(&ben_cleo, "did you move too?").unwrap();

    // Lost (no path), then back through Ana.
    expect_event(
        &ben,
        "reconnecting",
        |e| matches!(e, Event::PeerState { peer, state: PeerState::Reconnecting { .. } } if *peer == ben_cleo),
    );
    expect_received(&cleo, &ben_cleo, "did you move too?");
    let passed = ana.relays();
    assert!(!passed.is_empty(), "Ana passed the details on");
    for relay in &passed {
        assert!(relay.bytes > 0 && relay.bytes < 1024, "{relay:?}");
    }
    // Ana passes on at most what each asked for: one request per side at most here.
    assert!(passed.len() <= 2, "{passed:?}");
    cleo.send(&ben_cleo, "yes, all fine").unwrap();
    expect_received(&ben, &ben_cleo, "yes, all fine");
}
