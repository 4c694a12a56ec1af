//! « Tirage au sort » (`/activites/tirage/{periode_id}`, public): the draw of an activité's
//! *équitable* périodes (issue 13) as anyone may check it — the rules in order, the seed
//! published before any wish, the close, each période's places and requests; after the
//! draw, when it ran, the lottery's seed and this période's wishes in the order the rules
//! served them, by number only (never a name), with how to re-run it from the JSON file.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::api::voeux::{TirageLigne, TirageView};
use uuid::Uuid;

use crate::api;
use crate::components::page_title::PageTitle;
use crate::format::paris_when;
use crate::i18n::problem_message;
use crate::pages::activites::attribution::{
    rang_short, resultat_text, short_hash, short_numero, tirage_json_path, tirage_path,
};
use crate::pages::public::Loading;

/// `/activites/tirage/{periode_id}`.
#[component]
pub fn TiragePage() -> impl IntoView {
    let params = use_params_map();
    let data: Loading<TirageView> = RwSignal::new(None);
    // Another période of the same draw is the same page with another address.
    Effect::new(move |_| {
        let id = params
            .with(|p| p.get("periode_id"))
            .and_then(|id| Uuid::parse_str(&id).ok());
        data.set(None);
        spawn_local(async move {
            let answer = match id {
                Some(id) => api::get::<TirageView>(&tirage_json_path(id)).await,
                None => Err(api::ApiError::not_found()),
            };
            data.try_set(Some(answer));
        });
    });
    view! {
        <PageTitle title="Tirage au sort"/>
        {move || match data.get() {
            None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
            Some(Err(error)) if error.status() == 404 => view! {
                <p class="notice">"Aucun tirage au sort n'est publié pour cette période."</p>
                <p><A href="/activites">"Voir les activités"</A></p>
            }
            .into_any(),
            Some(Err(error)) => view! {
                <div role="alert"><p class="notice">{problem_message(&error)}</p></div>
            }
            .into_any(),
            Some(Ok(tirage)) => tirage_view(tirage).into_any(),
        }}
    }
}

fn tirage_view(t: TirageView) -> impl IntoView {
    // The instants are said against the draw's own close (the year only when it differs).
    let now = t.fermeture;
    let libelle = t
        .periodes
        .iter()
        .find(|p| p.id == t.periode_id)
        .map(|p| p.libelle.clone())
        .unwrap_or_default();
    let state = match t.tirage_le {
        Some(at) => format!(
            "Vœux clos le {}. Tirage effectué le {}.",
            paris_when(t.fermeture, now),
            paris_when(at, now)
        ),
        None => format!(
            "Les vœux ferment le {} : le tirage au sort a lieu à ce moment-là. Les places ci-dessous sont celles d'aujourd'hui.",
            paris_when(t.fermeture, now)
        ),
    };
    let periode_id = t.periode_id;
    let periodes = t
        .periodes
        .into_iter()
        .map(|p| {
            let name = if p.id == periode_id {
                view! { <span><strong>{p.libelle}</strong>" (cette page)"</span> }.into_any()
            } else {
                view! { <span><A href=tirage_path(p.id)>{p.libelle}</A></span> }.into_any()
            };
            view! {
                <tr>
                    <td data-label="Période">{name}</td>
                    <td data-label="Places"><span>{p.places}</span></td>
                    <td data-label="Demandes"><span>{p.demandes}</span></td>
                </tr>
            }
        })
        .collect_view();
    let lignes: Vec<TirageLigne> = t
        .lignes
        .into_iter()
        .filter(|l| l.periode_id == periode_id)
        .collect();
    let drawn = t.graine_tirage.map(|seed| {
        view! {
            <p>"Graine du tirage (graine publiée et numéros de tous les vœux) : "<code class="hash">{seed}</code></p>
            {lignes_view(&libelle, lignes)}
            <h2>"Vérifier le tirage"</h2>
            <p>"Chacun peut refaire le tirage et retrouver ce résultat : téléchargez le fichier du tirage, puis lancez "
                <code>"portail-famille attribution verifier --fichier tirage.json"</code>"."</p>
            <p><a href=tirage_json_path(periode_id) download="tirage.json">"Télécharger le tirage (JSON)"</a></p>
        }
    });
    view! {
        <h2>{t.activite}</h2>
        <p>{state}</p>
        <h2>"Règles"</h2>
        <ol>{t.regles.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ol>
        <p>"Graine publiée avant les vœux : "<code class="hash">{t.graine}</code></p>
        <div class="table-wrap">
            <table class="stack-table">
                <caption>"Places et demandes par période"</caption>
                <thead><tr>
                    <th scope="col">"Période"</th>
                    <th scope="col">"Places"</th>
                    <th scope="col">"Demandes"</th>
                </tr></thead>
                <tbody>{periodes}</tbody>
            </table>
        </div>
        {drawn}
    }
}

/// The wishes for this période, in draw order, by number.
fn lignes_view(libelle: &str, lignes: Vec<TirageLigne>) -> impl IntoView + use<> {
    let caption = format!("Vœux pour « {libelle} », dans l'ordre du tirage");
    let empty = lignes.is_empty();
    let rows = lignes
        .into_iter()
        .map(|l| {
            view! {
                <tr>
                    <td data-label="Numéro"><span title=l.numero.to_string()>{short_numero(l.numero)}</span></td>
                    <td data-label="Rang"><span>{rang_short(l.rang)}</span></td>
                    <td data-label="Résident"><span>{if l.resident { "oui" } else { "non" }}</span></td>
                    <td data-label="Tirage"><span class="hash" title=l.tirage.clone()>{short_hash(&l.tirage)}</span></td>
                    <td data-label="Résultat"><span>{resultat_text(l.resultat, None)}</span></td>
                    <td data-label="Position"><span>{l.position.map(|n| n.to_string())}</span></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{format!("Résultat : {libelle}")}</h2>
        {if empty {
            view! { <p class="empty">"Aucun vœu pour cette période."</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="stack-table">
                        <caption>{caption}</caption>
                        <thead><tr>
                            <th scope="col">"Numéro"</th>
                            <th scope="col">"Rang"</th>
                            <th scope="col">"Résident"</th>
                            <th scope="col">"Tirage"</th>
                            <th scope="col">"Résultat"</th>
                            <th scope="col">"Position"</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }}
    }
}
