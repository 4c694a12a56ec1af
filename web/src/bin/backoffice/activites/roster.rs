//! « Liste des inscrits » of a période (`/backoffice/periodes/{id}`): each child with its
//! age, dossier, status, the responsables' phones, who may pick it up and whom to call in
//! an emergency; « Confirmer » / « Refuser » a request, « Annuler » a place (with the
//! reason the family reads); the CSV export (`;`, UTF-8); « Inscrire un enfant » for a
//! family who called the town hall (dossier number, then the child).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::api::activites::{
    AgentInscriptionRequest, Contact, EnfantDossierList, InscriptionStatut, InscriptionView,
    Roster, RosterEntry,
};
use uuid::Uuid;

use super::decision::{Asked, MotifDialog, confirm, decided, decision_failure, status_badge};
use super::model::paris_date_time;
use crate::api::{self, ApiError, save_blob};
use crate::components::field::{Field, FormErrors, add_error};
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::format::day;
use crate::forms::SAID;
use crate::i18n::problem_message;
use crate::login::focus_id;
use crate::pages::activites::model::{dates, places, years};
use crate::pages::activites::reasons::code_text;
use crate::state::{Session, use_session};

const LIST: &str = "inscrits-titre";

#[derive(Clone, Copy)]
struct Page {
    session: Session,
    id: Uuid,
    roster: RwSignal<Option<Result<Roster, ApiError>>>,
    done: RwSignal<Option<String>>,
    failure: RwSignal<Option<String>>,
    asked: RwSignal<Option<Asked>>,
}

impl Page {
    fn reload(self) {
        spawn_local(async move {
            let roster = api::authed(self.session)
                .get::<Roster>(&format!(
                    "/api/backoffice/periodes/{}/inscriptions",
                    self.id
                ))
                .await;
            self.roster.set(Some(roster));
        });
    }

    /// After a change: the message, the list again, the focus on its heading.
    fn changed(self, message: String) {
        self.failure.set(None);
        self.done.set(Some(message));
        self.reload();
        focus_id(LIST);
    }
}

/// `/backoffice/periodes/{id}`.
#[component]
pub fn RosterPage() -> impl IntoView {
    let params = use_params_map();
    let id = params
        .with_untracked(|p| p.get("id"))
        .and_then(|s| Uuid::parse_str(&s).ok())
        .unwrap_or_default();
    let page = Page {
        session: use_session(),
        id,
        roster: RwSignal::new(None),
        done: RwSignal::new(None),
        failure: RwSignal::new(None),
        asked: RwSignal::new(None),
    };
    page.reload();
    view! {
        <PageTitle title="Liste des inscrits"/>
        <p><A href="/backoffice/activites">"Retour aux activités"</A></p>
        <StatusMessage message=page.done/>
        <div role="alert">{move || page.failure.get().map(|t| view! { <p class="notice">{t}</p> })}</div>
        {move || page.roster.with(|r| match r {
            None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
            Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(e)}</p></div> }.into_any(),
            Some(Ok(roster)) => view! {
                {summary(page, roster)}
                {entries(page, roster)}
            }.into_any(),
        })}
        <AgentEnrol page/>
        <MotifDialog session=page.session asked=page.asked
            on_done=Callback::new(move |message| page.changed(message))/>
    }
}

/// The période: dates, counts, the export.
fn summary(page: Page, roster: &Roster) -> impl IntoView + use<> {
    let agent = &roster.periode;
    let p = &agent.periode;
    let file = format!(
        "inscrits-{}.csv",
        slug(&format!("{} {}", roster.activite, p.libelle))
    );
    let exporting = RwSignal::new(false);
    let export = move |_| {
        if exporting.get_untracked() {
            return;
        }
        exporting.set(true);
        let file = file.clone();
        spawn_local(async move {
            let path = format!("/api/backoffice/periodes/{}/inscriptions.csv", page.id);
            let result = api::authed(page.session).download(&path).await;
            exporting.set(false);
            match result.and_then(|blob| save_blob(&blob, &file)) {
                Ok(()) => page
                    .done
                    .set(Some(format!("Téléchargement de « {file} » lancé."))),
                Err(e) => page.failure.set(Some(problem_message(&e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="periode-titre">
            <h2 id="periode-titre">{format!("{} — {}", roster.activite, p.libelle)}</h2>
            <p>{format!("{} · {}", dates(p.premier_jour, p.dernier_jour), p.horaires)}</p>
            <p>{format!(
                "Capacité : {} · {} confirmée(s) · {} demandée(s) · {} proposée(s) · {} en liste d'attente — {}",
                p.capacite, agent.confirmees, agent.demandees, agent.proposees, p.en_liste_attente, places(p)
            )}</p>
            <p>{format!("Inscriptions du {} au {} (heure de Paris)", paris_date_time(&p.ouverture), paris_date_time(&p.fermeture))}</p>
            <button type="button" class="button secondary" on:click=export
                aria-disabled=move || exporting.get().then_some("true")>"Exporter la liste (CSV)"</button>
        </section>
    }
}

/// « stage-multisports-semaine-1 », for a file name.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// « Nom (06 12 34 56 78) » per contact.
fn contact_list(contacts: &[Contact]) -> impl IntoView + use<> {
    if contacts.is_empty() {
        return view! { <span class="not-given">"—"</span> }.into_any();
    }
    let items: Vec<String> = contacts
        .iter()
        .map(|c| match &c.telephone {
            Some(phone) => format!("{} ({phone})", c.nom),
            None => c.nom.clone(),
        })
        .collect();
    view! { <ul class="plain">{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> }
        .into_any()
}

fn entries(page: Page, roster: &Roster) -> impl IntoView + use<> {
    let count = match roster.items.len() {
        0 => "Aucun enfant inscrit pour l'instant.".to_string(),
        1 => "1 inscription.".to_string(),
        n => format!(
            "{n} inscriptions (confirmées, puis demandées, proposées, en attente, terminées)."
        ),
    };
    let label = format!("{} — {}", roster.activite, roster.periode.periode.libelle);
    let rows = roster.items.clone();
    view! {
        <section aria-labelledby=LIST>
            <h2 id=LIST tabindex="-1">"Enfants inscrits"</h2>
            <p class="status-line">{count}</p>
            {(!rows.is_empty()).then(|| view! {
                <div class="table-wrap">
                    <table class="stack-table content-table roster">
                        <caption class="visually-hidden">"Enfants de la période, avec les personnes à appeler"</caption>
                        <thead><tr>
                            <th scope="col">"Enfant"</th>
                            <th scope="col">"Statut"</th>
                            <th scope="col">"Responsables"</th>
                            <th scope="col">"Autorisés à récupérer"</th>
                            <th scope="col">"En cas d'urgence"</th>
                            <th scope="col">"Actions"</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|entry| entry_row(page, &label, entry)).collect_view()}
                        </tbody>
                    </table>
                </div>
            })}
        </section>
    }
}

fn entry_row(page: Page, label: &str, entry: RosterEntry) -> impl IntoView + use<> {
    let id = entry.inscription.id;
    let statut = entry.inscription.statut;
    let who = format!("{} — {label}", entry.enfant);
    let mut about = Vec::new();
    if let Some(age) = entry.age {
        about.push(years(age));
    }
    if let Some(born) = entry.date_naissance {
        about.push(format!("né(e) le {}", day(&born)));
    }
    if let Some(numero) = &entry.dossier_numero {
        about.push(format!("dossier n° {numero}"));
    }
    let mut notes = Vec::new();
    if entry.par_agent {
        notes.push("Par un agent".to_string());
    }
    notes.push(format!(
        "Enregistrée le {}",
        paris_date_time(&entry.cree_le)
    ));
    if let Some(motif) = entry.motif.clone().filter(|m| !m.trim().is_empty()) {
        notes.push(format!("Motif : {motif}"));
    }
    let can_cancel = matches!(
        statut,
        InscriptionStatut::Confirmee
            | InscriptionStatut::Demandee
            | InscriptionStatut::ListeAttente
            | InscriptionStatut::PlaceProposee
    );
    let requested = statut == InscriptionStatut::Demandee;
    let (confirm_who, refuse_who, cancel_who) = (who.clone(), who.clone(), who.clone());
    let on_confirm = move |_| {
        let who = confirm_who.clone();
        spawn_local(async move {
            match confirm(page.session, id).await {
                Ok(view) => page.changed(decided(&who, &view)),
                Err(e) => {
                    page.failure.set(Some(decision_failure(&e)));
                    page.reload();
                }
            }
        });
    };
    view! {
        <tr>
            <td data-label="Enfant">
                <span class="row-title">{entry.enfant.clone()}</span>
                <span>{about.join(" · ")}</span>
            </td>
            <td data-label="Statut">
                <span>{status_badge(&entry)}</span>
                <span class="hint">{notes.join(" · ")}</span>
            </td>
            <td data-label="Responsables">{contact_list(&entry.responsables)}</td>
            <td data-label="Autorisés à récupérer">{contact_list(&entry.autorises)}</td>
            <td data-label="En cas d'urgence">{contact_list(&entry.urgences)}</td>
            <td data-label="Actions">
                <span class="row-actions">
                    {requested.then(|| view! {
                        <button type="button" class="button primary" aria-label=format!("Confirmer la demande de {who}")
                            on:click=on_confirm>"Confirmer"</button>
                        <button type="button" class="button secondary danger" aria-label=format!("Refuser la demande de {who}")
                            on:click=move |_| page.asked.set(Some(Asked { id, refuse: true, who: refuse_who.clone() }))>"Refuser"</button>
                    })}
                    {can_cancel.then(|| view! {
                        <button type="button" class="button secondary danger" aria-label=format!("Annuler l'inscription de {who}")
                            on:click=move |_| page.asked.set(Some(Asked { id, refuse: false, who: cancel_who.clone() }))>"Annuler"</button>
                    })}
                </span>
            </td>
        </tr>
    }
}

/// Why an agent's enrolment was refused: every reason the server gave.
fn enrol_failure(error: &ApiError) -> String {
    let reasons = error.problem.field("_");
    if error.status() == 422 && !reasons.is_empty() {
        return reasons
            .iter()
            .map(|c| code_text(c))
            .collect::<Vec<_>>()
            .join(" ");
    }
    match error.status() {
        409 => "La période est complète et n'a pas de liste d'attente.".into(),
        _ => problem_message(error),
    }
}

/// « Inscrire un enfant »: the dossier's number, then one of its children.
#[component]
fn AgentEnrol(page: Page) -> impl IntoView {
    let numero = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let found = RwSignal::new(None::<EnfantDossierList>);
    let chosen = RwSignal::new(None::<Uuid>);
    let pending = RwSignal::new(false);
    let enrol_error = RwSignal::new(None::<String>);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        found.set(None);
        chosen.set(None);
        enrol_error.set(None);
        let typed = numero.get_untracked().trim().to_string();
        if typed.is_empty() {
            let mut fields = shared::error::FieldErrors::new();
            add_error(&mut fields, "dossier", shared::validation::codes::REQUIRED);
            errors.show_fields(fields);
            return;
        }
        spawn_local(async move {
            let path = format!(
                "/api/backoffice/enfants?dossier={}",
                String::from(js_sys::encode_uri_component(&typed))
            );
            match api::authed(page.session)
                .get::<EnfantDossierList>(&path)
                .await
            {
                Ok(list) => {
                    if let [only] = list.items.as_slice() {
                        chosen.set(Some(only.id));
                    }
                    found.set(Some(list));
                    focus_id("inscrire-enfants");
                }
                Err(e) if e.status() == 404 => {
                    let mut fields = shared::error::FieldErrors::new();
                    add_error(
                        &mut fields,
                        "dossier",
                        &format!("{SAID}Aucun dossier validé ne porte ce numéro."),
                    );
                    errors.show_fields(fields);
                }
                Err(e) => errors.show_api(&e),
            }
        });
    };
    let enrol = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(enfant_id) = chosen.get_untracked() else {
            enrol_error.set(Some("Choisissez l'enfant à inscrire.".into()));
            return;
        };
        let name = found
            .with_untracked(|f| {
                f.as_ref().and_then(|f| {
                    f.items
                        .iter()
                        .find(|c| c.id == enfant_id)
                        .map(|c| format!("{} {}", c.prenom, c.nom))
                })
            })
            .unwrap_or_default();
        pending.set(true);
        enrol_error.set(None);
        spawn_local(async move {
            let result = api::authed(page.session)
                .post::<_, InscriptionView>(
                    &format!("/api/backoffice/periodes/{}/inscriptions", page.id),
                    &AgentInscriptionRequest { enfant_id },
                )
                .await;
            pending.set(false);
            match result {
                Ok(view) => {
                    found.set(None);
                    chosen.set(None);
                    numero.set(String::new());
                    page.changed(decided(&name, &view));
                }
                Err(e) => enrol_error.set(Some(enrol_failure(&e))),
            }
        });
    };
    let messages = Callback::new(|code: String| crate::forms::message(&code));
    view! {
        <section class="card" aria-labelledby="inscrire-titre">
            <h2 id="inscrire-titre">"Inscrire un enfant"</h2>
            <p class="hint">"Pour une famille qui s'adresse à la mairie : la fenêtre d'inscription ne s'applique pas, les autres règles (dossier validé, âge, pièces, places) oui. La famille le voit dans « Mes inscriptions »."</p>
            <form role="search" aria-label="Chercher un dossier" novalidate=true on:submit=search>
                <Field id="inscrire-dossier" name="dossier" label="Numéro du dossier famille" value=numero
                    errors=errors.field("dossier") translate=messages/>
                <div role="alert">{move || errors.general.get().map(|t| view! { <p class="notice">{t}</p> })}</div>
                <button type="submit" class="button secondary">"Rechercher"</button>
            </form>
            {move || found.get().map(|list| view! {
                <form novalidate=true on:submit=enrol>
                    <fieldset class="radios" id="inscrire-enfants" tabindex="-1">
                        <legend>{format!("Enfant du dossier n° {} à inscrire", list.dossier_numero)}</legend>
                        {if list.items.is_empty() {
                            view! { <p class="empty">"Ce dossier ne compte aucun enfant."</p> }.into_any()
                        } else {
                            list.items.into_iter().map(|child| {
                                let input_id = format!("inscrire-{}", child.id);
                                let child_id = child.id;
                                let born = child.date_naissance.map(|d| format!(" — né(e) le {}", day(&d))).unwrap_or_default();
                                view! {
                                    <div class="radio">
                                        <input type="radio" id=input_id.clone() name="enfant" value=child_id.to_string()
                                            prop:checked=move || chosen.get() == Some(child_id)
                                            on:change=move |_| chosen.set(Some(child_id))/>
                                        <label for=input_id>{format!("{} {}{born}", child.prenom, child.nom)}</label>
                                    </div>
                                }
                            }).collect_view().into_any()
                        }}
                    </fieldset>
                    <div role="alert">{move || enrol_error.get().map(|t| view! { <p class="field-error">{t}</p> })}</div>
                    <button type="submit" class="button primary" aria-disabled=move || pending.get().then_some("true")>"Inscrire"</button>
                </form>
            })}
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn file_names_are_made_of_words() {
        assert_eq!(
            slug("Stage multisports Semaine 1 : du 16 au 20 février"),
            "stage-multisports-semaine-1-du-16-au-20-février"
        );
    }
}
