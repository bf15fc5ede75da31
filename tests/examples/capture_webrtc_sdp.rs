//! Captures a real offer and answer from the `webrtc` crate (data channel only, host
//! candidates on 127.0.0.1, mDNS off) as fixtures for the session-description parser.
//!
//! Usage: `cargo run -p tincan-tests --example capture_webrtc_sdp -- <out-dir>`; writes
//! `webrtc-rs-offer.sdp` and `webrtc-rs-answer.sdp`, then checks the pair connects so
//! the fixtures are known to be from a working session.

#[path = "../tests/common/webrtc_peer.rs"]
mod webrtc_peer;

use anyhow::{Context, Result};
use webrtc_peer::Peer;

#[tokio::main]
async fn main() -> Result<()> {
    let dir = std::env::args()
        .nth(1)
        .context("usage: capture_webrtc_sdp <out-dir>")?;
    let mut offerer = Peer::new().await?;
    let mut answerer = Peer::new().await?;
    let (_dc, offer) = offerer.offer("chat").await?;
    let answer = answerer.answer(&offer).await?;
    offerer.accept(&answer).await?;
    offerer.connected().await?;
    answerer.connected().await?;
    std::fs::write(format!("{dir}/webrtc-rs-offer.sdp"), &offer)?;
    std::fs::write(format!("{dir}/webrtc-rs-answer.sdp"), &answer)?;
    println!("{offer}\n----\n{answer}");
    offerer.pc.close().await?;
    answerer.pc.close().await?;
    Ok(())
}
