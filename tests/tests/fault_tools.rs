//! The fault tools the link tests rely on do what they say, measured with plain UDP
//! between two namespaces: added delay (netdelay over NFQUEUE, since this kernel has
//! no `tc netem`), random loss (`Netns::lose`, and netdelay's own loss the sender
//! cannot see), delay and loss at once, the cap on held packets, a clean stop that
//! releases held packets, odd packets (empty, fragmented, IPv6, TCP), and a host's
//! address moving to a new link.
//!
//! The test process opens its sockets inside the namespaces (`Netns::udp_socket`), so
//! one clock times both ends. Needs root (CI runs every test as root); without it every
//! test here fails and says so. Every wait is bounded in time and count.

use std::io::ErrorKind;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use tincan_tests::address_move::Side;
use tincan_tests::delay::Impairment;
use tincan_tests::netns::{self, Lan};

const DELAY: Duration = Duration::from_millis(200);
const ECHO_PORT: u16 = 7000;
const SINK_PORT: u16 = 7001;
/// How long a receiver waits for the next datagram before it calls the stream over
/// (longer than any delay used here).
const QUIET: Duration = Duration::from_secs(2);

fn at(addr: Ipv4Addr, port: u16) -> SocketAddr {
    SocketAddr::V4(SocketAddrV4::new(addr, port))
}

/// Answers every datagram with the same bytes until `stop` is set (bounded by `limit`).
fn echo(socket: &UdpSocket, stop: &AtomicBool, limit: Duration) -> Result<()> {
    socket.set_read_timeout(Some(Duration::from_millis(20)))?;
    let end = Instant::now() + limit;
    let mut buf = [0u8; 1500];
    while !stop.load(Ordering::SeqCst) && Instant::now() < end {
        match socket.recv_from(&mut buf) {
            Ok((n, from)) => {
                let reply = buf.get(..n).unwrap_or_default();
                socket.send_to(reply, from)?;
            }
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// Round trips of `count` sequential pings from `client` to the echo at `to`.
fn ping(client: &UdpSocket, to: SocketAddr, count: u32) -> Result<Vec<Duration>> {
    client.set_read_timeout(Some(Duration::from_secs(2)))?;
    let mut rtts = Vec::new();
    let mut buf = [0u8; 64];
    for seq in 0..count {
        let start = Instant::now();
        client.send_to(&seq.to_be_bytes(), to)?;
        // Skip stale replies to earlier pings; bounded by the read timeout.
        loop {
            let (n, _) = client
                .recv_from(&mut buf)
                .with_context(|| format!("no echo for ping {seq}"))?;
            if buf.get(..n) == Some(&seq.to_be_bytes()[..]) {
                break;
            }
        }
        rtts.push(start.elapsed());
    }
    Ok(rtts)
}

fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Run an echo on `server` while `body` runs; the echo stops when `body` returns.
fn with_echo<T>(server: &UdpSocket, body: impl FnOnce() -> Result<T>) -> Result<T> {
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let echo = s.spawn(|| echo(server, &stop, Duration::from_secs(60)));
        let result = body();
        stop.store(true, Ordering::SeqCst);
        let echoed = echo
            .join()
            .map_err(|_| anyhow::anyhow!("echo thread panicked"))?;
        echoed?;
        result
    })
}

/// One numbered datagram as it arrived: its number and its one-way time.
#[derive(Debug, Clone, Copy)]
struct Arrival {
    seq: u32,
    one_way: Duration,
}

/// What one [`stream`] saw.
#[derive(Debug)]
struct Run {
    /// In arrival order.
    arrivals: Vec<Arrival>,
    /// `sendto` calls that failed (an iptables DROP on the sender's way out: EPERM).
    send_errors: u32,
}

impl Run {
    /// Percentage of `count` sent datagrams that never arrived.
    fn lost_percent(&self, count: u32) -> f64 {
        100.0 * (f64::from(count) - self.arrivals.len() as f64) / f64::from(count)
    }

    fn one_way_range(&self) -> (Duration, Duration) {
        let times = self.arrivals.iter().map(|a| a.one_way);
        (
            times.clone().min().unwrap_or_default(),
            times.max().unwrap_or_default(),
        )
    }

    /// Every arrival's number is larger than the one before.
    fn in_order(&self) -> bool {
        self.arrivals.windows(2).all(|w| w[0].seq < w[1].seq)
    }
}

/// Send `count` numbered datagrams from `tx` to `rx` (a gap of `gap` after each) while
/// `rx` collects them. Ends when all arrived or nothing came for [`QUIET`], at most
/// 30 s. A failed `sendto` is counted, not fatal: it is how a local DROP shows.
fn stream(tx: &UdpSocket, rx: &UdpSocket, count: u32, gap: Duration) -> Result<Run> {
    let to = rx.local_addr()?;
    rx.set_read_timeout(Some(Duration::from_millis(50)))?;
    let start = Instant::now();
    let mut send_errors = 0;
    std::thread::scope(|s| {
        let receiver = s.spawn(|| -> Result<Vec<Arrival>> {
            let mut got = Vec::new();
            let mut buf = [0u8; 64];
            let mut last = Instant::now();
            let end = start + Duration::from_secs(30);
            while (got.len() as u32) < count && last.elapsed() < QUIET {
                if Instant::now() > end {
                    break;
                }
                match rx.recv_from(&mut buf) {
                    Ok((n, _)) => {
                        last = Instant::now();
                        // Datagram: 4-byte sequence number, 8-byte send offset in µs.
                        let (Some(seq), Some(sent)) = (buf.get(..4), buf.get(4..12)) else {
                            continue;
                        };
                        if n < 12 {
                            continue;
                        }
                        let seq = u32::from_be_bytes(seq.try_into()?);
                        let sent = Duration::from_micros(u64::from_be_bytes(sent.try_into()?));
                        got.push(Arrival {
                            seq,
                            one_way: start.elapsed().saturating_sub(sent),
                        });
                    }
                    Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(got)
        });
        for seq in 0..count {
            let mut datagram = [0u8; 12];
            datagram[..4].copy_from_slice(&seq.to_be_bytes());
            let sent = start.elapsed().as_micros() as u64;
            datagram[4..].copy_from_slice(&sent.to_be_bytes());
            if tx.send_to(&datagram, to).is_err() {
                send_errors += 1;
            }
            if !gap.is_zero() {
                std::thread::sleep(gap);
            }
        }
        let arrivals = receiver
            .join()
            .map_err(|_| anyhow::anyhow!("receiver thread panicked"))??;
        Ok(Run {
            arrivals,
            send_errors,
        })
    })
}

/// A socket in each host of the LAN: (`a` → its own address, `b` → its own address).
///
/// Both get 1 MiB buffers: delayed datagrams count against the sender's buffer until
/// released, and with the default ~208 KiB a 200 ms delay fills it after ~250 small
/// datagrams — `sendto` then blocks, and the wait would be counted as delay.
fn sockets(lan: &Lan, port: u16) -> Result<(UdpSocket, UdpSocket)> {
    let tx = lan.a.udp_socket(at(Lan::A_ADDR, 0))?;
    let rx = lan.b.udp_socket(at(Lan::B_ADDR, port))?;
    socket2::SockRef::from(&tx).set_send_buffer_size(1 << 20)?;
    socket2::SockRef::from(&rx).set_recv_buffer_size(1 << 20)?;
    Ok((tx, rx))
}

#[test]
fn delay_adds_to_round_trips_on_each_side_and_goes_away_with_the_guard() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    let (client, server) = sockets(&lan, ECHO_PORT)?;
    let to = at(Lan::B_ADDR, ECHO_PORT);
    with_echo(&server, || {
        let before = median(&ping(&client, to, 10)?);

        let a_delay = lan.a.delay(Lan::DEV, DELAY)?;
        let one_side = ping(&client, to, 10)?;
        let b_delay = lan.b.delay(Lan::DEV, DELAY)?;
        let both_sides = ping(&client, to, 10)?;
        let b_stats = b_delay.stop()?;
        let a_stats = a_delay.stop()?;
        let after = median(&ping(&client, to, 10)?);

        let min = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
        let max = |v: &[Duration]| v.iter().max().copied().unwrap_or_default();
        eprintln!(
            "RTT before {:.2} ms; a delayed min/median/max {:.1}/{:.1}/{:.1} ms; both \
             {:.1}/{:.1}/{:.1} ms; after {:.2} ms; netdelay a {a_stats:?}, b {b_stats:?}",
            ms(before),
            ms(min(&one_side)),
            ms(median(&one_side)),
            ms(max(&one_side)),
            ms(min(&both_sides)),
            ms(median(&both_sides)),
            ms(max(&both_sides)),
            ms(after),
        );
        ensure!(
            before < Duration::from_millis(50),
            "baseline RTT {before:?}"
        );
        ensure!(min(&one_side) >= DELAY, "one-side RTTs {one_side:?}");
        ensure!(
            max(&one_side) < DELAY + Duration::from_millis(150),
            "one-side RTTs {one_side:?}"
        );
        ensure!(
            min(&both_sides) >= DELAY * 2,
            "both-side RTTs {both_sides:?}"
        );
        ensure!(
            max(&both_sides) < DELAY * 2 + Duration::from_millis(150),
            "both-side RTTs {both_sides:?}"
        );
        ensure!(
            after < Duration::from_millis(50),
            "RTT after the guards dropped {after:?}"
        );
        // a delayed 20 pings, b 10 echoes; each went through netdelay, none lost.
        ensure!(
            a_stats.released >= 20 && b_stats.released >= 10,
            "{a_stats:?} {b_stats:?}"
        );
        for s in [a_stats, b_stats] {
            ensure!(
                s.dropped == 0 && s.errors == 0 && s.kernel_dropped == 0,
                "{s:?}"
            );
        }
        Ok(())
    })
}

#[test]
fn a_delayed_burst_arrives_complete_in_order_and_late() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    let (tx, rx) = sockets(&lan, SINK_PORT)?;
    let delay = lan.a.delay(Lan::DEV, DELAY)?;
    // Back to back: all 300 are held at once.
    let run = stream(&tx, &rx, 300, Duration::ZERO)?;
    let stats = delay.stop()?;
    let (earliest, latest) = run.one_way_range();
    eprintln!(
        "burst: {} of 300 arrived, one-way {:.1}..{:.1} ms, {stats:?}",
        run.arrivals.len(),
        ms(earliest),
        ms(latest)
    );
    ensure!(run.arrivals.len() == 300 && run.send_errors == 0, "{run:?}");
    ensure!(run.in_order(), "reordered: {run:?}");
    ensure!(earliest >= DELAY, "a datagram took only {earliest:?}");
    ensure!(
        latest < DELAY + Duration::from_millis(150),
        "a datagram took {latest:?}"
    );
    ensure!(
        stats.released >= 300 && stats.dropped == 0 && stats.errors == 0,
        "{stats:?}"
    );
    Ok(())
}

#[test]
fn an_impairment_holds_at_most_its_limit_and_drops_the_rest() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    let (tx, rx) = sockets(&lan, SINK_PORT)?;
    // IPv6 off on a's link: its own chatter (neighbour and router discovery, MLD) is
    // queued too and would take some of the 50 places.
    lan.a
        .sysctl(&format!("net.ipv6.conf.{}.disable_ipv6", Lan::DEV), "1")?;
    // 1 s of delay so the whole burst is sent long before the first release.
    let how = Impairment {
        delay: Duration::from_secs(1),
        limit: 50,
        ..Impairment::default()
    };
    let guard = lan.a.impair(Lan::DEV, how)?;
    let run = stream(&tx, &rx, 200, Duration::ZERO)?;
    let stats = guard.stop()?;
    eprintln!("limit 50: {} of 200 arrived, {stats:?}", run.arrivals.len());
    let seqs: Vec<u32> = run.arrivals.iter().map(|a| a.seq).collect();
    // Tail drop: the first 50 wait and arrive, the rest never do.
    ensure!(seqs == (0..50).collect::<Vec<_>>(), "arrived: {seqs:?}");
    ensure!(run.send_errors == 0, "{run:?}");
    ensure!(
        stats.released == 50 && stats.dropped + stats.kernel_dropped == 150,
        "expected 50 released, 150 dropped: {stats:?}"
    );
    Ok(())
}

/// N datagrams per loss measurement, a 0.2 ms gap after each.
const N: u32 = 1000;
const GAP: Duration = Duration::from_micros(200);

#[test]
fn ten_percent_loss_with_lose_loses_about_a_tenth() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    let (tx, rx) = sockets(&lan, SINK_PORT)?;
    // Without loss every datagram arrives: what goes missing below is the rule's doing.
    let baseline = stream(&tx, &rx, N, GAP)?;
    ensure!(
        baseline.arrivals.len() == N as usize,
        "without loss: {baseline:?}"
    );

    lan.a.lose(Lan::DEV, 0.10)?;
    let lossy = stream(&tx, &rx, N, GAP)?;
    lan.a.stop_losing(Lan::DEV, 0.10)?;
    let lost = lossy.lost_percent(N);
    eprintln!(
        "lose(0.10): {lost:.1}% of {N} lost; {} sendto calls failed (EPERM)",
        lossy.send_errors
    );
    ensure!((5.0..=16.0).contains(&lost), "lost {lost:.1}%");
    ensure!(lossy.in_order(), "loss reordered datagrams");
    // The drop is on a's way out: the sender is told, one failed sendto per loss.
    ensure!(
        lossy.send_errors as usize + lossy.arrivals.len() == N as usize,
        "{} send errors, {} arrived",
        lossy.send_errors,
        lossy.arrivals.len()
    );

    let healed = stream(&tx, &rx, 200, GAP)?;
    ensure!(
        healed.arrivals.len() == 200,
        "after stop_losing: {healed:?}"
    );
    Ok(())
}

#[test]
fn delay_and_lose_together() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    let (tx, rx) = sockets(&lan, SINK_PORT)?;
    lan.a.lose(Lan::DEV, 0.10)?;
    let delay = lan.a.delay(Lan::DEV, DELAY)?;
    let run = stream(&tx, &rx, N, GAP)?;
    let stats = delay.stop()?;
    lan.a.stop_losing(Lan::DEV, 0.10)?;
    let lost = run.lost_percent(N);
    let (earliest, latest) = run.one_way_range();
    eprintln!(
        "delay 200 ms + lose(0.10): {lost:.1}% lost, one-way {:.1}..{:.1} ms, {stats:?}",
        ms(earliest),
        ms(latest)
    );
    ensure!((5.0..=16.0).contains(&lost), "lost {lost:.1}%");
    ensure!(earliest >= DELAY, "a datagram took only {earliest:?}");
    ensure!(
        latest < DELAY + Duration::from_millis(150),
        "a datagram took {latest:?}"
    );
    ensure!(run.in_order(), "reordered");
    // Loss (filter OUTPUT) comes before the delay (mangle POSTROUTING): netdelay only
    // ever saw the survivors (and perhaps an IPv6 neighbour-discovery packet or two).
    ensure!(
        stats.released >= run.arrivals.len() as u64
            && stats.released <= run.arrivals.len() as u64 + 5,
        "{stats:?} vs {} arrived",
        run.arrivals.len()
    );
    Ok(())
}

#[test]
fn impairment_delays_and_loses_without_the_sender_noticing() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    let (tx, rx) = sockets(&lan, SINK_PORT)?;
    let how = Impairment {
        delay: DELAY,
        loss: 0.10,
        ..Impairment::default()
    };
    let guard = lan.a.impair(Lan::DEV, how)?;
    let run = stream(&tx, &rx, N, GAP)?;
    let stats = guard.stop()?;
    let lost = run.lost_percent(N);
    let (earliest, latest) = run.one_way_range();
    eprintln!(
        "impair(200 ms, 10%): {lost:.1}% lost, {} send errors, one-way {:.1}..{:.1} ms, \
         {stats:?}",
        run.send_errors,
        ms(earliest),
        ms(latest)
    );
    ensure!((5.0..=16.0).contains(&lost), "lost {lost:.1}%");
    ensure!(
        run.send_errors == 0,
        "the sender saw {} errors",
        run.send_errors
    );
    ensure!(earliest >= DELAY, "a datagram took only {earliest:?}");
    ensure!(
        latest < DELAY + Duration::from_millis(150),
        "a datagram took {latest:?}"
    );
    ensure!(run.in_order(), "reordered");
    ensure!(
        stats.lost >= u64::from(N) - run.arrivals.len() as u64,
        "{stats:?}"
    );
    Ok(())
}

#[test]
fn held_packets_go_out_when_netdelay_is_told_to_stop() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    let (tx, rx) = sockets(&lan, SINK_PORT)?;
    let guard = lan.a.delay(Lan::DEV, Duration::from_secs(5))?;
    let pid = guard.pid().context("no netdelay pid")?;
    rx.set_read_timeout(Some(Duration::from_millis(300)))?;
    let mut buf = [0u8; 64];
    for seq in 0u32..10 {
        tx.send_to(&seq.to_be_bytes(), rx.local_addr()?)?;
    }
    ensure!(rx.recv_from(&mut buf).is_err(), "a datagram was not held");

    // SIGTERM: every held datagram is released at once, in order, none dropped.
    let start = Instant::now();
    netns::run("kill", &["-TERM", &pid.to_string()])?;
    rx.set_read_timeout(Some(Duration::from_secs(2)))?;
    for seq in 0u32..10 {
        let (n, _) = rx
            .recv_from(&mut buf)
            .with_context(|| format!("datagram {seq} lost at the stop"))?;
        ensure!(
            buf.get(..n) == Some(&seq.to_be_bytes()[..]),
            "out of order at {seq}"
        );
    }
    let released_after = start.elapsed();
    let stats = guard.stop()?;
    eprintln!("SIGTERM released 10 held datagrams in {released_after:?}; {stats:?}");
    ensure!(
        released_after < Duration::from_secs(1),
        "took {released_after:?}"
    );
    ensure!(stats.released >= 10 && stats.errors == 0, "{stats:?}");
    Ok(())
}

#[test]
fn odd_packets_pass_delayed_and_netdelay_survives_them() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    // IPv6 too (the ip6tables rule): unique local addresses, no duplicate detection wait.
    let (a6, b6): (Ipv6Addr, Ipv6Addr) = ("fd00::1".parse()?, "fd00::2".parse()?);
    lan.a.ip(&[
        "-6",
        "addr",
        "add",
        &format!("{a6}/64"),
        "dev",
        Lan::DEV,
        "nodad",
    ])?;
    lan.b.ip(&[
        "-6",
        "addr",
        "add",
        &format!("{b6}/64"),
        "dev",
        Lan::DEV,
        "nodad",
    ])?;
    let (tx4, rx4) = sockets(&lan, SINK_PORT)?;
    let tx6 = lan.a.udp_socket(SocketAddr::new(a6.into(), 0))?;
    let rx6 = lan.b.udp_socket(SocketAddr::new(b6.into(), SINK_PORT))?;
    socket2::SockRef::from(&rx6).set_recv_buffer_size(1 << 20)?;
    let guard = lan.a.delay(Lan::DEV, DELAY)?;

    // Empty, one byte, the largest IPv4 datagram (fragmented on the 1500-byte link),
    // and over IPv6 a small and a fragmented one.
    let cases: [(&UdpSocket, &UdpSocket, usize); 5] = [
        (&tx4, &rx4, 0),
        (&tx4, &rx4, 1),
        (&tx4, &rx4, 65_507),
        (&tx6, &rx6, 1),
        (&tx6, &rx6, 60_000),
    ];
    let mut buf = vec![0u8; 70_000];
    for (tx, rx, size) in cases {
        let start = Instant::now();
        tx.send_to(&vec![0x5a; size], rx.local_addr()?)?;
        rx.set_read_timeout(Some(Duration::from_secs(2)))?;
        let (n, _) = rx.recv_from(&mut buf).with_context(|| {
            format!(
                "{size}-byte datagram to {} lost",
                rx.local_addr().map(|a| a.to_string()).unwrap_or_default()
            )
        })?;
        let took = start.elapsed();
        eprintln!(
            "{size}-byte datagram to {}: {:.1} ms",
            rx.local_addr()?,
            ms(took)
        );
        ensure!(n == size, "{size} bytes sent, {n} received");
        ensure!(took >= DELAY, "{size}-byte datagram took only {took:?}");
    }

    // TCP: the SYN waits, the refusal comes straight back.
    let start = Instant::now();
    let refused = lan.a.within(|| {
        Ok(std::net::TcpStream::connect_timeout(
            &at(Lan::B_ADDR, SINK_PORT),
            Duration::from_secs(2),
        ))
    })?;
    let took = start.elapsed();
    eprintln!(
        "TCP connect to a closed port: {:?} after {:.1} ms",
        refused.as_ref().map(|_| ()).map_err(|e| e.kind()),
        ms(took)
    );
    ensure!(
        matches!(&refused, Err(e) if e.kind() == ErrorKind::ConnectionRefused),
        "connect: {refused:?}"
    );
    ensure!(took >= DELAY, "the SYN was not delayed: {took:?}");

    let stats = guard.stop()?;
    eprintln!("odd packets: {stats:?}");
    ensure!(stats.errors == 0 && stats.dropped == 0, "{stats:?}");
    Ok(())
}

#[test]
fn a_moved_host_talks_from_its_new_address_and_the_old_one_is_gone() -> Result<()> {
    netns::require_root()?;
    let lan = Lan::new()?;
    let server = lan.b.udp_socket(at(Lan::B_ADDR, ECHO_PORT))?;
    let to = at(Lan::B_ADDR, ECHO_PORT);
    let old = lan.a.udp_socket(at(Lan::A_ADDR, 0))?;
    server.set_read_timeout(Some(Duration::from_millis(300)))?;

    // Before: the old address works.
    old.send_to(b"hello", to)?;
    let mut buf = [0u8; 64];
    let (_, from) = server
        .recv_from(&mut buf)
        .context("nothing from the old address")?;
    ensure!(from.ip() == Lan::A_ADDR, "came from {from}");

    // Off the LAN onto another network, then onto a third (back in the LAN's range).
    let mut previous = Lan::A_ADDR;
    for (new_addr, want_dev) in [
        (Ipv4Addr::new(10, 0, 1, 7), "eth1"),
        (Ipv4Addr::new(10, 0, 0, 9), "eth2"),
    ] {
        let dev = lan.move_address(Side::A, new_addr)?;
        ensure!(dev == want_dev, "new interface {dev}");

        // The previous address is gone: not on any interface, and cannot be bound.
        let addrs = lan.a.ip(&["-4", "-o", "addr", "show"])?;
        ensure!(
            !addrs.contains(&format!("{previous}/")),
            "{previous} still there: {addrs}"
        );
        ensure!(
            addrs.contains(&format!("{new_addr}/32")),
            "{new_addr} missing: {addrs}"
        );
        let rebind = lan.a.udp_socket(at(previous, 0));
        ensure!(rebind.is_err(), "{previous} can still be bound");

        // A socket on the new address reaches b, b sees the new address and answers.
        let moved = lan.a.udp_socket(at(new_addr, 0))?;
        let rtts = with_echo(&server, || ping(&moved, to, 3))?;
        let reply_from = {
            moved.send_to(b"who", to)?;
            server.set_read_timeout(Some(Duration::from_secs(2)))?;
            let (_, from) = server
                .recv_from(&mut buf)
                .context("nothing from the new address")?;
            from
        };
        ensure!(
            reply_from.ip() == new_addr,
            "b saw {reply_from}, not {new_addr}"
        );
        eprintln!(
            "moved a to {new_addr} on {dev}: RTT {:.2} ms, b sees {reply_from}",
            ms(median(&rtts))
        );
        previous = new_addr;
    }

    // The socket bound before the move: sending from a vanished address fails or goes
    // nowhere — b hears nothing from it.
    let sent = old.send_to(b"ghost", to);
    server.set_read_timeout(Some(Duration::from_millis(300)))?;
    let heard = server.recv_from(&mut buf);
    eprintln!(
        "old socket after the move: send {:?}, b heard {:?}",
        sent.as_ref().map_err(|e| e.kind()),
        heard.as_ref().map(|(_, f)| *f).map_err(|e| e.kind())
    );
    ensure!(heard.is_err(), "b still hears the old address: {heard:?}");
    Ok(())
}
