//! Safety numbers: a short text two people compare (read aloud, or scan as a QR code)
//! to be sure each holds the other's real identity key and nobody sits in between.
//!
//! # Derivation
//!
//! Each public key gets a 30-digit *fingerprint*:
//!
//! 1. `h = SHA-256("tincan safety number v1" ‖ 0x00 ‖ key)` — the label separates this
//!    use of SHA-256 from every other one (the 0x00 ends the label);
//! 2. the first 30 bytes of `h` are read as six 5-byte big-endian numbers, each taken
//!    modulo 100 000 and written as 5 digits (bias below 10⁻⁷ per group).
//!
//! The safety number of a pair is both fingerprints, the numerically smaller first —
//! so both people see the same 60 digits whatever the order of the keys — shown as
//! twelve groups of five. The QR payload is [`SAFETY_QR_PREFIX`] followed by the 60
//! digits: an alphanumeric-mode prefix and numeric-mode digits make a version 4 symbol
//! (33 × 33 modules) at error-correction level Q, which any camera reads at a glance.
//!
//! # Why 2 × 30 digits, not one 30-digit hash of the pair
//!
//! 30 digits are 10³⁰ ≈ 2⁹⁹·⁷ values. The attacker is someone in the middle of the
//! first exchange who hands Ana a key `M1` of theirs as "Ben" and Ben a key `M2` as
//! "Ana", and wants the two screens to agree.
//!
//! * With one hash over the sorted pair, the screens show `H(A, M1)` and `H(M2, B)`,
//!   and the attacker picks **both** `M1` and `M2`: that is a collision (claw) search
//!   between two functions, about 2⁵⁰ hash-and-keygen steps with parallel collision
//!   search — days on a few GPUs. Not enough.
//! * With per-key fingerprints, Ana's screen shows `F(A)` and `F(M1)`, Ben's shows
//!   `F(M2)` and `F(B)`. Agreement needs `F(M1) = F(B)` — a **second preimage** of a
//!   fixed ~100-bit target, about 2⁹⁹ key generations on average (and `F(M2) = F(A)`
//!   as well). At 10¹² keys a second that is over 10⁷ years. That is why each half is
//!   30 digits and why there are two halves: the same reasoning and shape as Signal's
//!   safety numbers.
//!
//! Fewer digits per half would fall quickly (20 digits ≈ 66 bits is within reach of a
//! determined attacker); more would make comparing aloud a chore without a real gain.

use sha2::{Digest, Sha256};

use super::{IdentityError, PUBLIC_KEY_LEN};
use crate::qr::{self, QrImage};

/// What every safety-number QR payload starts with (format version 1).
pub const SAFETY_QR_PREFIX: &str = "TINCAN-SN1:";

/// The family prefix: a payload with it but another version came from another release.
const FAMILY: &str = "TINCAN-SN";

/// Digits in one key's fingerprint.
pub const FINGERPRINT_DIGITS: usize = 30;

/// Digits in a safety number (two fingerprints).
pub const SAFETY_NUMBER_DIGITS: usize = 2 * FINGERPRINT_DIGITS;

/// Domain-separation label, NUL-terminated.
const LABEL: &[u8] = b"tincan safety number v1\0";

/// Digits in one displayed group.
const GROUP: usize = 5;

/// One key's 30-digit fingerprint.
fn fingerprint(key: &[u8; PUBLIC_KEY_LEN]) -> String {
    let hash = Sha256::new()
        .chain_update(LABEL)
        .chain_update(key)
        .finalize();
    let mut out = String::with_capacity(FINGERPRINT_DIGITS);
    for chunk in hash.chunks_exact(5).take(FINGERPRINT_DIGITS / GROUP) {
        let n = chunk.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b));
        out.push_str(&format!("{:05}", n % 100_000));
    }
    out
}

/// The 60 digits, smaller fingerprint first.
fn digits(a: &[u8; PUBLIC_KEY_LEN], b: &[u8; PUBLIC_KEY_LEN]) -> String {
    let (fa, fb) = (fingerprint(a), fingerprint(b));
    // Equal-length digit strings: lexicographic order is numeric order.
    if fa <= fb {
        fa + &fb
    } else {
        fb + &fa
    }
}

/// The safety number of two public keys (the same whichever comes first): twelve
/// groups of five digits separated by single spaces, e.g. `"05321 84210 … 77310"`.
/// Shells may wrap it into three lines of four groups.
pub fn safety_number(a: &[u8; PUBLIC_KEY_LEN], b: &[u8; PUBLIC_KEY_LEN]) -> String {
    let all = digits(a, b);
    let groups: Vec<&str> = (0..SAFETY_NUMBER_DIGITS / GROUP)
        .filter_map(|i| all.get(i * GROUP..(i + 1) * GROUP))
        .collect();
    groups.join(" ")
}

/// The text a safety-number QR code carries: [`SAFETY_QR_PREFIX`] and the 60 digits.
pub fn safety_qr_payload(a: &[u8; PUBLIC_KEY_LEN], b: &[u8; PUBLIC_KEY_LEN]) -> String {
    format!("{SAFETY_QR_PREFIX}{}", digits(a, b))
}

/// The safety number as a QR symbol, drawn by the same renderer as codes (PNG, SVG,
/// terminal).
pub fn safety_qr(
    a: &[u8; PUBLIC_KEY_LEN],
    b: &[u8; PUBLIC_KEY_LEN],
) -> Result<QrImage, IdentityError> {
    qr::render(&safety_qr_payload(a, b)).map_err(|e| IdentityError::Qr {
        reason: e.to_string(),
    })
}

/// Whether a scanned (or pasted) safety-number payload matches the pair `a`, `b`.
///
/// `Ok(false)` means a well-formed safety number for *other* keys: the person should
/// not trust the connection. A text that is not a safety number at all — another QR
/// code, a truncated scan, a newer format — is [`IdentityError::BadSafetyPayload`]
/// with a message saying which. Surrounding whitespace and spaces between the digits
/// are ignored; the prefix may be in any case.
pub fn compare_scanned(
    payload: &str,
    a: &[u8; PUBLIC_KEY_LEN],
    b: &[u8; PUBLIC_KEY_LEN],
) -> Result<bool, IdentityError> {
    let scanned = parse(payload)?;
    Ok(scanned == digits(a, b))
}

/// The 60 digits of a payload, or why it is not one.
fn parse(payload: &str) -> Result<String, IdentityError> {
    let bad = |reason: String| IdentityError::BadSafetyPayload { reason };
    let text = payload.trim();
    let has_family = text
        .get(..FAMILY.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(FAMILY));
    if !has_family {
        return Err(bad(format!(
            "it should start with {SAFETY_QR_PREFIX} (is this the right QR code?)"
        )));
    }
    let rest = text.get(FAMILY.len()..).unwrap_or("");
    let Some((version, body)) = rest.split_once(':') else {
        return Err(bad(format!(
            "the \"{SAFETY_QR_PREFIX}\" header is incomplete"
        )));
    };
    if version != "1" {
        let shown: String = version.chars().take(8).collect();
        return Err(bad(format!(
            "it is format {shown:?}, made by another version of Tincan; update Tincan on both devices"
        )));
    }
    let digits: String = body.chars().filter(|c| *c != ' ').collect();
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_digit()) {
        return Err(bad(format!(
            "it contains {c:?}; a safety number has only digits"
        )));
    }
    if digits.len() != SAFETY_NUMBER_DIGITS {
        return Err(bad(format!(
            "it has {} digits where {SAFETY_NUMBER_DIGITS} were expected (a partial scan?)",
            digits.len()
        )));
    }
    Ok(digits)
}
