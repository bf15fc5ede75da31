//! Tincan nodes as their own process, for the idle benchmark (`bench_idle`): one
//! inviter node with any number of contacts, or as many joiner nodes (one "phone"
//! each), exchanging codes through files in a directory the way people pass them
//! through a messenger. Once connected it does nothing but hold its links, so what the
//! benchmark counts on this process (context switches, CPU time, packets) is what an
//! idle Tincan costs.
//!
//! ```text
//! idle-node --dir DIR --role invite [--contacts N] [--pace foreground|background] [--no-stretch] [--bind IP:0]
//! idle-node --dir DIR --role join   [--contacts N] …
//! ```
//!
//! The inviter writes `DIR/invite-<i>.code` and loads `DIR/reply-<i>.code`; joiner
//! node `i` reads the first and writes the second. `--contacts 0` only opens a node.
//!
//! Prints, one per line: `connected <n>` once all `n` conversations are connected,
//! `paced <pace>` once every link uses the asked pace, then on state changes
//! `lost <unix-ms> <node>/<peer>` (the conversation went `Reconnecting`), `back <unix-ms>
//! <node>/<peer>` (connected again) or `state <unix-ms> <node>/<peer> <state>`. On
//! SIGUSR1 it prints `stats <n> <json>` (n counts the requests; every link's pace,
//! driver sleeps and wire counts); on SIGTERM `bye`, then it exits.
//!
//! Nothing here may wake the process while it idles, or it would count against
//! Tincan: events are awaited without polling, signals with `sigwait`, the parent's
//! death through a pidfd. Setup waits are bounded (`--timeout`, default 60 s), the whole
//! run by `--lifetime` (default 900 s), and it exits when the process that started it
//! dies, so a forgotten process ends by itself.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{anyhow, bail, Context, Result};
use nix::sys::signal::{SigSet, Signal};
use tincan_core::link::{LinkConfig, Pace};
use tincan_core::node::{Event, InviteRequest, Node, NodeConfig, PeerState, Protection};
use tincan_core::protect::argon;
use tincan_core::secrets::MemorySecretStore;

/// How often a code file being waited for is looked at (setup only).
const POLL: Duration = Duration::from_millis(20);
/// How long an event wait lasts before it is simply started again.
const EVENT_WAIT: Duration = Duration::from_secs(3600);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Invite,
    Join,
}

#[derive(Debug)]
struct Args {
    dir: PathBuf,
    role: Role,
    contacts: usize,
    pace: Pace,
    stretch: bool,
    bind: Option<SocketAddr>,
    timeout: Duration,
    lifetime: Duration,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        dir: PathBuf::new(),
        role: Role::Invite,
        contacts: 1,
        pace: Pace::Foreground,
        stretch: true,
        bind: None,
        timeout: Duration::from_secs(60),
        lifetime: Duration::from_secs(900),
    };
    let (mut dir, mut role) = (None, None);
    let secs = |v: &str| -> Result<Duration> {
        Ok(Duration::from_secs_f64(v.parse().context("seconds")?))
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--no-stretch" {
            args.stretch = false;
            continue;
        }
        let v = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--dir" => dir = Some(PathBuf::from(v)),
            "--role" => {
                role = Some(match v.as_str() {
                    "invite" => Role::Invite,
                    "join" => Role::Join,
                    _ => bail!("--role invite|join"),
                })
            }
            "--contacts" => args.contacts = v.parse().context("--contacts N")?,
            "--pace" => {
                args.pace = match v.as_str() {
                    "foreground" => Pace::Foreground,
                    "background" => Pace::Background,
                    _ => bail!("--pace foreground|background"),
                }
            }
            "--bind" => args.bind = Some(v.parse().context("--bind IP:PORT")?),
            "--timeout" => args.timeout = secs(&v)?,
            "--lifetime" => args.lifetime = secs(&v)?,
            other => bail!("unknown option {other} (see the module docs for usage)"),
        }
    }
    args.dir = dir.context("--dir DIR is required")?;
    args.role = role.context("--role invite|join is required")?;
    if args.role == Role::Join && args.contacts == 0 {
        bail!("a joiner needs --contacts 1 or more");
    }
    Ok(args)
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

/// Write `text` to `path` atomically (temp file + rename), so a reader never sees half.
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| tmp.display().to_string())?;
    std::fs::rename(&tmp, path).with_context(|| path.display().to_string())
}

/// The file's text if it exists yet.
fn read_if_there(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| path.display().to_string()),
    }
}

fn open_node(args: &Args, name: &str) -> Result<Node> {
    let mut config = NodeConfig::new(args.dir.join(name), Arc::new(MemorySecretStore::default()));
    config.link = LinkConfig {
        bind: args.bind.into_iter().collect(),
        stretch_idle_sleeps: args.stretch,
        ..LinkConfig::default()
    };
    config.argon = argon::FLOOR;
    config.display_name = Some(name.to_owned());
    Ok(Node::open(config)?)
}

/// What the threads tell the main thread.
enum Msg {
    /// Node `index` reported `event` at `unix_ms`.
    Event(usize, Event, u128),
    /// SIGUSR1: print the link statistics.
    Stats,
    /// SIGTERM or SIGINT: stop.
    Stop,
}

/// Pulls one node's events on its own thread. A blocked `next_event` costs nothing
/// while nothing happens; an early `None` means the node shut down.
fn watch_events(index: usize, node: Node, tx: mpsc::Sender<Msg>) {
    std::thread::spawn(move || loop {
        let started = Instant::now();
        let Some(event) = node.next_event(EVENT_WAIT) else {
            if started.elapsed() < EVENT_WAIT / 2 {
                return;
            }
            continue;
        };
        if tx.send(Msg::Event(index, event, unix_ms())).is_err() {
            return;
        }
    });
}

/// Turns SIGUSR1/SIGTERM/SIGINT into messages. The signals are blocked in every thread
/// (the mask is set before any thread starts) and taken here with `sigwait`.
fn watch_signals(set: SigSet, tx: mpsc::Sender<Msg>) {
    std::thread::spawn(move || loop {
        let msg = match set.wait() {
            Ok(Signal::SIGUSR1) => Msg::Stats,
            Ok(_) => Msg::Stop,
            Err(e) => {
                eprintln!("idle-node: sigwait failed: {e}");
                return;
            }
        };
        if tx.send(msg).is_err() {
            return;
        }
    });
}

/// Exits when the process that started us dies: a thread blocked in `poll` on the
/// parent's pidfd, which wakes only then.
fn exit_with_parent() -> Result<()> {
    use rustix::event::{poll, PollFd, PollFlags};
    use rustix::process::{getppid, pidfd_open, PidfdFlags};
    let parent = getppid().context("no parent")?;
    let fd = pidfd_open(parent, PidfdFlags::empty()).context("pidfd_open")?;
    // The parent may have died before the pidfd was opened.
    if getppid() != Some(parent) {
        bail!("the process that started me is already gone");
    }
    std::thread::spawn(move || {
        let mut fds = [PollFd::new(&fd, PollFlags::IN)];
        while poll(&mut fds, None).is_err() {}
        eprintln!("idle-node: the process that started me is gone; exiting");
        std::process::exit(2);
    });
    Ok(())
}

/// Per conversation, the last state shown, to print only changes.
type States = BTreeMap<(usize, String), PeerState>;

/// Records a state change; prints it once the setup is over (`show`).
fn take_event(states: &mut States, index: usize, event: Event, at: u128, show: bool) {
    let Event::PeerState { peer, state } = event else {
        return;
    };
    let was = states.insert((index, peer.clone()), state.clone());
    if !show {
        return;
    }
    let who = format!("{index}/{peer}");
    match (&was, &state) {
        (Some(PeerState::Connected), PeerState::Reconnecting { .. }) => {
            println!("lost {at} {who}");
        }
        (Some(PeerState::Connected), PeerState::Connected) => {}
        (_, PeerState::Connected) => println!("back {at} {who}"),
        (Some(PeerState::Reconnecting { .. }), PeerState::Reconnecting { .. }) => {}
        _ => println!("state {at} {who} {state:?}"),
    }
}

fn connected_count(states: &States) -> usize {
    states
        .values()
        .filter(|s| **s == PeerState::Connected)
        .count()
}

/// Makes the codes, loads the other side's, and waits until every conversation is
/// connected (bounded).
fn introduce(
    args: &Args,
    nodes: &[Node],
    rx: &mpsc::Receiver<Msg>,
    states: &mut States,
) -> Result<()> {
    let code = |kind: &str, i: usize| args.dir.join(format!("{kind}-{i}.code"));
    let mut pending: Vec<usize> = (0..args.contacts).collect();
    if args.role == Role::Invite {
        for i in 0..args.contacts {
            let invite = nodes[0].create_invite(InviteRequest {
                protection: Protection::Open,
                lifetime_secs: None,
            })?;
            write_atomic(&code("invite", i), &invite.code)?;
        }
    }
    let deadline = Instant::now() + args.timeout;
    while !pending.is_empty() || connected_count(states) < args.contacts {
        let mut left = Vec::new();
        for i in pending {
            match args.role {
                Role::Invite => match read_if_there(&code("reply", i))? {
                    Some(reply) => {
                        nodes[0].accept_reply(&reply)?;
                    }
                    None => left.push(i),
                },
                Role::Join => match read_if_there(&code("invite", i))? {
                    Some(invite) => {
                        let joined = nodes[i].join(&invite, None)?;
                        write_atomic(&code("reply", i), &joined.reply_code)?;
                    }
                    None => left.push(i),
                },
            }
        }
        pending = left;
        match rx.recv_timeout(POLL) {
            Ok(Msg::Event(index, event, at)) => take_event(states, index, event, at, false),
            Ok(Msg::Stop) => bail!("stopped before connecting"),
            Ok(Msg::Stats) | Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => bail!("event threads ended"),
        }
        if Instant::now() >= deadline {
            bail!(
                "{} of {} conversations connected within {:?} ({} codes not loaded)",
                connected_count(states),
                args.contacts,
                args.timeout,
                pending.len()
            );
        }
    }
    Ok(())
}

/// Puts every node on `pace` and waits (bounded) until every link uses it: both ends
/// agree through a `Pace` frame.
fn apply_pace(args: &Args, nodes: &[Node]) -> Result<()> {
    for node in nodes {
        node.set_pace(args.pace);
    }
    let deadline = Instant::now() + args.timeout;
    loop {
        let all = nodes.iter().all(|node| {
            node.peers().iter().all(|p| {
                node.link_stats(&p.peer)
                    .is_some_and(|s| s.pace == args.pace)
            })
        });
        if all {
            return Ok(());
        }
        if Instant::now() >= deadline {
            bail!(
                "the links did not reach {:?} within {:?}",
                args.pace,
                args.timeout
            );
        }
        std::thread::sleep(POLL);
    }
}

/// One JSON object with every link's pace, driver sleeps and wire counts.
fn stats(nodes: &[Node]) -> serde_json::Value {
    let mut links = Vec::new();
    for (index, node) in nodes.iter().enumerate() {
        for p in node.peers() {
            let Some(s) = node.link_stats(&p.peer) else {
                links.push(serde_json::json!({ "node": index, "peer": p.peer, "link": false }));
                continue;
            };
            links.push(serde_json::json!({
                "node": index,
                "peer": p.peer,
                "link": true,
                "pace": format!("{:?}", s.pace),
                "driver_sleeps": s.driver_sleeps,
                "packets_in": s.wire.packets_in,
                "packets_out": s.wire.packets_out,
                "bytes_in": s.wire.bytes_in,
                "bytes_out": s.wire.bytes_out,
            }));
        }
    }
    serde_json::json!({ "at_ms": unix_ms() as u64, "links": links })
}

fn run(args: &Args, signals: SigSet) -> Result<()> {
    let (tx, rx) = mpsc::channel();
    watch_signals(signals, tx.clone());
    let names: Vec<String> = match args.role {
        Role::Invite => vec!["hub".to_owned()],
        Role::Join => (0..args.contacts).map(|i| format!("contact-{i}")).collect(),
    };
    let mut nodes = Vec::new();
    for (index, name) in names.iter().enumerate() {
        let node = open_node(args, name)?;
        watch_events(index, node.clone(), tx.clone());
        nodes.push(node);
    }
    drop(tx);
    let mut states = States::new();
    introduce(args, &nodes, &rx, &mut states)?;
    println!("connected {}", args.contacts);
    apply_pace(args, &nodes)?;
    println!("paced {}", format!("{:?}", args.pace).to_lowercase());

    let end = Instant::now() + args.lifetime;
    let mut requests = 0u64;
    loop {
        let left = end.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(Msg::Event(index, event, at)) => take_event(&mut states, index, event, at, true),
            Ok(Msg::Stats) => {
                requests += 1;
                println!("stats {requests} {}", stats(&nodes));
            }
            Ok(Msg::Stop) => {
                println!("bye");
                return Ok(());
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                return Err(anyhow!("lifetime of {:?} over", args.lifetime))
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => bail!("every watcher ended"),
        }
    }
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    // Before any thread starts, so every thread inherits the mask and only the signal
    // thread takes them.
    let mut signals = SigSet::empty();
    for s in [Signal::SIGUSR1, Signal::SIGTERM, Signal::SIGINT] {
        signals.add(s);
    }
    let outcome = signals
        .thread_block()
        .context("blocking signals")
        .and_then(|()| exit_with_parent())
        .and_then(|()| parse_args())
        .and_then(|args| run(&args, signals));
    match outcome {
        Ok(()) => {
            // The nodes' goodbyes are not waited for: the benchmark stops both ends.
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!("idle-node: {e:#}");
            std::process::exit(1);
        }
    }
}
