//! The small network of issue #15 in network namespaces: people, each a `tincan`
//! process in their own namespace, who meet by codes passed through files
//! (intro_netns.rs, rooms_netns.rs); and a star of NAT sites around one "internet"
//! with a STUN server, for three or more people each behind their own NAT.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use crate::cli_net::tincan_in;
use crate::netns::{NatKind, NatPair, NatSite, Netns, NsProcess};
use crate::process::{wait_for_file, Stream, Tincan};

/// Longest wait for one step (a code, a connection, a message) in a namespace.
pub const STEP: Duration = Duration::from_secs(60);

/// One person: a namespace, an address to bind, a data directory, and options every
/// run of theirs takes (`--stun …`).
pub struct Person<'a> {
    /// Their name, as contacts see it.
    pub name: &'static str,
    /// The namespace their programs run in.
    pub ns: &'a Netns,
    /// The address `--bind` gets (`0.0.0.0` for every interface).
    pub addr: String,
    /// Options before each command.
    pub options: Vec<String>,
    dir: PathBuf,
}

impl<'a> Person<'a> {
    /// `name`, in `ns`, bound to `addr`, data under `dir`.
    pub fn new(name: &'static str, ns: &'a Netns, addr: impl ToString, dir: &Path) -> Self {
        Self {
            name,
            ns,
            addr: addr.to_string(),
            options: Vec::new(),
            dir: dir.to_owned(),
        }
    }

    /// The same person, every run with `--stun server`.
    pub fn with_stun(mut self, server: &str) -> Self {
        self.options = vec!["--stun".into(), server.into()];
        self
    }

    /// `tincan ARGS…` as this person, in their namespace.
    pub fn run(&self, args: &[&str]) -> Tincan {
        let mut all: Vec<&str> = self.options.iter().map(String::as_str).collect();
        all.extend_from_slice(args);
        let who = self.name.to_lowercase();
        tincan_in(self.ns, &who, self.name, &self.dir, &self.addr, &all)
    }
}

/// `inviter` invites `joiner` with an open invite (codes through files); both wait
/// until connected, then both leave the chat.
pub fn meet_by_codes(inviter: &Person, joiner: &Person, dir: &Path) {
    let tag = format!("{}-{}", inviter.name, joiner.name);
    let (invite, reply) = (
        dir.join(format!("invite-{tag}.txt")),
        dir.join(format!("reply-{tag}.txt")),
    );
    let (invite_s, reply_s) = (invite.display().to_string(), reply.display().to_string());
    let mut a = inviter.run(&[
        "invite",
        "--open",
        "--out",
        &invite_s,
        "--reply-file",
        &reply_s,
    ]);
    wait_for_file(&invite, STEP);
    let mut b = joiner.run(&["join", "--file", &invite_s, "--out", &reply_s]);
    a.expect_line(
        Stream::Err,
        &format!("● connected to {}", joiner.name),
        STEP,
    );
    b.expect_line(
        Stream::Err,
        &format!("● connected to {}", inviter.name),
        STEP,
    );
    for p in [&mut a, &mut b] {
        p.close_input();
        assert!(p.wait_exit(STEP), "{}", p.dump());
    }
}

/// Asserts that a process closes cleanly after its input ends.
pub fn close(p: &mut Tincan) {
    p.close_input();
    if !p.wait_exit(STEP) {
        let dump = p.dump();
        panic!("{} failed:\n{dump}", p.name);
    }
}

/// Hosts each behind its own NAT router and ISP ([`NatSite`]), all ISPs linked to one
/// "internet" that routes between them and holds a STUN server. Site `k` (0-based) is
/// `a`, `b`, `c`…: host `10.(k+1).0.2`, public address `198.18.(k+1).2`.
#[derive(Debug)]
pub struct NatStar {
    // Field order is drop order: the STUN server first, then the namespaces.
    _stun: NsProcess,
    /// The sites, in order.
    pub sites: Vec<NatSite>,
    /// Routes between the ISPs; holds the STUN address.
    pub internet: Netns,
}

impl NatStar {
    /// `n` sites (at most 9) with home-router NATs ([`NatKind::Firewall`]), and the
    /// STUN server (`stun_server`, the test crate's binary) listening, logging to
    /// `log_dir`.
    pub fn new(n: u8, stun_server: &Path, log_dir: &Path) -> Result<Self> {
        let internet = Netns::new("inet")?;
        internet.sysctl("net.ipv4.ip_forward", "1")?;
        internet.ip(&[
            "addr",
            "add",
            &format!("{}/32", NatPair::STUN_ADDR),
            "dev",
            "lo",
        ])?;
        let sites = (0..n.min(9))
            .map(|k| NatSite::new(&internet, (b'a' + k) as char, k + 1, NatKind::Firewall))
            .collect::<Result<Vec<_>>>()?;
        let bind = format!("{}:{}", NatPair::STUN_ADDR, NatPair::STUN_PORT);
        let mut stun = internet.spawn(
            "stun-server",
            stun_server,
            &["--bind", &bind, "--lifetime-secs", "300"],
            log_dir,
        )?;
        stun.wait_for_line("listening ", Duration::from_secs(10))?;
        Ok(Self {
            _stun: stun,
            sites,
            internet,
        })
    }

    /// `host:port` of the STUN server, for `--stun`.
    pub fn stun(&self) -> String {
        format!("{}:{}", NatPair::STUN_ADDR, NatPair::STUN_PORT)
    }

    /// Cuts site `k` off the internet (`true`), or joins it again (`false`): the
    /// internet drops everything to and from its ISP.
    pub fn cut(&self, k: usize, on: bool) -> Result<()> {
        let op = if on { "-I" } else { "-D" };
        let dev = format!("to-{}", (b'a' + k as u8) as char);
        for dir in ["-i", "-o"] {
            self.internet
                .exec(&["iptables", "-w", op, "FORWARD", dir, &dev, "-j", "DROP"])?;
        }
        Ok(())
    }
}
