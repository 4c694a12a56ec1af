//! « Page introuvable ».

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::page_title::PageTitle;

/// Any unknown path.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <PageTitle title="Page introuvable"/>
        <p>"L'adresse demandée ne correspond à aucune page du portail."</p>
        <p><A href="/">"Retour à l'accueil"</A></p>
    }
}
