//! Idle wake-ups: what a connected pair costs a phone's battery while nobody types.
//! Counted as the context switches of this whole process (every thread's voluntary and
//! involuntary switches, `/proc/self/task/*/status`) over an idle stretch, per minute;
//! baseline in the same run: the same process with the two nodes open but no
//! conversation. A bare connected link pair (no node) shows what the link itself costs
//! and its driver's timer sleeps, which the node does not expose.

use std::path::Path;
use std::time::{Duration, Instant};

use tincan_core::link::LinkConfig;

use crate::common::{
    self, introduce, is_connected, lo_packets, switch_delta, thread_switches, BoxError, Recorder,
    SwitchDelta, STEP,
};

/// One idle stretch.
pub struct Idle {
    /// Context switches during it.
    pub switches: SwitchDelta,
    /// Packets on `lo` during it (only meaningful in the private namespace).
    pub packets: Option<u64>,
    /// Timer sleeps of the links' drivers (bare links only).
    pub driver_sleeps: Option<u64>,
    /// Node events that came during it (state changes would show here).
    pub events: usize,
    /// How long it lasted.
    pub took: Duration,
}

impl Idle {
    fn per_min(&self, n: u64) -> f64 {
        n as f64 * 60.0 / self.took.as_secs_f64()
    }
}

/// What this section measured.
pub struct Results {
    /// Two nodes open, no conversation.
    pub baseline: Idle,
    /// The same two nodes, connected.
    pub connected: Idle,
    /// A bare connected link pair.
    pub link: Idle,
    /// The same with a slower ICE check interval (what drives the idle ticks).
    pub link_slow_checks: Idle,
}

/// The check interval of the ablation row.
const SLOW_CHECKS: Duration = Duration::from_secs(1);

/// A bare link pair with `config`, connected, then idle `secs`.
fn link_idle(
    rt: &tokio::runtime::Runtime,
    config: &LinkConfig,
    secs: u64,
) -> Result<Idle, BoxError> {
    let (a, b) = rt.block_on(common::link_pair(config))?;
    std::thread::sleep(Duration::from_secs(2));
    let sleeps0 = a.driver_sleeps() + b.driver_sleeps();
    let mut idle = idle_for(secs);
    idle.driver_sleeps = Some((a.driver_sleeps() + b.driver_sleeps()).saturating_sub(sleeps0));
    rt.block_on(async {
        let _ = tokio::join!(a.close(), b.close());
    });
    Ok(idle)
}

/// Sleeps `secs` on this thread and counts what the rest of the process did meanwhile.
fn idle_for(secs: u64) -> Idle {
    let (p0, s0) = (lo_packets(), thread_switches());
    let t = Instant::now();
    std::thread::sleep(Duration::from_secs(secs));
    let took = t.elapsed();
    let (s1, p1) = (thread_switches(), lo_packets());
    Idle {
        switches: switch_delta(&s0, &s1),
        packets: p0.zip(p1).map(|(a, b)| b.saturating_sub(a)),
        driver_sleeps: None,
        events: 0,
        took,
    }
}

/// Events queued while nobody pulled.
fn drain(node: &tincan_core::node::Node) -> usize {
    let mut n = 0;
    while node.next_event(Duration::ZERO).is_some() {
        n += 1;
    }
    n
}

/// Runs the section: `secs` per idle stretch, three stretches.
pub fn run(rt: &tokio::runtime::Runtime, secs: u64, base: &Path) -> Result<Results, BoxError> {
    let (da, db) = (tempfile::tempdir_in(base)?, tempfile::tempdir_in(base)?);
    let (ana, ben) = (
        common::node(da.path(), 1024)?,
        common::node(db.path(), 1024)?,
    );
    eprintln!("bench: idle {secs} s — two nodes open, no conversation…");
    let baseline = idle_for(secs);

    let t = Instant::now();
    {
        let (ra, rb) = (Recorder::start(&ana), Recorder::start(&ben));
        introduce(&ana, &ben)?;
        ra.expect("Ana connected", t, STEP, is_connected)?;
        rb.expect("Ben connected", t, STEP, is_connected)?;
        // Let the first-connection work (contacts, routes) finish before counting.
        std::thread::sleep(Duration::from_secs(2));
        // The recorders stop here: their polling would count as wake-ups.
    }
    drain(&ana);
    drain(&ben);
    eprintln!("bench: idle {secs} s — connected node pair…");
    let mut connected = idle_for(secs);
    connected.events = drain(&ana) + drain(&ben);
    let still: Vec<_> = ana.peers().into_iter().chain(ben.peers()).collect();
    if still
        .iter()
        .any(|p| p.state != tincan_core::node::PeerState::Connected)
    {
        return Err(format!("idle: the pair did not stay connected: {still:?}").into());
    }
    ana.shutdown();
    ben.shutdown();
    drop((ana, ben));

    eprintln!("bench: idle {secs} s — bare connected link pair…");
    let link = link_idle(rt, &LinkConfig::loopback(), secs)?;
    eprintln!("bench: idle {secs} s — bare link pair, slower ICE checks…");
    let slow = LinkConfig {
        ice_check_interval: SLOW_CHECKS,
        ..LinkConfig::loopback()
    };
    let link_slow_checks = link_idle(rt, &slow, secs)?;
    Ok(Results {
        baseline,
        connected,
        link,
        link_slow_checks,
    })
}

fn cell(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.0}"))
}

/// Prints the section's table.
pub fn print(r: &Results, in_netns: bool) {
    let secs = r.connected.took.as_secs_f64();
    println!("\n### Idle wake-ups of a connected pair\n");
    println!(
        "Both nodes (or both links) live in this one process; idle {secs:.0} s each, nobody \
         pulling events; context switches of every thread of the process, per minute.{}\n",
        if in_netns {
            " Packets: everything that crossed `lo` in the private namespace."
        } else {
            " (Not in a private namespace: `lo` packets are the host's, not shown.)"
        }
    );
    println!(
        "| state | switches/min (vol. + invol.) | voluntary/min | × baseline | \
         lo packets/min | link driver sleeps/min |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let base = r.baseline.per_min(r.baseline.switches.total()).max(1.0);
    let row = |name: &str, i: &Idle| {
        let total = i.per_min(i.switches.total());
        println!(
            "| {name} | {total:.0} | {:.0} | {:.1}× | {} | {} |",
            i.per_min(i.switches.voluntary),
            total / base,
            if in_netns {
                cell(i.packets.map(|p| i.per_min(p)))
            } else {
                "—".to_owned()
            },
            cell(i.driver_sleeps.map(|s| i.per_min(s)))
        );
    };
    row("two nodes open, no conversation (baseline)", &r.baseline);
    row("**connected node pair**", &r.connected);
    row("connected bare link pair (no node, no store)", &r.link);
    row(
        &format!(
            "bare link pair, ICE check interval {} ms instead of {} (ablation)",
            SLOW_CHECKS.as_millis(),
            LinkConfig::default().ice_check_interval.as_millis()
        ),
        &r.link_slow_checks,
    );
    let extra = r.connected.per_min(r.connected.switches.total())
        - r.baseline.per_min(r.baseline.switches.total());
    println!(
        "\nThe conversation adds {extra:.0} switches/min to the process, ≈ {:.0} per side \
         (each side is one phone). Node events during the idle stretch: {}.",
        extra / 2.0,
        r.connected.events
    );
    for (name, i) in [
        ("connected node pair", &r.connected),
        ("bare link pair", &r.link),
    ] {
        let mut by: Vec<_> = i.switches.by_name.iter().filter(|(_, n)| **n > 0).collect();
        by.sort_by(|a, b| b.1.cmp(a.1));
        let parts: Vec<String> = by
            .iter()
            .map(|(n, c)| format!("{n} {:.0}", i.per_min(**c)))
            .collect();
        println!(
            "By thread name, {name} (per min): {}; {} threads, {} ended during the stretch.",
            parts.join(", "),
            i.switches.threads,
            i.switches.ended
        );
    }
}
