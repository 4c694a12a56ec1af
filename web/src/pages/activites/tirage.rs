//! « Tirage au sort » (`/activites/tirage/{periode_id}`, public): the draw of an activité's
//! *équitable* périodes (issue 13) as anyone may check it — the rules in order, the seed
//! published before any wish, the close, each période's places and requests; after the
//! draw, when it ran, the lottery's seed and this période's wishes in the order the rules
//! served them, by number only (never a name), with how to re-run it from the JSON file.
//!
//! In the public pages' bundle, so kept small: the answer is read through [`Tirage`] (the
//! fields shown, not `shared::api::voeux::TirageView`'s pseudonyms), and both tables are
//! drawn by one function ([`table`]).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use serde::Deserialize;
use shared::api::voeux::ResultatVoeu;
use uuid::Uuid;

use crate::api;
use crate::components::page_title::PageTitle;
use crate::format::paris_when;
use crate::i18n::problem_message;
use crate::pages::activites::attribution::{resultat_text, short_numero, tirage_path};
use crate::pages::public::Loading;

/// `shared::api::voeux::TirageView` as this page reads it (a test checks it reads what the
/// server writes).
#[derive(Clone, Debug, Deserialize, PartialEq)]
struct Tirage {
    activite: String,
    periode_id: Uuid,
    regles: Vec<String>,
    graine: String,
    fermeture: DateTime<Utc>,
    tirage_le: Option<DateTime<Utc>>,
    graine_tirage: Option<String>,
    periodes: Vec<Periode>,
    lignes: Vec<Ligne>,
}

/// `shared::api::voeux::TiragePeriode`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
struct Periode {
    id: Uuid,
    libelle: String,
    places: u32,
    demandes: u32,
}

/// `shared::api::voeux::TirageLigne` without its pseudonyms.
#[derive(Clone, Debug, Deserialize, PartialEq)]
struct Ligne {
    numero: Uuid,
    periode_id: Uuid,
    rang: u32,
    resident: bool,
    tirage: String,
    resultat: ResultatVoeu,
    position: Option<u32>,
}

/// The draw as published, the file `portail-famille attribution verifier` reads.
fn tirage_json_path(periode_id: Uuid) -> String {
    format!("/api/tirages/{periode_id}")
}

/// « 1er », « 2e »: a rank in a table's cell.
fn rang_short(rang: u32) -> String {
    match rang {
        1 => "1er".into(),
        n => format!("{n}e"),
    }
}

/// « 9f86d081884c… »: a long hexadecimal draw, shortened for a narrow cell.
fn short_hash(hash: &str) -> String {
    match hash.char_indices().nth(12) {
        Some((cut, _)) => format!("{}…", &hash[..cut]),
        None => hash.to_string(),
    }
}

/// A cell of [`table`]: its text, the whole value when the text shortens it, or a link.
struct Cell {
    text: String,
    title: Option<String>,
    href: Option<String>,
}

fn cell(text: impl ToString) -> Cell {
    Cell {
        text: text.to_string(),
        title: None,
        href: None,
    }
}

/// A table whose rows become blocks on a phone (`.stack-table`: each cell says its column).
fn table(caption: String, heads: &'static [&'static str], rows: Vec<Vec<Cell>>) -> AnyView {
    let rows = rows
        .into_iter()
        .map(|row| {
            let cells = row
                .into_iter()
                .zip(heads)
                .map(|(c, head)| {
                    let inner = match c.href {
                        Some(href) => view! { <a href=href>{c.text}</a> }.into_any(),
                        None => view! { <span title=c.title>{c.text}</span> }.into_any(),
                    };
                    view! { <td data-label=*head>{inner}</td> }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="stack-table">
                <caption>{caption}</caption>
                <thead><tr>{heads.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// `/activites/tirage/{periode_id}`.
#[component]
pub fn TiragePage() -> impl IntoView {
    let params = use_params_map();
    let data: Loading<Tirage> = RwSignal::new(None);
    // Another période of the same draw is the same page at another address. The id goes
    // into the API's path: only a UUID's characters are let through.
    Effect::new(move |_| {
        // Anything else is asked as nothing, which the server answers 404.
        let id = params
            .with(|p| p.get("periode_id"))
            .filter(|id| id.len() == 36 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
            .unwrap_or_default();
        data.set(None);
        spawn_local(async move {
            let answer = api::get::<Tirage>(&format!("/api/tirages/{id}")).await;
            data.try_set(Some(answer));
        });
    });
    view! {
        <PageTitle title="Tirage au sort"/>
        {move || match data.get() {
            None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
            Some(Err(error)) if error.status() == 404 => view! {
                <p class="notice">"Aucun tirage au sort n'est publié pour cette période."</p>
                <p><a href="/activites">"Voir les activités"</a></p>
            }
            .into_any(),
            Some(Err(error)) => view! {
                <div role="alert"><p class="notice">{problem_message(&error)}</p></div>
            }
            .into_any(),
            Some(Ok(tirage)) => tirage_view(tirage),
        }}
    }
}

fn tirage_view(t: Tirage) -> AnyView {
    // The instants are said against the draw's own close (the year only when it differs).
    let now = t.fermeture;
    let fermeture = paris_when(t.fermeture, now);
    let state = match t.tirage_le {
        Some(at) => format!(
            "Vœux clos le {fermeture}. Tirage effectué le {}.",
            paris_when(at, now)
        ),
        None => format!(
            "Les vœux ferment le {fermeture} : le tirage au sort a lieu à ce moment-là. Les places ci-dessous sont celles d'aujourd'hui."
        ),
    };
    let here = t.periode_id;
    let libelle = t
        .periodes
        .iter()
        .find(|p| p.id == here)
        .map(|p| p.libelle.clone())
        .unwrap_or_default();
    let periodes = t
        .periodes
        .into_iter()
        .map(|p| {
            let mut name = cell(&p.libelle);
            if p.id == here {
                name.text.push_str(" (cette page)");
            } else {
                name.href = Some(tirage_path(p.id));
            }
            vec![name, cell(p.places), cell(p.demandes)]
        })
        .collect();
    let drawn = t.graine_tirage.map(|seed| {
        let rows: Vec<Vec<Cell>> = t
            .lignes
            .into_iter()
            .filter(|l| l.periode_id == here)
            .map(|l| {
                vec![
                    Cell {
                        title: Some(l.numero.to_string()),
                        ..cell(short_numero(l.numero))
                    },
                    cell(rang_short(l.rang)),
                    cell(if l.resident { "oui" } else { "non" }),
                    Cell {
                        title: Some(l.tirage.clone()),
                        ..cell(short_hash(&l.tirage))
                    },
                    cell(resultat_text(l.resultat, None)),
                    cell(l.position.map(|n| n.to_string()).unwrap_or_default()),
                ]
            })
            .collect();
        let lines = if rows.is_empty() {
            view! { <p class="empty">"Aucun vœu pour cette période."</p> }.into_any()
        } else {
            table(
                format!("Vœux pour « {libelle} », dans l'ordre du tirage"),
                &["Numéro", "Rang", "Résident", "Tirage", "Résultat", "Position"],
                rows,
            )
        };
        view! {
            <p>"Graine du tirage (graine publiée et numéros de tous les vœux) : "<code class="hash">{seed}</code></p>
            <h2>{format!("Résultat : {libelle}")}</h2>
            {lines}
            <h2>"Vérifier le tirage"</h2>
            <p>"Chacun peut refaire le tirage et retrouver ce résultat : téléchargez le fichier du tirage, puis lancez "
                <code>"portail-famille attribution verifier --fichier tirage.json"</code>"."</p>
            <p><a href=tirage_json_path(here) download="tirage.json">"Télécharger le tirage (JSON)"</a></p>
        }
    });
    view! {
        <h2>{t.activite}</h2>
        <p>{state}</p>
        <h2>"Règles"</h2>
        <ol>{t.regles.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}</ol>
        <p>"Graine publiée avant les vœux : "<code class="hash">{t.graine}</code></p>
        {table("Places et demandes par période".into(), &["Période", "Places", "Demandes"], periodes)}
        {drawn}
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use shared::api::voeux::{TirageLigne, TiragePeriode, TirageView};

    use super::*;

    #[test]
    fn ranks_and_draws_are_shortened_for_a_narrow_cell() {
        assert_eq!(rang_short(1), "1er");
        assert_eq!(rang_short(10), "10e");
        assert_eq!(short_hash("9f86d081884c7d659a2feaa0"), "9f86d081884c…");
        assert_eq!(short_hash("abc"), "abc");
        assert_eq!(
            tirage_json_path(Uuid::from_u128(1)),
            "/api/tirages/00000000-0000-0000-0000-000000000001"
        );
    }

    #[test]
    fn the_page_reads_what_the_server_writes() {
        let at = Utc
            .with_ymd_and_hms(2027, 1, 19, 22, 59, 0)
            .single()
            .expect("instant");
        let view = TirageView {
            activite_id: Uuid::from_u128(10),
            activite: "Séjour à la neige".into(),
            periode_id: Uuid::from_u128(1),
            regles: vec!["Les premiers vœux d'abord.".into()],
            graine: "ab".repeat(32),
            fermeture: at,
            tirage_le: Some(at),
            graine_tirage: Some("cd".repeat(32)),
            periodes: vec![TiragePeriode {
                id: Uuid::from_u128(1),
                libelle: "Semaine 1".into(),
                places: 2,
                demandes: 3,
            }],
            lignes: vec![TirageLigne {
                numero: Uuid::from_u128(100),
                foyer: "F1".into(),
                enfant: "E1".into(),
                periode_id: Uuid::from_u128(1),
                rang: 1,
                resident: true,
                tirage: "ef".repeat(32),
                resultat: ResultatVoeu::ListeAttente,
                position: Some(1),
            }],
        };
        let json = serde_json::to_string(&view).expect("json");
        let read: Tirage = serde_json::from_str(&json).expect("read");
        assert_eq!(read.periode_id, view.periode_id);
        assert_eq!(read.graine_tirage, view.graine_tirage);
        assert_eq!(
            read.lignes[0],
            Ligne {
                numero: Uuid::from_u128(100),
                periode_id: Uuid::from_u128(1),
                rang: 1,
                resident: true,
                tirage: "ef".repeat(32),
                resultat: ResultatVoeu::ListeAttente,
                position: Some(1),
            }
        );
        assert_eq!(read.periodes[0].demandes, 3);
    }
}
