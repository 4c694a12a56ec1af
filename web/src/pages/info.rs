//! Fixed information pages: accessibility statement and privacy notice.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::page_title::PageTitle;
use crate::i18n::retention;
use crate::state::use_town;

/// `/accessibilite`.
#[component]
pub fn AccessibilityPage() -> impl IntoView {
    view! {
        <PageTitle title="Accessibilité"/>
        <p>"État de conformité : " <strong>"non conforme"</strong>
            ". Le Portail Famille n'a pas encore été audité au regard du référentiel général d'amélioration de l'accessibilité (RGAA) ; un audit est prévu."</p>
        <p>"Si vous ne parvenez pas à accéder à un contenu ou à un service, contactez la mairie : nous vous apporterons l'information par un autre moyen."</p>
        <p><A href="/">"Retour à l'accueil"</A></p>
    }
}

/// `/donnees-personnelles`: a short privacy notice.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let town = use_town();
    let name = move || {
        town.0
            .with(|t| t.as_ref().map(|t| t.name.clone()))
            .unwrap_or_else(|| "La commune".into())
    };
    let kept = move || {
        town.0
            .with(|t| {
                t.as_ref()
                    .map(|t| retention(t.connection_log_retention_days))
            })
            .unwrap_or_else(|| "6 mois".into())
    };
    view! {
        <PageTitle title="Mentions légales et données personnelles"/>
        <h2>"Responsable du traitement"</h2>
        <p>{name}", qui édite ce portail pour ses services scolaires et sportifs."</p>
        <h2>"Finalités"</h2>
        <p>"Gérer votre compte, vos inscriptions et vos démarches scolaires, périscolaires et sportives ; assurer la sécurité du portail (journal des connexions)."</p>
        <h2>"Données collectées"</h2>
        <p>"Pour chaque membre du foyer : identité, date et lieu de naissance, coordonnées, situation familiale, liens de parenté, et les pièces justificatives demandées. Ni la nationalité, ni la religion, ni l'origine, ni le numéro de sécurité sociale ne sont demandés : ils ne servent à aucune des démarches du portail."</p>
        <p>"Pour rattacher un compte à un dossier existant, un code est envoyé à l'adresse e-mail que la mairie a enregistrée pour ce dossier ; les comptes déjà rattachés en sont avertis."</p>
        <h2>"Base légale"</h2>
        <p>"L'exécution d'une mission d'intérêt public dont est investie la commune (article 6, paragraphe 1, point e, du RGPD)."</p>
        <h2>"Durées de conservation"</h2>
        <p>"Journal des connexions : "{kept}". Compte : tant qu'il est utilisé, puis supprimé après une longue inactivité. Un compte jamais activé est supprimé rapidement."</p>
        <h2>"Vos droits"</h2>
        <p>"Vous pouvez accéder à vos données, les faire rectifier, demander leur effacement ou la limitation de leur traitement, et vous opposer à leur traitement. Vous pouvez aussi introduire une réclamation auprès de la CNIL."</p>
        <h2>"Contact du délégué à la protection des données"</h2>
        <p>"Adressez votre demande au délégué à la protection des données de la mairie (coordonnées communiquées par la commune)."</p>
    }
}
