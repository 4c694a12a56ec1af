//! How user-typed identifiers are compared.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// The key an email is unique on: trimmed and lowercased. (The address itself is stored
/// as typed, and emails always go to the stored address, never to what a form submitted.)
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The key a username is unique on: case-insensitive.
pub fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Folds a person's name for matching: no case, no accents, no difference between
/// apostrophes, hyphens and spaces (« Père » = « pere », « N’Guessan » = « n guessan »).
pub fn fold_name(name: &str) -> String {
    let folded: String = name
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_without_case_accents_or_punctuation() {
        assert_eq!(fold_name("Père"), fold_name("PERE"));
        assert_eq!(fold_name("  CREATION "), "creation");
        assert_eq!(fold_name("N’Guessan"), fold_name("n'guessan"));
        assert_eq!(fold_name("Anne-Marie"), "anne marie");
        assert_ne!(fold_name("Anne"), fold_name("Anne-Marie"));
    }

    #[test]
    fn emails_and_usernames_compare_case_insensitively() {
        assert_eq!(email_key(" Parent@X.fr "), "parent@x.fr");
        assert_eq!(username_key("DEMONSTRATION"), "demonstration");
    }
}
