//! A file between two `tincan` processes behind two NATs, cut in the middle: by an
//! upstream outage (the link drops and comes back), and by `kill -9` of the receiving
//! process (restarted with `tincan chat`). Each time the transfer carries on from what
//! the receiver already has and the file arrives intact; the bytes sent twice are
//! measured on the sender's host against an uncut transfer in the same test. Needs
//! root (CI runs as root); namespaces are removed even when the test fails.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use tincan_tests::cli_net::{count_udp, udp_counts, NatScene, STEP};
use tincan_tests::process::{Stream, Tincan};

const STUN_SERVER: &str = env!("CARGO_BIN_EXE_stun-server");
const SIZE: usize = 64 << 20;
/// A transfer of SIZE over namespaces with a debug build.
const TRANSFER: Duration = Duration::from_secs(300);

fn pseudo_random_file(path: &Path, len: usize, seed: u64) -> PathBuf {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x = seed | 1;
    let mut buf = vec![0u8; 1 << 20];
    for _ in 0..len / buf.len() {
        for b in buf.chunks_mut(8) {
            // xorshift64: fast, and no two files of different seeds alike.
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            b.copy_from_slice(&x.to_le_bytes()[..b.len()]);
        }
        out.write_all(&buf).unwrap();
    }
    out.flush().unwrap();
    path.to_path_buf()
}

fn same_content(a: &Path, b: &Path) -> bool {
    std::fs::read(a).unwrap() == std::fs::read(b).unwrap()
}

/// Bytes in Ben's partial files (0 when none).
fn held(partial_dir: &Path) -> u64 {
    std::fs::read_dir(partial_dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn wait_held(partial_dir: &Path, at_least: u64) {
    let deadline = Instant::now() + TRANSFER;
    while held(partial_dir) < at_least {
        assert!(
            Instant::now() < deadline,
            "the transfer never got to {at_least} bytes"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Ana sends `path`; Ben, asked because it is large, accepts.
fn offer_and_accept(ana: &mut Tincan, ben: &mut Tincan, path: &Path) {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    ana.type_line(&format!("/file {}", path.display()));
    ana.expect_next_line(Stream::Err, &format!("Sending {name}"), STEP);
    ben.expect_next_line(Stream::Err, &format!("offered: {name}"), STEP);
    ben.type_line("/accept");
    ben.expect_next_line(Stream::Err, &format!("Accepted {name}"), STEP);
}

/// Waits for Ben's "received" line; returns the path it names.
fn received(ben: &mut Tincan, name: &str) -> PathBuf {
    let line = ben.expect_next_line(Stream::Err, &format!("✓ received {name} → "), TRANSFER);
    PathBuf::from(line.split(" → ").nth(1).unwrap().trim())
}

#[test]
fn a_file_cut_by_an_outage_or_kill_9_carries_on_and_arrives_intact() {
    let scene = NatScene::new(STUN_SERVER);
    let (mut ana, mut ben) = scene.connect();
    count_udp(&scene.nat.a.host);
    let src = scene.dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    let partial_dir = scene.dir.path().join("ben").join("files").join("partial");

    // Uncut: what a transfer of SIZE costs on the wire from Ana's host.
    let plain = pseudo_random_file(&src.join("plain.bin"), SIZE, 1);
    let before = udp_counts(&scene.nat.a.host).0 .1;
    offer_and_accept(&mut ana, &mut ben, &plain);
    let got = received(&mut ben, "plain.bin");
    ana.expect_next_line(Stream::Err, "✓ plain.bin delivered", STEP);
    let uncut = udp_counts(&scene.nat.a.host).0 .1 - before;
    assert!(same_content(&got, &plain));

    // An upstream outage at about 40 %.
    let outage = pseudo_random_file(&src.join("outage.bin"), SIZE, 2);
    let before = udp_counts(&scene.nat.a.host).0 .1;
    offer_and_accept(&mut ana, &mut ben, &outage);
    wait_held(&partial_dir, (SIZE as u64) * 2 / 5);
    scene.cut_ana(true);
    let cut_at = held(&partial_dir);
    ana.expect_next_line(Stream::Err, "reconnecting to Ben", STEP);
    ben.expect_next_line(Stream::Err, "reconnecting to Ana", STEP);
    assert!(
        held(&partial_dir) < SIZE as u64,
        "finished before the cut took effect"
    );
    scene.cut_ana(false);
    ana.expect_next_line(Stream::Err, "● connected to Ben", Duration::from_secs(120));
    let got = received(&mut ben, "outage.bin");
    ana.expect_next_line(Stream::Err, "✓ outage.bin delivered", STEP);
    let with_outage = udp_counts(&scene.nat.a.host).0 .1 - before;
    assert!(same_content(&got, &outage));
    let again = with_outage.saturating_sub(uncut);
    println!(
        "outage at {} MiB: {uncut} bytes on the wire uncut, {with_outage} cut: {:.2} MiB more",
        cut_at >> 20,
        again as f64 / f64::from(1 << 20)
    );
    assert!(again < 8 << 20, "{again} bytes sent again after the outage");

    // kill -9 of Ben's process at about 40 %; `tincan chat` picks it up again.
    let killed = pseudo_random_file(&src.join("killed.bin"), SIZE, 3);
    let before = udp_counts(&scene.nat.a.host).0 .1;
    offer_and_accept(&mut ana, &mut ben, &killed);
    wait_held(&partial_dir, (SIZE as u64) * 2 / 5);
    ben.kill();
    let at_kill = held(&partial_dir);
    assert!(at_kill < SIZE as u64, "finished before the kill");
    let mut ben = scene.ben(&["chat"]);
    let got = received(&mut ben, "killed.bin");
    ana.expect_next_line(Stream::Err, "✓ killed.bin delivered", STEP);
    let with_kill = udp_counts(&scene.nat.a.host).0 .1 - before;
    assert!(same_content(&got, &killed));
    let again = with_kill.saturating_sub(uncut);
    println!(
        "kill -9 at {} MiB: {with_kill} bytes on the wire: {:.2} MiB more than uncut",
        at_kill >> 20,
        again as f64 / f64::from(1 << 20)
    );
    assert!(again < 8 << 20, "{again} bytes sent again after kill -9");
    assert_eq!(held(&partial_dir), 0, "no partial file left");

    ana.close_input();
    ben.close_input();
    assert!(ana.wait_exit(STEP), "ana:\n{}", ana.dump());
    assert!(ben.wait_exit(STEP), "ben:\n{}", ben.dump());

    // `tincan history` shows the files, and where the received ones are.
    let mut history = scene.ben(&["history"]);
    for name in ["plain.bin", "outage.bin", "killed.bin"] {
        let line = history.expect_line(Stream::Out, name, STEP);
        assert!(line.contains("received: "), "{line}");
    }
    assert!(history.wait_exit(STEP), "history:\n{}", history.dump());
    let mut history = scene.ana(&["history"]);
    let line = history.expect_line(Stream::Out, "killed.bin", STEP);
    assert!(line.contains("delivered"), "{line}");
    assert!(history.wait_exit(STEP), "history:\n{}", history.dump());
}
