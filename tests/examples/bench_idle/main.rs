//! The idle benchmark of issue 13 ("an idle connection that lets the phone sleep"), in
//! one run and one set of tables: what one idle connected Tincan pair costs — process
//! wake-ups, the link driver's wake-ups, packets and bytes each way, CPU time — in the
//! foreground, in the background and before the fix, against two baselines measured in
//! the same run (plain `webrtc` 0.21 peers, two Chromium pages); how soon a cut link is
//! noticed in each pace; and how a node's cost grows from 1 idle contact to 10.
//!
//! Run (as root: every pair lives in network namespaces of its own):
//! `cargo run --release -p tincan-tests --example bench_idle -- [--idle-secs N (600)]
//! [--cuts N (5)] [--hub N (10)]`.
//!
//! Every peer is a process of its own (`idle-node`, this binary with `--plain-peer`,
//! Node.js driving Chromium) measured from outside through `/proc` and the namespaces'
//! interface counters, so measuring wakes nobody. All idle subjects run at once to keep
//! the run short; the cut pairs run after them.

mod cut;
mod guard;
mod plain_peer;
mod report;
mod sample;
mod subject;
mod wire;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use tincan_core::link::Pace;
use tincan_tests::host::read_trimmed;

use subject::{Kind, Programs, Running};

struct Options {
    idle_secs: u64,
    cuts: usize,
    hub: usize,
}

fn options() -> Result<Options> {
    let mut o = Options {
        idle_secs: 600,
        cuts: 5,
        hub: 10,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Result<u64> {
            args.next()
                .and_then(|v| v.parse().ok())
                .with_context(|| format!("{name} needs a number"))
        };
        match a.as_str() {
            "--idle-secs" => o.idle_secs = number("--idle-secs")?,
            "--cuts" => o.cuts = number("--cuts")? as usize,
            "--hub" => o.hub = number("--hub")? as usize,
            "-h" | "--help" => {
                println!(
                    "bench_idle [--idle-secs N (600, ≥ 120)] [--cuts N (5, 3–10)] [--hub N (10)]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (try --help)"),
        }
    }
    if o.idle_secs < 120 || o.cuts < 3 {
        eprintln!(
            "bench: fewer than 120 s idle or 3 cuts: a trial run, not for the record \
             (background keep-alives are 25 s apart)"
        );
    }
    if !(1..=10).contains(&o.cuts) || o.idle_secs == 0 {
        bail!("--cuts must be 1 to 10, --idle-secs above 0");
    }
    if o.hub < 2 {
        bail!("--hub must be at least 2");
    }
    Ok(o)
}

/// Root, `ip`, `iptables`, Node.js, playwright-core and Chromium, or a clear error.
fn preflight() -> Result<Programs> {
    tincan_tests::netns::require_root()
        .context("bench_idle puts every pair in network namespaces of its own")?;
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("browser");
    if !browser.join("node_modules/playwright-core").is_dir() {
        bail!(
            "playwright-core is not installed in {}: run scripts/setup (or `npm ci` there)",
            browser.display()
        );
    }
    let node = std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join("node"))
                .find(|p| p.is_file())
        })
        .context("Node.js (`node`) is not on PATH: run scripts/setup")?;
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !Path::new(&chromium).is_file() {
        bail!("{chromium} is missing: run scripts/setup (installs Debian `chromium`)");
    }
    Ok(Programs {
        idle_node: idle_node_bin()?,
        me: std::env::current_exe()?,
        node,
        chromium_script: browser.join("bench_idle_chromium.js"),
    })
}

/// The `idle-node` binary of this build, brought up to date first (examples do not
/// build the package's binaries). Bounded: 15 minutes.
fn idle_node_bin() -> Result<PathBuf> {
    tincan_tests::host::package_bin("idle-node").map_err(|e| anyhow!(e))
}

/// The idle subjects: key and what runs.
fn idle_subjects(hub: usize) -> Vec<(&'static str, Kind)> {
    let tincan = |pace, stretch, contacts| Kind::Tincan {
        pace,
        stretch,
        contacts,
    };
    vec![
        ("fg", tincan(Pace::Foreground, true, 1)),
        ("bg", tincan(Pace::Background, true, 1)),
        ("before", tincan(Pace::Foreground, false, 1)),
        ("plain", Kind::Plain),
        ("chromium", Kind::Chromium),
        ("lone", tincan(Pace::Foreground, true, 0)),
        ("hub-fg", tincan(Pace::Foreground, true, hub)),
        ("hub-bg", tincan(Pace::Background, true, hub)),
    ]
}

/// After every subject is ready: the first-connection work finishes, the background
/// pace is in force, idle pool threads end (Tokio keeps them 10 s).
const SETTLE: Duration = Duration::from_secs(15);

/// Starts every idle subject at once, lets them settle, measures one idle stretch for
/// all of them, checks they stayed connected, stops them.
fn idle_phase(
    o: &Options,
    programs: &Programs,
    base: &Path,
) -> Result<(
    BTreeMap<&'static str, subject::Measured>,
    Option<serde_json::Value>,
)> {
    let ticks = sample::clock_ticks();
    let mut running = Vec::new();
    for (key, kind) in idle_subjects(o.hub) {
        running.push(Running::start(key, kind, programs, base)?);
    }
    for s in &mut running {
        eprintln!("bench: waiting for {} to connect…", s.key);
        if let Err(e) = s.wait_ready() {
            bail!("{e:#}\n{}", s.transcript());
        }
    }
    eprintln!("bench: all connected; settling {} s…", SETTLE.as_secs());
    guard::sleep(SETTLE)?;
    let mut before = Vec::new();
    for s in &mut running {
        before.push(s.snap(true)?);
    }
    eprintln!("bench: idle {} s, all subjects at once…", o.idle_secs);
    guard::sleep(Duration::from_secs(o.idle_secs))?;
    let mut after = Vec::new();
    for s in &mut running {
        after.push(s.snap(false)?);
    }
    let mut out = BTreeMap::new();
    let mut chromium = None;
    for ((s, b), a) in running.iter_mut().zip(&before).zip(&after) {
        out.insert(s.key, s.measured(b, a, ticks));
        if s.chromium.is_some() {
            chromium = s.chromium.clone();
        }
        if let Err(e) = s.stop() {
            bail!(
                "{} did not stop cleanly: {e:#}\nlogs in {}\n{}",
                s.key,
                s.log_dir().display(),
                s.transcript()
            );
        }
    }
    Ok((out, chromium))
}

fn main() -> Result<()> {
    if std::env::args().nth(1).as_deref() == Some(plain_peer::FLAG) {
        plain_peer::main();
    }
    let o = options()?;
    guard::catch_interrupts()?;
    let programs = preflight()?;
    let load_before = read_trimmed("/proc/loadavg");
    let base = tempfile::Builder::new().prefix("bench-idle-").tempdir()?;
    let started = Instant::now();
    // What was built, read now: the tree may move on while the benchmark runs. The
    // benchmark's own files may be uncommitted; only core/ is what is measured.
    let repo = env!("CARGO_MANIFEST_DIR");
    let commit = read_trimmed_cmd("git", &["-C", repo, "rev-parse", "--short", "HEAD"]);
    let core_dirty = !read_trimmed_cmd(
        "git",
        &["-C", repo, "status", "--porcelain", "--", "../core"],
    )
    .is_empty();

    let (idle, chromium) = idle_phase(&o, &programs, base.path())?;
    eprintln!(
        "bench: cutting {} foreground and {} background pairs…",
        o.cuts, o.cuts
    );
    let cuts = cut::run(o.cuts, &programs, base.path())?;
    let load_after = read_trimmed("/proc/loadavg");

    report::print(&report::Results {
        idle,
        chromium,
        cuts,
        idle_secs: o.idle_secs,
        hub_contacts: o.hub,
    });
    let cpu = read_trimmed("/proc/cpuinfo")
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_else(|| "?".to_owned());
    println!("\nMachine:");
    println!(
        "- {cpu}, nproc {}; kernel {}",
        read_trimmed_cmd("nproc", &[]),
        read_trimmed("/proc/sys/kernel/osrelease")
    );
    println!(
        "- load average before {load_before}, after {load_after}; run took {:.0} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "- network: every pair in namespaces of its own (a veth pair, IPv6 off, static ARP); \
         Chromium on `lo` of its own namespace"
    );
    println!(
        "- commit {commit}{}; {}",
        if core_dirty {
            " (core/ with uncommitted changes)"
        } else {
            ""
        },
        read_trimmed_cmd("date", &["-u", "+%Y-%m-%d %H:%M UTC"])
    );
    Ok(())
}

/// A short command's trimmed output, `?` when it fails.
fn read_trimmed_cmd(program: &str, args: &[&str]) -> String {
    tincan_tests::netns::run(program, args)
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "?".to_owned())
}
