//! Fixed packet delay and random loss without `tc netem` (this machine's kernel is
//! built without CONFIG_NET_SCH_NETEM): an iptables rule sends packets to an NFQUEUE
//! queue, and this program drops a random `--loss-percent` of them and holds each of
//! the others for `--delay-ms` before it tells the kernel to let it go on.
//!
//! Loss here, unlike an iptables `DROP` in `OUTPUT`, is invisible to the sender — a
//! queued packet's `sendto` has already succeeded — as on a real network; and the
//! kernel hands GSO batches to the queue one datagram at a time, so each datagram is
//! lost on its own rather than a whole batch together.
//!
//! Runs inside the network namespace whose rules queue the packets: netfilter queues
//! belong to one namespace, so a netdelay outside it would never see them. The harness
//! (`Netns::delay`) starts it, waits for its `ready` line, then installs the rule with
//! `--queue-bypass`, so traffic flows undelayed whenever no netdelay is bound.
//!
//! - **Order**: the delay is the same for every packet, so releasing in arrival order
//!   releases each at its due time; verdicts go out in that order and the kernel
//!   reinjects them in that order.
//! - **Bounded memory**: at most `--limit` packets (default 1000, netem's default) are
//!   held. Beyond that new packets are **dropped**, both by the kernel (queue length
//!   set to the limit, fail-open off) and, as a second fence, here. Dropping is what
//!   netem's `limit` and any real bottleneck buffer do; accepting at once instead would
//!   let later packets overtake earlier ones with no delay, silently changing the
//!   network being simulated. Only metadata is copied (copy range 0): a held packet
//!   costs a few hundred bytes here, and no packet content is ever parsed, so odd
//!   packets cannot upset it.
//! - **Clean stop** on SIGTERM, SIGINT, SIGHUP, on standard input closing (the harness
//!   holds the other end, so netdelay never outlives the test) and when its parent
//!   dies: every held packet is accepted at once, in order, before the queue is
//!   unbound — an unbound queue's held packets would be dropped by the kernel.
//!   `--ignore-stdin` turns the standard-input trigger off for manual runs.
//! - **Waiting**: `poll` on the queue socket, the signalfd and standard input, with a
//!   timeout at the next packet's due time, so releases are exact to well under a
//!   millisecond and an idle netdelay sleeps. nfq keeps its socket's descriptor
//!   private, so netdelay gets a duplicate of its own descriptor with `pidfd_getfd`
//!   (safe, no `unsafe`), and also raises that socket's receive buffer to
//!   [`NETLINK_RCVBUF`]: at the default ~208 KiB a burst of ~250 packets overflows it
//!   and the kernel drops the rest (`user_dropped`). Without `pidfd_getfd` (Linux
//!   < 5.6) it falls back to looking every millisecond.
//!
//! Prints `ready queue=N delay_ms=D loss_percent=P limit=L rcvbuf=B` once bound and, on exit,
//! `stopped released=R lost=L dropped=D errors=E kernel_dropped=K user_dropped=U`.
//!
//! Usage: `netdelay --queue N --delay-ms D [--loss-percent P] [--seed S] [--limit L]
//! [--ignore-stdin]`

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use nfq::{Message, Queue, Verdict};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::net::{netlink, sockopt, AddressFamily};
use rustix::process::{getpid, pidfd_getfd, pidfd_open, PidfdFlags, PidfdGetfdFlags};

/// Longest wait between looks when nothing is due: the parent check runs this often.
const IDLE_WAKE: Duration = Duration::from_millis(100);
/// Wait between looks when the queue socket cannot be waited on (no `pidfd_getfd`).
const TICK: Duration = Duration::from_millis(1);
/// Packets taken from the socket per look, so a flood cannot starve releases.
const MAX_BATCH: usize = 4096;
/// Consecutive socket errors after which the queue is considered broken: exit, and
/// `--queue-bypass` lets traffic through undelayed.
const MAX_ERRORS_IN_A_ROW: u32 = 1000;
/// Receive buffer for the queue socket: ~5000 queued-packet notices of burst room.
const NETLINK_RCVBUF: usize = 4 << 20;

/// Command-line options.
struct Options {
    queue: u16,
    delay: Duration,
    /// Probability (0.0–1.0) that a packet is dropped on arrival.
    loss: f64,
    seed: u64,
    limit: usize,
    ignore_stdin: bool,
}

/// What happened, printed on exit.
#[derive(Default)]
struct Counts {
    released: u64,
    lost: u64,
    dropped: u64,
    errors: u64,
}

fn main() -> Result<()> {
    let opts = parse_args()?;
    // Block the stop signals (no thread exists yet, so all inherit the mask) and read
    // them from a signalfd in the loop instead.
    let mut signals = SigSet::empty();
    for s in [Signal::SIGTERM, Signal::SIGINT, Signal::SIGHUP] {
        signals.add(s);
    }
    signals.thread_block().context("blocking stop signals")?;
    let signal_fd =
        SignalFd::with_flags(&signals, SfdFlags::SFD_NONBLOCK).context("opening signalfd")?;

    let mut queue = open_queue(&opts)?;
    let queue_fd = match queue_socket() {
        Ok(fd) => {
            if let Err(e) = sockopt::set_socket_recv_buffer_size_force(&fd, NETLINK_RCVBUF) {
                eprintln!("netdelay: could not enlarge the queue socket buffer: {e}");
            }
            Some(fd)
        }
        Err(e) => {
            eprintln!("netdelay: cannot wait on the queue socket ({e:#}); looking every {TICK:?}");
            None
        }
    };
    // 0 when the socket cannot be reached (the fallback).
    let rcvbuf = queue_fd
        .as_ref()
        .and_then(|fd| sockopt::socket_recv_buffer_size(fd).ok())
        .unwrap_or(0);
    println!(
        "ready queue={} delay_ms={} loss_percent={} limit={} rcvbuf={rcvbuf}",
        opts.queue,
        opts.delay.as_millis(),
        opts.loss * 100.0,
        opts.limit
    );
    std::io::stdout().flush().ok();

    let stdin = std::io::stdin();
    let parent = std::os::unix::process::parent_id();
    let mut held: VecDeque<(Instant, Message)> = VecDeque::with_capacity(opts.limit.min(1024));
    let mut counts = Counts::default();
    let mut errors_in_a_row = 0u32;
    let mut dice = Dice::new(opts.seed);
    let why = loop {
        if let Ok(Some(info)) = signal_fd.read_signal() {
            break format!("signal {}", info.ssi_signo);
        }
        if std::os::unix::process::parent_id() != parent {
            break "parent exited".to_owned();
        }
        if errors_in_a_row >= MAX_ERRORS_IN_A_ROW {
            break format!("{errors_in_a_row} socket errors in a row");
        }

        // Take what arrived.
        for _ in 0..MAX_BATCH {
            match queue.recv() {
                Ok(msg) => {
                    errors_in_a_row = 0;
                    if opts.loss > 0.0 && dice.below(opts.loss) {
                        settle(&mut queue, msg, Verdict::Drop, &mut counts);
                        counts.lost += 1;
                    } else if held.len() >= opts.limit {
                        settle(&mut queue, msg, Verdict::Drop, &mut counts);
                        counts.dropped += 1;
                    } else {
                        held.push_back((Instant::now() + opts.delay, msg));
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    // E.g. the kernel refusing a verdict: reported, never fatal alone.
                    counts.errors += 1;
                    errors_in_a_row += 1;
                    eprintln!("netdelay: receiving: {e}");
                    break;
                }
            }
        }

        // Let go of what is due, oldest first.
        let now = Instant::now();
        while held.front().is_some_and(|(due, _)| *due <= now) {
            if let Some((_, msg)) = held.pop_front() {
                settle(&mut queue, msg, Verdict::Accept, &mut counts);
                counts.released += 1;
            }
        }

        // Sleep until a packet arrives, one is due, a signal comes or stdin closes.
        let until_due = held
            .front()
            .map_or(IDLE_WAKE, |(due, _)| due.saturating_duration_since(now));
        let Some(queue_fd) = &queue_fd else {
            std::thread::sleep(until_due.min(TICK));
            if !opts.ignore_stdin && stdin_closed(&stdin, Duration::ZERO) {
                break "stdin closed".to_owned();
            }
            continue;
        };
        let mut fds = vec![
            PollFd::new(queue_fd, PollFlags::IN),
            PollFd::new(&signal_fd, PollFlags::IN),
        ];
        if !opts.ignore_stdin {
            fds.push(PollFd::from_borrowed_fd(stdin.as_fd(), PollFlags::IN));
        }
        let timeout = Timespec::try_from(until_due.min(IDLE_WAKE)).unwrap_or(Timespec {
            tv_sec: 0,
            tv_nsec: 1_000_000,
        });
        match poll(&mut fds, Some(&timeout)) {
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => {
                counts.errors += 1;
                errors_in_a_row += 1;
                eprintln!("netdelay: poll: {e}");
            }
        }
        let stdin_ready = fds.get(2).is_some_and(|fd| !fd.revents().is_empty());
        drop(fds);
        if stdin_ready && stdin_closed(&stdin, Duration::ZERO) {
            break "stdin closed".to_owned();
        }
    };

    eprintln!(
        "netdelay: stopping ({why}); releasing {} held packets",
        held.len()
    );
    while let Some((_, msg)) = held.pop_front() {
        settle(&mut queue, msg, Verdict::Accept, &mut counts);
        counts.released += 1;
    }
    let (kernel_dropped, user_dropped) = kernel_drops(opts.queue);
    if let Err(e) = queue.unbind(opts.queue) {
        eprintln!("netdelay: unbinding queue {}: {e}", opts.queue);
    }
    println!(
        "stopped released={} lost={} dropped={} errors={} kernel_dropped={kernel_dropped} \
         user_dropped={user_dropped}",
        counts.released, counts.lost, counts.dropped, counts.errors
    );
    std::io::stdout().flush().ok();
    Ok(())
}

/// Standard input has reached its end (or failed), checked without blocking when
/// `poll` said it is readable; data written to it is read and ignored.
fn stdin_closed(stdin: &std::io::Stdin, wait: Duration) -> bool {
    let mut fds = [PollFd::from_borrowed_fd(stdin.as_fd(), PollFlags::IN)];
    let timeout = Timespec::try_from(wait).unwrap_or(Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    });
    match poll(&mut fds, Some(&timeout)) {
        Ok(0) => false,
        Ok(_) => {
            let mut sink = [0u8; 256];
            !matches!(stdin.lock().read(&mut sink), Ok(n) if n > 0)
        }
        Err(_) => true,
    }
}

/// A duplicate of nfq's netlink socket, found among this process's descriptors (the
/// only `NETLINK_NETFILTER` socket) and fetched with `pidfd_getfd`.
fn queue_socket() -> Result<OwnedFd> {
    let me = pidfd_open(getpid(), PidfdFlags::empty()).context("pidfd_open")?;
    for entry in std::fs::read_dir("/proc/self/fd").context("listing /proc/self/fd")? {
        let Ok(entry) = entry else { continue };
        let Some(number) = entry.file_name().to_str().and_then(|n| n.parse().ok()) else {
            continue;
        };
        let is_socket = std::fs::read_link(entry.path())
            .is_ok_and(|target| target.to_string_lossy().starts_with("socket:"));
        if !is_socket {
            continue;
        }
        let Ok(fd) = pidfd_getfd(&me, number, PidfdGetfdFlags::empty()) else {
            continue;
        };
        if sockopt::socket_domain(&fd).ok() == Some(AddressFamily::NETLINK)
            && sockopt::socket_protocol(&fd).ok().flatten() == Some(netlink::NETFILTER)
        {
            return Ok(fd);
        }
    }
    bail!("no netfilter netlink socket among this process's descriptors")
}

/// Bind the queue: metadata only, kernel-side length capped at the limit, fail-open
/// off (the kernel drops beyond the limit), non-blocking reads.
fn open_queue(opts: &Options) -> Result<Queue> {
    let mut queue = Queue::open().context("opening the netfilter queue socket (root?)")?;
    queue
        .bind(opts.queue)
        .with_context(|| format!("binding queue {} (is another program on it?)", opts.queue))?;
    queue
        .set_copy_range(opts.queue, 0)
        .context("setting copy range")?;
    let max_len = u32::try_from(opts.limit).unwrap_or(u32::MAX);
    queue
        .set_queue_max_len(opts.queue, max_len)
        .context("setting queue length")?;
    queue
        .set_fail_open(opts.queue, false)
        .context("turning fail-open off")?;
    queue.set_nonblocking(true);
    Ok(queue)
}

/// Give `msg` its verdict; a refused verdict is counted and reported, not fatal.
fn settle(queue: &mut Queue, mut msg: Message, verdict: Verdict, counts: &mut Counts) {
    msg.set_verdict(verdict);
    if let Err(e) = queue.verdict(msg) {
        counts.errors += 1;
        eprintln!("netdelay: verdict: {e}");
    }
}

/// The kernel's drop counters for `queue` (queue full; failed to reach us), from
/// /proc/net/netfilter/nfnetlink_queue of this namespace; zeros if unreadable.
fn kernel_drops(queue: u16) -> (u64, u64) {
    let Ok(table) = std::fs::read_to_string("/proc/net/netfilter/nfnetlink_queue") else {
        return (0, 0);
    };
    // queue_number peer_portid queue_total copy_mode copy_range queue_dropped
    // user_dropped id_sequence 1
    table
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.first().and_then(|n| n.parse::<u16>().ok()) == Some(queue))
        .map(|f| {
            let field = |i: usize| f.get(i).and_then(|v| v.parse().ok()).unwrap_or(0);
            (field(5), field(6))
        })
        .unwrap_or((0, 0))
}

fn parse_args() -> Result<Options> {
    const USAGE: &str = "usage: netdelay --queue N --delay-ms D [--loss-percent P] \
                         [--seed S] [--limit L] [--ignore-stdin]";
    let mut queue = None;
    let mut delay = None;
    let mut loss_percent = 0.0f64;
    let mut seed = None;
    let mut limit = 1000usize;
    let mut ignore_stdin = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--ignore-stdin" {
            ignore_stdin = true;
            continue;
        }
        let value = args
            .next()
            .with_context(|| format!("{arg} needs a value; {USAGE}"))?;
        match arg.as_str() {
            "--queue" => queue = Some(value.parse().context("--queue 0..65535")?),
            "--delay-ms" => {
                delay = Some(Duration::from_millis(
                    value.parse().context("--delay-ms N (whole milliseconds)")?,
                ))
            }
            "--loss-percent" => loss_percent = value.parse().context("--loss-percent 0..100")?,
            "--seed" => seed = Some(value.parse().context("--seed N")?),
            "--limit" => limit = value.parse().context("--limit N")?,
            other => bail!("unknown option {other}; {USAGE}"),
        }
    }
    if limit == 0 {
        bail!("--limit must be at least 1");
    }
    if !(0.0..=100.0).contains(&loss_percent) {
        bail!("--loss-percent must be within 0..100");
    }
    // Without a seed, a different loss pattern each run (time and PID).
    let seed = seed.unwrap_or_else(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        now.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32)
    });
    Ok(Options {
        queue: queue.context(USAGE)?,
        delay: delay.context(USAGE)?,
        loss: loss_percent / 100.0,
        seed,
        limit,
        ignore_stdin,
    })
}

/// A small non-cryptographic random source for loss decisions (splitmix64): the
/// pattern only has to look random to a transport, and `--seed` makes it repeatable.
struct Dice(u64);

impl Dice {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// True with probability `p` (0.0–1.0).
    fn below(&mut self, p: f64) -> bool {
        // 53 random bits → a uniform float in [0, 1).
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}
