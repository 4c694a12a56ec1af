//! « Activités » (issue 12): every activité, published or not, with its périodes and their
//! counts; the forms that create or change an activité and a période (dates and times in
//! Europe/Paris); a période's « Liste des inscrits » ([`roster`]) and the requests waiting
//! for an agent ([`a_valider`]). An équitable période's row runs its draw ([`tirage`],
//! issue 13). What these screens share is in [`page`], [`model`] and [`decision`], so
//! they do not import each other.

pub mod a_valider;
mod decision;
mod model;
mod page;
mod periode_form;
mod periode_values;
pub mod roster;
mod tirage;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::activites::{ActiviteAgentView, PeriodeAgentView};
use uuid::Uuid;

use crate::components::field::FormErrors;
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::forms::{Editor, Form, Kind, SYNTAX_HELP, Spec};
use crate::login::focus_id;
use crate::pages::activites::model::{ages, categorie_label, dates, places};
use crate::state::use_session;
use model::{ActiviteValues, CATEGORIES, paris_date_time, periode_statut_label};
use page::{Editing, FORM, LIST, Page, explained};
use periode_form::periode_form;
use tirage::tirage_cell;

/// `/backoffice/activites`.
#[component]
pub fn ActivitesPage() -> impl IntoView {
    let page = Page {
        session: use_session(),
        list: RwSignal::new(None),
        types: RwSignal::new(Vec::new()),
        done: RwSignal::new(None),
        editing: RwSignal::new(None),
    };
    page.reload();
    page.load_types();
    let count = move || {
        page.list.with(|l| match l {
            None => "Chargement…".to_string(),
            Some(Ok(l)) if l.items.is_empty() => "Aucune activité pour l'instant.".into(),
            Some(Ok(l)) if l.items.len() == 1 => "1 activité.".into(),
            Some(Ok(l)) => format!("{} activités.", l.items.len()),
            Some(Err(_)) => String::new(),
        })
    };
    view! {
        <PageTitle title="Activités"/>
        <p>"Les activités publiées paraissent sur la page « Activités » du portail avec leurs périodes publiées. Les dates et heures sont celles de Paris."</p>
        <p><A href="/backoffice/inscriptions-a-valider">"Inscriptions à valider"</A></p>
        <StatusMessage message=page.done/>
        <Show when=move || page.editing.with(Option::is_none)>
            <p><button type="button" id="activite-nouvelle" class="button primary"
                on:click=move |_| page.edit(Editing::Activite(None))>"Nouvelle activité"</button></p>
        </Show>
        {move || page.editing.get().map(|editing| match editing {
            Editing::Activite(activite) => activite_form(page, activite).into_any(),
            Editing::Periode { activite_id, activite, periode } => {
                periode_form(page, activite_id, activite, periode).into_any()
            }
        })}
        <section aria-labelledby=LIST>
            <h2 id=LIST tabindex="-1">"Activités et périodes"</h2>
            <div role="status" class="status-line">{count}</div>
            {move || page.list.with(|l| match l {
                Some(Err(e)) => view! { <div role="alert"><p class="notice">{crate::i18n::problem_message(e)}</p></div> }.into_any(),
                Some(Ok(l)) => l.items.iter().map(|a| activite_card(page, a)).collect_view().into_any(),
                None => ().into_any(),
            })}
        </section>
    }
}

/// One activité: what it is, its buttons, its périodes.
fn activite_card(page: Page, activite: &ActiviteAgentView) -> impl IntoView + use<> {
    let heading = format!("activite-{}", activite.id);
    let labelled_by = heading.clone();
    let edited = activite.clone();
    let (activite_id, nom) = (activite.id, activite.nom.clone());
    let add_periode = move |_| {
        page.edit(Editing::Periode {
            activite_id,
            activite: nom.clone(),
            periode: None,
        })
    };
    let periodes = activite.periodes.clone();
    let nom = activite.nom.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h3 id=heading>
                {activite.nom.clone()}" "
                <span class=if activite.publiee { "badge badge-ok" } else { "badge badge-draft" }>
                    {if activite.publiee { "Publiée" } else { "Non publiée" }}
                </span>
            </h3>
            <p>{format!("{} · {} · {}", categorie_label(activite.categorie), activite.lieu, ages(activite.age_min, activite.age_max))}</p>
            <div class="row-actions">
                <button type="button" class="button secondary" aria-label=format!("Modifier l'activité « {} »", activite.nom)
                    on:click=move |_| page.edit(Editing::Activite(Some(edited.clone())))>"Modifier"</button>
                <button type="button" class="button secondary" aria-label=format!("Ajouter une période à « {} »", activite.nom)
                    on:click=add_periode>"Ajouter une période"</button>
            </div>
            {if periodes.is_empty() {
                view! { <p class="empty">"Aucune période pour l'instant."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="stack-table content-table">
                            <caption class="visually-hidden">{format!("Périodes de « {} »", activite.nom)}</caption>
                            <thead><tr>
                                <th scope="col">"Période"</th>
                                <th scope="col">"Statut"</th>
                                <th scope="col">"Places"</th>
                                <th scope="col">"Inscriptions"</th>
                                <th scope="col">"Actions"</th>
                            </tr></thead>
                            <tbody>
                                {periodes.into_iter().map(|p| periode_row(page, activite_id, &nom, p)).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// One période: its dates, status, counts, window and buttons.
fn periode_row(
    page: Page,
    activite_id: Uuid,
    activite: &str,
    agent: PeriodeAgentView,
) -> impl IntoView + use<> {
    let p = &agent.periode;
    let counts = format!(
        "{} confirmée(s) sur {} · {} demandée(s) · {} proposée(s) · {} en liste d'attente — {}",
        agent.confirmees,
        p.capacite,
        agent.demandees,
        agent.proposees,
        p.en_liste_attente,
        places(p)
    );
    let mut window = format!(
        "du {} au {}",
        paris_date_time(&p.ouverture),
        paris_date_time(&p.fermeture)
    );
    if let Some(early) = &p.ouverture_residents {
        window.push_str(&format!(" (habitants : dès le {})", paris_date_time(early)));
    }
    let name = format!("la période « {} » de « {activite} »", p.libelle);
    let tirage = tirage_cell(page, p, &name);
    let roster = format!("/backoffice/periodes/{}", p.id);
    let edited = agent.clone();
    let activite = activite.to_string();
    view! {
        <tr>
            <td data-label="Période">
                <span class="row-title">{p.libelle.clone()}</span>
                <span>{format!(" — {}", dates(p.premier_jour, p.dernier_jour))}</span>
            </td>
            <td data-label="Statut"><span>{periode_statut_label(agent.statut)}</span></td>
            <td data-label="Places"><span>{counts}</span></td>
            <td data-label="Inscriptions"><span>{window}</span>{tirage}</td>
            <td data-label="Actions">
                <span class="row-actions">
                    <A href=roster attr:class="button secondary" attr:aria-label=format!("Liste des inscrits de {name}")>"Liste des inscrits"</A>
                    <button type="button" class="button secondary" aria-label=format!("Modifier {name}")
                        on:click=move |_| page.edit(Editing::Periode {
                            activite_id,
                            activite: activite.clone(),
                            periode: Some(edited.clone()),
                        })>"Modifier"</button>
                </span>
            </td>
        </tr>
    }
}

/// The options of « Pièces requises »: the catalogue's types, and those the activité
/// already requires even if the catalogue retired them.
fn piece_options(page: Page, activite: Option<&ActiviteAgentView>) -> Vec<(String, String)> {
    let mut options = page.types.get_untracked();
    for piece in activite
        .map(|a| a.pieces_requises.as_slice())
        .unwrap_or_default()
    {
        if !options.iter().any(|(code, _)| *code == piece.code) {
            options.push((piece.code.clone(), piece.libelle.clone()));
        }
    }
    options
}

fn activite_form(page: Page, activite: Option<ActiviteAgentView>) -> impl IntoView {
    let id = activite.as_ref().map(|a| a.id);
    let initial = ActiviteValues::of(activite.as_ref());
    let s = |v: &String| RwSignal::new(v.clone());
    let (nom, description, categorie, lieu) = (
        s(&initial.nom),
        s(&initial.description),
        s(&initial.categorie),
        s(&initial.lieu),
    );
    let (age_min, age_max, tarifs, pieces, publiee) = (
        s(&initial.age_min),
        s(&initial.age_max),
        s(&initial.tarifs),
        s(&initial.pieces),
        s(&initial.publiee),
    );
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let heading = match &activite {
        Some(a) => format!("Modifier l'activité « {} »", a.nom),
        None => "Nouvelle activité".into(),
    };
    let options = piece_options(page, activite.as_ref());
    let submit = Callback::new(move |()| {
        errors.clear();
        let values = ActiviteValues {
            nom: nom.get_untracked(),
            description: description.get_untracked(),
            categorie: categorie.get_untracked(),
            lieu: lieu.get_untracked(),
            age_min: age_min.get_untracked(),
            age_max: age_max.get_untracked(),
            tarifs: tarifs.get_untracked(),
            pieces: pieces.get_untracked(),
            publiee: publiee.get_untracked(),
        };
        let input = match values.input() {
            Ok(input) => input,
            Err(fields) => {
                errors.show_fields(fields);
                return;
            }
        };
        pending.set(true);
        spawn_local(async move {
            let result = crate::forms::save::<_, ActiviteAgentView>(
                page.session,
                "/api/backoffice/activites",
                id,
                &input,
            )
            .await;
            pending.set(false);
            match result {
                Ok(saved) => page.changed(format!(
                    "Activité « {} » {}.",
                    saved.nom,
                    if id.is_some() {
                        "enregistrée"
                    } else {
                        "créée"
                    }
                )),
                Err(e) => errors.show_api(&explained(&e)),
            }
        });
    });
    let fields = vec![
        Spec::new("nom", "Nom de l'activité", nom),
        Spec::new("categorie", "Catégorie", categorie).kind(Kind::Select(CATEGORIES)),
        Spec::new("lieu", "Lieu", lieu),
        Spec::new("age_min", "Âge minimum (ans)", age_min)
            .kind(Kind::Number)
            .hint("L'âge atteint le premier jour de la période."),
        Spec::new("age_max", "Âge maximum (ans)", age_max).kind(Kind::Number),
        Spec::new("description", "Description", description)
            .kind(Kind::Area(8))
            .hint(SYNTAX_HELP),
        Spec::new("tarifs", "Tarifs", tarifs)
            .kind(Kind::Area(3))
            .optional()
            .hint("Tels que les familles les liront, par exemple « 12 € la journée, selon le quotient familial »."),
        Spec::new("pieces_requises", "Pièces requises", pieces)
            .kind(Kind::Choices(options))
            .optional()
            .hint("Validées par la mairie et valables jusqu'au dernier jour de la période."),
        Spec::new("publiee", "Publiée", publiee)
            .kind(Kind::Check)
            .hint("Visible dans le catalogue des familles, avec ses périodes publiées."),
    ];
    let cancel = Callback::new(move |()| {
        page.editing.set(None);
        focus_id(LIST);
    });
    view! {
        <Editor id=FORM heading>
            <Form prefix="activite" fields errors pending=pending.into() on_submit=submit on_cancel=cancel
                submit_label=if id.is_some() { "Enregistrer les modifications" } else { "Créer l'activité" }
                preview=(description, Some(nom))/>
        </Editor>
    }
}
