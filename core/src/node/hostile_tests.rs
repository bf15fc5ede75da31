//! A peer that passed the handshake and then misbehaves: what it sends is dropped
//! with a logged reason, the connection survives, and it cannot touch any other
//! conversation. In-crate because the misbehaving peer needs a raw-bytes hook.
#![allow(clippy::unwrap_used, clippy::panic)]

use super::test_support::{connect, raw, start, wait_for};
use super::*;
use crate::wire::{Frame, MAX_FRAME_BYTES};

#[test]
fn junk_from_a_peer_is_dropped_and_it_cannot_touch_other_conversations() {
    let dir = tempfile::tempdir().unwrap();
    let (ana, ben, cara) = (
        start("Ana", dir.path()),
        start("Ben", dir.path()),
        start("Cara", dir.path()),
    );
    let with_ben = connect(&ana, &ben);
    let with_cara = connect(&ana, &cara);
    // Cara is away: Ana's message to her waits in the outbox.
    cara.shutdown();
    wait_for(
        &ana,
        "cara away",
        |e| matches!(e, Event::PeerState { peer, state: PeerState::Reconnecting { .. } } if *peer == with_cara),
    );
    let for_cara = ana.send(&with_cara, "for Cara only").unwrap();
    assert_eq!(lock(&ana.inner.store).outbox_count(&with_cara).unwrap(), 1);

    // Ben sends everything a broken or hostile peer might.
    raw(&ben, &with_ben, vec![b'{'; MAX_FRAME_BYTES + 1]);
    raw(&ben, &with_ben, b"not json at all".to_vec());
    raw(&ben, &with_ben, br#"{"v":1,"type":"teleport"}"#.to_vec());
    raw(
        &ben,
        &with_ben,
        br#"{"v":99,"type":"chat","id":"a","sent_at":1,"text":"x"}"#.to_vec(),
    );
    raw(
        &ben,
        &with_ben,
        br#"{"v":1,"type":"chat","id":"no spaces","sent_at":1,"text":"x"}"#.to_vec(),
    );
    let long = "x".repeat(crate::wire::MAX_TEXT_BYTES + 1);
    raw(
        &ben,
        &with_ben,
        Frame::Chat {
            id: "big".into(),
            sent_at: 1,
            text: long,
        }
        .encode(),
    );
    // Receipts naming Cara's message: they must not touch Ana's other conversation.
    raw(
        &ben,
        &with_ben,
        Frame::Ack {
            id: for_cara.clone(),
        }
        .encode(),
    );
    raw(
        &ben,
        &with_ben,
        Frame::Read {
            ids: vec![for_cara.clone()],
        }
        .encode(),
    );
    // A repeated handshake frame after the handshake is ignored too.
    raw(
        &ben,
        &with_ben,
        Frame::Hello {
            key: "00".into(),
            nonce: "00".into(),
            name: None,
        }
        .encode(),
    );
    // Then a good message: the connection survived all of it.
    ben.send(&with_ben, "still friends?").unwrap();
    let got = wait_for(&ana, "the good message", |e| {
        matches!(e, Event::Message { .. })
    });
    assert!(
        matches!(got, Event::Message { peer, text, .. } if peer == with_ben && text == "still friends?")
    );
    assert_eq!(
        ana.peers()
            .iter()
            .find(|p| p.peer == with_ben)
            .unwrap()
            .state,
        PeerState::Connected
    );

    // Nothing of the junk was stored, and Cara's message is still waiting for her.
    let history = ana.history(&with_ben, None, 100).unwrap();
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(lock(&ana.inner.store).outbox_count(&with_cara).unwrap(), 1);
    let cara_msg = lock(&ana.inner.store)
        .message(&with_cara, true, &for_cara)
        .unwrap()
        .unwrap();
    assert_eq!(cara_msg.status, crate::store::MessageStatus::Queued);
    ana.shutdown();
    ben.shutdown();
}
