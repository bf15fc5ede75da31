//! Follow-up codes: fresh candidates after a completed exchange could not connect
//! (typically because a NAT mapping went stale while the reply travelled).
//!
//! Layout (docs/FORMAT.md): header (low bits: sender role), invite id, nonce, then sealed under
//! the sender's follow-up key: expiry and the compact session description.

use rand_core::CryptoRngCore;

use super::CLOCK_GRACE_SECS;
use super::{check_header, check_lifetime, expiry, header, text, CodeKind, Exchange};
use crate::bytes::Reader;
use crate::compact;
use crate::protect::keys::Role;
use crate::protect::seal::{self, NONCE_LEN};
use crate::sdp::SessionDescription;
use crate::CodeError;

/// The sender's role, in the header's low bits.
fn role_bits(role: Role) -> u8 {
    match role {
        Role::Inviter => 0,
        Role::Joiner => 1,
    }
}

pub(super) fn build(
    exchange: &Exchange,
    description: &SessionDescription,
    now: u64,
    lifetime_secs: u64,
    rng: &mut impl CryptoRngCore,
) -> Result<String, CodeError> {
    check_lifetime(lifetime_secs)?;
    let mut out = vec![header(CodeKind::FollowUp, role_bits(exchange.role()))];
    out.extend_from_slice(&exchange.invite_id());
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill_bytes(&mut nonce);
    out.extend_from_slice(&nonce);
    let mut plain = expiry(now, lifetime_secs).to_be_bytes().to_vec();
    compact::write(description, &mut plain)?;
    let sealed = seal::seal(
        exchange.keys().followup(exchange.role()),
        &nonce,
        &out,
        &plain,
    );
    out.extend_from_slice(&sealed);
    Ok(text::encode(CodeKind::FollowUp, &out))
}

pub(super) fn open(
    exchange: &Exchange,
    code: &str,
    now: u64,
) -> Result<SessionDescription, CodeError> {
    let (kind, bytes) = text::decode(code)?;
    if kind != CodeKind::FollowUp {
        return Err(CodeError::WrongKind {
            expected: CodeKind::FollowUp.described(),
            found: kind.described(),
        });
    }
    let mut r = Reader::new(&bytes);
    let sender = check_header(r.u8("header")?, CodeKind::FollowUp)?;
    let invite_id: [u8; 8] = r.array("invite id")?;
    if invite_id != exchange.invite_id() {
        return Err(CodeError::ForeignReply);
    }
    if sender != role_bits(exchange.role().peer()) {
        return Err(CodeError::Damaged {
            reason: "this follow-up code was made on this device, not by the other person".into(),
        });
    }
    let nonce: [u8; NONCE_LEN] = r.array("nonce")?;
    let clear_len = r.consumed().len();
    let sealed = r.rest();
    let plain = seal::open(
        exchange.keys().followup(exchange.role().peer()),
        &nonce,
        &bytes[..clear_len],
        sealed,
    )
    .ok_or(CodeError::Damaged {
        reason: "it was not made in this conversation, or was changed".into(),
    })?;
    let mut r = Reader::new(&plain);
    let expires_at = r.u32("expiry")?;
    if now > u64::from(expires_at) + CLOCK_GRACE_SECS {
        return Err(CodeError::Expired);
    }
    let description = compact::read(&mut r)?;
    r.finish()?;
    Ok(description)
}
