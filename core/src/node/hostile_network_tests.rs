//! Contacts who misbehave in the small network (issue #15): an introducer flooding
//! introductions, naming the person's own key or someone already in touch, forwarding
//! a damaged or forged card; a contact flooding relay requests; letters held without
//! opt-in or for strangers, junk handovers; a room member forging another's post,
//! changing membership without rights, or flooding the room. Each is bounded or refused
//! with a clear state and the chat carries on. In-crate for the raw-bytes hook.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::{Duration, Instant};

use rand_core::OsRng;

use super::peer::{hex, unhex};
use super::test_support::{connect, raw, start, wait_for};
use super::*;
use crate::intro::card::Card;
use crate::sdp::{Candidate, CandidateAddress, CandidateKind, SessionDescription, Transport};
use crate::store::IntroState;
use crate::wire::Frame;

fn intro_frame(id: &str, key: &str, expires_at: u64) -> Vec<u8> {
    Frame::Intro {
        id: id.into(),
        key: key.into(),
        name: Some(format!("person {id}")),
        expires_at,
    }
    .encode()
}

/// Polls Ben's introductions until `id` satisfies `pred` (10 s at most).
fn wait_intro(ben: &Node, id: &str, what: &str, pred: impl Fn(&IntroductionInfo) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let all = ben.introductions().unwrap();
        if all.iter().any(|i| i.id == id && pred(i)) {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!(
        "introduction {id}: no {what}; have {:?}",
        ben.introductions()
    );
}

fn description() -> SessionDescription {
    SessionDescription {
        ice_ufrag: "xYz12345".into(),
        ice_pwd: crate::sdp::derived_ice_pwd("xYz12345", &[4u8; 32]),
        fingerprint: [4u8; 32],
        setup: crate::sdp::SetupRole::Actpass,
        candidates: vec![Candidate {
            kind: CandidateKind::Host,
            transport: Transport::Udp,
            address: CandidateAddress::Ip([127, 0, 0, 1].into()),
            port: 9,
        }],
        sctp_port: 5000,
        max_message_size: Some(65_536),
    }
}

fn pass(ana: &Node, with_ben: &str, id: &str, card: Option<Vec<u8>>) {
    let frame = Frame::IntroPass {
        id: id.into(),
        card: card.map(|c| data_encoding::BASE64.encode(&c)),
    };
    raw(ana, with_ben, frame.encode());
}

#[test]
fn a_misbehaving_introducer_is_bounded_and_its_cards_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let (ana, ben) = (start("Ana", dir.path()), start("Ben", dir.path()));
    let with_ben = connect(&ana, &ben);
    let later = unix_now() + 3600;
    let strangers: Vec<Identity> = (0..4).map(|_| Identity::generate()).collect();
    let ids = [
        "1111111111111111",
        "2222222222222222",
        "3333333333333333",
        "4444444444444444",
    ];
    for (id, who) in ids.iter().zip(&strangers) {
        raw(
            &ana,
            &with_ben,
            intro_frame(id, &hex(&who.public_key()), later),
        );
    }
    // Three from one introducer wait; the fourth is declined on arrival.
    for id in &ids[..3] {
        wait_intro(&ben, id, "offer", |i| i.state == IntroState::Offered);
    }
    wait_intro(&ben, ids[3], "automatic decline", |i| {
        i.state == IntroState::Declined
            && i.reason
                .as_deref()
                .unwrap_or("")
                .contains("3 introductions")
    });
    // Ben's own key, and Ana (already in touch): declined; a malformed key and an
    // expired introduction: not kept at all.
    raw(
        &ana,
        &with_ben,
        intro_frame("5555555555555555", &ben.identity_key(), later),
    );
    raw(
        &ana,
        &with_ben,
        intro_frame("6666666666666666", &ana.identity_key(), later),
    );
    raw(
        &ana,
        &with_ben,
        intro_frame("7777777777777777", "zz", later),
    );
    let stranger = hex(&Identity::generate().public_key());
    raw(
        &ana,
        &with_ben,
        intro_frame("8888888888888888", &stranger, 5),
    );
    wait_intro(&ben, "5555555555555555", "decline of self", |i| {
        i.reason
            .as_deref()
            .unwrap_or("")
            .contains("this device itself")
    });
    wait_intro(&ben, "6666666666666666", "decline of a contact", |i| {
        i.reason
            .as_deref()
            .unwrap_or("")
            .contains("already in touch")
    });
    let kept: Vec<String> = ben
        .introductions()
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert!(!kept.contains(&"7777777777777777".to_owned()));
    assert!(!kept.contains(&"8888888888888888".to_owned()));
    // A repeat changes nothing.
    raw(&ana, &with_ben, intro_frame(ids[0], &stranger, later));
    let first = ben.introductions().unwrap();
    let first = first.iter().find(|i| i.id == ids[0]).unwrap();
    assert_eq!(first.key, hex(&strangers[0].public_key()));

    // Accepted, then a damaged card: failed.
    for id in &ids[..3] {
        ben.accept_introduction(id).unwrap();
    }
    pass(&ana, &with_ben, ids[0], Some(vec![7u8; 120]));
    wait_intro(&ben, ids[0], "failure on a damaged card", |i| {
        i.state == IntroState::Failed
    });
    // A card Ana made herself, passed off as the stranger's: refused.
    let ben_key: [u8; 32] = unhex(&ben.identity_key()).unwrap().try_into().unwrap();
    let forged = Card {
        intro: [0x22; 8],
        from: unhex(&ana.identity_key()).unwrap().try_into().unwrap(),
        to: ben_key,
        expires_at: later,
        seed: [1; 32],
        description: description(),
    };
    let ana_identity = ana.inner.ctx.identity.clone();
    pass(
        &ana,
        &with_ben,
        ids[1],
        Some(forged.seal(&ana_identity, &mut OsRng).unwrap()),
    );
    wait_intro(&ben, ids[1], "refusal of a forged card", |i| {
        i.state == IntroState::Failed
            && i.reason
                .as_deref()
                .unwrap_or("")
                .contains("not signed by the person")
    });
    // The stranger's real card: the conversation is made and starts connecting.
    let real = Card {
        intro: [0x33; 8],
        from: strangers[2].public_key(),
        to: ben_key,
        expires_at: later,
        seed: [2; 32],
        description: description(),
    };
    pass(
        &ana,
        &with_ben,
        ids[2],
        Some(real.seal(&strangers[2], &mut OsRng).unwrap()),
    );
    wait_intro(&ben, ids[2], "connecting", |i| {
        i.state == IntroState::Connecting
    });
    assert!(ben.peers().iter().any(|p| p.peer == ids[2]));

    // A pass for an introduction Ben never had, or a decline of one that ended: ignored.
    pass(&ana, &with_ben, "9999999999999999", Some(vec![1; 100]));
    assert!(ben.decline_introduction(ids[0]).is_err());
    // Through all of it the chat carries on.
    ana.send(&with_ben, "still here").unwrap();
    wait_for(
        &ben,
        "the chat",
        |e| matches!(e, Event::Message { text, .. } if text == "still here"),
    );
    assert!(!ben
        .introductions()
        .unwrap()
        .iter()
        .any(|i| i.id == "9999999999999999"));
}

#[test]
fn a_contact_gets_passed_on_only_to_live_contacts_within_its_budget() {
    let dir = tempfile::tempdir().unwrap();
    let (ana, ben, cleo) = (
        start("Ana", dir.path()),
        start("Ben", dir.path()),
        start("Cleo", dir.path()),
    );
    let ben_ana = connect(&ben, &ana);
    let _ana_cleo = connect(&ana, &cleo);
    let relay = |id: &str, to: &str| {
        Frame::Relay {
            id: id.into(),
            to: to.into(),
            payload: "not really a follow-up code".into(),
        }
        .encode()
    };
    // Someone Ana has no link to: dropped.
    let stranger = hex(&Identity::generate().public_key());
    raw(&ben, &ben_ana, relay("r0", &stranger));
    // Cleo, connected: passed on, at most RELAYS_PER_WINDOW times; a repeat is dropped.
    for i in 0..super::relay::RELAYS_PER_WINDOW + 2 {
        raw(
            &ben,
            &ben_ana,
            relay(&format!("r{}", i + 1), &cleo.identity_key()),
        );
    }
    raw(&ben, &ben_ana, relay("r1", &cleo.identity_key()));
    ben.send(&ben_ana, "after the flood").unwrap();
    wait_for(
        &ana,
        "the chat after the flood",
        |e| matches!(e, Event::Message { text, .. } if text == "after the flood"),
    );
    // Every request counts against the budget, passed on or not: the stranger's too.
    let passed = ana.relays();
    assert_eq!(
        passed.len(),
        super::relay::RELAYS_PER_WINDOW - 1,
        "{passed:?}"
    );
    assert!(passed.iter().all(|r| r.from == ben_ana));
    // Cleo got junk "details": ignored, her conversation with Ana carries on.
    ana.send(&_ana_cleo, "still fine?").unwrap();
    wait_for(
        &cleo,
        "the chat",
        |e| matches!(e, Event::Message { text, .. } if text == "still fine?"),
    );
}

#[test]
fn letters_are_held_only_when_opted_in_for_own_contacts_and_junk_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let (ana, ben, cleo) = (
        start("Ana", dir.path()),
        start("Ben", dir.path()),
        start("Cleo", dir.path()),
    );
    let ben_ana = connect(&ben, &ana);
    let ana_cleo = connect(&ana, &cleo);
    let hold = |id: &str, to: &str| {
        Frame::Hold {
            id: id.into(),
            to: to.into(),
            letter: data_encoding::BASE64.encode(&[7u8; 200]),
            expires_at: unix_now() + 60,
        }
        .encode()
    };
    let stranger = hex(&Identity::generate().public_key());
    // Not opted in: nothing held.
    raw(&ben, &ben_ana, hold("h1", &cleo.identity_key()));
    ben.send(&ben_ana, "sync before").unwrap();
    wait_for(
        &ana,
        "the chat",
        |e| matches!(e, Event::Message { text, .. } if text == "sync before"),
    );
    assert_eq!(ana.held_letters().unwrap(), (0, 0));
    ana.set_holding(true).unwrap();
    // For a stranger, or for Ben himself: nothing held.
    raw(&ben, &ben_ana, hold("h2", &stranger));
    raw(&ben, &ben_ana, hold("h3", &ben.identity_key()));
    ben.send(&ben_ana, "sync").unwrap();
    wait_for(
        &ana,
        "the chat",
        |e| matches!(e, Event::Message { text, .. } if text == "sync"),
    );
    assert_eq!(ana.held_letters().unwrap(), (0, 0));
    // Ana hands Cleo junk as if from Ben (whom Cleo does not know) and as if from
    // herself: Cleo drops both and her chat carries on.
    let junk = |from: &str| {
        Frame::Handover {
            id: "j1".into(),
            from: from.into(),
            letter: data_encoding::BASE64.encode(&[9u8; 300]),
        }
        .encode()
    };
    raw(&ana, &ana_cleo, junk(&ben.identity_key()));
    raw(&ana, &ana_cleo, junk(&ana.identity_key()));
    ana.send(&ana_cleo, "after the junk").unwrap();
    wait_for(
        &cleo,
        "the chat",
        |e| matches!(e, Event::Message { text, .. } if text == "after the junk"),
    );
    let history = cleo.history(&ana_cleo, None, 10).unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
}

#[test]
fn a_room_member_cannot_forge_take_over_or_flood_the_room() {
    use crate::room::codec::{write_entry, write_operation};
    use crate::room::log::Logs;
    use crate::room::membership::{Change, Operation};
    let dir = tempfile::tempdir().unwrap();
    let (ana, ben, cleo) = (
        start("Ana", dir.path()),
        start("Ben", dir.path()),
        start("Cleo", dir.path()),
    );
    let ana_ben = connect(&ana, &ben);
    let ana_cleo = connect(&ana, &cleo);
    let room = ana
        .create_room("Club", &[ana_ben.clone(), ana_cleo])
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !ben.rooms().iter().any(|r| r.id == room) {
        assert!(Instant::now() < deadline, "Ben never joined");
        std::thread::sleep(Duration::from_millis(50));
    }
    let room_raw: [u8; 16] = unhex(&room).unwrap().try_into().unwrap();
    let room_frame = |kind: &str, data: &[u8]| {
        Frame::Room {
            room: room.clone(),
            kind: kind.into(),
            data: data_encoding::BASE64.encode(data),
            hops: 0,
        }
        .encode()
    };
    let ben_id = ben.inner.ctx.identity.clone();
    // A post signed by Ben but naming Cleo as its author.
    let mut forged = Logs::new(room_raw)
        .write(&ben_id, 0, vec![0, 1, 2])
        .unwrap();
    forged.author = unhex(&cleo.identity_key()).unwrap().try_into().unwrap();
    raw(&ben, &ana_ben, room_frame("post", &write_entry(&forged)));
    // Ben, not an admin, adds a stranger and removes Cleo.
    let stranger = Identity::generate().public_key();
    let cleo_key = forged.author;
    for change in [Change::Add(stranger), Change::Remove(cleo_key)] {
        let op = Operation::sign(room_raw, 99, change, &ben_id);
        raw(
            &ben,
            &ana_ben,
            room_frame("op", &write_operation(&op).unwrap()),
        );
    }
    // Ben floods: 100 valid posts at once.
    let mut logs = Logs::new(room_raw);
    for i in 0..100u8 {
        let entry = logs.write(&ben_id, 0, vec![0, i]).unwrap();
        raw(&ben, &ana_ben, room_frame("post", &write_entry(&entry)));
    }
    ben.send(&ana_ben, "after all that").unwrap();
    wait_for(
        &ana,
        "the chat",
        |e| matches!(e, Event::Message { text, .. } if text == "after all that"),
    );
    let info = ana.rooms().into_iter().find(|r| r.id == room).unwrap();
    assert_eq!(info.members.len(), 3, "membership unchanged: {info:?}");
    assert!(info.members.contains(&cleo.identity_key()));
    let lives = ana.inner.ctx.rooms.live();
    let held = lives.get(&room_raw).unwrap();
    assert!(
        held.logs.entries_of(&cleo_key).is_empty(),
        "the forgery was refused"
    );
    let from_ben = held.logs.entries_of(&ben_id.public_key()).len();
    assert!(
        from_ben <= super::rooms::LIVE_POSTS_PER_WINDOW,
        "{from_ben} of Ben's 100 posts kept at once"
    );
}
