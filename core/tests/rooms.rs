//! Group rooms between real nodes on loopback (issue #15). Eight people: n0 knows
//! everyone; the others know only their neighbours in a chain (n1–n2–…–n7). n0 makes a
//! room with all of them. A post reaches everyone; with n0 away, a post from n7 still
//! reaches n1 through the chain; a member offline for a while catches up, each post
//! once; after n0 (restarted, the room kept) removes n3, n3 cannot read what is posted.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use common::device::{connect, Device};
use tincan_core::node::{Event, Node};

const N: usize = 8;

/// Waits (30 s at most) until `node` shows `text` in `room`.
fn expect_post(node: &Node, room: &str, text: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let posts = node.room_posts(room).unwrap_or_default();
        let shown = posts
            .iter()
            .filter(|p| p.text.as_deref() == Some(text))
            .count();
        assert!(shown <= 1, "{text:?} shown {shown} times");
        if shown == 1 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{text:?} did not reach {:?}: {posts:?}",
            node.rooms()
        );
        while node.next_event(Duration::from_millis(50)).is_some() {}
    }
}

/// Waits (30 s at most) until `node` is in `room`.
fn expect_room(node: &Node, room: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !node.rooms().iter().any(|r| r.id == room && r.joined) {
        assert!(Instant::now() < deadline, "never joined {room}");
        let _ = node.next_event(Duration::from_millis(50));
    }
}

#[test]
fn a_room_of_eight_reaches_everyone_through_relays_catches_up_and_locks_out_a_removed_member() {
    let dir = tempfile::tempdir().unwrap();
    let names = ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7"];
    let devices: Vec<Device> = names.iter().map(|n| Device::new(n, dir.path())).collect();
    let mut nodes: Vec<Node> = devices.iter().map(Device::start).collect();
    let hub: Vec<String> = (1..N).map(|i| connect(&nodes[0], &nodes[i])).collect();
    for i in 1..N - 1 {
        connect(&nodes[i], &nodes[i + 1]);
    }

    let room = nodes[0].create_room("Knitting club", &hub).unwrap();
    for node in &nodes[1..] {
        expect_room(node, &room);
    }
    let info = nodes[3].rooms().into_iter().find(|r| r.id == room).unwrap();
    assert_eq!(info.name, "Knitting club");
    assert_eq!(info.members.len(), N);
    nodes[0].post_to_room(&room, "welcome, all").unwrap();
    for node in &nodes[1..] {
        expect_post(node, &room, "welcome, all");
    }

    // n0 is away: n7's post travels the chain to n1.
    nodes[0].shutdown();
    nodes[7]
        .post_to_room(&room, "hello from the end of the chain")
        .unwrap();
    for node in &nodes[1..7] {
        expect_post(node, &room, "hello from the end of the chain");
    }

    // n6 is away while n1 posts twice; back, it catches up, each post once.
    nodes[6].shutdown();
    nodes[1].post_to_room(&room, "one").unwrap();
    nodes[1].post_to_room(&room, "two").unwrap();
    expect_post(&nodes[5], &room, "two");
    nodes[6] = devices[6].start();
    expect_post(&nodes[6], &room, "one");
    expect_post(&nodes[6], &room, "two");

    // n0 is back with the room it kept, and removes n3.
    nodes[0] = devices[0].start();
    expect_post(&nodes[0], &room, "hello from the end of the chain");
    let n3_key = nodes[3].identity_key();
    nodes[0].remove_from_room(&room, &n3_key).unwrap();
    let removed = |node: &Node| {
        node.rooms()
            .iter()
            .any(|r| r.id == room && !r.members.contains(&n3_key) && r.epoch == 1)
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !(1..N).filter(|i| *i != 3).all(|i| removed(&nodes[i])) {
        assert!(
            Instant::now() < deadline,
            "the removal did not reach everyone"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    nodes[5].post_to_room(&room, "after n3 left").unwrap();
    for i in [0, 1, 2, 4, 6, 7] {
        expect_post(&nodes[i], &room, "after n3 left");
    }
    // n3 never reads it (it may not even get the bytes).
    std::thread::sleep(Duration::from_secs(1));
    let n3_posts = nodes[3].room_posts(&room).unwrap();
    assert!(n3_posts
        .iter()
        .all(|p| p.text.as_deref() != Some("after n3 left")));
    // n3 was told it is no longer in the room, and cannot post to it.
    let deadline = Instant::now() + Duration::from_secs(30);
    while nodes[3].rooms().iter().any(|r| r.id == room && r.joined) {
        assert!(Instant::now() < deadline, "n3 was never told");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(nodes[3].post_to_room(&room, "let me in").is_err());
    let mut saw = false;
    while let Some(e) = nodes[3].next_event(Duration::from_millis(100)) {
        if matches!(&e, Event::RoomPost { text, .. } if text == "after n3 left") {
            saw = true;
        }
    }
    assert!(!saw);
}
