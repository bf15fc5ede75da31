//! One entry point for everything that arrives from outside.
//!
//! Text pasted into the app, shared from another app, opened as a `tincan:` link, read
//! by the camera or picked as an image all pass through [`classify_text`] (images and
//! camera frames through [`classify_image`] and [`classify_frame`], which read the QR
//! code first). The answer is what the text turned out to be — an [`Inbound`] carrying
//! the cleaned code or JSON — or a [`CodeError`] a person can act on.
//!
//! # What is tolerated
//!
//! - Surrounding whitespace, quotes (straight or typographic), backticks and code
//!   fences, and words around the code ("Here is my offer: …", or the line
//!   [`share_text`] writes).
//! - Links: `tincan:` or `tincan://` followed by the code, or by a browser's JSON
//!   percent-encoded (`tincan:%7B%22type%22…`). The code is URL-safe as it is, so the
//!   link form Tincan writes is simply `tincan:TINCAN-I1-…`.
//! - Tincan codes: everything [`text::decode`] forgives (case, line breaks, zero-width
//!   characters, `0`/`1`/`8` for `O`/`I`/`B`), and the same code pasted twice.
//! - A browser page's JSON (`{"type":"offer","sdp":"v=0…"}`): hard line wraps (also
//!   indented ones: every wrapped line starting with the same spaces), typographic
//!   quotes, the JSON encoded once more as a JSON string (`"{\"type\":…}"`), pasted
//!   twice, or nested in another object.
//!
//! # What is refused, and how
//!
//! - Not a code at all: [`CodeError::NotACode`].
//! - A Tincan code cut short or mistyped: [`CodeError::Damaged`]; out of date:
//!   [`CodeError::Expired`]; from a newer version: [`CodeError::UnsupportedVersion`].
//! - A safety-number QR that cannot be read: [`CodeError::SafetyNumberDamaged`].
//! - Browser JSON cut short: [`CodeError::BrowserJsonIncomplete`]; otherwise unusable:
//!   [`CodeError::BrowserJsonBroken`]. Both say "browser JSON".
//!
//! No input panics, and the work is bounded: text longer than [`MAX_TEXT_BYTES`] is
//! refused before it is read.

use std::borrow::Cow;

use crate::code::invite::hex_id;
use crate::code::text::{self, PREFIX};
use crate::code::{parse_any, unix_now, CodeKind, ParsedCode};
use crate::identity::{self, IdentityError, PUBLIC_KEY_LEN, SAFETY_QR_PREFIX};
use crate::node::{is_browser_description, read_browser_description};
use crate::qr;
use crate::sdp::{self, SdpKind};
use crate::CodeError;

/// What a piece of outside text turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inbound {
    /// An invite to answer.
    Invite {
        /// The cleaned one-line code (`TINCAN-I1-…`).
        code: String,
    },
    /// A reply to one of our invites.
    Reply {
        /// The cleaned one-line code (`TINCAN-R1-…`).
        code: String,
        /// The invite it answers, in hex: the invite's id and its conversation's id.
        invite_id: String,
    },
    /// A follow-up code for a conversation whose exchange did not connect.
    FollowUp {
        /// The cleaned one-line code (`TINCAN-F1-…`).
        code: String,
        /// The invite whose conversation it belongs to, in hex.
        invite_id: String,
    },
    /// A contact's safety-number QR payload, for verifying that contact.
    SafetyNumber {
        /// `TINCAN-SN1:` and the 60 digits, as [`identity::compare_scanned`] takes it.
        payload: String,
    },
    /// A plain browser page's offer.
    BrowserOffer {
        /// `{"type":"offer","sdp":"…"}`, cleaned: what `Node::join` takes.
        json: String,
    },
    /// A plain browser page's answer.
    BrowserAnswer {
        /// `{"type":"answer","sdp":"…"}`, cleaned: what `Node::accept_reply` takes.
        json: String,
    },
}

impl Inbound {
    /// What it is, in words for messages ("an invite code", "a browser's offer").
    pub fn described(&self) -> &'static str {
        match self {
            Inbound::Invite { .. } => CodeKind::Invite.described(),
            Inbound::Reply { .. } => CodeKind::Reply.described(),
            Inbound::FollowUp { .. } => CodeKind::FollowUp.described(),
            Inbound::SafetyNumber { .. } => "a safety-number code",
            Inbound::BrowserOffer { .. } => "a browser's offer",
            Inbound::BrowserAnswer { .. } => "a browser's answer",
        }
    }

    /// The cleaned text itself: the code, the payload or the JSON.
    pub fn text(&self) -> &str {
        match self {
            Inbound::Invite { code }
            | Inbound::Reply { code, .. }
            | Inbound::FollowUp { code, .. } => code,
            Inbound::SafetyNumber { payload } => payload,
            Inbound::BrowserOffer { json } | Inbound::BrowserAnswer { json } => json,
        }
    }
}

/// Longest text classified; far above any code or browser JSON (a page's offer with
/// many candidates is a few kilobytes).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The link scheme Tincan's codes may be opened with: `tincan:TINCAN-I1-…`.
pub const LINK_SCHEME: &str = "tincan:";

/// How much text after a code's prefix is handed to the code reader (a code is a few
/// hundred characters; generous for line breaks and words after it).
const CODE_WINDOW: usize = 8 * 1024;

/// At most this many places where a code or a JSON object may start are tried.
const MAX_STARTS: usize = 16;

/// Reads what a person pasted, shared, opened as a link or scanned.
pub fn classify_text(text: &str) -> Result<Inbound, CodeError> {
    classify_text_at(text, unix_now())
}

/// [`classify_text`] for the text held in a QR code in an image file's bytes (PNG or
/// JPEG; decoded under the limits of [`qr::decode_image_bytes`]).
pub fn classify_image(bytes: &[u8]) -> Result<Inbound, CodeError> {
    classify_text(&qr::decode_image_bytes(bytes)?)
}

/// [`classify_text`] for the QR code in a camera frame's luminance (Y) plane, one byte
/// per pixel, rows packed (`luma.len() == width × height`; see [`qr::decode_gray`]).
pub fn classify_frame(width: u32, height: u32, luma: &[u8]) -> Result<Inbound, CodeError> {
    classify_text(&qr::decode_gray(width, height, luma)?)
}

/// The one line an app shares with a code: what to do with it, then the code, so the
/// person receiving it knows, and [`classify_text`] still finds the code in it.
pub fn share_text(code: &str) -> String {
    let code = code.trim();
    let lead = match text::decode(code) {
        Ok((CodeKind::Invite, _)) => "Join me on Tincan — open this in the Tincan app:",
        Ok((CodeKind::Reply, _)) => {
            "My answer to your Tincan invite — open this in the Tincan app that made it:"
        }
        Ok((CodeKind::FollowUp, _)) => "For our Tincan chat — open this in the Tincan app:",
        Err(_) => "Open this in the Tincan app:",
    };
    format!("{lead} {code}")
}

/// [`classify_text`] at a given time (expiry is checked against `now`).
fn classify_text_at(text: &str, now: u64) -> Result<Inbound, CodeError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(too_long(text));
    }
    let cleaned = normalise(text);
    let cleaned = decode_link(&cleaned);
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Err(CodeError::NotACode);
    }
    if text::looks_like_code(cleaned) {
        let code = classify_code(cleaned, now);
        if code.is_err() && looks_like_browser_json(cleaned) {
            if let Ok(found) = classify_json(cleaned, 0) {
                return Ok(found);
            }
        }
        return code;
    }
    if looks_like_browser_json(cleaned) {
        return classify_json(cleaned, 0);
    }
    Err(CodeError::NotACode)
}

/// The error for text beyond [`MAX_TEXT_BYTES`], saying what it seemed to be.
fn too_long(text: &str) -> CodeError {
    if text::looks_like_code(text) {
        CodeError::Damaged {
            reason: "the text is far longer than any code".into(),
        }
    } else if looks_like_browser_json(text) {
        CodeError::BrowserJsonBroken {
            reason: "the text is far longer than any browser's connection details".into(),
        }
    } else {
        CodeError::NotACode
    }
}

/// Undoes what keyboards and messengers do to quotes, dashes and spaces, and drops the
/// invisible characters they insert. Codes and SDP are ASCII, so nothing real is lost.
fn normalise(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ff02}' => {
                Some('"')
            }
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' => Some('\''),
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' => Some('-'),
            '\u{a0}' | '\u{2007}' | '\u{202f}' => Some(' '),
            '\u{2028}' | '\u{2029}' => Some('\n'),
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' | '\u{ad}' => None,
            c => Some(c),
        })
        .collect()
}

/// Percent-decodes what follows a `tincan:` link scheme (a browser's JSON in a link is
/// percent-encoded; a code needs no encoding and is left as it is).
fn decode_link(text: &str) -> Cow<'_, str> {
    let lower = text.to_ascii_lowercase();
    let Some(at) = lower.find(LINK_SCHEME) else {
        return Cow::Borrowed(text);
    };
    let after = at + LINK_SCHEME.len();
    let rest = &text[after..];
    if !rest.contains('%') {
        return Cow::Borrowed(text);
    }
    match percent_decode(rest) {
        Some(decoded) => Cow::Owned(format!("{}{decoded}", &text[..after])),
        None => Cow::Borrowed(text),
    }
}

/// `%XX` escapes to bytes (`+` stays: an ICE password may contain one); `None` if the
/// result is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(value)) => {
                out.push(value);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Where a code may start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// `TINCAN-I`, `TINCAN-R` or `TINCAN-F`.
    Code,
    /// `TINCAN-SN`: a safety number.
    SafetyNumber,
}

/// Byte offsets where `TINCAN-` (any case; the invisible characters and line breaks a
/// messenger inserts allowed inside) is followed by a kind letter or `SN`. Words such
/// as "Tincan - open" are not starts.
fn code_starts(text: &str) -> Vec<(usize, Start)> {
    let mut starts = Vec::new();
    for (i, c) in text.char_indices() {
        if starts.len() >= MAX_STARTS {
            break;
        }
        if !c.eq_ignore_ascii_case(&'t') {
            continue;
        }
        let head: String = text[i..]
            .chars()
            .filter(|c| !c.is_whitespace())
            .take(PREFIX.len() + 2)
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let Some(after) = head.strip_prefix(PREFIX) else {
            continue;
        };
        if after.starts_with("SN") {
            starts.push((i, Start::SafetyNumber));
        } else if after.starts_with(['I', 'R', 'F']) {
            starts.push((i, Start::Code));
        }
    }
    starts
}

/// `text[from..]`, at most about `len` bytes of it (cut at a character boundary).
fn window(text: &str, from: usize, len: usize) -> &str {
    let rest = text.get(from..).unwrap_or("");
    let mut end = rest.len().min(len);
    while !rest.is_char_boundary(end) {
        end -= 1;
    }
    &rest[..end]
}

/// Reads the first Tincan code (or safety number) in `text`.
fn classify_code(text: &str, now: u64) -> Result<Inbound, CodeError> {
    let starts = code_starts(text);
    if starts.is_empty() {
        // "TINCAN-X1-…", "TINCAN-" alone: the code reader says what is wrong.
        return Err(match text::decode(text) {
            Err(e) => e,
            Ok(_) => CodeError::NotACode,
        });
    }
    let mut first_error = None;
    for (at, start) in starts {
        let candidate = window(text, at, CODE_WINDOW);
        let result = match start {
            Start::SafetyNumber => read_safety_number(candidate),
            Start::Code => read_code(candidate, now),
        };
        match result {
            Ok(found) => return Ok(found),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(CodeError::NotACode))
}

/// One code starting at the beginning of `text`, checked by [`parse_any`].
fn read_code(text: &str, now: u64) -> Result<Inbound, CodeError> {
    let (kind, bytes) = text::decode(text)?;
    let code = text::encode(kind, &bytes);
    Ok(match parse_any(&code, now)? {
        ParsedCode::Invite(_) => Inbound::Invite { code },
        ParsedCode::Reply { invite_id } => Inbound::Reply {
            code,
            invite_id: hex_id(&invite_id),
        },
        ParsedCode::FollowUp { invite_id } => Inbound::FollowUp {
            code,
            invite_id: hex_id(&invite_id),
        },
    })
}

/// A safety-number payload starting at the beginning of `text`: the `TINCAN-SNx:`
/// header, then digits (spaces and line breaks between them are dropped); the words
/// after it are not part of it. Checked by [`identity::compare_scanned`].
fn read_safety_number(text: &str) -> Result<Inbound, CodeError> {
    let (payload, digits) = match text.split_once(':') {
        Some((header, body)) if header.chars().count() <= 16 => {
            let header: String = header.chars().filter(|c| !c.is_whitespace()).collect();
            let digits: String = body
                .chars()
                .take_while(|c| c.is_ascii_digit() || c.is_whitespace())
                .filter(char::is_ascii_digit)
                .collect();
            (format!("{header}:{digits}"), digits)
        }
        // No colon: the header alone, which the check calls incomplete.
        _ => (
            text.split_whitespace().next().unwrap_or("").to_owned(),
            String::new(),
        ),
    };
    // Any keys do: only the payload's form is checked here.
    let keys = [0u8; PUBLIC_KEY_LEN];
    match identity::compare_scanned(&payload, &keys, &keys) {
        Ok(_) => Ok(Inbound::SafetyNumber {
            payload: format!("{SAFETY_QR_PREFIX}{digits}"),
        }),
        Err(IdentityError::BadSafetyPayload { reason }) => {
            Err(CodeError::SafetyNumberDamaged { reason })
        }
        Err(other) => Err(CodeError::SafetyNumberDamaged {
            reason: other.to_string(),
        }),
    }
}

/// Whether `text` looks like a browser's session description, whole or broken: an
/// object that mentions its fields or an SDP, a JSON object with a quoted key, or a
/// bare SDP. Cheap; [`classify_text`] says what is wrong with it.
fn looks_like_browser_json(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    let mentions_fields = [
        "sdp",
        "\"type\"",
        "'type'",
        "\\\"type\\\"",
        "v=0",
        "a=candidate",
    ]
    .iter()
    .any(|needle| lower.contains(needle));
    if text.contains('{') && mentions_fields {
        return true;
    }
    let opened =
        text.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`'));
    if is_browser_description(opened) {
        let inside = opened[1..].trim_start();
        if inside.starts_with(['"', '\'']) || inside.starts_with("\\\"") {
            return true;
        }
    }
    looks_like_bare_sdp(&lower)
}

/// An SDP without the JSON around it (`v=0`, then `a=` lines).
fn looks_like_bare_sdp(lower: &str) -> bool {
    lower.contains("v=0")
        && ["a=ice-ufrag", "a=fingerprint", "m=application"]
            .iter()
            .any(|needle| lower.contains(needle))
}

/// A `BrowserJsonBroken` with `reason`.
fn broken(reason: impl Into<String>) -> CodeError {
    CodeError::BrowserJsonBroken {
        reason: reason.into(),
    }
}

/// Reads the first browser description in `text` (`depth` counts the JSON-string
/// encodings already undone).
fn classify_json(text: &str, depth: u8) -> Result<Inbound, CodeError> {
    let starts: Vec<usize> = text
        .match_indices('{')
        .map(|(i, _)| i)
        .take(MAX_STARTS)
        .collect();
    if starts.is_empty() {
        return Err(if looks_like_bare_sdp(&text.to_ascii_lowercase()) {
            broken(
                "it is only the SDP text, without the {\"type\":…,\"sdp\":…} around it; copy \
                 what the page shows as a whole",
            )
        } else {
            CodeError::NotACode
        });
    }
    let mut first_error = None;
    for start in starts {
        match read_object(&text[start..], depth) {
            Ok(found) => return Ok(found),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(CodeError::NotACode))
}

/// The browser description whose object starts at the beginning of `text`; text after
/// its closing brace (a second copy, words) is ignored.
fn read_object(text: &str, depth: u8) -> Result<Inbound, CodeError> {
    let inside = text.get(1..).unwrap_or("").trim_start();
    if inside.starts_with("\\\"") {
        return read_escaped_object(text, depth);
    }
    let variants = unwrap_variants(text);
    let mut first_error = None;
    for variant in &variants {
        match read_plain_object(variant) {
            Ok(found) => return Ok(found),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(CodeError::BrowserJsonIncomplete))
}

/// The object written as the content of a JSON string (`"{\"type\":\"offer\",…}"`):
/// read the string, then the JSON inside it. Once only.
fn read_escaped_object(text: &str, depth: u8) -> Result<Inbound, CodeError> {
    if depth > 0 {
        return Err(broken("it is encoded as a JSON text more than once"));
    }
    let mut first_error = None;
    for variant in unwrap_variants(text) {
        let inner = match read_json_string(&variant) {
            Ok(inner) => inner,
            Err(e) => {
                first_error.get_or_insert(e);
                continue;
            }
        };
        match classify_json(&normalise(&inner), depth + 1) {
            Ok(found) => return Ok(found),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(CodeError::BrowserJsonIncomplete))
}

/// The content of a JSON string whose opening quote was just before `text`. It ends
/// at its closing quote if it was copied with it, else at the last closing brace.
fn read_json_string(text: &str) -> Result<String, CodeError> {
    let quoted = format!("\"{text}");
    let mut stream = serde_json::Deserializer::from_str(&quoted).into_iter::<String>();
    if let Some(Ok(inner)) = stream.next() {
        return Ok(inner);
    }
    let Some(end) = text.rfind('}') else {
        return Err(CodeError::BrowserJsonIncomplete);
    };
    match serde_json::from_str::<String>(&format!("\"{}\"", &text[..=end])) {
        Ok(inner) => Ok(inner),
        Err(e) if e.is_eof() => Err(CodeError::BrowserJsonIncomplete),
        Err(_) => Err(broken(
            "it is encoded as a JSON text, and that text cannot be read",
        )),
    }
}

/// The ways a hard-wrapped paste may be joined back, most likely first. `JSON.stringify`
/// writes no raw line breaks, so every one was inserted; the spaces after a break are
/// inserted too when every wrapped line starts with the same ones (indentation), but
/// may be real otherwise. Each way is checked by parsing, so a wrong guess only costs
/// time.
fn unwrap_variants(text: &str) -> Vec<String> {
    let plain = sdp::unwrap_messenger_lines(text);
    if !text.contains('\n') {
        return vec![plain];
    }
    let lines: Vec<&str> = text.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    // Blank lines and code fences do not count towards the indentation.
    let continuation: Vec<&str> = lines
        .iter()
        .skip(1)
        .copied()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("```"))
        .collect();
    let indent = common_indent(&continuation);
    let mut variants = Vec::new();
    if !indent.is_empty() {
        let mut dedented = String::with_capacity(text.len());
        for (i, line) in lines.iter().enumerate() {
            if i == 0 {
                dedented.push_str(line);
            } else {
                dedented.push_str(line.strip_prefix(indent).unwrap_or(line));
            }
        }
        variants.push(dedented);
    }
    variants.push(plain);
    // Wrapped at spaces that were replaced by the break.
    let spaced = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let tight = lines.iter().map(|l| l.trim()).collect::<String>();
    for extra in [tight, spaced] {
        if !variants.contains(&extra) {
            variants.push(extra);
        }
    }
    variants
}

/// The leading spaces and tabs every line shares.
fn common_indent<'a>(lines: &[&'a str]) -> &'a str {
    let Some(first) = lines.first() else {
        return "";
    };
    let mut len = first.len() - first.trim_start_matches([' ', '\t']).len();
    for line in lines.iter().skip(1) {
        let shared = first
            .bytes()
            .zip(line.bytes())
            .take(len)
            .take_while(|(a, b)| a == b)
            .count();
        len = len.min(shared);
    }
    &first[..len]
}

/// One object, written as plain JSON, checked as a browser description.
fn read_plain_object(text: &str) -> Result<Inbound, CodeError> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde_json::Value>();
    let value = match stream.next() {
        None => return Err(CodeError::BrowserJsonIncomplete),
        Some(Err(e)) if e.is_eof() => return Err(CodeError::BrowserJsonIncomplete),
        Some(Err(_)) => {
            return Err(broken(
                "it is not valid JSON: some of its characters were changed or lost",
            ))
        }
        Some(Ok(value)) => value,
    };
    let Some(object) = value.as_object() else {
        return Err(broken("it is not a JSON object"));
    };
    let kind = match object.get("type").and_then(|t| t.as_str()) {
        Some("offer") => SdpKind::Offer,
        Some("answer") => SdpKind::Answer,
        Some(other) => {
            let shown: String = other.chars().take(16).collect();
            return Err(broken(format!(
                "it is a browser's {shown:?}, but only offers and answers can be used"
            )));
        }
        None => return Err(broken("it has no \"type\" saying offer or answer")),
    };
    let Some(sdp) = object.get("sdp").and_then(|s| s.as_str()) else {
        return Err(broken("it has no \"sdp\" text"));
    };
    let (kind_text, wrap): (&str, fn(String) -> Inbound) = match kind {
        SdpKind::Offer => ("offer", |json| Inbound::BrowserOffer { json }),
        SdpKind::Answer => ("answer", |json| Inbound::BrowserAnswer { json }),
    };
    // Written as `JSON.stringify` in a page writes it: "type" first.
    let json = format!(
        "{{\"type\":\"{kind_text}\",\"sdp\":{}}}",
        serde_json::Value::String(sdp.to_owned())
    );
    // mDNS names are kept: only the form is checked here, the node decides what to use.
    match read_browser_description(&json, kind, true) {
        Ok(_) => Ok(wrap(json)),
        Err(CodeError::Description { reason }) => Err(broken(reason)),
        Err(other) => Err(broken(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rand_chacha::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    use super::*;
    use crate::code::{create_invite, Invite, InviteSecret};
    use crate::protect::argon;
    use crate::sdp::SessionDescription;

    const OFFER: &str = include_str!("../tests/fixtures/sdp/chromium-offer.json");
    const ANSWER: &str = include_str!("../tests/fixtures/sdp/chromium-answer.json");
    /// The fixtures' ICE passwords: never in a message.
    const SECRETS: [&str; 2] = ["DVkQz1QCHq9mHG+H+Je8B2Iy", "Gb256enVLlpcRZyR2WK9RzC1"];
    const NOW: u64 = 1_800_000_000;
    const DAY: u64 = 24 * 60 * 60;

    fn description(json: &str) -> SessionDescription {
        sdp::parse_browser_json(json).unwrap().1
    }

    /// Real codes of every kind, made the way the node makes them.
    struct Codes {
        invite: String,
        reply: String,
        followup: String,
        invite_id: String,
    }

    fn codes(now: u64) -> Codes {
        let mut rng = ChaCha20Rng::from_seed([7; 32]);
        let new = create_invite(
            InviteSecret::Open,
            &description(OFFER),
            now,
            DAY,
            argon::FLOOR,
            &mut rng,
        )
        .unwrap();
        let invite = Invite::parse(&new.code, now).unwrap();
        let (reply, exchange) = invite
            .respond(None, &description(ANSWER), now, DAY, &mut rng)
            .unwrap();
        let followup = exchange
            .followup_code(&description(ANSWER), now, DAY, &mut rng)
            .unwrap();
        Codes {
            invite: new.code,
            reply,
            followup,
            invite_id: hex_id(&invite.id()),
        }
    }

    fn at(text: &str) -> Result<Inbound, CodeError> {
        classify_text_at(text, NOW)
    }

    fn offer() -> Inbound {
        Inbound::BrowserOffer {
            json: OFFER.trim().to_owned(),
        }
    }

    /// Hard-wraps `text` every `width` characters, each wrapped line after the first
    /// starting with `indent`.
    fn wrap(text: &str, width: usize, indent: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        chars
            .chunks(width)
            .enumerate()
            .map(|(i, c)| {
                let line: String = c.iter().collect();
                if i == 0 {
                    line
                } else {
                    format!("{indent}{line}")
                }
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Word-wraps `text` at spaces, the space replaced by the line break.
    fn word_wrap(text: &str, width: usize) -> String {
        let mut lines: Vec<String> = vec![String::new()];
        for word in text.split(' ') {
            let last = lines.last_mut().unwrap();
            if !last.is_empty() && last.len() + 1 + word.len() > width {
                lines.push(word.to_owned());
            } else {
                if !last.is_empty() {
                    last.push(' ');
                }
                last.push_str(word);
            }
        }
        lines.join("\n")
    }

    fn smart_quotes(text: &str) -> String {
        let mut open = true;
        text.chars()
            .map(|c| match c {
                '"' => {
                    open = !open;
                    if open {
                        '\u{201d}'
                    } else {
                        '\u{201c}'
                    }
                }
                c => c,
            })
            .collect()
    }

    fn assert_says_browser_json(err: &CodeError) {
        let message = err.to_string();
        assert!(message.contains("browser JSON"), "{message}");
        for secret in SECRETS {
            assert!(!message.contains(secret), "{message}");
        }
    }

    #[test]
    fn the_fixtures_are_canonical_already() {
        // The cleaned JSON is written as a page writes it, so the fixtures come back as
        // they are.
        assert_eq!(at(OFFER).unwrap(), offer());
        assert_eq!(
            at(ANSWER).unwrap(),
            Inbound::BrowserAnswer {
                json: ANSWER.trim().to_owned()
            }
        );
        let Inbound::BrowserAnswer { json } = at(ANSWER).unwrap() else {
            panic!("an answer");
        };
        assert!(read_browser_description(&json, SdpKind::Answer, false).is_ok());
    }

    #[test]
    fn every_kind_of_code_is_recognised_with_its_invite_id() {
        let c = codes(NOW);
        assert_eq!(
            at(&c.invite).unwrap(),
            Inbound::Invite {
                code: c.invite.clone()
            }
        );
        assert_eq!(
            at(&c.reply).unwrap(),
            Inbound::Reply {
                code: c.reply.clone(),
                invite_id: c.invite_id.clone()
            }
        );
        assert_eq!(
            at(&c.followup).unwrap(),
            Inbound::FollowUp {
                code: c.followup.clone(),
                invite_id: c.invite_id.clone()
            }
        );
        assert_eq!(c.invite_id.len(), 16);
        // With today's clock too, through the public entry point.
        let today = codes(unix_now());
        assert!(matches!(
            classify_text(&today.invite),
            Ok(Inbound::Invite { .. })
        ));
    }

    #[test]
    fn codes_are_found_inside_wrappers_links_and_sentences() {
        let c = codes(NOW);
        let code = &c.invite;
        let expected = Inbound::Invite { code: code.clone() };
        let lower_wrapped = wrap(&code.to_lowercase(), 30, "");
        for text in [
            format!("  {code}\n"),
            format!("\"{code}\""),
            format!("'{code}'"),
            format!("`{code}`"),
            format!("```\n{code}\n```"),
            format!("```text\n{code}\n```"),
            format!("\u{201c}{code}\u{201d}"),
            format!("\u{2018}{code}\u{2019}"),
            format!("Here is my invite: {code}"),
            format!("Tap to join me on Tincan: {code} — see you!"),
            format!("Tincan - open this: {code}"),
            format!("tincan:{code}"),
            format!("TINCAN:{code}"),
            format!("tincan://{code}"),
            format!("Open tincan:{code} on your phone"),
            format!("\u{feff}{}", code.replacen('-', "\u{2011}", 2)),
            lower_wrapped,
            // Pasted twice, with and without a break between.
            format!("{code} {code}"),
            format!("{code}{code}"),
            format!("{code}\n{code}"),
        ] {
            assert_eq!(at(&text).unwrap(), expected, "{text:?}");
        }
    }

    #[test]
    fn share_text_round_trips_for_every_kind() {
        let c = codes(NOW);
        for (code, lead) in [
            (&c.invite, "Join me on Tincan"),
            (&c.reply, "My answer to your Tincan invite"),
            (&c.followup, "For our Tincan chat"),
        ] {
            let line = share_text(code);
            assert!(line.starts_with(lead), "{line}");
            assert!(line.ends_with(code.as_str()), "{line}");
            assert!(!line.contains('\n'));
            let found = at(&line).unwrap();
            assert_eq!(found.text(), code.as_str());
            assert_eq!(at(code).unwrap(), found);
        }
        assert_eq!(share_text("hello"), "Open this in the Tincan app: hello");
    }

    #[test]
    fn truncated_expired_and_foreign_codes_are_refused_with_their_errors() {
        let c = codes(NOW);
        for cut in [1, 5, 20] {
            let short = &c.invite[..c.invite.len() - cut];
            assert!(
                matches!(at(short), Err(CodeError::Damaged { .. })),
                "cut {cut}"
            );
            let message = at(short).unwrap_err().to_string();
            assert!(message.contains("damaged or incomplete"), "{message}");
            assert!(!message.contains(&short[10..]), "{message}");
        }
        assert!(matches!(
            at(&format!("\"{}\"", &c.reply[..40])),
            Err(CodeError::Damaged { .. })
        ));
        assert_eq!(
            classify_text_at(&c.invite, NOW + 2 * DAY),
            Err(CodeError::Expired)
        );
        assert!(matches!(
            at("TINCAN-I9-AAAA"),
            Err(CodeError::UnsupportedVersion { version: 9 })
        ));
        assert!(matches!(
            at("TINCAN-X1-AAAA"),
            Err(CodeError::Damaged { .. })
        ));
        for text in [
            "",
            "   ",
            "hello there",
            "{sarcasm}",
            "Tincan is nice",
            "tincan:",
        ] {
            assert_eq!(at(text), Err(CodeError::NotACode), "{text:?}");
        }
    }

    #[test]
    fn safety_numbers_are_recognised_and_partial_ones_explained() {
        let digits = "0123456789".repeat(6);
        let payload = format!("{SAFETY_QR_PREFIX}{digits}");
        let expected = Inbound::SafetyNumber {
            payload: payload.clone(),
        };
        for text in [
            payload.clone(),
            payload.to_lowercase(),
            format!("tincan:{payload}"),
            format!("\"{payload}\" (Ana's safety number)"),
            format!(
                "TINCAN-SN1: {}",
                digits
                    .as_bytes()
                    .chunks(5)
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ] {
            assert_eq!(at(&text).unwrap(), expected, "{text:?}");
        }
        for text in [
            format!("{SAFETY_QR_PREFIX}{}", &digits[..30]),
            "TINCAN-SN1".to_owned(),
            format!("TINCAN-SN2:{digits}"),
        ] {
            let err = at(&text).unwrap_err();
            assert!(
                matches!(err, CodeError::SafetyNumberDamaged { .. }),
                "{text:?}: {err:?}"
            );
            assert!(err.to_string().contains("safety-number code"), "{err}");
        }
    }

    #[test]
    fn browser_json_is_found_however_it_was_pasted() {
        let expected = offer();
        let json = OFFER.trim();
        let escaped = serde_json::to_string(json).unwrap();
        let percent: String = json
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        for text in [
            format!("'{json}'"),
            format!("\"{json}\""),
            format!("`{json}`"),
            format!("```json\n{json}\n```"),
            escaped.clone(),
            format!("Here is the offer: {escaped}"),
            wrap(&escaped, 70, ""),
            escaped[1..escaped.len() - 1].to_owned(),
            smart_quotes(json),
            format!("Here is my offer: {json}"),
            format!("Here is my offer:\n{json}\nThanks!"),
            wrap(json, 70, ""),
            wrap(json, 70, "    "),
            wrap(json, 61, "\t"),
            word_wrap(json, 60),
            format!("    {}", wrap(json, 70, "    ")),
            format!("```\n  {}\n```", wrap(json, 50, "  ")),
            format!("{json}{json}"),
            format!("{json}\n{json}"),
            format!("{{\"description\":{json}}}"),
            format!("tincan:{percent}"),
            format!("tincan://{percent}"),
            format!("\u{feff}{json}\r\n"),
        ] {
            assert_eq!(at(&text).unwrap(), expected, "{text:?}");
        }
    }

    #[test]
    fn broken_browser_json_is_refused_with_a_message_about_browser_json() {
        let json = OFFER.trim();
        for cut in [1, 2, 100, json.len() - 10] {
            let short = &json[..json.len() - cut];
            let err = at(short).unwrap_err();
            assert_eq!(err, CodeError::BrowserJsonIncomplete, "cut {cut}");
            assert_says_browser_json(&err);
            assert_eq!(at(&format!("'{short}")).unwrap_err(), err);
            assert_eq!(at(&wrap(short, 70, "  ")).unwrap_err(), err);
        }
        let escaped = serde_json::to_string(json).unwrap();
        assert_eq!(
            at(&escaped[..escaped.len() / 2]).unwrap_err(),
            CodeError::BrowserJsonIncomplete
        );
        let no_fingerprint = json.replace("a=fingerprint", "a=fingerprunt");
        for text in [
            "{\"type\":\"offer\"}".to_owned(),
            "{\"sdp\":\"v=0\\r\\n\"}".to_owned(),
            "{\"type\":\"rollback\",\"sdp\":\"\"}".to_owned(),
            "{\"type\":\"offer\",\"sdp\":\"junk\"}".to_owned(),
            json.replace('"', "'"),
            json.replace("\\r\\n", "\r\n"),
            no_fingerprint,
            serde_json::to_string(&escaped).unwrap(),
        ] {
            let err = at(&text).unwrap_err();
            assert!(
                matches!(err, CodeError::BrowserJsonBroken { .. }),
                "{text:?}: {err:?}"
            );
            assert_says_browser_json(&err);
        }
    }

    #[test]
    fn qr_images_and_camera_frames_go_through_the_same_door() {
        let c = codes(NOW);
        let today = codes(unix_now());
        let image = qr::render(&today.reply).unwrap();
        assert_eq!(
            classify_image(&image.to_png(4)).unwrap(),
            Inbound::Reply {
                code: today.reply.clone(),
                invite_id: today.invite_id.clone()
            }
        );
        let (side, luma) = qr::render(&c.followup.to_lowercase()).unwrap().to_luma(4);
        assert!(matches!(
            classify_frame(side, side, &luma),
            Ok(Inbound::FollowUp { .. })
        ));
        let (side, luma) = qr::render("https://example.org").unwrap().to_luma(4);
        assert_eq!(classify_frame(side, side, &luma), Err(CodeError::NotACode));
        assert!(matches!(
            classify_image(b"not an image"),
            Err(CodeError::Qr { .. })
        ));
        assert!(matches!(
            classify_frame(4, 4, &[0; 3]),
            Err(CodeError::Qr { .. })
        ));
    }

    #[test]
    fn oversized_text_is_refused_before_it_is_read() {
        let big = format!("{}{}", " ".repeat(MAX_TEXT_BYTES), codes(NOW).invite);
        assert!(matches!(at(&big), Err(CodeError::Damaged { .. })));
        let big = format!("{}{}", " ".repeat(MAX_TEXT_BYTES), OFFER);
        assert_says_browser_json(&at(&big).unwrap_err());
        assert_eq!(
            at(&"x".repeat(MAX_TEXT_BYTES + 1)),
            Err(CodeError::NotACode)
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_text_is_classified_without_panicking(s in "\\PC{0,600}") {
            let _ = classify_text(&s);
        }

        #[test]
        fn plausible_junk_is_classified_without_panicking(
            head in prop_oneof![
                Just("TINCAN-I1-"), Just("tincan-sn1:"), Just("{\"type\":\"offer\",\"sdp\":\""),
                Just("\"{\\\"type\\\":"), Just("tincan:%7B%22"), Just("v=0\r\na=ice-ufrag:"),
                Just("{"), Just("`"), Just("\u{201c}{\u{201d}"),
            ],
            body in "[ -~\\n\\r\\t{}\"'%\\\\\u{201c}\u{201d}\u{a0}]{0,400}",
        ) {
            let text = format!("{head}{body}");
            let _ = classify_text(&text);
            let _ = share_text(&text);
        }

        #[test]
        fn any_bytes_are_refused_or_read_as_an_image(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = classify_image(&bytes);
        }

        #[test]
        fn any_frame_is_refused_or_read(
            width in 0u32..48,
            height in 0u32..48,
            luma in proptest::collection::vec(any::<u8>(), 0..2400),
        ) {
            let _ = classify_frame(width, height, &luma);
        }
    }
}
