//! Turns a typed answer into the exact string both phones hash.
//!
//! People type "Lisbon ", "lisbon" or "LISBON" on different keyboards; all must
//! derive the same key. The rule (documented in docs/SECURITY.md): Unicode NFKC, full
//! case folding, NFKC again (folding can un-normalise), trim, and collapse every run of
//! inner whitespace to a single space.

use caseless::default_case_fold_str;
use unicode_normalization::UnicodeNormalization;

use crate::CodeError;

/// Normalises an answer; an answer that is empty after normalisation is refused.
pub fn normalize_answer(answer: &str) -> Result<String, CodeError> {
    let nfkc: String = answer.nfkc().collect();
    let folded: String = default_case_fold_str(&nfkc).nfkc().collect();
    let collapsed = folded.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.is_empty() {
        return Err(CodeError::AnswerMismatch(
            "The answer is empty. Type the answer to the question.",
        ));
    }
    Ok(collapsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spelling_variants_normalise_to_the_same_string() {
        let expected = normalize_answer("café del mar").unwrap();
        for variant in [
            "  Café   del\tMar ",
            "CAFÉ DEL MAR",
            "cafe\u{301} del mar",   // decomposed accent
            "ｃａｆé ｄｅｌ ｍａｒ", // full-width letters
            "café\u{a0}del\u{2003}mar",
        ] {
            assert_eq!(normalize_answer(variant).unwrap(), expected, "{variant:?}");
        }
        assert_eq!(expected, "café del mar");
    }

    #[test]
    fn full_case_folding_not_just_lowercase() {
        assert_eq!(
            normalize_answer("STRASSE").unwrap(),
            normalize_answer("straße").unwrap()
        );
        assert_eq!(normalize_answer("ΣΊΣΥΦΟΣ").unwrap(), "σίσυφοσ");
    }

    #[test]
    fn empty_answers_are_refused() {
        assert!(normalize_answer(" \t\n ").is_err());
        assert!(normalize_answer("").is_err());
    }
}
