//! The background pace between two nodes on loopback: either side asking for it puts
//! both links on it, the conversation keeps working, and an offline contact is not
//! polled in the background. Background timings are shortened (keep-alive 4 s,
//! silence 10 s) so the test takes seconds; tests/tests/idle_netns.rs uses the real
//! ones across namespaces, with cuts.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use tincan_core::link::{LinkConfig, Pace};
use tincan_core::node::{Event, Node, PeerState};

use common::device::{connect, Device};
use common::{expect_connected, expect_event, expect_received};

/// A device with the background timings shortened (keep-alive 4 s, silence 10 s).
fn start(device: &Device) -> Node {
    device.start_with(|config| {
        config.link = LinkConfig {
            background_keepalive: Duration::from_secs(4),
            background_silence: Duration::from_secs(10),
            ..LinkConfig::loopback()
        };
        config.reconnect.attempt_window = Duration::from_secs(6);
        config.reconnect.max_delay = Duration::from_secs(1);
    })
}

/// Waits (bounded) until `node`'s link to `peer` uses `pace`.
fn expect_pace(node: &Node, peer: &str, pace: Pace) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if node.link_stats(peer).is_some_and(|s| s.pace == pace) {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("link never reached {pace:?}: {:?}", node.link_stats(peer));
}

#[test]
fn either_side_in_the_background_puts_both_links_on_the_background_pace() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = (
        Device::new("Ana", root.path()),
        Device::new("Ben", root.path()),
    );
    let (ana, ben) = (start(&a), start(&b));
    let peer = connect(&ana, &ben);
    expect_pace(&ben, &peer, Pace::Foreground);

    // Ana's phone goes in a pocket; Ben is still looking at the chat.
    ana.set_pace(Pace::Background);
    assert_eq!(ana.pace(), Pace::Background);
    assert_eq!(ben.pace(), Pace::Foreground);
    expect_pace(&ana, &peer, Pace::Background);
    expect_pace(&ben, &peer, Pace::Background);

    // Idle for 20 s: few packets, nothing lost, still connected.
    std::thread::sleep(Duration::from_secs(3));
    let before = (
        ana.link_stats(&peer).unwrap(),
        ben.link_stats(&peer).unwrap(),
    );
    std::thread::sleep(Duration::from_secs(20));
    let after = (
        ana.link_stats(&peer).unwrap(),
        ben.link_stats(&peer).unwrap(),
    );
    let ana_out = after.0.wire.packets_out - before.0.wire.packets_out;
    let ben_out = after.1.wire.packets_out - before.1.wire.packets_out;
    let ana_sleeps = after.0.driver_sleeps - before.0.driver_sleeps;
    let ben_sleeps = after.1.driver_sleeps - before.1.driver_sleeps;
    println!("20 s background: out {ana_out}/{ben_out}, sleeps {ana_sleeps}/{ben_sleeps}");
    // One exchange every 4 s: ~5 packets each way (the foreground pace: ~30).
    assert!(ana_out <= 7 && ben_out <= 7, "{ana_out}/{ben_out}");
    assert!(
        ana_sleeps <= 15 && ben_sleeps <= 15,
        "{ana_sleeps}/{ben_sleeps}"
    );
    for node in [&ana, &ben] {
        let state = node.peers().into_iter().find(|p| p.peer == peer).unwrap();
        assert_eq!(state.state, PeerState::Connected);
    }

    // Chat still works both ways in the background.
    ben.send(&peer, "are you there?").unwrap();
    expect_received(&ana, &peer, "are you there?");
    ana.send(&peer, "pocket reply").unwrap();
    expect_received(&ben, &peer, "pocket reply");

    // Ana looks again: both back on the foreground pace.
    ana.set_pace(Pace::Foreground);
    expect_pace(&ana, &peer, Pace::Foreground);
    expect_pace(&ben, &peer, Pace::Foreground);
}

/// Attempt numbers of `Reconnecting` events `node` reports within `within`.
fn attempts(node: &Node, within: Duration) -> Vec<u32> {
    let deadline = Instant::now() + within;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(Event::PeerState {
            state: PeerState::Reconnecting { attempt },
            ..
        }) = node.next_event(Duration::from_millis(100))
        {
            seen.push(attempt);
        }
    }
    seen
}

/// Ana and Ben connected, Ana in the background, then Ben's app closes.
fn ben_goes_away(root: &Path) -> (Node, Device, String) {
    let (a, b) = (Device::new("Ana", root), Device::new("Ben", root));
    let (ana, ben) = (start(&a), start(&b));
    let peer = connect(&ana, &ben);
    ana.set_pace(Pace::Background);
    expect_pace(&ana, &peer, Pace::Background);
    ben.shutdown();
    drop(ben);
    expect_event(
        &ana,
        "reconnecting",
        |e| matches!(e, Event::PeerState { peer: p, state: PeerState::Reconnecting { .. } } if *p == peer),
    );
    (ana, b, peer)
}

#[test]
fn in_the_background_an_offline_contact_is_not_polled_and_its_knock_is_answered() {
    let root = tempfile::tempdir().unwrap();
    let (ana, b, peer) = ben_goes_away(root.path());
    // A foreground pace would try again every second or so (6 s windows, 1 s pauses):
    // in the background nothing is tried and no link is kept.
    let seen = attempts(&ana, Duration::from_secs(15));
    println!("attempts seen in 15 s of background: {seen:?}");
    assert!(
        seen.iter().all(|&n| n == 0),
        "polled in background: {seen:?}"
    );
    assert!(
        ana.link_stats(&peer).is_none(),
        "no link kept open meanwhile"
    );

    // Ben's app opens again and checks towards Ana's port: her doorbell hears it and
    // she connects, still in the background.
    let ben = start(&b);
    expect_connected(&ana, &peer);
    expect_connected(&ben, &peer);
    assert_eq!(ana.pace(), Pace::Background);
    expect_pace(&ben, &peer, Pace::Background);
    ben.send(&peer, "back").unwrap();
    expect_received(&ana, &peer, "back");
}

#[test]
fn the_foreground_or_a_network_change_tries_an_offline_contact_at_once() {
    let root = tempfile::tempdir().unwrap();
    let (ana, _ben, _peer) = ben_goes_away(root.path());
    assert!(attempts(&ana, Duration::from_secs(3))
        .iter()
        .all(|&n| n == 0));
    // The phone reports a network change: one attempt, still in the background.
    ana.network_changed();
    let seen = attempts(&ana, Duration::from_secs(3));
    assert!(
        seen.contains(&1),
        "no attempt after a network change: {seen:?}"
    );
    // Past that attempt's window: quiet again.
    std::thread::sleep(Duration::from_secs(5));
    let seen = attempts(&ana, Duration::from_secs(5));
    assert!(
        seen.iter().all(|&n| n <= 1),
        "polled in background: {seen:?}"
    );
    // The app comes to the foreground: attempts at the foreground pace again.
    ana.set_pace(Pace::Foreground);
    let seen = attempts(&ana, Duration::from_secs(10));
    assert!(
        seen.iter().any(|&n| n >= 2),
        "no attempt in the foreground: {seen:?}"
    );
}
