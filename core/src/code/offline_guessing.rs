//! Why copying the codes does not let anyone test guesses offline, as a test.
//!
//! Eve holds the invite and a reply. To test a guess she needs the reply's key, which
//! comes from SPAKE2 and needs Ana's or Ben's secret scalar as well as the answer. Her
//! best move — hardening her guess and running SPAKE2 herself against Ana's message —
//! yields a key of her own, which opens nothing, whether her guess is right or not and
//! whether Ben's reply used the right answer or not.
#![allow(clippy::unwrap_used)]

use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha20Rng;

use super::reply::Reply;
use super::{create_invite, text, Invite, InviteSecret};
use crate::protect::argon::{self, harden};
use crate::protect::keys::{transcript_hash, SessionKeys};
use crate::protect::normalize::normalize_answer;
use crate::protect::pake::joiner_exchange;
use crate::sdp::{SessionDescription, SetupRole};

const NOW: u64 = 1_800_000_000;

fn description(fp: u8) -> SessionDescription {
    SessionDescription {
        ice_ufrag: "abcd".into(),
        ice_pwd: "abcdefghijklmnopqrstuv".into(),
        fingerprint: [fp; 32],
        setup: SetupRole::Actpass,
        candidates: vec![],
        sctp_port: 5000,
        max_message_size: None,
    }
}

#[test]
fn an_eavesdropper_holding_both_codes_cannot_test_guesses() {
    let secret = InviteSecret::Question {
        question: "Our first concert?".into(),
        answer: "Radiohead".into(),
    };
    let new = create_invite(
        secret,
        &description(1),
        NOW,
        3600,
        argon::FLOOR,
        &mut ChaCha20Rng::from_seed([1; 32]),
    )
    .unwrap();
    let invite = Invite::parse(&new.code, NOW).unwrap();
    let (_, invite_bytes) = text::decode(&new.code).unwrap();

    let respond = |answer: &str, seed: u8| {
        let (code, _) = invite
            .respond(
                Some(answer),
                &description(2),
                NOW,
                3600,
                &mut ChaCha20Rng::from_seed([seed; 32]),
            )
            .unwrap();
        Reply::parse(&code).unwrap()
    };
    let right = respond("radiohead", 2);
    let wrong = respond("coldplay", 3);

    // Same shape: nothing in the layout depends on whether the answer was right.
    assert_eq!(right.clear.len(), wrong.clear.len());
    assert_eq!(
        right.clear[..9],
        wrong.clear[..9],
        "header and invite id only"
    );

    let Some(super::invite::InviteBodyView {
        salt,
        argon,
        pake_message,
    }) = invite.pake_view()
    else {
        panic!("question invite");
    };
    for guess in ["radiohead", "coldplay", "blur"] {
        let hardened = harden(&normalize_answer(guess).unwrap(), &salt, argon).unwrap();
        let (_, eve_key) = joiner_exchange(
            &hardened,
            &pake_message,
            &mut ChaCha20Rng::from_seed([9; 32]),
        )
        .unwrap();
        for reply in [&right, &wrong] {
            let keys = SessionKeys::derive(
                eve_key.as_ref(),
                transcript_hash(&invite_bytes, &reply.clear),
            );
            assert!(
                reply.open(&keys).is_none(),
                "guess {guess:?} must not open a reply"
            );
            // Nor does the hardened answer used directly as a key.
            let keys = SessionKeys::derive(
                hardened.as_ref(),
                transcript_hash(&invite_bytes, &reply.clear),
            );
            assert!(reply.open(&keys).is_none());
        }
    }
}
