//! How long the portal keeps each kind of personal data, and why (RGPD art. 5-1-e). Every
//! duration is a setting with a default; the « Données personnelles » page and the README
//! show the same table, built here from the settings in force.

use anyhow::bail;
use shared::api::privacy::RetentionRule;

use crate::db::models::audit;
use crate::jobs::UNACTIVATED_DAYS;

/// The durations the retention jobs apply, in days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// A validated piece's files are deleted at its end of validity, or this long after
    /// the agent validated it if that comes first (`VALIDATED_PIECE_FILES_DAYS`, 180).
    pub validated_piece_files_days: u32,
    /// A refused piece's files are deleted this long after the refusal
    /// (`REFUSED_PIECE_FILES_DAYS`, 30).
    pub refused_piece_files_days: u32,
    /// A family account nobody signed in to for this long is warned, then closed
    /// (`INACTIVE_ACCOUNT_DAYS`, 730: the CNIL's two years).
    pub inactive_account_days: u32,
    /// A draft dossier never sent and untouched this long is warned, then deleted
    /// (`DRAFT_DAYS`, 180).
    pub draft_days: u32,
    /// Between the warning email and the closure or deletion (`DELETION_NOTICE_DAYS`, 30).
    pub deletion_notice_days: u32,
    /// A copy of one's data stays downloadable this long (`DATA_EXPORT_DAYS`, 7).
    pub data_export_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            validated_piece_files_days: 180,
            refused_piece_files_days: 30,
            inactive_account_days: 730,
            draft_days: 180,
            deletion_notice_days: 30,
            data_export_days: 7,
        }
    }
}

impl RetentionPolicy {
    /// Refuses durations that would erase data before families could react, or keep it
    /// beyond what the purpose needs.
    pub fn validate(&self) -> anyhow::Result<()> {
        if !(1..=1095).contains(&self.validated_piece_files_days) {
            bail!("VALIDATED_PIECE_FILES_DAYS must be between 1 and 1095 (three years)");
        }
        if !(1..=365).contains(&self.refused_piece_files_days) {
            bail!("REFUSED_PIECE_FILES_DAYS must be between 1 and 365");
        }
        if !(180..=1095).contains(&self.inactive_account_days) {
            bail!("INACTIVE_ACCOUNT_DAYS must be between 180 and 1095");
        }
        if !(30..=730).contains(&self.draft_days) {
            bail!("DRAFT_DAYS must be between 30 and 730");
        }
        if !(7..=90).contains(&self.deletion_notice_days) {
            bail!("DELETION_NOTICE_DAYS must be between 7 and 90: families need time to react");
        }
        if !(1..=30).contains(&self.data_export_days) {
            bail!("DATA_EXPORT_DAYS must be between 1 and 30");
        }
        Ok(())
    }

    /// The durations table, in French, for `connection_log_days` of connection history.
    pub fn rules(&self, connection_log_days: u32) -> Vec<RetentionRule> {
        let rule = |donnees: &str, duree: String, raison: &str| RetentionRule {
            donnees: donnees.into(),
            duree,
            raison: raison.into(),
        };
        vec![
            rule(
                "Compte jamais activé",
                days(UNACTIVATED_DAYS),
                "Le lien d'activation n'a pas été suivi : le compte est supprimé.",
            ),
            rule(
                "Compte inactif",
                format!(
                    "{} sans connexion, puis fermeture {} après un email d'avertissement",
                    days(i64::from(self.inactive_account_days)),
                    days(i64::from(self.deletion_notice_days))
                ),
                "Recommandation de la CNIL : un compte dont personne ne se sert n'a plus de raison d'exister. Se connecter suffit à le garder.",
            ),
            rule(
                "Brouillon de dossier jamais transmis",
                format!(
                    "{} sans modification, puis suppression {} après un email d'avertissement",
                    days(i64::from(self.draft_days)),
                    days(i64::from(self.deletion_notice_days))
                ),
                "Un dossier jamais envoyé n'est pas un dossier de la mairie : il n'est gardé que le temps de le compléter.",
            ),
            rule(
                "Fichiers d'une pièce justificative validée",
                format!(
                    "Jusqu'à sa fin de validité, et au plus {} après sa vérification",
                    days(i64::from(self.validated_piece_files_days))
                ),
                "Une fois la pièce vérifiée, la mention « vérifiée le … » suffit au dossier ; le délai laisse le temps d'un contrôle ou d'un recours.",
            ),
            rule(
                "Fichiers d'une pièce justificative refusée",
                format!(
                    "{} après le refus",
                    days(i64::from(self.refused_piece_files_days))
                ),
                "La famille connaît le motif du refus et dépose une nouvelle pièce.",
            ),
            rule(
                "Historique des connexions",
                days(i64::from(connection_log_days)),
                "Sécurité du compte (recommandation de la CNIL : six mois à un an).",
            ),
            rule(
                "Journal des consultations et actions des services",
                days(audit::RETENTION_DAYS),
                "Traçabilité des accès aux dossiers par les agents et les applications de la ville.",
            ),
            rule(
                "Emails envoyés",
                "30 jours".into(),
                "Preuve d'envoi et nouvel essai en cas d'échec ; un lien à usage unique est effacé dès son expiration.",
            ),
            rule(
                "Copie de mes données",
                days(i64::from(self.data_export_days)),
                "Le temps de la télécharger ; elle est ensuite supprimée.",
            ),
            rule(
                "Dossier famille validé, demandes transmises, inscriptions",
                "Tant que le compte existe, puis selon les règles d'archivage de la commune".into(),
                "Ce sont des documents administratifs de la mairie (code du patrimoine) : fermer son compte ne les efface pas.",
            ),
        ]
    }
}

/// « 30 jours », « 6 mois », « 2 ans »: durations as families say them.
pub fn days(count: i64) -> String {
    match count {
        1 => "1 jour".into(),
        n if n >= 365 && n % 365 == 0 => plural(n / 365, "an", "ans"),
        n if n >= 30 && n % 30 == 0 => format!("{} mois", n / 30),
        n if n >= 182 && (n * 12) % 365 < 12 => format!("{} mois", (n * 12) / 365),
        n => format!("{n} jours"),
    }
}

fn plural(count: i64, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_families_say_them() {
        assert_eq!(days(1), "1 jour");
        assert_eq!(days(7), "7 jours");
        assert_eq!(days(30), "1 mois");
        assert_eq!(days(180), "6 mois");
        assert_eq!(days(183), "6 mois");
        assert_eq!(days(365), "1 an");
        assert_eq!(days(730), "2 ans");
    }

    #[test]
    fn the_defaults_are_valid_and_a_short_notice_is_refused() {
        let policy = RetentionPolicy::default();
        policy.validate().expect("defaults");
        let hasty = RetentionPolicy {
            deletion_notice_days: 1,
            ..policy
        };
        assert!(hasty.validate().is_err());
    }

    #[test]
    fn the_table_shows_the_settings_in_force() {
        let policy = RetentionPolicy {
            refused_piece_files_days: 60,
            ..RetentionPolicy::default()
        };
        let rules = policy.rules(183);
        let refused = rules
            .iter()
            .find(|r| r.donnees.contains("refusée"))
            .expect("refused pieces");
        assert_eq!(refused.duree, "2 mois après le refus");
    }
}
