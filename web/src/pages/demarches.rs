//! « Mes démarches » (signed in, CGU accepted).

use leptos::prelude::*;

use crate::components::guard::RequireSession;
use crate::components::page_title::PageTitle;

/// `/demarches`.
#[component]
pub fn DemarchesPage() -> impl IntoView {
    view! {
        <RequireSession>
            <PageTitle title="Mes démarches"/>
            <p class="empty">"Vos démarches apparaîtront ici. La création du dossier famille en ligne arrive bientôt."</p>
        </RequireSession>
    }
}
