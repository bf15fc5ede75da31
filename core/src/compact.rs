//! The compact binary form of a [`crate::sdp::SessionDescription`] (format documented
//! in `docs/FORMAT.md`), a small fraction of the SDP it stands for.
//!
//! PLACEHOLDER until the real layout lands (branch `sdp`): a plain, uncompressed
//! encoding so the code layer can be built and tested.

use std::net::IpAddr;

use crate::bytes::{FormatError, Reader, WriteExt};
use crate::sdp::{
    Candidate, CandidateAddress, CandidateKind, SessionDescription, SetupRole, Transport,
};

/// Appends the compact form of `desc`.
pub fn write(desc: &SessionDescription, out: &mut Vec<u8>) -> Result<(), FormatError> {
    out.put_short_bytes(desc.ice_ufrag.as_bytes(), "ufrag")?;
    out.put_short_bytes(desc.ice_pwd.as_bytes(), "pwd")?;
    out.extend_from_slice(&desc.fingerprint);
    out.push(match desc.setup {
        SetupRole::Actpass => 0,
        SetupRole::Active => 1,
        SetupRole::Passive => 2,
    });
    out.push(u8::try_from(desc.candidates.len()).map_err(|_| FormatError::Invalid("candidates"))?);
    for c in &desc.candidates {
        let CandidateAddress::Ip(ip) = c.address else {
            return Err(FormatError::Invalid("candidate address"));
        };
        match ip {
            IpAddr::V4(v4) => {
                out.push(4);
                out.extend_from_slice(&v4.octets());
            }
            IpAddr::V6(v6) => {
                out.push(6);
                out.extend_from_slice(&v6.octets());
            }
        }
        out.extend_from_slice(&c.port.to_be_bytes());
    }
    Ok(())
}

/// Reads a compact description.
pub fn read(r: &mut Reader) -> Result<SessionDescription, FormatError> {
    let ice_ufrag = std::str::from_utf8(r.short_bytes("ufrag")?)
        .map_err(|_| FormatError::Invalid("ufrag"))?
        .to_string();
    let ice_pwd = std::str::from_utf8(r.short_bytes("pwd")?)
        .map_err(|_| FormatError::Invalid("pwd"))?
        .to_string();
    let fingerprint = r.array("fingerprint")?;
    let setup = match r.u8("setup")? {
        0 => SetupRole::Actpass,
        1 => SetupRole::Active,
        2 => SetupRole::Passive,
        _ => return Err(FormatError::Invalid("setup")),
    };
    let n = r.u8("candidates")?;
    let mut candidates = Vec::new();
    for _ in 0..n {
        let ip = match r.u8("family")? {
            4 => IpAddr::from(r.array::<4>("ipv4")?),
            6 => IpAddr::from(r.array::<16>("ipv6")?),
            _ => return Err(FormatError::Invalid("family")),
        };
        candidates.push(Candidate {
            kind: CandidateKind::Host,
            transport: Transport::Udp,
            address: CandidateAddress::Ip(ip),
            port: r.u16("port")?,
        });
    }
    Ok(SessionDescription {
        ice_ufrag,
        ice_pwd,
        fingerprint,
        setup,
        candidates,
        sctp_port: 5000,
        max_message_size: None,
    })
}
