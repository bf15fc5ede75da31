//! The wire between two peers and what crossed it. Each pair gets two namespaces
//! joined by a veth pair and nothing else, so the interface's own counters are exact
//! per direction: what `a` transmitted is everything that went from `a` to `b`. IPv6 is
//! off and the neighbours are static, so no router solicitations, neighbour discovery
//! or ARP refreshes are counted: only what the peers themselves sent.

use std::net::Ipv4Addr;

use anyhow::{bail, Context, Result};
use tincan_tests::netns::{veth, Netns};

/// Two hosts on a private wire.
pub struct Wire {
    /// The first host (the inviter, the offerer).
    pub a: Netns,
    /// The second host.
    pub b: Netns,
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
}

impl Counts {
    /// What crossed between `self` (earlier) and `later`.
    pub fn until(&self, later: &Counts) -> Counts {
        Counts {
            ab_packets: later.ab_packets.saturating_sub(self.ab_packets),
            ab_bytes: later.ab_bytes.saturating_sub(self.ab_bytes),
            ba_packets: later.ba_packets.saturating_sub(self.ba_packets),
            ba_bytes: later.ba_bytes.saturating_sub(self.ba_bytes),
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
        })
    }

    /// Cut the wire silently: every UDP packet arriving in either namespace is dropped
    /// (senders see no error, as when a phone loses signal). Returns nothing until both
    /// rules are in.
    pub fn cut(&self) -> Result<()> {
        for ns in [&self.b, &self.a] {
            ns.exec(&["iptables", "-I", "INPUT", "-p", "udp", "-j", "DROP"])?;
        }
        Ok(())
    }
}

/// Packets and bytes that crossed `lo` in `ns` (every packet sent on loopback is
/// received there too, so this is the total of both directions).
pub fn lo_counts(ns: &Netns) -> Result<(u64, u64)> {
    let [packets, bytes] = read_counters(ns, "lo", ["tx_packets", "tx_bytes"])?;
    Ok((packets, bytes))
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
