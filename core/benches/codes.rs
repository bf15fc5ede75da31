//! Benchmark: code sizes (characters, QR version) beside the browser SDP JSON for the
//! same session, and the time of each cryptographic step beside a baseline measured in
//! the same run. Prints markdown for BENCHMARKS.md.
//!
//! Run: `cargo bench -p tincan-core --bench codes`
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::{Duration, Instant};

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};
use tincan_core::code::{create_invite, Invite, InviteSecret};
use tincan_core::protect::argon::{self, harden};
use tincan_core::protect::pake::{joiner_exchange, InviterPake};
use tincan_core::protect::seal;
use tincan_core::qr;
use tincan_core::sdp::{
    derived_ice_pwd, Candidate, CandidateAddress, CandidateKind, SdpKind, SessionDescription,
    SetupRole, Transport,
};
use zeroize::Zeroizing;

const NOW: u64 = 1_800_000_000;
/// Exactly 40 characters.
const QUESTION: &str = "Where did we first meet? City and year..";

fn candidate(kind: CandidateKind, ip: IpAddr, port: u16) -> Candidate {
    Candidate {
        kind,
        transport: Transport::Udp,
        address: CandidateAddress::Ip(ip),
        port,
    }
}

/// A session as Tincan describes it: 4-char ufrag, password derived (not carried).
fn session(setup: SetupRole, candidates: Vec<Candidate>) -> SessionDescription {
    SessionDescription {
        ice_ufrag: "Xk3p".into(),
        ice_pwd: derived_ice_pwd("Xk3p", &[0x5a; 32]),
        fingerprint: [0x5a; 32],
        setup,
        candidates,
        sctp_port: 5000,
        max_message_size: Some(262144),
    }
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

fn v6() -> IpAddr {
    IpAddr::V6(Ipv6Addr::new(
        0x2a02, 0x8070, 0x1234, 0x5678, 0x9abc, 0xdef0, 0x1357, 0x2468,
    ))
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<F: FnMut()>(runs: usize, mut f: F) -> Duration {
    f(); // warm-up
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

fn qr_cell(text: &str) -> String {
    match qr::render(text) {
        Ok(q) => format!("{} ({:?})", q.version(), q.ec_level()),
        Err(e) => format!("n/a: {e}"),
    }
}

fn main() {
    use CandidateKind::{Host, ServerReflexive as Srflx};
    let host2 = vec![
        candidate(Host, v4(192, 168, 1, 20), 50123),
        candidate(Host, v4(10, 0, 0, 7), 50124),
    ];
    let host3 = {
        let mut c = host2.clone();
        c.push(candidate(Host, v4(172, 17, 0, 1), 50125));
        c
    };
    let mixed = vec![
        candidate(Host, v4(192, 168, 1, 20), 50123),
        candidate(Host, v6(), 50124),
        candidate(Srflx, v4(203, 0, 113, 7), 61001),
        candidate(Srflx, v6(), 61002),
    ];
    let answer = session(SetupRole::Active, host2.clone());

    println!("## Code sizes\n");
    println!("Question: 40 characters. Tincan's own ICE credentials: a 4-character ufrag and a derived password (not carried). The JSON column is the browser form of the same session (`JSON.stringify(pc.localDescription)` as rebuilt by `to_browser_json`); real Chromium captures of comparable sessions are 634–950 characters (core/tests/fixtures/sdp).\n");
    println!("| code | candidates | Tincan code (chars) | QR version (EC level) | browser SDP JSON (chars) | code / JSON |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let cases: Vec<(&str, InviteSecret, Vec<Candidate>)> = vec![
        ("question invite", q(), host2.clone()),
        ("question invite", q(), host3.clone()),
        ("question invite, host+srflx v4+v6", q(), mixed.clone()),
        ("open-mode invite", InviteSecret::Open, host2.clone()),
        ("open-mode invite", InviteSecret::Open, host3.clone()),
    ];
    let mut reply_done = false;
    for (name, secret, cands) in cases {
        let desc = session(SetupRole::Actpass, cands.clone());
        let is_question = matches!(secret, InviteSecret::Question { .. });
        let new = create_invite(
            secret,
            &desc,
            NOW,
            86_400,
            argon::FLOOR,
            &mut ChaCha20Rng::from_seed([1; 32]),
        )
        .unwrap();
        let json = desc.to_browser_json(SdpKind::Offer);
        row(name, cands.len(), &new.code, json.len());
        if is_question && !reply_done {
            reply_done = true;
            let invite = Invite::parse(&new.code, NOW).unwrap();
            let (reply, _) = invite
                .respond(
                    Some("lisbon 2019"),
                    &answer,
                    NOW,
                    86_400,
                    &mut ChaCha20Rng::from_seed([2; 32]),
                )
                .unwrap();
            row(
                "reply (question mode)",
                answer.candidates.len(),
                &reply,
                answer.to_browser_json(SdpKind::Answer).len(),
            );
        }
    }

    // `cargo test --all-targets` runs benches without `--bench`: sizes only, then stop.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    println!("\n## Cryptographic steps (median; baseline: SHA-256 of 200 bytes, same run)\n");
    let data = [7u8; 200];
    let baseline = time(2000, || {
        black_box(Sha256::digest(black_box(&data)));
    });
    let argon_default = time(5, || {
        black_box(harden("lisbon 2019", &[1; 16], argon::DEFAULT).unwrap());
    });
    let argon_floor = time(5, || {
        black_box(harden("lisbon 2019", &[1; 16], argon::FLOOR).unwrap());
    });
    let pake = time(200, || {
        let a = InviterPake::new(Zeroizing::new([1; 32]), Zeroizing::new([2; 32]));
        let (msg_b, _) =
            joiner_exchange(&[1; 32], &a.message(), &mut ChaCha20Rng::from_seed([3; 32])).unwrap();
        black_box(a.finish(&msg_b).unwrap());
    });
    let key = [9u8; 32];
    let nonce = [3u8; 24];
    let sealed = seal::seal(&key, &nonce, b"aad", &data);
    let seal_t = time(5000, || {
        black_box(seal::seal(&key, &nonce, b"aad", black_box(&data)));
    });
    let open_t = time(5000, || {
        black_box(seal::open(&key, &nonce, b"aad", black_box(&sealed)));
    });
    println!("| step | median | × baseline |");
    println!("| --- | --- | --- |");
    for (name, d) in [
        ("baseline: SHA-256, 200 B", baseline),
        ("Argon2id default (128 MiB, t=3, p=4)", argon_default),
        ("Argon2id floor (64 MiB, t=3, p=1)", argon_floor),
        ("SPAKE2 full exchange (both sides)", pake),
        ("XChaCha20-Poly1305 seal, 200 B", seal_t),
        ("XChaCha20-Poly1305 open, 200 B", open_t),
    ] {
        println!(
            "| {name} | {} | {:.0} |",
            fmt(d),
            d.as_secs_f64() / baseline.as_secs_f64()
        );
    }
}

fn q() -> InviteSecret {
    assert_eq!(QUESTION.chars().count(), 40);
    InviteSecret::Question {
        question: QUESTION.into(),
        answer: "lisbon 2019".into(),
    }
}

fn row(name: &str, candidates: usize, code: &str, json_len: usize) {
    println!(
        "| {name} | {candidates} | {} | {} | {json_len} | {:.2} |",
        code.len(),
        qr_cell(code),
        code.len() as f64 / json_len as f64
    );
}

fn fmt(d: Duration) -> String {
    if d.as_millis() >= 10 {
        format!("{} ms", d.as_millis())
    } else if d.as_micros() >= 10 {
        format!("{} µs", d.as_micros())
    } else {
        format!("{} ns", d.as_nanos())
    }
}
