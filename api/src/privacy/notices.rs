//! The notices the portal publishes: « Données personnelles » (RGPD art. 13: the
//! controller, the purposes and legal bases, the recipients, the durations in force, the
//! rights and whom to ask) and « Accessibilité » (the déclaration d'accessibilité RGAA).
//! Written here, on the server, so that the durations are the settings in force and the
//! browser's bundle carries no page of prose.

use shared::api::privacy::{Notice, NoticeSection};

use super::policy::RetentionPolicy;
use crate::db::models::town::TownSettings;

fn section(titre: &str, paragraphes: &[&str]) -> NoticeSection {
    NoticeSection {
        titre: titre.into(),
        paragraphes: paragraphes.iter().map(|p| (*p).to_string()).collect(),
    }
}

/// « Données personnelles » for `town` with the durations of `policy`.
pub fn privacy(town: &TownSettings, policy: &RetentionPolicy, connection_log_days: u32) -> Notice {
    let name = &town.name;
    let dpo = if town.dpo_contact.trim().is_empty() {
        format!(
            "Le délégué à la protection des données de la commune se joint par l'intermédiaire du service : {}",
            town.contact
        )
    } else {
        town.dpo_contact.clone()
    };
    Notice {
        etat: None,
        sections: vec![
            NoticeSection {
                titre: "Responsable du traitement".into(),
                paragraphes: vec![
                    format!(
                        "{name} est responsable des données personnelles traitées par le Portail Famille."
                    ),
                    town.contact.clone(),
                ],
            },
            section(
                "Finalités et bases légales",
                &[
                    "Gérer votre compte et votre dossier famille, instruire vos demandes et vos pièces justificatives : mission d'intérêt public de la commune (article 6-1-e du RGPD).",
                    "Inscrire vos enfants aux activités, aux accueils et à la restauration, et vous prévenir par email : mission d'intérêt public, et exécution du service que vous demandez.",
                    "Protéger votre compte (historique des connexions, détection des tentatives) et analyser les fichiers déposés contre les virus : intérêt légitime et obligation de sécurité (article 32 du RGPD).",
                ],
            ),
            section(
                "Données collectées",
                &[
                    "Pour chaque membre du foyer : identité, date et lieu de naissance, coordonnées, situation familiale, liens de parenté, et les pièces justificatives demandées ; pour le compte : identifiant, adresse email, historique des connexions.",
                    "Ni la nationalité, ni la religion, ni l'origine, ni la santé, ni le numéro de sécurité sociale ne sont demandés : ils ne servent à aucune des démarches du portail. Aucune donnée n'est vendue ni utilisée à des fins publicitaires.",
                    "Pour rattacher un compte à un dossier existant, un code est envoyé à l'adresse email que la mairie a enregistrée pour ce dossier ; les comptes déjà rattachés en sont avertis.",
                ],
            ),
            section(
                "Destinataires",
                &[
                    "Les agents habilités des services de la ville (vie scolaire, enfance, sports), chacun pour ce qui le concerne ; chaque consultation de votre dossier est enregistrée et vous est montrée dans « Consulter ma demande ».",
                    "Les logiciels de la ville connectés au portail (facturation, gestion des accueils), pour les seules données de leur mission ; leurs lectures sont aussi enregistrées et montrées.",
                    "Les sous-traitants techniques de la commune (hébergement, envoi des emails), tenus par contrat à la confidentialité. Aucune donnée ne quitte l'Union européenne.",
                ],
            ),
            section(
                "Durées de conservation",
                &[
                    "Chaque durée ci-dessous est appliquée automatiquement par le portail ; un email vous prévient avant la fermeture d'un compte inutilisé ou la suppression d'un brouillon.",
                ],
            ),
        ],
        durees: policy.rules(connection_log_days),
        suite: vec![
            section(
                "Vos droits",
                &[
                    "Vous pouvez accéder à vos données, les rectifier, les effacer, en limiter le traitement ou vous y opposer, et les recevoir dans un format réutilisable (articles 15 à 21 du RGPD).",
                    "Depuis « Mon compte », rubrique « Mes données » : « Obtenir une copie de mes données » prépare un fichier ZIP de toutes vos données et de vos pièces ; « Fermer mon compte » efface votre compte et ce que vous n'avez pas transmis à la mairie.",
                    "Votre dossier famille se modifie depuis « Mes démarches » ; pour le reste, écrivez au délégué à la protection des données.",
                ],
            ),
            NoticeSection {
                titre: "Délégué à la protection des données".into(),
                paragraphes: vec![dpo],
            },
            section(
                "Réclamation",
                &[
                    "Si vous estimez que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de l'informatique et des libertés (CNIL), 3 place de Fontenoy, TSA 80715, 75334 Paris Cedex 07, www.cnil.fr.",
                ],
            ),
        ],
    }
}

/// When the statement was last reviewed: update it with the audits it reports.
pub const ACCESSIBILITY_REVIEWED_ON: &str = "8 décembre 2026";

/// The déclaration d'accessibilité of `town`'s Portail Famille.
pub fn accessibility(town: &TownSettings) -> Notice {
    let name = &town.name;
    Notice {
        etat: Some("non conforme".into()),
        durees: Vec::new(),
        suite: Vec::new(),
        sections: vec![
            NoticeSection {
                titre: "Déclaration d'accessibilité".into(),
                paragraphes: vec![
                    format!(
                        "{name} s'engage à rendre son Portail Famille accessible conformément à l'article 47 de la loi n° 2005-102 du 11 février 2005."
                    ),
                    format!(
                        "Cette déclaration d'accessibilité s'applique au Portail Famille de {name} (espace des familles, pages publiques et espace des agents). Établie le {ACCESSIBILITY_REVIEWED_ON}."
                    ),
                ],
            },
            section(
                "État de conformité",
                &[
                    "Le Portail Famille est non conforme avec le référentiel général d'amélioration de l'accessibilité (RGAA) version 4.1 : il n'a pas encore fait l'objet de l'audit complet, réalisé par une personne, que le RGAA exige pour mesurer un taux de conformité.",
                    "Ce que nous mesurons nous-mêmes : à chaque modification du logiciel, nos tests automatisés ouvrent le portail dans le navigateur Chromium et contrôlent chaque page et chaque état de page qu'une famille ou un agent rencontre avec l'outil axe-core (toutes ses règles par défaut : WCAG 2.1 niveaux A et AA et bonnes pratiques) : 0 erreur exigée, sur ordinateur et sur téléphone (390 et 375 pixels de large).",
                    "Pages contrôlées : accueil, actualités, foire aux questions, documents, cette page et « Données personnelles » ; création de compte, activation, connexion, mot de passe oublié, conditions d'utilisation ; le dossier famille en trois étapes (famille, pièces justificatives, récapitulatif), ses fenêtres de dialogue et ses messages d'erreur ; « Mes démarches » et « Consulter ma demande » ; « Mon compte » et « Mes données » ; « Activités et inscriptions », le compte à rebours de l'ouverture, les voeux ; l'espace des agents (connexion à deux facteurs, demandes, examen d'un dossier, activités, contenus, administration).",
                    "Les tests vérifient aussi l'usage au clavier seul du parcours principal, l'absence de défilement horizontal à 390 pixels et la présence sur chaque page du lien vers cette déclaration.",
                ],
            ),
            section(
                "Contenus non accessibles",
                &[
                    "Non-conformités connues : les pièces justificatives déposées par les familles (photos, PDF numérisés) ne sont pas accessibles et ne peuvent pas l'être par nature ; leur intitulé, leur date et leur statut sont, eux, donnés en texte.",
                    "Le récépissé PDF d'une demande n'est pas encore un PDF balisé : son contenu est repris en texte dans « Consulter ma demande ».",
                    "Les contrôles automatiques ne couvrent qu'une partie des critères du RGAA (environ 30 %) : la pertinence des textes alternatifs, l'ordre de lecture ou la compréhension des messages ne sont vérifiés que par nos propres relectures.",
                ],
            ),
            NoticeSection {
                titre: "Retour d'information et contact".into(),
                paragraphes: vec![
                    "Si vous n'arrivez pas à accéder à un contenu ou à un service, contactez-nous : nous vous répondrons et vous proposerons une alternative (dépôt au guichet, envoi par courrier).".into(),
                    town.contact.clone(),
                ],
            },
            section(
                "Voies de recours",
                &[
                    "Si vous nous avez signalé un défaut d'accessibilité qui vous empêche d'accéder à un contenu ou à un service et que vous n'avez pas obtenu de réponse satisfaisante, vous pouvez :",
                    "écrire un message au Défenseur des droits (formulaire sur www.defenseurdesdroits.fr) ;",
                    "contacter le délégué du Défenseur des droits dans votre région ;",
                    "envoyer un courrier par la poste (gratuit, sans timbre) : Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07.",
                ],
            ),
        ],
    }
}
