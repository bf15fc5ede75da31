//! The durable-chat benchmark of issue 4, in one run, as markdown tables: messages per
//! second with persistence on, store size per 10,000 messages, idle wake-ups of a
//! connected pair, and the time to detect a lost network and to resume after it
//! returns. Each compares against a baseline measured in the same run (the machine is
//! shared and noisy) and reports ratios.
//!
//! Run: `cargo run --release -p tincan-tests --example bench_durable -- [--messages N]
//! [--idle SECS] [--gaps 10,60] [--reps N] [--only throughput,store,idle,loss]
//! [--dir PATH]`. As root it re-runs itself inside a private network namespace with
//! only `lo` up (`tests/browser/in-netns.sh --lo-only`), where it may drop UDP with
//! iptables without touching anything else; not as root the loss section is reported
//! as not measured.

mod common;
mod idle;
mod loss;
mod store_size;
mod throughput;

use std::path::PathBuf;

use common::BoxError;
use tincan_tests::host::{self, read_trimmed, rerun_in_lo_netns};

struct Options {
    messages: usize,
    idle_secs: u64,
    gaps: Vec<u64>,
    reps: usize,
    sections: Vec<String>,
    dir: PathBuf,
}

const SECTIONS: [&str; 4] = ["throughput", "store", "idle", "loss"];

fn options() -> Result<Options, BoxError> {
    let mut o = Options {
        messages: 2000,
        idle_secs: 60,
        gaps: vec![10],
        reps: 3,
        sections: SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
        dir: std::env::temp_dir(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> Result<String, BoxError> {
            args.next()
                .ok_or_else(|| format!("{name} needs a value").into())
        };
        let positive = |name: &str, v: String| -> Result<u64, BoxError> {
            v.parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} needs a positive number").into())
        };
        match a.as_str() {
            "--messages" => o.messages = positive("--messages", value("--messages")?)? as usize,
            "--idle" => o.idle_secs = positive("--idle", value("--idle")?)?,
            "--reps" => o.reps = positive("--reps", value("--reps")?)? as usize,
            "--gaps" => {
                o.gaps = value("--gaps")?
                    .split(',')
                    .map(|g| positive("--gaps", g.trim().to_owned()))
                    .collect::<Result<_, _>>()?
            }
            "--only" => {
                o.sections = value("--only")?
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .collect();
                if let Some(bad) = o.sections.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
                    return Err(format!("unknown section {bad} (known: {SECTIONS:?})").into());
                }
            }
            "--dir" => o.dir = PathBuf::from(value("--dir")?),
            "-h" | "--help" => {
                println!(
                    "bench_durable [--messages N (2000)] [--idle SECS (60)] [--gaps S,S (10)] \
                     [--reps N (3)] [--only throughput,store,idle,loss] [--dir PATH (temp)]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other} (try --help)").into()),
        }
    }
    Ok(o)
}

/// The filesystem type and device holding `dir` (longest matching mount point).
fn filesystem(dir: &std::path::Path) -> String {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let mounts = read_trimmed("/proc/self/mounts");
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (dev, at, kind) = (f.next()?, f.next()?, f.next()?);
            dir.starts_with(at)
                .then(|| (at.len(), format!("{kind} ({dev}, {at})")))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| "?".to_owned(), |(_, s)| s)
}

fn main() -> Result<(), BoxError> {
    let o = options()?;
    if let Some(status) = rerun_in_lo_netns()? {
        std::process::exit(status.code().unwrap_or(1));
    }
    let in_netns = host::in_netns();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let wants = |s: &str| o.sections.iter().any(|x| x == s);
    let mut run = host::BenchRun::start();
    let fs = filesystem(&o.dir);

    let tp = wants("throughput")
        .then(|| throughput::run(&rt, o.messages, &o.dir))
        .transpose()?;
    let size = wants("store")
        .then(|| store_size::run(&o.dir))
        .transpose()?;
    let idle = wants("idle")
        .then(|| idle::run(&rt, o.idle_secs, &o.dir))
        .transpose()?;
    let loss = if !wants("loss") {
        None
    } else if in_netns {
        Some(loss::run(&rt, &o.gaps, o.reps, &o.dir)?)
    } else {
        eprintln!("bench: loss not measured: it needs root (a private namespace to cut)");
        None
    };
    run.measured();

    if let Some(r) = &tp {
        throughput::print(r, &fs);
    }
    if let Some(r) = &size {
        store_size::print(r);
    }
    if let Some(r) = &idle {
        idle::print(r, in_netns);
    }
    if wants("loss") {
        match &loss {
            Some(r) => loss::print(r),
            None => println!(
                "\n### Loss detection and resume\n\nNot measured: cutting the network needs \
                 root (a private namespace and iptables). Run as root."
            ),
        }
    }

    run.print_machine();
    println!("- database directory {} on {fs}", o.dir.display());
    Ok(())
}
