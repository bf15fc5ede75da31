//! Known-answer vectors: fixed answers, salts, seeds and nonces (from seeded ChaCha20)
//! → exact code bytes. Any change to a layout, the key schedule or a derivation shows
//! up here. After an intended format change, regenerate with
//! `TINCAN_WRITE_KAT=1 cargo test -p tincan-core --test known_answers` and review the diff.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::fmt::Write as _;
use std::path::PathBuf;

use common::*;
use tincan_core::code::{create_invite, Invite, InviteSecret};
use tincan_core::protect::argon::{self, harden};
use tincan_core::protect::normalize::normalize_answer;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs one whole exchange deterministically and writes down every output.
fn vector(name: &str, secret: InviteSecret, answer: Option<&str>) -> String {
    let mut out = String::new();
    writeln!(out, "# {name}").unwrap();
    if let InviteSecret::Question { answer: a, .. } | InviteSecret::Private { answer: a, .. } =
        &secret
    {
        let normalized = normalize_answer(a).unwrap();
        writeln!(out, "normalized_answer = {normalized:?}").unwrap();
        let hardened = harden(&normalized, &[0x11; 16], argon::FLOOR).unwrap();
        writeln!(
            out,
            "argon2id_floor(salt=11*16) = {}",
            hex(hardened.as_ref())
        )
        .unwrap();
    }
    let new = create_invite(
        secret,
        &ana_description(),
        NOW,
        DAY,
        argon::FLOOR,
        &mut rng(1),
    )
    .unwrap();
    writeln!(out, "invite = {}", new.code).unwrap();
    writeln!(out, "invite_id = {}", hex(&new.pending.id())).unwrap();
    let invite = Invite::parse(&new.code, NOW).unwrap();
    let (reply, ben) = invite
        .respond(answer, &ben_description(), NOW, DAY, &mut rng(2))
        .unwrap();
    writeln!(out, "reply = {reply}").unwrap();
    let mut pending = new.pending;
    let ana = pending.accept_reply(&reply, NOW).unwrap();
    let (fa, fb) = (ana_description().fingerprint, ben_description().fingerprint);
    writeln!(
        out,
        "confirm_from_inviter = {}",
        hex(&ana.confirmation(&fa, &fb))
    )
    .unwrap();
    writeln!(
        out,
        "confirm_from_joiner = {}",
        hex(&ben.confirmation(&fb, &fa))
    )
    .unwrap();
    let followup = ana
        .followup_code(&ana_description(), NOW, DAY, &mut rng(3))
        .unwrap();
    writeln!(out, "followup_from_inviter = {followup}").unwrap();
    out
}

fn check(file: &str, actual: String) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/kat")
        .join(file);
    if std::env::var_os("TINCAN_WRITE_KAT").is_some() {
        std::fs::write(&path, &actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; generate with TINCAN_WRITE_KAT=1", path.display()));
    assert_eq!(actual, expected, "known-answer vector {file} changed");
}

#[test]
fn question_mode_vector() {
    let secret = InviteSecret::Question {
        question: "Where did we first meet?".into(),
        answer: "  Lisbon   2019 ".into(),
    };
    check(
        "question.txt",
        vector("question mode", secret, Some("lisbon 2019")),
    );
}

#[test]
fn open_mode_vector() {
    check("open.txt", vector("open mode", InviteSecret::Open, None));
}

#[test]
fn private_mode_vector() {
    let answer = "violet kettle drums beneath 41 sleepy harbour moons";
    let secret = InviteSecret::Private {
        question: "Our passphrase?".into(),
        answer: answer.into(),
    };
    check("private.txt", vector("private mode", secret, Some(answer)));
}
