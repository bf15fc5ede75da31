//! Two nodes in one process on loopback: the whole first-contact story through the
//! node façade, and the ways it must fail cleanly.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::link::LinkConfig;
use tincan_core::node::{Event, InviteRequest, Node, NodeConfig, NodeError, PeerState, Protection};
use tincan_core::protect::argon;
use tincan_core::secrets::MemorySecretStore;
use tincan_core::CodeError;

use common::{expect_connected, expect_event, expect_received};

struct Person {
    node: Node,
    _dir: tempfile::TempDir,
}

fn person(name: &str) -> Person {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    Person {
        node: open(name, dir.path(), secrets),
        _dir: dir,
    }
}

fn open(name: &str, dir: &std::path::Path, secrets: Arc<MemorySecretStore>) -> Node {
    let mut config = NodeConfig::new(dir.to_owned(), secrets);
    config.link = LinkConfig::loopback();
    config.argon = argon::FLOOR;
    config.display_name = Some(name.to_owned());
    config.connect_timeout = Duration::from_secs(20);
    Node::open(config).unwrap()
}

fn question(answer: &str) -> InviteRequest {
    InviteRequest {
        protection: Protection::Question {
            question: "Where did we first meet?".into(),
            answer: answer.into(),
        },
        lifetime_secs: None,
    }
}

/// Ana invites, Ben joins, Ana loads the reply: both see the conversation connect.
fn connect(ana: &Node, ben: &Node, request: InviteRequest, answer: Option<&str>) -> String {
    let invite = ana.create_invite(request).unwrap();
    let preview = ben.open_invite(&invite.code).unwrap();
    assert_eq!(preview.invite_id, invite.invite_id);
    let joined = ben.join(&invite.code, answer).unwrap();
    let peer = ana.accept_reply(&joined.reply_code).unwrap();
    assert_eq!(peer, joined.peer);
    expect_connected(ana, &peer);
    expect_connected(ben, &peer);
    peer
}

#[test]
fn question_invite_connects_and_both_can_chat() {
    let (ana, ben) = (person("Ana"), person("Ben"));
    let peer = connect(&ana.node, &ben.node, question("Lisbon"), Some(" lisbon "));

    let id = ana.node.send(&peer, "hello Ben").unwrap();
    expect_received(&ben.node, &peer, "hello Ben");
    expect_event(
        &ana.node,
        "receipt",
        |e| matches!(e, Event::Delivered { id: i, .. } if *i == id),
    );
    ben.node.send(&peer, "hi Ana ✨").unwrap();
    expect_received(&ana.node, &peer, "hi Ana ✨");

    let listed = ana.node.peers();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name.as_deref(), Some("Ben"));
    assert!(listed[0]
        .selected_pair
        .as_deref()
        .unwrap_or("")
        .contains("127.0.0.1"));
    // Ana's app closing is not the end of the conversation: Ben starts reconnecting.
    ana.node.shutdown();
    expect_event(&ben.node, "reconnecting", |e| {
        matches!(
            e,
            Event::PeerState {
                state: PeerState::Reconnecting { .. },
                ..
            }
        )
    });
    assert!(ana.node.send(&peer, "x").is_err());
    ben.node.shutdown();
}

#[test]
fn open_invite_connects_without_a_question() {
    let (ana, ben) = (person("Ana"), person("Ben"));
    let request = InviteRequest {
        protection: Protection::Open,
        lifetime_secs: None,
    };
    let peer = connect(&ana.node, &ben.node, request, None);
    ben.node.send(&peer, "no question needed").unwrap();
    expect_received(&ana.node, &peer, "no question needed");
}

#[test]
fn wrong_answer_is_refused_and_reported() {
    let (ana, ben) = (person("Ana"), person("Ben"));
    let invite = ana.node.create_invite(question("Lisbon")).unwrap();
    let joined = ben.node.join(&invite.code, Some("Porto")).unwrap();
    let err = ana.node.accept_reply(&joined.reply_code).unwrap_err();
    assert!(
        matches!(err, NodeError::Code(CodeError::WrongAnswer)),
        "{err}"
    );
    assert!(err.to_string().contains("answer does not match"));
    expect_event(&ana.node, "wrong-answer event", |e| {
        matches!(
            e,
            Event::WrongAnswer {
                attempts_left: 2,
                ..
            }
        )
    });
    // The same reply again is a second wrong attempt, not a crash.
    assert!(matches!(
        ana.node.accept_reply(&joined.reply_code),
        Err(NodeError::Code(CodeError::WrongAnswer))
    ));
}

#[test]
fn reused_foreign_and_expired_replies_fail_cleanly() {
    let (ana, ben, cleo) = (person("Ana"), person("Ben"), person("Cleo"));
    let invite = ana.node.create_invite(question("Lisbon")).unwrap();
    let joined = ben.node.join(&invite.code, Some("lisbon")).unwrap();
    let peer = ana.node.accept_reply(&joined.reply_code).unwrap();
    expect_connected(&ana.node, &peer);
    assert!(matches!(
        ana.node.accept_reply(&joined.reply_code),
        Err(NodeError::Code(CodeError::AlreadyUsed))
    ));
    // Cleo's reply to Cleo's own invite means nothing to Ana.
    let cleos = cleo.node.create_invite(question("x")).unwrap();
    let stray = ben.node.join(&cleos.code, Some("x")).unwrap();
    assert!(matches!(
        ana.node.accept_reply(&stray.reply_code),
        Err(NodeError::UnknownInvite)
    ));
    // An invite code where a reply belongs says so.
    assert!(matches!(
        ana.node.accept_reply(&cleos.code),
        Err(NodeError::Code(CodeError::WrongKind { .. }))
    ));
    assert!(matches!(
        ana.node.accept_reply("TINCAN-R1-AAAA"),
        Err(NodeError::Code(CodeError::Damaged { .. }))
    ));

    // An invite that expires before the reply is loaded.
    let short = ana
        .node
        .create_invite(InviteRequest {
            lifetime_secs: Some(1),
            ..question("Lisbon")
        })
        .unwrap();
    let late = ben.node.join(&short.code, Some("lisbon")).unwrap();
    std::thread::sleep(Duration::from_millis(2100));
    assert!(matches!(
        ana.node.accept_reply(&late.reply_code),
        Err(NodeError::Code(CodeError::Expired))
    ));
}

#[test]
fn the_inviter_can_restart_and_still_complete_the_invite() {
    let ben = person("Ben");
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let ana = open("Ana", dir.path(), secrets.clone());
    let invite = ana.create_invite(question("Lisbon")).unwrap();
    ana.shutdown();
    drop(ana);

    let joined = ben.node.join(&invite.code, Some("lisbon")).unwrap();
    let ana = open("Ana", dir.path(), secrets.clone());
    assert_eq!(ana.open_invites().unwrap(), vec![invite.invite_id.clone()]);
    let peer = ana.accept_reply(&joined.reply_code).unwrap();
    expect_connected(&ana, &peer);
    expect_connected(&ben.node, &peer);
    ana.send(&peer, "back again").unwrap();
    expect_received(&ben.node, &peer, "back again");
    let pair = ana.peers()[0].selected_pair.clone().unwrap_or_default();
    println!("after restart, selected pair: {pair}");
}

#[test]
fn private_invites_need_a_strong_answer_and_then_connect() {
    let (ana, ben) = (person("Ana"), person("Ben"));
    let weak = InviteRequest {
        protection: Protection::Private {
            question: "Our passphrase?".into(),
            answer: "lisbon".into(),
        },
        lifetime_secs: None,
    };
    let started = Instant::now();
    assert!(matches!(
        ana.node.create_invite(weak),
        Err(NodeError::Code(CodeError::WeakAnswer { needed: 60, .. }))
    ));
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "refused before gathering"
    );
    let passphrase = "violet kettle drums beneath 41 sleepy harbour moons";
    let strong = InviteRequest {
        protection: Protection::Private {
            question: "Our passphrase?".into(),
            answer: passphrase.into(),
        },
        lifetime_secs: None,
    };
    let invite = ana.node.create_invite(strong).unwrap();
    // A wrong passphrase is caught by Ben's own device (the details do not open).
    assert!(matches!(
        ben.node.join(&invite.code, Some("wrong")),
        Err(NodeError::Code(CodeError::WrongAnswer))
    ));
    let joined = ben.node.join(&invite.code, Some(passphrase)).unwrap();
    let peer = ana.node.accept_reply(&joined.reply_code).unwrap();
    expect_connected(&ana.node, &peer);
    expect_connected(&ben.node, &peer);
}

/// What is in a data directory: names, sizes and modification times.
fn listing(dir: &std::path::Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                meta.len(),
                meta.modified().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

/// One node per data directory: a second one is refused with a sentence naming the
/// directory and touches nothing stored; the first keeps working; once the first is
/// shut down (the app restarting its node) or dropped, the directory opens again.
#[test]
fn a_second_node_on_the_same_data_directory_is_refused() {
    let ben = person("Ben");
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemorySecretStore::default());
    let ana = open("Ana", dir.path(), secrets.clone());
    let before = listing(dir.path());

    let mut config = NodeConfig::new(dir.path().to_owned(), secrets.clone());
    config.link = LinkConfig::loopback();
    let refused = Node::open(config).err().expect("a second node is refused");
    assert!(
        matches!(&refused, NodeError::DataDirInUse(p) if p == dir.path()),
        "{refused:?}"
    );
    let message = refused.to_string();
    assert!(
        message.contains("Another Tincan is already using")
            && message.contains(&dir.path().display().to_string())
            && message.contains("close it first"),
        "{message}"
    );
    assert_eq!(
        listing(dir.path()),
        before,
        "the refused node touched the data"
    );

    // The first one never noticed.
    let peer = connect(&ana, &ben.node, question("Lisbon"), Some("lisbon"));
    ana.send(&peer, "still here").unwrap();
    expect_received(&ben.node, &peer, "still here");

    // Shut down (its handle still alive): free again.
    ana.shutdown();
    let again = open("Ana", dir.path(), secrets.clone());
    assert_eq!(again.known_conversations().unwrap().len(), 1);
    // Dropped without a shutdown: free again too.
    drop(again);
    drop(ana);
    open("Ana", dir.path(), secrets).shutdown();
}
