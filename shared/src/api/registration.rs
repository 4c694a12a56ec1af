//! Création de compte: the three screens of the seed in one request, plus the step check.

use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError};

use crate::validation::{
    codes, validate_dossier_number, validate_email, validate_password, validate_person_name,
    validate_username,
};

/// Step 1/3 « Mes informations personnelles », checked before moving to step 2.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckRegistrationStepRequest {
    /// Nom d'utilisateur (3–40 letters, digits, `.`, `_`, `-`).
    #[validate(custom(function = "validate_username"))]
    #[cfg_attr(
        feature = "server",
        schema(
            example = "DEMONSTRATION",
            min_length = 3,
            max_length = 40,
            pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
        )
    )]
    pub username: String,
    /// Adresse email.
    #[validate(custom(function = "validate_email"))]
    #[cfg_attr(
        feature = "server",
        schema(example = "parent@exemple.fr", format = Email, max_length = 254)
    )]
    pub email: String,
    /// Mot de passe: at least 12 characters, at most 256 bytes, no composition rule.
    #[validate(custom(function = "validate_password"))]
    #[cfg_attr(
        feature = "server",
        schema(example = "cheval agrafe pile été", min_length = 12, max_length = 256)
    )]
    pub password: String,
}

/// How strong the server's estimator judges a password.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PasswordStrength {
    /// 0 (très faible) to 4 (très fort).
    pub score: u8,
    /// Whether the password meets the policy (length, not common, score ≥ `min_score`).
    pub acceptable: bool,
    /// The minimum score the policy requires.
    pub min_score: u8,
}

/// Answer to the step check: the step is valid; here is the password's strength.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct CheckRegistrationStepResponse {
    pub password: PasswordStrength,
}

/// Step 2/3 « Mes références dossier », when the family already has a dossier.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DossierReference {
    /// Numéro du dossier famille, as printed on the town's letters.
    #[validate(custom(function = "validate_dossier_number"))]
    #[cfg_attr(
        feature = "server",
        schema(example = "17484", pattern = "^[A-Za-z0-9-]{1,20}$")
    )]
    pub numero: String,
    /// Nom of a member of that dossier (case and accents do not matter).
    #[validate(custom(function = "validate_person_name"))]
    #[cfg_attr(
        feature = "server",
        schema(example = "CREATION", min_length = 1, max_length = 100)
    )]
    pub nom: String,
    /// Prénom of that member.
    #[validate(custom(function = "validate_person_name"))]
    #[cfg_attr(
        feature = "server",
        schema(example = "Père", min_length = 1, max_length = 100)
    )]
    pub prenom: String,
}

/// The whole sign-up: step 1 fields plus either a dossier reference or « nouveau foyer ».
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[validate(schema(function = "exactly_one_dossier_choice"))]
pub struct RegisterRequest {
    #[validate(custom(function = "validate_username"))]
    #[cfg_attr(
        feature = "server",
        schema(
            example = "DEMONSTRATION",
            min_length = 3,
            max_length = 40,
            pattern = "^[A-Za-z0-9][A-Za-z0-9._-]*$"
        )
    )]
    pub username: String,
    #[validate(custom(function = "validate_email"))]
    #[cfg_attr(feature = "server", schema(example = "parent@exemple.fr", format = Email, max_length = 254))]
    pub email: String,
    #[validate(custom(function = "validate_password"))]
    #[cfg_attr(feature = "server", schema(min_length = 12, max_length = 256))]
    pub password: String,
    /// « Je souhaite déclarer un nouveau foyer ».
    pub new_household: bool,
    /// The existing dossier to link, when `new_household` is false.
    #[validate(nested)]
    pub dossier_reference: Option<DossierReference>,
}

fn exactly_one_dossier_choice(request: &RegisterRequest) -> Result<(), ValidationError> {
    match (request.new_household, &request.dossier_reference) {
        (true, None) | (false, Some(_)) => Ok(()),
        _ => Err(ValidationError::new(codes::CHOOSE_ONE)),
    }
}

/// A generic acknowledgement, used where the answer must not reveal anything (202).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct AcceptedResponse {
    /// What happens next, in French.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validation::field_errors;

    fn request() -> RegisterRequest {
        RegisterRequest {
            username: "DEMONSTRATION".into(),
            email: "parent@exemple.fr".into(),
            password: "cheval agrafe pile été".into(),
            new_household: true,
            dossier_reference: None,
        }
    }

    #[test]
    fn a_new_household_needs_no_dossier_reference() {
        assert!(request().validate().is_ok());
    }

    #[test]
    fn both_or_neither_dossier_choice_is_refused() {
        let mut both = request();
        both.dossier_reference = Some(DossierReference {
            numero: "17484".into(),
            nom: "CREATION".into(),
            prenom: "Père".into(),
        });
        let errors = both.validate().expect_err("both choices");
        assert_eq!(
            field_errors(&errors).get("_"),
            Some(&vec!["choose_one".to_string()])
        );
    }

    #[test]
    fn nested_reference_errors_carry_their_path() {
        let mut bad = request();
        bad.new_household = false;
        bad.dossier_reference = Some(DossierReference {
            numero: "17484".into(),
            nom: "".into(),
            prenom: "Père".into(),
        });
        let errors = bad.validate().expect_err("empty nom");
        assert_eq!(
            field_errors(&errors).get("dossier_reference.nom"),
            Some(&vec!["required".to_string()])
        );
    }
}
