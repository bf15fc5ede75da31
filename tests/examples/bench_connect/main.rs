//! The link benchmark of issue 3, in one run and one table: the Tincan link against two
//! baselines measured in the same run — plain `webrtc` 0.21 peers (Tincan's overhead or
//! gain) and two headless Chromium pages (what a browser does on the same loopback) —
//! with the ratios and the targets checked. The Tincan node and the idle CLI's
//! memory are in `node_hook.rs`; the node runs twice, with its databases on the disk and
//! on a tmpfs, next to the disk's own synced-commit time (`disk.rs`).
//!
//! Run: `cargo run --release -p tincan-tests --example bench_connect -- [--pairs N]
//! [--pings N] [--no-chromium] [--ablation]`. As root it re-runs itself inside a private
//! network namespace with only `lo` up (`tests/browser/in-netns.sh --lo-only`), so the
//! Rust peers and Chromium share a network nothing else can reach; not as root it runs
//! the Rust rows on host loopback and skips Chromium (it would see the host's interfaces).
//!
//! Measured the same way in every row: connect = from applying the answer to the data
//! channel open on both sides, median of fresh pairs; round trip = 64-byte ping-pong;
//! throughput = 64 MiB in 16 KiB and 64 KiB messages, sender paused above 1 MiB
//! unacknowledged.

mod chromium;
mod disk;
mod measure;
mod node_hook;
mod plain;

use std::sync::Arc;
use std::time::Duration;

use measure::{median, traffic, BoxError, End, Row};
use node_hook::{CliSecrets, IdleMemory};
use tincan_core::link::LinkConfig;
use tincan_tests::bulk::link_pair;
use tincan_tests::host::{self, read_trimmed, rerun_in_lo_netns};

struct Options {
    pairs: usize,
    pings: usize,
    chromium: bool,
    ablation: bool,
}

fn options() -> Result<Options, BoxError> {
    let mut o = Options {
        pairs: 10,
        pings: 2000,
        chromium: true,
        ablation: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Result<usize, BoxError> {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} needs a positive number").into())
        };
        match a.as_str() {
            "--pairs" => o.pairs = number("--pairs")?,
            "--pings" => o.pings = number("--pings")?,
            "--no-chromium" => o.chromium = false,
            "--ablation" => o.ablation = true,
            "-h" | "--help" => {
                println!("bench_connect [--pairs N (10)] [--pings N (2000)] [--no-chromium] [--ablation]");
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other} (try --help)").into()),
        }
    }
    Ok(o)
}

// ---- the Tincan link ----

async fn bench_link(config: &LinkConfig, o: &Options) -> Result<Row, BoxError> {
    let mut connects = Vec::new();
    for _ in 0..o.pairs {
        let (a, b, took) = link_pair(config).await?;
        connects.push(took.as_secs_f64() * 1e3);
        let _ = tokio::join!(a.close(), b.close());
    }
    let (a, b, _) = link_pair(config).await?;
    let a = Arc::new(a);
    let row = traffic(a.clone() as Arc<dyn End>, &b, o.pings, median(connects)).await?;
    let _ = tokio::join!(a.close(), b.close());
    Ok(row)
}

async fn bench_plain(o: &Options) -> Result<Row, BoxError> {
    let mut connects = Vec::new();
    for _ in 0..o.pairs {
        let (a, b, took) = plain::pair().await?;
        connects.push(took.as_secs_f64() * 1e3);
        tokio::join!(a.close(), b.close());
    }
    let (a, b, _) = plain::pair().await?;
    let a = Arc::new(a);
    let row = traffic(a.clone() as Arc<dyn End>, &b, o.pings, median(connects)).await?;
    tokio::join!(a.close(), b.close());
    Ok(row)
}

/// Driver sleeps per second on an idle open link (the setup cap is lifted after open).
async fn idle_wakeups(config: &LinkConfig) -> Result<f64, BoxError> {
    let (a, b, _) = link_pair(config).await?;
    let before = a.driver_sleeps();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let per_second = (a.driver_sleeps() - before) as f64 / 3.0;
    let _ = tokio::join!(a.close(), b.close());
    Ok(per_second)
}

// ---- machine notes ----

/// What the kernel grants a UDP socket that asks for the link's 4 MiB (getsockopt
/// reports twice the granted size: the kernel's bookkeeping overhead).
fn granted_udp_buffers() -> String {
    let ask = LinkConfig::default().socket_buffer_bytes;
    let sock = match socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::DGRAM, None) {
        Ok(s) => s,
        Err(e) => return format!("? ({e})"),
    };
    let _ = sock.set_recv_buffer_size(ask);
    let _ = sock.set_send_buffer_size(ask);
    let kib = |r: std::io::Result<usize>| r.map(|v| format!("{} KiB", v / 1024 / 2));
    format!(
        "asked {} KiB, granted SO_RCVBUF {} / SO_SNDBUF {}",
        ask / 1024,
        kib(sock.recv_buffer_size()).unwrap_or_else(|e| e.to_string()),
        kib(sock.send_buffer_size()).unwrap_or_else(|e| e.to_string()),
    )
}

// ---- the table ----

fn cell(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "pending".to_owned(), |v| format!("{v:.digits$}"))
}

fn print_row(name: &str, r: &Row) {
    println!(
        "| {name} | {} | {} | {} | {} | {} |",
        cell(r.connect_ms, 1),
        cell(r.rtt_p50, 3),
        cell(r.rtt_p99, 3),
        cell(r.mbs_16k, 1),
        cell(r.mbs_64k, 1)
    );
}

fn ratio(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? / b?)
}

fn print_ratio(name: &str, a: &Row, b: &Row) {
    let r = |x: Option<f64>, y: Option<f64>| {
        ratio(x, y).map_or_else(|| "—".to_owned(), |v| format!("{v:.2}×"))
    };
    println!(
        "| **{name}** | {} | {} | {} | {} | {} |",
        r(a.connect_ms, b.connect_ms),
        r(a.rtt_p50, b.rtt_p50),
        r(a.rtt_p99, b.rtt_p99),
        r(a.mbs_16k, b.mbs_16k),
        r(a.mbs_64k, b.mbs_64k)
    );
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "met",
        Some(false) => "**not met**",
        None => "not measured",
    }
}

/// The rows the targets are checked on.
struct Subjects<'a> {
    link: &'a Row,
    node: Option<&'a Row>,
    node_tmpfs: Option<&'a Row>,
}

fn print_targets(t: &Subjects<'_>, chromium: Option<&Row>, memory: &[(&str, Option<IdleMemory>)]) {
    let c = chromium.copied().unwrap_or_default();
    let le = |a: Option<f64>, b: Option<f64>| Some(a? <= b?);
    let ge = |a: Option<f64>, b: Option<f64>| Some(a? >= b?);
    let both = |x: Option<bool>, y: Option<bool>| Some(x? && y?);
    let f = |v: Option<f64>, d: usize| cell(v, d).replace("pending", "?");
    let node = t.node.copied().unwrap_or_default();
    let tmpfs = t.node_tmpfs.copied().unwrap_or_default();
    println!("\nTargets (issue 3):\n");
    println!("| target | row | measured | |");
    println!("|---|---|---|---|");
    for (row, r) in [("link", t.link), ("node, disk", &node)] {
        println!(
            "| connect ≤ 50 ms and ≤ Chromium's | {row} | {} vs {} ms | {} |",
            f(r.connect_ms, 1),
            f(c.connect_ms, 1),
            verdict(both(
                le(r.connect_ms, Some(50.0)),
                le(r.connect_ms, c.connect_ms)
            ))
        );
    }
    for (label, mine, theirs) in [
        ("16 KiB", t.link.mbs_16k, c.mbs_16k),
        ("64 KiB", t.link.mbs_64k, c.mbs_64k),
    ] {
        println!(
            "| throughput ({label}) ≥ Chromium's and ≥ 100 MB/s | link (the node's) | {} vs {} MB/s | {} |",
            f(mine, 1),
            f(theirs, 1),
            verdict(both(ge(mine, theirs), ge(mine, Some(100.0))))
        );
    }
    for (row, r) in [
        ("link", t.link),
        ("node, tmpfs", &tmpfs),
        ("node, disk", &node),
    ] {
        println!(
            "| RTT p99 ≤ 1 ms | {row} | {} ms | {} |",
            f(r.rtt_p99, 3),
            verdict(le(r.rtt_p99, Some(1.0)))
        );
    }
    for (label, m) in memory {
        let (idle, life) = m.map_or((None, None), |m| {
            (Some(m.idle_peak_mb), Some(m.lifetime_peak_mb))
        });
        println!(
            "| idle connected CLI RSS ≤ 30 MB | {label} | {} MB while idle, {} MB since start | {} while idle, {} since start |",
            f(idle, 1),
            f(life, 1),
            verdict(le(idle, Some(30.0))),
            verdict(le(life, Some(30.0)))
        );
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let o = options()?;
    if let Some(status) = rerun_in_lo_netns()? {
        std::process::exit(status.code().unwrap_or(1));
    }
    let in_netns = host::in_netns();
    let mut run = host::BenchRun::start();

    eprintln!("bench: plain webrtc peers…");
    let plain = bench_plain(&o).await?;
    eprintln!("bench: tincan link…");
    let tincan = LinkConfig::loopback();
    let link = bench_link(&tincan, &o).await?;
    let mut ablation = Vec::new();
    if o.ablation {
        eprintln!("bench: ablation rows…");
        let cap_only = LinkConfig {
            socket_buffer_bytes: 0,
            ..LinkConfig::loopback()
        };
        let buffers_only = LinkConfig {
            setup_sleep_cap: None,
            ..LinkConfig::loopback()
        };
        let cap_2ms = LinkConfig {
            setup_sleep_cap: Some(Duration::from_millis(2)),
            ..LinkConfig::loopback()
        };
        let cap_1ms = LinkConfig {
            setup_sleep_cap: Some(Duration::from_millis(1)),
            ..LinkConfig::loopback()
        };
        ablation.push((
            "link, 1 ms setup cap on Tokio's timer (the previous default, + 4 MiB buffers)",
            bench_link(&cap_1ms, &o).await?,
        ));
        ablation.push((
            "link, 2 ms setup cap (the earlier default, + 4 MiB buffers)",
            bench_link(&cap_2ms, &o).await?,
        ));
        ablation.push((
            "link, setup cap only (kernel-default buffers)",
            bench_link(&cap_only, &o).await?,
        ));
        ablation.push((
            "link, 4 MiB buffers only (no setup cap)",
            bench_link(&buffers_only, &o).await?,
        ));
    }
    // The node sends over the same link: its throughput is the link's.
    let with_link = |n: Row| Row {
        mbs_16k: link.mbs_16k,
        mbs_64k: link.mbs_64k,
        ..n
    };
    eprintln!("bench: tincan node, databases on disk…");
    let disk_root = disk::disk_root()?;
    let node = node_hook::node_row(o.pairs, o.pings, disk_root.clone())
        .await?
        .map(with_link);
    let commit = disk::synced_commit_ms(&disk_root, o.pings.min(1000))?;
    let tmpfs = match disk::tmpfs_root() {
        Some(root) => {
            eprintln!("bench: tincan node, databases on tmpfs…");
            node_hook::node_row(o.pairs, o.pings, root)
                .await?
                .map(with_link)
        }
        None => None,
    };
    eprintln!("bench: idle CLIs…");
    let memory = [
        (
            "OS keyring (Secret Service)",
            node_hook::idle_cli_memory(CliSecrets::OsKeyring).await?,
        ),
        (
            "passphrase-file fallback",
            node_hook::idle_cli_memory(CliSecrets::PassphraseFile).await?,
        ),
    ];
    let chromium = if !o.chromium {
        None
    } else if !in_netns {
        eprintln!("bench: Chromium skipped: it runs only inside a private namespace (run as root)");
        None
    } else {
        eprintln!("bench: chromium pages…");
        Some(chromium::run(o.pairs, o.pings).await?)
    };
    let wakeups = idle_wakeups(&tincan).await?;
    run.measured();

    println!(
        "\n{} fresh pairs for connect; {} round trips of 64 B; 64 MiB per throughput run; \
         sender paused above 1 MiB unacknowledged.\n",
        o.pairs, o.pings
    );
    println!("| row | connect median ms | RTT p50 ms | RTT p99 ms | MB/s 16 KiB | MB/s 64 KiB |");
    println!("|---|---:|---:|---:|---:|---:|");
    let pending = Row::default();
    print_row(
        "Tincan node, databases on disk (reply loaded → key-confirmed, identity-proven, stored; RTT = chat message → receipt, 2 synced commits; MB/s = its link's)",
        node.as_ref().unwrap_or(&pending),
    );
    if let Some(t) = &tmpfs {
        print_row(
            "Tincan node, databases on tmpfs (the same with no disk wait: Tincan's own cost)",
            t,
        );
    }
    print_row(
        "Tincan link (0.25 ms setup cap on the OS timer + 4 MiB buffers)",
        &link,
    );
    for (name, row) in &ablation {
        print_row(name, row);
    }
    print_row("plain webrtc 0.21 peers (baseline)", &plain);
    let chromium_row = chromium.as_ref().map(|c| c.row);
    print_row(
        "Chromium ↔ Chromium (baseline)",
        chromium_row.as_ref().unwrap_or(&pending),
    );
    print_row(
        "one synced SQLite commit on that disk (baseline; RTT columns = p50 / p99)",
        &Row {
            rtt_p50: Some(commit.0),
            rtt_p99: Some(commit.1),
            ..Row::default()
        },
    );
    print_ratio("Tincan link ÷ plain", &link, &plain);
    if let Some(c) = &chromium_row {
        print_ratio("Tincan link ÷ Chromium", &link, c);
    }
    if let Some(n) = &node {
        print_ratio("Tincan node ÷ plain", n, &plain);
        if let Some(c) = &chromium_row {
            print_ratio("Tincan node ÷ Chromium", n, c);
        }
    }
    println!("\nRatios: below 1× is better for connect and RTT, above 1× is better for MB/s.");

    println!("\nIdle connected CLI (the larger of two processes), by where it keeps its keys:\n");
    println!("| secret store | peak RSS while idle, MB | peak since start (VmHWM), MB |");
    println!("|---|---:|---:|");
    for (label, m) in &memory {
        let (idle, life) = m.map_or((None, None), |m| {
            (Some(m.idle_peak_mb), Some(m.lifetime_peak_mb))
        });
        println!("| {label} | {} | {} |", cell(idle, 1), cell(life, 1));
    }
    println!(
        "\nDisk for the node's databases: {}; one synced commit p50 {:.3} ms, p99 {:.3} ms.",
        disk_root.display(),
        commit.0,
        commit.1
    );
    println!("Idle open link: {wakeups:.1} driver sleeps/s (setup cap lifted after open).");
    print_targets(
        &Subjects {
            link: &link,
            node: node.as_ref(),
            node_tmpfs: tmpfs.as_ref(),
        },
        chromium_row.as_ref(),
        &memory,
    );

    run.print_machine();
    println!(
        "- net.core.rmem_max {} / wmem_max {}; UDP socket {}",
        read_trimmed("/proc/sys/net/core/rmem_max"),
        read_trimmed("/proc/sys/net/core/wmem_max"),
        granted_udp_buffers()
    );
    if let Some(c) = &chromium {
        let samples: Vec<String> = c.connects.iter().map(|v| format!("{v:.1}")).collect();
        println!(
            "- Chromium {}, selected pair {}; connect samples ms: {}",
            c.version,
            c.selected_pair,
            samples.join(" ")
        );
    }
    Ok(())
}
