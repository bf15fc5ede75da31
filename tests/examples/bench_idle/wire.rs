//! The wire between two peers and what crossed it. Each pair gets two namespaces
//! joined by a veth pair and nothing else, so the interface's own counters are exact
//! per direction: what `a` transmitted is everything that went from `a` to `b`. IPv6 is
//! off and the neighbours are static, so no router solicitations, neighbour discovery
//! or ARP refreshes are counted: only what the peers themselves sent. Counting-only
//! iptables rules also tell the packets apart by what they carry (RFC 7983's
//! first-byte demultiplexing): STUN (ICE checks and keep-alives) or DTLS (the data
//! channel: SCTP data, acknowledgements, heartbeats), which says where a cost comes from.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use tincan_tests::netns::{veth, Netns};

/// Two hosts on a private wire.
pub struct Wire {
    /// The first host (the inviter, the offerer).
    pub a: Netns,
    /// The second host.
    pub b: Netns,
}

/// Packets by what they carry.
#[derive(Debug, Clone, Copy, Default)]
pub struct Kinds {
    /// STUN (first byte 0–3): ICE connectivity checks, keep-alives, consent checks.
    pub stun: u64,
    /// DTLS (first byte 20–63): the data channel's SCTP, heartbeats included.
    pub dtls: u64,
}

impl Kinds {
    fn until(&self, later: &Kinds) -> Kinds {
        Kinds {
            stun: later.stun.saturating_sub(self.stun),
            dtls: later.dtls.saturating_sub(self.dtls),
        }
    }
}

/// The first payload byte's range of each kind, for iptables' `u32` match (the UDP
/// header sits after the IP header, whose length is in the first word).
const KINDS: [(&str, &str); 2] = [("stun", "0:3"), ("dtls", "20:63")];

/// Adds counting-only rules (no target) for each kind of UDP packet passing `chain`
/// through `dev` (`dir` = `-i` or `-o`), tagged `<tag>-<kind>`.
fn count_kinds(ns: &Netns, chain: &str, dir: &str, dev: &str, tag: &str) -> Result<()> {
    for (kind, first_byte) in KINDS {
        ns.exec(&[
            "iptables",
            "-A",
            chain,
            dir,
            dev,
            "-p",
            "udp",
            "-m",
            "u32",
            "--u32",
            &format!("0>>22&0x3C@8>>24={first_byte}"),
            "-m",
            "comment",
            "--comment",
            &format!("{tag}-{kind}"),
        ])?;
    }
    Ok(())
}

/// The counting rules' packets by tag (`iptables-save -c`).
fn read_kinds(ns: &Netns, tag: &str) -> Result<Kinds> {
    let out = ns.exec(&["iptables-save", "-c", "-t", "filter"])?;
    let mut by = BTreeMap::new();
    for line in out.lines() {
        let Some(rest) = line.strip_prefix('[') else {
            continue;
        };
        let packets: u64 = rest
            .split(':')
            .next()
            .and_then(|p| p.parse().ok())
            .context("an iptables counter")?;
        let Some(comment) = line
            .split_whitespace()
            .skip_while(|w| *w != "--comment")
            .nth(1)
        else {
            continue;
        };
        by.insert(comment.trim_matches('"').to_owned(), packets);
    }
    let get = |kind: &str| by.get(&format!("{tag}-{kind}")).copied();
    match (get("stun"), get("dtls")) {
        (Some(stun), Some(dtls)) => Ok(Kinds { stun, dtls }),
        _ => bail!("no {tag} counting rules in {}", ns.name()),
    }
}

/// Interface counters at one instant.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    /// Packets a → b.
    pub ab_packets: u64,
    /// Bytes a → b (as the interface counts them: Ethernet frames).
    pub ab_bytes: u64,
    /// Packets b → a.
    pub ba_packets: u64,
    /// Bytes b → a.
    pub ba_bytes: u64,
    /// Packets a → b by kind.
    pub ab_kinds: Kinds,
    /// Packets b → a by kind.
    pub ba_kinds: Kinds,
}

impl Counts {
    /// What crossed between `self` (earlier) and `later`.
    pub fn until(&self, later: &Counts) -> Counts {
        Counts {
            ab_packets: later.ab_packets.saturating_sub(self.ab_packets),
            ab_bytes: later.ab_bytes.saturating_sub(self.ab_bytes),
            ba_packets: later.ba_packets.saturating_sub(self.ba_packets),
            ba_bytes: later.ba_bytes.saturating_sub(self.ba_bytes),
            ab_kinds: self.ab_kinds.until(&later.ab_kinds),
            ba_kinds: self.ba_kinds.until(&later.ba_kinds),
        }
    }
}

impl Wire {
    /// Address of `a`.
    pub const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    /// Address of `b`.
    pub const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
    /// The interface on both sides.
    pub const DEV: &'static str = "eth0";

    /// Two fresh namespaces named after `role`, joined, quiet.
    pub fn new(role: &str) -> Result<Self> {
        let a = Netns::new(&format!("{role}-a"))?;
        let b = Netns::new(&format!("{role}-b"))?;
        for ns in [&a, &b] {
            // Before the veth exists, so it never gets an IPv6 address to announce.
            ns.sysctl("net.ipv6.conf.all.disable_ipv6", "1")?;
            ns.sysctl("net.ipv6.conf.default.disable_ipv6", "1")?;
        }
        veth((&a, Self::DEV, Self::A), (&b, Self::DEV, Self::B), 24)?;
        let mac = |ns: &Netns| -> Result<String> {
            Ok(ns
                .exec(&["cat", &format!("/sys/class/net/{}/address", Self::DEV)])?
                .trim()
                .to_owned())
        };
        let (mac_a, mac_b) = (mac(&a)?, mac(&b)?);
        for (ns, other, other_mac) in [(&a, Self::B, &mac_b), (&b, Self::A, &mac_a)] {
            ns.ip(&[
                "neigh",
                "replace",
                &other.to_string(),
                "lladdr",
                other_mac,
                "dev",
                Self::DEV,
                "nud",
                "permanent",
            ])?;
        }
        count_kinds(&a, "OUTPUT", "-o", Self::DEV, "ab")?;
        count_kinds(&a, "INPUT", "-i", Self::DEV, "ba")?;
        Ok(Self { a, b })
    }

    /// The counters now, read on `a`'s side of the veth.
    pub fn counts(&self) -> Result<Counts> {
        let [tx_packets, tx_bytes, rx_packets, rx_bytes] = read_counters(
            &self.a,
            Self::DEV,
            ["tx_packets", "tx_bytes", "rx_packets", "rx_bytes"],
        )?;
        Ok(Counts {
            ab_packets: tx_packets,
            ab_bytes: tx_bytes,
            ba_packets: rx_packets,
            ba_bytes: rx_bytes,
            ab_kinds: read_kinds(&self.a, "ab")?,
            ba_kinds: read_kinds(&self.a, "ba")?,
        })
    }

    /// Cut the wire silently: every UDP packet arriving in either namespace is dropped
    /// (senders see no error, as when a phone loses signal). One rule per namespace, so
    /// each direction has its own cut instant: returns when `a` stopped hearing `b` and
    /// when `b` stopped hearing `a` (unix ms, taken as each rule's command returned).
    pub fn cut(&self) -> Result<(u128, u128)> {
        let mut at = [0; 2];
        for (i, ns) in [(1, &self.b), (0, &self.a)] {
            ns.exec(&["iptables", "-I", "INPUT", "-p", "udp", "-j", "DROP"])?;
            at[i] = unix_ms();
        }
        Ok((at[0], at[1]))
    }
}

/// Milliseconds since the Unix epoch: the clock the peers print their events with.
pub fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// Makes `lo` in `ns` count its packets by kind (see [`lo_counts`]).
pub fn count_lo_kinds(ns: &Netns) -> Result<()> {
    count_kinds(ns, "OUTPUT", "-o", "lo", "lo")
}

/// Packets and bytes that crossed `lo` in `ns`, and the packets by kind (every packet
/// sent on loopback is received there too, so these are totals of both directions).
pub fn lo_counts(ns: &Netns) -> Result<(u64, u64, Kinds)> {
    let [packets, bytes] = read_counters(ns, "lo", ["tx_packets", "tx_bytes"])?;
    Ok((packets, bytes, read_kinds(ns, "lo")?))
}

/// `/sys/class/net/DEV/statistics/NAME` for each name, read inside `ns` (`ip netns
/// exec` mounts the namespace's own sysfs).
fn read_counters<const N: usize>(ns: &Netns, dev: &str, names: [&str; N]) -> Result<[u64; N]> {
    let paths: Vec<String> = names
        .iter()
        .map(|n| format!("/sys/class/net/{dev}/statistics/{n}"))
        .collect();
    let mut args = vec!["cat"];
    args.extend(paths.iter().map(String::as_str));
    let out = ns.exec(&args)?;
    let values: Vec<u64> = out
        .split_whitespace()
        .map(|v| v.parse().context("a counter"))
        .collect::<Result<_>>()?;
    match <[u64; N]>::try_from(values) {
        Ok(v) => Ok(v),
        Err(v) => bail!("{} counters of {dev} in {}: {v:?}", N, ns.name()),
    }
}
