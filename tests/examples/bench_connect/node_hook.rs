//! The rows that need the node and the CLI: the Tincan node (reply loaded → key-
//! confirmed channel on both sides, message round trip through the node's chat and
//! receipts) and the peak RSS of an idle connected `tincan` process.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::link::LinkConfig;
use tincan_core::node::{Event, InviteRequest, Node, NodeConfig, PeerState, Protection};
use tincan_core::protect::argon;
use tincan_core::secrets::MemorySecretStore;
use tincan_tests::keyring_session;
use tincan_tests::proc_mem;
use tincan_tests::process::{wait_for_file, Stream, Tincan};

use crate::measure::{median, percentile, BoxError, Row};

const STEP: Duration = Duration::from_secs(30);

fn node(dir: &std::path::Path) -> Result<Node, BoxError> {
    let mut config = NodeConfig::new(dir.to_owned(), Arc::new(MemorySecretStore::default()));
    config.link = LinkConfig::loopback();
    config.argon = argon::FLOOR;
    Ok(Node::open(config)?)
}

fn wait_for(node: &Node, pred: impl Fn(&Event) -> bool) -> Result<(), BoxError> {
    let deadline = Instant::now() + STEP;
    while Instant::now() < deadline {
        if let Some(e) = node.next_event(Duration::from_millis(100)) {
            if pred(&e) {
                return Ok(());
            }
        }
    }
    Err("the node did not report the expected event within 30 s".into())
}

fn connected(e: &Event) -> bool {
    matches!(
        e,
        Event::PeerState {
            state: PeerState::Connected,
            ..
        }
    )
}

/// "Tincan node" row: connect median over `pairs` fresh pairs (open-mode invites, so
/// no Argon2 inside the timed part: the clock starts as `accept_reply` is called and
/// stops when both nodes report the key-confirmed channel), and `pings` round trips of
/// a chat message to its receipt. Throughput is the link's (the node sends over it).
/// The nodes' databases live in fresh directories under `db_root`, so the row shows
/// the cost of that file system's synced commits.
pub async fn node_row(
    pairs: usize,
    pings: usize,
    db_root: std::path::PathBuf,
) -> Result<Option<Row>, BoxError> {
    // Node methods block; keep them off the benchmark's async runtime.
    tokio::task::spawn_blocking(move || node_row_blocking(pairs, pings, &db_root)).await?
}

fn node_row_blocking(pairs: usize, pings: usize, db_root: &Path) -> Result<Option<Row>, BoxError> {
    let mut connects = Vec::with_capacity(pairs);
    let mut rtts = Vec::with_capacity(pings);
    for i in 0..pairs.max(1) {
        let (da, db) = (
            tempfile::tempdir_in(db_root)?,
            tempfile::tempdir_in(db_root)?,
        );
        let (ana, ben) = (node(da.path())?, node(db.path())?);
        let request = InviteRequest {
            protection: Protection::Open,
            lifetime_secs: None,
        };
        let invite = ana.create_invite(request)?;
        let joined = ben.join(&invite.code, None)?;
        let started = Instant::now();
        let peer = ana.accept_reply(&joined.reply_code)?;
        wait_for(&ana, connected)?;
        wait_for(&ben, connected)?;
        connects.push(started.elapsed().as_secs_f64() * 1e3);
        if i == 0 {
            for _ in 0..pings {
                let t = Instant::now();
                let id = ana.send(&peer, "ping")?;
                wait_for(
                    &ana,
                    |e| matches!(e, Event::Delivered { id: d, .. } if *d == id),
                )?;
                rtts.push(t.elapsed().as_secs_f64() * 1e3);
            }
        }
        ana.shutdown();
        ben.shutdown();
    }
    rtts.sort_by(f64::total_cmp);
    Ok(Some(Row {
        connect_ms: Some(median(connects)),
        rtt_p50: Some(percentile(&rtts, 0.5)),
        rtt_p99: Some(percentile(&rtts, 0.99)),
        mbs_16k: None,
        mbs_64k: None,
    }))
}

/// Which secret store the idle CLI pair keeps its keys in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CliSecrets {
    /// A desktop's Secret Service: each process under its own `dbus-run-session` with
    /// an unlocked `gnome-keyring-daemon` and a private HOME.
    OsKeyring,
    /// The headless fallback: the passphrase-encrypted file (one Argon2id derivation
    /// at start).
    PassphraseFile,
}

/// Memory of the larger of two idle, connected `tincan` processes.
#[derive(Debug, Clone, Copy)]
pub struct IdleMemory {
    /// The most `VmRSS` showed in samples every 50 ms over the idle stretch.
    pub idle_peak_mb: f64,
    /// `VmHWM`: the peak since the process started, one-time key derivation included.
    pub lifetime_peak_mb: f64,
}

const IDLE: Duration = Duration::from_secs(5);
const SAMPLE_EVERY: Duration = Duration::from_millis(50);

/// Memory of an idle, connected `tincan` CLI: two processes started as a person would,
/// codes through files, both connected, then idle for 5 s. `None` when the keyring
/// variant's tools are not installed.
pub async fn idle_cli_memory(secrets: CliSecrets) -> Result<Option<IdleMemory>, BoxError> {
    tokio::task::spawn_blocking(move || idle_cli_memory_blocking(secrets)).await?
}

/// Starts one CLI: with `OsKeyring` through the Secret Service wrapper, its own HOME
/// and runtime dir, no passphrase; otherwise with the test passphrase file.
fn start_cli(secrets: CliSecrets, name: &str, root: &Path, args: &[&str]) -> Tincan {
    match secrets {
        CliSecrets::PassphraseFile => Tincan::start(name, &[], args),
        CliSecrets::OsKeyring => {
            let home = root.join(format!("home-{name}"));
            let run = home.join("run");
            std::fs::create_dir_all(&run).expect("home for the keyring");
            std::fs::set_permissions(&run, std::fs::Permissions::from_mode(0o700))
                .expect("private runtime dir");
            let (home, run) = (home.display().to_string(), run.display().to_string());
            let env = [
                ("HOME", Some(home.as_str())),
                ("XDG_RUNTIME_DIR", Some(run.as_str())),
                ("DBUS_SESSION_BUS_ADDRESS", None),
                ("TINCAN_SECRET_STORE", Some("keyring")),
                ("TINCAN_PASSPHRASE", None),
            ];
            Tincan::start_with_env(name, &keyring_session::WRAPPER, args, &env)
        }
    }
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn idle_cli_memory_blocking(secrets: CliSecrets) -> Result<Option<IdleMemory>, BoxError> {
    if secrets == CliSecrets::OsKeyring {
        if let Some((tool, package)) = keyring_session::missing_tool() {
            eprintln!(
                "bench: keyring row skipped: no `{tool}` (scripts/setup installs `{package}`)"
            );
            return Ok(None);
        }
    }
    let dir = tempfile::tempdir()?;
    let path = |s: &str| dir.path().join(s).display().to_string();
    let (invite, reply) = (path("invite.txt"), path("reply.txt"));
    let (a, b) = (path("a"), path("b"));
    let common = |data: &str, name: &'static str| {
        vec![
            "--data-dir".to_owned(),
            data.to_owned(),
            "--name".to_owned(),
            name.to_owned(),
            "--bind".to_owned(),
            "127.0.0.1:0".to_owned(),
        ]
    };
    let mut ana_args = common(&a, "Ana");
    ana_args
        .extend(["invite", "--open", "--out", &invite, "--reply-file", &reply].map(String::from));
    let mut ben_args = common(&b, "Ben");
    ben_args.extend(["join", "--file", &invite, "--out", &reply].map(String::from));
    let mut ana = start_cli(secrets, "ana", dir.path(), &strs(&ana_args));
    wait_for_file(Path::new(&invite), STEP);
    let mut ben = start_cli(secrets, "ben", dir.path(), &strs(&ben_args));
    let store_line = ana.expect_line(Stream::Err, "kept in", STEP);
    ana.expect_line(Stream::Err, "● connected", STEP);
    ben.expect_line(Stream::Err, "● connected", STEP);
    let expected = match secrets {
        CliSecrets::OsKeyring => "Secret Service",
        CliSecrets::PassphraseFile => "passphrase",
    };
    if !store_line.contains(expected) {
        return Err(format!("the CLI did not use the {secrets:?} store: {store_line}").into());
    }
    // Behind a wrapper the process to measure is the `tincan` below it.
    let pid_of = |t: &Tincan| -> Result<u32, BoxError> {
        match secrets {
            CliSecrets::PassphraseFile => Ok(t.pid()),
            CliSecrets::OsKeyring => proc_mem::find_descendant(t.pid(), "tincan")?
                .ok_or_else(|| "no tincan process below the keyring wrapper".into()),
        }
    };
    let pids = [pid_of(&ana)?, pid_of(&ben)?];
    let mut idle_peak_kib = [0u64; 2];
    let until = Instant::now() + IDLE;
    while Instant::now() < until {
        for (peak, pid) in idle_peak_kib.iter_mut().zip(pids) {
            *peak = (*peak).max(proc_mem::read(pid)?.rss_kib);
        }
        std::thread::sleep(SAMPLE_EVERY);
    }
    let lifetime = [proc_mem::read(pids[0])?, proc_mem::read(pids[1])?];
    // `/quit` ends each CLI (and with it its wrapper and keyring daemon).
    for cli in [&mut ana, &mut ben] {
        cli.type_line("/quit");
        cli.close_input();
    }
    for cli in [&mut ana, &mut ben] {
        if !cli.wait_exit(STEP) {
            let dump = cli.dump();
            eprintln!("bench: {} exited with an error:\n{dump}", cli.name);
        }
    }
    let mb = |kib: u64| kib as f64 * 1024.0 / 1e6;
    Ok(Some(IdleMemory {
        idle_peak_mb: mb(idle_peak_kib[0].max(idle_peak_kib[1])),
        lifetime_peak_mb: mb(lifetime[0].peak_rss_kib.max(lifetime[1].peak_rss_kib)),
    }))
}
