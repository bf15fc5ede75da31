//! One Tincan node as its own process, for the files benchmark (`bench_files`): so the
//! sender's and the receiver's peak memory (`VmHWM`) are each their own, and the
//! receiver can be killed with `kill -9` mid-transfer and started again on the same
//! data directory.
//!
//! ```text
//! file-node --dir DIR --name NAME --bind IP:0 [--auto-accept-mib N] [--lifetime SECS]
//! ```
//!
//! Driven by lines on stdin; answers and events are lines on stdout, every event
//! stamped with the wall clock in µs since the Unix epoch (the benchmark compares
//! stamps of two processes on one machine):
//!
//! ```text
//! invite                  → invite <code>
//! join <code>             → reply <code>
//! accept_reply <code>     → peer <peer>
//! send_file <peer> <path> → file <id> <µs before the call> <µs after it returned>
//! send <peer> <text>      → sent <id> <µs before the call> <µs after it returned>
//! quit                    → bye (then exits)
//! events: ev <µs> connected <peer> | ev <µs> state <peer> <state>
//!         ev <µs> message <id> | ev <µs> delivered <id>
//!         ev <µs> offered <id> <size> | ev <µs> progress <id> <in|out> <done> <total>
//!         ev <µs> done <id> <in|out> [path] | ev <µs> stopped <id> <in|out> <reason>
//! errors: err <what>
//! ```
//!
//! Secrets (identity key, link certificates) are kept as plain files under
//! `DIR/bench-secrets/`: they must survive the `kill -9`, which rules out the memory
//! store, and the passphrase-file store would run an Argon2id of 64–128 MiB at every
//! start, which would set the process's peak memory and hide the transfer's. Benchmark
//! data only; Tincan itself deliberately has no plaintext store. The process exits when
//! stdin closes (the benchmark died) and after `--lifetime` (default 900 s).

use std::io::{BufRead, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context, Result};
use tincan_core::link::LinkConfig;
use tincan_core::node::{Event, InviteRequest, Node, NodeConfig, PeerState, Protection};
use tincan_core::protect::argon;
use tincan_core::secrets::{SecretStore, SecretStoreError};

struct Args {
    dir: PathBuf,
    name: String,
    bind: SocketAddr,
    auto_accept: u64,
    lifetime: Duration,
}

fn parse_args() -> Result<Args> {
    let (mut dir, mut name, mut bind) = (None, None, None);
    let mut auto_accept = 25 << 20;
    let mut lifetime = Duration::from_secs(900);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(v)),
            "--name" => name = Some(v),
            "--bind" => bind = Some(v.parse().context("--bind IP:PORT")?),
            "--auto-accept-mib" => auto_accept = v.parse::<u64>().context("MiB")? << 20,
            "--lifetime" => lifetime = Duration::from_secs(v.parse().context("seconds")?),
            other => bail!("unknown option {other} (see the module docs for usage)"),
        }
    }
    Ok(Args {
        dir: dir.context("--dir DIR is required")?,
        name: name.context("--name NAME is required")?,
        bind: bind.context("--bind IP:PORT is required")?,
        auto_accept,
        lifetime,
    })
}

/// Secrets as one file per key in a directory (see the module docs for why).
struct DirSecrets(PathBuf);

impl DirSecrets {
    fn path(&self, key: &str) -> Result<PathBuf, SecretStoreError> {
        if !tincan_core::secrets::is_valid_key(key) {
            return Err(SecretStoreError(format!("bad key {key:?}")));
        }
        Ok(self.0.join(key))
    }
}

impl SecretStore for DirSecrets {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, SecretStoreError> {
        match std::fs::read(self.path(key)?) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(SecretStoreError(e.to_string())),
        }
    }
    fn put(&self, key: &str, value: &[u8]) -> Result<(), SecretStoreError> {
        let path = self.path(key)?;
        let tmp = path.with_extension("tmp");
        let io = |e: std::io::Error| SecretStoreError(e.to_string());
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(value).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)
    }
    fn delete(&self, key: &str) -> Result<(), SecretStoreError> {
        match std::fs::remove_file(self.path(key)?) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(SecretStoreError(e.to_string()))
            }
            _ => Ok(()),
        }
    }
}

fn unix_us() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

/// One line on stdout (stdout is line-buffered, so each line goes out whole).
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

fn dir_of(outgoing: bool) -> &'static str {
    if outgoing {
        "out"
    } else {
        "in"
    }
}

/// One event as a line, or `None` for the ones the benchmark does not read.
fn event_line(event: Event) -> Option<String> {
    let at = unix_us();
    let what = match event {
        Event::PeerState {
            peer,
            state: PeerState::Connected,
        } => format!("connected {peer}"),
        Event::PeerState { peer, state } => {
            format!("state {peer} {}", format!("{state:?}").replace(' ', ""))
        }
        Event::Message { id, .. } => format!("message {id}"),
        Event::Delivered { id, .. } => format!("delivered {id}"),
        Event::FileOffered { id, size, .. } => format!("offered {id} {size}"),
        Event::FileProgress {
            id,
            outgoing,
            done,
            total,
            ..
        } => format!("progress {id} {} {done} {total}", dir_of(outgoing)),
        Event::FileDone {
            id, outgoing, path, ..
        } => format!(
            "done {id} {} {}",
            dir_of(outgoing),
            path.unwrap_or_default()
        ),
        Event::FileStopped {
            id,
            outgoing,
            reason,
            ..
        } => format!("stopped {id} {} {reason}", dir_of(outgoing)),
        Event::Overflow { dropped } => format!("overflow {dropped}"),
        _ => return None,
    };
    Some(format!("ev {at} {what}"))
}

fn open_node(args: &Args) -> Result<Node> {
    let secrets = args.dir.join("bench-secrets");
    std::fs::create_dir_all(&secrets).context("secrets dir")?;
    let mut config = NodeConfig::new(args.dir.join("node"), Arc::new(DirSecrets(secrets)));
    config.link = LinkConfig {
        bind: vec![args.bind],
        ..LinkConfig::loopback()
    };
    // Open invites run no Argon2; the floor only keeps a stray protected one cheap.
    config.argon = argon::FLOOR;
    config.display_name = Some(args.name.clone());
    config.files.auto_accept_bytes = args.auto_accept;
    Ok(Node::open(config)?)
}

/// Runs one command line; its answer, or an error in words.
fn command(node: &Node, line: &str) -> Result<Option<String>> {
    let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
    Ok(Some(match cmd {
        "invite" => {
            let invite = node.create_invite(InviteRequest {
                protection: Protection::Open,
                lifetime_secs: None,
            })?;
            format!("invite {}", one_line(&invite.code)?)
        }
        "join" => format!("reply {}", one_line(&node.join(rest, None)?.reply_code)?),
        "accept_reply" => format!("peer {}", node.accept_reply(rest)?),
        "send_file" => {
            let (peer, path) = rest.split_once(' ').context("send_file PEER PATH")?;
            let before = unix_us();
            let id = node.send_file(peer, Path::new(path), false)?;
            format!("file {id} {before} {}", unix_us())
        }
        "send" => {
            let (peer, text) = rest.split_once(' ').context("send PEER TEXT")?;
            let before = unix_us();
            let id = node.send(peer, text)?;
            format!("sent {id} {before} {}", unix_us())
        }
        "quit" => return Ok(None),
        other => bail!("unknown command {other}"),
    }))
}

fn one_line(code: &str) -> Result<&str> {
    if code.contains('\n') {
        bail!("a code spans lines");
    }
    Ok(code)
}

fn run(args: &Args) -> Result<()> {
    let node = open_node(args)?;
    let events = node.clone();
    std::thread::spawn(move || loop {
        // `None` after a full wait is only a quiet hour; an early one, a shutdown.
        let started = std::time::Instant::now();
        match events.next_event(Duration::from_secs(3600)) {
            Some(e) => {
                if let Some(line) = event_line(e) {
                    say(&line);
                }
            }
            None if started.elapsed() < Duration::from_secs(1800) => return,
            None => {}
        }
    });
    let lifetime = args.lifetime;
    std::thread::spawn(move || {
        std::thread::sleep(lifetime);
        eprintln!("file-node: lifetime of {lifetime:?} over; exiting");
        std::process::exit(3);
    });
    say("ready");
    for line in std::io::stdin().lock().lines() {
        let line = line.context("reading stdin")?;
        match command(&node, line.trim_end()) {
            Ok(Some(answer)) => say(&answer),
            Ok(None) => break,
            Err(e) => say(&format!("err {e:#}")),
        }
    }
    node.shutdown();
    say("bye");
    Ok(())
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    if let Err(e) = parse_args().and_then(|a| run(&a)) {
        eprintln!("file-node: {e:#}");
        std::process::exit(1);
    }
    std::process::exit(0);
}
