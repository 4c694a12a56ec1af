//! The French emails the portal sends. Each one's wording is an askama template of
//! `api/templates/emails/` — its subject on the first line, then its paragraphs separated
//! by blank lines — and the layouts `layout.txt` and `layout.html` (escaped: usernames and
//! addresses are user-typed) turn it into the plain-text and HTML bodies, with the
//! call-to-action button when there is one.
//!
//! Links carry their token in the URL fragment (`#token=…`): browsers never send the
//! fragment to a server, so a token never lands in an access log or a Referer header.

use askama::Template;

use crate::db::models::outbox::OutgoingEmail;

/// The button of an email: what it says and where it goes.
#[derive(Clone, Copy)]
struct Action<'a> {
    label: &'a str,
    url: &'a str,
}

#[derive(Template)]
#[template(path = "emails/layout.txt")]
struct TextBody<'a> {
    paragraphs: &'a [&'a str],
    action: Option<Action<'a>>,
    signature: &'a str,
}

#[derive(Template)]
#[template(path = "emails/layout.html")]
struct HtmlBody<'a> {
    paragraphs: &'a [&'a str],
    action: Option<Action<'a>>,
    signature: &'a str,
}

/// Renders one email's wording into both bodies.
fn compose(
    kind: &'static str,
    to: &str,
    wording: &impl Template,
    town: &str,
    action: Option<(&str, &str)>,
) -> OutgoingEmail {
    // The templates are checked at compile time and their fields are strings and numbers:
    // rendering fails only if a formatter does, which would leave an empty part.
    let rendered = wording.render().unwrap_or_default();
    let mut parts = rendered
        .split("\n\n")
        .map(str::trim)
        .filter(|part| !part.is_empty());
    let subject = parts.next().unwrap_or_default().replace('\n', " ");
    let paragraphs: Vec<&str> = parts.collect();
    let signature = format!(
        "{town} — Portail Famille. Cet email a été envoyé automatiquement, merci de ne pas y répondre."
    );
    let action = action.map(|(label, url)| Action { label, url });
    let text = TextBody {
        paragraphs: &paragraphs,
        action,
        signature: &signature,
    }
    .render()
    .unwrap_or_default();
    let html = HtmlBody {
        paragraphs: &paragraphs,
        action,
        signature: &signature,
    }
    .render()
    .unwrap_or_default();
    OutgoingEmail {
        kind,
        to: to.to_string(),
        subject,
        text,
        html,
        link_expires_at: None,
        account_id: None,
        attachment: None,
    }
}

#[derive(Template)]
#[template(path = "emails/activation.txt")]
struct Activation<'a> {
    town: &'a str,
    username: &'a str,
}

/// « Activer mon compte ».
pub fn activation(to: &str, username: &str, town: &str, link: &str) -> OutgoingEmail {
    compose(
        "activation",
        to,
        &Activation { town, username },
        town,
        Some(("Activer mon compte", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/account_exists.txt")]
struct AccountExists<'a> {
    town: &'a str,
    login_link: &'a str,
}

/// Sent instead of a second account when the address is already registered: the
/// sign-up page answered exactly as for a new address.
pub fn account_exists(to: &str, town: &str, login_link: &str, reset_link: &str) -> OutgoingEmail {
    compose(
        "account_exists",
        to,
        &AccountExists { town, login_link },
        town,
        Some(("Choisir un nouveau mot de passe", reset_link)),
    )
}

#[derive(Template)]
#[template(path = "emails/password_reset.txt")]
struct PasswordReset<'a> {
    town: &'a str,
    username: &'a str,
    minutes: u64,
}

/// « Mot de passe oublié ? ».
pub fn password_reset(
    to: &str,
    username: &str,
    town: &str,
    link: &str,
    minutes: u64,
) -> OutgoingEmail {
    compose(
        "password_reset",
        to,
        &PasswordReset {
            town,
            username,
            minutes,
        },
        town,
        Some(("Choisir un nouveau mot de passe", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/password_changed.txt")]
struct PasswordChanged<'a> {
    town: &'a str,
    username: &'a str,
}

/// After a reset or a change: the password itself is never in it.
pub fn password_changed(to: &str, username: &str, town: &str, reset_link: &str) -> OutgoingEmail {
    compose(
        "password_changed",
        to,
        &PasswordChanged { town, username },
        town,
        Some(("Choisir un nouveau mot de passe", reset_link)),
    )
}

#[derive(Template)]
#[template(path = "emails/email_change_confirm.txt")]
struct EmailChangeConfirm<'a> {
    town: &'a str,
    username: &'a str,
}

/// Confirmation link sent to a new address.
pub fn email_change_confirm(to: &str, username: &str, town: &str, link: &str) -> OutgoingEmail {
    compose(
        "email_change_confirm",
        to,
        &EmailChangeConfirm { town, username },
        town,
        Some(("Confirmer mon adresse email", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/email_change_notice.txt")]
struct EmailChangeNotice<'a> {
    town: &'a str,
    username: &'a str,
    new_email: &'a str,
}

/// Notice sent to the old address when a change is requested.
pub fn email_change_notice(to: &str, username: &str, town: &str, new_email: &str) -> OutgoingEmail {
    compose(
        "email_change_notice",
        to,
        &EmailChangeNotice {
            town,
            username,
            new_email,
        },
        town,
        None,
    )
}

#[derive(Template)]
#[template(path = "emails/demande_received.txt")]
struct DemandeReceived<'a> {
    town: &'a str,
    username: &'a str,
}

/// Acknowledges a submitted request.
pub fn demande_received(to: &str, username: &str, town: &str, link: &str) -> OutgoingEmail {
    compose(
        "demande_received",
        to,
        &DemandeReceived { town, username },
        town,
        Some(("Consulter ma demande", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/staff_welcome.txt")]
struct StaffWelcome<'a> {
    town: &'a str,
    username: &'a str,
}

/// A staff account was created: choose a password (then enrol an authenticator).
pub fn staff_welcome(to: &str, username: &str, town: &str, link: &str) -> OutgoingEmail {
    compose(
        "staff_welcome",
        to,
        &StaffWelcome { town, username },
        town,
        Some(("Choisir mon mot de passe", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/demande_decided.txt")]
struct DemandeDecided<'a> {
    town: &'a str,
    username: &'a str,
    outcome: &'a str,
    message: Option<&'a str>,
}

/// The town decided on a request: validated (with the dossier number), to complete (with
/// the agent's message), or refused (with the reason).
pub fn demande_decided(
    to: &str,
    username: &str,
    town: &str,
    outcome: &str,
    message: Option<&str>,
    link: &str,
) -> OutgoingEmail {
    compose(
        "demande_decided",
        to,
        &DemandeDecided {
            town,
            username,
            outcome,
            message,
        },
        town,
        Some(("Consulter ma demande", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/rattachement_code.txt")]
struct RattachementCode<'a> {
    town: &'a str,
    numero: &'a str,
    code: &'a str,
    minutes: i64,
}

/// The code of rattachement, sent to the dossier's address on record — never to the
/// address of the account that asks (SECURITY.md A-15).
pub fn rattachement_code(
    to: &str,
    town: &str,
    numero: &str,
    code: &str,
    minutes: i64,
    link: &str,
) -> OutgoingEmail {
    compose(
        "rattachement_code",
        to,
        &RattachementCode {
            town,
            numero,
            code,
            minutes,
        },
        town,
        Some(("Saisir le code", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/rattachement_notice.txt")]
struct RattachementNotice<'a> {
    town: &'a str,
    username: &'a str,
    new_username: &'a str,
    numero: &'a str,
}

/// To the accounts already linked to a dossier, when another one joins it.
pub fn rattachement_notice(
    to: &str,
    username: &str,
    town: &str,
    new_username: &str,
    numero: &str,
    link: &str,
) -> OutgoingEmail {
    compose(
        "rattachement_notice",
        to,
        &RattachementNotice {
            town,
            username,
            new_username,
            numero,
        },
        town,
        Some(("Voir Mon compte", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/rattachement_decided.txt")]
struct RattachementDecided<'a> {
    town: &'a str,
    username: &'a str,
    numero: &'a str,
    linked: bool,
    message: Option<&'a str>,
}

/// To the account that asked: linked, or refused (with the agent's message).
pub fn rattachement_decided(
    to: &str,
    username: &str,
    town: &str,
    numero: &str,
    linked: bool,
    message: Option<&str>,
    link: &str,
) -> OutgoingEmail {
    compose(
        "rattachement_decided",
        to,
        &RattachementDecided {
            town,
            username,
            numero,
            linked,
            message,
        },
        town,
        Some(("Ouvrir Mes démarches", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/bulk_download_alert.txt")]
struct BulkDownloadAlert<'a> {
    town: &'a str,
    agent: &'a str,
    count: u32,
    minutes: u64,
}

/// G-06: an agent downloaded many files in a short time (a stolen session, or a mistake).
pub fn bulk_download_alert(
    to: &str,
    town: &str,
    agent: &str,
    count: u32,
    minutes: u64,
    link: &str,
) -> OutgoingEmail {
    compose(
        "bulk_download_alert",
        to,
        &BulkDownloadAlert {
            town,
            agent,
            count,
            minutes,
        },
        town,
        Some(("Ouvrir l'administration", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/inscription.txt")]
struct InscriptionNews<'a> {
    town: &'a str,
    username: &'a str,
    subject: &'a str,
    lines: &'a [String],
}

/// An inscription changed (made, confirmed, waiting, offered a place, cancelled, refused):
/// `subject` says how in a few words (« Inscription confirmée »), `lines` the detail.
pub fn inscription_news(
    to: &str,
    username: &str,
    town: &str,
    subject: &str,
    lines: &[String],
    link: &str,
) -> OutgoingEmail {
    compose(
        "inscription",
        to,
        &InscriptionNews {
            town,
            username,
            subject,
            lines,
        },
        town,
        Some(("Voir mes inscriptions", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/webhook_paused.txt")]
struct WebhookPaused<'a> {
    town: &'a str,
    application: &'a str,
    subscription: &'a str,
    url: &'a str,
}

/// A connected application's webhook subscription was paused: its deliveries failed for
/// three days. Sent to the application's technical contact.
pub fn webhook_paused(
    to: &str,
    application: &str,
    subscription: &str,
    url: &str,
    town: &str,
) -> OutgoingEmail {
    compose(
        "webhook_paused",
        to,
        &WebhookPaused {
            town,
            application,
            subscription,
            url,
        },
        town,
        None,
    )
}

#[derive(Template)]
#[template(path = "emails/malware_alert.txt")]
struct MalwareAlert<'a> {
    town: &'a str,
    what: &'a str,
    object_id: &'a str,
    signature: &'a str,
    follow_up: &'a str,
}

/// E-07: malware scanning found something in a stored file (quarantined). To administrators.
pub fn malware_alert(
    to: &str,
    town: &str,
    shelf: &str,
    object_id: &str,
    signature: &str,
    link: &str,
) -> OutgoingEmail {
    let (what, follow_up) = if shelf == "documents" {
        (
            "un document public",
            "Supprimez ce document depuis l'administration et déposez-en une copie saine.",
        )
    } else {
        (
            "une pièce justificative",
            "La famille a été prévenue et invitée à remplacer sa pièce.",
        )
    };
    compose(
        "malware_alert",
        to,
        &MalwareAlert {
            town,
            what,
            object_id,
            signature,
            follow_up,
        },
        town,
        Some(("Ouvrir l'administration", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/malware_found.txt")]
struct MalwareFound<'a> {
    town: &'a str,
    username: &'a str,
    file_name: &'a str,
}

/// E-07: a file the family gave was found infected: it is set aside; replace the piece.
pub fn malware_found(
    to: &str,
    username: &str,
    town: &str,
    file_name: &str,
    link: &str,
) -> OutgoingEmail {
    compose(
        "malware_found",
        to,
        &MalwareFound {
            town,
            username,
            file_name,
        },
        town,
        Some(("Ouvrir Mes démarches", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/account_closed.txt")]
struct AccountClosed<'a> {
    town: &'a str,
    username: &'a str,
}

/// « Fermer mon compte »: the confirmation, to the address the account had.
pub fn account_closed(to: &str, username: &str, town: &str) -> OutgoingEmail {
    compose(
        "account_closed",
        to,
        &AccountClosed { town, username },
        town,
        None,
    )
}

#[derive(Template)]
#[template(path = "emails/account_closed_inactive.txt")]
struct AccountClosedInactive<'a> {
    town: &'a str,
    username: &'a str,
}

/// An account left unused after its warning was closed by the retention job.
pub fn account_closed_inactive(to: &str, username: &str, town: &str) -> OutgoingEmail {
    compose(
        "account_closed",
        to,
        &AccountClosedInactive { town, username },
        town,
        None,
    )
}

#[derive(Template)]
#[template(path = "emails/inactivity_warning.txt")]
struct InactivityWarning<'a> {
    town: &'a str,
    username: &'a str,
    inactive_for: &'a str,
    closes_on: &'a str,
}

/// An account unused for the retention period will be closed on `closes_on` unless
/// someone signs in.
pub fn inactivity_warning(
    to: &str,
    username: &str,
    town: &str,
    inactive_for: &str,
    closes_on: &str,
    login_link: &str,
) -> OutgoingEmail {
    compose(
        "inactivity_warning",
        to,
        &InactivityWarning {
            town,
            username,
            inactive_for,
            closes_on,
        },
        town,
        Some(("Me connecter", login_link)),
    )
}

#[derive(Template)]
#[template(path = "emails/draft_warning.txt")]
struct DraftWarning<'a> {
    town: &'a str,
    username: &'a str,
    untouched_for: &'a str,
    deleted_on: &'a str,
}

/// A draft dossier never sent and untouched will be deleted on `deleted_on`.
pub fn draft_warning(
    to: &str,
    username: &str,
    town: &str,
    untouched_for: &str,
    deleted_on: &str,
    link: &str,
) -> OutgoingEmail {
    compose(
        "draft_warning",
        to,
        &DraftWarning {
            town,
            username,
            untouched_for,
            deleted_on,
        },
        town,
        Some(("Ouvrir Mes démarches", link)),
    )
}

#[derive(Template)]
#[template(path = "emails/data_export_ready.txt")]
struct DataExportReady<'a> {
    town: &'a str,
    username: &'a str,
    expires_on: &'a str,
}

/// « Une copie de mes données » is ready in « Mon compte » until `expires_on`.
pub fn data_export_ready(
    to: &str,
    username: &str,
    town: &str,
    expires_on: &str,
    link: &str,
) -> OutgoingEmail {
    compose(
        "data_export_ready",
        to,
        &DataExportReady {
            town,
            username,
            expires_on,
        },
        town,
        Some(("Ouvrir Mon compte", link)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_email_has_the_seed_wording_and_the_link_in_both_bodies() {
        let email = activation(
            "p@x.fr",
            "DEMONSTRATION",
            "Ville de Chartres",
            "http://l/activation#token=abc",
        );
        assert_eq!(email.subject, "Activez votre compte — Ville de Chartres");
        assert!(
            email
                .text
                .starts_with("Bonjour DEMONSTRATION,\n\nVotre compte a bien été créé.")
        );
        assert!(
            email
                .text
                .contains("Activer mon compte :\nhttp://l/activation#token=abc")
        );
        assert!(email.text.ends_with(
            "--\nVille de Chartres — Portail Famille. Cet email a été envoyé automatiquement, merci de ne pas y répondre.\n"
        ));
        assert!(email.html.contains(">Activer mon compte</a>"));
        assert!(email.html.contains("<p>Bonjour DEMONSTRATION,</p>"));
    }

    #[test]
    fn user_text_is_escaped_in_html_and_kept_in_text() {
        let email = email_change_notice("p@x.fr", "a<b>", "Ville", "x@y.fr");
        assert!(email.html.contains("a&#60;b&#62;") || email.html.contains("a&lt;b&gt;"));
        assert!(!email.html.contains("a<b>"));
        assert!(email.text.contains("Bonjour a<b>,"));
    }

    #[test]
    fn optional_paragraphs_appear_only_when_given() {
        let with = demande_decided(
            "p@x.fr",
            "u",
            "Ville",
            "refusée",
            Some("Pièce illisible"),
            "l",
        );
        let without = demande_decided("p@x.fr", "u", "Ville", "validée", None, "l");
        assert!(
            with.text
                .contains("refusée.\n\nMessage de la mairie : « Pièce illisible »\n\nLe récépissé")
        );
        assert!(without.text.contains("validée.\n\nLe récépissé"));
        assert!(!without.text.contains("Message de la mairie"));
        let refused = rattachement_decided("p@x.fr", "u", "Ville", "12", false, None, "l");
        assert!(refused.text.contains("n° 12 a été refusée."));
        let news = inscription_news(
            "p@x.fr",
            "u",
            "Ville",
            "Inscription confirmée",
            &["Ligne une.".into(), "Ligne deux.".into()],
            "l",
        );
        assert_eq!(news.subject, "Inscription confirmée — Ville");
        assert!(
            news.text
                .contains("Bonjour u,\n\nLigne une.\n\nLigne deux.\n\nVoir mes inscriptions")
        );
        assert_eq!(news.html.matches("<p").count(), 3 + 2 + 1, "{}", news.html);
    }
}
