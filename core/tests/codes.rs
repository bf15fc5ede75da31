//! The invite → reply story at the code level: what Ana and Ben can and cannot do
//! with the codes alone, before any network.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::*;
use tincan_core::code::{create_invite, Invite, InviteSecret, PendingInvite};
use tincan_core::protect::argon::{self, ArgonParams};
use tincan_core::protect::keys::Role;
use tincan_core::CodeError;

const QUESTION: &str = "Where did we first meet, and in which year?";

fn question(answer: &str) -> InviteSecret {
    InviteSecret::Question {
        question: QUESTION.into(),
        answer: answer.into(),
    }
}

/// Ana invites with a question; tests use the floor parameters to stay quick.
fn ana_invites(secret: InviteSecret) -> (String, PendingInvite) {
    let new = create_invite(
        secret,
        &ana_description(),
        NOW,
        DAY,
        argon::FLOOR,
        &mut rng(1),
    )
    .unwrap();
    (new.code, new.pending)
}

fn ben_replies(invite_code: &str, answer: Option<&str>) -> (String, tincan_core::code::Exchange) {
    let invite = Invite::parse(invite_code, NOW + 60).unwrap();
    invite
        .respond(answer, &ben_description(), NOW + 60, DAY, &mut rng(2))
        .unwrap()
}

#[test]
fn question_invite_connects_ana_and_ben_with_matching_keys() {
    let (invite_code, mut pending) = ana_invites(question("Lisbon 2019"));
    let invite = Invite::parse(&invite_code, NOW).unwrap();
    assert_eq!(invite.question(), Some(QUESTION));
    assert_eq!(invite.description(), Some(&ana_description()));

    let (reply_code, ben) = ben_replies(&invite_code, Some("  lisbon   2019 "));
    let ana = pending.accept_reply(&reply_code, NOW + 120).unwrap();
    assert_eq!(ana.remote(), &ben_description());
    assert_eq!(ben.remote(), &ana_description());
    assert_eq!((ana.role(), ben.role()), (Role::Inviter, Role::Joiner));

    // Key confirmation over the live link, with the fingerprints each side sees.
    let (fa, fb) = (ana_description().fingerprint, ben_description().fingerprint);
    let from_ana = ana.confirmation(&fa, &fb);
    let from_ben = ben.confirmation(&fb, &fa);
    assert!(ben.verify_confirmation(&fb, &fa, &from_ana));
    assert!(ana.verify_confirmation(&fa, &fb, &from_ben));
    // A relay presenting its own certificate to Ben breaks the confirmation.
    assert!(!ben.verify_confirmation(&fb, &[0xEE; 32], &from_ana));
    // Reflecting Ana's own tag back at her fails.
    assert!(!ana.verify_confirmation(&fa, &fb, &from_ana));
}

#[test]
fn wrong_answer_is_refused_counted_and_burns_the_invite() {
    let (invite_code, mut pending) = ana_invites(question("Lisbon 2019"));
    for attempt in 1..=3u8 {
        let (reply, ben) = ben_replies(&invite_code, Some("Porto 2019"));
        assert_eq!(
            pending.accept_reply(&reply, NOW + 120).unwrap_err(),
            CodeError::WrongAnswer
        );
        assert_eq!(pending.failed_attempts(), attempt);
        // Ben's side cannot confirm either: its keys differ.
        let tag = ben.confirmation(&[1; 32], &[2; 32]);
        assert_eq!(tag.len(), 32);
    }
    assert!(pending.is_spent());
    let (right, _) = ben_replies(&invite_code, Some("Lisbon 2019"));
    assert_eq!(
        pending.accept_reply(&right, NOW + 120).unwrap_err(),
        CodeError::AlreadyUsed
    );
    let msg = CodeError::WrongAnswer.to_string();
    assert!(msg.contains("answer does not match") && !msg.contains("Porto"));
}

#[test]
fn a_failed_key_confirmation_counts_as_a_failed_guess() {
    let (_, mut pending) = ana_invites(question("Lisbon 2019"));
    pending.record_failed_confirmation();
    assert_eq!(pending.failed_attempts(), 1);
    pending.record_failed_confirmation();
    pending.record_failed_confirmation();
    assert!(pending.is_spent());
}

#[test]
fn a_reply_is_single_use_and_must_answer_this_invite() {
    let (invite_code, mut pending) = ana_invites(question("Lisbon 2019"));
    let (other_code, _) = {
        let new = create_invite(
            question("x"),
            &ana_description(),
            NOW,
            DAY,
            argon::FLOOR,
            &mut rng(9),
        )
        .unwrap();
        (new.code, new.pending)
    };
    let (reply, _) = ben_replies(&invite_code, Some("Lisbon 2019"));
    let (foreign, _) = ben_replies(&other_code, Some("x"));
    assert_eq!(
        pending.accept_reply(&foreign, NOW).unwrap_err(),
        CodeError::ForeignReply
    );
    pending.accept_reply(&reply, NOW + 1).unwrap();
    assert_eq!(
        pending.accept_reply(&reply, NOW + 2).unwrap_err(),
        CodeError::AlreadyUsed
    );
    // Codes in the wrong place say what they are.
    assert!(matches!(
        Invite::parse(&reply, NOW),
        Err(CodeError::WrongKind {
            found: "a reply code",
            ..
        })
    ));
    assert!(matches!(
        pending.accept_reply(&invite_code, NOW),
        Err(CodeError::WrongKind {
            found: "an invite code",
            ..
        })
    ));
}

#[test]
fn codes_expire() {
    let (invite_code, mut pending) = ana_invites(question("Lisbon 2019"));
    let late = NOW + DAY + 3600;
    assert_eq!(
        Invite::parse(&invite_code, late).unwrap_err(),
        CodeError::Expired
    );
    // A reply made in time but loaded after the invite expired.
    let (reply, _) = ben_replies(&invite_code, Some("Lisbon 2019"));
    assert_eq!(
        pending.accept_reply(&reply, late).unwrap_err(),
        CodeError::Expired
    );
    // A reply whose own lifetime ran out while the invite was still valid.
    let (invite_code, mut pending) = {
        let new = create_invite(
            question("a"),
            &ana_description(),
            NOW,
            7 * DAY,
            argon::FLOOR,
            &mut rng(3),
        )
        .unwrap();
        (new.code, new.pending)
    };
    let invite = Invite::parse(&invite_code, NOW).unwrap();
    let (reply, _) = invite
        .respond(Some("a"), &ben_description(), NOW, 3600, &mut rng(4))
        .unwrap();
    assert_eq!(
        pending.accept_reply(&reply, NOW + 3 * 3600).unwrap_err(),
        CodeError::Expired
    );
}

#[test]
fn pending_invite_survives_a_restart() {
    let (invite_code, pending) = ana_invites(question("Lisbon 2019"));
    let stored = serde_json::to_string(&pending).unwrap();
    drop(pending);
    let mut restored: PendingInvite = serde_json::from_str(&stored).unwrap();
    assert_eq!(restored.code(), invite_code);
    let (reply, ben) = ben_replies(&invite_code, Some("lisbon 2019"));
    let ana = restored.accept_reply(&reply, NOW + 7200).unwrap();
    let (fa, fb) = ([1; 32], [2; 32]);
    assert!(ana.verify_confirmation(&fa, &fb, &ben.confirmation(&fb, &fa)));
}

#[test]
fn open_invite_needs_no_answer_and_refuses_one() {
    let (invite_code, mut pending) = ana_invites(InviteSecret::Open);
    let invite = Invite::parse(&invite_code, NOW).unwrap();
    assert_eq!(invite.question(), None);
    assert!(matches!(
        invite.respond(Some("x"), &ben_description(), NOW, DAY, &mut rng(2)),
        Err(CodeError::AnswerMismatch(_))
    ));
    let (reply, ben) = ben_replies(&invite_code, None);
    let ana = pending.accept_reply(&reply, NOW).unwrap();
    assert_eq!(ana.remote(), &ben_description());
    assert_eq!(ben.remote(), &ana_description());
}

#[test]
fn question_invite_demands_an_answer() {
    let (invite_code, _) = ana_invites(question("Lisbon"));
    let invite = Invite::parse(&invite_code, NOW).unwrap();
    assert!(matches!(
        invite.respond(None, &ben_description(), NOW, DAY, &mut rng(2)),
        Err(CodeError::AnswerMismatch(_))
    ));
    assert!(matches!(
        invite.respond(Some("   "), &ben_description(), NOW, DAY, &mut rng(2)),
        Err(CodeError::AnswerMismatch(_))
    ));
}

#[test]
fn private_invite_hides_details_and_needs_a_strong_answer() {
    let weak = create_invite(
        InviteSecret::Private {
            question: QUESTION.into(),
            answer: "lisbon".into(),
        },
        &ana_description(),
        NOW,
        DAY,
        argon::FLOOR,
        &mut rng(1),
    );
    assert!(matches!(
        weak,
        Err(CodeError::WeakAnswer { needed: 60, .. })
    ));

    let strong = "violet kettle drums beneath 41 sleepy harbour moons";
    let (invite_code, mut pending) = ana_invites(InviteSecret::Private {
        question: QUESTION.into(),
        answer: strong.into(),
    });
    let invite = Invite::parse(&invite_code, NOW).unwrap();
    assert_eq!(invite.description(), None, "details are sealed");
    assert_eq!(
        invite
            .respond(
                Some("wrong guess"),
                &ben_description(),
                NOW,
                DAY,
                &mut rng(2)
            )
            .unwrap_err(),
        CodeError::WrongAnswer
    );
    let (reply, ben) = invite
        .respond(
            Some(&strong.to_uppercase()),
            &ben_description(),
            NOW,
            DAY,
            &mut rng(2),
        )
        .unwrap();
    assert_eq!(ben.remote(), &ana_description());
    assert_eq!(
        pending.accept_reply(&reply, NOW).unwrap().remote(),
        &ben_description()
    );
}

#[test]
fn follow_up_code_carries_fresh_details_within_the_session() {
    let (invite_code, mut pending) = ana_invites(question("Lisbon"));
    let (reply, mut ben) = ben_replies(&invite_code, Some("lisbon"));
    let mut ana = pending.accept_reply(&reply, NOW).unwrap();

    let mut fresh = ana_description();
    fresh.candidates.truncate(1);
    fresh.candidates[0].port = 60000;
    let followup = ana.followup_code(&fresh, NOW, 3600, &mut rng(5)).unwrap();
    assert!(followup.starts_with("TINCAN-F1-"));
    assert!(followup.len() < 240, "{}", followup.len());
    // Ana cannot feed her own follow-up back to herself.
    assert!(ana.accept_followup(&followup, NOW).is_err());
    assert_eq!(ben.accept_followup(&followup, NOW).unwrap(), &fresh);
    assert_eq!(
        ben.accept_followup(&followup, NOW + 7200).unwrap_err(),
        CodeError::Expired
    );

    // A follow-up from another session does not open.
    let (invite2, mut pending2) = ana_invites(question("Porto"));
    let (reply2, _) = ben_replies(&invite2, Some("porto"));
    let other = pending2.accept_reply(&reply2, NOW).unwrap();
    let stray = other.followup_code(&fresh, NOW, 3600, &mut rng(6)).unwrap();
    assert!(ben.accept_followup(&stray, NOW).is_err());
}

#[test]
fn hostile_argon_parameters_are_refused_before_any_work() {
    let (invite_code, _) = ana_invites(question("Lisbon"));
    let (_, mut bytes) = tincan_core::code::text::decode(&invite_code).unwrap();
    // Byte 5 is memory as log2(KiB): ask for 16 GiB.
    bytes[5] = 24;
    let hostile = tincan_core::code::text::encode(tincan_core::code::CodeKind::Invite, &bytes);
    let started = std::time::Instant::now();
    assert!(matches!(
        Invite::parse(&hostile, NOW),
        Err(CodeError::TooCostly { .. })
    ));
    bytes[5] = 10; // 1 MiB: too weak to protect an answer.
    let weak = tincan_core::code::text::encode(tincan_core::code::CodeKind::Invite, &bytes);
    assert!(matches!(
        Invite::parse(&weak, NOW),
        Err(CodeError::TooWeak { .. })
    ));
    assert!(
        started.elapsed().as_millis() < 100,
        "refused without deriving"
    );
    let _ = ArgonParams::read; // the layout reader is public for other implementations
}

#[test]
fn default_parameters_are_the_documented_ones() {
    assert_eq!(argon::DEFAULT.memory_kib(), 128 * 1024);
    assert_eq!((argon::DEFAULT.time, argon::DEFAULT.lanes), (3, 4));
    let new = create_invite(
        question("Lisbon"),
        &ana_description(),
        NOW,
        DAY,
        argon::DEFAULT,
        &mut rng(1),
    )
    .unwrap();
    let invite = Invite::parse(&new.code, NOW).unwrap();
    let (reply, _) = invite
        .respond(Some("lisbon"), &ben_description(), NOW, DAY, &mut rng(2))
        .unwrap();
    let mut pending = new.pending;
    assert!(pending.accept_reply(&reply, NOW).is_ok());
}
