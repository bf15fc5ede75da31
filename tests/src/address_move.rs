//! "The phone's address changed": a host leaves its network and shows up on another
//! one, as when a phone walks out of Wi-Fi onto mobile data.
//!
//! What a peer sees in that case, and what this reproduces:
//! - the old interface goes down and its IPv4 address disappears — sockets bound to
//!   it can no longer send, and nothing reaches it any more;
//! - a new interface appears with a new address (a /32, as mobile data often hands
//!   out), on a fresh veth link to the same far namespace;
//! - routes still work: the moved host reaches the far side (and, through it as the
//!   default gateway, anything beyond — so a host behind a NAT router keeps its way
//!   out), and the far side reaches the new address; the far side's own address does
//!   not change.
//!
//! Delay or loss set on the old interface does not follow the host: set it again on
//! the interface the move returns.

use std::net::Ipv4Addr;

use anyhow::{Context, Result};

use crate::netns::{Lan, Netns};

/// One of the two hosts of a [`Lan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// [`Lan::a`], at [`Lan::A_ADDR`] until it moves.
    A,
    /// [`Lan::b`], at [`Lan::B_ADDR`] until it moves.
    B,
}

impl Lan {
    /// Move `side` to `new_addr` on a new link (see [`move_address`]); the other host
    /// keeps its address. Returns the moved host's new interface name (`eth1`, then
    /// `eth2` on a second move, …).
    pub fn move_address(&self, side: Side, new_addr: Ipv4Addr) -> Result<String> {
        match side {
            Side::A => move_address(&self.a, &self.b, Self::B_ADDR, new_addr),
            Side::B => move_address(&self.b, &self.a, Self::A_ADDR, new_addr),
        }
    }
}

/// Move the host `moving` to `new_addr`: every interface of it that has a global IPv4
/// address loses it and goes down; a new veth link to `far` comes up with `new_addr/32`
/// on the moving side and no address on the far side; `moving` routes to `far_addr`
/// (an address of `far`) over it and uses it as default gateway, and `far` routes
/// `new_addr` over it. Returns the moving side's new interface name.
pub fn move_address(
    moving: &Netns,
    far: &Netns,
    far_addr: Ipv4Addr,
    new_addr: Ipv4Addr,
) -> Result<String> {
    let (dev, peer) = free_link_names(moving, far)?;
    // Bring the new link up first, then cut the old one: the host is never without a
    // link for longer than it takes to flush the old address.
    moving.ip(&[
        "link",
        "add",
        "name",
        &dev,
        "type",
        "veth",
        "peer",
        "name",
        &peer,
        "netns",
        far.name(),
    ])?;
    far.ip(&["link", "set", &peer, "up"])?;
    moving.ip(&["link", "set", &dev, "up"])?;
    for old in global_v4_devices(moving)? {
        if old != dev {
            moving.ip(&["-4", "addr", "flush", "dev", &old, "scope", "global"])?;
            moving.link_down(&old)?;
        }
    }
    moving.ip(&["addr", "add", &format!("{new_addr}/32"), "dev", &dev])?;
    moving.ip(&["route", "replace", &format!("{far_addr}/32"), "dev", &dev])?;
    moving.ip(&[
        "route",
        "replace",
        "default",
        "via",
        &far_addr.to_string(),
        "dev",
        &dev,
    ])?;
    far.ip(&["route", "replace", &format!("{new_addr}/32"), "dev", &peer])?;
    Ok(dev)
}

/// Interfaces of `ns` that carry a global-scope IPv4 address.
fn global_v4_devices(ns: &Netns) -> Result<Vec<String>> {
    // `ip -o` prints one address a line: `2: eth0    inet 10.0.0.1/24 brd … scope global eth0…`
    let out = ns.ip(&["-o", "-4", "addr", "show", "scope", "global"])?;
    let mut devs: Vec<String> = out
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .map(str::to_owned)
        .collect();
    devs.dedup();
    Ok(devs)
}

/// The first `eth<k>` free in `moving` whose peer name `mv<k>` is free in `far`.
fn free_link_names(moving: &Netns, far: &Netns) -> Result<(String, String)> {
    (1..100)
        .map(|k| (format!("eth{k}"), format!("mv{k}")))
        .find(|(dev, peer)| {
            moving.ip(&["link", "show", "dev", dev]).is_err()
                && far.ip(&["link", "show", "dev", peer]).is_err()
        })
        .context("no free interface name eth1..eth99")
}
