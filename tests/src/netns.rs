//! Network namespaces for scenario tests: private little networks — a LAN, two NATs
//! and an "internet" — that exist only for one test and are deleted afterwards, so
//! processes can talk across real routing and NAT without touching this machine's own
//! interfaces, routes or anything outside.
//!
//! Everything is made with `ip` and `iptables` (root only). Names carry the test
//! process's PID and a counter, so parallel tests and test binaries never collide, and
//! namespaces left behind by a test process that died are deleted by the next run.
//! Interfaces are created directly inside their namespaces (never in the host's), and
//! [`Netns`] deletes its namespace on drop — also when a test panics — after killing
//! the processes this test started in it.
//!
//! Addresses come from ranges reserved for documentation and benchmarking:
//! 198.18.0.0/15 for the "internet", 10.x.0.0/24 for each private LAN.

use std::ffi::OsStr;
use std::fs::File;
use std::io::Read;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Once;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

/// Prefix of every namespace this harness makes: `tincan-<pid>-<n>-<role>`.
const PREFIX: &str = "tincan-";
/// Bound on any one setup command (`ip`, `iptables`, `tc`, `sysctl`).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);
/// How often bounded waits look again.
const POLL: Duration = Duration::from_millis(20);

static SEQ: AtomicU32 = AtomicU32::new(0);
static SWEEP: Once = Once::new();

/// Fail, with a message that says what to do, unless this process can make namespaces.
///
/// Namespace tests never pass silently without root: CI runs `scripts/test-all` as
/// root, and a developer without root sees this error instead of a green run.
pub fn require_root() -> Result<()> {
    let euid = crate::host::effective_uid()
        .ok_or_else(|| anyhow!("no effective uid in /proc/self/status"))?;
    if euid != "0" {
        bail!(
            "network-namespace tests need root (effective uid is {euid}); CI runs \
             scripts/test-all as root. Run them with \
             `sudo -E env PATH=$PATH cargo test -p tincan-tests`"
        );
    }
    for (tool, package) in [("ip", "iproute2"), ("iptables", "iptables")] {
        let found = crate::host::on_path(tool) || Path::new("/usr/sbin").join(tool).is_file();
        if !found {
            bail!("`{tool}` is missing: run scripts/setup (installs Debian `{package}`)");
        }
    }
    Ok(())
}

/// Run `program args…`, at most [`COMMAND_TIMEOUT`]; its stdout on success, an error
/// with its stderr otherwise.
pub fn run<S: AsRef<OsStr>>(program: &str, args: &[S]) -> Result<String> {
    let shown = || {
        let mut s = program.to_owned();
        for a in args {
            s.push(' ');
            s.push_str(&a.as_ref().to_string_lossy());
        }
        s
    };
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting `{}`", shown()))?;
    // Drain the pipes on threads so a chatty command cannot block on a full pipe.
    let out = drain(child.stdout.take());
    let err = drain(child.stderr.take());
    let status = wait_bounded(&mut child, COMMAND_TIMEOUT)
        .with_context(|| format!("`{}` did not finish", shown()))?;
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    if !status.success() {
        bail!("`{}` failed ({status}): {}", shown(), err.trim());
    }
    Ok(out)
}

fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_string(&mut text);
        }
        text
    })
}

/// Wait for `child` at most `timeout`; kill it (and say so) when it takes longer.
fn wait_bounded(child: &mut Child, timeout: Duration) -> Result<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(status);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            bail!("still running after {timeout:?}; killed");
        }
        std::thread::sleep(POLL);
    }
}

/// Delete namespaces of ours whose test process is gone (it was killed before its
/// `Drop` ran). Processes still inside are not ours to kill; the dev binaries exit by
/// themselves after a lifetime cap, and the kernel frees the namespace then.
fn sweep_stale() {
    let Ok(list) = run::<&str>("ip", &["netns", "list"]) else {
        return;
    };
    let me = std::process::id();
    for line in list.lines() {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != me && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = run("ip", &["netns", "del", name]);
        }
    }
}

/// How a NAT router ([`Netns::nat`]) treats packets from the internet that no mapping
/// of its own expects. Both kinds are iptables MASQUERADE, which keeps a host's source
/// port as the public port when that port is free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatKind {
    /// MASQUERADE plus an inbound firewall that drops unsolicited (`NEW`, `INVALID`)
    /// packets arriving on `wan` — a typical home router. The drop happens in the
    /// filter table before conntrack confirms the entry, so an unsolicited packet
    /// leaves nothing behind, and hole punching meets whichever side sends first.
    Firewall,
    /// MASQUERADE alone, no inbound firewall — as many real NATs are. The first
    /// unsolicited packet from the far peer reaches the router itself (no listener)
    /// and leaves a conntrack entry (far peer → our public port). When our host then
    /// sends to the far peer, MASQUERADE finds the port-preserving mapping "taken" by
    /// that entry and picks another public port, which the far NAT does not expect:
    /// hole punching never meets, unless the far peer's first packets die before they
    /// reach this router (a small IP TTL; see [`NatPair`] for the hop counts).
    MasqueradeOnly,
}

/// One network namespace, deleted on drop.
#[derive(Debug)]
pub struct Netns {
    name: String,
}

impl Netns {
    /// A fresh namespace named after `role` (letters, digits, `-`), with `lo` up.
    pub fn new(role: &str) -> Result<Self> {
        SWEEP.call_once(sweep_stale);
        let n = SEQ.fetch_add(1, Ordering::Relaxed);
        let name = format!("{PREFIX}{}-{n}-{role}", std::process::id());
        run("ip", &["netns", "add", &name])?;
        let ns = Self { name };
        ns.ip(&["link", "set", "lo", "up"])?;
        Ok(ns)
    }

    /// The namespace's name, for `ip netns exec` and messages.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `ip -n <ns> args…`.
    pub fn ip(&self, args: &[&str]) -> Result<String> {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        run("ip", &all)
    }

    /// Run a short command inside the namespace (bounded) and return its stdout.
    pub fn exec(&self, args: &[&str]) -> Result<String> {
        let mut all = vec!["netns", "exec", &self.name];
        all.extend_from_slice(args);
        run("ip", &all)
    }

    /// Set a sysctl inside the namespace (e.g. `net.ipv4.ip_forward`, per namespace).
    pub fn sysctl(&self, key: &str, value: &str) -> Result<()> {
        self.exec(&["sysctl", "-q", "-w", &format!("{key}={value}")])
            .map(drop)
    }

    /// Put `addr/prefix` on `dev` and bring it up.
    pub fn address(&self, dev: &str, addr: Ipv4Addr, prefix: u8) -> Result<()> {
        self.ip(&["addr", "add", &format!("{addr}/{prefix}"), "dev", dev])?;
        self.ip(&["link", "set", dev, "up"]).map(drop)
    }

    /// Default route through `gateway`.
    pub fn default_route(&self, gateway: Ipv4Addr) -> Result<()> {
        self.ip(&["route", "add", "default", "via", &gateway.to_string()])
            .map(drop)
    }

    /// Make this namespace a home-router-like NAT with an inbound firewall:
    /// [`Netns::nat`] with [`NatKind::Firewall`].
    pub fn masquerade(&self, wan: &str) -> Result<()> {
        self.nat(wan, NatKind::Firewall)
    }

    /// Make this namespace a NAT router of `kind`: forward, and rewrite everything that
    /// leaves through `wan` to `wan`'s address (iptables MASQUERADE: keeps the source
    /// port when it can, filters inbound by address and port). [`NatKind::Firewall`]
    /// also drops unsolicited packets arriving on `wan`; see [`NatKind`] for why that
    /// matters to hole punching.
    pub fn nat(&self, wan: &str, kind: NatKind) -> Result<()> {
        self.sysctl("net.ipv4.ip_forward", "1")?;
        self.exec(&[
            "iptables",
            "-t",
            "nat",
            "-A",
            "POSTROUTING",
            "-o",
            wan,
            "-j",
            "MASQUERADE",
        ])?;
        match kind {
            NatKind::MasqueradeOnly => Ok(()),
            NatKind::Firewall => self
                .exec(&[
                    "iptables",
                    "-A",
                    "INPUT",
                    "-i",
                    wan,
                    "-m",
                    "conntrack",
                    "--ctstate",
                    "NEW,INVALID",
                    "-j",
                    "DROP",
                ])
                .map(drop),
        }
    }

    /// Take `dev` down: its link is cut, as when a phone loses signal.
    pub fn link_down(&self, dev: &str) -> Result<()> {
        self.ip(&["link", "set", dev, "down"]).map(drop)
    }

    /// Bring `dev` back up (addresses stay; routes through it must be re-added if the
    /// kernel dropped them).
    pub fn link_up(&self, dev: &str) -> Result<()> {
        self.ip(&["link", "set", dev, "up"]).map(drop)
    }

    /// Drop a random `fraction` (0.0–1.0) of the packets entering and leaving through
    /// `dev` (iptables `statistic`; `tc netem` is not built into this machine's kernel,
    /// CONFIG_NET_SCH_NETEM is off). Undo with [`Netns::stop_losing`].
    ///
    /// Unlike loss on a real network, a drop on the way out is visible to the sender:
    /// its `sendto` fails with EPERM (webrtc logs an error per packet and goes on), and
    /// a GSO batch of datagrams is kept or dropped as one. On the way in neither
    /// applies. For loss the sender cannot see, use `Netns::impair` with a `loss`.
    pub fn lose(&self, dev: &str, fraction: f64) -> Result<()> {
        let p = format!("{:.4}", fraction.clamp(0.0, 1.0));
        for (chain, dir) in [("INPUT", "-i"), ("OUTPUT", "-o")] {
            self.exec(&loss_rule("-A", chain, dir, dev, &p))?;
        }
        Ok(())
    }

    /// Remove the loss set with [`Netns::lose`] (same `fraction`).
    pub fn stop_losing(&self, dev: &str, fraction: f64) -> Result<()> {
        let p = format!("{:.4}", fraction.clamp(0.0, 1.0));
        for (chain, dir) in [("INPUT", "-i"), ("OUTPUT", "-o")] {
            self.exec(&loss_rule("-D", chain, dir, dev, &p))?;
        }
        Ok(())
    }

    /// `ip link show dev` says the link is up (`LOWER_UP` and not administratively down).
    pub fn link_is_up(&self, dev: &str) -> Result<bool> {
        let out = self.ip(&["link", "show", "dev", dev])?;
        let flags = out
            .split('<')
            .nth(1)
            .and_then(|f| f.split('>').next())
            .unwrap_or_default();
        Ok(flags.split(',').any(|f| f == "UP"))
    }

    /// Start `program args…` inside the namespace, its stdout and stderr going to
    /// `<log_dir>/<label>.out` and `.err`. The process is killed when the handle drops.
    pub fn spawn<S: AsRef<OsStr>>(
        &self,
        label: &str,
        program: &Path,
        args: &[S],
        log_dir: &Path,
    ) -> Result<NsProcess> {
        let stdout = log_dir.join(format!("{label}.out"));
        let stderr = log_dir.join(format!("{label}.err"));
        // `ip netns exec` enters the namespace and execs the program: same PID.
        let child = Command::new("ip")
            .args(["netns", "exec", &self.name])
            .arg(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(File::create(&stdout).context("creating stdout log")?)
            .stderr(File::create(&stderr).context("creating stderr log")?)
            .spawn()
            .with_context(|| format!("starting {} in {}", program.display(), self.name))?;
        Ok(NsProcess {
            label: label.to_owned(),
            child,
            stdout,
            stderr,
        })
    }

    /// PIDs of every process inside the namespace.
    fn pids(&self) -> Vec<u32> {
        run("ip", &["netns", "pids", &self.name])
            .map(|out| {
                out.split_whitespace()
                    .filter_map(|p| p.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Only this test starts processes in its own, uniquely named namespace: these
        // are ours. Killed by PID so the namespace really goes away now.
        for pid in self.pids() {
            let _ = run("kill", &["-KILL", &pid.to_string()]);
        }
        if let Err(e) = run("ip", &["netns", "del", &self.name]) {
            eprintln!("netns: could not delete {}: {e:#}", self.name);
        }
    }
}

/// Connect `a` and `b` with a veth pair (`a_dev` in `a`, `b_dev` in `b`), created
/// directly inside the namespaces, addressed and up.
pub fn veth(
    (a, a_dev, a_addr): (&Netns, &str, Ipv4Addr),
    (b, b_dev, b_addr): (&Netns, &str, Ipv4Addr),
    prefix: u8,
) -> Result<()> {
    a.ip(&[
        "link", "add", "name", a_dev, "type", "veth", "peer", "name", b_dev, "netns", &b.name,
    ])?;
    a.address(a_dev, a_addr, prefix)?;
    b.address(b_dev, b_addr, prefix)
}

/// `iptables <op> <chain> <-i|-o> dev -m statistic --probability p -j DROP`.
fn loss_rule<'a>(
    op: &'a str,
    chain: &'a str,
    dir: &'a str,
    dev: &'a str,
    p: &'a str,
) -> Vec<&'a str> {
    vec![
        "iptables",
        op,
        chain,
        dir,
        dev,
        "-m",
        "statistic",
        "--mode",
        "random",
        "--probability",
        p,
        "-j",
        "DROP",
    ]
}

/// A process running inside a namespace; killed (and reaped) on drop.
#[derive(Debug)]
pub struct NsProcess {
    label: String,
    child: Child,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl NsProcess {
    /// Its PID (`ip netns exec` execs, so this is the program itself).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything it printed to stdout so far.
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    /// Everything it printed to stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// Wait (bounded) for a stdout line starting with `prefix`; returns the rest of
    /// that line. Fails early if the process exits without printing it.
    pub fn wait_for_line(&mut self, prefix: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let found = self
                .stdout()
                .lines()
                .find_map(|l| l.strip_prefix(prefix).map(str::to_owned));
            if let Some(rest) = found {
                return Ok(rest);
            }
            if let Some(status) = self.child.try_wait()? {
                // It may have printed the line just before exiting.
                if let Some(rest) = self
                    .stdout()
                    .lines()
                    .find_map(|l| l.strip_prefix(prefix).map(str::to_owned))
                {
                    return Ok(rest);
                }
                bail!(
                    "{} exited ({status}) without printing `{prefix}`\n{}",
                    self.label,
                    self.transcript()
                );
            }
            if Instant::now() >= deadline {
                bail!(
                    "{} printed no `{prefix}` within {timeout:?}\n{}",
                    self.label,
                    self.transcript()
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// Wait (bounded) for it to exit; killed and an error if it takes longer.
    pub fn wait(&mut self, timeout: Duration) -> Result<ExitStatus> {
        wait_bounded(&mut self.child, timeout)
            .with_context(|| format!("{}\n{}", self.label, self.transcript()))
    }

    /// SIGKILL it now, as when the OS kills an app, and reap it.
    pub fn kill(&mut self) -> Result<()> {
        if self.child.try_wait()?.is_none() {
            self.child.kill()?;
        }
        self.child.wait()?;
        Ok(())
    }

    /// Its label, stdout and stderr, for failure messages.
    pub fn transcript(&self) -> String {
        format!(
            "--- {} stdout ---\n{}--- {} stderr ---\n{}",
            self.label,
            self.stdout(),
            self.label,
            self.stderr()
        )
    }
}

impl Drop for NsProcess {
    fn drop(&mut self) {
        let _ = self.kill();
    }
}

/// Topology (a): two hosts on one LAN, a veth pair between them.
#[derive(Debug)]
pub struct Lan {
    /// First host; `eth0` = [`Lan::A_ADDR`].
    pub a: Netns,
    /// Second host; `eth0` = [`Lan::B_ADDR`].
    pub b: Netns,
}

impl Lan {
    /// Address of host `a`.
    pub const A_ADDR: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    /// Address of host `b`.
    pub const B_ADDR: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
    /// The interface name inside both hosts.
    pub const DEV: &'static str = "eth0";

    /// Build it.
    pub fn new() -> Result<Self> {
        let a = Netns::new("lan-a")?;
        let b = Netns::new("lan-b")?;
        veth(
            (&a, Self::DEV, Self::A_ADDR),
            (&b, Self::DEV, Self::B_ADDR),
            24,
        )?;
        Ok(Self { a, b })
    }
}

/// One side of topology (b): a host on a private LAN behind its own NAT router, which
/// is connected to the internet through its ISP's router.
#[derive(Debug)]
pub struct NatSite {
    /// The host; `eth0` on the private LAN, default route via the router.
    pub host: Netns,
    /// The NAT router: `lan` towards the host, `wan` towards the ISP, MASQUERADE (and
    /// an inbound firewall for [`NatKind::Firewall`]).
    pub router: Netns,
    /// The ISP's router, a plain forwarding hop: `to-nat` towards the NAT router's
    /// `wan`, `to-inet` towards the internet (its default route).
    pub isp: Netns,
    /// The host's private address.
    pub host_addr: Ipv4Addr,
    /// The router's public (internet-side) address: what the world sees.
    pub public_addr: Ipv4Addr,
}

/// Topology (b): two hosts, each behind its own NAT router and that router's ISP, the
/// ISPs joined through an "internet" namespace that also holds a STUN server address.
///
/// ```text
///  host a        NAT router a                ISP a                       internet
/// 10.1.0.2 ──── 10.1.0.1 ┊ 198.18.1.2 ──── 198.18.1.1 ┊ 198.19.1.2 ──── 198.19.1.1 ┐
///   eth0          lan    ┊    wan            to-nat   ┊  to-inet            to-a   │
///                                                                  lo 198.18.0.1 = STUN
///   eth0          lan    ┊    wan            to-nat   ┊  to-inet            to-b   │
/// 10.2.0.2 ──── 10.2.0.1 ┊ 198.18.2.2 ──── 198.18.2.1 ┊ 198.19.2.2 ──── 198.19.2.1 ┘
///  host b        NAT router b                ISP b
/// ```
///
/// Hop counts (every forwarding router decrements the IP TTL and drops a packet that
/// arrives with TTL 1; delivery to a router's own address does not check it): a
/// packet from host a is forwarded by router a, ISP a, the internet and ISP b before
/// it reaches router b. So with TTL 3 it dies at the internet and with TTL 4 at ISP b:
/// it never reaches router b and leaves nothing in its conntrack table. With TTL 5
/// ([`NatPair::FAR_ROUTER_MIN_TTL`]) it reaches router b itself, with TTL 6 host b
/// behind it. The STUN address (delivered locally at the internet) is reached with
/// TTL 3 or more. The same holds from host b towards router a.
#[derive(Debug)]
pub struct NatPair {
    // Field order is drop order: processes first, then the namespaces.
    stun: Option<NsProcess>,
    /// The first site.
    pub a: NatSite,
    /// The second site.
    pub b: NatSite,
    /// The "internet": routes between the two ISPs, holds the STUN address.
    pub internet: Netns,
    /// How both NAT routers treat unsolicited packets.
    pub kind: NatKind,
}

impl NatPair {
    /// Where the STUN server listens (on the internet namespace's `lo`).
    pub const STUN_ADDR: Ipv4Addr = Ipv4Addr::new(198, 18, 0, 1);
    /// The STUN server's UDP port.
    pub const STUN_PORT: u16 = 3478;
    /// The smallest IP TTL with which a host's packet reaches the far NAT router
    /// (router a, ISP a, internet and ISP b forward it first); any smaller TTL dies
    /// on the way.
    pub const FAR_ROUTER_MIN_TTL: u32 = 5;

    /// Build the topology with [`NatKind::Firewall`] NATs (home routers).
    pub fn new() -> Result<Self> {
        Self::with_kind(NatKind::Firewall)
    }

    /// Build the seven namespaces, their links, routes and NAT, both NAT routers of
    /// `kind`.
    pub fn with_kind(kind: NatKind) -> Result<Self> {
        let internet = Netns::new("inet")?;
        internet.sysctl("net.ipv4.ip_forward", "1")?;
        internet.ip(&[
            "addr",
            "add",
            &format!("{}/32", Self::STUN_ADDR),
            "dev",
            "lo",
        ])?;
        let a = NatSite::new(&internet, 'a', 1, kind)?;
        let b = NatSite::new(&internet, 'b', 2, kind)?;
        Ok(Self {
            stun: None,
            a,
            b,
            internet,
            kind,
        })
    }

    /// The `stun:` URL of the server started by [`NatPair::start_stun`].
    pub fn stun_url(&self) -> String {
        format!("stun:{}:{}", Self::STUN_ADDR, Self::STUN_PORT)
    }

    /// Start the STUN responder (`program` = the `stun-server` dev binary) in the
    /// internet namespace and wait until it listens. Stopped when the topology drops.
    pub fn start_stun(&mut self, program: &Path, log_dir: &Path) -> Result<()> {
        let bind = format!("{}:{}", Self::STUN_ADDR, Self::STUN_PORT);
        let mut stun = self.internet.spawn(
            "stun-server",
            program,
            &["--bind", &bind, "--lifetime-secs", "120"],
            log_dir,
        )?;
        stun.wait_for_line("listening ", Duration::from_secs(10))?;
        self.stun = Some(stun);
        Ok(())
    }

    /// The STUN server's output so far: one `binding <from> ` line per request.
    pub fn stun_log(&self) -> String {
        self.stun
            .as_ref()
            .map(NsProcess::stdout)
            .unwrap_or_default()
    }
}

impl NatSite {
    /// A host behind a NAT router of `kind` and its ISP, the ISP linked to `internet`
    /// (which must forward): host `10.n.0.2`, public address `198.18.n.2`, the
    /// internet's side of the link `to-<side>` at `198.19.n.1`. [`NatPair`] makes two;
    /// `small_net::NatStar` three or more around one internet.
    pub fn new(internet: &Netns, side: char, n: u8, kind: NatKind) -> Result<Self> {
        let host = Netns::new(&format!("host-{side}"))?;
        let router = Netns::new(&format!("nat-{side}"))?;
        let isp = Netns::new(&format!("isp-{side}"))?;
        let host_addr = Ipv4Addr::new(10, n, 0, 2);
        let lan_gw = Ipv4Addr::new(10, n, 0, 1);
        let public_addr = Ipv4Addr::new(198, 18, n, 2);
        let isp_down = Ipv4Addr::new(198, 18, n, 1);
        let isp_up = Ipv4Addr::new(198, 19, n, 2);
        let internet_side = Ipv4Addr::new(198, 19, n, 1);
        veth((&host, "eth0", host_addr), (&router, "lan", lan_gw), 24)?;
        veth(
            (&router, "wan", public_addr),
            (&isp, "to-nat", isp_down),
            24,
        )?;
        veth(
            (&isp, "to-inet", isp_up),
            (internet, &format!("to-{side}"), internet_side),
            24,
        )?;
        host.default_route(lan_gw)?;
        router.default_route(isp_down)?;
        router.nat("wan", kind)?;
        isp.sysctl("net.ipv4.ip_forward", "1")?;
        isp.default_route(internet_side)?;
        // The internet reaches this site's public subnet through its ISP.
        internet.ip(&[
            "route",
            "add",
            &format!("198.18.{n}.0/24"),
            "via",
            &isp_up.to_string(),
        ])?;
        Ok(Self {
            host,
            router,
            isp,
            host_addr,
            public_addr,
        })
    }
}

/// Asserts that the candidate pair a CLI `● connected … via PAIR` line names reaches
/// the other side through `far`'s NAT (a reflexive candidate at its public address).
pub fn assert_through_nat(connected_line: &str, far: &NatSite) {
    let remote = connected_line.split("(remote)").nth(1).unwrap_or("");
    assert!(
        (remote.contains("srflx") || remote.contains("prflx"))
            && remote.contains(&format!("{}:", far.public_addr)),
        "expected a reflexive candidate at {}: {connected_line}",
        far.public_addr
    );
}
