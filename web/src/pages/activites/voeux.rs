//! « Mes vœux » (`/inscriptions/voeux/{activite_id}`, signed in): *attribution équitable*
//! (issue 13). For an activité whose places are drawn, each child of the dossier gets its
//! ranked list of périodes ([`super::voeux_child`]); the family ranks them until the
//! close, then reads what the draw gave each wish, by the public number the draw is
//! published under. The model is [`super::voeux_model`].
//!
//! Loaded at once: the catalogue (the activité and its périodes), the family's
//! eligibilities (its children, the server's reasons and clock) and its wishes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::api::activites::ActiviteList;
use shared::api::voeux::VoeuxList;
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::guard::RequireSession;
use crate::components::page_title::PageTitle;
use crate::i18n::problem_message;
use crate::pages::activites::attribution::{Phase, attribution_text, tirage_path};
use crate::pages::activites::voeux_child::ChildWishes;
use crate::pages::activites::voeux_model::VoeuxOffer;
use crate::state::use_session;

/// What the page loaded: the offer, or why there is none.
#[derive(Clone)]
enum Loaded {
    Offer(VoeuxOffer),
    /// No such published activité with équitable périodes.
    NoDraw,
    Failed(ApiError),
}

/// `/inscriptions/voeux/{activite_id}`.
#[component]
pub fn VoeuxPage() -> impl IntoView {
    view! {
        <RequireSession>
            <PageTitle title="Mes vœux"/>
            <VoeuxView/>
        </RequireSession>
    }
}

#[component]
fn VoeuxView() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let activite_id = params
        .with_untracked(|p| p.get("activite_id"))
        .and_then(|id| Uuid::parse_str(&id).ok());
    let loaded = RwSignal::new(None::<Loaded>);
    spawn_local(async move {
        let Some(activite_id) = activite_id else {
            loaded.set(Some(Loaded::NoDraw));
            return;
        };
        let client = api::authed(session);
        let catalogue = api::get::<ActiviteList>("/api/activites").await;
        let eligibilites = client.eligibilites().await;
        let voeux = client.get::<VoeuxList>("/api/voeux").await;
        let answer = match (catalogue, eligibilites, voeux) {
            (Ok(c), Ok(e), Ok(v)) => {
                VoeuxOffer::new(c, activite_id, e, v).map_or(Loaded::NoDraw, Loaded::Offer)
            }
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Loaded::Failed(e),
        };
        // The page may have been left meanwhile.
        loaded.try_set(Some(answer));
    });
    move || match loaded.get() {
        None => view! { <p class="loading" role="status">"Chargement de vos vœux…"</p> }.into_any(),
        Some(Loaded::Failed(error)) => view! {
            <div role="alert"><p class="notice">{problem_message(&error)}</p></div>
        }
        .into_any(),
        Some(Loaded::NoDraw) => view! {
            <p class="notice">"Cette activité n'a pas de période attribuée par tirage au sort."</p>
            <p><A href="/activites">"Voir les activités"</A></p>
        }
        .into_any(),
        Some(Loaded::Offer(offer)) => offer_view(offer).into_any(),
    }
}

/// The activité, how its places are given, then each child's wishes.
fn offer_view(offer: VoeuxOffer) -> impl IntoView {
    let phase = offer.phase();
    let now = offer.now();
    let first = offer.activite.periodes.first().cloned();
    let window = first.as_ref().map(|p| attribution_text(p, now));
    let tirage = first.as_ref().map(|p| tirage_path(p.id));
    let intro = match phase {
        Phase::Avant | Phase::Voeux => {
            "Classez, pour chaque enfant, les périodes voulues de la plus souhaitée à la moins souhaitée : chaque enfant obtient au plus une place parmi elles. L'heure d'envoi ne compte pas."
        }
        Phase::Attente => {
            "Les vœux sont clos : le tirage au sort attribue bientôt les places. Vos vœux ne peuvent plus être modifiés."
        }
        Phase::Tire(_) => {
            "Le tirage au sort a eu lieu : le résultat de chaque vœu est indiqué ci-dessous. Les places attribuées figurent dans « Mes inscriptions »."
        }
    };
    let children = offer.children().to_vec();
    let nom = offer.activite.nom.clone();
    let offer = StoredValue::new(offer);
    view! {
        <h2>{nom}</h2>
        <p class="window">{window}</p>
        <p>{intro}</p>
        <p class="hint">"Chaque vœu reçoit un numéro : le tirage est publié par numéro, sans aucun nom. Notez-le pour vous retrouver dans le tirage."</p>
        <p>
            {tirage.map(|href| view! { <A href=href>"Voir le tirage et ses règles"</A> })}
            {matches!(phase, Phase::Tire(_)).then(|| view! { " · "<A href="/inscriptions">"Mes inscriptions"</A> })}
        </p>
        {if children.is_empty() {
            view! { <p class="empty">"Aucun enfant dans votre dossier famille : les vœux se font pour les enfants du dossier."</p> }.into_any()
        } else {
            children
                .into_iter()
                .map(|child| view! { <ChildWishes offer child=child.id prenom=child.prenom/> })
                .collect_view()
                .into_any()
        }}
    }
}
