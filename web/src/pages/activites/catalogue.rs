//! « Activités » (`/activites`, public): what the town offers, each activité with its
//! category, place, ages, prices, required pièces and description, and its périodes with
//! their dates, the places left and when registrations open (Europe/Paris time). « Inscrire »
//! leads to the enrolment wizard (through « Connexion » when nobody is signed in).
//!
//! The catalogue is revalidated on every visit (`ETag`, 304 when unchanged): on opening
//! morning the places go by the second.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::components::A;
use shared::api::activites::{ActiviteList, ActiviteView, ModeValidation, PeriodeView};

use crate::components::page_title::PageTitle;
use crate::components::rich_text::RichText;
use crate::pages::activites::model::{
    Window, ages, categorie_label, dates, places, takes_enrolments, window, window_text,
};
use crate::pages::public::{load, loaded};
use crate::state::use_session;

/// Where « Inscrire » leads for a période: the wizard with it chosen.
pub fn enrol_path(periode: &PeriodeView) -> String {
    format!("/inscriptions/nouvelle?periode={}", periode.id)
}

/// `/activites`.
#[component]
pub fn ActivitesPage() -> impl IntoView {
    let session = use_session();
    let data = load::<ActiviteList>("/api/activites".into());
    view! {
        <PageTitle title="Activités"/>
        <p>"Les activités que la commune propose aux enfants, avec les places restantes et l'ouverture des inscriptions. Pour inscrire un enfant, votre dossier famille doit être validé par la mairie."</p>
        <Show when=move || session.is_authenticated()>
            <p><A href="/inscriptions">"Mes inscriptions"</A></p>
        </Show>
        {loaded(data, move |list: ActiviteList| {
            let now = Utc::now();
            if list.items.is_empty() {
                view! { <p class="empty">"Aucune activité n'est proposée pour le moment."</p> }.into_any()
            } else {
                list.items
                    .into_iter()
                    .map(|activite| view! { <ActiviteCard activite now/> })
                    .collect_view()
                    .into_any()
            }
        })}
    }
}

/// One activité: what it is, then its périodes.
#[component]
fn ActiviteCard(activite: ActiviteView, now: DateTime<Utc>) -> impl IntoView {
    let (heading_id, labelled_by) = (
        format!("activite-{}", activite.id),
        format!("activite-{}", activite.id),
    );
    let pieces = activite.pieces_requises.clone();
    let tarifs = activite.tarifs.trim().to_string();
    let nom = activite.nom.clone();
    view! {
        <article class="card activite" aria-labelledby=labelled_by>
            <h2 id=heading_id>{activite.nom.clone()}</h2>
            <dl class="details">
                <dt>"Catégorie"</dt>
                <dd>{categorie_label(activite.categorie)}</dd>
                <dt>"Lieu"</dt>
                <dd>{activite.lieu.clone()}</dd>
                <dt>"Âge des enfants"</dt>
                <dd>{ages(activite.age_min, activite.age_max)}</dd>
                {(!tarifs.is_empty()).then(|| view! { <dt>"Tarifs"</dt><dd>{tarifs}</dd> })}
                {(!pieces.is_empty()).then(|| view! {
                    <dt>"Pièces requises"</dt>
                    <dd>
                        <ul class="plain">
                            {pieces.into_iter().map(|p| view! { <li>{p.libelle}</li> }).collect_view()}
                        </ul>
                    </dd>
                })}
            </dl>
            <RichText source=activite.description.clone() heading_level=3/>
            <h3>"Périodes"</h3>
            {if activite.periodes.is_empty() {
                view! { <p class="empty">"Aucune période n'est ouverte pour le moment."</p> }.into_any()
            } else {
                view! {
                    <ul class="periodes">
                        {activite.periodes.into_iter().map(|p| view! { <PeriodeItem activite=nom.clone() periode=p now/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </article>
    }
}

/// One période: dates, hours, places left, the window, « Inscrire ».
#[component]
fn PeriodeItem(activite: String, periode: PeriodeView, now: DateTime<Utc>) -> impl IntoView {
    let session = use_session();
    let full = periode.places_restantes == 0;
    let open = window(&periode, now) != Window::Closed && takes_enrolments(&periode);
    let enrol = enrol_path(&periode);
    let href = move || {
        if session.is_authenticated() {
            enrol.clone()
        } else {
            format!(
                "/connexion?retour={}",
                String::from(js_sys::encode_uri_component(&enrol))
            )
        }
    };
    let what = format!(" : {activite} — {}", periode.libelle);
    view! {
        <li class="periode">
            <h4>{periode.libelle.clone()}</h4>
            <p>{format!("Dates : {}", dates(periode.premier_jour, periode.dernier_jour))}</p>
            {(!periode.horaires.trim().is_empty()).then(|| view! { <p>{format!("Horaires : {}", periode.horaires)}</p> })}
            <p>
                <span class=if full { "badge badge-refused" } else { "badge badge-ok" }>{places(&periode)}</span>
            </p>
            <p>{window_text(&periode, now)}</p>
            {(periode.mode_validation == ModeValidation::SurValidation).then(|| view! {
                <p class="hint">"Chaque demande est validée par la mairie."</p>
            })}
            {open.then(|| view! {
                <p>
                    <A href=href attr:class="button primary">
                        "Inscrire"<span class="visually-hidden">{what}</span>
                    </A>
                </p>
            })}
        </li>
    }
}
