//! First contacts finished whenever people get to them, across two NATs of both kinds
//! (tests/src/netns.rs `NatKind`: with an inbound firewall, and MASQUERADE alone):
//! `tincan` processes in network namespaces, with a STUN server on the "internet".
//!
//! * a fresh invite connects;
//! * a stale invite (`invite --no-wait`, `accept` later) connects with no follow-up
//!   code while the joiner waits, and the pair reconnects without codes after the
//!   joiner is killed and restarted;
//! * a reply loaded while the joiner was closed is finished by the inviter's
//!   follow-up code, pasted into the reopened joiner;
//! * a reply loaded 150 s and 10 minutes after `join`, with the joiner restarted in
//!   between, connects with no follow-up code.
//!
//! Needs root (CI runs as root). Namespaces are removed even when a test fails.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tincan_tests::netns::{self, assert_through_nat, NatKind, NatPair};
use tincan_tests::process::{wait_for_file, Stream, Tincan};

const STUN_SERVER: &str = env!("CARGO_BIN_EXE_stun-server");
const T: Duration = Duration::from_secs(40);

/// Two NATs of `kind`, a STUN server, a directory for data and codes.
struct World {
    nat: NatPair,
    dir: tempfile::TempDir,
    stun: String,
}

impl World {
    fn new(kind: NatKind) -> Self {
        netns::require_root().unwrap();
        let mut nat = NatPair::with_kind(kind).unwrap();
        let dir = tempfile::tempdir().unwrap();
        nat.start_stun(Path::new(STUN_SERVER), dir.path()).unwrap();
        let stun = format!("{}:{}", NatPair::STUN_ADDR, NatPair::STUN_PORT);
        Self { nat, dir, stun }
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `tincan ARGS` for Ana (behind NAT a) or Ben (behind NAT b).
    fn run(&self, who: &str, args: &[&str]) -> Tincan {
        let (site, name) = match who {
            "ana" => (&self.nat.a, "Ana"),
            _ => (&self.nat.b, "Ben"),
        };
        let data = self.dir.path().join(who).display().to_string();
        let bind = format!("{}:0", site.host_addr);
        let mut all = vec![
            "--data-dir",
            &data,
            "--name",
            name,
            "--bind",
            &bind,
            "--stun",
            &self.stun,
        ];
        all.extend_from_slice(args);
        Tincan::start(who, &["ip", "netns", "exec", site.host.name()], &all)
    }

    /// Ana's invite, left in `invite.txt`; with `--no-wait` she has exited.
    fn invite(&self, no_wait: bool) -> Tincan {
        let invite = self.file("invite.txt").display().to_string();
        let reply = self.file("reply.txt").display().to_string();
        let mut args = vec!["invite", "--open", "--out", &invite];
        if no_wait {
            args.push("--no-wait");
        } else {
            args.extend(["--reply-file", &reply]);
        }
        let mut ana = self.run("ana", &args);
        wait_for_file(&self.file("invite.txt"), T);
        if no_wait {
            assert!(ana.wait_exit(T), "invite --no-wait:\n{}", ana.dump());
        }
        ana
    }

    /// Ben joins; his reply is in `reply.txt`.
    fn join(&self) -> Tincan {
        let invite = self.file("invite.txt").display().to_string();
        let reply = self.file("reply.txt").display().to_string();
        let mut ben = self.run("ben", &["join", "--file", &invite, "--out", &reply]);
        wait_for_file(&self.file("reply.txt"), T);
        ben.expect_line(Stream::Err, "Waiting for them to load it", T);
        ben
    }

    /// Ana (restarted) loads the reply, offering a follow-up code after `after`.
    fn accept(&self, followup_after: u64) -> Tincan {
        let reply = self.file("reply.txt").display().to_string();
        let after = followup_after.to_string();
        self.run(
            "ana",
            &["accept", "--file", &reply, "--followup-after", &after],
        )
    }
}

/// Both connected (through the NATs) and a message each way.
fn connected_and_chatting(world: &World, ana: &mut Tincan, ben: &mut Tincan) {
    let a_line = ana.expect_line(Stream::Err, "● connected to Ben", T);
    let b_line = ben.expect_line(Stream::Err, "● connected to Ana", T);
    assert_through_nat(&a_line, &world.nat.b);
    assert_through_nat(&b_line, &world.nat.a);
    ana.type_line("finally");
    ben.expect_line(Stream::Out, "Ana: finally", T);
    ben.type_line("here at last");
    ana.expect_line(Stream::Out, "Ben: here at last", T);
}

/// Neither side printed a follow-up code: the exchange needed no third code.
fn no_followup_needed(ana: &mut Tincan, ben: &mut Tincan) {
    let (a, b) = (ana.dump(), ben.dump());
    assert!(
        !a.contains("TINCAN-F1-") && !b.contains("TINCAN-F1-"),
        "a follow-up code was needed:\nana:\n{a}\nben:\n{b}"
    );
}

fn fresh_invite_connects(kind: NatKind) {
    let world = World::new(kind);
    let mut ana = world.invite(false);
    let mut ben = world.join();
    connected_and_chatting(&world, &mut ana, &mut ben);
}

#[test]
fn fresh_invite_connects_across_firewalled_nats() {
    fresh_invite_connects(NatKind::Firewall);
}

#[test]
fn fresh_invite_connects_across_masquerade_only_nats() {
    fresh_invite_connects(NatKind::MasqueradeOnly);
}

/// Ana invites and exits; Ben joins and waits; `delay` later Ana loads the reply: it
/// connects without a follow-up code. Then Ben is killed and restarted: the pair
/// reconnects without codes and messages flow.
fn stale_invite_then_reconnection(kind: NatKind, delay: Duration) {
    let world = World::new(kind);
    world.invite(true);
    let mut ben = world.join();
    std::thread::sleep(delay);
    let mut ana = world.accept(600);
    connected_and_chatting(&world, &mut ana, &mut ben);
    no_followup_needed(&mut ana, &mut ben);

    ben.kill();
    let mut ben = world.run("ben", &["chat", "Ana"]);
    ben.expect_line(Stream::Err, "● connected to Ana", T);
    ben.type_line("back after a crash");
    ana.expect_line(Stream::Out, "Ben: back after a crash", T);
    ana.type_line("welcome back");
    ben.expect_line(Stream::Out, "Ana: welcome back", T);
}

#[test]
fn stale_invite_needs_no_followup_and_reconnects_across_firewalled_nats() {
    stale_invite_then_reconnection(NatKind::Firewall, Duration::from_secs(45));
}

#[test]
fn stale_invite_needs_no_followup_and_reconnects_across_masquerade_only_nats() {
    stale_invite_then_reconnection(NatKind::MasqueradeOnly, Duration::from_secs(45));
}

/// Ben joins and closes the app; Ana loads the reply while nobody answers, so her
/// packets meet Ben's NAT with no mapping (dropped, or — masquerade only — recorded
/// against his port). Ben reopens (`tincan chat`), still waiting; Ana's follow-up code
/// pasted into his chat connects them.
fn followup_into_a_reopened_joiner(kind: NatKind) {
    let world = World::new(kind);
    world.invite(true);
    let mut ben = world.join();
    ben.close_input();
    assert!(ben.wait_exit(T), "ben:\n{}", ben.dump());
    let mut ana = world.accept(15);
    let followup = ana.expect_line(Stream::Out, "TINCAN-F1-", T);
    let mut ben = world.run("ben", &["chat"]);
    ben.expect_line(
        Stream::Err,
        "Still waiting for the person who invited you",
        T,
    );
    ben.type_line(followup.trim());
    ben.expect_line(Stream::Err, "Follow-up code loaded", T);
    connected_and_chatting(&world, &mut ana, &mut ben);
}

#[test]
fn followup_code_reaches_a_reopened_joiner_across_firewalled_nats() {
    followup_into_a_reopened_joiner(NatKind::Firewall);
}

#[test]
fn followup_code_reaches_a_reopened_joiner_across_masquerade_only_nats() {
    followup_into_a_reopened_joiner(NatKind::MasqueradeOnly);
}

/// Ben joins, closes the app a while later and reopens it; the reply is loaded
/// `after` the join: it connects with no follow-up code.
fn late_reply_after_a_joiner_restart(kind: NatKind, after: Duration) {
    let world = World::new(kind);
    world.invite(true);
    let joined = Instant::now();
    let mut ben = world.join();
    std::thread::sleep(Duration::from_secs(20));
    ben.close_input();
    assert!(ben.wait_exit(T), "ben:\n{}", ben.dump());
    std::thread::sleep(Duration::from_secs(10));
    let mut ben = world.run("ben", &["chat"]);
    ben.expect_line(
        Stream::Err,
        "Still waiting for the person who invited you",
        T,
    );
    std::thread::sleep(after.saturating_sub(joined.elapsed()));
    let mut ana = world.accept(600);
    connected_and_chatting(&world, &mut ana, &mut ben);
    no_followup_needed(&mut ana, &mut ben);
}

#[test]
fn a_reply_loaded_150_s_after_join_connects_across_firewalled_nats() {
    late_reply_after_a_joiner_restart(NatKind::Firewall, Duration::from_secs(150));
}

#[test]
fn a_reply_loaded_10_min_after_join_connects_across_masquerade_only_nats() {
    late_reply_after_a_joiner_restart(NatKind::MasqueradeOnly, Duration::from_secs(600));
}
