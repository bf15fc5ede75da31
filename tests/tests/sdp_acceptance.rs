//! The SDP that Tincan rebuilds from a code is accepted by the real implementations, and
//! peers whose descriptions went through the compact form actually connect: two
//! `webrtc`-crate peers on 127.0.0.1, and Chromium with a `webrtc`-crate peer in a
//! private network namespace.

mod common;

use std::path::PathBuf;

use anyhow::{Context, Result};
use common::browser::{inside_private_netns, PagePeer};
use common::webrtc_peer::{next_text, opened, Peer};
use serde_json::json;
use tincan_core::bytes::Reader;
use tincan_core::compact;
use tincan_core::sdp::{parse, parse_browser_json, SdpKind, SessionDescription};

/// What the other side gets from a code: description → compact bytes → description.
fn through_code(desc: &SessionDescription) -> Result<(SessionDescription, usize)> {
    let mut bytes = Vec::new();
    compact::write(desc, &mut bytes)?;
    let mut r = Reader::new(&bytes);
    let back = compact::read(&mut r)?;
    r.finish()?;
    assert_eq!(&back, desc, "the compact form loses nothing");
    Ok((back, bytes.len()))
}

/// A full SDP, as one implementation wrote it, rebuilt from its code.
fn rebuilt_sdp(sdp: &str, kind: SdpKind) -> Result<(String, usize)> {
    let (desc, len) = through_code(&parse(sdp)?)?;
    Ok((desc.to_sdp(kind), len))
}

/// A browser's `JSON.stringify(localDescription)`, rebuilt from its code.
fn rebuilt_json(json: &str) -> Result<(String, usize)> {
    let (kind, desc) = parse_browser_json(json)?;
    let (desc, len) = through_code(&desc)?;
    Ok((desc.to_browser_json(kind), len))
}

fn fixture(name: &str) -> Result<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/sdp")
        .join(name);
    std::fs::read_to_string(&path).with_context(|| path.display().to_string())
}

fn fixture_desc(name: &str) -> Result<(SdpKind, SessionDescription)> {
    let text = fixture(name)?;
    Ok(if name.ends_with(".json") {
        parse_browser_json(&text)?
    } else if name.contains("offer") {
        (SdpKind::Offer, parse(&text)?)
    } else {
        (SdpKind::Answer, parse(&text)?)
    })
}

const FIXTURES: [&str; 7] = [
    "webrtc-rs-offer.sdp",
    "webrtc-rs-answer.sdp",
    "chromium-offer.json",
    "chromium-answer.json",
    "chromium-mdns-offer.json",
    "synthetic-chromium-srflx-relay-offer.json",
    "synthetic-webrtc-rs-tcp-ipv6-answer.sdp",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webrtc_crate_accepts_every_rebuilt_fixture() -> Result<()> {
    for name in FIXTURES {
        let (kind, desc) = fixture_desc(name)?;
        let (desc, _) = through_code(&desc)?;
        let sdp = desc.to_sdp(kind);
        let mut peer = Peer::new().await?;
        match kind {
            SdpKind::Offer => {
                peer.answer(&sdp)
                    .await
                    .with_context(|| format!("{name} as a remote offer"))?;
            }
            SdpKind::Answer => {
                peer.offer("chat").await?;
                peer.accept(&sdp)
                    .await
                    .with_context(|| format!("{name} as a remote answer"))?;
            }
        }
        peer.pc.close().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webrtc_crate_peers_connect_through_the_compact_form() -> Result<()> {
    let mut ana = Peer::new().await?;
    let mut ben = Peer::new().await?;
    let (ana_dc, offer) = ana.offer("chat").await?;
    let (offer, offer_len) = rebuilt_sdp(&offer, SdpKind::Offer)?;
    let answer = ben.answer(&offer).await?;
    let (answer, answer_len) = rebuilt_sdp(&answer, SdpKind::Answer)?;
    ana.accept(&answer).await?;
    ana.connected().await?;
    ben.connected().await?;
    let ben_dc = ben.remote_channel().await?;
    opened(&ana_dc).await?;
    ana_dc.send_text("hello Ben").await?;
    assert_eq!(next_text(&ben_dc).await?, "hello Ben");
    ben_dc.send_text("hello Ana").await?;
    assert_eq!(next_text(&ana_dc).await?, "hello Ana");
    println!("webrtc crate: offer code {offer_len} bytes, answer code {answer_len} bytes");
    ana.pc.close().await?;
    ben.pc.close().await?;
    Ok(())
}

/// Chromium accepts rebuilt descriptions from both implementations, and connects with
/// a `webrtc`-crate peer in both directions when every description went through a code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_accepts_and_connects_through_the_compact_form() -> Result<()> {
    if !inside_private_netns("chromium_accepts_and_connects_through_the_compact_form")? {
        return Ok(()); // The inner run in the namespace did the work and passed.
    }
    let t0 = std::time::Instant::now();
    let mut page = PagePeer::start().await?;
    println!("{:?} Chromium ready", t0.elapsed());

    // setRemoteDescription accepts every rebuilt fixture in its role.
    for name in FIXTURES {
        let (kind, desc) = fixture_desc(name)?;
        let (desc, _) = through_code(&desc)?;
        let role = match kind {
            SdpKind::Offer => "offer",
            SdpKind::Answer => "answer",
        };
        let state = page
            .call_for(
                json!({"op": "check", "as": role, "desc": desc.to_browser_json(kind)}),
                "signaling",
            )
            .await
            .with_context(|| format!("Chromium refused rebuilt {name}"))?;
        assert_eq!(state, "stable", "{name}");
    }

    println!("{:?} fixtures checked", t0.elapsed());
    // Chromium offers, the webrtc crate answers.
    let offer = page.call_for(json!({"op": "offer"}), "desc").await?;
    let (offer_json, offer_len) = rebuilt_json(&offer)?;
    let (_, offer_desc) = parse_browser_json(&offer_json)?;
    let mut rust = Peer::new().await?;
    let answer = rust.answer(&offer_desc.to_sdp(SdpKind::Offer)).await?;
    let (answer, answer_len) = through_code(&parse(&answer)?)?;
    page.call(json!({"op": "accept", "desc": answer.to_browser_json(SdpKind::Answer)}))
        .await?;
    rust.connected().await?;
    page.call(json!({"op": "connected"})).await?;
    let dc = rust.remote_channel().await?;
    page.call(json!({"op": "send", "text": "from Chromium"}))
        .await?;
    assert_eq!(next_text(&dc).await?, "from Chromium");
    dc.send_text("from the webrtc crate").await?;
    let got = page.call_for(json!({"op": "recv"}), "text").await?;
    assert_eq!(got, "from the webrtc crate");
    println!("Chromium offer code {offer_len} bytes (JSON {} chars), webrtc answer code {answer_len} bytes", offer.len());
    rust.pc.close().await?;
    println!("{:?} first pair done", t0.elapsed());

    // The webrtc crate offers, Chromium answers.
    let mut rust = Peer::new().await?;
    let (rust_dc, offer) = rust.offer("chat").await?;
    let (offer, _) = through_code(&parse(&offer)?)?;
    let answer = page
        .call_for(
            json!({"op": "answer", "desc": offer.to_browser_json(SdpKind::Offer)}),
            "desc",
        )
        .await?;
    let (answer_json, answer_len) = rebuilt_json(&answer)?;
    let (_, answer_desc) = parse_browser_json(&answer_json)?;
    rust.accept(&answer_desc.to_sdp(SdpKind::Answer)).await?;
    rust.connected().await?;
    page.call(json!({"op": "connected"})).await?;
    opened(&rust_dc).await?;
    rust_dc.send_text("ping").await?;
    assert_eq!(page.call_for(json!({"op": "recv"}), "text").await?, "ping");
    page.call(json!({"op": "send", "text": "pong"})).await?;
    assert_eq!(next_text(&rust_dc).await?, "pong");
    println!(
        "Chromium answer code {answer_len} bytes (JSON {} chars)",
        answer.len()
    );
    rust.pc.close().await?;
    println!("{:?} second pair done", t0.elapsed());
    page.quit().await?;
    println!("{:?} browser closed", t0.elapsed());
    Ok(())
}
