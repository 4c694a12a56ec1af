//! The draw of an *équitable* période (issue 13) in its row of « Activités »: when it runs
//! (« Tirage au sort à la fermeture, le … »), « Lancer le tirage » once the wishes are
//! closed and it has not run (the server's job runs it too; the call is idempotent), then
//! « Tirage effectué le … » and the public page of the draw.

use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;
use serde::de::IgnoredAny;
use shared::api::activites::PeriodeView;

use super::model::paris_date_time;
use super::page::Page;
use crate::api;
use crate::i18n::problem_message;
use crate::pages::activites::attribution::{is_equitable, tirage_path};
use crate::pages::activites::model::dates;

/// What the agent is told of `shared::api::voeux::TirageView`, the answer of « Lancer le
/// tirage »: how many wishes it served (the public page shows the rest). Its whole decoder
/// would weigh on the back office's bundle for one number.
#[derive(Deserialize)]
struct Served {
    lignes: Vec<IgnoredAny>,
}

/// The draw's line and buttons for an équitable période (nothing for the others). `name`
/// says which période for the buttons' accessible names.
pub fn tirage_cell(page: Page, periode: &PeriodeView, name: &str) -> Option<impl IntoView + use<>> {
    if !is_equitable(periode) {
        return None;
    }
    let public = view! {
        <a href=tirage_path(periode.id) target="_blank" rel="noopener">
            "Voir le tirage public"<span class="visually-hidden">{format!(" de {name} (nouvel onglet)")}</span>
        </a>
    };
    let state = match periode.tirage_le {
        Some(at) => {
            return Some(
                view! {
                    <span class="tirage">{format!("Tirage effectué le {}. ", paris_date_time(&at))}{public}</span>
                }
                .into_any(),
            );
        }
        None => format!(
            "Attribution équitable : tirage au sort à la fermeture des vœux ({}). ",
            paris_date_time(&periode.fermeture)
        ),
    };
    // By the agent's clock: the server refuses (409) a draw before the close anyway.
    let closed = Utc::now() >= periode.fermeture;
    let id = periode.id;
    let libelle = format!(
        "{} ({})",
        periode.libelle,
        dates(periode.premier_jour, periode.dernier_jour)
    );
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let run = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let libelle = libelle.clone();
        spawn_local(async move {
            let answer = api::authed(page.session)
                .post::<_, Served>(
                    &format!("/api/backoffice/periodes/{id}/tirage"),
                    &serde_json::json!({}),
                )
                .await;
            if pending.try_set(false).is_some() {
                return;
            }
            match answer {
                Ok(served) => page.changed(format!(
                    "Tirage au sort effectué pour « {libelle} » : {} vœu(x) traité(s).",
                    served.lignes.len()
                )),
                // The server says why in French (the wishes are still open).
                Err(e) if e.status() == 409 => error.set(Some(e.problem.detail.unwrap_or_else(
                    || "Les vœux ne sont pas encore clos : le tirage est possible après la fermeture.".into(),
                ))),
                Err(e) => error.set(Some(problem_message(&e))),
            }
        });
    };
    let label = format!("Lancer le tirage de {name}");
    Some(
        view! {
            <span class="tirage">
                {state}{public}
                {closed.then(move || view! {
                    <button type="button" class="button primary" aria-label=label
                        aria-disabled=move || pending.get().then_some("true") on:click=run>"Lancer le tirage"</button>
                })}
                <span role="alert">{move || error.get().map(|text| view! { <span class="field-error">{text}</span> })}</span>
            </span>
        }
        .into_any(),
    )
}
