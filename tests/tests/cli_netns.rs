//! `tincan` processes in network namespaces, as on real networks: two hosts on one
//! LAN (a veth pair), and two hosts each behind its own NAT with a STUN server on the
//! "internet" between them. Late replies, restarts, follow-up codes and both NAT
//! kinds are in `first_contact_netns.rs`. Needs root (CI runs as root); without it
//! every test fails and says so. Namespaces are removed even when a test fails.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;
use std::time::Duration;

use tincan_tests::netns::{self, assert_through_nat, Lan, NatPair, Netns};
use tincan_tests::process::{wait_for_file, Stream, Tincan};

const STUN_SERVER: &str = env!("CARGO_BIN_EXE_stun-server");
const T: Duration = Duration::from_secs(40);

/// `tincan` inside `ns`, bound to `addr`, data in `dir/who`.
fn tincan_in(ns: &Netns, who: &str, name: &str, dir: &Path, addr: &str, extra: &[&str]) -> Tincan {
    let data = dir.join(who).display().to_string();
    let bind = format!("{addr}:0");
    let mut args = vec!["--data-dir", &data, "--name", name, "--bind", &bind];
    args.extend_from_slice(extra);
    Tincan::start(who, &["ip", "netns", "exec", ns.name()], &args)
}

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

fn nat_setup() -> (NatPair, tempfile::TempDir, String) {
    netns::require_root().unwrap();
    let mut nat = NatPair::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    nat.start_stun(Path::new(STUN_SERVER), dir.path()).unwrap();
    let stun = format!("{}:{}", NatPair::STUN_ADDR, NatPair::STUN_PORT);
    (nat, dir, stun)
}

#[test]
fn hosts_behind_two_nats_connect_through_stun() {
    let (nat, dir, stun) = nat_setup();
    let (invite, reply) = (dir.path().join("invite.txt"), dir.path().join("reply.txt"));
    let (invite_s, reply_s) = (invite.display().to_string(), reply.display().to_string());
    let mut ana = tincan_in(
        &nat.a.host,
        "ana",
        "Ana",
        dir.path(),
        &nat.a.host_addr.to_string(),
        &[
            "--stun",
            &stun,
            "invite",
            "--open",
            "--out",
            &invite_s,
            "--reply-file",
            &reply_s,
        ],
    );
    wait_for_file(&invite, T);
    let mut ben = tincan_in(
        &nat.b.host,
        "ben",
        "Ben",
        dir.path(),
        &nat.b.host_addr.to_string(),
        &[
            "--stun", &stun, "join", "--file", &invite_s, "--out", &reply_s,
        ],
    );
    let a_line = ana.expect_line(Stream::Err, "● connected to Ben", T);
    let b_line = ben.expect_line(Stream::Err, "● connected to Ana", T);
    println!("NAT, Ana's selected pair: {a_line}");
    println!("NAT, Ben's selected pair: {b_line}");
    assert_through_nat(&a_line, &nat.b);
    assert_through_nat(&b_line, &nat.a);
    chat_both_ways(&mut ana, &mut ben);
}
