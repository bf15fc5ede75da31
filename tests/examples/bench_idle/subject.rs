//! The subjects: one idle connected pair each (or a hub and its contacts, or a node
//! with nobody to talk to), in namespaces of their own, started, measured and stopped
//! the same way, so every row of the table means the same thing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use tincan_core::link::Pace;
use tincan_tests::netns::{run, Netns, NsProcess};

use crate::sample::{self, Cost, Snapshot};
use crate::wire::{self, Counts, Kinds, Wire};
use crate::{guard, plain_peer};

/// Bound on a subject's setup (all subjects start at once on a shared 2-core machine).
const READY: Duration = Duration::from_secs(120);
/// Bound on a peer's answer to a statistics request.
const ANSWER: Duration = Duration::from_secs(10);
/// Bound on a peer's orderly exit.
const EXIT: Duration = Duration::from_secs(15);
/// Longest any peer process lives: a forgotten one ends by itself.
const LIFETIME_SECS: u64 = 1800;

/// What runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `idle-node` processes: an inviter with `contacts` contacts and one joiner
    /// process holding that many nodes (none for zero contacts).
    Tincan {
        /// The pace both sides ask for.
        pace: Pace,
        /// Idle driver sleeps stretched to the next keep-alive (`false`: before the fix).
        stretch: bool,
        /// Conversations of the inviter (the hub).
        contacts: usize,
    },
    /// Two plain webrtc 0.21 peers ([`plain_peer`]).
    Plain,
    /// Two headless Chromium pages in one browser.
    Chromium,
}

/// Where the programs are.
pub struct Programs {
    /// The `idle-node` binary.
    pub idle_node: PathBuf,
    /// This benchmark (for `--plain-peer`).
    pub me: PathBuf,
    /// Node.js.
    pub node: PathBuf,
    /// `tests/browser/bench_idle_chromium.js`.
    pub chromium_script: PathBuf,
}

/// The network a subject lives in.
enum Net {
    /// Two hosts on a veth pair.
    Wire(Wire),
    /// One namespace with only `lo` (Chromium, a lone node).
    Lo(Netns),
}

/// One subject, running. Field order is drop order: processes, then namespaces, then
/// the directory.
pub struct Running {
    /// Short name, also used for namespaces and logs.
    pub key: &'static str,
    /// What runs.
    pub kind: Kind,
    /// Peer processes: `[a, b]`, or `[a]` alone, or `[node]` driving Chromium.
    procs: Vec<NsProcess>,
    /// Statistics requests sent to each process so far.
    requests: Vec<u64>,
    net: Net,
    dir: tempfile::TempDir,
    /// Set once ready: Chromium's version and the pair it selected.
    pub chromium: Option<Value>,
}

/// Link totals of one `idle-node` process, from its `stats` line.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkTotals {
    /// Links open (conversations with a live link).
    pub links: usize,
    /// Driver timer sleeps, all links.
    pub driver_sleeps: u64,
    /// Most driver sleeps of any one link.
    pub max_driver_sleeps: u64,
    /// Datagrams out, all links (as the links' sockets count them).
    pub packets_out: u64,
    /// Datagrams in.
    pub packets_in: u64,
    /// Links not on the asked pace.
    pub off_pace: usize,
}

/// A subject's counters at one instant.
pub struct Snap {
    /// Per measured side: its process (or Chromium's process tree).
    procs: Vec<Snapshot>,
    /// The wire's counters (a veth pair).
    wire: Option<Counts>,
    /// `lo`'s packets, bytes and packets by kind (Chromium).
    lo: Option<(u64, u64, Kinds)>,
    /// Per side, for `idle-node`s: its links' totals.
    links: Vec<Option<LinkTotals>>,
}

/// What one subject cost over the idle stretch.
#[derive(Debug, Clone)]
pub struct Measured {
    /// Per side (a, b; or the Chromium tree): wake-ups and CPU.
    pub sides: Vec<Cost>,
    /// Per side: link totals over the stretch (driver sleeps are a difference; `links`
    /// as at the end).
    pub links: Vec<Option<LinkTotals>>,
    /// Packets and bytes each way on the veth.
    pub wire: Option<Counts>,
    /// Packets and bytes on `lo` (both directions together).
    pub lo: Option<(u64, u64)>,
    /// Packets by kind: a → b and b → a (for Chromium: `lo`'s total, in the first).
    pub kinds: Option<(Kinds, Kinds)>,
    /// Seconds the wire and link counters cover.
    pub secs: f64,
    /// What the peers said about their state meanwhile (should be nothing).
    pub incidents: Vec<String>,
}

impl Running {
    /// Starts `kind` in fresh namespaces under `base` (returns once started; see
    /// [`Running::wait_ready`]).
    pub fn start(key: &'static str, kind: Kind, p: &Programs, base: &Path) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("idle-{key}-"))
            .tempdir_in(base)?;
        let logs = dir.path().to_owned();
        let exchange = dir.path().to_string_lossy().into_owned();
        let lifetime = LIFETIME_SECS.to_string();
        let a_bind = format!("{}:0", Wire::A);
        let b_bind = format!("{}:0", Wire::B);
        let (net, procs) = match kind {
            Kind::Tincan {
                pace,
                stretch,
                contacts,
            } => {
                let pace = match pace {
                    Pace::Foreground => "foreground",
                    Pace::Background => "background",
                };
                let n = contacts.to_string();
                let args = |role: &str, bind: &str| {
                    let mut v = vec![
                        "--dir".to_owned(),
                        exchange.clone(),
                        "--role".to_owned(),
                        role.to_owned(),
                        "--contacts".to_owned(),
                        n.clone(),
                        "--pace".to_owned(),
                        pace.to_owned(),
                        "--bind".to_owned(),
                        bind.to_owned(),
                        "--timeout".to_owned(),
                        READY.as_secs().to_string(),
                        "--lifetime".to_owned(),
                        lifetime.clone(),
                    ];
                    if !stretch {
                        v.push("--no-stretch".to_owned());
                    }
                    v
                };
                if contacts == 0 {
                    let ns = Netns::new(key)?;
                    let a = ns.spawn("a", &p.idle_node, &args("invite", "127.0.0.1:0"), &logs)?;
                    (Net::Lo(ns), vec![a])
                } else {
                    let w = Wire::new(key)?;
                    let a =
                        w.a.spawn("a", &p.idle_node, &args("invite", &a_bind), &logs)?;
                    let b =
                        w.b.spawn("b", &p.idle_node, &args("join", &b_bind), &logs)?;
                    (Net::Wire(w), vec![a, b])
                }
            }
            Kind::Plain => {
                let w = Wire::new(key)?;
                let args = |role: &str, bind: &str| {
                    vec![
                        plain_peer::FLAG.to_owned(),
                        "--role".to_owned(),
                        role.to_owned(),
                        "--dir".to_owned(),
                        exchange.clone(),
                        "--bind".to_owned(),
                        bind.to_owned(),
                        "--lifetime".to_owned(),
                        lifetime.clone(),
                    ]
                };
                let a = w.a.spawn("a", &p.me, &args("offer", &a_bind), &logs)?;
                let b = w.b.spawn("b", &p.me, &args("answer", &b_bind), &logs)?;
                (Net::Wire(w), vec![a, b])
            }
            Kind::Chromium => {
                let ns = Netns::new(key)?;
                wire::count_lo_kinds(&ns)?;
                let script = p.chromium_script.to_string_lossy().into_owned();
                let node = ns.spawn("node", &p.node, &[script, lifetime], &logs)?;
                (Net::Lo(ns), vec![node])
            }
        };
        Ok(Self {
            key,
            kind,
            requests: vec![0; procs.len()],
            procs,
            net,
            dir,
            chromium: None,
        })
    }

    /// Waits (bounded) until every peer says it is connected (and, for Tincan, on the
    /// asked pace).
    pub fn wait_ready(&mut self) -> Result<()> {
        let key = self.key;
        for proc in &mut self.procs {
            guard::check()?;
            let line = proc
                .wait_for_line("connected ", READY)
                .with_context(|| format!("{key}: not connected"))?;
            if self.kind == Kind::Chromium {
                self.chromium = Some(serde_json::from_str(&line)?);
            }
            if matches!(self.kind, Kind::Tincan { .. }) {
                proc.wait_for_line("paced ", READY)
                    .with_context(|| format!("{key}: pace not applied"))?;
            }
        }
        Ok(())
    }

    /// The PIDs whose cost is measured, per side: each peer process; for Chromium every
    /// process under the Node.js driver (the browser and its children; the driver is
    /// automation, not the baseline).
    fn measured_pids(&self) -> Vec<Vec<u32>> {
        match self.kind {
            Kind::Chromium => vec![sample::descendants(self.procs[0].pid())],
            _ => self.procs.iter().map(|p| vec![p.pid()]).collect(),
        }
    }

    /// Asks each `idle-node` for its link statistics (SIGUSR1) and reads the answer.
    fn link_totals(&mut self) -> Result<Vec<Option<LinkTotals>>> {
        let Kind::Tincan { pace, .. } = self.kind else {
            return Ok(vec![None; self.procs.len()]);
        };
        let want = format!("{pace:?}");
        let mut out = Vec::new();
        for (proc, n) in self.procs.iter_mut().zip(self.requests.iter_mut()) {
            *n += 1;
            run("kill", &["-USR1", &proc.pid().to_string()])?;
            let line = proc.wait_for_line(&format!("stats {n} "), ANSWER)?;
            let v: Value = serde_json::from_str(&line)?;
            let mut t = LinkTotals::default();
            for link in v["links"].as_array().into_iter().flatten() {
                if link["link"] != Value::Bool(true) {
                    continue;
                }
                let num = |k: &str| link[k].as_u64().unwrap_or(0);
                t.links += 1;
                t.driver_sleeps += num("driver_sleeps");
                t.max_driver_sleeps = t.max_driver_sleeps.max(num("driver_sleeps"));
                t.packets_out += num("packets_out");
                t.packets_in += num("packets_in");
                if link["pace"].as_str() != Some(want.as_str()) {
                    t.off_pace += 1;
                }
            }
            out.push(Some(t));
        }
        Ok(out)
    }

    /// Counters now. `links_first`: ask the peers for their link statistics before
    /// reading the processes (start of a stretch) or after (its end), so the request
    /// itself never falls inside the measured window.
    pub fn snap(&mut self, links_first: bool) -> Result<Snap> {
        let early = if links_first {
            Some(self.link_totals()?)
        } else {
            None
        };
        let procs = self
            .measured_pids()
            .iter()
            .map(|pids| sample::snapshot(pids))
            .collect();
        let (wire, lo) = match &self.net {
            Net::Wire(w) => (Some(w.counts()?), None),
            Net::Lo(ns) if self.kind == Kind::Chromium => (None, Some(wire::lo_counts(ns)?)),
            Net::Lo(_) => (None, None),
        };
        let links = match early {
            Some(l) => l,
            None => self.link_totals()?,
        };
        Ok(Snap {
            procs,
            wire,
            lo,
            links,
        })
    }

    /// What happened between two snaps, plus anything the peers reported meanwhile.
    pub fn measured(&self, before: &Snap, after: &Snap, ticks: f64) -> Measured {
        let sides: Vec<Cost> = before
            .procs
            .iter()
            .zip(&after.procs)
            .map(|(a, b)| sample::cost(a, b, ticks))
            .collect();
        let secs = sides.first().map_or(0.0, |c| c.secs);
        let links = before
            .links
            .iter()
            .zip(&after.links)
            .map(|(a, b)| {
                let (a, b) = ((*a)?, (*b)?);
                Some(LinkTotals {
                    links: b.links,
                    driver_sleeps: b.driver_sleeps.saturating_sub(a.driver_sleeps),
                    // Only a bound (the busiest link at the end vs at the start).
                    max_driver_sleeps: b.max_driver_sleeps.saturating_sub(a.max_driver_sleeps),
                    packets_out: b.packets_out.saturating_sub(a.packets_out),
                    packets_in: b.packets_in.saturating_sub(a.packets_in),
                    off_pace: b.off_pace,
                })
            })
            .collect();
        let wire = before.wire.zip(after.wire).map(|(a, b)| a.until(&b));
        let lo = before
            .lo
            .zip(after.lo)
            .map(|(a, b)| (b.0.saturating_sub(a.0), b.1.saturating_sub(a.1)));
        let kinds = match (wire, before.lo.zip(after.lo)) {
            (Some(w), _) => Some((w.ab_kinds, w.ba_kinds)),
            (None, Some((a, b))) => Some((
                Kinds {
                    stun: b.2.stun.saturating_sub(a.2.stun),
                    dtls: b.2.dtls.saturating_sub(a.2.dtls),
                },
                Kinds::default(),
            )),
            (None, None) => None,
        };
        Measured {
            sides,
            links,
            wire,
            lo,
            kinds,
            secs,
            incidents: self.incidents(),
        }
    }

    /// State changes the peers printed since they were ready (`lost`, `back`,
    /// `state`): an idle pair should have none.
    pub fn incidents(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, proc) in self.procs.iter().enumerate() {
            for line in proc.stdout().lines() {
                if ["lost ", "back ", "state "]
                    .iter()
                    .any(|p| line.starts_with(p))
                {
                    out.push(format!("{}[{i}]: {line}", self.key));
                }
            }
        }
        out
    }

    /// Cuts the wire (see [`Wire::cut`]): when the inviter and the joiner stopped
    /// hearing the other.
    pub fn cut(&self) -> Result<(u128, u128)> {
        match &self.net {
            Net::Wire(w) => w.cut(),
            Net::Lo(_) => bail!("{} has no wire to cut", self.key),
        }
    }

    /// Per process, the first `lost <unix-ms>` it printed at or after `since_ms`.
    pub fn lost_since(&self, since_ms: u128) -> Vec<Option<u128>> {
        self.procs
            .iter()
            .map(|proc| {
                proc.stdout().lines().find_map(|l| {
                    let ms: u128 = l.strip_prefix("lost ")?.split(' ').next()?.parse().ok()?;
                    (ms >= since_ms).then_some(ms)
                })
            })
            .collect()
    }

    /// Asks every peer to stop and waits (bounded); Chromium's driver first
    /// reports both pages' final state. Anything still running is killed on drop.
    pub fn stop(&mut self) -> Result<()> {
        // Playwright closes the browser itself on SIGTERM, before the script could read
        // the pages' state: the script stops on SIGUSR2 instead.
        let signal = if self.kind == Kind::Chromium {
            "-USR2"
        } else {
            "-TERM"
        };
        for proc in &self.procs {
            let _ = run("kill", &[signal, &proc.pid().to_string()]);
        }
        if self.kind == Kind::Chromium {
            let line = self.procs[0].wait_for_line("final ", EXIT)?;
            let v: Value = serde_json::from_str(&line)?;
            for page in ["a", "b"] {
                let (conn, channel) = (&v[page]["connection"], &v[page]["channel"]);
                if conn != "connected" || channel != "open" {
                    return Err(anyhow!(
                        "Chromium page {page} ended the idle stretch {conn} / channel {channel}"
                    ));
                }
            }
        }
        for proc in &mut self.procs {
            proc.wait(EXIT)?;
        }
        Ok(())
    }

    /// Where this subject's logs are.
    pub fn log_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Every peer's output, for a failure message.
    pub fn transcript(&self) -> String {
        self.procs
            .iter()
            .map(NsProcess::transcript)
            .collect::<Vec<_>>()
            .join("\n")
    }
}
