//! The SDP and browser-JSON parsers read pasted text: whatever it is, they return a
//! description or an error, never panic — and anything they accept can be carried.

use proptest::prelude::*;
use tincan_core::compact;
use tincan_core::sdp::{parse, parse_browser_json};

const CHROMIUM_OFFER: &str = include_str!("fixtures/sdp/chromium-offer.json");
const WEBRTC_ANSWER: &str = include_str!("fixtures/sdp/webrtc-rs-answer.sdp");

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Accepted descriptions always fit the compact form.
fn carried(text: &str) {
    if let Ok(d) = parse(text) {
        compact::write(&d, &mut Vec::new()).expect("parsed descriptions are writable");
    }
    if let Ok((_, d)) = parse_browser_json(text) {
        compact::write(&d, &mut Vec::new()).expect("parsed descriptions are writable");
    }
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn arbitrary_text_never_panics(text in "(?s).{0,400}") {
        carried(&text);
    }

    #[test]
    fn damaged_fixtures_never_panic(
        drop_line in any::<prop::sample::Index>(),
        at in any::<prop::sample::Index>(),
        with in "[ -~\\n]{0,3}",
        which in any::<bool>(),
    ) {
        let base = if which { WEBRTC_ANSWER.to_string() } else {
            let (_, _) = parse_browser_json(CHROMIUM_OFFER).expect("fixture parses");
            serde_json::from_str::<serde_json::Value>(CHROMIUM_OFFER).expect("json")["sdp"]
                .as_str().expect("sdp").to_string()
        };
        let lines: Vec<&str> = base.lines().collect();
        let skip = drop_line.index(lines.len());
        let mut text: String = lines.iter().enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        let mut cut = at.index(text.len());
        while !text.is_char_boundary(cut) { cut -= 1; }
        text.insert_str(cut, &with);
        carried(&text);
    }
}
