//! Reading a full data-channel SDP, as the `webrtc` crate or a browser writes it, into a
//! [`SessionDescription`].
//!
//! Tolerant where real implementations differ (line endings, session- or media-level
//! attributes, candidate extensions, each candidate listed twice by the `webrtc` crate),
//! strict where a wrong guess would break the session later (fingerprint hash, ICE
//! credential characters, candidate syntax).

use std::net::IpAddr;

use super::{
    is_mdns_label, Candidate, CandidateAddress, CandidateKind, SdpError, SdpKind,
    SessionDescription, SetupRole, TcpType, Transport, DEFAULT_SCTP_PORT, MAX_CANDIDATES,
};

/// Attributes that may appear at session level and be overridden in the media section.
#[derive(Default)]
struct Level<'a> {
    ufrag: Option<&'a str>,
    pwd: Option<&'a str>,
    setup: Option<&'a str>,
    fingerprints: Vec<&'a str>,
}

/// Parses a full SDP with exactly one data-channel (`m=application … SCTP`) section.
///
/// Candidates are ordered by their stated priority (highest first), deduplicated,
/// limited to component 1 and to the best [`MAX_CANDIDATES`].
pub fn parse(sdp: &str) -> Result<SessionDescription, SdpError> {
    let mut session = Level::default();
    let mut media = Level::default();
    let mut in_media = false;
    let mut sctp_port = None;
    let mut legacy_sctp_port = None;
    let mut max_message_size = None;
    // (priority, candidate) in SDP order.
    let mut candidates: Vec<(u32, Candidate)> = Vec::new();
    let mut candidate_lines = 0usize;

    for line in sdp.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let Some((kind, value)) = line.split_once('=') else {
            return Err(SdpError::Malformed("line (expected x=value)"));
        };
        match kind {
            "m" => {
                if in_media {
                    return Err(SdpError::NotDataChannel(
                        "more than one media section".to_string(),
                    ));
                }
                in_media = true;
                legacy_sctp_port = parse_media_line(value)?;
            }
            "a" => {
                let (name, arg) = match value.split_once(':') {
                    Some((n, a)) => (n, a.trim()),
                    None => (value, ""),
                };
                let level = if in_media { &mut media } else { &mut session };
                match name {
                    "ice-ufrag" => level.ufrag = Some(arg),
                    "ice-pwd" => level.pwd = Some(arg),
                    "setup" => level.setup = Some(arg),
                    "fingerprint" => level.fingerprints.push(arg),
                    "sctp-port" => {
                        sctp_port = Some(
                            arg.parse()
                                .map_err(|_| SdpError::Malformed("a=sctp-port"))?,
                        )
                    }
                    "sctpmap" => {
                        // Pre-2017 form: a=sctpmap:5000 webrtc-datachannel 1024
                        let port = arg.split_whitespace().next().unwrap_or_default();
                        legacy_sctp_port =
                            Some(port.parse().map_err(|_| SdpError::Malformed("a=sctpmap"))?);
                    }
                    "max-message-size" => {
                        max_message_size = Some(
                            arg.parse()
                                .map_err(|_| SdpError::Malformed("a=max-message-size"))?,
                        )
                    }
                    "candidate" => {
                        candidate_lines += 1;
                        if let Some(c) =
                            parse_candidate(arg).map_err(|reason| SdpError::Candidate {
                                index: candidate_lines,
                                reason,
                            })?
                        {
                            candidates.push(c);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if !in_media {
        return Err(SdpError::NotDataChannel(
            "no m=application section".to_string(),
        ));
    }

    let ice_ufrag = media
        .ufrag
        .or(session.ufrag)
        .ok_or(SdpError::Missing("a=ice-ufrag"))?;
    let ice_pwd = media
        .pwd
        .or(session.pwd)
        .ok_or(SdpError::Missing("a=ice-pwd"))?;
    let setup = match media
        .setup
        .or(session.setup)
        .ok_or(SdpError::Missing("a=setup"))?
    {
        "actpass" => SetupRole::Actpass,
        "active" => SetupRole::Active,
        "passive" => SetupRole::Passive,
        _ => return Err(SdpError::Unsupported("a=setup role")),
    };
    let fingerprints = if media.fingerprints.is_empty() {
        session.fingerprints
    } else {
        media.fingerprints
    };
    let fingerprint = pick_fingerprint(&fingerprints)?;

    // Highest priority first; a stable sort keeps SDP order between equals, and the
    // first of two identical candidates (the webrtc crate's duplicates) wins.
    candidates.sort_by_key(|(priority, _)| std::cmp::Reverse(*priority));
    let mut kept: Vec<Candidate> = Vec::new();
    for (_, c) in candidates {
        if kept.len() == MAX_CANDIDATES {
            break;
        }
        if !kept.contains(&c) {
            kept.push(c);
        }
    }

    let desc = SessionDescription {
        ice_ufrag: ice_ufrag.to_string(),
        ice_pwd: ice_pwd.to_string(),
        fingerprint,
        setup,
        candidates: kept,
        sctp_port: sctp_port.or(legacy_sctp_port).unwrap_or(DEFAULT_SCTP_PORT),
        max_message_size,
    };
    desc.check().map_err(SdpError::Unsupported)?;
    Ok(desc)
}

/// Parses what a browser page shows as `JSON.stringify(pc.localDescription)`:
/// `{"type":"offer","sdp":"v=0\r\n…"}`.
///
/// Line breaks a messenger inserted (raw CR/LF are never part of valid JSON text here:
/// the SDP's own line ends are escaped as `\r\n`) and surrounding whitespace are ignored.
pub fn parse_browser_json(text: &str) -> Result<(SdpKind, SessionDescription), SdpError> {
    let cleaned = unwrap_messenger_lines(text);
    let value: serde_json::Value =
        serde_json::from_str(cleaned.trim()).map_err(|_| SdpError::Json("not valid JSON"))?;
    let kind = value
        .get("type")
        .and_then(|t| t.as_str())
        .ok_or(SdpError::Json("no \"type\" string"))?;
    let kind = match kind {
        "offer" => SdpKind::Offer,
        "answer" => SdpKind::Answer,
        other => return Err(SdpError::Kind(other.chars().take(16).collect())),
    };
    let sdp = value
        .get("sdp")
        .and_then(|s| s.as_str())
        .ok_or(SdpError::Json("no \"sdp\" string"))?;
    Ok((kind, parse(sdp)?))
}

/// Undoes a messenger's hard wrapping of a long line: `JSON.stringify` never writes a
/// raw line break (the SDP's own are the escapes `\r\n`), so every raw break was
/// inserted and is dropped. Spaces are kept: inside the SDP a space may be real, so
/// indentation a messenger added after a break cannot be told from content.
pub fn unwrap_messenger_lines(text: &str) -> String {
    text.chars().filter(|c| *c != '\r' && *c != '\n').collect()
}

/// Checks an `m=` line is a data channel; returns the SCTP port if the legacy
/// `DTLS/SCTP <port>` form states one.
fn parse_media_line(value: &str) -> Result<Option<u16>, SdpError> {
    let mut fields = value.split_whitespace();
    let media = fields.next().ok_or(SdpError::Malformed("m= line"))?;
    let _port = fields.next().ok_or(SdpError::Malformed("m= line"))?;
    let proto = fields.next().ok_or(SdpError::Malformed("m= line"))?;
    let fmt = fields.next().unwrap_or_default();
    if media != "application" {
        return Err(SdpError::NotDataChannel(format!(
            "found m={}",
            media.chars().take(16).collect::<String>()
        )));
    }
    if !proto.ends_with("SCTP") {
        return Err(SdpError::NotDataChannel(
            "application section is not SCTP".to_string(),
        ));
    }
    if fmt == "webrtc-datachannel" {
        Ok(None)
    } else {
        Ok(fmt.parse().ok())
    }
}

/// Picks the SHA-256 fingerprint among the stated ones.
fn pick_fingerprint(fingerprints: &[&str]) -> Result<[u8; 32], SdpError> {
    let mut other = None;
    for fp in fingerprints {
        let (alg, hex) = fp
            .split_once(' ')
            .ok_or(SdpError::Malformed("a=fingerprint"))?;
        if alg.eq_ignore_ascii_case("sha-256") {
            return parse_colon_hex(hex.trim()).ok_or(SdpError::Malformed("a=fingerprint"));
        }
        other.get_or_insert(alg);
    }
    match other {
        Some(alg) => Err(SdpError::UnsupportedFingerprint(
            alg.chars().take(16).collect(),
        )),
        None => Err(SdpError::Missing("a=fingerprint")),
    }
}

/// `AB:CD:…` (32 bytes, any case) into bytes.
fn parse_colon_hex(hex: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    let mut parts = hex.split(':');
    for byte in out.iter_mut() {
        let part = parts.next()?;
        if part.len() != 2 {
            return None;
        }
        *byte = u8::from_str_radix(part, 16).ok()?;
    }
    parts.next().is_none().then_some(out)
}

/// Parses the value of `a=candidate:`. `Ok(None)` for candidates a bundled, rtcp-muxed
/// data channel never uses (component 2).
fn parse_candidate(value: &str) -> Result<Option<(u32, Candidate)>, &'static str> {
    let f: Vec<&str> = value.split_whitespace().collect();
    // foundation component transport priority address port "typ" type [key value]…
    let [_foundation, component, transport, priority, address, port, typ, kind, ext @ ..] =
        f.as_slice()
    else {
        return Err("too few fields");
    };
    if *typ != "typ" {
        return Err("no \"typ\" field");
    }
    let component: u32 = component.parse().map_err(|_| "bad component")?;
    if component != 1 {
        return Ok(None);
    }
    let priority: u32 = priority.parse().map_err(|_| "bad priority")?;
    let port: u16 = port.parse().map_err(|_| "bad port")?;
    let kind = match *kind {
        "host" => CandidateKind::Host,
        "srflx" => CandidateKind::ServerReflexive,
        "prflx" => CandidateKind::PeerReflexive,
        "relay" => CandidateKind::Relay,
        _ => return Err("unknown candidate type"),
    };
    let tcptype = ext
        .chunks(2)
        .find(|kv| kv.first() == Some(&"tcptype"))
        .and_then(|kv| kv.get(1));
    let transport = if transport.eq_ignore_ascii_case("udp") {
        Transport::Udp
    } else if transport.eq_ignore_ascii_case("tcp") {
        Transport::Tcp(match tcptype.copied() {
            Some("active") => TcpType::Active,
            Some("passive") => TcpType::Passive,
            Some("so") => TcpType::So,
            Some(_) => return Err("unknown tcptype"),
            None => return Err("TCP candidate without tcptype"),
        })
    } else {
        return Err("unknown transport");
    };
    let address = if let Ok(ip) = address.parse::<IpAddr>() {
        CandidateAddress::Ip(ip)
    } else {
        let name = address.to_ascii_lowercase();
        match name.strip_suffix(".local") {
            Some(label) if is_mdns_label(label) => CandidateAddress::Mdns(name),
            _ => return Err("address is neither an IP address nor an mDNS .local name"),
        }
    };
    Ok(Some((
        priority,
        Candidate {
            kind,
            transport,
            address,
            port,
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROMIUM_STYLE: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
a=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n\
a=candidate:1 1 udp 2122194687 10.0.0.2 5001 typ host generation 0 network-id 2\r\n\
a=candidate:2 1 udp 2122260223 127.0.0.1 5000 typ host generation 0 network-id 1 network-cost 50\r\n\
a=candidate:2 2 udp 2122260222 127.0.0.1 5002 typ host\r\n\
a=candidate:3 1 tcp 1518280447 127.0.0.1 9 typ host tcptype active generation 0\r\n\
a=candidate:4 1 udp 1686052607 203.0.113.5 40000 typ srflx raddr 10.0.0.2 rport 5001\r\n\
a=candidate:5 1 udp 2113937151 0a1b2c3d-0000-4000-8000-00000000abcd.local 5003 typ host\r\n\
a=candidate:6 1 udp 41885439 2001:db8::7 3478 typ relay raddr :: rport 0\r\n\
a=ice-ufrag:/TL8\r\na=ice-pwd:gwTor84DI5YDXBHWuqtbRXJI\r\na=ice-options:trickle\r\n\
a=fingerprint:sha-256 A5:21:02:ED:CE:F6:42:82:57:B2:8B:99:E1:9C:1B:F5:13:6B:2A:E0:C7:2F:32:9E:FE:93:A5:AF:E1:95:F5:61\r\n\
a=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\na=max-message-size:262144\r\n";

    #[test]
    fn reads_every_field_and_orders_by_priority() {
        let d = parse(CHROMIUM_STYLE).expect("parses");
        assert_eq!(d.ice_ufrag, "/TL8");
        assert_eq!(d.ice_pwd, "gwTor84DI5YDXBHWuqtbRXJI");
        assert_eq!(d.fingerprint[0], 0xA5);
        assert_eq!(d.fingerprint[31], 0x61);
        assert_eq!(d.setup, SetupRole::Actpass);
        assert_eq!(d.sctp_port, 5000);
        assert_eq!(d.max_message_size, Some(262144));
        let ports: Vec<u16> = d.candidates.iter().map(|c| c.port).collect();
        // 127.0.0.1 first (higher priority), component 2 dropped.
        assert_eq!(ports, [5000, 5001, 5003, 40000, 9, 3478]);
        assert_eq!(d.candidates[4].transport, Transport::Tcp(TcpType::Active));
        assert_eq!(d.candidates[3].kind, CandidateKind::ServerReflexive);
        assert_eq!(
            d.candidates[2].address,
            CandidateAddress::Mdns("0a1b2c3d-0000-4000-8000-00000000abcd.local".into())
        );
        assert_eq!(d.candidates[5].kind, CandidateKind::Relay);
    }

    #[test]
    fn tolerates_bare_newlines_and_session_level_attributes() {
        let sdp = "v=0\no=- 1 1 IN IP4 0.0.0.0\ns=-\nt=0 0\n\
a=fingerprint:sha-256 64:02:90:E8:71:C7:B2:77:59:3F:25:C8:51:30:38:02:51:F5:3A:F4:E8:9A:BF:05:E8:C3:3B:83:C0:F5:43:A3\n\
a=ice-ufrag:abcd\na=ice-pwd:abcdefghijklmnopqrstuv\na=setup:passive\n\
m=application 9 DTLS/SCTP 5001\nc=IN IP4 0.0.0.0\n\
a=candidate:1 1 udp 2130706431 127.0.0.1 37668 typ host\n\
a=candidate:1 1 udp 2130706431 127.0.0.1 37668 typ host\n";
        let d = parse(sdp).expect("parses");
        assert_eq!(d.setup, SetupRole::Passive);
        assert_eq!(d.sctp_port, 5001);
        assert_eq!(d.max_message_size, None);
        assert_eq!(d.candidates.len(), 1, "duplicates are merged");
    }

    #[test]
    fn refuses_other_fingerprint_hashes_clearly() {
        let sdp = CHROMIUM_STYLE.replace("sha-256", "sha-1");
        let err = parse(&sdp).expect_err("sha-1 only");
        assert_eq!(err, SdpError::UnsupportedFingerprint("sha-1".into()));
        assert!(err.to_string().contains("SHA-256"));
    }

    #[test]
    fn refuses_media_sessions_and_bad_credentials() {
        let audio = CHROMIUM_STYLE.replace(
            "m=application 9 UDP/DTLS/SCTP",
            "m=audio 9 UDP/TLS/RTP/SAVPF",
        );
        assert!(matches!(parse(&audio), Err(SdpError::NotDataChannel(_))));
        let short = CHROMIUM_STYLE.replace("a=ice-pwd:gwTor84DI5YDXBHWuqtbRXJI", "a=ice-pwd:short");
        assert_eq!(parse(&short), Err(SdpError::Unsupported("ICE password")));
        let bad = CHROMIUM_STYLE.replace("typ relay", "typ bogus");
        assert!(matches!(
            parse(&bad),
            Err(SdpError::Candidate { index: 7, .. })
        ));
        let host = CHROMIUM_STYLE.replace("127.0.0.1 9 typ", "example.com 9 typ");
        assert!(matches!(
            parse(&host),
            Err(SdpError::Candidate { index: 4, .. })
        ));
    }

    #[test]
    fn browser_json_survives_inserted_line_breaks() {
        let json = serde_json::json!({"type": "answer", "sdp": CHROMIUM_STYLE}).to_string();
        let (mid, rest) = json.split_at(json.len() / 2);
        let wrapped = format!("\n  {mid}\r\n{rest}  \n");
        let (kind, d) = parse_browser_json(&wrapped).expect("parses");
        assert_eq!(kind, SdpKind::Answer);
        assert_eq!(d, parse(CHROMIUM_STYLE).expect("parses"));
        assert!(matches!(
            parse_browser_json(r#"{"type":"rollback","sdp":""}"#),
            Err(SdpError::Kind(_))
        ));
        assert!(matches!(parse_browser_json("v=0"), Err(SdpError::Json(_))));
    }
}
