//! Two Tincan links in separate processes, in network namespaces this test builds:
//! on one LAN, behind two NATs with a STUN server on the "internet" between them, and
//! with the inviter restarted behind its NAT after the invite went out.
//!
//! Each peer is the `link-peer` dev binary; SDPs travel through files the way codes
//! travel through a messenger. Needs root (CI runs every test as root); without it
//! every test here fails and says so. Every wait is bounded.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use tincan_tests::netns::{self, Lan, NatPair, NatSite, Netns, NsProcess};

const LINK_PEER: &str = env!("CARGO_BIN_EXE_link-peer");
const STUN_SERVER: &str = env!("CARGO_BIN_EXE_stun-server");
/// Bound on a whole peer run (connect, talk, close).
const RUN: Duration = Duration::from_secs(30);

/// Where one scenario keeps its SDP files, secrets and process logs.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Result<Self> {
        Ok(Self {
            dir: tempfile::tempdir()?,
        })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }

    fn logs(&self) -> &Path {
        self.dir.path()
    }
}

/// Start `link-peer` with `args` inside `ns`.
fn link_peer(ns: &Netns, label: &str, files: &Files, args: &[String]) -> Result<NsProcess> {
    ns.spawn(label, Path::new(LINK_PEER), args, files.logs())
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| (*s).to_owned()).collect()
}

/// Both peers finished: exit 0 and every message arrived.
fn expect_success(peer: &mut NsProcess) -> Result<()> {
    let status = peer.wait(RUN)?;
    ensure!(
        status.success(),
        "peer failed ({status})\n{}",
        peer.transcript()
    );
    let out = peer.stdout();
    ensure!(
        out.lines().any(|l| l == "received 3") && out.lines().any(|l| l == "done"),
        "peer did not exchange its messages\n{}",
        peer.transcript()
    );
    Ok(())
}

/// The remote half of a selected pair as printed by the link:
/// `(local) udp host 10.1.0.2:57014 <-> (remote) udp srflx 198.18.2.2:60195…` →
/// (`srflx`, `198.18.2.2:60195…`). webrtc glues a candidate's related address straight
/// onto its port, so the address part is compared by prefix.
fn remote_of(pair: &str) -> Option<(&str, &str)> {
    let remote = pair.split("(remote) ").nth(1)?;
    let mut words = remote.split_whitespace();
    let _protocol = words.next()?;
    Some((words.next()?, words.next()?))
}

/// The selected pair reaches the other site through its NAT's public address (and
/// port, when given): a server- or peer-reflexive candidate, not a private one.
fn expect_reflexive(pair: &str, far: &NatSite, port: Option<u16>) -> Result<()> {
    let (typ, addr) = remote_of(pair).with_context(|| format!("unparsable pair {pair:?}"))?;
    ensure!(
        typ == "srflx" || typ == "prflx",
        "selected remote candidate is {typ}, not reflexive: {pair}"
    );
    let want = match port {
        Some(p) => format!("{}:{p}", far.public_addr),
        None => format!("{}:", far.public_addr),
    };
    let rest = addr.strip_prefix(&want);
    // After the port: nothing, or the glued related (private) address.
    let exact = match (port, rest) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(_), Some(r)) => r.is_empty() || r.starts_with(&far.host_addr.to_string()),
    };
    ensure!(exact, "selected remote is not {want}: {pair}");
    Ok(())
}

/// The port of the first server-reflexive candidate at `public` in an SDP.
fn srflx_port(sdp: &str, public: Ipv4Addr) -> Option<u16> {
    sdp.lines().find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        // a=candidate:<foundation> <component> udp <prio> <addr> <port> typ srflx …
        match f.as_slice() {
            [_, _, _, _, addr, port, "typ", "srflx", ..] if *addr == public.to_string() => {
                port.parse().ok()
            }
            _ => None,
        }
    })
}

#[test]
fn two_hosts_on_one_lan_connect_and_talk_both_ways() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    let files = Files::new()?;
    let (offer, answer) = (files.arg("offer.sdp"), files.arg("answer.sdp"));
    let mut a = link_peer(
        &lan.a,
        "offerer",
        &files,
        &strings(&[
            "--role",
            "offer",
            "--write",
            &offer,
            "--read",
            &answer,
            "--secrets",
            &files.arg("secrets.json"),
            "--bind",
            &format!("{}:0", Lan::A_ADDR),
        ]),
    )?;
    let mut b = link_peer(
        &lan.b,
        "answerer",
        &files,
        &strings(&[
            "--role",
            "answer",
            "--read",
            &offer,
            "--write",
            &answer,
            "--bind",
            &format!("{}:0", Lan::B_ADDR),
        ]),
    )?;
    let pair_a = a.wait_for_line("selected ", RUN)?;
    let pair_b = b.wait_for_line("selected ", RUN)?;
    println!("LAN offerer selected:  {pair_a}");
    println!("LAN answerer selected: {pair_b}");
    expect_success(&mut a)?;
    expect_success(&mut b)?;
    // On one LAN the hosts reach each other directly.
    ensure!(
        pair_a.contains(&format!("(remote) udp host {}:", Lan::B_ADDR))
            || pair_a.contains(&format!("(remote) udp prflx {}:", Lan::B_ADDR)),
        "offerer's pair does not reach {}: {pair_a}",
        Lan::B_ADDR
    );
    ensure!(
        pair_b.contains(&format!(" {}:", Lan::A_ADDR)),
        "answerer's pair does not reach {}: {pair_b}",
        Lan::A_ADDR
    );
    Ok(())
}

/// Arguments shared by every peer in the NAT scenarios.
fn nat_peer_args(
    nat: &NatPair,
    site: &NatSite,
    role: &str,
    read: &str,
    write: &str,
) -> Vec<String> {
    strings(&[
        "--role",
        role,
        "--read",
        read,
        "--write",
        write,
        "--bind",
        &format!("{}:0", site.host_addr),
        "--stun",
        &nat.stun_url(),
    ])
}

#[test]
fn hosts_behind_two_nats_connect_through_server_reflexive_candidates() -> Result<()> {
    netns::require_root()?;
    let files = Files::new()?;
    let mut nat = NatPair::new()?;
    nat.start_stun(Path::new(STUN_SERVER), files.logs())?;
    let (offer, answer) = (files.arg("offer.sdp"), files.arg("answer.sdp"));

    let mut a_args = nat_peer_args(&nat, &nat.a, "offer", &answer, &offer);
    a_args.extend(strings(&["--secrets", &files.arg("secrets.json")]));
    let mut a = link_peer(&nat.a.host, "offerer", &files, &a_args)?;
    let b_args = nat_peer_args(&nat, &nat.b, "answer", &offer, &answer);
    let mut b = link_peer(&nat.b.host, "answerer", &files, &b_args)?;

    let pair_a = a.wait_for_line("selected ", RUN)?;
    let pair_b = b.wait_for_line("selected ", RUN)?;
    println!("NAT offerer selected:  {pair_a}");
    println!("NAT answerer selected: {pair_b}");
    expect_success(&mut a)?;
    expect_success(&mut b)?;

    // STUN saw the routers' public addresses, never a private one: the NATs rewrote.
    let stun = nat.stun_log();
    for site in [&nat.a, &nat.b] {
        ensure!(
            stun.contains(&format!("binding {}:", site.public_addr)),
            "STUN never saw {}:\n{stun}",
            site.public_addr
        );
    }
    ensure!(
        !stun.contains("binding 10."),
        "a private address reached STUN:\n{stun}"
    );
    // Both descriptions carry a server-reflexive candidate at their NAT.
    let offer_sdp = std::fs::read_to_string(files.path("offer.sdp"))?;
    let answer_sdp = std::fs::read_to_string(files.path("answer.sdp"))?;
    let a_port = srflx_port(&offer_sdp, nat.a.public_addr).context("no srflx in the offer")?;
    let b_port = srflx_port(&answer_sdp, nat.b.public_addr).context("no srflx in the answer")?;
    // And the pairs in use go through the NATs, not the unreachable private addresses.
    expect_reflexive(&pair_a, &nat.b, Some(b_port))?;
    expect_reflexive(&pair_b, &nat.a, Some(a_port))?;
    Ok(())
}

#[test]
fn restarted_offerer_behind_nat_connects_once_the_answerer_adds_its_fresh_candidates() -> Result<()>
{
    netns::require_root()?;
    let files = Files::new()?;
    let mut nat = NatPair::new()?;
    nat.start_stun(Path::new(STUN_SERVER), files.logs())?;
    let (offer, answer, fresh) = (
        files.arg("offer.sdp"),
        files.arg("answer.sdp"),
        files.arg("fresh.sdp"),
    );
    let secrets = files.arg("secrets.json");

    // The inviter writes its offer and is killed before the reply comes back.
    let mut a_args = nat_peer_args(&nat, &nat.a, "offer", &answer, &offer);
    a_args.extend(strings(&["--secrets", &secrets]));
    let mut first = link_peer(&nat.a.host, "offerer-1", &files, &a_args)?;
    first.wait_for_line("wrote ", RUN)?;
    first.kill()?;
    let offer_sdp = std::fs::read_to_string(files.path("offer.sdp"))?;
    let stale_port = srflx_port(&offer_sdp, nat.a.public_addr).context("no srflx in the offer")?;

    // The joiner answers the (now stale) offer and keeps its connection; if it has not
    // opened after 4 s it takes the inviter's fresh candidates from the follow-up file.
    let mut b_args = nat_peer_args(&nat, &nat.b, "answer", &offer, &answer);
    b_args.extend(strings(&["--followup", &fresh, "--first-wait", "4"]));
    let mut b = link_peer(&nat.b.host, "answerer", &files, &b_args)?;
    b.wait_for_line("wrote ", RUN)?;

    // The inviter starts again with the same persisted secrets, on a new port, and
    // applies the reply. It writes its fresh description (the follow-up) first. It
    // keeps checking for 20 s: webrtc gives a pair up after 1.4 s by default and does
    // not revive it when the peer's checks arrive later.
    let mut a_args = nat_peer_args(&nat, &nat.a, "offer", &answer, &fresh);
    a_args.extend(strings(&["--secrets", &secrets, "--check-window", "20"]));
    let mut second = link_peer(&nat.a.host, "offerer-2", &files, &a_args)?;
    second.wait_for_line("accepted", RUN)?;
    let accepted = Instant::now();

    // With only the stale candidates, nothing connects.
    let why = b.wait_for_line("not-open ", Duration::from_secs(15))?;
    let stale_for = accepted.elapsed();
    println!("answerer with stale candidates only, after {stale_for:?}: {why}");
    ensure!(
        !second.stdout().lines().any(|l| l == "open"),
        "the restarted offerer connected without fresh candidates\n{}",
        second.transcript()
    );
    ensure!(
        stale_for >= Duration::from_secs(2),
        "both sides checked for only {stale_for:?}; the stale case proves nothing"
    );
    let fresh_sdp = std::fs::read_to_string(files.path("fresh.sdp"))?;
    let fresh_port =
        srflx_port(&fresh_sdp, nat.a.public_addr).context("no srflx in the fresh offer")?;
    println!("stale offer srflx port {stale_port}, restarted offerer's port {fresh_port}");
    ensure!(fresh_port != stale_port, "the NAT mapping did not change");

    // The follow-up: the answerer adds the fresh candidates and the link opens.
    let added = b.wait_for_line("added ", RUN)?;
    println!("answerer added {added} fresh candidate lines");
    let pair_a = second.wait_for_line("selected ", RUN)?;
    let pair_b = b.wait_for_line("selected ", RUN)?;
    println!("restarted offerer selected: {pair_a}");
    println!("answerer selected:          {pair_b}");
    expect_success(&mut second)?;
    expect_success(&mut b)?;
    expect_reflexive(&pair_b, &nat.a, Some(fresh_port))?;
    expect_reflexive(&pair_a, &nat.b, None)?;
    Ok(())
}

#[test]
fn fault_helpers_cut_and_restore_the_link() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    ensure!(lan.a.link_is_up(Lan::DEV)?, "a fresh LAN link is up");
    lan.a.link_down(Lan::DEV)?;
    ensure!(!lan.a.link_is_up(Lan::DEV)?, "link_down takes it down");
    lan.a.link_up(Lan::DEV)?;
    ensure!(lan.a.link_is_up(Lan::DEV)?, "link_up brings it back");

    lan.a.lose(Lan::DEV, 1.0)?;
    let rules = lan.a.exec(&["iptables", "-S"])?;
    ensure!(
        rules.matches("statistic").count() == 2,
        "loss rules in and out:\n{rules}"
    );
    lan.a.stop_losing(Lan::DEV, 1.0)?;
    let rules = lan.a.exec(&["iptables", "-S"])?;
    ensure!(!rules.contains("statistic"), "loss removed:\n{rules}");
    Ok(())
}
