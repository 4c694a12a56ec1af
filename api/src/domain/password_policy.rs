//! The password policy beyond length (SECURITY.md ): refuse common and
//! context-specific passwords, and require a guessability estimate of at least 10^12
//! guesses (≈ 40 bits, combined with the login throttle of A-08 — the CNIL's « cas n° 2 »).
//!
//! zxcvbn knows 30,000 common passwords and English words; the embedded French list adds
//! what it misses (azerty keyboards, « motdepasse », first names, football clubs…), and
//! the context words (town name, portal name, the user's own name and email) come from
//! the request.

use std::collections::HashSet;
use std::sync::LazyLock;

use shared::api::registration::PasswordStrength;
use shared::validation::{check_password_length, codes};
use zxcvbn::matching::patterns::MatchPattern;

use super::normalize::fold_name;

static FRENCH_COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("common_passwords_fr.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| fold_name(l).replace(' ', ""))
        .collect()
});

/// Required estimated guesses, as log10.
pub const MIN_GUESSES_LOG10: f64 = 12.0;
/// zxcvbn score shown to the user as the minimum (its score 4 starts at 10^10 guesses).
const MIN_SCORE: u8 = 4;

/// The password policy with the portal's context words.
#[derive(Clone, Debug)]
pub struct PasswordPolicy {
    context: Vec<String>,
}

impl PasswordPolicy {
    /// A policy that also refuses passwords built on `town_name`.
    pub fn new(town_name: &str) -> Self {
        let mut context = vec![
            "portailfamille".to_string(),
            "portail".to_string(),
            "famille".to_string(),
        ];
        let town = fold_name(town_name).replace(' ', "");
        context.push(town.trim_start_matches("villede").to_string());
        context.push(town);
        Self { context }
    }

    /// Checks `password` for a user called `username` with address `email`: the first
    /// refusal code, and the strength to display in any case.
    pub fn evaluate(
        &self,
        password: &str,
        username: &str,
        email: &str,
    ) -> (Result<(), &'static str>, PasswordStrength) {
        let user_inputs = [username, email.split('@').next().unwrap_or("")];
        let (score, guesses_log10, single_common_word) = if password.is_empty() {
            (0, 0.0, false)
        } else {
            let estimate = zxcvbn::zxcvbn(password, &user_inputs);
            let single_common_word = estimate.sequence().len() == 1
                && matches!(&estimate.sequence()[0].pattern, MatchPattern::Dictionary(_));
            (
                u8::from(estimate.score()),
                estimate.guesses_log10(),
                single_common_word,
            )
        };
        let result = check_password_length(password).and_then(|()| {
            if self.is_common(password, username, email) || single_common_word {
                Err(codes::PASSWORD_TOO_COMMON)
            } else if guesses_log10 < MIN_GUESSES_LOG10 {
                Err(codes::PASSWORD_TOO_WEAK)
            } else {
                Ok(())
            }
        });
        let strength = PasswordStrength {
            score: score.min(4),
            acceptable: result.is_ok(),
            min_score: MIN_SCORE,
        };
        (result, strength)
    }

    /// Whether the password is a common one or a context word with decorations
    /// (« azertyuiop12 », « Chartres2025! », « portailfamille1 »).
    fn is_common(&self, password: &str, username: &str, email: &str) -> bool {
        let letters_only: String = fold_name(password)
            .chars()
            .filter(|c| c.is_alphabetic())
            .collect();
        let compact: String = fold_name(password).replace(' ', "");
        let personal = [
            fold_name(username).replace(' ', ""),
            fold_name(email.split('@').next().unwrap_or("")).replace(' ', ""),
        ];
        let candidates = [letters_only, compact];
        candidates.iter().any(|c| {
            FRENCH_COMMON.contains(c)
                || self
                    .context
                    .iter()
                    .chain(personal.iter())
                    .any(|word| !word.is_empty() && c == word)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(password: &str) -> Result<(), &'static str> {
        PasswordPolicy::new("Ville de Chartres")
            .evaluate(password, "demonstration", "parent@exemple.fr")
            .0
    }

    #[test]
    fn common_and_contextual_passwords_are_refused() {
        for password in [
            "azertyuiop12",
            "motdepasse123",
            "Chartres2025!",
            "portailfamille1",
            "Demonstration2026",
        ] {
            assert_eq!(
                check(password),
                Err(codes::PASSWORD_TOO_COMMON),
                "{password}"
            );
        }
        assert_eq!(check("password1234"), Err(codes::PASSWORD_TOO_COMMON));
    }

    #[test]
    fn long_unusual_passphrases_are_accepted() {
        assert_eq!(check("cheval agrafe pile été 🌻"), Ok(()));
        assert_eq!(check("Zoé adore les pâtes au beurre"), Ok(()));
    }

    #[test]
    fn long_but_predictable_passwords_are_too_weak() {
        assert_eq!(check("aaaaaaaaaaaaaaaa"), Err(codes::PASSWORD_TOO_WEAK));
        assert_eq!(check("123456789012"), Err(codes::PASSWORD_TOO_WEAK));
    }

    #[test]
    fn short_passwords_are_refused_before_any_estimate() {
        assert_eq!(check("Abcdefgh12!"), Err(codes::PASSWORD_TOO_SHORT));
    }
}
