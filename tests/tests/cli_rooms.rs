//! Group rooms with the `tincan` program (issue #15): Ana knows Ben and Cleo (codes);
//! Ben and Cleo do not know each other. Ana makes a room with both; in `tincan room
//! chat`, each one's posts reach the others — Ben's reach Cleo through Ana.
#![allow(clippy::unwrap_used, clippy::panic)]

use tincan_tests::cli_people::{meet_ana_by_codes as meet_by_codes, tincan, T};
use tincan_tests::process::Stream;

#[test]
fn ana_makes_a_room_and_posts_reach_members_through_her() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    meet_by_codes(dir, "b", "Ben");
    meet_by_codes(dir, "c", "Cleo");

    // Ben and Cleo are online when Ana makes the room.
    let mut ben = tincan(dir, "b", "Ben", &["online"]);
    let mut cleo = tincan(dir, "c", "Cleo", &["online"]);
    let mut make = tincan(dir, "a", "Ana", &["room", "new", "Knitting", "Ben", "Cleo"]);
    make.expect_line(Stream::Out, "Made the room Knitting", T);
    assert!(make.wait_exit(T), "{}", make.dump());
    ben.expect_line(Stream::Out, "room Knitting: 3 members", T);
    cleo.expect_line(Stream::Out, "room Knitting: 3 members", T);
    for p in [&mut ben, &mut cleo] {
        p.close_input();
        assert!(p.wait_exit(T), "{}", p.dump());
    }

    // Everyone in the room chat; Ben and Cleo are linked only through Ana.
    let mut ana = tincan(dir, "a", "Ana", &["room", "chat", "Knitting"]);
    let mut ben = tincan(dir, "b", "Ben", &["room", "chat", "Knitting"]);
    let mut cleo = tincan(dir, "c", "Cleo", &["room", "chat", "Knitting"]);
    ana.type_line("hello room");
    ben.expect_line(Stream::Out, "Ana: hello room", T);
    cleo.expect_line(Stream::Out, "Ana: hello room", T);
    ben.type_line("hi all, Ben here");
    // Cleo does not know Ben: he is shown by the name he gave, marked so.
    cleo.expect_line(Stream::Out, "Ben (not your contact): hi all, Ben here", T);
    ana.expect_line(Stream::Out, "Ben: hi all, Ben here", T);
    for p in [&mut ben, &mut cleo, &mut ana] {
        p.close_input();
        assert!(p.wait_exit(T), "{}", p.dump());
    }
    let mut list = tincan(dir, "c", "Cleo", &["rooms"]);
    let line = list.expect_line(Stream::Out, "Knitting  (3 members", T);
    assert!(
        line.contains("Ana") && line.contains("Ben (not your contact)") && line.contains("me"),
        "{line}"
    );
    assert!(list.wait_exit(T));
}
