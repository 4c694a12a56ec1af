//! « Activités » (`/activites`, public): what the town offers, each activité with its
//! category, place, ages, prices, required pièces and description, and its périodes with
//! their dates, the places left and when registrations open (Europe/Paris time). « Inscrire »
//! leads to the enrolment wizard (through « Connexion » when nobody is signed in), where a
//! family may prepare its choice before the opening. In its last day, the opening is
//! counted down by the server's clock (issue 13).
//!
//! Signed in (full app), « Pour : Tous mes enfants / Léa / Noé » filters the périodes by
//! child ([`super::by_child`]).
//!
//! A période given by *attribution équitable* (issue 13) takes no enrolment: it says until
//! when families rank their wishes (then when the draw ran), links to its public draw
//! (« Voir le tirage ») and, for a signed-in family, to « Mes vœux » (« Classer mes vœux »).
//!
//! The catalogue is revalidated on every visit (`ETag`, 304 when unchanged): on opening
//! morning the places go by the second. Its `Date` header sets the server's clock for the
//! countdown until the family's eligibilities (to the millisecond) do.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::activites::{ActiviteList, ActiviteView, ModeValidation, PeriodeView};

use crate::api;
use crate::components::page_title::PageTitle;
use crate::components::rich_text::RichText;
use crate::pages::activites::attribution::{
    Phase, attribution_text, is_equitable, phase, tirage_path, voeux_path,
};
use crate::pages::activites::by_child::{ByChild, PourQui};
use crate::pages::activites::countdown::{clock_known, monotonic_ms, server_ms, set_clock, ticker};
use crate::pages::activites::model::{
    Window, ages, categorie_label, dates, places, takes_enrolments, window, window_text,
};
use crate::pages::activites::opening::{ServerClock, countdown_text, instant};
use crate::pages::public::{Loading, loaded};
use crate::state::use_session;

/// Where « Inscrire » leads for a période: the wizard with it chosen.
pub fn enrol_path(periode: &PeriodeView) -> String {
    format!("/inscriptions/nouvelle?periode={}", periode.id)
}

/// `/activites`.
#[component]
pub fn ActivitesPage() -> impl IntoView {
    let session = use_session();
    let data: Loading<ActiviteList> = RwSignal::new(None);
    // The server's time, at each of its seconds (nothing here waits for the very instant).
    let now = ticker(Box::new(Vec::new));
    spawn_local(async move {
        let sent = monotonic_ms();
        let answer = api::get_dated::<ActiviteList>("/api/activites").await;
        if let Ok((_, Some(date))) = &answer
            && !clock_known()
        {
            set_clock(ServerClock::from_http_date(*date, sent, monotonic_ms()));
            // Not the phone's time until the next tick.
            now.set(server_ms());
        }
        data.set(Some(answer.map(|(list, _)| list)));
    });
    let by = ByChild::new(session);
    view! {
        <PageTitle title="Activités"/>
        <p>"Les activités que la commune propose aux enfants, avec les places restantes et l'ouverture des inscriptions. Pour inscrire un enfant, votre dossier famille doit être validé par la mairie."</p>
        <Show when=move || session.is_authenticated()>
            // « Inscrire un enfant »: every activité, child by child with every reason (and
            // the way to prepare a choice before an opening).
            <p><A href="/inscriptions">"Mes inscriptions"</A>" · "<A href="/inscriptions/nouvelle">"Inscrire un enfant"</A></p>
        </Show>
        <PourQui by catalogue=data/>
        {loaded(data, move |mut list: ActiviteList| {
            // For a child, only the périodes it may join, and the activités that have some.
            for activite in &mut list.items {
                activite.periodes.retain(|p| by.shows(p));
            }
            if by.for_a_child() {
                list.items.retain(|a| !a.periodes.is_empty());
            }
            if list.items.is_empty() {
                let text = if by.for_a_child() {
                    "Aucune période ne peut accueillir cet enfant pour le moment."
                } else {
                    "Aucune activité n'est proposée pour le moment."
                };
                view! { <p class="empty">{text}</p> }.into_any()
            } else {
                list.items
                    .into_iter()
                    .map(|activite| view! { <ActiviteCard activite by now/> })
                    .collect_view()
                    .into_any()
            }
        })}
    }
}

/// One activité: what it is, then its périodes.
#[component]
fn ActiviteCard(activite: ActiviteView, by: ByChild, now: RwSignal<f64>) -> impl IntoView {
    let (heading_id, labelled_by) = (
        format!("activite-{}", activite.id),
        format!("activite-{}", activite.id),
    );
    let pieces = activite.pieces_requises.clone();
    let tarifs = activite.tarifs.trim().to_string();
    let nom = activite.nom.clone();
    // While wishes may be ranked « Classer mes vœux », then « Voir mes vœux » (the results).
    let at = instant(now.get_untracked());
    let voeux = activite.periodes.iter().find(|p| is_equitable(p)).map(|p| {
        let open = matches!(phase(p, at), Phase::Avant | Phase::Voeux);
        (
            voeux_path(activite.id),
            if open {
                "Classer mes vœux"
            } else {
                "Voir mes vœux"
            },
            format!(" pour « {} »", activite.nom),
        )
    });
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
            {voeux.map(|(href, label, what)| view! { <Voeux href label what/> })}
            {if activite.periodes.is_empty() {
                view! { <p class="empty">"Aucune période n'est ouverte pour le moment."</p> }.into_any()
            } else {
                view! {
                    <ul class="periodes">
                        {activite.periodes.into_iter().map(|p| view! { <PeriodeItem activite=nom.clone() periode=p by now/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </article>
    }
}

/// The places of some périodes are drawn among wishes: how, and (signed in) « Classer mes
/// vœux » (« Voir mes vœux » once they are closed).
#[component]
fn Voeux(href: String, label: &'static str, what: String) -> impl IntoView {
    let session = use_session();
    view! {
        <p class="hint">"Attribution équitable : classez vos vœux pour chaque enfant avant la fermeture ; un tirage au sort public attribue ensuite les places. Inutile de vous connecter à l'ouverture."</p>
        {move || session.is_authenticated().then(|| {
            let (href, what) = (href.clone(), what.clone());
            view! {
                <p><A href=href attr:class="button primary">{label}<span class="visually-hidden">{what}</span></A></p>
            }
        })}
    }
}

/// One période: dates, hours, places left, the window and, in its last day, the countdown
/// to its opening for this household (« Inscrire » is described by them); who may join;
/// « Inscrire ».
#[component]
fn PeriodeItem(
    activite: String,
    periode: PeriodeView,
    by: ByChild,
    now: RwSignal<f64>,
) -> impl IntoView {
    let session = use_session();
    let full = periode.places_restantes == 0;
    let equitable = is_equitable(&periode);
    // An équitable période takes wishes, never an enrolment.
    let open = !equitable
        && window(&periode, instant(now.get_untracked())) != Window::Closed
        && takes_enrolments(&periode);
    let window_id = format!("fenetre-{}", periode.id);
    let opening = by.opening(&periode);
    let state = periode.clone();
    // The window, then the countdown on a line of its own (one text: `pre-line`).
    let window_line = move || {
        let now = instant(now.get());
        if equitable {
            return attribution_text(&state, now);
        }
        let mut text = window_text(&state, now);
        if let Some(countdown) = countdown_text(opening, now) {
            text.push('\n');
            text.push_str(&countdown);
        }
        text
    };
    let who = by.who_view(periode.id);
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
    let tirage = equitable.then(|| (tirage_path(periode.id), what.clone()));
    // Before the draw the places are all there is to say; after it, what is left.
    let drawn = matches!(
        phase(&periode, instant(now.get_untracked())),
        Phase::Tire(_)
    );
    let places_text = if equitable && !drawn {
        match periode.capacite {
            1 => "1 place".to_string(),
            n => format!("{n} places"),
        }
    } else {
        places(&periode)
    };
    view! {
        <li class="periode">
            <h4>{periode.libelle.clone()}</h4>
            <p>{format!("Dates : {}", dates(periode.premier_jour, periode.dernier_jour))}</p>
            {(!periode.horaires.trim().is_empty()).then(|| view! { <p>{format!("Horaires : {}", periode.horaires)}</p> })}
            <p>
                <span class=if full { "badge badge-refused" } else { "badge badge-ok" }>{places_text}</span>
            </p>
            <p class="window" id=window_id.clone()>{window_line}</p>
            {(periode.mode_validation == ModeValidation::SurValidation).then(|| view! {
                <p class="hint">"Chaque demande est validée par la mairie."</p>
            })}
            {who}
            {tirage.map(|(href, what)| view! {
                <p><A href=href>"Voir le tirage"<span class="visually-hidden">{what}</span></A></p>
            })}
            {open.then(|| view! {
                <p>
                    <A href=href attr:class="button primary" attr:aria-describedby=window_id>
                        "Inscrire"<span class="visually-hidden">{what}</span>
                    </A>
                </p>
            })}
        </li>
    }
}
