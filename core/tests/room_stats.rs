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
        // Each came straight from n0 or through a neighbour: every one counted once
        // by the links it travelled.
        let by_hops: u64 = s.hops.iter().sum();
        assert!(s.gossip_new >= 2 && by_hops == s.gossip_new, "n{i}: {s:?}");
        assert_eq!(s.hops[0], 0, "n{i}: {s:?}");
    }
    let direct: u64 = (1..4).map(|i| club.nodes[i].room_stats().hops[1]).sum();
    assert!(direct >= 1, "nothing came straight from n0");

    // n0 away: n3's post reaches n1 through n2, two hops.
    club.leave(0);
    club.post(3, "counted two");
    club.expect_everywhere([1, 2], "counted two");
    let n1 = club.nodes[1].room_stats();
    assert!(n1.hops[2] >= 1, "{n1:?}");

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
