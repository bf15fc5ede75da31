//! Contacts that stay connected, in one process on loopback: identities and safety
//! numbers, the outbox across a restart, receipts, history, and a changed identity.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::Path;
use std::time::Duration;

use tincan_core::link::LinkConfig;
use tincan_core::node::{Event, InviteRequest, Node, PeerState, Protection};
use tincan_core::secrets::SecretStore;
use tincan_core::store::MessageStatus;

use common::device::{connect, Device};
use common::{expect_connected, expect_event, expect_received};

/// Ana's and Ben's devices under `root`.
fn ana_and_ben(root: &Path) -> (Device, Device) {
    (Device::new("Ana", root), Device::new("Ben", root))
}

fn open_invite() -> InviteRequest {
    InviteRequest {
        protection: Protection::Open,
        lifetime_secs: None,
    }
}

fn texts(node: &Node, peer: &str) -> Vec<(bool, String)> {
    node.history(peer, None, 1000)
        .unwrap()
        .into_iter()
        .map(|m| (m.outgoing, m.text))
        .collect()
}

#[test]
fn first_connection_makes_contacts_with_matching_safety_numbers() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = ana_and_ben(root.path());
    let (ana, ben) = (a.start(), b.start());
    let invite = ana.create_invite(open_invite()).unwrap();
    let joined = ben.join(&invite.code, None).unwrap();
    let peer = ana.accept_reply(&joined.reply_code).unwrap();
    let added = |node: &Node| match expect_event(node, "contact", |e| {
        matches!(e, Event::ContactAdded { .. })
    }) {
        Event::ContactAdded {
            name,
            safety_number,
            contact,
            ..
        } => (name, safety_number, contact),
        _ => unreachable!(),
    };
    let (ana_sees, ana_number, ben_id) = added(&ana);
    let (ben_sees, ben_number, ana_id) = added(&ben);
    assert_eq!(ana_sees.as_deref(), Some("Ben"));
    assert_eq!(ben_sees.as_deref(), Some("Ana"));
    assert_eq!(
        ana_number, ben_number,
        "both people see the same safety number"
    );
    assert_eq!(ben_id, ben.identity_key());
    assert_eq!(ana_id, ana.identity_key());
    let listed = ana.contacts().unwrap();
    assert_eq!(listed.len(), 1);
    assert!(!listed[0].verified);
    // Scanning the other phone's safety QR verifies the contact.
    let ben_payload = ben.safety_qr_payload(&ana_id).unwrap();
    assert!(ana.verify_scanned(&ben_id, &ben_payload).unwrap());
    assert!(ana.contact(&ben_id).unwrap().verified);
    assert_eq!(ana.peers()[0].contact.as_deref(), Some(ben_id.as_str()));
    expect_connected(&ana, &peer);
    ana.shutdown();
    ben.shutdown();
}

#[test]
fn messages_written_while_the_peer_is_away_arrive_once_after_it_restarts() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = ana_and_ben(root.path());
    let (ana, ben) = (a.start(), b.start());
    let peer = connect(&ana, &ben);
    ana.send(&peer, "before").unwrap();
    expect_received(&ben, &peer, "before");

    // Ana's app closes; Ben keeps writing.
    ana.shutdown();
    drop(ana);
    expect_event(&ben, "reconnecting", |e| {
        matches!(
            e,
            Event::PeerState {
                state: PeerState::Reconnecting { .. },
                ..
            }
        )
    });
    for i in 0..5 {
        ben.send(&peer, &format!("while away {i}")).unwrap();
    }
    let waiting = ben.peers();
    assert_eq!(waiting[0].outbox, 5, "the outbox count is visible");

    // Ana comes back: no codes, the conversation reconnects and the outbox drains.
    let ana = a.start();
    expect_connected(&ana, &peer);
    for i in 0..5 {
        expect_received(&ana, &peer, &format!("while away {i}"));
    }
    let mut delivered = 0;
    while delivered < 5 {
        expect_event(&ben, "delivery", |e| matches!(e, Event::Delivered { .. }));
        delivered += 1;
    }
    assert_eq!(ben.peers()[0].outbox, 0);
    // Both histories hold each message exactly once, in order.
    let expected: Vec<String> = std::iter::once("before".to_owned())
        .chain((0..5).map(|i| format!("while away {i}")))
        .collect();
    let ana_history: Vec<String> = texts(&ana, &peer).into_iter().map(|(_, t)| t).collect();
    let ben_history: Vec<String> = texts(&ben, &peer).into_iter().map(|(_, t)| t).collect();
    assert_eq!(ana_history, expected);
    assert_eq!(ben_history, expected);
    assert!(ben
        .history(&peer, None, 100)
        .unwrap()
        .iter()
        .filter(|m| m.outgoing)
        .all(|m| m.status == MessageStatus::Delivered));

    // Read receipts travel back.
    let last = ana.history(&peer, None, 1).unwrap().pop().unwrap();
    ana.mark_read(&peer, last.seq).unwrap();
    let Event::Read { ids, .. } =
        expect_event(&ben, "read receipt", |e| matches!(e, Event::Read { .. }))
    else {
        unreachable!()
    };
    assert_eq!(ids.len(), 5);
    ana.shutdown();
    ben.shutdown();
}

#[test]
fn history_pages_back_through_a_long_conversation() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = ana_and_ben(root.path());
    let (ana, ben) = (a.start(), b.start());
    let peer = connect(&ana, &ben);
    for i in 0..60 {
        ana.send(&peer, &format!("m{i}")).unwrap();
    }
    expect_received(&ben, &peer, "m59");
    let newest = ben.history(&peer, None, 25).unwrap();
    assert_eq!(newest.first().unwrap().text, "m35");
    assert_eq!(newest.last().unwrap().text, "m59");
    let older = ben.history(&peer, Some(newest[0].seq), 25).unwrap();
    assert_eq!(older.first().unwrap().text, "m10");
    let oldest = ben.history(&peer, Some(older[0].seq), 25).unwrap();
    assert_eq!(oldest.len(), 10);
    assert_eq!(oldest[0].text, "m0");
    ana.shutdown();
    ben.shutdown();
}

#[test]
fn a_changed_identity_key_is_a_loud_warning_and_refused_until_accepted() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = ana_and_ben(root.path());
    let (ana, ben) = (a.start(), b.start());
    let peer = connect(&ana, &ben);
    let ben_old_key = ben.identity_key();
    ben.shutdown();
    drop(ben);
    // Ben's device loses its identity key (or someone else holds his conversation
    // keys): it comes back with a different one.
    b.secrets.delete("identity-ed25519").unwrap();
    let ben = b.start();
    assert_ne!(ben.identity_key(), ben_old_key);
    let Event::IdentityChanged { contact, name, .. } =
        expect_event(&ana, "identity warning", |e| {
            matches!(e, Event::IdentityChanged { .. })
        })
    else {
        unreachable!()
    };
    assert_eq!(name.as_deref(), Some("Ben"));
    assert_eq!(contact, ben_old_key, "the contact keeps its id");
    let failed = expect_event(&ana, "refusal", |e| {
        matches!(
            e,
            Event::PeerState {
                state: PeerState::Failed { .. },
                ..
            }
        )
    });
    assert!(format!("{failed:?}").contains("different identity key"));
    let info = ana.contact(&contact).unwrap();
    assert!(info.identity_changed);
    // Nothing was adopted silently: the trusted key is still the old one.
    assert!(ana.send(&peer, "are you there?").is_err());

    // Ana checks the new safety number in person and accepts: they reconnect.
    ana.accept_new_identity(&contact).unwrap();
    assert!(!ana.contact(&contact).unwrap().identity_changed);
    expect_connected(&ana, &peer);
    ana.send(&peer, "welcome back").unwrap();
    expect_received(&ben, &peer, "welcome back");
    ana.shutdown();
    ben.shutdown();
}

/// A device on its own loopback address, as if on its own network.
fn start_at(device: &Device, addr: [u8; 4]) -> Node {
    device.start_with(|config| {
        config.link = LinkConfig {
            bind: vec![std::net::SocketAddr::from((addr, 0))],
            ..LinkConfig::default()
        };
        config.reconnect.offline_after = Duration::from_secs(3);
    })
}

#[test]
fn when_both_moved_a_follow_up_code_reconnects_without_a_question() {
    let root = tempfile::tempdir().unwrap();
    let (a, b) = ana_and_ben(root.path());
    let (ana, ben) = (start_at(&a, [127, 0, 0, 2]), start_at(&b, [127, 0, 0, 3]));
    let invite = ana
        .create_invite(InviteRequest {
            protection: Protection::Question {
                question: "Where?".into(),
                answer: "Lisbon".into(),
            },
            lifetime_secs: None,
        })
        .unwrap();
    let joined = ben.join(&invite.code, Some("lisbon")).unwrap();
    let peer = ana.accept_reply(&joined.reply_code).unwrap();
    expect_connected(&ana, &peer);
    expect_connected(&ben, &peer);
    ana.shutdown();
    ben.shutdown();
    drop((ana, ben));

    // Both come back on other networks: neither stored address is reachable.
    let (ana, ben) = (start_at(&a, [127, 0, 0, 4]), start_at(&b, [127, 0, 0, 5]));
    ana.send(&peer, "can you hear me?").unwrap();
    for node in [&ana, &ben] {
        expect_event(node, "offline", |e| {
            matches!(
                e,
                Event::PeerState {
                    state: PeerState::Offline { .. },
                    ..
                }
            )
        });
    }
    // Ana sends a follow-up code through any messenger; Ben loads it. No question.
    let code = ana.followup_code(&peer).unwrap();
    assert_eq!(ben.accept_followup(&code).unwrap(), peer);
    expect_connected(&ben, &peer);
    expect_received(&ben, &peer, "can you hear me?");
    ana.shutdown();
    ben.shutdown();
}
