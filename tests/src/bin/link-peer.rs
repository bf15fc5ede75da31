//! One side of a Tincan link as its own process, for network-namespace tests: drives
//! `tincan_core::link` directly (no codes, no node), exchanging SDPs through files the
//! way people exchange codes through a messenger.
//!
//! ```text
//! link-peer --role offer  --write offer.sdp  --read answer.sdp --secrets s.json [--bind IP:0] [--stun URL]
//! link-peer --role answer --read offer.sdp   --write answer.sdp [--followup fresh.sdp --first-wait SECS]
//! ```
//!
//! The offerer persists its `LinkSecrets` (JSON) and reuses them when started again, so
//! a restarted offerer can complete the old offer. An answerer given `--followup` waits
//! `--first-wait` seconds for the channel; if it has not opened, it reads the restarted
//! offerer's fresh SDP from that file and adds its candidates to the existing
//! connection — the link-level half of the follow-up code.
//!
//! Prints, one per line: `wrote <path>`, `accepted` (offerer), `not-open <why>`, `added <n>`, `open`,
//! `selected <pair>`, `received <n>`, `done`. Exits non-zero on any failure. Every
//! wait is bounded (`--timeout`, default 20 s) and the whole run by `--lifetime`
//! (default 90 s), and it exits when the process that started it dies, so a forgotten
//! process ends by itself.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use tincan_core::link::{self, IceServer, Link, LinkConfig, LinkSecrets, PendingOffer};

/// How often a file being waited for is looked at.
const POLL: Duration = Duration::from_millis(20);
/// How long the answerer waits for the offerer's goodbye after the last message.
const GOODBYE_WAIT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Offer,
    Answer,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Offer => "offer",
            Role::Answer => "answer",
        }
    }

    fn peer(self) -> Self {
        match self {
            Role::Offer => Role::Answer,
            Role::Answer => Role::Offer,
        }
    }
}

#[derive(Debug)]
struct Args {
    role: Role,
    read: PathBuf,
    write: PathBuf,
    secrets: Option<PathBuf>,
    bind: Vec<std::net::SocketAddr>,
    stun: Vec<String>,
    followup: Option<PathBuf>,
    first_wait: Duration,
    messages: u32,
    timeout: Duration,
    lifetime: Duration,
    accept_delay: Duration,
    check_window: Option<Duration>,
}

fn parse_args() -> Result<Args> {
    let mut role = None;
    let (mut read, mut write, mut secrets, mut followup) = (None, None, None, None);
    let mut bind = Vec::new();
    let mut stun = Vec::new();
    let mut first_wait = Duration::from_secs(5);
    let mut messages = 3;
    let mut timeout = Duration::from_secs(20);
    let mut lifetime = Duration::from_secs(90);
    let mut accept_delay = Duration::ZERO;
    let mut check_window = None;
    let secs = |v: &str| -> Result<Duration> {
        Ok(Duration::from_secs_f64(v.parse().context("seconds")?))
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let v = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--role" => {
                role = Some(match v.as_str() {
                    "offer" => Role::Offer,
                    "answer" => Role::Answer,
                    _ => bail!("--role offer|answer"),
                })
            }
            "--read" => read = Some(PathBuf::from(v)),
            "--write" => write = Some(PathBuf::from(v)),
            "--secrets" => secrets = Some(PathBuf::from(v)),
            "--bind" => bind.push(v.parse().context("--bind IP:PORT")?),
            "--stun" => stun.push(v),
            "--followup" => followup = Some(PathBuf::from(v)),
            "--first-wait" => first_wait = secs(&v)?,
            "--messages" => messages = v.parse().context("--messages N")?,
            "--timeout" => timeout = secs(&v)?,
            "--lifetime" => lifetime = secs(&v)?,
            "--accept-delay" => accept_delay = secs(&v)?,
            "--check-window" => check_window = Some(secs(&v)?),
            other => bail!("unknown option {other} (see the module docs for usage)"),
        }
    }
    Ok(Args {
        role: role.context("--role offer|answer is required")?,
        read: read.context("--read PATH is required")?,
        write: write.context("--write PATH is required")?,
        secrets,
        bind,
        stun,
        followup,
        first_wait,
        messages,
        timeout,
        lifetime,
        accept_delay,
        check_window,
    })
}

/// Wait (bounded) until `path` exists, then read it. Writers rename into place, so a
/// file that exists is complete.
async fn read_when_ready(path: &Path, timeout: Duration) -> Result<String> {
    let deadline = Instant::now() + timeout;
    loop {
        match std::fs::read_to_string(path) {
            Ok(text) => return Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| path.display().to_string()),
        }
        if Instant::now() >= deadline {
            bail!("{} did not appear within {timeout:?}", path.display());
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Write `text` to `path` atomically (temp file + rename), so a reader never sees half.
fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| tmp.display().to_string())?;
    std::fs::rename(&tmp, path).with_context(|| path.display().to_string())
}

/// Load the persisted secrets, or make and persist new ones.
fn secrets(path: Option<&Path>) -> Result<LinkSecrets> {
    let Some(path) = path else {
        return Ok(LinkSecrets::generate()?);
    };
    if path.exists() {
        let text = std::fs::read_to_string(path)?;
        let s: LinkSecrets = serde_json::from_str(&text).context("parsing the secrets file")?;
        s.validate()?;
        return Ok(s);
    }
    let s = LinkSecrets::generate()?;
    write_atomic(path, &serde_json::to_string(&s)?)?;
    Ok(s)
}

async fn connect(args: &Args, config: &LinkConfig) -> Result<Link> {
    let secrets = secrets(args.secrets.as_deref())?;
    match args.role {
        Role::Offer => {
            let offer = PendingOffer::create(config, &secrets).await?;
            write_atomic(&args.write, offer.local_sdp())?;
            println!("wrote {}", args.write.display());
            // The reply code takes a while to come back (a person carries it).
            tokio::time::sleep(args.accept_delay).await;
            let answer = read_when_ready(&args.read, args.timeout).await?;
            let link = offer.accept(&answer).await?;
            println!("accepted");
            link.wait_open(args.timeout).await?;
            Ok(link)
        }
        Role::Answer => {
            let offer = read_when_ready(&args.read, args.timeout).await?;
            let (answer, link) = link::answer(config, &secrets, &offer).await?;
            write_atomic(&args.write, &answer)?;
            println!("wrote {}", args.write.display());
            let Some(followup) = &args.followup else {
                link.wait_open(args.timeout).await?;
                return Ok(link);
            };
            match link.wait_open(args.first_wait).await {
                Ok(()) => return Ok(link),
                Err(e) => println!("not-open {e}"),
            }
            let fresh = read_when_ready(followup, args.timeout).await?;
            let added = link.add_remote_candidates(&fresh).await?;
            println!("added {added}");
            link.wait_open(args.timeout).await?;
            Ok(link)
        }
    }
}

async fn talk(args: &Args, link: &Link) -> Result<()> {
    let me = args.role.name();
    let peer = args.role.peer().name();
    for i in 0..args.messages {
        link.send(format!("{me} {i}").as_bytes()).await?;
    }
    for i in 0..args.messages {
        let got = tokio::time::timeout(args.timeout, link.recv())
            .await
            .map_err(|_| anyhow!("message {i} did not arrive within {:?}", args.timeout))?
            .ok_or_else(|| anyhow!("link closed before message {i}"))?;
        let want = format!("{peer} {i}");
        if got.as_ref() != want.as_bytes() {
            bail!(
                "message {i}: got {:?}, want {want:?}",
                String::from_utf8_lossy(&got)
            );
        }
    }
    println!("received {}", args.messages);
    // The offerer hangs up first; the answerer waits (bounded) to see that goodbye.
    if args.role == Role::Answer {
        let _ = tokio::time::timeout(GOODBYE_WAIT, link.recv()).await;
    }
    link.close().await?;
    Ok(())
}

async fn run(args: Args) -> Result<()> {
    let config = LinkConfig {
        bind: args.bind.clone(),
        ice_servers: args
            .stun
            .iter()
            .map(|url| IceServer {
                urls: vec![url.clone()],
                username: String::new(),
                credential: String::new(),
            })
            .collect(),
        ..LinkConfig::default()
    };
    let config = match args.check_window {
        // Keep checking each pair this long (at the default interval).
        Some(window) => LinkConfig {
            ice_max_checks: u16::try_from(
                window.as_millis() / config.ice_check_interval.as_millis().max(1),
            )
            .unwrap_or(u16::MAX)
            .max(1),
            ..config
        },
        None => config,
    };
    let link = connect(&args, &config).await?;
    println!("open");
    let pair = link.selected_pair().await.unwrap_or_default();
    println!("selected {pair}");
    talk(&args, &link).await?;
    println!("done");
    Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    // `RUST_LOG=rtc_ice=debug` (passed through `ip netns exec`) shows what ICE does.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    // If the test that started us dies, we are re-parented: stop with it.
    let parent = std::os::unix::process::parent_id();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(200)).await;
            if std::os::unix::process::parent_id() != parent {
                eprintln!("link-peer: the process that started me is gone; exiting");
                std::process::exit(2);
            }
        }
    });
    let outcome = match parse_args() {
        Ok(args) => {
            let lifetime = args.lifetime;
            tokio::time::timeout(lifetime, run(args))
                .await
                .unwrap_or_else(|_| Err(anyhow!("gave up after the {lifetime:?} lifetime")))
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // One line, no backtrace: the test shows this in its failure message.
            eprintln!("link-peer: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
