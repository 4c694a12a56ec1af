//! « Mes démarches » (signed in, CGU accepted): the « création de dossier famille » card.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::api::account::MeResponse;
use shared::api::dossier::{
    DemandeKind, DemandeList, DemandeStatus, DemandeSummary, DossierResponse,
};

use crate::api::{self, ApiError};
use crate::components::guard::RequireSession;
use crate::components::page_title::PageTitle;
use crate::format::date;
use crate::i18n::{problem_message, status_label};
use crate::state::use_session;

/// `/demarches`.
#[component]
pub fn DemarchesPage() -> impl IntoView {
    view! {
        <RequireSession>
            <PageTitle title="Mes démarches"/>
            <Demarches/>
        </RequireSession>
    }
}

/// The coloured status of a request.
#[component]
pub fn StatusBadge(status: DemandeStatus) -> impl IntoView {
    let class = match status {
        DemandeStatus::Brouillon => "badge badge-draft",
        DemandeStatus::EnAttenteValidation => "badge badge-waiting",
        DemandeStatus::ACompleter => "badge badge-todo",
        DemandeStatus::Validee => "badge badge-ok",
        DemandeStatus::Refusee => "badge badge-refused",
    };
    view! { <span class=class>{status_label(status)}</span> }
}

#[component]
fn Demarches() -> impl IntoView {
    let session = use_session();
    let data = RwSignal::new(None::<Result<(DemandeList, MeResponse), ApiError>>);
    spawn_local(async move {
        let client = api::authed(session);
        let list = client.get::<DemandeList>("/api/demandes").await;
        let me = client.get::<MeResponse>("/api/me").await;
        data.set(Some(list.and_then(|l| me.map(|m| (l, m)))));
    });
    view! {
        <section class="card demarche" aria-labelledby="creation-titre">
            <h2 id="creation-titre">"Ma demande de création de dossier famille"</h2>
            {move || match data.get() {
                None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
                Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(&e)}</p></div> }.into_any(),
                Some(Ok((list, me))) => {
                    let demande = list.items.into_iter().find(|d| d.kind == DemandeKind::CreationDossier);
                    let linked = me.dossier_numero.map(|numero| view! {
                        <p>{format!("Votre compte est rattaché au dossier famille n° {numero}.")}</p>
                    });
                    match (demande, linked) {
                        (Some(d), linked) => view! { {linked}<DemandeCard demande=d/> }.into_any(),
                        (None, Some(linked)) => view! {
                            {linked}
                            <p class="hint">"Pour modifier ce dossier, adressez-vous au service vie scolaire de la mairie."</p>
                        }.into_any(),
                        (None, None) => view! { <CreateDossier/> }.into_any(),
                    }
                }
            }}
        </section>
    }
}

#[component]
fn DemandeCard(demande: DemandeSummary) -> impl IntoView {
    let editable = demande.status.family_can_edit();
    let dates = match demande.submitted_at {
        Some(at) => format!("Transmise le {}", date(&at)),
        None => format!(
            "Commencée le {} · modifiée le {}",
            date(&demande.created_at),
            date(&demande.updated_at)
        ),
    };
    view! {
        <p class="status-line">"Statut : "<StatusBadge status=demande.status/></p>
        <p class="hint">{dates}</p>
        <div class="actions">
            {editable.then(|| view! {
                <A href=format!("/demarches/dossier/{}", demande.dossier_id) attr:class="button primary">"Reprendre mon dossier"</A>
            })}
            {(demande.status != DemandeStatus::Brouillon).then(|| view! {
                <A href=format!("/demarches/demande/{}", demande.id) attr:class=if editable { "button secondary" } else { "button primary" }>"Consulter ma demande"</A>
            })}
        </div>
    }
}

#[component]
fn CreateDossier() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let create = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::authed(session)
                .post::<_, DossierResponse>("/api/dossiers", &serde_json::json!({}))
                .await;
            pending.set(false);
            match result {
                Ok(dossier) => navigate(
                    &format!("/demarches/dossier/{}", dossier.id),
                    Default::default(),
                ),
                Err(e) => error.set(Some(problem_message(&e))),
            }
        });
    };
    view! {
        <p>"Vous n'avez pas encore de dossier famille : composez votre foyer en ligne, la mairie le validera."</p>
        <div role="alert">{move || error.get().map(|text| view! { <p class="notice">{text}</p> })}</div>
        <button type="button" class="button primary" disabled=move || pending.get() on:click=create>
            "Créer mon dossier en ligne"
        </button>
    }
}
