//! `tincan` CLI processes in network namespaces: started inside a namespace, and two
//! people behind two NATs (a STUN server on the "internet" between them) connected by
//! an open invite, as in cli_netns.rs, idle_netns.rs and files_netns.rs.

use std::path::Path;
use std::time::Duration;

use crate::netns::{require_root, NatPair, Netns};
use crate::process::{wait_for_file, Stream, Tincan};

/// How long one step (a code, a connection) may take.
pub const STEP: Duration = Duration::from_secs(40);

/// `tincan` inside `ns`, bound to `addr`, data in `dir/who`, then `extra` arguments.
pub fn tincan_in(
    ns: &Netns,
    who: &str,
    name: &str,
    dir: &Path,
    addr: &str,
    extra: &[&str],
) -> Tincan {
    let data = dir.join(who).display().to_string();
    let bind = format!("{addr}:0");
    let mut args = vec!["--data-dir", &data, "--name", name, "--bind", &bind];
    args.extend_from_slice(extra);
    Tincan::start(who, &["ip", "netns", "exec", ns.name()], &args)
}

/// Two hosts behind two NATs with a STUN server between them, and a folder for their
/// data. Needs root.
pub struct NatScene {
    /// The namespaces.
    pub nat: NatPair,
    /// Codes and data directories.
    pub dir: tempfile::TempDir,
    /// `host:port` of the STUN server.
    pub stun: String,
}

impl NatScene {
    /// Builds the namespaces and starts `stun_server` (the test crate's binary).
    pub fn new(stun_server: &str) -> Self {
        require_root().unwrap();
        let mut nat = NatPair::new().unwrap();
        let dir = tempfile::tempdir().unwrap();
        nat.start_stun(Path::new(stun_server), dir.path()).unwrap();
        let stun = format!("{}:{}", NatPair::STUN_ADDR, NatPair::STUN_PORT);
        Self { nat, dir, stun }
    }

    /// Ana (behind NAT a) invites with an open invite, Ben (behind NAT b) joins; both
    /// chats are connected when this returns.
    pub fn connect(&self) -> (Tincan, Tincan) {
        let (invite, reply) = (
            self.dir.path().join("invite.txt"),
            self.dir.path().join("reply.txt"),
        );
        let (invite_s, reply_s) = (invite.display().to_string(), reply.display().to_string());
        let mut ana = self.ana(&[
            "invite",
            "--open",
            "--out",
            &invite_s,
            "--reply-file",
            &reply_s,
        ]);
        wait_for_file(&invite, STEP);
        let mut ben = self.ben(&["join", "--file", &invite_s, "--out", &reply_s]);
        ana.expect_line(Stream::Err, "● connected to Ben", STEP);
        ben.expect_line(Stream::Err, "● connected to Ana", STEP);
        (ana, ben)
    }

    /// `tincan --stun … ARGS` as Ana, behind NAT a.
    pub fn ana(&self, args: &[&str]) -> Tincan {
        self.run_as(
            &self.nat.a.host,
            "ana",
            "Ana",
            &self.nat.a.host_addr.to_string(),
            args,
        )
    }

    /// `tincan --stun … ARGS` as Ben, behind NAT b.
    pub fn ben(&self, args: &[&str]) -> Tincan {
        self.run_as(
            &self.nat.b.host,
            "ben",
            "Ben",
            &self.nat.b.host_addr.to_string(),
            args,
        )
    }

    fn run_as(&self, ns: &Netns, who: &str, name: &str, addr: &str, args: &[&str]) -> Tincan {
        let mut all = vec!["--stun", self.stun.as_str()];
        all.extend_from_slice(args);
        tincan_in(ns, who, name, self.dir.path(), addr, &all)
    }

    /// Drops (`true`) or restores everything between Ana's ISP and the internet, as
    /// when an upstream link fails: no host sees its own interface change.
    pub fn cut_ana(&self, on: bool) {
        let op = if on { "-I" } else { "-D" };
        for dir in ["-i", "-o"] {
            self.nat
                .internet
                .exec(&["iptables", "-w", op, "FORWARD", dir, "to-a", "-j", "DROP"])
                .unwrap();
        }
    }
}

/// Adds rules counting every UDP packet `host` sends and receives.
pub fn count_udp(host: &Netns) {
    for chain in ["INPUT", "OUTPUT"] {
        host.exec(&[
            "iptables",
            "-w",
            "-A",
            chain,
            "-p",
            "udp",
            "-m",
            "comment",
            "--comment",
            "tincan-count",
        ])
        .unwrap();
    }
}

/// UDP (packets, bytes) `host` sent and received so far, by [`count_udp`]'s rules.
pub fn udp_counts(host: &Netns) -> ((u64, u64), (u64, u64)) {
    let count = |chain: &str| -> (u64, u64) {
        let out = host
            .exec(&["iptables", "-w", "-nvxL", chain])
            .unwrap_or_else(|e| panic!("iptables -L {chain}: {e}"));
        let line = out
            .lines()
            .find(|l| l.contains("tincan-count"))
            .unwrap_or_else(|| panic!("no counting rule in {chain}:\n{out}"));
        let mut fields = line
            .split_whitespace()
            .map(|f| f.parse::<u64>().unwrap_or(0));
        (fields.next().unwrap_or(0), fields.next().unwrap_or(0))
    };
    (count("OUTPUT"), count("INPUT"))
}
