//! The one place that turns API error codes and field codes into French sentences.
//!
//! The server and the browser share the codes (`shared::error::ErrorCode`,
//! `shared::validation::codes`); only this module knows how to say them to a person.

use shared::api::dossier::{DemandeStatus, Relation, Role, Sexe, SituationFamiliale};
use shared::error::ErrorCode;
use shared::validation::{PASSWORD_MIN_CHARS, USERNAME_MIN_CHARS, codes};

use crate::api::ApiError;

/// A French sentence for one field error code.
pub fn field_message(code: &str) -> String {
    match code {
        codes::REQUIRED => "Ce champ est obligatoire.".into(),
        codes::TOO_SHORT => format!("Ce champ doit contenir au moins {USERNAME_MIN_CHARS} caractères."),
        codes::TOO_LONG => "Ce champ est trop long.".into(),
        codes::INVALID_CHARACTERS => {
            "Ce champ contient des caractères non autorisés.".into()
        }
        codes::INVALID_EMAIL => {
            "Saisissez une adresse email valide, par exemple prenom.nom@exemple.fr.".into()
        }
        codes::PASSWORD_TOO_SHORT => format!(
            "Le mot de passe doit contenir au moins {PASSWORD_MIN_CHARS} caractères."
        ),
        codes::PASSWORD_TOO_LONG => "Le mot de passe est trop long (256 octets au plus).".into(),
        codes::PASSWORD_TOO_COMMON => {
            "Ce mot de passe est trop courant : choisissez-en un autre, par exemple une phrase de plusieurs mots.".into()
        }
        codes::PASSWORD_TOO_WEAK => {
            "Ce mot de passe est trop facile à deviner : allongez-le ou ajoutez des mots.".into()
        }
        codes::PASSWORD_MISMATCH => "Les deux mots de passe ne sont pas identiques.".into(),
        codes::USERNAME_TAKEN => "Ce nom d'utilisateur est déjà pris : choisissez-en un autre.".into(),
        codes::UNKNOWN_FIELD => "Ce champ n'est pas attendu.".into(),
        codes::INVALID_TYPE => "La valeur de ce champ n'a pas le bon format.".into(),
        codes::CHOOSE_ONE => {
            "Cochez « Je souhaite déclarer un nouveau foyer » ou renseignez les références de votre dossier, mais pas les deux.".into()
        }
        codes::WRONG_PASSWORD => "Le mot de passe est incorrect.".into(),
        codes::SAME_EMAIL => "Cette adresse est déjà celle de votre compte.".into(),
        codes::INVALID_PHONE => {
            "Saisissez un numéro de téléphone de 6 à 15 chiffres, par exemple 06 12 34 56 78.".into()
        }
        codes::INVALID_POSTAL_CODE => "Saisissez un code postal de 5 chiffres, par exemple 28000.".into(),
        codes::RESPONSABLE_REQUIRED => {
            "Ajoutez le responsable du dossier (bouton « + Responsable »).".into()
        }
        codes::ROLE_TAKEN => {
            "Ce rôle est déjà attribué à un autre membre du foyer : un seul responsable, un seul responsable légal et un seul conjoint.".into()
        }
        codes::LINK_REQUIRED => {
            "Indiquez, dans ses liens de parenté, un responsable ayant l'autorité parentale sur cet enfant.".into()
        }
        codes::DATE_IN_FUTURE => "Cette date ne peut pas être dans le futur.".into(),
        codes::DATE_OUT_OF_RANGE => {
            "La date de naissance prévue doit se situer entre aujourd'hui et les 10 prochains mois.".into()
        }
        codes::DATE_BEFORE_BIRTH => "Cette date ne peut pas précéder la date de naissance.".into(),
        codes::TOO_MANY_MEMBERS => "Un dossier ne peut pas compter plus de 20 membres.".into(),
        codes::TOO_OLD => {
            "Un enfant doit avoir moins de 18 ans : déclarez cette personne comme contact.".into()
        }
        _ => "Ce champ n'est pas valide.".into(),
    }
}

/// A French sentence for an error that is not about one field.
pub fn error_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::ValidationFailed => {
            "Le formulaire contient des erreurs : corrigez les champs signalés."
        }
        ErrorCode::MalformedJson | ErrorCode::UnsupportedMediaType | ErrorCode::PayloadTooLarge => {
            "La demande n'a pas pu être lue par le serveur. Rechargez la page puis réessayez."
        }
        ErrorCode::Unauthorized => "Nom d'utilisateur ou mot de passe incorrect.",
        ErrorCode::AccountNotActivated => "Votre compte n'est pas encore activé.",
        ErrorCode::TermsNotAccepted => {
            "Vous devez prendre connaissance des conditions générales d'utilisation pour continuer."
        }
        ErrorCode::Forbidden => "Vous n'avez pas accès à cette page.",
        ErrorCode::NotFound | ErrorCode::RouteNotFound => "Cette ressource est introuvable.",
        ErrorCode::Conflict => "Ces informations ont changé entre-temps : rechargez la page.",
        ErrorCode::PreconditionFailed => {
            "Ce dossier a été modifié entre-temps (autre onglet ou autre parent)."
        }
        ErrorCode::PreconditionRequired => {
            "La version du dossier manque à cette demande. Rechargez la page puis réessayez."
        }
        ErrorCode::DossierLocked => {
            "Ce dossier est en attente de validation par la mairie : il ne peut plus être modifié pour l'instant."
        }
        ErrorCode::LinkExpired => "Ce lien n'est plus valide.",
        ErrorCode::DossierReferenceNotFound => "Aucun dossier ne correspond à ces informations.",
        ErrorCode::TooManyRequests => "Trop de tentatives. Patientez un peu avant de réessayer.",
        ErrorCode::ServiceUnavailable => {
            "Le service est momentanément indisponible. Réessayez dans quelques instants."
        }
        _ => "Une erreur inattendue est survenue ; rien n'a été modifié. Réessayez plus tard.",
    }
}

/// The sentence to show for a failed call, with the waiting time when the server gave one.
pub fn problem_message(error: &ApiError) -> String {
    let base = error_message(error.code());
    match (error.code(), error.retry_after) {
        (ErrorCode::TooManyRequests | ErrorCode::ServiceUnavailable, Some(secs)) if secs > 0 => {
            format!("{base} (nouvel essai possible dans {})", duration(secs))
        }
        _ => base.to_string(),
    }
}

/// « 30 secondes », « 2 minutes ».
fn duration(secs: u32) -> String {
    if secs < 60 {
        format!("{secs} secondes")
    } else {
        let minutes = secs.div_ceil(60);
        format!("{minutes} minute{}", if minutes > 1 { "s" } else { "" })
    }
}

/// « 6 mois » for 183 days, « 30 jours » below a month.
pub fn retention(days: u32) -> String {
    if days < 31 {
        return format!("{days} jours");
    }
    let months = (f64::from(days) / 30.44).round() as u32;
    if months >= 12 && months.is_multiple_of(12) {
        let years = months / 12;
        format!("{years} an{}", if years > 1 { "s" } else { "" })
    } else {
        format!("{months} mois")
    }
}

/// Label of the password strength score (0 to 4) given by the server.
pub fn strength_label(score: u8) -> &'static str {
    match score {
        0 => "Très faible",
        1 => "Faible",
        2 => "Moyen",
        3 => "Fort",
        _ => "Très fort",
    }
}

/// « Responsable », « Conjoint »… (as on the member cards of the seed).
pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Responsable => "Responsable",
        Role::ResponsableLegal => "Responsable légal",
        Role::Conjoint => "Conjoint",
        Role::Enfant => "Enfant",
        Role::Contact => "Contact",
    }
}

/// « Féminin », « Masculin ».
pub fn sexe_label(sexe: Sexe) -> &'static str {
    match sexe {
        Sexe::Feminin => "Féminin",
        Sexe::Masculin => "Masculin",
    }
}

/// Situation familiale.
pub fn situation_label(situation: SituationFamiliale) -> &'static str {
    match situation {
        SituationFamiliale::Celibataire => "Célibataire",
        SituationFamiliale::Marie => "Marié·e",
        SituationFamiliale::Pacse => "Pacsé·e",
        SituationFamiliale::VieMaritale => "Vie maritale",
        SituationFamiliale::Separe => "Séparé·e",
        SituationFamiliale::Divorce => "Divorcé·e",
        SituationFamiliale::Veuf => "Veuf·ve",
    }
}

/// The adult's link to a child.
pub fn relation_label(relation: Relation) -> &'static str {
    match relation {
        Relation::Pere => "Père",
        Relation::Mere => "Mère",
        Relation::Tuteur => "Tuteur·rice",
        Relation::BeauParent => "Beau-parent",
        Relation::GrandParent => "Grand-parent",
        Relation::Autre => "Autre",
    }
}

/// The status badge of a request.
pub fn status_label(status: DemandeStatus) -> &'static str {
    match status {
        DemandeStatus::Brouillon => "Brouillon",
        DemandeStatus::EnAttenteValidation => "En attente de validation",
        DemandeStatus::ACompleter => "À compléter",
        DemandeStatus::Validee => "Validée",
        DemandeStatus::Refusee => "Refusée",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shared_field_code_has_its_own_sentence() {
        let all = [
            codes::REQUIRED,
            codes::TOO_SHORT,
            codes::TOO_LONG,
            codes::INVALID_CHARACTERS,
            codes::INVALID_EMAIL,
            codes::PASSWORD_TOO_SHORT,
            codes::PASSWORD_TOO_LONG,
            codes::PASSWORD_TOO_COMMON,
            codes::PASSWORD_TOO_WEAK,
            codes::PASSWORD_MISMATCH,
            codes::USERNAME_TAKEN,
            codes::UNKNOWN_FIELD,
            codes::INVALID_TYPE,
            codes::CHOOSE_ONE,
            codes::WRONG_PASSWORD,
            codes::SAME_EMAIL,
            codes::INVALID_PHONE,
            codes::INVALID_POSTAL_CODE,
            codes::RESPONSABLE_REQUIRED,
            codes::ROLE_TAKEN,
            codes::LINK_REQUIRED,
            codes::DATE_IN_FUTURE,
            codes::DATE_OUT_OF_RANGE,
            codes::DATE_BEFORE_BIRTH,
            codes::TOO_MANY_MEMBERS,
            codes::TOO_OLD,
        ];
        let fallback = field_message("no_such_code");
        for code in all {
            assert_ne!(
                field_message(code),
                fallback,
                "{code} falls back to the generic sentence"
            );
        }
        assert_eq!(
            field_message(codes::PASSWORD_TOO_SHORT),
            "Le mot de passe doit contenir au moins 12 caractères."
        );
    }

    #[test]
    fn dossier_error_codes_have_their_own_sentence() {
        let fallback = error_message(ErrorCode::Internal);
        for code in [
            ErrorCode::PreconditionFailed,
            ErrorCode::PreconditionRequired,
            ErrorCode::DossierLocked,
        ] {
            assert_ne!(error_message(code), fallback, "{code:?}");
        }
    }

    #[test]
    fn retention_is_said_in_months() {
        assert_eq!(retention(183), "6 mois");
        assert_eq!(retention(30), "30 jours");
        assert_eq!(retention(365), "1 an");
        assert_eq!(retention(90), "3 mois");
    }

    #[test]
    fn waiting_times_are_rounded_up_to_minutes() {
        assert_eq!(duration(30), "30 secondes");
        assert_eq!(duration(61), "2 minutes");
        assert_eq!(duration(60), "1 minute");
    }
}
