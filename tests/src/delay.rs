//! Added latency, and random loss the sender cannot see, on a namespace's interface,
//! for fault tests ("200 ms of delay", "10 % loss").
//!
//! `tc netem` would be the usual tool, but this machine's kernel is built without it
//! (CONFIG_NET_SCH_NETEM is off). Instead an iptables rule in `mangle POSTROUTING`
//! sends every IPv4 and IPv6 packet leaving the interface to an NFQUEUE queue, and the
//! `netdelay` dev binary, running in the same namespace (queues belong to one network
//! namespace), drops a random share of them and holds each other one for the delay
//! before letting it go on. Like netem on an interface's egress, only outgoing packets
//! are touched, so a delay on one side of a link adds it once to a round trip; delays
//! on both sides add up. `POSTROUTING` also sees forwarded packets, so this works on a
//! NAT router's interface too.
//!
//! Loss through [`Impairment::loss`] differs from [`Netns::lose`]: an iptables `DROP`
//! of a locally sent packet fails the sender's `sendto` with EPERM (webrtc logs an
//! error per packet) and drops a GSO batch of datagrams as one; a queued packet's
//! `sendto` has already succeeded, and the kernel queues GSO batches datagram by
//! datagram.
//!
//! Delayed packets still count against the sending socket's buffer until released:
//! with 200 ms of delay a default-sized UDP send buffer (~208 KiB) fills after a few
//! hundred small datagrams and `sendto` blocks, as it would under netem.
//!
//! The rule carries `--queue-bypass`: if netdelay is not (or no longer) bound, packets
//! pass undelayed rather than vanish. netdelay is started and ready before the rule
//! goes in, and the rule comes out before netdelay is stopped.

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::netns::Netns;

/// netdelay's default cap on held packets (netem's default `limit`).
pub const DEFAULT_LIMIT: usize = 1000;
/// Bound on netdelay binding its queue, and on it stopping.
const STARTUP: Duration = Duration::from_secs(10);
const SHUTDOWN: Duration = Duration::from_secs(5);
/// The firewall tools that get a rule: IPv4 and IPv6 traffic are both delayed.
const TOOLS: [&str; 2] = ["iptables", "ip6tables"];

/// Queue numbers are per namespace; one counter for the whole test process keeps
/// several delays in one namespace apart.
static NEXT_QUEUE: AtomicU16 = AtomicU16::new(1000);

/// What happens to packets leaving an interface (see [`Netns::impair`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Impairment {
    /// How long each packet is held (whole milliseconds; sub-millisecond parts are cut).
    pub delay: Duration,
    /// Share of packets dropped at random, 0.0–1.0, decided independently per packet.
    pub loss: f64,
    /// Most packets held at once; more are dropped, as by a full router buffer.
    pub limit: usize,
    /// Seed for the loss pattern, to repeat a run; a fresh one each time if `None`.
    pub seed: Option<u64>,
}

impl Default for Impairment {
    /// No delay, no loss, [`DEFAULT_LIMIT`], unseeded.
    fn default() -> Self {
        Self {
            delay: Duration::ZERO,
            loss: 0.0,
            limit: DEFAULT_LIMIT,
            seed: None,
        }
    }
}

impl Netns {
    /// Delay every packet leaving `dev` by `delay` (whole milliseconds), holding at most
    /// [`DEFAULT_LIMIT`] packets. Lasts until the returned guard is dropped or stopped.
    pub fn delay(&self, dev: &str, delay: Duration) -> Result<DelayGuard> {
        self.impair(
            dev,
            Impairment {
                delay,
                ..Impairment::default()
            },
        )
    }

    /// Apply `how` to every packet leaving `dev` until the returned guard is dropped or
    /// stopped. One guard per interface at a time: a second one would see only what
    /// the first let through, after the first's delay.
    pub fn impair(&self, dev: &str, how: Impairment) -> Result<DelayGuard> {
        if !(0.0..=1.0).contains(&how.loss) {
            bail!("loss {} is not within 0.0..=1.0", how.loss);
        }
        let queue = NEXT_QUEUE.fetch_add(1, Ordering::Relaxed);
        let program = netdelay_bin()?;
        let mut command = Command::new("ip");
        command
            .args(["netns", "exec", self.name()])
            .arg(&program)
            .args(["--queue", &queue.to_string()])
            .args(["--delay-ms", &how.delay.as_millis().to_string()])
            .args(["--loss-percent", &(how.loss * 100.0).to_string()])
            .args(["--limit", &how.limit.to_string()]);
        if let Some(seed) = how.seed {
            command.args(["--seed", &seed.to_string()]);
        }
        let mut child = command
            // netdelay stops when this pipe closes: when the guard drops, or when the
            // test process dies without running any destructor.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {} in {}", program.display(), self.name()))?;
        let (tx, lines) = mpsc::channel();
        forward_lines(child.stdout.take(), "", tx.clone());
        forward_lines(child.stderr.take(), "stderr: ", tx);
        let mut guard = DelayGuard {
            ns: self.name().to_owned(),
            dev: dev.to_owned(),
            queue,
            queue_arg: queue.to_string(),
            stdin: child.stdin.take(),
            child: Some(child),
            lines,
            seen: Vec::new(),
            rules: Vec::new(),
        };
        // On any error below, dropping the guard undoes what was done so far.
        guard.wait_ready()?;
        for tool in TOOLS {
            self.exec(&guard.rule(tool, "-A"))?;
            guard.rules.push(tool);
        }
        Ok(guard)
    }
}

/// A running delay (and/or loss): netdelay's process and the rules that feed it.
/// Dropping it removes the rules and stops netdelay (held packets are released at
/// once); [`DelayGuard::stop`] does the same and reports what netdelay did.
///
/// It owns the namespace's name, not a borrow: declare it after the namespace (or
/// topology) so it drops first. Should the namespace go first, netdelay dies with it
/// and the guard's cleanup finds nothing left to do.
#[derive(Debug)]
pub struct DelayGuard {
    ns: String,
    dev: String,
    queue: u16,
    /// `queue` as iptables wants it.
    queue_arg: String,
    stdin: Option<ChildStdin>,
    child: Option<Child>,
    lines: Receiver<String>,
    /// Lines read from netdelay so far (stdout, and stderr prefixed `stderr: `).
    seen: Vec<String>,
    /// Tools whose rule is in place, to be deleted.
    rules: Vec<&'static str>,
}

/// What netdelay reported when it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DelayStats {
    /// Packets let through after their delay (or at the stop).
    pub released: u64,
    /// Packets dropped at random ([`Impairment::loss`]).
    pub lost: u64,
    /// Packets netdelay dropped because it already held its limit.
    pub dropped: u64,
    /// Socket or verdict errors (reported, not fatal).
    pub errors: u64,
    /// Packets the kernel dropped because the queue was full (the limit).
    pub kernel_dropped: u64,
    /// Packets the kernel dropped because it could not hand them to netdelay.
    pub user_dropped: u64,
}

impl DelayGuard {
    /// netdelay's PID.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The NFQUEUE queue number used in the namespace.
    pub fn queue(&self) -> u16 {
        self.queue
    }

    /// Remove the rules, stop netdelay, and return its final counts.
    pub fn stop(mut self) -> Result<DelayStats> {
        self.shutdown()?;
        let line = self
            .seen
            .iter()
            .find_map(|l| l.strip_prefix("stopped "))
            .with_context(|| {
                format!("netdelay printed no `stopped` line\n{}", self.transcript())
            })?;
        parse_stats(line)
    }

    /// Everything netdelay printed so far, for failure messages.
    pub fn transcript(&self) -> String {
        self.seen.join("\n")
    }

    /// The iptables arguments of this guard's rule, appended (`-A`) or deleted (`-D`).
    fn rule<'a>(&'a self, tool: &'a str, op: &'a str) -> Vec<&'a str> {
        vec![
            tool,
            "-t",
            "mangle",
            op,
            "POSTROUTING",
            "-o",
            &self.dev,
            "-j",
            "NFQUEUE",
            "--queue-num",
            &self.queue_arg,
            "--queue-bypass",
        ]
    }

    /// Wait (bounded) for netdelay's `ready` line; fails if it exits first.
    fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + STARTUP;
        loop {
            if self.seen.iter().any(|l| l.starts_with("ready ")) {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left.min(Duration::from_millis(50))) {
                Ok(line) => self.seen.push(line),
                Err(RecvTimeoutError::Timeout) if left.is_zero() => {
                    bail!(
                        "netdelay not ready within {STARTUP:?}\n{}",
                        self.transcript()
                    )
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    bail!(
                        "netdelay exited before binding its queue\n{}",
                        self.transcript()
                    )
                }
            }
        }
    }

    /// Rules out, stdin closed, netdelay reaped (killed by PID if it lingers), its
    /// remaining output collected. Safe to call twice.
    fn shutdown(&mut self) -> Result<()> {
        let mut problems = Vec::new();
        for tool in std::mem::take(&mut self.rules) {
            let args = self.rule(tool, "-D");
            let mut all = vec!["netns", "exec", &self.ns];
            all.extend_from_slice(&args);
            if let Err(e) = crate::netns::run("ip", &all) {
                problems.push(format!("removing the {tool} rule: {e:#}"));
            }
        }
        drop(self.stdin.take());
        if let Some(mut child) = self.child.take() {
            let deadline = Instant::now() + SHUTDOWN;
            loop {
                match child.try_wait() {
                    Ok(Some(status)) if status.success() => break,
                    Ok(Some(status)) => {
                        problems.push(format!("netdelay exited with {status}"));
                        break;
                    }
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(10))
                    }
                    Ok(None) | Err(_) => {
                        let _ = child.kill();
                        let _ = child.wait();
                        problems.push(format!("netdelay did not stop within {SHUTDOWN:?}"));
                        break;
                    }
                }
            }
        }
        // The pipes close when the process is gone: collect everything it printed.
        while let Ok(line) = self.lines.recv_timeout(SHUTDOWN) {
            self.seen.push(line);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            bail!("{}\n{}", problems.join("; "), self.transcript())
        }
    }
}

impl Drop for DelayGuard {
    fn drop(&mut self) {
        if let Err(e) = self.shutdown() {
            // Expected when the namespace was deleted first; worth a line otherwise.
            if std::path::Path::new("/run/netns").join(&self.ns).exists() {
                eprintln!("delay guard in {}: {e:#}", self.ns);
            }
        }
    }
}

/// Send each line of `pipe` (prefixed) to `tx` until the pipe closes.
fn forward_lines<R: Read + Send + 'static>(
    pipe: Option<R>,
    prefix: &'static str,
    tx: mpsc::Sender<String>,
) {
    let Some(pipe) = pipe else { return };
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(format!("{prefix}{line}")).is_err() {
                break;
            }
        }
    });
}

/// `released=1 dropped=0 …` → [`DelayStats`].
fn parse_stats(line: &str) -> Result<DelayStats> {
    let mut stats = DelayStats::default();
    for pair in line.split_whitespace() {
        let (key, value) = pair
            .split_once('=')
            .with_context(|| format!("bad stats field {pair:?}"))?;
        let value: u64 = value
            .parse()
            .with_context(|| format!("bad stats value {pair:?}"))?;
        match key {
            "released" => stats.released = value,
            "lost" => stats.lost = value,
            "dropped" => stats.dropped = value,
            "errors" => stats.errors = value,
            "kernel_dropped" => stats.kernel_dropped = value,
            "user_dropped" => stats.user_dropped = value,
            _ => {}
        }
    }
    Ok(stats)
}

/// The `netdelay` binary of this build: next to the test binary's `deps/` directory,
/// where cargo puts this package's binaries before it runs its integration tests.
fn netdelay_bin() -> Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the test binary")?;
    let bin = exe
        .parent()
        .and_then(std::path::Path::parent)
        .map(|dir| dir.join(format!("netdelay{}", std::env::consts::EXE_SUFFIX)))
        .context("the test binary has no target/<profile>/deps parent")?;
    if !bin.is_file() {
        bail!(
            "{} is missing: run the test through `cargo test -p tincan-tests`, which \
             builds it, or `cargo build -p tincan-tests --bin netdelay`",
            bin.display()
        );
    }
    Ok(bin)
}
