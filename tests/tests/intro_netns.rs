//! Introductions with `tincan` processes in network namespaces (issue #15): Ana, Ben
//! and Cleo each behind their own home-router NAT, the three sites joined by an
//! "internet" with a STUN server. Ana meets Ben and Cleo by codes; in a chat with Ben
//! she types `/introduce Cleo`; Ben and Cleo answer `/meet ID`. Then Ana's site is cut
//! off the internet, and Ben and Cleo, in fresh programs and with no codes, connect
//! through each other's NAT (the selected pair says so, not Ana's) and chat. Cleo's contact list
//! says Ben was introduced by Ana and is not verified. Needs root (CI runs as root);
//! namespaces are removed even when the test fails.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::Instant;

use tincan_tests::netns;
use tincan_tests::process::Stream;
use tincan_tests::small_net::{close, meet_by_codes, NatStar, Person, STEP};

const STUN_SERVER: &str = env!("CARGO_BIN_EXE_stun-server");

/// The id after `/meet ` in an announcement line.
fn meet_id(line: &str) -> String {
    let after = line.split("/meet ").nth(1).unwrap();
    after.split_whitespace().next().unwrap().to_owned()
}

#[test]
fn ana_introduces_ben_and_cleo_behind_nats_who_then_chat_directly_with_ana_cut_off() {
    netns::require_root().unwrap();
    let start = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let net = NatStar::new(3, Path::new(STUN_SERVER), dir).unwrap();
    let [a, b, c] = [0, 1, 2].map(|k| &net.sites[k]);
    let stun = net.stun();
    let ana = Person::new("Ana", &a.host, a.host_addr, dir).with_stun(&stun);
    let ben = Person::new("Ben", &b.host, b.host_addr, dir).with_stun(&stun);
    let cleo = Person::new("Cleo", &c.host, c.host_addr, dir).with_stun(&stun);
    meet_by_codes(&ana, &ben, dir);
    meet_by_codes(&ana, &cleo, dir);
    println!("met by codes: {:?}", start.elapsed());

    // Ben and Cleo are in a chat with Ana; Ana, chatting with Ben, introduces Cleo.
    let mut bp = ben.run(&["chat", "Ana"]);
    let mut cp = cleo.run(&["chat", "Ana"]);
    let mut ap = ana.run(&["chat", "Ben"]);
    ap.expect_line(Stream::Err, "● connected to Ben", STEP);
    ap.type_line("/introduce Cleo");
    ap.expect_line(
        Stream::Err,
        "Asked Ben and Cleo whether they want to meet",
        STEP,
    );
    let offer = bp.expect_line(Stream::Err, "Ana introduces you to Cleo", STEP);
    assert!(offer.contains("not verified"), "{offer}");
    bp.type_line(&format!("/meet {}", meet_id(&offer)));
    let offer = cp.expect_line(Stream::Err, "Ana introduces you to Ben", STEP);
    cp.type_line(&format!("/meet {}", meet_id(&offer)));
    bp.expect_line(Stream::Err, "Connected to Cleo, introduced by Ana", STEP);
    cp.expect_line(Stream::Err, "Connected to Ben, introduced by Ana", STEP);
    println!("introduced and connected: {:?}", start.elapsed());
    for p in [&mut bp, &mut cp, &mut ap] {
        close(p);
    }

    // Ana's site is cut off: nothing reaches her or comes from her any more.
    net.cut(0, true).unwrap();

    // Ben and Cleo, in fresh programs, connect with no codes, each through the
    // other's NAT, and chat.
    let mut bp = ben.run(&["chat", "Cleo"]);
    let mut cp = cleo.run(&["chat", "Ben"]);
    let b_line = bp.expect_line(Stream::Err, "● connected to Cleo", STEP);
    let c_line = cp.expect_line(Stream::Err, "● connected to Ben", STEP);
    println!("Ben's selected pair: {b_line}");
    println!("Cleo's selected pair: {c_line}");
    // After a restart the pair is the remembered route (shown as a host candidate):
    // the other's NAT, never Ana's.
    for (line, far) in [(&b_line, c), (&c_line, b)] {
        let remote = line.split("(remote)").nth(1).unwrap_or_default();
        assert!(
            remote.contains(&format!(" {}:", far.public_addr)),
            "not through {}: {line}",
            far.public_addr
        );
    }
    bp.type_line("hello Cleo, Ana told me about you");
    cp.expect_line(Stream::Out, "Ben: hello Cleo, Ana told me about you", STEP);
    cp.type_line("hi Ben, she is offline but here we are");
    bp.expect_line(
        Stream::Out,
        "Cleo: hi Ben, she is offline but here we are",
        STEP,
    );
    for p in [&mut bp, &mut cp] {
        close(p);
    }

    // Cleo's contacts: Ben, introduced by Ana, not verified.
    let mut list = cleo.run(&["contacts"]);
    list.expect_line(Stream::Out, "Ben  [introduced by Ana, not verified]", STEP);
    list.expect_line(Stream::Out, "Ana  [not verified]", STEP);
    assert!(list.wait_exit(STEP), "{}", list.dump());
    println!("whole test: {:?}", start.elapsed());
}
