//! Property tests: every decoder refuses arbitrary input with a typed error, never a
//! panic. (The same entry points are fuzzed by `cargo fuzz`; see docs/FUZZING.md.)
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use tincan_core::bytes::Reader;
use tincan_core::code::{parse_any, text, CodeKind, Invite};
use tincan_core::compact;

const NOW: u64 = 1_800_000_000;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_text_is_refused_or_parsed(s in "\\PC{0,400}") {
        let _ = parse_any(&s, NOW);
        let _ = text::decode(&s);
    }

    #[test]
    fn prefixed_junk_is_refused(body in "[A-Z2-7 \n01-]{0,400}", kind in "[IRFX]", v in "[0-9]") {
        let s = format!("TINCAN-{kind}{v}-{body}");
        prop_assert!(parse_any(&s, NOW).is_err() || text::decode(&s).is_ok());
    }

    /// Bytes with a valid checksum reach the layout parsers themselves.
    #[test]
    fn checksummed_junk_reaches_the_layout_parsers_safely(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        kind in prop_oneof![Just(CodeKind::Invite), Just(CodeKind::Reply), Just(CodeKind::FollowUp)],
    ) {
        let code = text::encode(kind, &bytes);
        let _ = parse_any(&code, NOW);
        let _ = Invite::from_bytes(bytes.clone());
        let _ = compact::read(&mut Reader::new(&bytes));
    }

    /// Headers that look right, followed by junk: deeper into each layout.
    #[test]
    fn plausible_headers_with_junk(
        header in prop_oneof![Just(0x14u8), Just(0x15), Just(0x16), Just(0x18), Just(0x19), Just(0x1c), Just(0x1d)],
        rest in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut bytes = vec![header];
        bytes.extend(rest);
        for kind in [CodeKind::Invite, CodeKind::Reply, CodeKind::FollowUp] {
            let _ = parse_any(&text::encode(kind, &bytes), NOW);
        }
    }
}

#[test]
fn text_round_trip_of_every_kind() {
    for kind in [CodeKind::Invite, CodeKind::Reply, CodeKind::FollowUp] {
        let code = text::encode(kind, &[0x10, 1, 2, 3]);
        assert_eq!(text::decode(&code).unwrap(), (kind, vec![0x10, 1, 2, 3]));
    }
}
