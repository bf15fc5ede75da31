//! The files benchmark of issue 14, in one run: a file of `--mib` MiB (200) between two
//! Tincan nodes, each its own process (`file-node`), disk to disk and hash checked,
//! against the bare Tincan link and two headless Chromium pages moving the same number
//! of bytes in the same run; both nodes' peak memory; the receiver killed with
//! `kill -9` at half way and restarted (bytes sent twice, time to resume); and a text's
//! delivery time during a transfer against an idle link.
//!
//! Run: `cargo run --release -p tincan-tests --example bench_files -- [--mib N (200)]
//! [--texts N (30)] [--repeat N (3)] [--no-chromium]`. The throughput rows run
//! `--repeat` times each, interleaved (node, link, Chromium, node, …), medians compared. As root it re-runs itself inside a private
//! network namespace with only `lo` up (`tests/browser/in-netns.sh --lo-only`): the
//! sender binds 127.0.0.2, the receiver 127.0.0.3, and an iptables rule counts what
//! the sender puts on the wire. Not as root it runs on host loopback without the wire
//! count and without Chromium.

mod node;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use node::{connect, len_of, partial_path, Ev, NodeProc, NodeSpec};
use tincan_core::link::LinkConfig;
use tincan_tests::bulk::{self, percentile, BoxError, End};
use tincan_tests::host::{self, rerun_in_lo_netns, BenchRun};
use tincan_tests::proc_mem;

/// A file's chunk: what the node sends per binary frame (docs/FILES.md), and the
/// message size of the link and Chromium baselines.
const CHUNK: usize = 60 << 10;
/// Longest a whole transfer may take (the slowest seen here was far below).
const TRANSFER: Duration = Duration::from_secs(300);
/// Longest one step (a text, an answer) may take.
const STEP: Duration = Duration::from_secs(60);
/// The sender's and the receiver's addresses (all of 127/8 is on `lo`).
const ANA_BIND: &str = "127.0.0.2:0";
const BEN_BIND: &str = "127.0.0.3:0";
/// Pause between two texts.
const GAP: Duration = Duration::from_millis(10);
/// The comment on the rule that counts what the sender sends.
const COUNT_RULE: &str = "tincan-bench-files";

struct Options {
    mib: u64,
    texts: usize,
    repeat: usize,
    chromium: bool,
}

fn options() -> Result<Options, BoxError> {
    let mut o = Options {
        mib: 200,
        texts: 30,
        repeat: 3,
        chromium: true,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Result<u64, BoxError> {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} needs a positive number").into())
        };
        match a.as_str() {
            "--mib" => o.mib = number("--mib")?,
            "--texts" => o.texts = usize::try_from(number("--texts")?)?,
            "--repeat" => o.repeat = usize::try_from(number("--repeat")?)?,
            "--no-chromium" => o.chromium = false,
            "-h" | "--help" => {
                println!(
                    "bench_files [--mib N (200)] [--texts N (30)] [--repeat N (3)] [--no-chromium]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other} (try --help)").into()),
        }
    }
    Ok(o)
}

fn unix_us() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

fn us_to_ms(later: u128, earlier: u128) -> f64 {
    later.saturating_sub(earlier) as f64 / 1e3
}

// ---- files ----

/// Writes `len` pseudo-random bytes (xorshift64, seeded) and syncs them, so the disk's
/// write-back of the source does not run during the transfer.
fn pseudo_random_file(path: &Path, len: u64, seed: u64) -> Result<(), BoxError> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut x = seed | 1;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        for b in buf.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes()[..b.len()]);
        }
        let n = usize::try_from(left.min(buf.len() as u64))?;
        out.write_all(&buf[..n])?;
        left -= n as u64;
    }
    out.into_inner().map_err(|e| e.to_string())?.sync_all()?;
    Ok(())
}

fn hash_of(path: &Path) -> Result<blake3::Hash, BoxError> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path)?)?;
    Ok(hasher.finalize())
}

/// Checks the received file against the source's hash, then deletes it (disk space).
fn check_and_remove(got: &Path, want: &blake3::Hash) -> Result<(), BoxError> {
    let hash = hash_of(got)?;
    std::fs::remove_file(got)?;
    if hash != *want {
        return Err(format!("{} arrived with a different hash", got.display()).into());
    }
    Ok(())
}

/// Where the nodes' data and the source file live: under the workspace's `target/`, on
/// the disk the project lives on (as bench_connect's "on disk" rows).
fn disk_root() -> Result<PathBuf, BoxError> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-files");
    std::fs::create_dir_all(&root)?;
    Ok(root)
}

// ---- the sender's bytes on the wire ----

/// An iptables rule in this (private) namespace counting every UDP packet the sender's
/// address sends: IP packet bytes, so 28 bytes of headers per datagram more than the
/// UDP payload.
struct WireCount;

impl WireCount {
    fn install() -> Result<WireCount, BoxError> {
        let ip = ANA_BIND.split(':').next().unwrap_or_default();
        iptables(&[
            "-A",
            "OUTPUT",
            "-s",
            ip,
            "-p",
            "udp",
            "-m",
            "comment",
            "--comment",
            COUNT_RULE,
        ])?;
        Ok(WireCount)
    }

    /// Bytes counted so far.
    fn bytes(&self) -> Result<u64, BoxError> {
        let table = iptables(&["-nvxL", "OUTPUT"])?;
        let line = table
            .lines()
            .find(|l| l.contains(COUNT_RULE))
            .ok_or("the counting rule is gone")?;
        Ok(line
            .split_whitespace()
            .nth(1)
            .and_then(|f| f.parse().ok())
            .ok_or("unreadable counter")?)
    }
}

fn iptables(args: &[&str]) -> Result<String, BoxError> {
    let out = std::process::Command::new("iptables")
        .arg("-w")
        .args(args)
        .output()
        .map_err(|e| format!("iptables: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "iptables {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

// ---- peak memory ----

/// Resets a process's `VmHWM` to its resident size now (`clear_refs` 5), so the peak
/// read later is the peak since this moment. `false` if the kernel refused.
fn reset_peak(pid: u32) -> bool {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok()
}

/// One node's memory around the transfer, MB.
#[derive(Clone, Copy)]
struct Memory {
    /// Peak from start through connecting (VmHWM before the reset).
    setup_peak: f64,
    /// Resident just before `send_file`.
    before: f64,
    /// Peak during the transfer (VmHWM after the reset), or since start if the reset
    /// failed.
    transfer_peak: f64,
    reset: bool,
}

// ---- the measurements ----

/// One uncut transfer: `send_file` → the receiver's `FileDone`.
struct Transfer {
    id: String,
    /// From the `send_file` call to the receiver's `FileDone`, s.
    secs: f64,
    /// How long `send_file` itself took (it reads the whole file once to hash it), s.
    hash_secs: f64,
    /// The sender's bytes on the wire, from before the call to its own `FileDone`.
    wire: Option<u64>,
}

fn wire_now(wire: Option<&WireCount>) -> Result<Option<u64>, BoxError> {
    wire.map(WireCount::bytes).transpose()
}

fn is_done(e: &Ev, id: &str, dir: &str) -> bool {
    e.is("done", id) && e.words.get(2).is_some_and(|w| w == dir)
}

/// Sends the source file; returns the id and the stamps around the call.
fn send_file(ana: &mut NodeProc, peer: &str, src: &Path) -> Result<(String, u128, u128), BoxError> {
    let w = ana.cmd(
        &format!("send_file {peer} {}", src.display()),
        "file",
        TRANSFER,
    )?;
    let stamp = |i: usize| -> Result<u128, BoxError> {
        Ok(w.get(i)
            .and_then(|v| v.parse().ok())
            .ok_or("bad file answer")?)
    };
    Ok((w[1].clone(), stamp(2)?, stamp(3)?))
}

/// Waits for both sides' `FileDone`; checks and removes the received file. Returns the
/// receiver's event.
fn finish(
    ana: &mut NodeProc,
    ben: &mut NodeProc,
    id: &str,
    want: &blake3::Hash,
) -> Result<Ev, BoxError> {
    let got = ben.wait("the file", TRANSFER, |e| is_done(e, id, "in"))?;
    ana.wait("the sender's done", STEP, |e| is_done(e, id, "out"))?;
    let path = got.words.get(3..).map(|w| w.join(" ")).unwrap_or_default();
    check_and_remove(Path::new(&path), want)?;
    Ok(got)
}

fn uncut_transfer(
    ana: &mut NodeProc,
    ben: &mut NodeProc,
    peer: &str,
    src: &Path,
    want: &blake3::Hash,
    wire: Option<&WireCount>,
) -> Result<Transfer, BoxError> {
    let before = wire_now(wire)?;
    let (id, called, returned) = send_file(ana, peer, src)?;
    let got = finish(ana, ben, &id, want)?;
    let after = wire_now(wire)?;
    Ok(Transfer {
        secs: us_to_ms(got.us, called) / 1e3,
        hash_secs: us_to_ms(returned, called) / 1e3,
        wire: before.zip(after).map(|(b, a)| a - b),
        id,
    })
}

/// One text: ms from the `send` call to the receiver's `Message` and to the sender's
/// `Delivered`, and the stamp of the latter.
fn text(
    ana: &mut NodeProc,
    ben: &mut NodeProc,
    peer: &str,
    n: usize,
) -> Result<(f64, f64, u128), BoxError> {
    let w = ana.cmd(&format!("send {peer} text {n}"), "sent", STEP)?;
    let id = w[1].clone();
    let sent: u128 = w
        .get(2)
        .and_then(|v| v.parse().ok())
        .ok_or("bad sent answer")?;
    let arrived = ben.wait("a text", STEP, |e| e.is("message", &id))?;
    let delivered = ana.wait("a receipt", STEP, |e| e.is("delivered", &id))?;
    Ok((
        us_to_ms(arrived.us, sent),
        us_to_ms(delivered.us, sent),
        delivered.us,
    ))
}

/// Text delivery samples: (send → Message) and (send → Delivered), ms.
#[derive(Default)]
struct Texts {
    arrive: Vec<f64>,
    delivered: Vec<f64>,
}

impl Texts {
    fn stats(v: &[f64]) -> (f64, f64) {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        (percentile(&s, 0.5), percentile(&s, 0.95))
    }
}

fn idle_texts(
    ana: &mut NodeProc,
    ben: &mut NodeProc,
    peer: &str,
    n: usize,
) -> Result<Texts, BoxError> {
    let mut t = Texts::default();
    for i in 0..n {
        let (arrive, delivered, _) = text(ana, ben, peer, i)?;
        t.arrive.push(arrive);
        t.delivered.push(delivered);
        std::thread::sleep(GAP);
    }
    Ok(t)
}

/// Texts sent one after another (10 ms apart) while a transfer runs; only those
/// delivered before the file was complete count. Returns them, the transfer, and how
/// many texts were sent in all.
fn busy_texts(
    ana: &mut NodeProc,
    ben: &mut NodeProc,
    peer: &str,
    src: &Path,
    want: &blake3::Hash,
    n: usize,
) -> Result<(Texts, usize), BoxError> {
    let (id, _, _) = send_file(ana, peer, src)?;
    // Under way: the first bytes are in the receiver's partial file.
    let part = partial_path(&ben.spec, &id);
    let deadline = Instant::now() + TRANSFER;
    while len_of(&part) == 0 {
        if Instant::now() >= deadline || ben.has(|e| is_done(e, &id, "in")) {
            return Err(
                "the transfer was over before a text could be sent; use a larger --mib".into(),
            );
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let mut samples = Vec::new();
    let deadline = Instant::now() + TRANSFER;
    let mut sent = 0;
    while samples.len() < n && Instant::now() < deadline && !ben.has(|e| is_done(e, &id, "in")) {
        samples.push(text(ana, ben, peer, 1000 + sent)?);
        sent += 1;
        std::thread::sleep(GAP);
    }
    let done = finish(ana, ben, &id, want)?;
    let mut t = Texts::default();
    for (arrive, delivered, at) in samples {
        if at < done.us {
            t.arrive.push(arrive);
            t.delivered.push(delivered);
        }
    }
    Ok((t, sent))
}

/// The receiver killed at half way and restarted.
struct Resume {
    /// The partial file's length when the process was dead (what it resumes from).
    held: u64,
    /// Restart (process spawned) → node open ("ready"), ms.
    open_ms: f64,
    /// Restart → the conversation connected again, ms.
    connected_ms: f64,
    /// Restart → the partial file first grew, ms.
    first_byte_ms: f64,
    /// The sender's and the receiver's conversation states after the kill: (who,
    /// state, ms since the kill).
    states: Vec<(&'static str, String, f64)>,
    /// Kill → restart, ms.
    kill_to_restart_ms: f64,
    /// The whole cut transfer's sender wire bytes.
    wire: Option<u64>,
    /// `send_file` → the receiver's `FileDone`, with the cut and restart, s.
    secs: f64,
}

fn resume(
    ana: &mut NodeProc,
    ben: NodeProc,
    peer: &str,
    src: &Path,
    size: u64,
    want: &blake3::Hash,
    wire: Option<&WireCount>,
) -> Result<(Resume, NodeProc), BoxError> {
    let spec = ben.spec.clone();
    let before = wire_now(wire)?;
    let (id, called, _) = send_file(ana, peer, src)?;
    let part = partial_path(&spec, &id);
    let deadline = Instant::now() + TRANSFER;
    while len_of(&part) < size / 2 {
        if Instant::now() >= deadline {
            return Err("the transfer never got to half way".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    ben.kill9()?;
    let killed = unix_us();
    let held = len_of(&part);
    if held >= size {
        return Err("the file was complete before the kill".into());
    }
    let restarted = unix_us();
    let mut ben = NodeProc::start(&spec)?;
    let ready = unix_us();
    let deadline = Instant::now() + TRANSFER;
    let grew = loop {
        if len_of(&part) > held {
            break unix_us();
        }
        if Instant::now() >= deadline {
            return Err("the partial file did not grow after the restart".into());
        }
        std::thread::sleep(Duration::from_millis(1));
    };
    let connected = ben.wait("reconnected", STEP, |e| e.is("connected", peer))?;
    let got = finish(ana, &mut ben, &id, want)?;
    let after = wire_now(wire)?;
    let mut states = Vec::new();
    for (who, node) in [("sender", &mut *ana), ("receiver", &mut ben)] {
        let is_state = |e: &Ev| {
            matches!(
                e.words.first().map(String::as_str),
                Some("state" | "connected")
            ) && e.words.get(1).is_some_and(|p| p == peer)
        };
        while let Ok(e) = node.wait("states", Duration::ZERO, is_state) {
            let state = e
                .words
                .get(2)
                .cloned()
                .unwrap_or_else(|| "Connected".into());
            let ms = (e.us as f64 - killed as f64) / 1e3;
            // Left over from connecting, before the kill: not part of the story.
            if ms >= 0.0 {
                states.push((who, state, ms));
            }
        }
    }
    states.push((
        "receiver",
        "Connected".into(),
        us_to_ms(connected.us, killed),
    ));
    states.sort_by(|a, b| a.2.total_cmp(&b.2));
    Ok((
        Resume {
            held,
            open_ms: us_to_ms(ready, restarted),
            connected_ms: us_to_ms(connected.us, restarted),
            first_byte_ms: us_to_ms(grew, restarted),
            states,
            kill_to_restart_ms: us_to_ms(restarted, killed),
            wire: before.zip(after).map(|(b, a)| a - b),
            secs: us_to_ms(got.us, called) / 1e3,
        },
        ben,
    ))
}

fn memory_of(pid: u32, setup_peak: f64, before: f64, reset: bool) -> Result<Memory, BoxError> {
    let now = proc_mem::read(pid)?;
    Ok(Memory {
        setup_peak,
        before,
        transfer_peak: now.peak_rss_mb(),
        reset,
    })
}

/// The bare link: the same bytes in 60 KiB messages over a `LinkConfig::loopback()`
/// pair in this process (as bench_connect measures it).
async fn link_baseline(total: usize) -> Result<f64, BoxError> {
    let (a, b, _) = bulk::link_pair(&LinkConfig::loopback()).await?;
    let a = Arc::new(a);
    let mbs = bulk::throughput(a.clone() as Arc<dyn End>, &b, total, CHUNK).await?;
    let _ = tokio::join!(a.close(), b.close());
    Ok(mbs)
}

struct Chromium {
    mbs: f64,
    version: String,
    pair: String,
}

async fn chromium_baseline(total: usize) -> Result<Chromium, BoxError> {
    let args = ["1".into(), "1".into(), total.to_string(), CHUNK.to_string()];
    let v = bulk::chromium_script(&args, Duration::from_secs(600)).await?;
    let text = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("?").to_owned();
    Ok(Chromium {
        mbs: v
            .get("mbs")
            .and_then(|m| m.get(CHUNK.to_string()))
            .and_then(serde_json::Value::as_f64)
            .ok_or("no MB/s from bench_chromium.js")?,
        version: text("chromium"),
        pair: text("selected_pair"),
    })
}

// ---- the report ----

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1 << 20)
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.digits$}"))
}

struct Results {
    size: u64,
    uncut: Vec<Transfer>,
    link_mbs: Vec<f64>,
    chromium: Vec<Chromium>,
    mem: [Memory; 2],
    idle: Texts,
    busy: Texts,
    busy_sent: usize,
    resume: Resume,
}

/// Median of `v` and every sample, formatted with `digits`.
fn med_and_samples(v: &[f64], digits: usize) -> (Option<f64>, String) {
    if v.is_empty() {
        return (None, "—".into());
    }
    let all: Vec<String> = v.iter().map(|x| format!("{x:.digits$}")).collect();
    (Some(bulk::median(v.to_vec())), all.join(", "))
}

fn report(r: &Results) {
    let size = r.size;
    let node_all: Vec<f64> = r.uncut.iter().map(|t| mb(size) / t.secs).collect();
    let chromium_all: Vec<f64> = r.chromium.iter().map(|c| c.mbs).collect();
    let (node_mbs, node_s) = med_and_samples(&node_all, 1);
    let (link_mbs, link_s) = med_and_samples(&r.link_mbs, 1);
    let (chromium_mbs, chromium_s) = med_and_samples(&chromium_all, 1);
    let node_mbs = node_mbs.unwrap_or(f64::NAN);
    let hash_secs: Vec<f64> = r.uncut.iter().map(|t| t.hash_secs).collect();
    println!(
        "\n#### {} MiB node to node\n\nMB/s = 10^6 bytes/s, median of {} runs each, the rows \
         interleaved (node, link, Chromium, node, …). Node: from the `Node::send_file` call \
         (which first reads the file once to hash it: median {:.2} s here) to the receiver's \
         `Event::FileDone` (every byte written, BLAKE3 matched, synced, renamed); the received \
         file's hash compared again by the benchmark. Each node its own process, data on disk. \
         Link: two `LinkConfig::loopback()` links in the benchmark's process, `Link::send` / \
         `recv`. Chromium: `tests/browser/bench_chromium.js`, one 60 KiB buffer made in the page \
         and sent over and over, paused above 1 MiB `bufferedAmount`, resumed on \
         `bufferedamountlow` (256 KiB), timed to a 1-byte acknowledgement.\n",
        size >> 20,
        r.uncut.len(),
        bulk::median(hash_secs)
    );
    println!("| row | bytes | MB/s, median | runs, MB/s | node ÷ row |");
    println!("|---|---:|---:|---|---:|");
    println!(
        "| **Tincan node → node, disk to disk, hash checked** | {size} | **{node_mbs:.1}** | {node_s} | — |"
    );
    println!(
        "| bare Tincan link, 60 KiB messages (baseline) | {size} | {} | {link_s} | {} |",
        opt(link_mbs, 1),
        link_mbs.map_or("—".into(), |l| format!("{:.2}×", node_mbs / l))
    );
    println!(
        "| Chromium ↔ Chromium data channel, 60 KiB messages (baseline) | {size} | {} | {chromium_s} | {} |",
        opt(chromium_mbs, 1),
        chromium_mbs.map_or("—".into(), |c| format!("{:.2}×", node_mbs / c))
    );

    println!("\nPeak memory (VmHWM) of each node process, MB (10^6 bytes):\n");
    println!("| process | peak from start through connect | resident before `send_file` | peak during the transfer |");
    println!("|---|---:|---:|---:|");
    for (name, m) in [("sender", r.mem[0]), ("receiver", r.mem[1])] {
        println!(
            "| {name} | {:.1} | {:.1} | **{:.1}**{} |",
            m.setup_peak,
            m.before,
            m.transfer_peak,
            if m.reset {
                ""
            } else {
                " (since start: reset refused)"
            }
        );
    }

    let uncut_wire: Vec<f64> = r
        .uncut
        .iter()
        .filter_map(|t| t.wire)
        .map(|w| w as f64)
        .collect();
    let uncut_wire = (!uncut_wire.is_empty()).then(|| bulk::median(uncut_wire.clone()) as u64);
    let uncut_secs = bulk::median(r.uncut.iter().map(|t| t.secs).collect());
    let twice = r
        .resume
        .wire
        .zip(uncut_wire)
        .map(|(cut, uncut)| cut as i64 - uncut as i64);
    println!(
        "\n#### Resume after `kill -9` of the receiver at half way\n\nThe receiver's process \
         was killed (SIGKILL) once its partial file held {:.0} % of the file and started again \
         on the same data directory. Bytes sent twice = the sender's UDP bytes on the wire \
         (iptables, IP packets) for the cut transfer minus the same count for the uncut \
         transfer above (same file, same run); it includes the new session's handshake.\n",
        r.resume.held as f64 * 100.0 / size as f64
    );
    println!("| what | value |");
    println!("|---|---:|");
    println!(
        "| partial file when killed (resumed from) | {} bytes ({:.1} MiB) |",
        r.resume.held,
        mib(r.resume.held)
    );
    println!(
        "| sender's wire bytes, uncut (median of the runs above) / cut | {} / {} |",
        uncut_wire.map_or("—".into(), |v| v.to_string()),
        r.resume.wire.map_or("—".into(), |v| v.to_string())
    );
    println!(
        "| **bytes sent twice** | **{}** ({} MiB) |",
        twice.map_or("—".into(), |v| v.to_string()),
        opt(twice.map(|v| v as f64 / f64::from(1 << 20)), 2)
    );
    let states: Vec<String> = r
        .resume
        .states
        .iter()
        .map(|(who, state, ms)| format!("{who} {state} at {ms:+.0} ms"))
        .collect();
    println!(
        "| conversation states after the kill (ms since the kill) | {} |",
        if states.is_empty() {
            "none".into()
        } else {
            states.join("; ")
        }
    );
    println!(
        "| kill → restart (process spawned) | {:.0} ms |",
        r.resume.kill_to_restart_ms
    );
    println!("| restart → node open | {:.0} ms |", r.resume.open_ms);
    println!(
        "| restart → conversation connected | {:.0} ms |",
        r.resume.connected_ms
    );
    println!(
        "| **time to resume** (restart → first new byte in the partial file) | **{:.0} ms** |",
        r.resume.first_byte_ms
    );
    println!(
        "| whole cut transfer (`send_file` → `FileDone`) | {:.2} s (uncut {:.2} s) |",
        r.resume.secs, uncut_secs
    );

    let (ia50, ia95) = Texts::stats(&r.idle.arrive);
    let (id50, id95) = Texts::stats(&r.idle.delivered);
    let (ba50, ba95) = Texts::stats(&r.busy.arrive);
    let (bd50, bd95) = Texts::stats(&r.busy.delivered);
    println!(
        "\n#### A text during a {} MiB transfer\n\nTexts sent one at a time, 10 ms apart; ms from \
         the `Node::send` call (which returns after its synced commit) to the receiver's \
         `Event::Message` and to the sender's `Event::Delivered` (the receipt, after the \
         receiver's synced commit). During: {} of {} texts sent while the file moved were \
         delivered before it was complete (only those count).\n",
        size >> 20,
        r.busy.arrive.len(),
        r.busy_sent
    );
    println!("| link | samples | → Message p50 / p95 ms | → Delivered p50 / p95 ms |");
    println!("|---|---:|---:|---:|");
    println!(
        "| idle (baseline) | {} | {ia50:.2} / {ia95:.2} | {id50:.2} / {id95:.2} |",
        r.idle.arrive.len()
    );
    println!(
        "| during the transfer | {} | {ba50:.2} / {ba95:.2} | {bd50:.2} / {bd95:.2} |",
        r.busy.arrive.len()
    );
    println!(
        "| **during ÷ idle** | | {:.2}× / {:.2}× | {:.2}× / {:.2}× |",
        ba50 / ia50,
        ba95 / ia95,
        bd50 / id50,
        bd95 / id95
    );

    println!("\n#### Targets (the promises of docs/FILES.md, and Chromium as the bar)\n");
    println!("| target | measured | |");
    println!("|---|---|---|");
    let verdict = |ok: Option<bool>| match ok {
        Some(true) => "met",
        Some(false) => "**not met**",
        None => "not measured",
    };
    println!(
        "| a file moves at least as fast as Chromium's data channel moves bytes from memory | {node_mbs:.1} vs {} MB/s | {} |",
        opt(chromium_mbs, 1),
        verdict(chromium_mbs.map(|c| node_mbs >= c))
    );
    println!(
        "| bytes sent twice after a cut ≤ what can be in flight: 1 MiB send window + 4 MiB socket buffers each side (docs/FILES.md) | {} MiB | {} |",
        opt(twice.map(|v| v as f64 / f64::from(1 << 20)), 2),
        verdict(twice.map(|v| v <= 9 << 20))
    );
    let window_ms = mb(1 << 20) / node_mbs * 1e3;
    println!(
        "| a text waits behind a file for at most the 1 MiB send window, \"a few ms\" (docs/FILES.md; 1 MiB takes {window_ms:.1} ms at the node's rate): extra p50 / p95 → Message over idle, read as ≤ 10 ms at p95 | {:.2} / {:.2} ms | {} |",
        ba50 - ia50,
        ba95 - ia95,
        verdict(Some(ba95 - ia95 <= 10.0))
    );
    let growth = r
        .mem
        .iter()
        .map(|m| m.transfer_peak - m.before)
        .fold(0.0, f64::max);
    println!(
        "| never the whole file in memory (docs/FILES.md): peak during the transfer minus resident before, the larger of the two processes | {growth:.1} MB vs a {:.1} MB file | {} |",
        mb(size),
        verdict(Some(growth < mb(size)))
    );
}

fn run(o: &Options, bench: &mut BenchRun) -> Result<Results, BoxError> {
    let size = o.mib << 20;
    let bin = host::package_bin("file-node")?;
    let root = tempfile::tempdir_in(disk_root()?)?;
    let src_dir = root.path().join("src");
    std::fs::create_dir_all(&src_dir)?;
    let src = src_dir.join("big.bin");
    eprintln!("bench: writing a {} MiB source file…", o.mib);
    pseudo_random_file(&src, size, 14)?;
    let want = hash_of(&src)?;
    let wire = if host::in_netns() {
        Some(WireCount::install()?)
    } else {
        eprintln!("bench: not in a private namespace (not root): no wire count");
        None
    };

    let spec = |name: &'static str, bind: &'static str| NodeSpec {
        bin: bin.clone(),
        dir: root.path().join(name.to_lowercase()),
        name,
        bind,
        auto_accept_mib: o.mib + 1,
    };
    let mut ana = NodeProc::start(&spec("Ana", ANA_BIND))?;
    let mut ben = NodeProc::start(&spec("Ben", BEN_BIND))?;
    let peer = connect(&mut ana, &mut ben)?;

    eprintln!("bench: texts on an idle link…");
    let idle = idle_texts(&mut ana, &mut ben, &peer, o.texts)?;

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let total = usize::try_from(size)?;
    let chromium_on = o.chromium && host::in_netns();
    if o.chromium && !chromium_on {
        eprintln!("bench: Chromium skipped: it runs only inside a private namespace (run as root)");
    }
    let pids = [ana.pid(), ben.pid()];
    let mut pre = Vec::new();
    for pid in pids {
        let m = proc_mem::read(pid)?;
        let reset = reset_peak(pid);
        pre.push((m.peak_rss_mb(), m.rss_mb(), reset));
    }
    let (mut uncut, mut link_mbs, mut chromium) = (Vec::new(), Vec::new(), Vec::new());
    for round in 1..=o.repeat {
        eprintln!("bench: round {round}: {} MiB node to node…", o.mib);
        let t = uncut_transfer(&mut ana, &mut ben, &peer, &src, &want, wire.as_ref())?;
        eprintln!(
            "bench: {:.1} MB/s ({} in {:.2} s)",
            mb(size) / t.secs,
            t.id,
            t.secs
        );
        uncut.push(t);
        eprintln!("bench: round {round}: the bare link…");
        link_mbs.push(rt.block_on(link_baseline(total))?);
        if chromium_on {
            eprintln!("bench: round {round}: Chromium pages…");
            chromium.push(rt.block_on(chromium_baseline(total))?);
        }
    }
    // Peaks over every uncut transfer (the baselines run in other processes).
    let mem = [
        memory_of(pids[0], pre[0].0, pre[0].1, pre[0].2)?,
        memory_of(pids[1], pre[1].0, pre[1].1, pre[1].2)?,
    ];

    eprintln!("bench: texts during a transfer…");
    let (busy, busy_sent) = busy_texts(&mut ana, &mut ben, &peer, &src, &want, o.texts)?;

    eprintln!("bench: kill -9 of the receiver at half way…");
    let (resume, ben) = resume(&mut ana, ben, &peer, &src, size, &want, wire.as_ref())?;
    ana.quit();
    ben.quit();

    bench.measured();
    Ok(Results {
        size,
        uncut,
        link_mbs,
        chromium,
        mem,
        idle,
        busy,
        busy_sent,
        resume,
    })
}

fn main() -> Result<(), BoxError> {
    let o = options()?;
    if let Some(status) = rerun_in_lo_netns()? {
        std::process::exit(status.code().unwrap_or(1));
    }
    let mut bench = BenchRun::start();
    let r = run(&o, &mut bench)?;
    report(&r);
    bench.print_machine();
    if let Some(c) = r.chromium.first() {
        println!("- Chromium {}, selected pair {}", c.version, c.pair);
    }
    println!(
        "- data on {} (the project's disk); sender bound {ANA_BIND}, receiver {BEN_BIND}",
        disk_root()?.display()
    );
    Ok(())
}
