//! `tincan` processes in network namespaces, as on real networks: two hosts on one
//! LAN (a veth pair), and two hosts each behind its own NAT with a STUN server on the
//! "internet" between them. Late replies, restarts, follow-up codes and both NAT
//! kinds are in `first_contact_netns.rs`. Needs root (CI runs as root); without it
//! every test fails and says so. Namespaces are removed even when a test fails.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use tincan_tests::cli_net::{tincan_in, NatScene};
use tincan_tests::netns::{self, assert_through_nat, Lan};
use tincan_tests::process::{wait_for_file, Stream, Tincan};

const STUN_SERVER: &str = env!("CARGO_BIN_EXE_stun-server");
const T: Duration = Duration::from_secs(40);

fn chat_both_ways(ana: &mut Tincan, ben: &mut Tincan) {
    ana.type_line("hello over the wire");
    ben.expect_line(Stream::Out, "Ana: hello over the wire", T);
    ben.type_line("loud and clear");
    ana.expect_line(Stream::Out, "Ben: loud and clear", T);
    ana.close_input();
    assert!(ana.wait_exit(T), "ana:\n{}", ana.dump());
    // Ana leaving is "away", not goodbye: Ben starts reconnecting.
    ben.expect_line(Stream::Err, "reconnecting to Ana", T);
    ben.close_input();
    assert!(ben.wait_exit(T), "ben:\n{}", ben.dump());
}

#[test]
fn two_hosts_on_a_lan_chat() {
    netns::require_root().unwrap();
    let lan = Lan::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (invite, reply) = (dir.path().join("invite.txt"), dir.path().join("reply.txt"));
    let (invite_s, reply_s) = (invite.display().to_string(), reply.display().to_string());
    let mut ana = tincan_in(
        &lan.a,
        "ana",
        "Ana",
        dir.path(),
        &Lan::A_ADDR.to_string(),
        &[
            "invite",
            "--question",
            "Where?",
            "--answer",
            "Lisbon",
            "--out",
            &invite_s,
            "--reply-file",
            &reply_s,
        ],
    );
    wait_for_file(&invite, T);
    let mut ben = tincan_in(
        &lan.b,
        "ben",
        "Ben",
        dir.path(),
        &Lan::B_ADDR.to_string(),
        &[
            "join", "--file", &invite_s, "--answer", "lisbon", "--out", &reply_s,
        ],
    );
    let line = ana.expect_line(Stream::Err, "● connected to Ben", T);
    println!("LAN: {line}");
    assert!(line.contains(&format!("{}:", Lan::B_ADDR)), "{line}");
    ben.expect_line(Stream::Err, "● connected to Ana", T);
    chat_both_ways(&mut ana, &mut ben);
}

#[test]
fn hosts_behind_two_nats_connect_through_stun() {
    let scene = NatScene::new(STUN_SERVER);
    let nat = &scene.nat;
    let (mut ana, mut ben) = scene.connect();
    // Already printed: connect() waited for them.
    let a_line = ana.expect_line(Stream::Err, "● connected to Ben", T);
    let b_line = ben.expect_line(Stream::Err, "● connected to Ana", T);
    println!("NAT, Ana's selected pair: {a_line}");
    println!("NAT, Ben's selected pair: {b_line}");
    assert_through_nat(&a_line, &nat.b);
    assert_through_nat(&b_line, &nat.a);
    chat_both_ways(&mut ana, &mut ben);
}
