//! The FFI node wrapper driven from Rust, the way the Kotlin and Swift tests drive it:
//! everything the bindings add is reachable from a Rust test.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_ffi::{Event, MemorySecretStore, Node, NodeOptions, PeerState, Protection, TincanError};

fn person(name: &str, dir: &tempfile::TempDir) -> Arc<Node> {
    Node::open(
        NodeOptions {
            data_dir: dir.path().to_str().unwrap().to_owned(),
            display_name: Some(name.to_owned()),
            loopback_only: true,
            connect_timeout_secs: Some(20),
        },
        MemorySecretStore::new(),
    )
    .unwrap()
}

fn expect(node: &Node, what: &str, pred: impl Fn(&Event) -> bool) -> Event {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        let started = Instant::now();
        let event = node.next_event(200);
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "next_event(200 ms) blocked for {:?}",
            started.elapsed()
        );
        if let Some(e) = event {
            if pred(&e) {
                return e;
            }
            seen.push(e);
        }
    }
    panic!("no {what} within 20 s; saw {seen:?}");
}

#[test]
fn open_invite_connects_and_chats_through_the_wrapper() {
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (ana, ben) = (person("Ana", &da), person("Ben", &db));
    let invite = ana.create_invite(Protection::Open, None).unwrap();
    let joined = ben.join(&invite.code, None).unwrap();
    let peer = ana.accept_reply(&joined.reply_code).unwrap();
    let connected = Event::PeerStateChanged {
        peer: peer.clone(),
        state: PeerState::Connected,
    };
    expect(&ana, "ana connected", |e| *e == connected);
    expect(&ben, "ben connected", |e| *e == connected);
    let id = ana.send(&peer, "hi").unwrap();
    let got = expect(&ben, "message", |e| matches!(e, Event::Message { .. }));
    assert_eq!(
        got,
        Event::Message {
            peer: peer.clone(),
            id,
            text: "hi".into()
        }
    );
    ana.shutdown();
    assert!(matches!(
        ana.create_invite(Protection::Open, None),
        Err(TincanError::Closed(_))
    ));
    ben.shutdown();
}

#[test]
fn a_wrong_answer_maps_to_the_flat_error() {
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (ana, ben) = (person("Ana", &da), person("Ben", &db));
    let invite = ana
        .create_invite(
            Protection::Question {
                question: "Where?".into(),
                answer: "Lisbon".into(),
            },
            None,
        )
        .unwrap();
    let reply = ben.join(&invite.code, Some("Porto".into())).unwrap();
    let err = ana.accept_reply(&reply.reply_code).unwrap_err();
    assert!(matches!(err, TincanError::WrongAnswer(_)), "{err:?}");
    assert!(err.to_string().starts_with("The answer does not match"));
    ana.shutdown();
    ben.shutdown();
}

/// The Flow/AsyncStream wrappers may pull from several threads at once (a cancelled
/// collector's last call overlapping the next collector's first): every call must
/// still return within its timeout.
#[test]
fn concurrent_next_event_calls_return_within_their_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let node = person("Ana", &dir);
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let node = node.clone();
            std::thread::spawn(move || {
                let mut worst = Duration::ZERO;
                for _ in 0..10 {
                    let started = Instant::now();
                    assert!(node.next_event(100).is_none());
                    worst = worst.max(started.elapsed());
                    if worst > Duration::from_secs(5) {
                        break;
                    }
                }
                worst
            })
        })
        .collect();
    for t in threads {
        let worst = t.join().unwrap();
        assert!(
            worst < Duration::from_secs(2),
            "next_event(100 ms) took {worst:?} with concurrent callers"
        );
    }
    node.shutdown();
}

/// Drives a future the way UniFFI's foreign side does: polled on this thread (no tokio
/// runtime here), parked until its waker fires. Bounded: panics if never woken.
fn await_without_runtime<F: Future>(f: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    assert!(tokio::runtime::Handle::try_current().is_err());
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut f = std::pin::pin!(f);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let std::task::Poll::Ready(out) = f.as_mut().poll(&mut cx) {
            return out;
        }
        assert!(
            Instant::now() < deadline,
            "the event stream was never woken"
        );
        std::thread::park_timeout(Duration::from_millis(500));
    }
}

/// `EventStream::next` (Kotlin `suspend`, Swift `async`) needs no runtime of the
/// caller's, delivers in order, and ends when the node shuts down or is dropped,
/// even while a wait is pending.
#[test]
fn the_event_stream_is_awaited_without_a_runtime_and_ends_at_shutdown() {
    let (da, db) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (ana, ben) = (person("Ana", &da), person("Ben", &db));
    let invite = ana.create_invite(Protection::Open, None).unwrap();
    let peer = ana
        .accept_reply(&ben.join(&invite.code, None).unwrap().reply_code)
        .unwrap();
    let connected = Event::PeerStateChanged {
        peer: peer.clone(),
        state: PeerState::Connected,
    };
    let ben_events = ben.events();
    while await_without_runtime(ben_events.next()).unwrap() != connected {}
    expect(&ana, "ana connected", |e| *e == connected);

    let texts: Vec<String> = (1..=10).map(|i| format!("message {i}")).collect();
    for t in &texts {
        ana.send(&peer, t).unwrap();
    }
    let mut got = Vec::new();
    while got.len() < texts.len() {
        if let Some(Event::Message { text, .. }) = await_without_runtime(ben_events.next()) {
            got.push(text);
        }
    }
    assert_eq!(got, texts);

    // A wait pending on another thread ends when the node shuts down.
    let ana_events = ana.events();
    let waiter = std::thread::spawn(move || {
        let mut seen = 0;
        while await_without_runtime(ana_events.next()).is_some() {
            seen += 1;
        }
        seen
    });
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    ana.shutdown();
    assert!(waiter.join().unwrap() < 100);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(await_without_runtime(ana.events().next()), None);

    // Dropping the last reference (Kotlin close(), Swift deinit) ends it too.
    let ben_waiter = std::thread::spawn(move || {
        let mut seen = Vec::new();
        while let Some(e) = await_without_runtime(ben_events.next()) {
            seen.push(e);
        }
        seen
    });
    std::thread::sleep(Duration::from_millis(100));
    let started = Instant::now();
    drop(ben);
    let seen = ben_waiter.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(seen.len() < 100, "{seen:?}");
}
