//! The app-model benchmark of issue 11 ("The phone app, part 1"), in one run, as
//! markdown tables: how long an incoming message takes to reach the shell as an updated
//! view (against the bare node event), and how long opening the app on a full store
//! takes to its first conversation list and to an open conversation, with the memory
//! at that point (against `Store::open` + `conversation_summaries()` and an empty data
//! directory). Every comparison is against a baseline measured in the same run: the
//! machine is shared and noisy.
//!
//! Run: `cargo run --release -p tincan-tests --example bench_app -- [--messages N]
//! [--warmup N] [--rounds N] [--reps N] [--only latency,open] [--no-scaling]
//! [--dir PATH]`. As root it re-runs itself inside a private network namespace with
//! only `lo` up (`tests/browser/in-netns.sh --lo-only`); otherwise it uses host
//! loopback (every link is `LinkConfig::loopback()` either way). `--fixture DIR` only
//! builds the 200-conversation store into DIR and keeps it, for a look with sqlite3.

mod common;
mod fixture;
mod latency;
mod open;

use std::path::PathBuf;

use common::BoxError;
use fixture::Shape;
use tincan_tests::host::{self, read_trimmed, rerun_in_lo_netns};

struct Options {
    messages: usize,
    warmup: usize,
    rounds: usize,
    reps: usize,
    sections: Vec<String>,
    scaling: bool,
    dir: PathBuf,
}

const SECTIONS: [&str; 2] = ["latency", "open"];

/// The store: 200 conversations, 20,000 messages, one of them 5,000 long.
const MAIN: Shape = Shape {
    conversations: 200,
    messages: 20_000,
    big: 5_000,
};

/// Five times the messages, and five times the conversations: what the open scales with.
const SCALING: [Shape; 2] = [
    Shape {
        conversations: 200,
        messages: 100_000,
        big: 5_000,
    },
    Shape {
        conversations: 1_000,
        messages: 20_000,
        big: 5_000,
    },
];

fn options() -> Result<Options, BoxError> {
    let mut o = Options {
        messages: 300,
        warmup: 20,
        rounds: 6,
        reps: 5,
        sections: SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
        scaling: true,
        dir: std::env::temp_dir(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> Result<String, BoxError> {
            args.next()
                .ok_or_else(|| format!("{name} needs a value").into())
        };
        let positive = |name: &str, v: String| -> Result<usize, BoxError> {
            v.parse()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} needs a positive number").into())
        };
        match a.as_str() {
            "--messages" => o.messages = positive("--messages", value("--messages")?)?,
            "--warmup" => o.warmup = positive("--warmup", value("--warmup")?)?,
            "--rounds" => o.rounds = positive("--rounds", value("--rounds")?)?,
            "--reps" => o.reps = positive("--reps", value("--reps")?)?,
            "--no-scaling" => o.scaling = false,
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
                    "bench_app [--messages N (300)] [--warmup N (20)] [--rounds N (6)] \
                     [--reps N (5)] [--only latency,open] [--no-scaling] [--dir PATH (temp)]"
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
    read_trimmed("/proc/self/mounts")
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        return open::child(&args[1..]);
    }
    if args.first().map(String::as_str) == Some("--fixture") {
        // Builds the store into a directory and keeps it, to look at it with
        // sqlite3 (query plans, sizes).
        let dir = args.get(1).ok_or("--fixture needs a directory")?;
        let f = fixture::build(std::path::Path::new(dir), MAIN)?;
        println!(
            "{}: {} in {dir}; the {}-message conversation is {}, a {}-message one {}",
            f.shape.label(),
            fixture::thousands(f.bytes as usize) + " bytes",
            f.shape.big,
            f.big_id,
            f.small_messages,
            f.small_id
        );
        return Ok(());
    }
    let o = options()?;
    if let Some(status) = rerun_in_lo_netns()? {
        std::process::exit(status.code().unwrap_or(1));
    }
    let wants = |s: &str| o.sections.iter().any(|x| x == s);
    let mut run = host::BenchRun::start();
    let fs = filesystem(&o.dir);

    let latency = wants("latency")
        .then(|| latency::run(&o.dir, o.messages, o.warmup, o.rounds, Some(MAIN), MAIN.big))
        .transpose()?;
    let mut shapes = vec![MAIN];
    if o.scaling {
        shapes.extend(SCALING);
    }
    let opened = wants("open")
        .then(|| open::run(&o.dir, &shapes, o.reps))
        .transpose()?;
    run.measured();

    if let Some(r) = &latency {
        latency::print(r);
    }
    if let Some(r) = &opened {
        open::print(r);
    }
    run.print_machine();
    println!("- databases in {} on {fs}", o.dir.display());
    Ok(())
}
