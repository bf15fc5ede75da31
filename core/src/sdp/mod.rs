//! Session descriptions: what a WebRTC data-channel session needs, parsed from a full
//! SDP (as the `webrtc` crate or a browser writes it) and rebuilt into a full SDP.
//!
//! Only the fields a data channel needs survive: ICE credentials, the DTLS fingerprint,
//! the setup role, the candidates and the SCTP parameters. Everything else in a
//! browser's SDP is boilerplate that [`SessionDescription::to_sdp`] writes back.

use std::net::IpAddr;

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
