//! The compact binary form of a [`crate::sdp::SessionDescription`] (format documented
//! byte by byte in `docs/FORMAT.md`, "Session description (compact)"), a small fraction
//! of the SDP it stands for: it carries only what cannot be rebuilt — ICE credentials
//! packed 6 bits a character, the fingerprint, the setup role and the candidates'
//! addresses — and [`crate::sdp::SessionDescription::to_sdp`] writes the rest.
//!
//! Every byte read comes from a code someone pasted, so [`read`] checks each field and
//! fails with a [`FormatError`]; it never panics. The encoding is canonical: a
//! description has exactly one encoding, and [`read`] refuses the others.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::bytes::{FormatError, Reader};
use crate::sdp::{
    derived_ice_pwd, ice_char_value, is_mdns_label, Candidate, CandidateAddress, CandidateKind,
    SessionDescription, SetupRole, TcpType, Transport, DEFAULT_SCTP_PORT, ICE_ALPHABET,
    ICE_PWD_LEN, ICE_UFRAG_LEN, MAX_CANDIDATES,
};

/// Version of this layout, the first byte.
pub const VERSION: u8 = 1;

// Flags byte.
const SETUP_MASK: u8 = 0b0000_0011;
const SCTP_PORT_FOLLOWS: u8 = 0b0000_0100;
const MMS_SHIFT: u8 = 3;
const MMS_MASK: u8 = 0b0001_1000;
const PWD_DERIVED: u8 = 0b0010_0000;
const FLAGS_RESERVED: u8 = 0b1100_0000;
// max-message-size codes (bits 3-4).
const MMS_ABSENT: u8 = 0;
const MMS_64K: u8 = 1;
const MMS_256K: u8 = 2;
const MMS_EXPLICIT: u8 = 3;
/// What the `webrtc` crate states.
const SIZE_64K: u32 = 65_536;
/// What Chromium states.
const SIZE_256K: u32 = 262_144;

// Candidate header byte.
const FAMILY_V4: u8 = 0;
const FAMILY_V6: u8 = 1;
const FAMILY_MDNS_UUID: u8 = 2;
const FAMILY_MDNS_NAME: u8 = 3;
const CANDIDATE_RESERVED: u8 = 0b1100_0000;

/// Appends the compact form of `desc` to `out`.
///
/// Fails (writing nothing) if the description breaks the invariants of
/// [`SessionDescription::check`], e.g. more than 16 candidates.
pub fn write(desc: &SessionDescription, out: &mut Vec<u8>) -> Result<(), FormatError> {
    desc.check().map_err(FormatError::Invalid)?;
    let mut buf = Vec::with_capacity(96);
    buf.push(VERSION);

    let setup = match desc.setup {
        SetupRole::Actpass => 0,
        SetupRole::Active => 1,
        SetupRole::Passive => 2,
    };
    let mms = match desc.max_message_size {
        None => MMS_ABSENT,
        Some(SIZE_64K) => MMS_64K,
        Some(SIZE_256K) => MMS_256K,
        Some(_) => MMS_EXPLICIT,
    };
    let mut flags = setup | (mms << MMS_SHIFT);
    if desc.sctp_port != DEFAULT_SCTP_PORT {
        flags |= SCTP_PORT_FOLLOWS;
    }
    let pwd_derived = desc.ice_pwd == derived_ice_pwd(&desc.ice_ufrag, &desc.fingerprint);
    if pwd_derived {
        flags |= PWD_DERIVED;
    }
    buf.push(flags);

    put_ice(&mut buf, &desc.ice_ufrag, "ICE ufrag")?;
    if !pwd_derived {
        put_ice(&mut buf, &desc.ice_pwd, "ICE password")?;
    }
    buf.extend_from_slice(&desc.fingerprint);
    if desc.sctp_port != DEFAULT_SCTP_PORT {
        buf.extend_from_slice(&desc.sctp_port.to_be_bytes());
    }
    if let (MMS_EXPLICIT, Some(size)) = (mms, desc.max_message_size) {
        buf.extend_from_slice(&size.to_be_bytes());
    }

    let count =
        u8::try_from(desc.candidates.len()).map_err(|_| FormatError::Invalid("candidate count"))?;
    buf.push(count);
    for c in &desc.candidates {
        put_candidate(&mut buf, c)?;
    }
    out.extend_from_slice(&buf);
    Ok(())
}

/// Reads one compact description from `r`, leaving the reader after its last byte.
pub fn read(r: &mut Reader) -> Result<SessionDescription, FormatError> {
    let version = r.u8("description version")?;
    if version != VERSION {
        return Err(FormatError::Invalid("description version"));
    }
    let flags = r.u8("description flags")?;
    if flags & FLAGS_RESERVED != 0 {
        return Err(FormatError::Invalid("description flags"));
    }
    let setup = match flags & SETUP_MASK {
        0 => SetupRole::Actpass,
        1 => SetupRole::Active,
        2 => SetupRole::Passive,
        _ => return Err(FormatError::Invalid("setup role")),
    };
    let ice_ufrag = get_ice(r, ICE_UFRAG_LEN, "ICE ufrag")?;
    let explicit_pwd = if flags & PWD_DERIVED == 0 {
        Some(get_ice(r, ICE_PWD_LEN, "ICE password")?)
    } else {
        None
    };
    let fingerprint = r.array::<32>("fingerprint")?;
    let derived = derived_ice_pwd(&ice_ufrag, &fingerprint);
    let ice_pwd = match explicit_pwd {
        None => derived,
        // Canonical form: a derivable password must be written as derived.
        Some(pwd) if pwd == derived => return Err(FormatError::Invalid("ICE password")),
        Some(pwd) => pwd,
    };
    let sctp_port = if flags & SCTP_PORT_FOLLOWS != 0 {
        let port = r.u16("SCTP port")?;
        if port == DEFAULT_SCTP_PORT {
            return Err(FormatError::Invalid("SCTP port"));
        }
        port
    } else {
        DEFAULT_SCTP_PORT
    };
    let max_message_size = match (flags & MMS_MASK) >> MMS_SHIFT {
        MMS_ABSENT => None,
        MMS_64K => Some(SIZE_64K),
        MMS_256K => Some(SIZE_256K),
        _ => {
            let size = r.u32("max message size")?;
            if size == SIZE_64K || size == SIZE_256K {
                return Err(FormatError::Invalid("max message size"));
            }
            Some(size)
        }
    };
    let count = usize::from(r.u8("candidate count")?);
    if count > MAX_CANDIDATES {
        return Err(FormatError::Invalid("candidate count"));
    }
    let mut candidates = Vec::with_capacity(count);
    for _ in 0..count {
        candidates.push(get_candidate(r)?);
    }
    Ok(SessionDescription {
        ice_ufrag,
        ice_pwd,
        fingerprint,
        setup,
        candidates,
        sctp_port,
        max_message_size,
    })
}

/// Length in characters, then the characters' 6-bit values packed most significant bit
/// first, zero-padded to a whole byte.
fn put_ice(buf: &mut Vec<u8>, text: &str, what: &'static str) -> Result<(), FormatError> {
    let len = u8::try_from(text.len()).map_err(|_| FormatError::Invalid(what))?;
    buf.push(len);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in text.bytes() {
        let v = ice_char_value(c).ok_or(FormatError::Invalid(what))?;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            buf.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if bits > 0 {
        buf.push((acc << (8 - bits)) as u8);
    }
    Ok(())
}

fn get_ice(
    r: &mut Reader,
    allowed: std::ops::RangeInclusive<usize>,
    what: &'static str,
) -> Result<String, FormatError> {
    let len = usize::from(r.u8(what)?);
    if !allowed.contains(&len) {
        return Err(FormatError::Invalid(what));
    }
    let packed = r.take((len * 6).div_ceil(8), what)?;
    let mut out = String::with_capacity(len);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut bytes = packed.iter();
    while out.len() < len {
        if bits < 6 {
            let b = bytes.next().ok_or(FormatError::Truncated(what))?;
            acc = (acc << 8) | u32::from(*b);
            bits += 8;
        }
        bits -= 6;
        let v = (acc >> bits) & 0x3F;
        acc &= (1 << bits) - 1;
        let c = ICE_ALPHABET
            .get(v as usize)
            .ok_or(FormatError::Invalid(what))?;
        out.push(char::from(*c));
    }
    // Padding must be zero, so each string has a single encoding.
    if acc != 0 {
        return Err(FormatError::Invalid(what));
    }
    Ok(out)
}

fn put_candidate(buf: &mut Vec<u8>, c: &Candidate) -> Result<(), FormatError> {
    let kind = match c.kind {
        CandidateKind::Host => 0,
        CandidateKind::ServerReflexive => 1,
        CandidateKind::PeerReflexive => 2,
        CandidateKind::Relay => 3,
    };
    let transport = match c.transport {
        Transport::Udp => 0,
        Transport::Tcp(TcpType::Active) => 1,
        Transport::Tcp(TcpType::Passive) => 2,
        Transport::Tcp(TcpType::So) => 3,
    };
    let header = |family: u8| kind | (transport << 2) | (family << 4);
    match &c.address {
        CandidateAddress::Ip(IpAddr::V4(ip)) => {
            buf.push(header(FAMILY_V4));
            buf.extend_from_slice(&ip.octets());
        }
        CandidateAddress::Ip(IpAddr::V6(ip)) => {
            buf.push(header(FAMILY_V6));
            buf.extend_from_slice(&ip.octets());
        }
        CandidateAddress::Mdns(name) => {
            let label = name
                .strip_suffix(".local")
                .filter(|l| is_mdns_label(l))
                .ok_or(FormatError::Invalid("mDNS candidate name"))?;
            if let Some(uuid) = uuid_bytes(label) {
                buf.push(header(FAMILY_MDNS_UUID));
                buf.extend_from_slice(&uuid);
            } else {
                buf.push(header(FAMILY_MDNS_NAME));
                // is_mdns_label bounds the length to 63.
                buf.push(label.len() as u8);
                buf.extend_from_slice(label.as_bytes());
            }
        }
    }
    buf.extend_from_slice(&c.port.to_be_bytes());
    Ok(())
}

fn get_candidate(r: &mut Reader) -> Result<Candidate, FormatError> {
    let header = r.u8("candidate header")?;
    if header & CANDIDATE_RESERVED != 0 {
        return Err(FormatError::Invalid("candidate header"));
    }
    let kind = match header & 0b11 {
        0 => CandidateKind::Host,
        1 => CandidateKind::ServerReflexive,
        2 => CandidateKind::PeerReflexive,
        _ => CandidateKind::Relay,
    };
    let transport = match (header >> 2) & 0b11 {
        0 => Transport::Udp,
        1 => Transport::Tcp(TcpType::Active),
        2 => Transport::Tcp(TcpType::Passive),
        _ => Transport::Tcp(TcpType::So),
    };
    let address = match (header >> 4) & 0b11 {
        FAMILY_V4 => {
            CandidateAddress::Ip(IpAddr::V4(Ipv4Addr::from(r.array::<4>("IPv4 address")?)))
        }
        FAMILY_V6 => {
            CandidateAddress::Ip(IpAddr::V6(Ipv6Addr::from(r.array::<16>("IPv6 address")?)))
        }
        FAMILY_MDNS_UUID => {
            CandidateAddress::Mdns(format!("{}.local", uuid_text(&r.array::<16>("mDNS uuid")?)))
        }
        _ => {
            let label = r.short_str("mDNS name")?;
            // A uuid-shaped name has to use the 16-byte form.
            if !is_mdns_label(label) || uuid_bytes(label).is_some() {
                return Err(FormatError::Invalid("mDNS name"));
            }
            CandidateAddress::Mdns(format!("{label}.local"))
        }
    };
    let port = r.u16("candidate port")?;
    Ok(Candidate {
        kind,
        transport,
        address,
        port,
    })
}

/// The 16 bytes of a lowercase `8-4-4-4-12` hex uuid, the form browsers use for mDNS.
fn uuid_bytes(label: &str) -> Option<[u8; 16]> {
    let b = label.as_bytes();
    if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b.get(i) != Some(&b'-')) {
        return None;
    }
    let mut out = [0u8; 16];
    let mut digits = b.iter().filter(|c| **c != b'-');
    for byte in out.iter_mut() {
        let hi = hex_value(*digits.next()?)?;
        let lo = hex_value(*digits.next()?)?;
        *byte = (hi << 4) | lo;
    }
    digits.next().is_none().then_some(out)
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

fn uuid_text(b: &[u8; 16]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    // 32 ASCII hex digits, so these ranges are always in bounds.
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(candidates: Vec<Candidate>) -> SessionDescription {
        SessionDescription {
            ice_ufrag: "/TL8".into(),
            ice_pwd: "gwTor84DI5YDXBHWuqtbRXJI".into(),
            fingerprint: [7; 32],
            setup: SetupRole::Actpass,
            candidates,
            sctp_port: 5000,
            max_message_size: Some(262_144),
        }
    }

    fn v4(a: [u8; 4], port: u16) -> Candidate {
        Candidate {
            kind: CandidateKind::Host,
            transport: Transport::Udp,
            address: CandidateAddress::Ip(IpAddr::V4(Ipv4Addr::from(a))),
            port,
        }
    }

    fn round_trip(d: &SessionDescription) -> Vec<u8> {
        let mut out = Vec::new();
        write(d, &mut out).expect("writes");
        let mut r = Reader::new(&out);
        assert_eq!(read(&mut r).as_ref(), Ok(d));
        assert_eq!(r.finish(), Ok(()));
        out
    }

    #[test]
    fn a_derived_password_is_not_carried() {
        let mut d = sample(vec![v4([192, 168, 1, 2], 5000)]);
        let explicit_len = round_trip(&d).len();
        d.ice_pwd = derived_ice_pwd(&d.ice_ufrag, &d.fingerprint);
        let bytes = round_trip(&d);
        assert_eq!(explicit_len - bytes.len(), 1 + d_pwd_bytes(&sample(vec![])));
        assert_ne!(bytes[1] & PWD_DERIVED, 0);
        // Writing a derivable password explicitly is not canonical.
        let mut forged = bytes.clone();
        forged[1] &= !PWD_DERIVED;
        assert!(read(&mut Reader::new(&forged)).is_err());
    }

    fn d_pwd_bytes(d: &SessionDescription) -> usize {
        (d.ice_pwd.len() * 6).div_ceil(8)
    }

    #[test]
    fn three_ipv4_hosts_fit_in_79_bytes() {
        let d = sample(vec![
            v4([192, 168, 1, 20], 50000),
            v4([10, 0, 0, 3], 50001),
            v4([172, 16, 0, 9], 50002),
        ]);
        let bytes = round_trip(&d);
        assert_eq!(bytes.len(), 79);
        // The worked example in docs/FORMAT.md: flags = actpass | 262144 (2 << 3).
        assert_eq!(bytes[..6], [1, 0b0001_0000, 4, 0xFD, 0x32, 0xFC]);
        // First candidate: host/UDP/IPv4 header 0, address, port.
        let first = 2 + 4 + 19 + 32 + 1;
        assert_eq!(bytes[first - 1], 3, "candidate count");
        assert_eq!(bytes[first..first + 7], [0, 192, 168, 1, 20, 0xC3, 0x50]);
    }

    #[test]
    fn every_address_family_round_trips() {
        let mut d = sample(vec![
            Candidate {
                address: CandidateAddress::Mdns(
                    "0a1b2c3d-0000-4000-8000-00000000abcd.local".into(),
                ),
                ..v4([0; 4], 1)
            },
            Candidate {
                address: CandidateAddress::Mdns("my-laptop.local".into()),
                transport: Transport::Tcp(TcpType::So),
                ..v4([0; 4], 2)
            },
            Candidate {
                address: CandidateAddress::Ip("2001:db8::1".parse().expect("ip")),
                kind: CandidateKind::Relay,
                transport: Transport::Tcp(TcpType::Passive),
                ..v4([0; 4], 3)
            },
        ]);
        d.sctp_port = 5001;
        d.max_message_size = Some(1234);
        d.setup = SetupRole::Passive;
        let bytes = round_trip(&d);
        // 1+1 + 1+3 + 1+18 + 32 + 2 + 4 + 1 + (1+16+2) + (1+1+9+2) + (1+16+2)
        assert_eq!(bytes.len(), 115);
    }

    #[test]
    fn refuses_non_canonical_and_reserved_forms() {
        let d = sample(vec![v4([127, 0, 0, 1], 9)]);
        let mut good = Vec::new();
        write(&d, &mut good).expect("writes");
        let reads = |b: &[u8]| read(&mut Reader::new(b));
        let mut bad = good.clone();
        bad[0] = 2;
        assert_eq!(
            reads(&bad),
            Err(FormatError::Invalid("description version"))
        );
        let mut bad = good.clone();
        bad[1] |= 0x80;
        assert_eq!(reads(&bad), Err(FormatError::Invalid("description flags")));
        let mut bad = good.clone();
        bad[1] |= SETUP_MASK;
        assert_eq!(reads(&bad), Err(FormatError::Invalid("setup role")));
        // Nonzero padding in the 4-char ufrag's last byte? 4*6 = 24 bits: no padding.
        // The 24-char password has none either; use a 5-char ufrag instead.
        let mut d5 = d.clone();
        d5.ice_ufrag = "abcde".into();
        let mut five = Vec::new();
        write(&d5, &mut five).expect("writes");
        five[2 + 4] |= 1; // last packed byte of the ufrag holds 2 padding bits
        assert_eq!(reads(&five), Err(FormatError::Invalid("ICE ufrag")));
        for cut in 0..good.len() {
            assert!(matches!(
                reads(&good[..cut]),
                Err(FormatError::Truncated(_))
            ));
        }
    }

    #[test]
    fn refuses_descriptions_it_cannot_carry() {
        let many = sample((0..17).map(|i| v4([10, 0, 0, i], 1000)).collect());
        assert_eq!(
            write(&many, &mut Vec::new()),
            Err(FormatError::Invalid("candidate count"))
        );
        let mut bad = sample(vec![]);
        bad.ice_pwd = "has a space in it......".into();
        assert_eq!(
            write(&bad, &mut Vec::new()),
            Err(FormatError::Invalid("ICE password"))
        );
    }
}
