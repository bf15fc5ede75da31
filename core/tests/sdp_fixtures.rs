//! Every captured (and synthetic) SDP fixture survives the whole trip a code makes:
//! SDP → description → compact bytes → description → rebuilt SDP → description.

use std::path::PathBuf;

use tincan_core::bytes::Reader;
use tincan_core::compact;
use tincan_core::sdp::{
    parse, parse_browser_json, CandidateAddress, CandidateKind, SdpKind, SessionDescription,
    SetupRole, TcpType, Transport,
};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sdp")
}

/// Reads a fixture: `.json` files as browser JSON, `.sdp` files as raw SDP (an offer
/// if its name says so).
fn load(name: &str) -> (SdpKind, SessionDescription, usize) {
    let text = std::fs::read_to_string(fixture_dir().join(name)).expect("fixture exists");
    if name.ends_with(".json") {
        let (kind, desc) = parse_browser_json(&text).expect("fixture parses");
        (kind, desc, text.trim().len())
    } else {
        let kind = if name.contains("offer") {
            SdpKind::Offer
        } else {
            SdpKind::Answer
        };
        (kind, parse(&text).expect("fixture parses"), text.len())
    }
}

fn all_fixtures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_dir())
        .expect("fixture dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sdp") || n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

#[test]
fn every_fixture_round_trips_through_the_compact_form() {
    let names = all_fixtures();
    assert_eq!(names.len(), 7, "fixtures: {names:?}");
    for name in &names {
        let (kind, desc, text_len) = load(name);
        let mut bytes = Vec::new();
        compact::write(&desc, &mut bytes).expect("compact write");
        let mut r = Reader::new(&bytes);
        let back = compact::read(&mut r).expect("compact read");
        r.finish().expect("no trailing bytes");
        assert_eq!(back, desc, "{name}: compact round trip");
        let sdp = back.to_sdp(kind);
        assert_eq!(parse(&sdp).as_ref(), Ok(&desc), "{name}: rebuilt SDP");
        let json = back.to_browser_json(kind);
        assert_eq!(
            parse_browser_json(&json),
            Ok((kind, desc.clone())),
            "{name}: JSON"
        );
        println!(
            "{name:45} {:2} candidates: compact {:3} bytes, original {:4} chars, rebuilt SDP {:4}, JSON {:4}",
            desc.candidates.len(),
            bytes.len(),
            text_len,
            sdp.len(),
            json.len()
        );
    }
}

#[test]
fn webrtc_crate_fixtures_lose_their_duplicate_candidate() {
    for name in ["webrtc-rs-offer.sdp", "webrtc-rs-answer.sdp"] {
        let (_, d, _) = load(name);
        assert_eq!(d.candidates.len(), 1, "{name}");
        let c = &d.candidates[0];
        assert_eq!(c.address, CandidateAddress::Ip([127, 0, 0, 1].into()));
        assert_eq!(c.transport, Transport::Udp);
        assert_eq!(d.ice_ufrag.len(), 16);
        assert_eq!(d.ice_pwd.len(), 32);
        assert_eq!(d.max_message_size, Some(65536));
    }
    assert_eq!(load("webrtc-rs-offer.sdp").1.setup, SetupRole::Actpass);
    assert_eq!(load("webrtc-rs-answer.sdp").1.setup, SetupRole::Active);
}

#[test]
fn chromium_fixtures_keep_udp_first_then_tcp_active() {
    let (kind, d, _) = load("chromium-offer.json");
    assert_eq!(kind, SdpKind::Offer);
    let shape: Vec<_> = d
        .candidates
        .iter()
        .map(|c| (c.transport, c.port == 9))
        .collect();
    assert_eq!(
        shape,
        [
            (Transport::Udp, false),
            (Transport::Udp, false),
            (Transport::Tcp(TcpType::Active), true),
            (Transport::Tcp(TcpType::Active), true),
        ]
    );
    let (kind, d, _) = load("chromium-answer.json");
    assert_eq!(kind, SdpKind::Answer);
    assert_eq!(d.setup, SetupRole::Active);
    assert_eq!(d.ice_ufrag.len(), 4);
    assert_eq!(d.ice_pwd.len(), 24);

    let (_, d, _) = load("chromium-mdns-offer.json");
    assert_eq!(d.candidates.len(), 1);
    assert!(
        matches!(&d.candidates[0].address, CandidateAddress::Mdns(n) if n.ends_with(".local") && n.len() == 42)
    );
}

#[test]
fn synthetic_fixtures_cover_the_rarer_candidates() {
    let (_, d, _) = load("synthetic-chromium-srflx-relay-offer.json");
    let kinds: Vec<_> = d.candidates.iter().map(|c| c.kind).collect();
    use CandidateKind::*;
    assert_eq!(
        kinds,
        [Host, Host, ServerReflexive, ServerReflexive, Relay, Relay]
    );
    let (_, d, _) = load("synthetic-webrtc-rs-tcp-ipv6-answer.sdp");
    assert_eq!(d.setup, SetupRole::Passive);
    assert_eq!(d.sctp_port, 5001);
    assert_eq!(d.max_message_size, Some(1_048_576));
    let transports: Vec<_> = d.candidates.iter().map(|c| c.transport).collect();
    assert_eq!(
        transports,
        [
            Transport::Udp,
            Transport::Udp,
            Transport::Tcp(TcpType::Passive),
            Transport::Tcp(TcpType::So)
        ]
    );
    assert_eq!(d.candidates[1].kind, PeerReflexive);
}

#[test]
fn browser_json_survives_hard_line_breaks_anywhere() {
    let json = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sdp/chromium-offer.json"),
    )
    .unwrap();
    let (_, expected) = tincan_core::sdp::parse_browser_json(&json).unwrap();
    let chars: Vec<char> = json.trim().chars().collect();
    for width in [7, 13, 29, 70] {
        let wrapped: String = chars
            .chunks(width)
            .map(|c| format!("{}\r\n", c.iter().collect::<String>()))
            .collect();
        let (_, got) = tincan_core::sdp::parse_browser_json(&wrapped).unwrap();
        assert_eq!(got, expected, "wrapped at {width}");
    }
}
