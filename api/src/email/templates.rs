//! The French emails the portal sends, each as plain text and HTML.
//!
//! Links carry their token in the URL fragment (`#token=…`): browsers never send the
//! fragment to a server, so a token never lands in an access log or a Referer header.

use crate::db::models::outbox::OutgoingEmail;

/// Escapes text for HTML bodies (usernames and addresses are user-typed).
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Wraps paragraphs and an optional call-to-action button into both bodies.
fn compose(
    kind: &'static str,
    to: &str,
    subject: String,
    town: &str,
    paragraphs: &[String],
    action: Option<(&str, &str)>,
) -> OutgoingEmail {
    let mut text = paragraphs.join("\n\n");
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"fr\"><body style=\"font-family:sans-serif;line-height:1.5\">",
    );
    for p in paragraphs {
        html.push_str(&format!("<p>{}</p>", escape(p)));
    }
    if let Some((label, url)) = action {
        text.push_str(&format!("\n\n{label} :\n{url}"));
        html.push_str(&format!(
            "<p><a href=\"{url}\" style=\"display:inline-block;padding:12px 20px;background:#1d4e89;color:#fff;text-decoration:none;border-radius:4px\">{label}</a></p>\
             <p style=\"font-size:small\">Si le bouton ne fonctionne pas, copiez ce lien dans votre navigateur : {url}</p>",
            url = escape(url),
            label = escape(label),
        ));
    }
    let signature = format!(
        "{town} — Portail Famille. Cet email a été envoyé automatiquement, merci de ne pas y répondre."
    );
    text.push_str(&format!("\n\n--\n{signature}\n"));
    html.push_str(&format!(
        "<hr><p style=\"font-size:small;color:#555\">{}</p></body></html>",
        escape(&signature)
    ));
    OutgoingEmail {
        kind,
        to: to.to_string(),
        subject,
        text,
        html,
        link_expires_at: None,
        account_id: None,
    }
}

/// « Activer mon compte ».
pub fn activation(to: &str, username: &str, town: &str, link: &str) -> OutgoingEmail {
    compose(
        "activation",
        to,
        format!("Activez votre compte — {town}"),
        town,
        &[
            format!("Bonjour {username},"),
            "Votre compte a bien été créé. Cependant, il n'est pas encore activé. Pour l'activer, veuillez cliquer sur ce lien.".into(),
            "Ce lien est valable 48 heures et ne peut servir qu'une fois. Si vous n'êtes pas à l'origine de cette inscription, ignorez cet email.".into(),
        ],
        Some(("Activer mon compte", link)),
    )
}

/// Sent instead of a second account when the address is already registered: the
/// sign-up page answered exactly as for a new address.
pub fn account_exists(to: &str, town: &str, login_link: &str, reset_link: &str) -> OutgoingEmail {
    compose(
        "account_exists",
        to,
        format!("Un compte existe déjà pour cette adresse — {town}"),
        town,
        &[
            "Bonjour,".into(),
            "Quelqu'un (sans doute vous) a demandé à créer un compte avec cette adresse email, mais un compte existe déjà pour cette adresse.".into(),
            format!("Vous pouvez vous connecter : {login_link}"),
            "Si vous avez oublié votre mot de passe, vous pouvez en choisir un nouveau.".into(),
            "Si vous n'êtes pas à l'origine de cette demande, ignorez cet email : rien n'a été modifié.".into(),
        ],
        Some(("Choisir un nouveau mot de passe", reset_link)),
    )
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
        format!("Réinitialisation de votre mot de passe — {town}"),
        town,
        &[
            format!("Bonjour {username},"),
            "Vous avez demandé à choisir un nouveau mot de passe pour votre compte.".into(),
            format!(
                "Ce lien est valable {minutes} minutes et ne peut servir qu'une fois. Si vous n'êtes pas à l'origine de cette demande, ignorez cet email : votre mot de passe reste inchangé."
            ),
        ],
        Some(("Choisir un nouveau mot de passe", link)),
    )
}

/// After a reset or a change: the password itself is never in it.
pub fn password_changed(to: &str, username: &str, town: &str, reset_link: &str) -> OutgoingEmail {
    compose(
        "password_changed",
        to,
        format!("Votre mot de passe a été modifié — {town}"),
        town,
        &[
            format!("Bonjour {username},"),
            "Le mot de passe de votre compte vient d'être modifié, et vos autres sessions ont été fermées.".into(),
            "Si vous n'êtes pas à l'origine de ce changement, choisissez immédiatement un nouveau mot de passe et prévenez la mairie.".into(),
        ],
        Some(("Choisir un nouveau mot de passe", reset_link)),
    )
}

/// Confirmation link sent to a new address.
pub fn email_change_confirm(to: &str, username: &str, town: &str, link: &str) -> OutgoingEmail {
    compose(
        "email_change_confirm",
        to,
        format!("Confirmez votre nouvelle adresse email — {town}"),
        town,
        &[
            format!("Bonjour {username},"),
            "Vous avez demandé à utiliser cette adresse pour votre compte. Confirmez-la en cliquant sur ce lien (valable 24 heures).".into(),
        ],
        Some(("Confirmer mon adresse email", link)),
    )
}

/// Notice sent to the old address when a change is requested.
pub fn email_change_notice(to: &str, username: &str, town: &str, new_email: &str) -> OutgoingEmail {
    compose(
        "email_change_notice",
        to,
        format!("Changement d'adresse email demandé — {town}"),
        town,
        &[
            format!("Bonjour {username},"),
            format!("Un changement de l'adresse email de votre compte vers {new_email} a été demandé. Il ne prendra effet qu'après confirmation depuis cette nouvelle adresse."),
            "Si vous n'êtes pas à l'origine de cette demande, changez votre mot de passe et prévenez la mairie.".into(),
        ],
        None,
    )
}

/// Acknowledges a submitted request.
pub fn demande_received(to: &str, username: &str, town: &str, link: &str) -> OutgoingEmail {
    compose(
        "demande_received",
        to,
        format!("Votre demande de création de dossier famille a bien été reçue — {town}"),
        town,
        &[
            format!("Bonjour {username},"),
            "Votre demande de création de dossier famille a bien été transmise. Elle est en attente de validation par les services de la ville.".into(),
            "Vous serez prévenu par email de la suite donnée. Vous pouvez suivre son avancement dans Mes démarches.".into(),
        ],
        Some(("Consulter ma demande", link)),
    )
}

/// A staff account was created: choose a password (then enrol an authenticator).
pub fn staff_welcome(to: &str, username: &str, town: &str, link: &str) -> OutgoingEmail {
    compose(
        "staff_welcome",
        to,
        format!("Votre compte agent — {town}"),
        town,
        &[
            format!("Bonjour {username},"),
            "Un compte vous a été ouvert dans l'espace agents du portail famille.".into(),
            "Choisissez votre mot de passe avec le bouton ci-dessous (lien valable 48 heures). À votre première connexion, vous associerez une application d'authentification.".into(),
        ],
        Some(("Choisir mon mot de passe", link)),
    )
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
    let mut paragraphs = vec![
        format!("Bonjour {username},"),
        format!("Votre demande de création de dossier famille : {outcome}."),
    ];
    if let Some(message) = message {
        paragraphs.push(format!("Message de la mairie : « {message} »"));
    }
    paragraphs.push("Le détail est dans Mes démarches.".into());
    compose(
        "demande_decided",
        to,
        format!("Votre demande de création de dossier famille — {town}"),
        town,
        &paragraphs,
        Some(("Consulter ma demande", link)),
    )
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
        format!("Code de rattachement à votre dossier famille — {town}"),
        town,
        &[
            "Bonjour,".into(),
            format!("Un compte demande à être rattaché au dossier famille n° {numero}. Pour le rattacher, saisissez ce code dans Mes démarches :"),
            code.to_string(),
            format!("Ce code est valable {minutes} minutes et ne peut servir qu'une fois."),
            "Si vous n'êtes pas à l'origine de cette demande, ne communiquez ce code à personne et prévenez la mairie : personne ne peut voir votre dossier sans lui.".into(),
        ],
        Some(("Saisir le code", link)),
    )
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
        format!("Un nouveau compte a été rattaché à votre dossier — {town}"),
        town,
        &[
            format!("Bonjour {username},"),
            format!("Un nouveau compte a été rattaché à votre dossier famille n° {numero} : « {new_username} ». Il peut désormais consulter et modifier ce dossier."),
            "Si ce n'est pas vous ni une personne de votre foyer, contactez sans attendre le service de la mairie pour qu'il retire ce compte de votre dossier.".into(),
            "La liste des comptes rattachés à votre dossier figure dans Mon compte.".into(),
        ],
        Some(("Voir Mon compte", link)),
    )
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
    let mut paragraphs = vec![format!("Bonjour {username},")];
    paragraphs.push(if linked {
        format!("Votre compte est désormais rattaché au dossier famille n° {numero}.")
    } else {
        format!("Votre demande de rattachement au dossier famille n° {numero} a été refusée.")
    });
    if let Some(message) = message {
        paragraphs.push(format!("Message de la mairie : « {message} »"));
    }
    compose(
        "rattachement_decided",
        to,
        format!("Votre demande de rattachement à un dossier — {town}"),
        town,
        &paragraphs,
        Some(("Ouvrir Mes démarches", link)),
    )
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
        format!("Alerte : téléchargements inhabituels dans l'espace agents — {town}"),
        town,
        &[
            "Bonjour,".into(),
            format!(
                "Le compte agent « {agent} » a téléchargé plus de {count} pièces justificatives en {minutes} minutes."
            ),
            "Si ce n'est pas un travail prévu, il peut s'agir d'une session volée : réinitialisez l'authentificateur de ce compte depuis l'administration (ce qui met fin à ses sessions) et vérifiez le journal d'audit. Une violation de données personnelles doit être notifiée à la CNIL dans les 72 heures.".into(),
        ],
        Some(("Ouvrir l'administration", link)),
    )
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
    let mut paragraphs = vec![format!("Bonjour {username},")];
    paragraphs.extend(lines.iter().cloned());
    compose(
        "inscription",
        to,
        format!("{subject} — {town}"),
        town,
        &paragraphs,
        Some(("Voir mes inscriptions", link)),
    )
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
        format!("Abonnement aux événements suspendu : « {application} » — {town}"),
        town,
        &[
            "Bonjour,".into(),
            format!(
                "Depuis trois jours, le portail famille n'arrive pas à livrer les événements de l'application « {application} » à l'adresse {url} (l'adresse ne répond pas, ou pas par un code 2xx)."
            ),
            format!(
                "L'abonnement est suspendu : plus rien n'y est envoyé. Les événements non livrés restent dans le journal des livraisons ; une fois l'adresse réparée, réactivez l'abonnement (POST /api/integration/v1/webhooks/{subscription}/reprise) et rejouez ceux qui vous manquent, ou relisez les changements par la synchronisation incrémentale."
            ),
        ],
        None,
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
        assert!(
            email.text.contains("Bonjour DEMONSTRATION, ")
                || email.text.contains("Bonjour DEMONSTRATION,")
        );
        assert!(email.text.contains("Activer mon compte"));
        assert!(email.text.contains("http://l/activation#token=abc"));
        assert!(email.html.contains(">Activer mon compte</a>"));
    }

    #[test]
    fn user_text_is_escaped_in_html() {
        let email = email_change_notice("p@x.fr", "a<b>", "Ville", "x@y.fr");
        assert!(email.html.contains("a&lt;b&gt;"));
    }
}
