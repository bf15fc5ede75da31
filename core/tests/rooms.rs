//! Group rooms between real nodes on loopback (issue #15). n0 knows everyone by codes
//! and makes the room; the others know only their neighbours (common/rooms.rs).
//!
//! Eight people in a chain (n1–n2–…–n7): a post reaches everyone; with n0 away, a post
//! from n7 still reaches n1 through the chain; a member offline for a while catches up,
//! each post once; after n0 (restarted, the room kept) removes n3, n3 cannot read what
//! is posted.
//!
//! Sixteen people in a ring (n1–n2–…–n15–n1): with n0 away, a post from n8 reaches n1
//! seven relays away, every member once; n12, away for two posts, catches up from both
//! its neighbours and shows each once; n0 removes n5, then leaves again: a post from
//! n6 reaches n4 the long way round (n5 is not a member any more, so no relay), and n5
//! never reads it.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

use std::time::Instant;

use common::rooms::{Club, Shape};

#[test]
fn a_room_of_eight_reaches_everyone_through_relays_catches_up_and_locks_out_a_removed_member() {
    const N: usize = 8;
    let mut club = Club::new(N, Shape::Chain, "Knitting club");
    club.post(0, "welcome, all");
    club.expect_everywhere(1..N, "welcome, all");

    // n0 is away: n7's post travels the chain to n1.
    club.leave(0);
    club.post(7, "hello from the end of the chain");
    club.expect_everywhere(1..7, "hello from the end of the chain");

    // n6 is away while n1 posts twice; back, it catches up, each post once.
    club.leave(6);
    club.post(1, "one");
    club.post(1, "two");
    club.expect_everywhere([5], "two");
    club.back(6);
    club.expect_everywhere([6], "one");
    club.expect_everywhere([6], "two");

    // n0 is back with the room it kept, and removes n3.
    club.back(0);
    club.expect_everywhere([0], "hello from the end of the chain");
    club.remove(3, [1, 2, 4, 5, 6, 7]);
    club.post(5, "after n3 left");
    club.expect_everywhere([0, 1, 2, 4, 6, 7], "after n3 left");
    club.expect_locked_out(3, "after n3 left");
}

#[test]
fn a_room_of_sixteen_in_a_ring_reaches_everyone_once_catches_up_and_routes_around_a_removed_member()
{
    const N: usize = 16;
    let start = Instant::now();
    let mut club = Club::new(N, Shape::Ring, "Choir");
    println!(
        "16 people, 30 links, the room joined: {:?}",
        start.elapsed()
    );
    club.post(0, "welcome, all sixteen");
    let took = club.expect_everywhere(1..N, "welcome, all sixteen");
    println!("n0's post to everyone: {took:?}");

    // n0 is away: only the ring is left; n8 is seven relays from n1 either way.
    club.leave(0);
    let others = |but: &[usize]| (1..N).filter(|i| !but.contains(i)).collect::<Vec<_>>();
    club.post(8, "from the far side");
    let took = club.expect_everywhere(others(&[8]), "from the far side");
    println!("n8's post round the ring: {took:?}");

    // n12 is away while n3 posts twice; back, it hears from both neighbours and shows
    // each post once.
    club.leave(12);
    club.post(3, "one");
    club.post(3, "two");
    club.expect_everywhere(others(&[3, 12]), "one");
    club.expect_everywhere(others(&[3, 12]), "two");
    club.back(12);
    let took = club.expect_everywhere([12], "one");
    club.expect_everywhere([12], "two");
    println!("n12 caught up: {took:?}");

    // n0 is back with the room it kept and removes n5, then leaves again.
    club.back(0);
    for text in ["from the far side", "one", "two"] {
        club.expect_everywhere([0], text);
    }
    club.remove(5, others(&[5]));
    club.leave(0);
    // n6's post reaches n4 the long way round, never through n5.
    club.post(6, "after n5 left");
    let took = club.expect_everywhere(others(&[5, 6]), "after n5 left");
    println!("n6's post round the ring without n5: {took:?}");
    club.expect_locked_out(5, "after n5 left");
    println!("whole test: {:?}", start.elapsed());
}

/// Two cases the bigger rooms above do not meet. Five people: n0 with everyone, a
/// chain n1–n2–n3–n4. n0 removes n4 while n4 is away: when n4 is back, a member who
/// meets it tells it it is out. Then, with n0 away, n1 restarts and posts before any
/// link is up: n2 gets the post by catch-up and passes it on to n3, who was linked to
/// n2 all along (so no catch-up of its own would bring it).
#[test]
fn a_member_removed_while_away_is_told_and_a_post_written_offline_travels_on() {
    let mut club = Club::new(5, Shape::Chain, "Book club");
    club.post(0, "first");
    club.expect_everywhere(1..5, "first");

    club.leave(4);
    let key = club.nodes[4].identity_key();
    club.nodes[0].remove_from_room(&club.room, &key).unwrap();
    club.wait_all(1..4, "shown the removal", |node, room| {
        node.rooms()
            .iter()
            .any(|r| r.id == room && !r.members.contains(&key))
    });
    club.back(4);
    club.expect_locked_out(4, "first after n4");

    club.leave(0);
    club.leave(1);
    club.back(1);
    club.post(1, "written before any link");
    club.expect_everywhere([2, 3], "written before any link");
    assert_eq!(club.listed(4, "written before any link"), 0);
}
