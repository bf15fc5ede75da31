//! How hard an answer is to guess, and what a weak one risks in each mode.
//!
//! zxcvbn does not see the question, so it overrates answers to personal questions;
//! the question's words are passed as user inputs and the result is treated as an
//! upper bound.

use crate::code::InviteMode;

use super::normalize::normalize_answer;

/// Minimum estimated entropy for a private invite, whose codes allow offline guessing.
pub const PRIVATE_MIN_BITS: u32 = 60;

/// An estimate of how many guesses an answer would take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerStrength {
    /// log2 of the estimated guesses (an upper bound).
    pub bits: u32,
    /// zxcvbn's 0–4 score.
    pub score: u8,
    /// zxcvbn's warning, if any.
    pub warning: Option<String>,
}

/// Estimates the normalised answer's strength, with the question's words as context.
pub fn estimate(answer: &str, question: &str) -> AnswerStrength {
    let normalized = normalize_answer(answer).unwrap_or_default();
    let question_words: Vec<String> = question
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let inputs: Vec<&str> = question_words.iter().map(String::as_str).collect();
    if normalized.is_empty() {
        return AnswerStrength {
            bits: 0,
            score: 0,
            warning: Some("The answer is empty.".into()),
        };
    }
    let entropy = zxcvbn::zxcvbn(&normalized, &inputs);
    AnswerStrength {
        bits: (entropy.guesses_log10() * std::f64::consts::LOG2_10).floor() as u32,
        score: u8::from(entropy.score()),
        warning: entropy
            .feedback()
            .and_then(|f| f.warning())
            .map(|w| w.to_string()),
    }
}

/// A plain statement of what this answer protects against in `mode`.
pub fn what_it_protects(mode: InviteMode, strength: &AnswerStrength) -> String {
    match mode {
        InviteMode::Open => {
            "No question: anyone who sees this code (it is meant for a QR code \
            shown in person) can connect in your place. Only show it to the person in front of you."
                .into()
        }
        InviteMode::Question => format!(
            "Someone who copies the codes cannot test guesses offline; whoever controls the \
             channel gets one guess per attempt, and an invite is burned after 3 wrong answers. \
             This answer is estimated at up to {} bits; {}",
            strength.bits,
            if strength.bits < 10 {
                "it could be guessed in a handful of tries by someone who knows you."
            } else {
                "still, choose something only the other person knows."
            }
        ),
        InviteMode::Private => format!(
            "Private invite: the connection details are sealed under the answer, so anyone who \
             copies this code can guess the answer offline, as fast as their hardware allows. \
             This answer is estimated at up to {} bits; at least {PRIVATE_MIN_BITS} are required.",
            strength.bits
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn question_words_lower_the_estimate() {
        let alone = estimate("blue whale", "");
        let with_question = estimate("blue whale", "Favourite blue animal: whale?");
        assert!(
            with_question.bits < alone.bits,
            "{with_question:?} vs {alone:?}"
        );
    }

    #[test]
    fn a_passphrase_clears_the_private_bar_and_a_name_does_not() {
        assert!(estimate("lisbon", "Where did we meet?").bits < PRIVATE_MIN_BITS);
        let strong = estimate("correct orange kettle drums under 41 violet moons", "");
        assert!(strong.bits >= PRIVATE_MIN_BITS, "{strong:?}");
    }
}
