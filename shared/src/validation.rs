//! Input rules shared by the API and the SPA.
//!
//! Each rule is a plain function returning the [`FieldCode`] of the first problem found, so
//! that the browser can check a step before sending it and the server refuses exactly the
//! same inputs. Heavier checks (common-password list, strength estimator) live on the server
//! only, to keep the WASM bundle small; the SPA asks the API for them (see STACK.md).

use validator::ValidationError;

use crate::error::FieldCode;

/// Stable field error codes. The SPA translates them into French in one place.
pub mod codes {
    use crate::error::FieldCode;
    pub const REQUIRED: FieldCode = "required";
    pub const TOO_SHORT: FieldCode = "too_short";
    pub const TOO_LONG: FieldCode = "too_long";
    pub const INVALID_CHARACTERS: FieldCode = "invalid_characters";
    pub const INVALID_EMAIL: FieldCode = "invalid_email";
    pub const PASSWORD_TOO_SHORT: FieldCode = "password_too_short";
    pub const PASSWORD_TOO_LONG: FieldCode = "password_too_long";
    pub const PASSWORD_TOO_COMMON: FieldCode = "password_too_common";
    pub const PASSWORD_TOO_WEAK: FieldCode = "password_too_weak";
    pub const PASSWORD_MISMATCH: FieldCode = "password_mismatch";
    pub const USERNAME_TAKEN: FieldCode = "username_taken";
    pub const UNKNOWN_FIELD: FieldCode = "unknown_field";
    pub const INVALID_TYPE: FieldCode = "invalid_type";
    pub const CHOOSE_ONE: FieldCode = "choose_one";
    pub const WRONG_PASSWORD: FieldCode = "wrong_password";
    pub const SAME_EMAIL: FieldCode = "same_email";
    pub const INVALID_PHONE: FieldCode = "invalid_phone";
    pub const INVALID_POSTAL_CODE: FieldCode = "invalid_postal_code";
    /// Submission: the dossier needs exactly one responsable.
    pub const RESPONSABLE_REQUIRED: FieldCode = "responsable_required";
    /// Submission: at most one of this role (responsable, responsable légal, conjoint).
    pub const ROLE_TAKEN: FieldCode = "role_taken";
    /// Submission: a child must be linked to a responsable with autorité parentale.
    pub const LINK_REQUIRED: FieldCode = "link_required";
    pub const DATE_IN_FUTURE: FieldCode = "date_in_future";
    /// An expected birth date more than 10 months ahead, or in the past.
    pub const DATE_OUT_OF_RANGE: FieldCode = "date_out_of_range";
    pub const DATE_BEFORE_BIRTH: FieldCode = "date_before_birth";
    pub const TOO_MANY_MEMBERS: FieldCode = "too_many_members";
    /// An « enfant » older than 18.
    pub const TOO_OLD: FieldCode = "too_old";
    /// A date of issue older than the type allows (« de moins de 3 mois »).
    pub const PIECE_TOO_OLD: FieldCode = "piece_too_old";
    /// Pieces: the type is not in the catalogue.
    pub const UNKNOWN_PIECE_TYPE: FieldCode = "unknown_piece_type";
    /// Pieces: this type cannot be linked to this member (or to the dossier).
    pub const WRONG_TARGET: FieldCode = "wrong_target";
    /// Submission: a required piece is missing, refused or expired.
    pub const PIECE_MISSING: FieldCode = "piece_missing";
    /// Upload: a file is larger than the limit.
    pub const FILE_TOO_LARGE: FieldCode = "file_too_large";
    /// Upload: the content is not a format the type accepts.
    pub const FORMAT_NOT_ACCEPTED: FieldCode = "format_not_accepted";
    /// Upload: a PDF with scripts, automatic actions, launchers or embedded files.
    pub const PDF_ACTIVE_CONTENT: FieldCode = "pdf_active_content";
    /// Upload: a damaged PDF, or one with other content hidden in it (polyglot).
    pub const FILE_DAMAGED: FieldCode = "file_damaged";
    /// Upload: more files than a piece may hold.
    pub const TOO_MANY_FILES: FieldCode = "too_many_files";
    /// Upload: a text field sent after the first file (text fields come first).
    pub const FIELD_AFTER_FILES: FieldCode = "field_after_files";
    /// Upload: the dossier's quota of files or bytes would be exceeded.
    pub const QUOTA_EXCEEDED: FieldCode = "quota_exceeded";
    /// Rattachement: the code is not six digits, or not the one sent.
    pub const RATTACHEMENT_CODE_INVALID: FieldCode = "rattachement_code_invalid";
    /// Rattachement: the code expired or was tried too many times: ask for a new one.
    pub const RATTACHEMENT_CODE_EXPIRED: FieldCode = "rattachement_code_expired";
    /// A JSON array (or another value) where the API documents an object.
    pub const NOT_AN_OBJECT: FieldCode = "not_an_object";
    /// A list names the same item twice (a période among a child's wishes).
    pub const DUPLICATE: FieldCode = "duplicate";
}

/// Minimum password length in characters (SECURITY.md A-01, CNIL guessability route).
pub const PASSWORD_MIN_CHARS: usize = 12;
/// Maximum password length in bytes: bounds the argon2 work an attacker can ask for.
pub const PASSWORD_MAX_BYTES: usize = 256;
/// Username length bounds, in characters.
pub const USERNAME_MIN_CHARS: usize = 3;
pub const USERNAME_MAX_CHARS: usize = 40;
/// Longest accepted email address (RFC 5321 path limit).
pub const EMAIL_MAX_CHARS: usize = 254;
/// Longest accepted person name.
pub const NAME_MAX_CHARS: usize = 100;
/// Longest accepted dossier number.
pub const DOSSIER_NUMBER_MAX_CHARS: usize = 20;

/// Nom d'utilisateur: letters, digits, `.`, `_`, `-`, starting with a letter or digit.
pub fn check_username(value: &str) -> Result<(), FieldCode> {
    let len = value.chars().count();
    if len == 0 {
        return Err(codes::REQUIRED);
    }
    if len < USERNAME_MIN_CHARS {
        return Err(codes::TOO_SHORT);
    }
    if len > USERNAME_MAX_CHARS {
        return Err(codes::TOO_LONG);
    }
    let mut chars = value.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(codes::INVALID_CHARACTERS)
    }
}

/// Adresse email: a deliberately light shape check (the `validator` email rule drags
/// hundreds of kilobytes of Unicode tables into the WASM bundle). Delivery is what really
/// proves an address: the account stays inactive until its link is followed.
pub fn check_email(value: &str) -> Result<(), FieldCode> {
    if value.is_empty() {
        return Err(codes::REQUIRED);
    }
    if value.chars().count() > EMAIL_MAX_CHARS {
        return Err(codes::TOO_LONG);
    }
    let Some((local, domain)) = value.rsplit_once('@') else {
        return Err(codes::INVALID_EMAIL);
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.contains('@')
        && local.chars().all(|c| !c.is_whitespace() && !c.is_control())
        && !local.starts_with('.')
        && !local.ends_with('.');
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if local_ok && domain_ok {
        Ok(())
    } else {
        Err(codes::INVALID_EMAIL)
    }
}

/// Mot de passe: length only, in characters for the minimum and in bytes for the maximum.
/// No composition rule (SECURITY.md A-01): spaces, accents and emoji are welcome.
pub fn check_password_length(value: &str) -> Result<(), FieldCode> {
    if value.is_empty() {
        return Err(codes::REQUIRED);
    }
    if value.len() > PASSWORD_MAX_BYTES {
        return Err(codes::PASSWORD_TOO_LONG);
    }
    if value.chars().count() < PASSWORD_MIN_CHARS {
        return Err(codes::PASSWORD_TOO_SHORT);
    }
    Ok(())
}

/// Nom, prénom: letters of any alphabet with accents, spaces, hyphens and apostrophes
/// (« N'Guessan », « Anne-Marie », « Zoé »); no digits, symbols or control characters.
pub fn check_person_name(value: &str) -> Result<(), FieldCode> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(codes::REQUIRED);
    }
    if trimmed.chars().count() > NAME_MAX_CHARS {
        return Err(codes::TOO_LONG);
    }
    let allowed = |c: char| {
        c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.') || is_combining_mark(c)
    };
    if trimmed.chars().all(allowed) && trimmed.chars().next().is_some_and(char::is_alphabetic) {
        Ok(())
    } else {
        Err(codes::INVALID_CHARACTERS)
    }
}

/// Numéro du dossier famille: letters, digits and hyphens, as the town prints them.
pub fn check_dossier_number(value: &str) -> Result<(), FieldCode> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(codes::REQUIRED);
    }
    if trimmed.chars().count() > DOSSIER_NUMBER_MAX_CHARS {
        return Err(codes::TOO_LONG);
    }
    if trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        Ok(())
    } else {
        Err(codes::INVALID_CHARACTERS)
    }
}

/// Combining diacritical marks, for names typed in decomposed form (NFD).
fn is_combining_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F)
}

/// Adapts a rule to the `validator` crate's custom-function signature.
fn adapt(result: Result<(), FieldCode>) -> Result<(), ValidationError> {
    result.map_err(ValidationError::new)
}

/// `validator` custom function for usernames.
pub fn validate_username(value: &str) -> Result<(), ValidationError> {
    adapt(check_username(value))
}
/// `validator` custom function for emails.
pub fn validate_email(value: &str) -> Result<(), ValidationError> {
    adapt(check_email(value))
}
/// `validator` custom function for password length.
pub fn validate_password(value: &str) -> Result<(), ValidationError> {
    adapt(check_password_length(value))
}
/// `validator` custom function for person names.
pub fn validate_person_name(value: &str) -> Result<(), ValidationError> {
    adapt(check_person_name(value))
}
/// `validator` custom function for dossier numbers.
pub fn validate_dossier_number(value: &str) -> Result<(), ValidationError> {
    adapt(check_dossier_number(value))
}
/// Digits in a code of rattachement.
pub const RATTACHEMENT_CODE_DIGITS: usize = 6;

/// A code of rattachement as typed: six digits, spaces allowed between them.
pub fn check_rattachement_code(value: &str) -> Result<String, FieldCode> {
    let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() {
        Err(codes::REQUIRED)
    } else if digits.len() == RATTACHEMENT_CODE_DIGITS && digits.chars().all(|c| c.is_ascii_digit())
    {
        Ok(digits)
    } else {
        Err(codes::RATTACHEMENT_CODE_INVALID)
    }
}

/// `validator` custom function for codes of rattachement.
pub fn validate_rattachement_code(value: &str) -> Result<(), ValidationError> {
    adapt(check_rattachement_code(value).map(|_| ()))
}

/// `validator` custom function for fields that must not be empty (tokens, current password).
pub fn validate_not_empty(value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        Err(ValidationError::new(codes::REQUIRED))
    } else {
        Ok(())
    }
}

/// Flattens `validator` errors into `field path → codes`, the shape of [`crate::error::Problem::fields`].
pub fn field_errors(errors: &validator::ValidationErrors) -> crate::error::FieldErrors {
    let mut out = crate::error::FieldErrors::new();
    collect(errors, "", &mut out);
    out
}

fn collect(
    errors: &validator::ValidationErrors,
    prefix: &str,
    out: &mut crate::error::FieldErrors,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        // `__all__` holds struct-level errors: report them on the struct itself.
        let name = match (prefix.is_empty(), field.as_ref()) {
            (true, "__all__") => "_".to_string(),
            (false, "__all__") => prefix.to_string(),
            (true, f) => f.to_string(),
            (false, f) => format!("{prefix}.{f}"),
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for error in list {
                    // A struct-level rule about one field (an end before its start) names
                    // that field, so the form shows the error next to it.
                    let target = match error.params.get("field").and_then(|f| f.as_str()) {
                        Some(field) if prefix.is_empty() => field.to_string(),
                        Some(field) => format!("{prefix}.{field}"),
                        None => name.clone(),
                    };
                    out.entry(target).or_default().push(error.code.to_string());
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &name, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{name}[{index}]"), out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_documented_shape() {
        assert_eq!(check_username("DEMONSTRATION"), Ok(()));
        assert_eq!(check_username("jean.dupont-2"), Ok(()));
        assert_eq!(check_username("ab"), Err(codes::TOO_SHORT));
        assert_eq!(check_username(""), Err(codes::REQUIRED));
        assert_eq!(check_username(".jean"), Err(codes::INVALID_CHARACTERS));
        assert_eq!(
            check_username("jean dupont"),
            Err(codes::INVALID_CHARACTERS)
        );
        assert_eq!(check_username(&"a".repeat(41)), Err(codes::TOO_LONG));
    }

    #[test]
    fn emails_get_a_light_shape_check() {
        assert_eq!(check_email("parent@exemple.fr"), Ok(()));
        assert_eq!(check_email("zoé.n'guessan@mairie-chartres.fr"), Ok(()));
        assert_eq!(check_email("parent@exemple"), Err(codes::INVALID_EMAIL));
        assert_eq!(check_email("parent exemple.fr"), Err(codes::INVALID_EMAIL));
        assert_eq!(check_email("pa rent@exemple.fr"), Err(codes::INVALID_EMAIL));
        assert_eq!(check_email("@exemple.fr"), Err(codes::INVALID_EMAIL));
        assert_eq!(check_email(""), Err(codes::REQUIRED));
    }

    #[test]
    fn passwords_are_checked_on_length_only() {
        assert_eq!(
            check_password_length("Abcdefgh12!"),
            Err(codes::PASSWORD_TOO_SHORT)
        );
        assert_eq!(check_password_length("cheval agrafe pile été 🌻"), Ok(()));
        assert_eq!(check_password_length("aaaaaaaaaaaa"), Ok(()));
        // 12 characters but many bytes: the minimum counts characters.
        assert_eq!(check_password_length("éééééééééééé"), Ok(()));
        assert_eq!(
            check_password_length(&"é".repeat(129)),
            Err(codes::PASSWORD_TOO_LONG)
        );
    }

    #[test]
    fn french_names_with_accents_hyphens_and_apostrophes_are_accepted() {
        for name in [
            "Zoé",
            "N'Guessan",
            "Ñuñez",
            "Anne-Marie",
            "N’Diaye",
            "Père",
            "Le Goff",
        ] {
            assert_eq!(check_person_name(name), Ok(()), "{name}");
        }
        assert_eq!(check_person_name("Zoe\u{301}"), Ok(()));
        assert_eq!(
            check_person_name("<img src=x>"),
            Err(codes::INVALID_CHARACTERS)
        );
        assert_eq!(
            check_person_name("Jean\u{0007}"),
            Err(codes::INVALID_CHARACTERS)
        );
        assert_eq!(check_person_name("R2D2"), Err(codes::INVALID_CHARACTERS));
        assert_eq!(check_person_name(&"a".repeat(101)), Err(codes::TOO_LONG));
        assert_eq!(check_person_name("  "), Err(codes::REQUIRED));
    }

    #[test]
    fn dossier_numbers_are_short_alphanumeric_references() {
        assert_eq!(check_dossier_number("17484"), Ok(()));
        assert_eq!(
            check_dossier_number("17 484"),
            Err(codes::INVALID_CHARACTERS)
        );
        assert_eq!(check_dossier_number(""), Err(codes::REQUIRED));
    }
}
