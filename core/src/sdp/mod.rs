//! Session descriptions: what a WebRTC data-channel session needs, parsed from a full
//! SDP (as the `webrtc` crate or a browser writes it) and rebuilt into a full SDP.
//!
//! Only the fields a data channel needs survive: ICE credentials, the DTLS fingerprint,
//! the setup role, the candidates and the SCTP parameters. Everything else in a
//! browser's SDP is boilerplate that [`SessionDescription::to_sdp`] writes back.

use std::net::IpAddr;

mod error;
pub mod parse;
pub mod render;

pub use error::SdpError;
pub use parse::{parse, parse_browser_json, unwrap_messenger_lines};

/// The most candidates a description keeps (and a code carries); lower-priority extras
/// are dropped by [`parse`].
pub const MAX_CANDIDATES: usize = 16;
/// The SCTP port nearly every implementation uses; only other ports cost bytes in a code.
pub const DEFAULT_SCTP_PORT: u16 = 5000;
/// ICE ufrag length bounds (RFC 8839 allows 4..=256; 255 keeps the length in one byte).
pub const ICE_UFRAG_LEN: std::ops::RangeInclusive<usize> = 4..=255;
/// ICE password length bounds (RFC 8839 allows 22..=256).
pub const ICE_PWD_LEN: std::ops::RangeInclusive<usize> = 22..=255;
/// Longest mDNS label (the part before `.local`) a description may carry.
pub const MAX_MDNS_LABEL: usize = 63;

/// Whether a rebuilt SDP is an offer or an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdpKind {
    /// The first description of a session.
    Offer,
    /// The description that answers an offer.
    Answer,
}

/// The DTLS role (`a=setup`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupRole {
    /// Either role (offers).
    Actpass,
    /// DTLS client.
    Active,
    /// DTLS server.
    Passive,
}

/// The kind of an ICE candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CandidateKind {
    /// A local interface address.
    Host,
    /// The address a STUN server saw.
    ServerReflexive,
    /// An address learned from a peer's connectivity check.
    PeerReflexive,
    /// A TURN relay address.
    Relay,
}

/// Transport of a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP with its `tcptype`.
    Tcp(TcpType),
}

/// RFC 6544 TCP candidate type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TcpType {
    /// Opens connections.
    Active,
    /// Accepts connections.
    Passive,
    /// Simultaneous open.
    So,
}

/// Where a candidate is: an IP address or an mDNS name (`<uuid>.local`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CandidateAddress {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// An mDNS host name a browser uses to hide its local address.
    Mdns(String),
}

/// One ICE candidate (component 1 only: data channels are bundled and rtcp-muxed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Host, server-reflexive, peer-reflexive or relay.
    pub kind: CandidateKind,
    /// UDP or TCP.
    pub transport: Transport,
    /// The address.
    pub address: CandidateAddress,
    /// The port.
    pub port: u16,
}

/// What a data-channel session needs from one side's SDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionDescription {
    /// `a=ice-ufrag`.
    pub ice_ufrag: String,
    /// `a=ice-pwd`.
    pub ice_pwd: String,
    /// SHA-256 DTLS certificate fingerprint.
    pub fingerprint: [u8; 32],
    /// `a=setup`.
    pub setup: SetupRole,
    /// Candidates in order of preference.
    pub candidates: Vec<Candidate>,
    /// `a=sctp-port` (5000 nearly everywhere).
    pub sctp_port: u16,
    /// `a=max-message-size`, when stated.
    pub max_message_size: Option<u32>,
}

/// The 64 `ice-char`s of RFC 8839 in base64 order, so each fits in 6 bits.
pub(crate) const ICE_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The 6-bit value of an `ice-char`, if it is one.
pub(crate) fn ice_char_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// True if `s` is made only of `ice-char`s.
fn is_ice_chars(s: &str) -> bool {
    s.bytes().all(|c| ice_char_value(c).is_some())
}

/// True if `label` can be the part of an mDNS name before `.local`: lowercase letters,
/// digits, `-` and inner dots. The restriction keeps the rebuilt SDP line well-formed
/// whatever a code contains.
pub(crate) fn is_mdns_label(label: &str) -> bool {
    (1..=MAX_MDNS_LABEL).contains(&label.len())
        && !label.starts_with('.')
        && !label.ends_with('.')
        && label
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
}

impl SessionDescription {
    /// Checks the invariants every parsed or decoded description holds, so that it can
    /// be written compactly and rebuilt into an SDP line by line. Returns the name of
    /// the first field that breaks them.
    pub fn check(&self) -> Result<(), &'static str> {
        if !ICE_UFRAG_LEN.contains(&self.ice_ufrag.len()) || !is_ice_chars(&self.ice_ufrag) {
            return Err("ICE ufrag");
        }
        if !ICE_PWD_LEN.contains(&self.ice_pwd.len()) || !is_ice_chars(&self.ice_pwd) {
            return Err("ICE password");
        }
        if self.candidates.len() > MAX_CANDIDATES {
            return Err("candidate count");
        }
        for c in &self.candidates {
            if let CandidateAddress::Mdns(name) = &c.address {
                match name.strip_suffix(".local") {
                    Some(label) if is_mdns_label(label) => {}
                    _ => return Err("mDNS candidate name"),
                }
            }
        }
        Ok(())
    }
}

/// The ICE password Tincan derives from its ufrag and certificate fingerprint.
///
/// Tincan's own sessions use it so a code need not carry the password: the password
/// travels in clear inside codes anyway, so deriving it from other clear fields costs
/// nothing, and the compact form saves 17 bytes (about 27 characters of a code).
/// 22 characters of the base64 alphabet (the `ice-char`s): 132 bits.
pub fn derived_ice_pwd(ufrag: &str, fingerprint: &[u8; 32]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(b"tincan/v1 ice password")
        .expect("HMAC accepts any key length");
    mac.update(ufrag.as_bytes());
    mac.update(fingerprint);
    let digest = mac.finalize().into_bytes();
    let mut pwd = data_encoding::BASE64_NOPAD.encode(&digest[..17]);
    pwd.truncate(22);
    pwd
}
