//! « Inscriptions à valider » (`/backoffice/inscriptions-a-valider`): the requests of the
//! périodes *sur validation*, oldest first, each to confirm or refuse with a reason.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::activites::{DemandeInscription, DemandeInscriptionList};

use super::decision::{Asked, MotifDialog, confirm, decided, decision_failure};
use super::model::paris_date_time;
use crate::api::{self, ApiError};
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::i18n::problem_message;
use crate::login::focus_id;
use crate::pages::activites::model::years;
use crate::state::{Session, use_session};

const LIST: &str = "a-valider-titre";

#[derive(Clone, Copy)]
struct Page {
    session: Session,
    list: RwSignal<Option<Result<DemandeInscriptionList, ApiError>>>,
    done: RwSignal<Option<String>>,
    failure: RwSignal<Option<String>>,
    asked: RwSignal<Option<Asked>>,
}

impl Page {
    fn reload(self) {
        spawn_local(async move {
            let list = api::authed(self.session)
                .get::<DemandeInscriptionList>("/api/backoffice/inscriptions/a-valider")
                .await;
            self.list.set(Some(list));
        });
    }

    fn changed(self, message: String) {
        self.failure.set(None);
        self.done.set(Some(message));
        self.reload();
        focus_id(LIST);
    }
}

/// `/backoffice/inscriptions-a-valider`.
#[component]
pub fn AValiderPage() -> impl IntoView {
    let page = Page {
        session: use_session(),
        list: RwSignal::new(None),
        done: RwSignal::new(None),
        failure: RwSignal::new(None),
        asked: RwSignal::new(None),
    };
    page.reload();
    let count = move || {
        page.list.with(|l| match l {
            None => "Chargement…".to_string(),
            Some(Ok(l)) if l.items.is_empty() => "Aucune demande d'inscription à valider.".into(),
            Some(Ok(l)) if l.items.len() == 1 => "1 demande d'inscription à valider.".into(),
            Some(Ok(l)) => format!(
                "{} demandes d'inscription à valider, de la plus ancienne à la plus récente.",
                l.items.len()
            ),
            Some(Err(_)) => String::new(),
        })
    };
    view! {
        <PageTitle title="Inscriptions à valider"/>
        <p>"Les demandes d'inscription aux périodes « sur validation » : la place est réservée jusqu'à votre décision. La famille est prévenue par e-mail."</p>
        <StatusMessage message=page.done/>
        <div role="alert">{move || page.failure.get().map(|t| view! { <p class="notice">{t}</p> })}</div>
        <section aria-labelledby=LIST>
            <h2 id=LIST tabindex="-1">"Demandes"</h2>
            <div role="status" class="status-line">{count}</div>
            {move || page.list.with(|l| match l {
                Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(e)}</p></div> }.into_any(),
                Some(Ok(l)) if !l.items.is_empty() => view! {
                    <div class="table-wrap">
                        <table class="stack-table content-table">
                            <caption class="visually-hidden">"Demandes d'inscription, de la plus ancienne à la plus récente"</caption>
                            <thead><tr>
                                <th scope="col">"Demandée le"</th>
                                <th scope="col">"Enfant"</th>
                                <th scope="col">"Activité"</th>
                                <th scope="col">"Actions"</th>
                            </tr></thead>
                            <tbody>{l.items.iter().cloned().map(|d| request_row(page, d)).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any(),
                _ => ().into_any(),
            })}
        </section>
        <MotifDialog session=page.session asked=page.asked
            on_done=Callback::new(move |message| page.changed(message))/>
    }
}

fn request_row(page: Page, request: DemandeInscription) -> impl IntoView {
    let entry = &request.entry;
    let id = entry.inscription.id;
    let who = format!(
        "{} — {} ({})",
        entry.enfant, request.activite, request.periode
    );
    let mut about = Vec::new();
    if let Some(age) = entry.age {
        about.push(years(age));
    }
    if let Some(numero) = &entry.dossier_numero {
        about.push(format!("dossier n° {numero}"));
    }
    let roster = format!("/backoffice/periodes/{}", entry.inscription.periode_id);
    let (confirm_who, refuse_who) = (who.clone(), who.clone());
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
            <td data-label="Demandée le"><span>{paris_date_time(&entry.cree_le)}</span></td>
            <td data-label="Enfant">
                <span class="row-title">{entry.enfant.clone()}</span>
                <span>{about.join(" · ")}</span>
            </td>
            <td data-label="Activité">
                <span>{format!("{} — {}", request.activite, request.periode)}</span>
                <A href=roster>"Liste des inscrits"<span class="visually-hidden">{format!(" de {} — {}", request.activite, request.periode)}</span></A>
            </td>
            <td data-label="Actions">
                <span class="row-actions">
                    <button type="button" class="button primary" aria-label=format!("Confirmer la demande de {who}")
                        on:click=on_confirm>"Confirmer"</button>
                    <button type="button" class="button secondary danger" aria-label=format!("Refuser la demande de {who}")
                        on:click=move |_| page.asked.set(Some(Asked { id, refuse: true, who: refuse_who.clone() }))>"Refuser"</button>
                </span>
            </td>
        </tr>
    }
}
