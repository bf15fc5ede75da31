//! Introductions with the `tincan` program, as three people would use it (issue #15):
//! Ana knows Ben and Cleo through codes; `tincan introduce Ben Cleo`; Ben and Cleo
//! each answer `/meet ID` in a chat with Ana; then `tincan chat Cleo` works on Ben's
//! side with no codes, and `tincan contacts` says "introduced by Ana, not verified".
#![allow(clippy::unwrap_used, clippy::panic)]

use tincan_tests::cli_people::{meet_ana_by_codes as meet_by_codes, tincan, T};
use tincan_tests::process::Stream;

/// The id after `/meet ` in an announcement line.
fn meet_id(line: &str) -> String {
    let after = line.split("/meet ").nth(1).unwrap();
    after.split_whitespace().next().unwrap().to_owned()
}

#[test]
fn ana_introduces_ben_and_cleo_who_then_chat_without_codes() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    meet_by_codes(dir, "b", "Ben");
    meet_by_codes(dir, "c", "Cleo");

    // Ben and Cleo are in a chat with Ana; Ana introduces them from the command line.
    let mut ben = tincan(dir, "b", "Ben", &["chat", "Ana"]);
    let mut cleo = tincan(dir, "c", "Cleo", &["chat", "Ana"]);
    let mut intro = tincan(dir, "a", "Ana", &["introduce", "Ben", "Cleo"]);
    intro.expect_line(
        Stream::Out,
        "Asked Ben and Cleo whether they want to meet",
        T,
    );
    assert!(intro.wait_exit(T), "{}", intro.dump());
    let offer = ben.expect_line(Stream::Err, "Ana introduces you to Cleo", T);
    assert!(offer.contains("not verified"), "{offer}");
    let id = meet_id(&offer);
    ben.type_line(&format!("/meet {id}"));
    ben.expect_line(Stream::Err, "You accepted to meet Cleo", T);
    let offer = cleo.expect_line(Stream::Err, "Ana introduces you to Ben", T);
    cleo.type_line(&format!("/meet {}", meet_id(&offer)));

    // The answers pass through Ana while she is online (in a chat with Ben).
    let mut ana = tincan(dir, "a", "Ana", &["chat", "Ben"]);
    ben.expect_line(Stream::Err, "Connected to Cleo, introduced by Ana", T);
    cleo.expect_line(Stream::Err, "Connected to Ben, introduced by Ana", T);
    for p in [&mut ben, &mut cleo, &mut ana] {
        p.close_input();
        assert!(p.wait_exit(T), "{}", p.dump());
    }

    // Ana saw only that both accepted and how many sealed bytes she forwarded.
    let mut list = tincan(dir, "a", "Ana", &["introductions"]);
    let made = list.expect_line(Stream::Out, "You introduced Ben and Cleo", T);
    assert!(made.contains("Ben: accepted, forwarded"), "{made}");
    assert!(made.contains("Cleo: accepted, forwarded"), "{made}");
    assert!(list.wait_exit(T));

    // Ben and Cleo chat with no codes.
    let mut ben = tincan(dir, "b", "Ben", &["chat", "Cleo"]);
    let mut cleo = tincan(dir, "c", "Cleo", &["chat", "Ben"]);
    ben.expect_line(Stream::Err, "● connected to Cleo", T);
    ben.type_line("hello Cleo, Ana told me about you");
    cleo.expect_line(Stream::Out, "Ben: hello Cleo, Ana told me about you", T);
    for p in [&mut ben, &mut cleo] {
        p.close_input();
        assert!(p.wait_exit(T), "{}", p.dump());
    }
    let mut contacts = tincan(dir, "b", "Ben", &["contacts"]);
    contacts.expect_line(Stream::Out, "Cleo  [introduced by Ana, not verified]", T);
    assert!(contacts.wait_exit(T));
}
