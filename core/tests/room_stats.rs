//! The room counters (`Node::room_stats`, for diagnostics and the `rooms` benchmark)
//! count what they say, between real nodes on loopback: n0 linked to everyone, the
//! others in a chain n1–n2–n3 (common/rooms.rs).
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

use common::rooms::{Club, Shape};

#[test]
fn room_counters_count_pushed_posts_relay_hops_and_catch_up() {
    let mut club = Club::new(4, Shape::Chain, "Counted");
    // n0's first post: its keys entry and the text, pushed in full to all three.
    club.post(0, "counted one");
    club.expect_everywhere(1..4, "counted one");
    let n0 = club.nodes[0].room_stats();
    assert!(n0.payload_frames >= 3 && n0.keys_frames >= 3, "{n0:?}");
    assert!(
        n0.payload_bytes > 3 * 100 && n0.keys_bytes > 3 * 100,
        "{n0:?}"
    );
    assert!(n0.control_frames > 0, "operations and heights: {n0:?}");
    for i in 1..4 {
        let s = club.nodes[i].room_stats();
        // Each entry is counted once, by the way it came: pushed (straight from n0 or
        // through a neighbour, by the links it travelled) or caught up by heights.
        // Under load a neighbour's catch-up can come before n0's push, which is then
        // a repeat; which way won is timing, the sums are not.
        let by_hops: u64 = s.hops.iter().sum();
        assert_eq!(by_hops, s.gossip_new, "n{i}: {s:?}");
        assert_eq!(s.gossip_new + s.caught_up, 2, "n{i}: {s:?}");
        assert_eq!(s.hops[0], 0, "n{i}: {s:?}");
    }

    // n0 away: n3's post (its keys entry and the text) reaches n1 only through n2, so
    // whatever of it was pushed counts at two hops or more, never one. The others
    // first take in n0's goodbye, so n3 sends round n0 rather than to it.
    club.leave(0);
    for i in 1..4 {
        club.wait_unlinked(i, 0);
    }
    let before = club.nodes[1].room_stats();
    club.post(3, "counted two");
    club.expect_everywhere([1, 2], "counted two");
    let n1 = club.nodes[1].room_stats();
    let pushed = n1.gossip_new - before.gossip_new;
    assert_eq!(pushed + n1.caught_up - before.caught_up, 2, "{n1:?}");
    assert_eq!(
        n1.hops[1], before.hops[1],
        "nothing came in one hop: {n1:?}"
    );
    let relayed: u64 = n1.hops[2..].iter().sum::<u64>() - before.hops[2..].iter().sum::<u64>();
    assert_eq!(relayed, pushed, "{n1:?}");

    // n3 away for a post; back (fresh counters), it catches up from n2 by heights.
    club.leave(3);
    club.post(1, "counted three");
    club.expect_everywhere([2], "counted three");
    club.back(3);
    club.expect_everywhere([3], "counted three");
    let n3 = club.nodes[3].room_stats();
    assert!(n3.caught_up >= 1 && n3.heights_frames >= 1, "{n3:?}");
    let n2 = club.nodes[2].room_stats();
    assert!(n2.catchup_frames >= 1, "{n2:?}");
}
