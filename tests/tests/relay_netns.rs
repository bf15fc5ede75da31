//! Reconnection through a mutual contact after both sides moved (issue #15), with
//! `tincan` processes in network namespaces. Ana's host routes between Ben's network
//! and Cleo's; all three met by codes. Ben and Cleo chat; then both move to new
//! addresses under their running programs, so what each stored for the other leads
//! nowhere. Their chat comes back with no codes: each reaches Ana (who did not move),
//! asks her to pass on fresh details, and `tincan online` on Ana's side passes them on.
//! Needs root (CI runs as root); namespaces are removed even when the test fails.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tincan_tests::address_move::move_address;
use tincan_tests::netns::{self, veth, Netns};
use tincan_tests::process::{wait_for_file, Stream, Tincan, TEST_SECRET_ENV};

/// Longest wait for anything that should happen while the network works.
const T: Duration = Duration::from_secs(60);
/// Longest wait for the chat to come back after both moved.
const RECOVER: Duration = Duration::from_secs(150);

const ANA_TO_BEN: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 1);
const BEN: Ipv4Addr = Ipv4Addr::new(10, 0, 2, 2);
const ANA_TO_CLEO: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 1);
const CLEO: Ipv4Addr = Ipv4Addr::new(10, 0, 3, 2);
/// The CLI's diagnostic log (cli/src/log.rs) and what it shows here.
const LOG_ENV: &str = "TINCAN_LOG";
const LOG_FILTER: &str = "tincan_core=info";

const BEN_MOVED: Ipv4Addr = Ipv4Addr::new(10, 0, 9, 7);
const CLEO_MOVED: Ipv4Addr = Ipv4Addr::new(10, 0, 9, 8);

struct Person {
    name: &'static str,
    data: PathBuf,
}

impl Person {
    fn new(name: &'static str, dir: &Path) -> Self {
        Self {
            name,
            data: dir.join(name.to_lowercase()),
        }
    }

    fn start(&self, ns: &Netns, args: &[&str]) -> Tincan {
        let data = self.data.display().to_string();
        let mut all = vec!["--data-dir", data.as_str(), "--name", self.name];
        all.extend_from_slice(args);
        // The core's decisions on standard error, so a failure shows which hop lost
        // the request.
        let mut env: Vec<(&str, Option<&str>)> = TEST_SECRET_ENV
            .iter()
            .map(|(k, v)| (*k, Some(*v)))
            .collect();
        env.push((LOG_ENV, Some(LOG_FILTER)));
        Tincan::start_with_env(
            &format!("{}-{}", self.name.to_lowercase(), args[0]),
            &["ip", "netns", "exec", ns.name()],
            &all,
            &env,
        )
    }
}

/// `inviter` invites `joiner` (open invite, codes through files); both connect,
/// then both leave the chat.
fn meet_by_codes(inviter: (&Person, &Netns), joiner: (&Person, &Netns), dir: &Path) {
    let tag = format!("{}-{}", inviter.0.name, joiner.0.name);
    let (invite, reply) = (
        dir.join(format!("invite-{tag}.txt")),
        dir.join(format!("reply-{tag}.txt")),
    );
    let (invite_s, reply_s) = (invite.display().to_string(), reply.display().to_string());
    let mut a = inviter.0.start(
        inviter.1,
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
    let mut b = joiner
        .0
        .start(joiner.1, &["join", "--file", &invite_s, "--out", &reply_s]);
    a.expect_line(Stream::Err, &format!("● connected to {}", joiner.0.name), T);
    b.expect_line(
        Stream::Err,
        &format!("● connected to {}", inviter.0.name),
        T,
    );
    for p in [&mut a, &mut b] {
        p.close_input();
        assert!(p.wait_exit(T), "{}", p.dump());
    }
}

#[test]
fn after_both_moved_a_mutual_contact_passes_on_fresh_details_and_the_chat_comes_back() {
    netns::require_root().unwrap();
    // Ana's host is the router between Ben's network and Cleo's.
    let (r, b, c) = (
        Netns::new("relay-ana").unwrap(),
        Netns::new("relay-ben").unwrap(),
        Netns::new("relay-cleo").unwrap(),
    );
    veth((&r, "toben", ANA_TO_BEN), (&b, "eth0", BEN), 24).unwrap();
    veth((&r, "tocleo", ANA_TO_CLEO), (&c, "eth0", CLEO), 24).unwrap();
    r.sysctl("net.ipv4.ip_forward", "1").unwrap();
    b.default_route(ANA_TO_BEN).unwrap();
    c.default_route(ANA_TO_CLEO).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let (ana, ben, cleo) = (
        Person::new("Ana", dir.path()),
        Person::new("Ben", dir.path()),
        Person::new("Cleo", dir.path()),
    );
    meet_by_codes((&ana, &r), (&ben, &b), dir.path());
    meet_by_codes((&ana, &r), (&cleo, &c), dir.path());
    meet_by_codes((&ben, &b), (&cleo, &c), dir.path());

    let mut a = ana.start(&r, &["online"]);
    let mut bp = ben.start(&b, &["chat", "Cleo"]);
    let mut cp = cleo.start(&c, &["chat", "Ben"]);
    bp.expect_line(Stream::Err, "● connected to Cleo", T);
    cp.expect_line(Stream::Err, "● connected to Ben", T);
    bp.type_line("before the move");
    cp.expect_line(Stream::Out, "Ben: before the move", T);

    // Both move under their running programs.
    move_address(&b, &r, ANA_TO_BEN, BEN_MOVED).unwrap();
    move_address(&c, &r, ANA_TO_CLEO, CLEO_MOVED).unwrap();
    bp.type_line("after the move");
    if cp
        .wait_next_line(Stream::Out, "Ben: after the move", RECOVER)
        .is_none()
    {
        panic!(
            "the chat did not come back within {RECOVER:?}\n--- Ana (online):\n{}\n--- Ben:\n{}\n--- Cleo:\n{}",
            a.dump(),
            bp.dump(),
            cp.dump()
        );
    }
    let back = bp.expect_next_line(Stream::Err, "● connected to Cleo", T);
    assert!(
        back.contains(&format!("{CLEO_MOVED}:")),
        "Ben reaches Cleo at her new address: {back}"
    );
    // Ana says what she passed on: sealed bytes, from whom to whom.
    let passed = a.expect_line(Stream::Out, "passed on", T);
    assert!(passed.contains("sealed bytes from"), "{passed}");
    cp.type_line("found you");
    bp.expect_line(Stream::Out, "Cleo: found you", T);
    for p in [&mut bp, &mut cp, &mut a] {
        p.close_input();
        assert!(p.wait_exit(T), "{}", p.dump());
    }
}
