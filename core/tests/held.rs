//! Letters held for an offline contact (issue #15), on loopback: Ana holds letters for
//! her contacts. Ben writes to Cleo while Cleo is offline; Ben hands Ana sealed copies;
//! Ben goes offline too; Cleo comes back and gets Ben's messages from Ana, once each;
//! later Ben and Cleo meet directly and nothing is shown twice. Ana kept only sealed
//! bytes and forgets them once Cleo has them.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

mod common;

use std::time::{Duration, Instant};

use common::device::{connect, Device};
use common::{expect_connected, expect_received};
use tincan_core::node::{Node, ReconnectPolicy};

fn start(device: &Device) -> Node {
    device.start_with(|config| {
        config.reconnect = ReconnectPolicy {
            attempt_window: Duration::from_secs(2),
            first_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(1),
            ..ReconnectPolicy::default()
        };
    })
}

/// Waits (bounded) until `check` holds.
fn until(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check() {
        assert!(Instant::now() < deadline, "no {what} within 30 s");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_mutual_contact_holds_sealed_letters_and_hands_them_over_once() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        Device::new("Ana", dir.path()),
        Device::new("Ben", dir.path()),
        Device::new("Cleo", dir.path()),
    );
    let (ana, ben, cleo) = (start(&a), start(&b), start(&c));
    connect(&ana, &ben);
    connect(&ana, &cleo);
    let ben_cleo = connect(&ben, &cleo);
    assert!(!ana.holding());
    ana.set_holding(true).unwrap();

    // Cleo is away; Ben writes. A whole attempt fails, and Ben hands Ana his texts.
    cleo.shutdown();
    drop(cleo);
    let texts = ["while you were away", "call me when you are back"];
    for text in texts {
        ben.send(&ben_cleo, text).unwrap();
    }
    until("two letters held by Ana", || {
        ana.held_letters().unwrap().0 == texts.len()
    });
    // Ben goes away too; Cleo comes back and meets only Ana.
    ben.shutdown();
    drop(ben);
    let cleo = start(&c);
    for text in texts {
        expect_received(&cleo, &ben_cleo, text);
    }
    until("Ana forgetting the delivered letters", || {
        ana.held_letters().unwrap() == (0, 0)
    });
    // Ana never had the words, only sealed bytes.
    let db = std::fs::read(a.dir.join("tincan.db")).unwrap();
    let wal = std::fs::read(a.dir.join("tincan.db-wal")).unwrap_or_default();
    for text in texts {
        let found = |bytes: &[u8]| bytes.windows(text.len()).any(|w| w == text.as_bytes());
        assert!(!found(&db) && !found(&wal), "Ana's store holds {text:?}");
    }

    // Ben is back: his outbox goes out again, Cleo recognises both, nothing twice.
    let ben = start(&b);
    expect_connected(&ben, &ben_cleo);
    until("Ben's outbox empty", || {
        ben.peers()
            .iter()
            .any(|p| p.peer == ben_cleo && p.outbox == 0)
    });
    let history = cleo.history(&ben_cleo, None, 100).unwrap();
    for text in texts {
        let shown = history.iter().filter(|m| m.text == text).count();
        assert_eq!(shown, 1, "{text:?} stored once");
    }
    // The opt-in is kept across a restart.
    ana.shutdown();
    drop(ana);
    assert!(start(&a).holding());
}
