//! The one place that turns API error codes and field codes into French sentences.
//!
//! The server and the browser share the codes (`shared::error::ErrorCode`,
//! `shared::validation::codes`); only this module knows how to say them to a person.

use shared::api::dossier::{DemandeStatus, Relation, Role, Sexe, SituationFamiliale};
use shared::api::pieces::{Analyse, Format, PieceStatus, PieceType, UploadLimits};
use shared::error::ErrorCode;
use shared::pieces::{
    MAX_BYTES_PER_DOSSIER, MAX_FILE_BYTES, MAX_FILES_PER_DOSSIER, MAX_FILES_PER_PIECE, human_size,
};
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
        codes::PIECE_TOO_OLD => "Ce justificatif est trop ancien pour ce type de pièce.".into(),
        codes::UNKNOWN_PIECE_TYPE => "Choisissez un type de pièce dans la liste.".into(),
        codes::WRONG_TARGET => {
            "Ce type de pièce ne peut pas être lié à ce choix : choisissez « Dossier » ou un membre concerné.".into()
        }
        codes::PIECE_MISSING => "Une pièce justificative obligatoire manque.".into(),
        codes::FILE_TOO_LARGE => format!(
            "Le fichier dépasse la taille maximale de {}.",
            human_size(MAX_FILE_BYTES)
        ),
        codes::FORMAT_NOT_ACCEPTED => "Ce fichier n'est pas dans un format accepté.".into(),
        codes::PDF_ACTIVE_CONTENT => {
            "Ce PDF contient du contenu actif (script, action automatique ou fichier joint) : il est refusé.".into()
        }
        codes::FILE_DAMAGED => {
            "Ce fichier est endommagé ou cache un autre contenu : il est refusé. Enregistrez à nouveau le document en PDF puis réessayez.".into()
        }
        codes::TOO_MANY_FILES => {
            format!("{MAX_FILES_PER_PIECE} fichiers au plus par pièce justificative.")
        }
        codes::QUOTA_EXCEEDED => format!(
            "Votre dossier a atteint sa limite ({MAX_FILES_PER_DOSSIER} fichiers, {} en tout) : supprimez une pièce avant d'en ajouter.",
            human_size(MAX_BYTES_PER_DOSSIER)
        ),
        codes::RATTACHEMENT_CODE_INVALID => {
            "Ce code n'est pas le bon : vérifiez les 6 chiffres reçus par email.".into()
        }
        codes::RATTACHEMENT_CODE_EXPIRED => {
            "Ce code n'est plus valable (expiré ou trop d'essais) : demandez un nouveau code.".into()
        }
        codes::NOT_AN_OBJECT => {
            "La demande n'a pas la forme attendue. Rechargez la page puis réessayez.".into()
        }
        codes::DUPLICATE => "La même période figure deux fois dans la liste : retirez l'une des deux.".into(),
        _ => "Ce champ n'est pas valide.".into(),
    }
}

/// A French sentence for an error that is not about one field.
pub fn error_message(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::ValidationFailed => {
            "Le formulaire contient des erreurs : corrigez les champs signalés."
        }
        ErrorCode::MalformedJson | ErrorCode::UnsupportedMediaType => {
            "La demande n'a pas pu être lue par le serveur. Rechargez la page puis réessayez."
        }
        ErrorCode::PayloadTooLarge => "L'envoi est trop volumineux pour le serveur.",
        ErrorCode::IdempotencyKeyRequired | ErrorCode::IdempotencyKeyReused => {
            "Cet envoi n'a pas pu être enregistré tel quel. Envoyez-le à nouveau."
        }
        ErrorCode::RequestInProgress => {
            "Votre envoi précédent est encore en cours de traitement. Patientez quelques secondes puis réessayez."
        }
        ErrorCode::Unauthorized => "Nom d'utilisateur ou mot de passe incorrect.",
        ErrorCode::AccountNotActivated => "Votre compte n'est pas encore activé.",
        ErrorCode::TermsNotAccepted => {
            "Vous devez prendre connaissance des conditions générales d'utilisation pour continuer."
        }
        ErrorCode::Forbidden | ErrorCode::InsufficientScope => {
            "Vous n'avez pas accès à cette page."
        }
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
        ErrorCode::WindowNotOpen => "Les inscriptions à cette période ne sont pas encore ouvertes.",
        _ => "Une erreur inattendue est survenue ; rien n'a été modifié. Réessayez plus tard.",
    }
}

/// The sentence to show for a failed call, with the waiting time when the server gave one.
pub fn problem_message(error: &ApiError) -> String {
    let base = error_message(error.code());
    match (error.code(), error.retry_after) {
        (ErrorCode::PayloadTooLarge, _) => format!(
            "{base} Chaque fichier doit peser {} au plus.",
            human_size(MAX_FILE_BYTES)
        ),
        (ErrorCode::TooManyRequests | ErrorCode::ServiceUnavailable, Some(secs)) if secs > 0 => {
            format!("{base} (nouvel essai possible dans {})", duration(secs))
        }
        _ => base.to_string(),
    }
}

/// What the antivirus says of a file, when it holds it back (nothing once it is clean).
pub fn analyse_note(analyse: Option<Analyse>) -> Option<&'static str> {
    match analyse? {
        Analyse::EnCours => Some("en cours d'analyse antivirus"),
        Analyse::Quarantaine => {
            Some("mis en quarantaine : il contenait un virus et ne sera jamais transmis")
        }
        Analyse::Saine => None,
    }
}

/// Why a file was not downloaded. When the server holds a file back — its malware scan is
/// not done (503) or found it infected (403) — its own sentence says so; otherwise the
/// usual one.
pub fn download_message(error: &ApiError) -> String {
    match (error.status(), &error.problem.detail) {
        (403 | 503, Some(detail)) => detail.clone(),
        _ => problem_message(error),
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

/// « Non fournie », « En attente de validation »… (tables of Étape 2/3 and the recap).
pub fn piece_status_label(status: PieceStatus) -> &'static str {
    match status {
        PieceStatus::NonFournie => "Non fournie",
        PieceStatus::EnAttenteValidation => "En attente de validation",
        PieceStatus::Validee => "Validée",
        PieceStatus::Refusee => "Refusée",
        PieceStatus::Expiree => "Expirée",
    }
}

/// « PDF », « PDF, JPEG ou PNG ».
fn formats_list(formats: &[Format]) -> String {
    let labels: Vec<&str> = formats.iter().map(|f| f.label()).collect();
    match labels.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} ou {last}", rest.join(", ")),
    }
}

/// What the upload dialog states before any file is chosen: formats and limits.
pub fn upload_limits(formats: &[Format], limits: &UploadLimits) -> String {
    let formats_text = if formats.len() > 1 {
        format!("Formats acceptés : {}.", formats_list(formats))
    } else {
        format!("Format accepté : {}.", formats_list(formats))
    };
    format!(
        "{formats_text} {} maximum par fichier, {} fichiers au plus.",
        human_size(limits.taille_max_fichier),
        limits.fichiers_max_par_piece
    )
}

/// The room left in the dossier, said only when it is less than one full piece.
pub fn quota_left(files: u32, bytes: u64, limits: &UploadLimits) -> Option<String> {
    if files >= limits.fichiers_max_par_piece && bytes >= limits.taille_max_fichier {
        return None;
    }
    Some(match files {
        0 => format!(
            "Votre dossier a atteint sa limite ({} fichiers, {} en tout) : supprimez une pièce avant d'en ajouter.",
            limits.fichiers_max_par_dossier,
            human_size(limits.taille_max_dossier)
        ),
        1 => format!(
            "Votre dossier peut encore recevoir 1 fichier ({} au plus).",
            human_size(bytes)
        ),
        n => format!(
            "Votre dossier peut encore recevoir {n} fichiers ({} au plus en tout).",
            human_size(bytes)
        ),
    })
}

/// Why a chosen file was not added to the upload (checked in the browser before sending).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileRefusal {
    /// Larger than the per-file limit (bytes).
    TooLarge(u64),
    /// The piece already holds the most files allowed.
    TooMany(u32),
    /// The dossier's quota of files or bytes would be exceeded.
    Quota,
    /// An empty file.
    Empty,
    /// A type the piece does not accept (only when the browser knows the file's type).
    WrongFormat,
}

/// The sentence for a file refused before sending; it names the file and the limit.
pub fn file_refusal(refusal: FileRefusal, name: &str, formats: &[Format]) -> String {
    match refusal {
        FileRefusal::TooLarge(limit) => format!(
            "« {name} » dépasse la taille maximale de {} par fichier : il n'a pas été ajouté.",
            human_size(limit)
        ),
        FileRefusal::TooMany(limit) => format!(
            "{limit} fichiers au plus par pièce justificative : « {name} » n'a pas été ajouté."
        ),
        FileRefusal::Quota => format!(
            "Votre dossier ne peut pas recevoir « {name} » : sa limite de fichiers ou de taille serait dépassée. Supprimez une pièce avant d'en ajouter."
        ),
        FileRefusal::Empty => format!("« {name} » est vide : il n'a pas été ajouté."),
        FileRefusal::WrongFormat => format!(
            "« {name} » n'est pas au format accepté ({}) : il n'a pas été ajouté.",
            formats_list(formats)
        ),
    }
}

/// A refusal of one file by the server (`fichiers.<index>`), in the terms of its type.
pub fn file_error(code: &str, formats: &[Format]) -> String {
    match code {
        codes::FORMAT_NOT_ACCEPTED if formats == [Format::Pdf] => {
            "Ce fichier n'est pas un PDF valide.".into()
        }
        codes::FORMAT_NOT_ACCEPTED => format!(
            "Ce fichier n'est pas au format accepté ({}).",
            formats_list(formats)
        ),
        _ => field_message(code),
    }
}

/// A refusal of the date of issue, in the terms of the chosen type (« de moins de 3 mois »).
pub fn emis_le_error(code: &str, piece_type: Option<&PieceType>) -> String {
    match (code, piece_type.and_then(|t| t.emis_depuis_moins_de_mois)) {
        (codes::PIECE_TOO_OLD, Some(months)) => {
            format!("Le justificatif doit dater de moins de {months} mois.")
        }
        (codes::DATE_OUT_OF_RANGE, _) => "Cette date est trop ancienne : vérifiez l'année.".into(),
        _ => field_message(code),
    }
}

/// The hint under DATE D'ÉMISSION for types that must be recent.
pub fn earliest_emis_le_hint(months: u32, earliest: &str) -> String {
    format!(
        "Ce justificatif doit dater de moins de {months} mois : émis le {earliest} au plus tôt."
    )
}

/// One line of the recap for a required piece missing at submission.
pub fn missing_piece(libelle: &str, person: Option<&str>) -> String {
    match person {
        Some(person) => format!("Pièce manquante : {libelle} — {person}"),
        None => format!("Pièce manquante : {libelle}"),
    }
}

/// Announced while a file is sent.
pub fn upload_progress(percent: u32) -> String {
    format!("Envoi en cours : {percent} %")
}

/// Announced once a piece is stored.
pub fn upload_done(libelle: &str) -> String {
    format!("Justificatif « {libelle} » envoyé : il est en attente de validation.")
}

/// Above the dialog's fields when the server refused some of them.
pub const UPLOAD_REFUSED: &str =
    "Le justificatif n'a pas été envoyé : corrigez les points signalés.";

/// When the connection dropped during an upload: the retry reuses the same key.
pub const UPLOAD_INTERRUPTED: &str = "L'envoi a été interrompu. Vérifiez votre connexion puis cliquez à nouveau sur « Envoyer » : il ne sera pas enregistré deux fois.";

/// Announced after « Supprimer ».
pub fn piece_deleted(libelle: &str) -> String {
    format!("Justificatif « {libelle} » supprimé.")
}

/// What an agent did with a dossier, for « Consultations de mon dossier ».
pub fn consultation_label(action: &str) -> &'static str {
    match action {
        "consultation" => "Consultation du dossier",
        "telechargement" => "Ouverture d'une pièce justificative",
        "decision_piece" => "Décision sur une pièce justificative",
        "decision_demande" => "Décision sur la demande",
        _ => "Autre action",
    }
}

/// « 3 demandes sont en attente de validation ; elles attendent depuis 2 jours (médiane). »
/// Whole hours and days only (no float formatting in the bundle).
pub fn waiting_time(w: &shared::api::backoffice::WaitingTime) -> String {
    let count = match w.en_attente {
        0 | 1 => format!("{} demande est en attente de validation", w.en_attente),
        n => format!("{n} demandes sont en attente de validation"),
    };
    let Some(hours) = w.attente_mediane_heures else {
        return format!("{count}.");
    };
    // Non-negative and far below u32::MAX hours: the cast only drops the fraction.
    let hours = hours.max(0.0).round() as u32;
    let wait = match hours {
        0 => "moins d'une heure".to_string(),
        1 => "1 heure".to_string(),
        2..48 => format!("{hours} heures"),
        _ => format!("{} jours", (hours + 12) / 24),
    };
    format!(
        "{count} ; attente médiane : {wait}. Les demandes sont traitées dans l'ordre d'arrivée."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_held_back_by_the_server_is_told_in_its_words() {
        let problem = |status: u16, code: ErrorCode, detail: &str| ApiError {
            problem: shared::error::Problem {
                problem_type: "about:blank".into(),
                title: "t".into(),
                status,
                detail: Some(detail.into()),
                code,
                fields: Default::default(),
                opens_at: None,
                raisons: Vec::new(),
            },
            retry_after: Some(30),
        };
        let quarantined = problem(
            403,
            ErrorCode::Forbidden,
            "Ce fichier a été mis en quarantaine.",
        );
        assert_eq!(
            download_message(&quarantined),
            "Ce fichier a été mis en quarantaine."
        );
        let scanning = problem(
            503,
            ErrorCode::ServiceUnavailable,
            "En cours d'analyse antivirus.",
        );
        assert_eq!(download_message(&scanning), "En cours d'analyse antivirus.");
        let missing = problem(404, ErrorCode::NotFound, "Introuvable (serveur).");
        assert_eq!(download_message(&missing), problem_message(&missing));
    }

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
            codes::PIECE_TOO_OLD,
            codes::UNKNOWN_PIECE_TYPE,
            codes::WRONG_TARGET,
            codes::PIECE_MISSING,
            codes::FILE_TOO_LARGE,
            codes::FORMAT_NOT_ACCEPTED,
            codes::PDF_ACTIVE_CONTENT,
            codes::FILE_DAMAGED,
            codes::TOO_MANY_FILES,
            codes::QUOTA_EXCEEDED,
            codes::RATTACHEMENT_CODE_INVALID,
            codes::RATTACHEMENT_CODE_EXPIRED,
            codes::NOT_AN_OBJECT,
            codes::DUPLICATE,
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
            ErrorCode::PayloadTooLarge,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::RequestInProgress,
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

    fn limits() -> UploadLimits {
        UploadLimits {
            taille_max_fichier: MAX_FILE_BYTES,
            fichiers_max_par_piece: MAX_FILES_PER_PIECE,
            fichiers_max_par_dossier: MAX_FILES_PER_DOSSIER,
            taille_max_dossier: MAX_BYTES_PER_DOSSIER,
            fichiers_utilises: 0,
            octets_utilises: 0,
        }
    }

    #[test]
    fn the_dialog_states_formats_and_limits_before_any_file() {
        assert_eq!(
            upload_limits(&[Format::Pdf], &limits()),
            "Format accepté : PDF. 10 Mio maximum par fichier, 5 fichiers au plus."
        );
        assert_eq!(
            upload_limits(&[Format::Pdf, Format::Jpeg, Format::Png], &limits()),
            "Formats acceptés : PDF, JPEG ou PNG. 10 Mio maximum par fichier, 5 fichiers au plus."
        );
    }

    #[test]
    fn refusals_name_the_file_and_the_limit() {
        let text = file_refusal(
            FileRefusal::TooLarge(MAX_FILE_BYTES),
            "scan.pdf",
            &[Format::Pdf],
        );
        assert!(
            text.contains("« scan.pdf »") && text.contains("10 Mio"),
            "{text}"
        );
        let text = file_refusal(FileRefusal::TooMany(5), "6.pdf", &[Format::Pdf]);
        assert!(text.starts_with("5 fichiers au plus"), "{text}");
        assert_eq!(
            file_error(codes::FORMAT_NOT_ACCEPTED, &[Format::Pdf]),
            "Ce fichier n'est pas un PDF valide."
        );
        assert_eq!(
            field_message(codes::FILE_TOO_LARGE),
            "Le fichier dépasse la taille maximale de 10 Mio."
        );
    }

    #[test]
    fn an_old_proof_of_address_is_refused_in_the_terms_of_its_type() {
        let domicile = PieceType {
            code: "justificatif_domicile".into(),
            libelle: "Justificatif de Domicile de moins de 3 mois".into(),
            cible: shared::api::pieces::Cible::Dossier,
            roles: vec![],
            formats: vec![Format::Pdf],
            validite: shared::api::pieces::Validite::Mois { mois: 3 },
            emis_depuis_moins_de_mois: Some(3),
            exigence: shared::api::pieces::Exigence::Toujours,
            aide: None,
            position: 2,
        };
        assert_eq!(
            emis_le_error(codes::PIECE_TOO_OLD, Some(&domicile)),
            "Le justificatif doit dater de moins de 3 mois."
        );
        assert_eq!(
            missing_piece("Livret de Famille (Partie parents et enfants)", None),
            "Pièce manquante : Livret de Famille (Partie parents et enfants)"
        );
    }

    #[test]
    fn the_quota_is_mentioned_only_when_it_is_nearly_used() {
        assert_eq!(quota_left(20, MAX_BYTES_PER_DOSSIER, &limits()), None);
        assert_eq!(
            quota_left(2, MAX_BYTES_PER_DOSSIER, &limits()).as_deref(),
            Some("Votre dossier peut encore recevoir 2 fichiers (100 Mio au plus en tout).")
        );
        assert!(quota_left(0, 0, &limits()).is_some_and(|t| t.contains("supprimez une pièce")));
    }
}
