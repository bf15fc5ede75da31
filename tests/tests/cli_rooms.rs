//! Group rooms with the `tincan` program (issue #15): Ana knows Ben and Cleo (codes);
//! Ben and Cleo do not know each other. Ana makes a room with both; in `tincan room
//! chat`, each one's posts reach the others — Ben's reach Cleo through Ana.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use tincan_tests::process::{wait_for_file, Stream, Tincan};

const T: Duration = Duration::from_secs(40);

fn tincan(dir: &Path, who: &str, name: &str, rest: &[&str]) -> Tincan {
    let mut args = vec![
        "--data-dir".to_owned(),
        dir.join(who).display().to_string(),
        "--name".to_owned(),
        name.to_owned(),
        "--bind".to_owned(),
        "127.0.0.1:0".to_owned(),
    ];
    args.extend(rest.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    Tincan::start(&format!("{who}-{}", rest.join("-")), &[], &refs)
}

fn meet_by_codes(dir: &Path, who: &str, name: &str) {
    let (invite, reply) = (
        dir.join(format!("invite-{who}.txt")),
        dir.join(format!("reply-{who}.txt")),
    );
    let (invite_s, reply_s) = (invite.display().to_string(), reply.display().to_string());
    let mut ana = tincan(
        dir,
        "a",
        "Ana",
        &[
            "invite",
            "--open",
            "--out",
            &invite_s,
            "--reply-file",
            &reply_s,
        ],
    );
    wait_for_file(&invite, T);
    let mut other = tincan(
        dir,
        who,
        name,
        &["join", "--file", &invite_s, "--out", &reply_s],
    );
    ana.expect_line(Stream::Err, &format!("● connected to {name}"), T);
    other.expect_line(Stream::Err, "● connected to Ana", T);
    for p in [&mut ana, &mut other] {
        p.close_input();
        assert!(p.wait_exit(T), "{}", p.dump());
    }
}

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
