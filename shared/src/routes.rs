//! Which of the family SPA's two bundles serves a path. The public pages (ACCUEIL,
//! ACTUALITÉS, FAQ, DOCUMENTS, connexion, création de compte…) are a small bundle that a
//! family loads first, often on a phone; the signed-in area (« Mes démarches », the dossier
//! wizard, « Mon compte »…) is the full one, loaded once signed in. The server picks the
//! page to send with this rule, and the public bundle loads the full one for these paths.

/// The first segments of the signed-in area's paths.
pub const SIGNED_IN_AREA: &[&str] = &[
    "demarches",
    "mon-compte",
    "consentement",
    "confirmer-email",
    "inscriptions",
];

/// Whether `path` (an URL path, query excluded) belongs to the signed-in area.
pub fn in_signed_in_area(path: &str) -> bool {
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    SIGNED_IN_AREA.contains(&first)
}

#[cfg(test)]
mod tests {
    use super::in_signed_in_area;

    #[test]
    fn the_signed_in_area_is_recognised_by_its_first_segment() {
        for path in [
            "/demarches",
            "/demarches/dossier/1",
            "/mon-compte",
            "/consentement",
            "/confirmer-email",
            "/inscriptions",
            "/inscriptions/nouvelle",
        ] {
            assert!(in_signed_in_area(path), "{path}");
        }
        for path in [
            "/",
            "/connexion",
            "/actualites/3",
            "/creer-mon-compte",
            "/demarchesx",
            "/faq",
            "/activites",
        ] {
            assert!(!in_signed_in_area(path), "{path}");
        }
    }
}
