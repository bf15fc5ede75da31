//! Two Tincan links on loopback: connect, talk both ways, survive an inviter restart,
//! bounded gathering, goodbye on close.

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use tincan_core::link::{
    answer, IceServer, Link, LinkConfig, LinkError, LinkSecrets, LinkState, PendingOffer,
};

const OPEN_WITHIN: Duration = Duration::from_secs(10);

fn secrets() -> LinkSecrets {
    LinkSecrets::generate().expect("generate link secrets")
}

/// Ports of the `a=candidate` lines in an SDP.
fn candidate_ports(sdp: &str) -> Vec<u16> {
    sdp.lines()
        .filter(|l| l.starts_with("a=candidate:"))
        .filter_map(|l| l.split_whitespace().nth(5)?.parse().ok())
        .collect()
}

/// Alice invites, Bob answers, Alice accepts; both links open.
async fn alice_and_bob() -> (Link, Link) {
    let offer = PendingOffer::create(&LinkConfig::loopback(), &secrets())
        .await
        .expect("offer");
    let (answer_sdp, bob) = answer(&LinkConfig::loopback(), &secrets(), offer.local_sdp())
        .await
        .expect("answer");
    let alice = offer.accept(&answer_sdp).await.expect("accept");
    alice.wait_open(OPEN_WITHIN).await.expect("alice open");
    bob.wait_open(OPEN_WITHIN).await.expect("bob open");
    (alice, bob)
}

async fn expect_received(link: &Link, want: &[u8]) {
    let got = tokio::time::timeout(Duration::from_secs(5), link.recv())
        .await
        .expect("message within 5 s")
        .expect("link still open");
    assert_eq!(got.as_ref(), want);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_links_connect_and_talk_both_ways() {
    let alice_secrets = secrets();
    let bob_secrets = secrets();
    let offer = PendingOffer::create(&LinkConfig::loopback(), &alice_secrets)
        .await
        .expect("offer");
    assert!(
        !candidate_ports(offer.local_sdp()).is_empty(),
        "offer has candidates"
    );
    assert!(offer.local_sdp().contains(&alice_secrets.ice_ufrag));
    let (answer_sdp, bob) = answer(&LinkConfig::loopback(), &bob_secrets, offer.local_sdp())
        .await
        .expect("answer");
    let started = Instant::now();
    let alice = offer.accept(&answer_sdp).await.expect("accept");
    alice.wait_open(OPEN_WITHIN).await.expect("alice open");
    bob.wait_open(OPEN_WITHIN).await.expect("bob open");
    println!("connected in {:?}", started.elapsed());

    alice.send(b"hello bob").await.expect("send");
    expect_received(&bob, b"hello bob").await;
    bob.send(b"hello alice").await.expect("send");
    expect_received(&alice, b"hello alice").await;
    for i in 0..100u32 {
        bob.send(&i.to_be_bytes()).await.expect("send");
    }
    for i in 0..100u32 {
        expect_received(&alice, &i.to_be_bytes()).await;
    }

    // Key confirmation material: each side sees the other's real certificate.
    assert_eq!(
        alice.local_fingerprint(),
        alice_secrets.fingerprint().expect("fp")
    );
    assert_eq!(
        alice.remote_fingerprint().await.expect("remote fp"),
        bob.local_fingerprint()
    );
    assert_eq!(
        bob.remote_fingerprint().await.expect("remote fp"),
        alice.local_fingerprint()
    );
    let pair = alice.selected_pair().await.expect("selected pair");
    println!("alice selected pair: {pair}");
    assert!(pair.contains("127.0.0.1"), "{pair}");
    assert_eq!(alice.state(), LinkState::Open);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_inviter_completes_an_old_invite_on_a_new_port() {
    let alice_secrets = secrets();
    let first = PendingOffer::create(&LinkConfig::loopback(), &alice_secrets)
        .await
        .expect("offer");
    let invite_sdp = first.local_sdp().to_owned();
    let old_ports = candidate_ports(&invite_sdp);
    drop(first); // the app was killed; only the persisted secrets survive

    let persisted = serde_json::to_string(&alice_secrets).expect("persist");
    let restored: LinkSecrets = serde_json::from_str(&persisted).expect("restore");
    let second = PendingOffer::create(&LinkConfig::loopback(), &restored)
        .await
        .expect("offer after restart");
    let new_ports = candidate_ports(second.local_sdp());
    assert!(!new_ports.is_empty());
    assert!(
        new_ports.iter().all(|p| !old_ports.contains(p)),
        "restart must listen on a new port: {old_ports:?} vs {new_ports:?}"
    );

    // Bob answers the OLD invite: his checks go to a port nobody listens on any more.
    let (answer_sdp, bob) = answer(&LinkConfig::loopback(), &secrets(), &invite_sdp)
        .await
        .expect("answer");
    let alice = second.accept(&answer_sdp).await.expect("accept");
    alice.wait_open(OPEN_WITHIN).await.expect("alice open");
    bob.wait_open(OPEN_WITHIN).await.expect("bob open");
    let pair = bob.selected_pair().await.expect("pair");
    println!("bob selected pair after inviter restart: {pair}");
    assert!(
        new_ports
            .iter()
            .any(|p| pair.contains(&format!(":{p}")) || pair.contains(&format!(" {p}"))),
        "bob reaches the new port {new_ports:?}: {pair}"
    );
    alice.send(b"still me").await.expect("send");
    expect_received(&bob, b"still me").await;
    assert_eq!(
        bob.remote_fingerprint().await.expect("fp"),
        restored.fingerprint().expect("fp")
    );
}

async fn gather_with_stun(stun: String, bound: Duration) -> (Duration, String) {
    let mut config = LinkConfig::loopback();
    config.gather_timeout = bound;
    config.ice_servers = vec![IceServer {
        urls: vec![stun],
        username: String::new(),
        credential: String::new(),
    }];
    let started = Instant::now();
    let offer = PendingOffer::create(&config, &secrets())
        .await
        .expect("offer");
    (started.elapsed(), offer.local_sdp().to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gathering_is_bounded_when_stun_is_dead() {
    let bound = Duration::from_secs(2);
    // A refusing port (ICMP unreachable) and a silent server (takes datagrams, never answers).
    let silent = UdpSocket::bind("127.0.0.1:0").expect("bind silent stun");
    let silent_addr = silent.local_addr().expect("addr");
    for stun in ["stun:127.0.0.1:9".to_owned(), format!("stun:{silent_addr}")] {
        let (took, sdp) = gather_with_stun(stun.clone(), bound).await;
        println!("gathering with {stun}: {took:?}");
        assert!(
            took < bound + Duration::from_millis(700),
            "{stun}: {took:?}"
        );
        assert!(
            !candidate_ports(&sdp).is_empty(),
            "host candidates still present"
        );
    }
    let mut buf = [0u8; 1500];
    silent.set_nonblocking(true).expect("nonblocking");
    assert!(
        silent.recv_from(&mut buf).is_ok(),
        "the silent server was asked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_is_seen_by_the_peer() {
    let (alice, bob) = alice_and_bob().await;
    let mut bob_events = bob.events();
    alice.close().await.expect("close");
    assert_eq!(alice.state(), LinkState::Closed);
    tokio::time::timeout(
        Duration::from_secs(3),
        bob_events.wait_for(|s| *s == LinkState::ClosedByPeer),
    )
    .await
    .expect("bob sees the goodbye within 3 s")
    .expect("state channel alive");
    let end = tokio::time::timeout(Duration::from_secs(3), bob.recv())
        .await
        .expect("recv ends");
    assert!(end.is_none(), "recv ends after goodbye");
    assert!(alice.send(b"late").await.is_err(), "send after close fails");
}

/// The loopback configuration bound to one port.
fn loopback_on(port: u16) -> LinkConfig {
    LinkConfig {
        bind: vec![SocketAddr::from(([127, 0, 0, 1], port))],
        ..LinkConfig::loopback()
    }
}

/// A rebuilt session reuses its ICE credentials, so the peer's previous session (still
/// closing, or replaced by a restart) answers its checks. If that one wins, ICE is up
/// and the handshake waits for an end that is gone: the attempt must give up at the
/// handshake limit, not at the end of its window, and the next rebuild connects.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuilt_session_that_reached_the_old_peer_gives_up_at_the_handshake_limit() {
    let (alice_secrets, bob_secrets) = (secrets(), secrets());
    let offer = PendingOffer::create(&LinkConfig::loopback(), &alice_secrets)
        .await
        .expect("offer");
    let offer_sdp = offer.local_sdp().to_owned();
    let (answer_sdp, old_bob) = answer(&LinkConfig::loopback(), &bob_secrets, &offer_sdp)
        .await
        .expect("answer");
    let alice = offer.accept(&answer_sdp).await.expect("accept");
    alice.wait_open(OPEN_WITHIN).await.expect("alice open");
    old_bob.wait_open(OPEN_WITHIN).await.expect("bob open");
    let (alice_addr, bob_addr) = alice.selected_route().await.expect("route");
    alice.close_without_goodbye().await.expect("close");
    drop(alice);

    // Alice rebuilds the same session on the same port while Bob's old one lives on.
    let rebuilt = PendingOffer::create(&loopback_on(alice_addr.port()), &alice_secrets)
        .await
        .expect("rebuilt offer");
    let alice = rebuilt.accept(&answer_sdp).await.expect("accept");
    let started = Instant::now();
    let limit = Duration::from_secs(2);
    let outcome = alice
        .wait_open_unless_stalled(Duration::from_secs(30), limit)
        .await;
    let waited = started.elapsed();
    assert!(
        matches!(outcome, Err(LinkError::HandshakeStalled(l)) if l == limit),
        "{outcome:?}"
    );
    assert!(waited < Duration::from_secs(10), "gave up after {waited:?}");
    println!("stalled attempt given up after {waited:?}");

    // Bob's old session is gone now; both rebuild on their ports and connect.
    old_bob.close_without_goodbye().await.expect("close");
    alice.close_without_goodbye().await.expect("close");
    drop((old_bob, alice));
    let rebuilt = PendingOffer::create(&loopback_on(alice_addr.port()), &alice_secrets)
        .await
        .expect("rebuilt offer");
    let (_, bob) = answer(&loopback_on(bob_addr.port()), &bob_secrets, &offer_sdp)
        .await
        .expect("rebuilt answer");
    let alice = rebuilt.accept(&answer_sdp).await.expect("accept");
    alice
        .wait_open_unless_stalled(OPEN_WITHIN, limit)
        .await
        .expect("alice open");
    bob.wait_open(OPEN_WITHIN).await.expect("bob open");
    alice.send(b"back").await.expect("send");
    expect_received(&bob, b"back").await;
}
