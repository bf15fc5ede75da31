//! The two NAT kinds of `NatPair` and its hop counts behave as the product's hole
//! punching relies on, shown with plain UDP sockets the test opens inside the hosts'
//! namespaces (no tincan):
//!
//! - masquerade-only NATs: when b's first packet reaches a's NAT before a sent
//!   anything, a's flow gets another public port and neither side hears the other;
//! - the same NATs, b's first packets sent with IP TTL 3 (they open b's mapping and die
//!   in the internet): a's packets get through with a's port kept, and b's answers too;
//! - firewall NATs: whoever sends first, the two meet without any TTL trick;
//! - a host's TTL 3 and 4 packets never reach the far NAT router, TTL 5 and more do;
//!   the STUN address is reached from TTL 3.
//!
//! Needs root (CI runs every test as root); without it every test here fails and says
//! so. Every wait is bounded in time and count.

use std::collections::BTreeSet;
use std::io::ErrorKind;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use tincan_tests::netns::{self, NatKind, NatPair, NatSite, Netns};

/// How long a receiver waits for one more datagram before it calls the stream over.
const QUIET: Duration = Duration::from_millis(400);
/// How long a receiver waits for a datagram it expects.
const EXPECT: Duration = Duration::from_secs(3);
/// Datagrams in each burst: enough that one lost packet changes nothing.
const BURST: u32 = 3;
/// Linux's default IP TTL.
const FULL_TTL: u32 = 64;
/// The small TTL the waiting side uses (the product's default).
const LOW_TTL: u32 = 3;

fn at(addr: Ipv4Addr, port: u16) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(addr, port))
}

/// A UDP socket on `site`'s host (ephemeral port) and the public address it gets when
/// its NAT keeps the port: the router's public address, the same port.
fn open(site: &NatSite) -> Result<(UdpSocket, SocketAddr)> {
    let socket = site.host.udp_socket(at(site.host_addr, 0))?;
    let public = at(site.public_addr, socket.local_addr()?.port());
    Ok((socket, public))
}

/// Send `BURST` datagrams `tag-0`, `tag-1`… from `from` to `to`, a short gap after each.
fn burst(from: &UdpSocket, to: SocketAddr, tag: &str) -> Result<()> {
    for i in 0..BURST {
        from.send_to(format!("{tag}-{i}").as_bytes(), to)
            .with_context(|| format!("sending {tag}-{i} to {to}"))?;
        std::thread::sleep(Duration::from_millis(30));
    }
    Ok(())
}

/// Every datagram arriving at `socket` until nothing came for [`QUIET`] (at most 5 s,
/// 100 datagrams): its text and source.
fn received(socket: &UdpSocket) -> Result<Vec<(String, SocketAddr)>> {
    socket.set_read_timeout(Some(QUIET))?;
    let end = Instant::now() + Duration::from_secs(5);
    let mut got = Vec::new();
    let mut buf = [0u8; 1500];
    while Instant::now() < end && got.len() < 100 {
        match socket.recv_from(&mut buf) {
            Ok((n, from)) => {
                let text = String::from_utf8_lossy(buf.get(..n).unwrap_or_default());
                got.push((text.into_owned(), from));
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => break,
            Err(e) => return Err(e.into()),
        }
    }
    Ok(got)
}

/// The first datagram starting with `tag` that arrives at `socket` within [`EXPECT`]
/// (others are skipped): its source.
fn expect(socket: &UdpSocket, tag: &str) -> Result<SocketAddr> {
    let end = Instant::now() + EXPECT;
    let mut buf = [0u8; 1500];
    let mut skipped = Vec::new();
    loop {
        let left = end.saturating_duration_since(Instant::now());
        ensure!(
            !left.is_zero(),
            "no `{tag}` arrived within {EXPECT:?} (skipped: {skipped:?})"
        );
        socket.set_read_timeout(Some(left))?;
        match socket.recv_from(&mut buf) {
            Ok((n, from)) => {
                let text = String::from_utf8_lossy(buf.get(..n).unwrap_or_default());
                if text.starts_with(tag) {
                    return Ok(from);
                }
                skipped.push(text.into_owned());
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e.into()),
        }
    }
}

/// The namespace's conntrack table (`/proc/net/nf_conntrack`, per namespace; the
/// `conntrack` tool is not installed here).
fn conntrack(ns: &Netns) -> Result<String> {
    ns.exec(&["cat", "/proc/net/nf_conntrack"])
        .context("reading /proc/net/nf_conntrack (kernel without nf_conntrack procfs?)")
}

/// The public port `site`'s NAT router gave the UDP flow host `sport` → `to`: the
/// destination port of the entry's reply direction.
fn public_port(site: &NatSite, sport: u16, to: SocketAddr) -> Result<Option<u16>> {
    let table = conntrack(&site.router)?;
    let origin = format!(
        "src={} dst={} sport={sport} dport={} ",
        site.host_addr,
        to.ip(),
        to.port()
    );
    Ok(table
        .lines()
        .filter(|l| l.contains(" udp ") && l.contains(&origin))
        .find_map(|l| {
            // The reply direction is the second `dport=`.
            l.split_whitespace()
                .filter_map(|w| w.strip_prefix("dport="))
                .nth(1)
                .and_then(|p| p.parse().ok())
        }))
}

/// Entries in `router`'s conntrack table for UDP to its own public `addr`.
fn entries_to(router: &Netns, addr: SocketAddr) -> Result<Vec<String>> {
    let dst = format!("dst={} ", addr.ip());
    let dport = format!("dport={} ", addr.port());
    Ok(conntrack(router)?
        .lines()
        .filter(|l| l.contains(" udp ") && l.contains(&dst) && l.contains(&dport))
        .map(str::to_owned)
        .collect())
}

#[test]
fn masquerade_only_nat_loses_the_port_to_an_early_packet_from_the_far_peer() -> Result<()> {
    netns::require_root()?;
    let nat = NatPair::with_kind(NatKind::MasqueradeOnly)?;
    let (a, a_public) = open(&nat.a)?;
    let (b, b_public) = open(&nat.b)?;
    let a_port = a_public.port();

    // b sends first, with a full TTL: it opens b's mapping and reaches router a, which
    // has no firewall: the packet is delivered to the router itself (nobody listens)
    // and its conntrack entry (b public → a's public port) stays.
    burst(&b, a_public, "b-early")?;
    let early = received(&a)?;
    ensure!(early.is_empty(), "a has no mapping yet: {early:?}");
    let taken = entries_to(&nat.a.router, a_public)?;
    ensure!(
        !taken.is_empty(),
        "router a keeps no entry for b's early packets"
    );

    // Now a sends to b's public address: MASQUERADE finds a's port taken by that entry
    // and picks another one, which router b does not expect.
    burst(&a, b_public, "a")?;
    let moved =
        public_port(&nat.a, a_port, b_public)?.context("router a has no entry for a's flow")?;
    println!("a's local port {a_port}, public port {moved} (router a: {taken:?})");
    ensure!(
        moved != a_port,
        "expected router a to move a's flow off port {a_port}"
    );
    // And nothing meets: b hears nothing from a (not even from the moved port), and
    // b's packets to a's public port still end at router a.
    burst(&b, a_public, "b-late")?;
    let at_b = received(&b)?;
    let at_a = received(&a)?;
    ensure!(at_b.is_empty(), "b heard a despite the clash: {at_b:?}");
    ensure!(at_a.is_empty(), "a heard b despite the clash: {at_a:?}");
    Ok(())
}

#[test]
fn masquerade_only_nats_meet_when_the_waiting_side_starts_with_a_small_ttl() -> Result<()> {
    netns::require_root()?;
    let nat = NatPair::with_kind(NatKind::MasqueradeOnly)?;
    let (a, a_public) = open(&nat.a)?;
    let (b, b_public) = open(&nat.b)?;

    // b waits for a: its packets carry TTL 3, open b's mapping and die before router a.
    b.set_ttl(LOW_TTL)?;
    burst(&b, a_public, "b-low")?;
    let early = received(&a)?;
    ensure!(early.is_empty(), "a has no mapping yet: {early:?}");
    let left = entries_to(&nat.a.router, a_public)?;
    ensure!(
        left.is_empty(),
        "b's TTL {LOW_TTL} packets reached router a: {left:?}"
    );
    ensure!(
        public_port(&nat.b, b_public.port(), a_public)? == Some(b_public.port()),
        "router b maps b's flow to its own port"
    );

    // a sends normally: b's mapping lets it in, from a's public address, port kept.
    burst(&a, b_public, "a")?;
    let from = expect(&b, "a-")?;
    ensure!(
        from == a_public,
        "a's packet came from {from}, expected {a_public}"
    );

    // b heard a: full TTL from now on, and its answers reach a.
    b.set_ttl(FULL_TTL)?;
    burst(&b, a_public, "b")?;
    let from = expect(&a, "b-")?;
    ensure!(
        from == b_public,
        "b's answer came from {from}, expected {b_public}"
    );
    Ok(())
}

/// On firewall NATs, `first`'s unsolicited packets (full TTL) are dropped by `second`'s
/// router without a trace; once `second` sends, both directions work, ports kept.
fn firewall_meets(first: &NatSite, second: &NatSite) -> Result<()> {
    let (f, f_public) = open(first)?;
    let (s, s_public) = open(second)?;
    burst(&f, s_public, "first-early")?;
    let early = received(&s)?;
    ensure!(early.is_empty(), "no mapping for them yet: {early:?}");
    let left = entries_to(&second.router, s_public)?;
    ensure!(left.is_empty(), "the firewall left entries: {left:?}");

    burst(&s, f_public, "second")?;
    let from = expect(&f, "second-")?;
    ensure!(from == s_public, "came from {from}, expected {s_public}");
    burst(&f, s_public, "first")?;
    let from = expect(&s, "first-")?;
    ensure!(from == f_public, "came from {from}, expected {f_public}");
    Ok(())
}

#[test]
fn firewall_nats_meet_whoever_sends_first_without_a_small_ttl() -> Result<()> {
    netns::require_root()?;
    let nat = NatPair::with_kind(NatKind::Firewall)?;
    firewall_meets(&nat.b, &nat.a).context("b first")?;
    firewall_meets(&nat.a, &nat.b).context("a first")?;
    // `new()` is the firewall kind.
    ensure!(NatPair::new()?.kind == NatKind::Firewall);
    Ok(())
}

/// TTLs tried in the hop-count test.
const TTLS: [u32; 6] = [2, 3, 4, 5, 6, FULL_TTL];

/// The TTLs (tagged in the payloads) among `got`.
fn ttls(got: &[(String, SocketAddr)]) -> BTreeSet<u32> {
    got.iter()
        .filter_map(|(text, _)| text.strip_prefix("ttl-")?.parse().ok())
        .collect()
}

/// Send one datagram per TTL in [`TTLS`] from `from` to `to`.
fn each_ttl(from: &UdpSocket, to: SocketAddr) -> Result<()> {
    for ttl in TTLS {
        from.set_ttl(ttl)?;
        from.send_to(format!("ttl-{ttl}").as_bytes(), to)?;
    }
    from.set_ttl(FULL_TTL)?;
    Ok(())
}

#[test]
fn small_ttls_die_between_the_nats_and_still_reach_the_stun_address() -> Result<()> {
    netns::require_root()?;
    // Masquerade-only, so a listener on a router's public address can hear strangers.
    let nat = NatPair::with_kind(NatKind::MasqueradeOnly)?;
    let from_far_router: BTreeSet<u32> = TTLS
        .into_iter()
        .filter(|t| *t >= NatPair::FAR_ROUTER_MIN_TTL)
        .collect();
    for (near, far) in [(&nat.a, &nat.b), (&nat.b, &nat.a)] {
        let (sender, sender_public) = open(near)?;
        let far_router = far.router.udp_socket(at(far.public_addr, 0))?;
        let stun = nat.internet.udp_socket(at(NatPair::STUN_ADDR, 0))?;

        each_ttl(&sender, far_router.local_addr()?)?;
        let got = ttls(&received(&far_router)?);
        println!(
            "{} → far router {}: TTLs {got:?} arrived",
            near.host_addr, far.public_addr
        );
        ensure!(
            got == from_far_router,
            "far router heard TTLs {got:?}, expected {from_far_router:?}"
        );

        each_ttl(&sender, stun.local_addr()?)?;
        let got = ttls(&received(&stun)?);
        println!("{} → STUN address: TTLs {got:?} arrived", near.host_addr);
        ensure!(
            got == TTLS.into_iter().filter(|t| *t >= 3).collect(),
            "STUN address heard TTLs {got:?}, expected 3 and up"
        );

        // The far host, behind a mapping it opened (with a small TTL), needs one hop
        // more than its router: TTL 6.
        let (receiver, receiver_public) = open(far)?;
        receiver.set_ttl(LOW_TTL)?;
        burst(&receiver, sender_public, "open")?;
        each_ttl(&sender, receiver_public)?;
        let got = ttls(&received(&receiver)?);
        println!("{} → far host: TTLs {got:?} arrived", near.host_addr);
        ensure!(
            got == TTLS
                .into_iter()
                .filter(|t| *t > NatPair::FAR_ROUTER_MIN_TTL)
                .collect(),
            "far host heard TTLs {got:?}, expected 6 and up"
        );
    }
    Ok(())
}
