//! A first contact is finished whenever the other side gets to it, within the
//! invite's lifetime: the joiner waits past the connect timeout, survives being closed
//! and reopened, and a follow-up code made later still connects. Two nodes on
//! loopback; tests/tests/cli_netns.rs does the same across NATs.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tincan_core::code::unix_now;
use tincan_core::link::LinkConfig;
use tincan_core::node::{
    Event, InviteInfo, InviteRequest, JoinInfo, Node, NodeConfig, PeerState, Protection,
    WaitingConversation,
};
use tincan_core::protect::argon;
use tincan_core::protect::keys::Role;
use tincan_core::secrets::MemorySecretStore;

use common::{expect_connected, expect_event, expect_received};

/// Short enough that a test outlives it several times over.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

fn open(name: &str, dir: &Path, secrets: Arc<MemorySecretStore>) -> Node {
    let mut config = NodeConfig::new(dir.to_owned(), secrets);
    config.link = LinkConfig::loopback();
    config.argon = argon::FLOOR;
    config.display_name = Some(name.to_owned());
    config.connect_timeout = CONNECT_TIMEOUT;
    Node::open(config).unwrap()
}

fn open_invite(lifetime_secs: Option<u64>) -> InviteRequest {
    InviteRequest {
        protection: Protection::Open,
        lifetime_secs,
    }
}

fn state_of(node: &Node, peer: &str) -> Option<PeerState> {
    node.peers()
        .into_iter()
        .find(|p| p.peer == peer)
        .map(|p| p.state)
}

/// Ana invited, Ben joined and closed his app before she loaded the reply.
struct JoinedAndClosed {
    ana: Node,
    invite: InviteInfo,
    joined: JoinInfo,
    ben_dir: tempfile::TempDir,
    ben_secrets: Arc<MemorySecretStore>,
    _ana_dir: tempfile::TempDir,
}

impl JoinedAndClosed {
    fn reopen_ben(&self) -> Node {
        open("Ben", self.ben_dir.path(), self.ben_secrets.clone())
    }
}

fn joined_and_closed() -> JoinedAndClosed {
    let (ana_dir, ben_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ben_secrets = Arc::new(MemorySecretStore::default());
    let ana = open("Ana", ana_dir.path(), Arc::default());
    let invite = ana.create_invite(open_invite(None)).unwrap();
    let ben = open("Ben", ben_dir.path(), ben_secrets.clone());
    let joined = ben.join(&invite.code, None).unwrap();
    ben.shutdown();
    drop(ben);
    JoinedAndClosed {
        ana,
        invite,
        joined,
        ben_dir,
        ben_secrets,
        _ana_dir: ana_dir,
    }
}

fn chat(ana: &Node, ben: &Node, peer: &str) {
    ana.send(peer, "you made it").unwrap();
    expect_received(ben, peer, "you made it");
    ben.send(peer, "late but here").unwrap();
    expect_received(ana, peer, "late but here");
}

#[test]
fn the_joiner_keeps_waiting_past_the_connect_timeout_and_connects_when_the_reply_is_loaded() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ana = open("Ana", a_dir.path(), Arc::default());
    let ben = open("Ben", b_dir.path(), Arc::default());
    let invite = ana.create_invite(open_invite(None)).unwrap();
    let joined = ben.join(&invite.code, None).unwrap();
    // Well past the connect timeout, Ben is still waiting, not failed.
    std::thread::sleep(CONNECT_TIMEOUT * 3);
    assert_eq!(
        state_of(&ben, &joined.peer),
        Some(PeerState::Connecting),
        "the joiner gave up before the invite expired"
    );
    let waiting = ben.waiting_conversations().unwrap();
    assert_eq!(
        waiting,
        vec![WaitingConversation {
            peer: joined.peer.clone(),
            role: Role::Joiner,
            until: invite.expires_at,
            reply_code: Some(joined.reply_code.clone()),
        }]
    );
    ana.accept_reply(&joined.reply_code).unwrap();
    expect_connected(&ana, &joined.peer);
    expect_connected(&ben, &joined.peer);
    chat(&ana, &ben, &joined.peer);
    assert!(
        ben.waiting_conversations().unwrap().is_empty(),
        "connected: no longer waiting"
    );
}

#[test]
fn a_joiner_closed_and_reopened_still_connects_when_the_reply_is_loaded_later() {
    let closed = joined_and_closed();
    let (ana, invite, joined) = (&closed.ana, &closed.invite, &closed.joined);

    // Reopened (a phone app resumes on open): the join is waiting again.
    let ben = closed.reopen_ben();
    let waiting = ben.waiting_conversations().unwrap();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert_eq!(waiting[0].peer, joined.peer);
    assert_eq!(
        waiting[0].reply_code.as_deref(),
        Some(joined.reply_code.as_str())
    );
    assert_eq!(state_of(&ben, &joined.peer), Some(PeerState::Connecting));
    // Opening the same invite again gives the same reply, not a new one that would
    // break the first.
    let again = ben.join(&invite.code, None).unwrap();
    assert_eq!(&again, joined);

    ana.accept_reply(&joined.reply_code).unwrap();
    expect_connected(ana, &joined.peer);
    expect_connected(&ben, &joined.peer);
    chat(ana, &ben, &joined.peer);
}

#[test]
fn a_follow_up_code_made_later_by_the_inviter_connects_a_reopened_joiner() {
    let closed = joined_and_closed();
    let (ana, joined) = (&closed.ana, &closed.joined);
    // Ana loads the reply while Ben is closed: nothing answers, past her quick window.
    ana.accept_reply(&joined.reply_code).unwrap();
    std::thread::sleep(CONNECT_TIMEOUT * 2);
    assert_eq!(state_of(ana, &joined.peer), Some(PeerState::Connecting));
    assert_eq!(ana.waiting_conversations().unwrap().len(), 1);

    // Ana makes a follow-up code (a fresh port); Ben reopens and loads it.
    let code = ana.followup_code(&joined.peer).unwrap();
    let ben = closed.reopen_ben();
    assert_eq!(ben.accept_followup(&code).unwrap(), joined.peer);
    expect_connected(ana, &joined.peer);
    expect_connected(&ben, &joined.peer);
    chat(ana, &ben, &joined.peer);
}

#[test]
fn a_first_contact_ends_when_the_invite_expires_and_is_not_resumed() {
    let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let ben_secrets = Arc::new(MemorySecretStore::default());
    let ana = open("Ana", a_dir.path(), Arc::default());
    let invite = ana.create_invite(open_invite(Some(4))).unwrap();
    let ben = open("Ben", b_dir.path(), ben_secrets.clone());
    let joined = ben.join(&invite.code, None).unwrap();
    let failed = expect_event(&ben, "the first contact to end at expiry", |e| {
        matches!(
            e,
            Event::PeerState {
                state: PeerState::Failed { .. },
                ..
            }
        )
    });
    let Event::PeerState {
        state: PeerState::Failed { reason },
        ..
    } = failed
    else {
        unreachable!()
    };
    assert!(reason.contains("expired"), "{reason}");
    assert!(unix_now() >= invite.expires_at);
    assert!(ben.waiting_conversations().unwrap().is_empty());
    ben.shutdown();
    drop(ben);
    let started = Instant::now();
    let ben = open("Ben", b_dir.path(), ben_secrets);
    assert!(ben.waiting_conversations().unwrap().is_empty());
    assert_eq!(state_of(&ben, &joined.peer), None, "not resumed");
    assert!(started.elapsed() < Duration::from_secs(5));
}
