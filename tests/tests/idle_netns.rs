//! The background pace across two NATs, with `tincan` processes as people run them:
//! one side hidden and the other looking, then the other way round, keeps the link up
//! for minutes with at most 3 UDP packets a minute each way and nothing lost; a cut
//! upstream (neither host sees its own network change) is noticed within a minute on
//! both sides, and the link comes back when the network returns. Real timings (25 s
//! keep-alive, 55 s silence). Needs root (CI runs as root); namespaces are removed
//! even when the test fails.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use tincan_tests::cli_net::{count_udp, udp_counts, NatScene};
use tincan_tests::netns::Netns;
use tincan_tests::process::Stream;

const STUN_SERVER: &str = env!("CARGO_BIN_EXE_stun-server");
const T: Duration = Duration::from_secs(40);
/// How long each half of the background stretch is measured.
const IDLE: Duration = Duration::from_secs(120);
/// The bound: a cut noticed within a minute in the background.
const BACKGROUND_NOTICE: Duration = Duration::from_secs(60);

/// UDP packets a host sent and received so far.
fn udp_packets(host: &Netns) -> (u64, u64) {
    let ((out, _), (inn, _)) = udp_counts(host);
    (out, inn)
}

/// Packets a minute each way through `host` while `during` runs.
fn per_minute(host: &Netns, during: impl FnOnce()) -> (f64, f64) {
    let before = udp_packets(host);
    let started = Instant::now();
    during();
    let after = udp_packets(host);
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    (
        (after.0 - before.0) as f64 / minutes,
        (after.1 - before.1) as f64 / minutes,
    )
}

fn assert_background_rate(who: &str, (out, inn): (f64, f64)) {
    println!("{who}: {out:.1} UDP packets/min out, {inn:.1} in");
    assert!(
        out <= 3.0 && inn <= 3.0,
        "{who}: {out:.1} out, {inn:.1} in per minute"
    );
}

#[test]
fn a_background_link_stays_up_for_minutes_on_a_few_packets_and_notices_a_cut() {
    let scene = NatScene::new(STUN_SERVER);
    let nat = &scene.nat;
    let (mut ana, mut ben) = scene.connect();
    count_udp(&nat.a.host);
    count_udp(&nat.b.host);

    // Ana's phone goes in her pocket; Ben keeps looking at the chat.
    ana.type_line("/background");
    ana.expect_line(Stream::Out, "Background pace", T);
    std::thread::sleep(Duration::from_secs(5));
    let mut ben_rate = (0.0, 0.0);
    let ana_rate = per_minute(&nat.a.host, || {
        ben_rate = per_minute(&nat.b.host, || std::thread::sleep(IDLE));
    });
    assert_background_rate("Ana (background)", ana_rate);
    assert_background_rate("Ben (foreground, peer in background)", ben_rate);
    ben.type_line("two minutes later");
    ana.expect_line(Stream::Out, "Ben: two minutes later", T);
    ana.type_line("still here");
    ben.expect_line(Stream::Out, "Ana: still here", T);

    // The other way round: Ana looks again, Ben's phone goes in his pocket.
    ana.type_line("/foreground");
    ana.expect_line(Stream::Out, "Foreground pace", T);
    ben.type_line("/background");
    ben.expect_line(Stream::Out, "Background pace", T);
    std::thread::sleep(Duration::from_secs(5));
    let ana_rate = per_minute(&nat.a.host, || {
        ben_rate = per_minute(&nat.b.host, || std::thread::sleep(IDLE));
    });
    assert_background_rate("Ana (foreground, peer in background)", ana_rate);
    assert_background_rate("Ben (background)", ben_rate);
    ana.type_line("four minutes in");
    ben.expect_line(Stream::Out, "Ana: four minutes in", T);
    ben.type_line("and nothing lost");
    ana.expect_line(Stream::Out, "Ben: and nothing lost", T);

    // Ana's internet link fails upstream.
    ana.dump();
    ben.dump();
    std::thread::sleep(Duration::from_secs(3));
    scene.cut_ana(true);
    let cut_at = Instant::now();
    ana.expect_next_line(Stream::Err, "reconnecting to Ben", BACKGROUND_NOTICE + T);
    let ana_noticed = cut_at.elapsed();
    ben.expect_next_line(Stream::Err, "reconnecting to Ana", BACKGROUND_NOTICE + T);
    let ben_noticed = cut_at.elapsed();
    println!("cut noticed by Ana after {ana_noticed:?}, by Ben after {ben_noticed:?}");
    for (who, took) in [("Ana", ana_noticed), ("Ben", ben_noticed)] {
        assert!(took <= BACKGROUND_NOTICE, "{who} noticed after {took:?}");
    }

    // The network returns: the link comes back by itself (Ana, in the foreground,
    // tries; Ben, in the background, answers), and the chat goes on.
    std::thread::sleep(Duration::from_secs(70).saturating_sub(cut_at.elapsed()));
    scene.cut_ana(false);
    let back_at = Instant::now();
    ana.expect_next_line(Stream::Err, "● connected to Ben", Duration::from_secs(120));
    ben.expect_next_line(Stream::Err, "● connected to Ana", T);
    println!(
        "connected again {:?} after the network returned",
        back_at.elapsed()
    );
    ana.type_line("back again");
    ben.expect_line(Stream::Out, "Ana: back again", T);
    ana.close_input();
    assert!(ana.wait_exit(T), "ana:\n{}", ana.dump());
    ben.close_input();
    assert!(ben.wait_exit(T), "ben:\n{}", ben.dump());
}
