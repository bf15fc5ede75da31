//! The text form of a code: one line that survives any messenger.
//!
//! `TINCAN-` + kind letter + version digit + `-` + RFC 4648 base32 of the layout and
//! its CRC-32. Base32 uses only A–Z and 2–7: nothing a messenger turns into
//! formatting (`_`, `*`, `~`), links or emoji, and every character is in QR's
//! alphanumeric set, so the QR code stays small. Reading is forgiving: case, spaces,
//! line breaks, zero-width characters and text around the code are ignored; `0`, `1`
//! and `8` typed for `O`, `I` and `B` are read as letters. The CRC refuses a truncated
//! or mistyped code before any expensive key derivation.

use data_encoding::BASE32_NOPAD;

use super::{CodeKind, FORMAT_VERSION};
use crate::CodeError;

/// Every code starts with this.
pub const PREFIX: &str = "TINCAN-";

/// Longest text accepted, far above any real code; bounds the work on pasted junk.
const MAX_TEXT_LEN: usize = 16 * 1024;

/// How many places the end of a code may be guessed at when text follows it.
const MAX_END_GUESSES: usize = 64;

/// Writes a code's text form.
pub fn encode(kind: CodeKind, payload: &[u8]) -> String {
    let mut data = payload.to_vec();
    data.extend_from_slice(&crc32fast::hash(payload).to_be_bytes());
    format!(
        "{PREFIX}{}{}-{}",
        kind.letter(),
        FORMAT_VERSION,
        BASE32_NOPAD.encode(&data)
    )
}

/// Whether `text` contains something that looks like a Tincan code.
pub fn looks_like_code(text: &str) -> bool {
    let cleaned: String = text.chars().filter(|c| !is_ignorable(*c)).collect();
    cleaned.to_ascii_uppercase().contains(PREFIX)
}

/// Characters messengers insert that are not part of the code.
fn is_ignorable(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}'
        )
}

fn base32_symbol(c: char) -> Option<char> {
    match c.to_ascii_uppercase() {
        c @ ('A'..='Z' | '2'..='7') => Some(c),
        '0' => Some('O'),
        '1' => Some('I'),
        '8' => Some('B'),
        _ => None,
    }
}

/// Reads a code's text form: its kind and the checked binary layout.
pub fn decode(text: &str) -> Result<(CodeKind, Vec<u8>), CodeError> {
    if text.len() > MAX_TEXT_LEN {
        return Err(CodeError::Damaged {
            reason: "the text is far longer than any code".into(),
        });
    }
    // Drop what messengers insert, remembering where whitespace was: if words follow
    // the code, its real end is at one of those places.
    let mut cleaned = String::with_capacity(text.len());
    let mut breaks = Vec::new();
    for c in text.chars() {
        if is_ignorable(c) {
            if c.is_whitespace() {
                breaks.push(cleaned.len());
            }
            continue;
        }
        cleaned.push(c.to_ascii_uppercase());
    }
    let start = cleaned.find(PREFIX).ok_or(CodeError::NotACode)?;
    // No code kind is "S": `TINCAN-SN…` is a safety number (identity::SAFETY_QR_PREFIX).
    if cleaned[start + PREFIX.len()..].starts_with("SN") {
        return Err(CodeError::SafetyNumberCode);
    }
    let mut rest = cleaned[start + PREFIX.len()..].chars();
    let kind = rest
        .next()
        .and_then(CodeKind::from_letter)
        .ok_or_else(|| CodeError::Damaged {
            reason: "unknown code type after TINCAN-".into(),
        })?;
    match rest.next().and_then(|c| c.to_digit(10)) {
        Some(v) if v == u32::from(FORMAT_VERSION) => {}
        Some(v) => return Err(CodeError::UnsupportedVersion { version: v as u8 }),
        None => {
            return Err(CodeError::Damaged {
                reason: "the version after the code type is missing".into(),
            })
        }
    }
    if rest.next() != Some('-') {
        return Err(CodeError::Damaged {
            reason: "a dash is missing after the version".into(),
        });
    }
    let body_start = start + PREFIX.len() + 3;
    let symbols: String = cleaned[body_start..]
        .chars()
        .map_while(base32_symbol)
        .collect();
    let mut ends = vec![symbols.len()];
    ends.extend(
        breaks
            .iter()
            .rev()
            .filter_map(|&b| b.checked_sub(body_start))
            .filter(|&e| e > 0 && e < symbols.len()),
    );
    ends.dedup();
    ends.truncate(MAX_END_GUESSES);

    let mut first_error = None;
    for end in ends {
        match checked_payload(&symbols[..end]) {
            Ok(payload) => return Ok((kind, payload)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(CodeError::Damaged {
        reason: "the code is empty".into(),
    }))
}

fn checked_payload(symbols: &str) -> Result<Vec<u8>, CodeError> {
    let data = BASE32_NOPAD
        .decode(symbols.as_bytes())
        .map_err(|_| CodeError::Damaged {
            reason: "its length is wrong, so part of it is missing".into(),
        })?;
    if data.len() < 5 {
        return Err(CodeError::Damaged {
            reason: "it is too short".into(),
        });
    }
    let (payload, crc) = data.split_at(data.len() - 4);
    if crc32fast::hash(payload).to_be_bytes() != crc {
        return Err(CodeError::Damaged {
            reason: "its check digits do not match, so part of it is missing or mistyped".into(),
        });
    }
    Ok(payload.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (String, Vec<u8>) {
        let payload: Vec<u8> = (0u8..120).map(|i| i.wrapping_mul(37)).collect();
        (encode(CodeKind::Invite, &payload), payload)
    }

    #[test]
    fn round_trip_and_only_safe_characters() {
        let (code, payload) = sample();
        assert!(code.starts_with("TINCAN-I1-"));
        assert!(code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'));
        assert_eq!(decode(&code).unwrap(), (CodeKind::Invite, payload));
    }

    #[test]
    fn messenger_damage_is_tolerated() {
        let (code, payload) = sample();
        let wrapped: String = code
            .chars()
            .enumerate()
            .flat_map(|(i, c)| {
                let sep = match i % 23 {
                    0 => Some('\n'),
                    7 => Some(' '),
                    11 => Some('\u{200b}'),
                    _ => None,
                };
                sep.into_iter().chain(std::iter::once(c))
            })
            .collect();
        let surrounded = format!(
            "Join me on Tincan:\n{}\n\nsee you soon!",
            wrapped.to_lowercase()
        );
        assert_eq!(decode(&surrounded).unwrap().1, payload);
        let (prefix, body) = code.split_at(10);
        let typed = format!(
            "{prefix}{}",
            body.replacen('O', "0", 3).replacen('I', "1", 3)
        );
        assert_eq!(decode(&typed).unwrap().1, payload);
    }

    #[test]
    fn truncation_and_typos_are_refused() {
        let (code, _) = sample();
        for cut in [1, 2, 5, 8, 40] {
            let short = &code[..code.len() - cut];
            assert!(
                matches!(decode(short), Err(CodeError::Damaged { .. })),
                "cut {cut}"
            );
        }
        let mut typo: Vec<char> = code.chars().collect();
        let i = typo.len() / 2;
        typo[i] = if typo[i] == 'A' { 'B' } else { 'A' };
        let typo: String = typo.into_iter().collect();
        assert!(matches!(decode(&typo), Err(CodeError::Damaged { .. })));
    }

    #[test]
    fn foreign_text_and_versions() {
        assert_eq!(decode("hello there"), Err(CodeError::NotACode));
        assert!(matches!(
            decode("TINCAN-I7-AAAA"),
            Err(CodeError::UnsupportedVersion { version: 7 })
        ));
        assert!(matches!(
            decode("TINCAN-X1-AAAA"),
            Err(CodeError::Damaged { .. })
        ));
        assert!(matches!(decode("TINCAN-"), Err(CodeError::Damaged { .. })));
        // A contact's safety-number QR, scanned where a code belongs.
        let safety = format!("{}{}", crate::identity::SAFETY_QR_PREFIX, "1".repeat(60));
        assert_eq!(decode(&safety), Err(CodeError::SafetyNumberCode));
        assert_eq!(
            decode(&safety.to_lowercase()),
            Err(CodeError::SafetyNumberCode)
        );
        assert!(decode(&"TINCAN-I1-".repeat(5000)).is_err());
    }
}
