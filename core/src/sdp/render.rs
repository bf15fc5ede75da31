//! Rebuilding a full SDP from a [`SessionDescription`], the inverse of
//! [`super::parse`], in a shape both the `webrtc` crate and Chromium accept.
//!
//! A code carries no candidate foundations or priorities, so they are recomputed here:
//! RFC 8445 priorities that fall strictly along the description's order (which
//! [`super::parse`] made highest-priority-first), and foundations shared by candidates of
//! the same type, transport and address.

use std::fmt::Write as _;
use std::net::IpAddr;

use super::{
    Candidate, CandidateAddress, CandidateKind, SdpKind, SessionDescription, SetupRole, TcpType,
    Transport,
};

impl SessionDescription {
    /// A full SDP for this description. The `o=` session id is derived from the
    /// fingerprint, so the same description always renders to the same text.
    pub fn to_sdp(&self, kind: SdpKind) -> String {
        let id = u64::from_be_bytes([
            self.fingerprint[0],
            self.fingerprint[1],
            self.fingerprint[2],
            self.fingerprint[3],
            self.fingerprint[4],
            self.fingerprint[5],
            self.fingerprint[6],
            self.fingerprint[7],
        ]);
        self.to_sdp_with_session_id(kind, id)
    }

    /// A full SDP with the given `o=` session id (kept below 2^63, as RFC 8866 asks).
    ///
    /// `kind` does not change the text: an offer and an answer of a data channel differ
    /// only in `a=setup`, which the description holds. It is taken so call sites say
    /// which one they mean, and so that [`Self::to_browser_json`] agrees.
    pub fn to_sdp_with_session_id(&self, kind: SdpKind, session_id: u64) -> String {
        let _ = kind;
        let mut s = String::with_capacity(600);
        let sid = session_id & (u64::MAX >> 1);
        // `write!` into a String cannot fail.
        let _ = write!(
            s,
            "v=0\r\no=- {sid} 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
             a=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n\
             m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n"
        );
        for line in candidate_lines(&self.candidates) {
            let _ = write!(s, "a=candidate:{line}\r\n");
        }
        if !self.candidates.is_empty() {
            s.push_str("a=end-of-candidates\r\n");
        }
        let setup = match self.setup {
            SetupRole::Actpass => "actpass",
            SetupRole::Active => "active",
            SetupRole::Passive => "passive",
        };
        let _ = write!(
            s,
            "a=ice-ufrag:{}\r\na=ice-pwd:{}\r\na=ice-options:trickle\r\n\
             a=fingerprint:sha-256 {}\r\na=setup:{setup}\r\na=mid:0\r\na=sctp-port:{}\r\n",
            self.ice_ufrag,
            self.ice_pwd,
            colon_hex(&self.fingerprint),
            self.sctp_port,
        );
        if let Some(size) = self.max_message_size {
            let _ = write!(s, "a=max-message-size:{size}\r\n");
        }
        s
    }

    /// `{"type":"offer","sdp":"…"}`, what a browser page passes to
    /// `setRemoteDescription`.
    pub fn to_browser_json(&self, kind: SdpKind) -> String {
        let kind_text = match kind {
            SdpKind::Offer => "offer",
            SdpKind::Answer => "answer",
        };
        // Written by hand so "type" comes first, as `JSON.stringify` in a page writes it.
        let sdp = serde_json::Value::String(self.to_sdp(kind));
        format!("{{\"type\":\"{kind_text}\",\"sdp\":{sdp}}}")
    }
}

/// RFC 8445 §5.1.2.2 type preferences; TCP a step lower, as browsers rank it.
fn type_preference(c: &Candidate) -> u32 {
    let udp = match c.kind {
        CandidateKind::Host => 126,
        CandidateKind::PeerReflexive => 110,
        CandidateKind::ServerReflexive => 100,
        CandidateKind::Relay => 2,
    };
    match c.transport {
        Transport::Udp => udp,
        Transport::Tcp(_) => udp.saturating_sub(36).max(1),
    }
}

/// The text after `a=candidate:` for each candidate, priorities strictly decreasing.
fn candidate_lines(candidates: &[Candidate]) -> Vec<String> {
    let mut lines = Vec::with_capacity(candidates.len());
    let mut ceiling = u32::MAX;
    for (i, c) in candidates.iter().enumerate() {
        // Never rank a later candidate above an earlier one: clamp its type preference.
        let type_pref = type_preference(c).min(ceiling);
        ceiling = type_pref;
        let index = u32::try_from(i).unwrap_or(u32::MAX).min(0xFFFF);
        let local_pref = 0xFFFF - index;
        let priority = (type_pref << 24) | (local_pref << 8) | (256 - 1);
        // Same type, transport and address share a foundation (RFC 8445 §5.1.1.3).
        let foundation = candidates
            .iter()
            .position(|o| o.kind == c.kind && same_protocol(o, c) && o.address == c.address)
            .unwrap_or(i)
            + 1;
        let (proto, tcptype) = match c.transport {
            Transport::Udp => ("udp", None),
            Transport::Tcp(t) => (
                "tcp",
                Some(match t {
                    TcpType::Active => "active",
                    TcpType::Passive => "passive",
                    TcpType::So => "so",
                }),
            ),
        };
        let address = match &c.address {
            CandidateAddress::Ip(ip) => ip.to_string(),
            CandidateAddress::Mdns(name) => name.clone(),
        };
        let mut line = format!(
            "{foundation} 1 {proto} {priority} {address} {} typ {}",
            c.port,
            match c.kind {
                CandidateKind::Host => "host",
                CandidateKind::ServerReflexive => "srflx",
                CandidateKind::PeerReflexive => "prflx",
                CandidateKind::Relay => "relay",
            }
        );
        if c.kind != CandidateKind::Host {
            // The related address is not carried; say "hidden" the way browsers do.
            let unspecified = match c.address {
                CandidateAddress::Ip(IpAddr::V6(_)) => "::",
                _ => "0.0.0.0",
            };
            let _ = write!(line, " raddr {unspecified} rport 0");
        }
        if let Some(t) = tcptype {
            let _ = write!(line, " tcptype {t}");
        }
        lines.push(line);
    }
    lines
}

fn same_protocol(a: &Candidate, b: &Candidate) -> bool {
    matches!(
        (a.transport, b.transport),
        (Transport::Udp, Transport::Udp) | (Transport::Tcp(_), Transport::Tcp(_))
    )
}

/// `AB:CD:…`, upper case as browsers write it.
fn colon_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            out.push(':');
        }
        let _ = write!(out, "{b:02X}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdp::parse;
    use std::net::Ipv4Addr;

    fn host(last: u8, port: u16) -> Candidate {
        Candidate {
            kind: CandidateKind::Host,
            transport: Transport::Udp,
            address: CandidateAddress::Ip(IpAddr::V4(Ipv4Addr::new(192, 168, 1, last))),
            port,
        }
    }

    fn sample() -> SessionDescription {
        SessionDescription {
            ice_ufrag: "abcd".into(),
            ice_pwd: "abcdefghijklmnopqrstuv".into(),
            fingerprint: [0xAB; 32],
            setup: SetupRole::Actpass,
            candidates: vec![
                Candidate {
                    kind: CandidateKind::Relay,
                    ..host(1, 3478)
                },
                host(2, 5000),
                Candidate {
                    transport: Transport::Tcp(TcpType::Passive),
                    ..host(2, 9)
                },
            ],
            sctp_port: 5000,
            max_message_size: Some(262144),
        }
    }

    #[test]
    fn priorities_follow_the_description_order() {
        let sdp = sample().to_sdp(SdpKind::Offer);
        let priorities: Vec<u32> = sdp
            .lines()
            .filter_map(|l| l.strip_prefix("a=candidate:"))
            .map(|l| {
                l.split(' ')
                    .nth(3)
                    .and_then(|p| p.parse().ok())
                    .unwrap_or(0)
            })
            .collect();
        assert_eq!(priorities.len(), 3);
        assert!(priorities.windows(2).all(|w| w[0] > w[1]), "{priorities:?}");
        assert!(sdp.contains("typ relay raddr 0.0.0.0 rport 0"));
        assert!(sdp.contains("typ host tcptype passive"));
    }

    #[test]
    fn rendered_sdp_parses_back_to_the_same_description() {
        let d = sample();
        assert_eq!(parse(&d.to_sdp(SdpKind::Offer)), Ok(d.clone()));
        let (kind, back) =
            crate::sdp::parse_browser_json(&d.to_browser_json(SdpKind::Answer)).expect("parses");
        assert_eq!(kind, SdpKind::Answer);
        assert_eq!(back, d);
    }
}
