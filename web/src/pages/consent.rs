//! « Consentement »: the connection-log notice and the CGU, to acknowledge before using
//! the account pages.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::api::account::AcceptTermsRequest;
use shared::api::content::TermsResponse;

use crate::api::{self, ApiError};
use crate::components::guard::{RequireSession, safe_return_path};
use crate::components::page_title::PageTitle;
use crate::i18n::{problem_message, retention};
use crate::state::{use_session, use_town};

/// `/consentement` (signed in).
#[component]
pub fn ConsentPage() -> impl IntoView {
    view! {
        <RequireSession terms=false>
            <Consent/>
        </RequireSession>
    }
}

#[component]
fn Consent() -> impl IntoView {
    let session = use_session();
    let town = use_town();
    let navigate = use_navigate();
    let query = use_query_map();
    let terms = RwSignal::new(None::<Result<TermsResponse, ApiError>>);
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    spawn_local(async move {
        terms.set(Some(api::get::<TermsResponse>("/api/terms").await));
    });
    let kept = move || {
        town.0
            .with(|t| {
                t.as_ref()
                    .map(|t| retention(t.connection_log_retention_days))
            })
            .unwrap_or_else(|| "6 mois".into())
    };
    let accept = move |_| {
        let Some(Ok(current)) = terms.get_untracked() else {
            return;
        };
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        let back = safe_return_path(query.with_untracked(|q| q.get("retour")))
            .filter(|p| !p.starts_with("/consentement"))
            .unwrap_or_else(|| "/demarches".into());
        spawn_local(async move {
            let body = AcceptTermsRequest {
                version: current.version,
            };
            let result = api::authed(session)
                .post::<_, serde_json::Value>("/api/me/terms", &body)
                .await;
            pending.set(false);
            match result {
                Ok(_) => {
                    session.set_terms_accepted(true);
                    if session.username.get_untracked().is_none() {
                        session.load_profile().await;
                    }
                    navigate(&back, Default::default());
                }
                Err(e) => error.set(Some(problem_message(&e))),
            }
        });
    };
    view! {
        <PageTitle title="Consentement"/>
        <div class="card consent">
            <p>
                "Vous vous apprêtez à accéder au portail. A des fins de sécurité, vos connexions à celui-ci seront journalisées pour une durée de "
                {kept}
                ". Vous pouvez consulter l'historique de vos connexions via la fenêtre « Mon compte » accessible depuis le menu Utilisateur > Mon compte > Dernières connexions. N'hésitez pas à nous signaler toute connexion qui vous semblerait suspecte ou dont vous ne seriez pas à l'origine."
            </p>
            <p>"En poursuivant, vous reconnaissez avoir pris connaissance des Conditions générales d'utilisation ci-dessous."</p>
            <h2 id="cgu-titre">"Conditions générales d'utilisation"</h2>
            {move || match terms.get() {
                None => view! { <p class="loading" role="status">"Chargement des conditions…"</p> }.into_any(),
                Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(&e)}</p></div> }.into_any(),
                Some(Ok(t)) => view! {
                    <p class="terms-meta">{format!("Version {} du {}", t.version, crate::format::date(&t.published_at))}</p>
                    <div class="terms" tabindex="0" role="region" aria-labelledby="cgu-titre">
                        {t.text.split("\n\n").map(str::trim).filter(|p| !p.is_empty())
                            .map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
                    </div>
                }.into_any(),
            }}
            <div role="alert">{move || error.get().map(|m| view! { <p class="notice">{m}</p> })}</div>
            <button type="button" class="button primary" on:click=accept
                disabled=move || pending.get() || !matches!(terms.get(), Some(Ok(_)))>
                "J'ai pris connaissance de ces informations"
            </button>
        </div>
    }
}
