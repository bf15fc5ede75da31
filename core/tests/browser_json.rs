//! Plain browser sessions through the node, in one process on loopback: a `webrtc`
//! link stands in for the browser page (it speaks the same JSON and plain text), so the
//! node's JSON handling, channel adoption, text messages and mDNS rules are checked
//! without Chromium. `tests/tests/browser_interop.rs` does the same with real Chromium.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use tincan_core::link::{self, Link, LinkConfig, LinkSecrets, PendingOffer};
use tincan_core::node::{
    is_browser_description, read_browser_description, Event, Node, NodeConfig, NodeError,
    PeerState, BROWSER_PEER_PREFIX,
};
use tincan_core::protect::argon;
use tincan_core::sdp::SdpKind;
use tincan_core::secrets::MemorySecretStore;
use tincan_core::CodeError;

use common::{expect_connected, expect_event, expect_received, STEP};

fn node(dir: &tempfile::TempDir, mdns: bool) -> Node {
    let mut config = NodeConfig::new(
        dir.path().to_owned(),
        Arc::new(MemorySecretStore::default()),
    );
    config.link = LinkConfig {
        mdns,
        ..LinkConfig::loopback()
    };
    config.argon = argon::FLOOR;
    config.connect_timeout = STEP;
    Node::open(config).unwrap()
}

/// What a plain page shows: `JSON.stringify(pc.localDescription)`.
fn page_json(kind: &str, sdp: &str) -> String {
    serde_json::json!({ "type": kind, "sdp": sdp }).to_string()
}

/// The SDP inside a page's JSON.
fn sdp_of(json: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    assert!(v["sdp"].is_string(), "{json}");
    v["sdp"].as_str().unwrap().to_owned()
}

/// How a messenger mangles a long JSON: wrapped lines, stray indentation.
fn wrapped(json: &str) -> String {
    let chars: Vec<char> = json.chars().collect();
    let lines: Vec<String> = chars.chunks(60).map(|c| c.iter().collect()).collect();
    format!("\n  {}\r\n\n", lines.join("\r\n"))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The page's side: text in, text out (as a browser's `dc.send(string)`).
async fn page_says(link: &Link, text: &str) {
    link.wait_open(STEP).await.unwrap();
    link.send_text(text).await.unwrap();
}

async fn page_hears(link: &Link) -> String {
    let bytes = tokio::time::timeout(STEP, link.recv())
        .await
        .expect("page heard nothing in time")
        .expect("page link closed");
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The page offers (channel "my-label"), Tincan joins with `Node::join`, text both ways.
fn page_offers_and_tincan_joins(rewrite: impl Fn(&str) -> String, mdns: bool) {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ben = node(&dir, mdns);
    let page_secrets = LinkSecrets::generate().unwrap();
    let offer = rt
        .block_on(PendingOffer::create_with_label(
            &LinkConfig::loopback(),
            &page_secrets,
            "my-label",
        ))
        .unwrap();
    let offer_json = wrapped(&page_json("offer", &rewrite(offer.local_sdp())));
    assert!(is_browser_description(&offer_json));

    let joined = ben.join(&offer_json, Some("ignored")).unwrap();
    assert!(joined.peer.starts_with(BROWSER_PEER_PREFIX));
    assert!(joined.reply_code.starts_with("{\"type\":\"answer\""));
    let page = rt
        .block_on(offer.accept(&sdp_of(&joined.reply_code)))
        .unwrap();
    expect_connected(&ben, &joined.peer);

    rt.block_on(page_says(&page, "hello from the page ✨"));
    expect_received(&ben, &joined.peer, "hello from the page ✨");
    let id = ben.send(&joined.peer, "hello from Tincan").unwrap();
    assert_eq!(rt.block_on(page_hears(&page)), "hello from Tincan");
    expect_event(
        &ben,
        "transport acknowledgement",
        |e| matches!(e, Event::Delivered { id: i, .. } if *i == id),
    );
    // Browser sessions have no follow-up codes and no name.
    assert!(ben.followup_code(&joined.peer).is_err());
    assert_eq!(ben.peers()[0].name, None);

    // Closing sends no goodbye text the page would show as a message.
    ben.close_peer(&joined.peer).unwrap();
    let heard =
        rt.block_on(async { tokio::time::timeout(Duration::from_secs(2), page.recv()).await });
    if let Ok(Some(bytes)) = heard {
        panic!(
            "the page received {:?} on close",
            String::from_utf8_lossy(&bytes)
        );
    }
    ben.shutdown();
}

#[test]
fn page_offer_with_host_candidates_is_joined_and_chats_both_ways() {
    page_offers_and_tincan_joins(str::to_owned, false);
}

/// Every IP candidate replaced by an mDNS name, as a browser on a real network shows.
fn hide_behind_mdns(sdp: &str) -> String {
    sdp.replace("127.0.0.1", "d1f1be82-8071-4494-988a-6772b7516400.local")
}

#[test]
fn mdns_only_offer_connects_when_the_page_reaches_us_and_warns() {
    // Tincan cannot resolve the name (mDNS off), but the page's own checks arrive and ICE
    // learns its address from them: the same network is exactly where mDNS names occur.
    page_offers_and_tincan_joins(hide_behind_mdns, false);
}

#[test]
fn mdns_names_are_dropped_with_a_warning_unless_resolved() {
    let fixture = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sdp/chromium-mdns-offer.json"),
    )
    .unwrap();
    let read = read_browser_description(&fixture, SdpKind::Offer, false).unwrap();
    assert!(read.description.candidates.is_empty());
    let warning = read.warning.unwrap();
    for advice in [".local", "--mdns", "camera", "chrome://flags"] {
        assert!(
            warning.contains(advice),
            "{advice:?} missing from: {warning}"
        );
    }
    // With mDNS resolution on, the name is kept for the link to resolve.
    let read = read_browser_description(&fixture, SdpKind::Offer, true).unwrap();
    assert_eq!(read.description.candidates.len(), 1);
    assert_eq!(read.warning, None);
}

#[test]
fn mdns_only_offer_that_never_connects_fails_with_the_advice() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let mut config = NodeConfig::new(
        dir.path().to_owned(),
        Arc::new(MemorySecretStore::default()),
    );
    config.link = LinkConfig::loopback();
    config.connect_timeout = Duration::from_secs(2);
    let ben = Node::open(config).unwrap();
    let offer = rt
        .block_on(PendingOffer::create(
            &LinkConfig::loopback(),
            &LinkSecrets::generate().unwrap(),
        ))
        .unwrap();
    // The page never applies the answer, so its checks never come.
    let joined = ben
        .join(
            &page_json("offer", &hide_behind_mdns(offer.local_sdp())),
            None,
        )
        .unwrap();
    let failed = expect_event(&ben, "failure", |e| {
        matches!(
            e,
            Event::PeerState {
                state: PeerState::Failed { .. },
                ..
            }
        )
    });
    let Event::PeerState {
        peer,
        state: PeerState::Failed { reason },
    } = failed
    else {
        unreachable!()
    };
    assert_eq!(peer, joined.peer);
    assert!(
        reason.contains("mDNS") && reason.contains("--mdns"),
        "{reason}"
    );
    drop(offer);
    ben.shutdown();
}

#[test]
fn tincan_offer_answered_with_mdns_names_only_still_connects() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ana = node(&dir, false);
    let offer = ana.create_browser_offer().unwrap();
    let (answer_sdp, page) = rt
        .block_on(link::answer(
            &LinkConfig::loopback(),
            &LinkSecrets::generate().unwrap(),
            &sdp_of(&offer.offer_json),
        ))
        .unwrap();
    let answer = page_json("answer", &hide_behind_mdns(&answer_sdp));
    assert!(read_browser_description(&answer, SdpKind::Answer, false)
        .unwrap()
        .warning
        .is_some());
    let peer = ana.accept_reply(&answer).unwrap();
    expect_connected(&ana, &peer);
    rt.block_on(page_says(&page, "found you anyway"));
    expect_received(&ana, &peer, "found you anyway");
    ana.shutdown();
}

#[test]
fn mixed_offer_keeps_its_ip_candidates_and_connects() {
    // One mDNS name and the real loopback address: the name is dropped, the rest works.
    page_offers_and_tincan_joins(
        |sdp| {
            let line = sdp
                .lines()
                .find(|l| l.starts_with("a=candidate:"))
                .unwrap()
                .to_owned();
            let hidden = line
                .replace("127.0.0.1", "aaaaaaaa-8071-4494-988a-6772b7516400.local")
                .replace("a=candidate:", "a=candidate:9");
            sdp.replacen(&line, &format!("{hidden}\r\n{line}"), 1)
        },
        false,
    );
}

#[test]
fn tincan_offers_in_json_mode_and_the_page_answers() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ana = node(&dir, false);
    let offer = ana.create_browser_offer().unwrap();
    assert!(offer.offer_json.starts_with("{\"type\":\"offer\""));
    assert!(offer.peer.starts_with(BROWSER_PEER_PREFIX));

    // The page answers with its own link.
    let (answer_sdp, page) = rt
        .block_on(link::answer(
            &LinkConfig::loopback(),
            &LinkSecrets::generate().unwrap(),
            &sdp_of(&offer.offer_json),
        ))
        .unwrap();
    let peer = ana
        .accept_reply(&wrapped(&page_json("answer", &answer_sdp)))
        .unwrap();
    assert_eq!(peer, offer.peer);
    expect_connected(&ana, &peer);
    ana.send(&peer, "hi page").unwrap();
    assert_eq!(rt.block_on(page_hears(&page)), "hi page");
    rt.block_on(page_says(&page, "hi Tincan"));
    expect_received(&ana, &peer, "hi Tincan");
    ana.shutdown();
}

#[test]
fn json_of_the_wrong_kind_or_shape_is_refused_clearly() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    let ana = node(&dir, false);
    let offer = ana.create_browser_offer().unwrap();
    // An offer where an answer belongs, and the other way round.
    let err = ana.accept_reply(&offer.offer_json).unwrap_err();
    assert!(
        matches!(err, NodeError::Code(CodeError::WrongKind { .. })),
        "{err:?}"
    );
    let (answer_sdp, _page) = rt
        .block_on(link::answer(
            &LinkConfig::loopback(),
            &LinkSecrets::generate().unwrap(),
            &sdp_of(&offer.offer_json),
        ))
        .unwrap();
    let answer = page_json("answer", &answer_sdp);
    assert!(matches!(
        ana.join(&answer, None),
        Err(NodeError::Code(CodeError::WrongKind { .. }))
    ));
    // Junk, truncation, and a description with no candidates at all.
    for bad in [
        "{",
        "{\"type\":\"offer\"}",
        &answer[..answer.len() / 2],
        "{\"type\":\"rollback\",\"sdp\":\"\"}",
    ] {
        assert!(
            matches!(ana.join(bad, None), Err(NodeError::Code(_))),
            "{bad}"
        );
    }
    let no_candidates: String = answer_sdp
        .split("\r\n")
        .filter(|l| !l.starts_with("a=candidate"))
        .collect::<Vec<_>>()
        .join("\r\n");
    let read =
        read_browser_description(&page_json("answer", &no_candidates), SdpKind::Answer, false)
            .unwrap();
    assert!(read.warning.unwrap().contains("no network addresses"));
    // open_invite says what the JSON is instead of "damaged code".
    assert!(ana
        .open_invite(&offer.offer_json)
        .unwrap_err()
        .to_string()
        .contains("browser"));
    // Two waiting browser offers: an answer cannot say which, so it must be named.
    let second = ana.create_browser_offer().unwrap();
    let err = ana.accept_reply(&answer).unwrap_err();
    assert!(err.to_string().contains("by name"), "{err}");
    let peer = ana.accept_browser_answer(&offer.peer, &answer).unwrap();
    assert_eq!(peer, offer.peer);
    assert!(matches!(
        ana.accept_browser_answer(&offer.peer, &answer),
        Err(NodeError::UnknownInvite)
    ));
    assert_ne!(second.peer, offer.peer);
    ana.shutdown();
}
