//! Properties of the compact form: arbitrary bytes never panic the reader, and every
//! valid description survives write → read and the rebuilt SDP parses back to it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use tincan_core::bytes::Reader;
use tincan_core::compact;
use tincan_core::sdp::{
    parse, Candidate, CandidateAddress, CandidateKind, SdpKind, SessionDescription, SetupRole,
    TcpType, Transport,
};

fn kind() -> impl Strategy<Value = CandidateKind> {
    prop_oneof![
        Just(CandidateKind::Host),
        Just(CandidateKind::ServerReflexive),
        Just(CandidateKind::PeerReflexive),
        Just(CandidateKind::Relay),
    ]
}

fn transport() -> impl Strategy<Value = Transport> {
    prop_oneof![
        Just(Transport::Udp),
        Just(Transport::Tcp(TcpType::Active)),
        Just(Transport::Tcp(TcpType::Passive)),
        Just(Transport::Tcp(TcpType::So)),
    ]
}

fn address() -> impl Strategy<Value = CandidateAddress> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|b| CandidateAddress::Ip(IpAddr::V4(Ipv4Addr::from(b)))),
        any::<[u8; 16]>().prop_map(|b| CandidateAddress::Ip(IpAddr::V6(Ipv6Addr::from(b)))),
        "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            .prop_map(|u| CandidateAddress::Mdns(format!("{u}.local"))),
        "[a-z0-9][a-z0-9.-]{0,61}[a-z0-9]"
            .prop_filter("no empty labels", |l| !l.contains(".."))
            .prop_map(|l| CandidateAddress::Mdns(format!("{l}.local"))),
    ]
}

fn candidate() -> impl Strategy<Value = Candidate> {
    (kind(), transport(), address(), any::<u16>()).prop_map(|(kind, transport, address, port)| {
        Candidate {
            kind,
            transport,
            address,
            port,
        }
    })
}

fn description() -> impl Strategy<Value = SessionDescription> {
    (
        "[A-Za-z0-9+/]{4,255}",
        "[A-Za-z0-9+/]{22,255}",
        any::<[u8; 32]>(),
        prop_oneof![
            Just(SetupRole::Actpass),
            Just(SetupRole::Active),
            Just(SetupRole::Passive)
        ],
        proptest::collection::vec(candidate(), 0..=16),
        prop_oneof![Just(5000u16), any::<u16>()],
        prop_oneof![
            Just(None),
            Just(Some(65536u32)),
            Just(Some(262144)),
            any::<u32>().prop_map(Some)
        ],
    )
        .prop_map(
            |(ice_ufrag, ice_pwd, fingerprint, setup, candidates, sctp_port, max_message_size)| {
                SessionDescription {
                    ice_ufrag,
                    ice_pwd,
                    fingerprint,
                    setup,
                    candidates,
                    sctp_port,
                    max_message_size,
                }
            },
        )
}

/// No failure-persistence files: integration tests have no `lib.rs` for proptest to
/// place them beside; a failure prints its minimal case instead.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn read_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let mut r = Reader::new(&bytes);
        if let Ok(desc) = compact::read(&mut r) {
            // Whatever it accepts is a description it can write again, byte for byte.
            let mut out = Vec::new();
            compact::write(&desc, &mut out).expect("accepted descriptions are writable");
            prop_assert_eq!(&out[..], r.consumed());
        }
    }

    #[test]
    fn read_never_panics_on_mutated_valid_encodings(
        desc in description(),
        flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = Vec::new();
        compact::write(&desc, &mut bytes).expect("writes");
        for (at, value) in flips {
            let i = at.index(bytes.len());
            bytes[i] ^= value;
        }
        let _ = compact::read(&mut Reader::new(&bytes));
    }

    #[test]
    fn valid_descriptions_round_trip(desc in description()) {
        let mut bytes = Vec::new();
        compact::write(&desc, &mut bytes).expect("writes");
        let mut r = Reader::new(&bytes);
        let back = compact::read(&mut r).expect("reads");
        prop_assert_eq!(r.remaining(), 0);
        prop_assert_eq!(&back, &desc);
    }
}

proptest! {
    #![proptest_config(config(500))]

    /// The rebuilt SDP is read back to the same description, so nothing is lost in the
    /// text form either (priorities keep the order, names survive, duplicates are the
    /// only thing merged).
    #[test]
    fn rebuilt_sdp_parses_back(desc in description()) {
        let mut desc = desc;
        // parse() merges identical candidates; keep only distinct ones here.
        let mut seen = Vec::new();
        desc.candidates.retain(|c| if seen.contains(c) { false } else { seen.push(c.clone()); true });
        for kind in [SdpKind::Offer, SdpKind::Answer] {
            prop_assert_eq!(parse(&desc.to_sdp(kind)), Ok(desc.clone()));
        }
    }
}
