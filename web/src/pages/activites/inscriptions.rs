//! « Mes inscriptions » (`/inscriptions`, signed in): per child, each période with its
//! status — confirmée, demandée, liste d'attente (position N), place proposée (to accept
//! before a deadline), annulée, refusée (with the town's reason) —, « Annuler
//! l'inscription » until the deadline, « Accepter la place » / « Refuser » for an offered
//! place; and the summary card of « Mes démarches ».

use chrono::Utc;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::activites::{
    InscriptionDetail, InscriptionList, InscriptionStatut, InscriptionView, OffreReponse,
};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::components::guard::RequireSession;
use crate::components::modal::ConfirmDialog;
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::format::{day, paris_today};
use crate::i18n::problem_message;
use crate::pages::activites::model::{
    cancellable, current, dates, statut_class, statut_label, summary,
};
use crate::state::{Session, use_session};

/// `/inscriptions`.
#[component]
pub fn InscriptionsPage() -> impl IntoView {
    view! {
        <RequireSession>
            <PageTitle title="Mes inscriptions"/>
            <Inscriptions/>
        </RequireSession>
    }
}

/// The page's state, shared with its cards.
#[derive(Clone, Copy)]
struct Page {
    session: Session,
    list: RwSignal<Option<Result<InscriptionList, ApiError>>>,
    /// What was done last (announced).
    done: RwSignal<Option<String>>,
    /// The inscription to cancel, and how it is named.
    to_cancel: RwSignal<Option<(Uuid, String)>>,
    /// The offered place to decline, and how it is named.
    to_decline: RwSignal<Option<(Uuid, String)>>,
    pending: RwSignal<bool>,
    /// Why the dialog's action failed.
    error: RwSignal<Option<String>>,
    /// Why « Accepter la place » failed (outside any dialog).
    failure: RwSignal<Option<String>>,
}

impl Page {
    async fn fetch(self) {
        let list = api::authed(self.session)
            .get::<InscriptionList>("/api/inscriptions")
            .await;
        self.list.set(Some(list));
    }

    /// Sends an action on inscription `id`, then says `success` and reloads; the focus goes
    /// back to the inscription's heading (its buttons changed).
    fn act(self, id: Uuid, action: Action, success: String) {
        if self.pending.get_untracked() {
            return;
        }
        self.pending.set(true);
        self.error.set(None);
        self.failure.set(None);
        self.done.set(None);
        spawn_local(async move {
            let client = api::authed(self.session);
            let result = match action {
                Action::Cancel => {
                    client
                        .post::<_, InscriptionView>(
                            &format!("/api/inscriptions/{id}/annulation"),
                            &serde_json::json!({}),
                        )
                        .await
                }
                Action::Answer(accepter) => {
                    client
                        .post::<_, InscriptionView>(
                            &format!("/api/inscriptions/{id}/reponse"),
                            &OffreReponse { accepter },
                        )
                        .await
                }
            };
            self.pending.set(false);
            match result {
                Ok(_) => {
                    self.to_cancel.set(None);
                    self.to_decline.set(None);
                    self.done.set(Some(success));
                }
                Err(error) => {
                    let text = action_failure(action, &error);
                    // The page may have been left meanwhile: nothing to show then.
                    let in_dialog = |asked: RwSignal<Option<(Uuid, String)>>| {
                        asked.try_with_untracked(Option::is_some).unwrap_or(false)
                    };
                    if in_dialog(self.to_cancel) || in_dialog(self.to_decline) {
                        self.error.set(Some(text));
                    } else {
                        self.failure.set(Some(text));
                    }
                }
            }
            self.fetch().await;
            focus_heading(id);
        });
    }
}

/// What a button asks of the server.
#[derive(Clone, Copy)]
enum Action {
    Cancel,
    /// The answer to an offered place.
    Answer(bool),
}

/// A refused action, in French: a 409 means the deadline passed (cancellation) or the
/// offer expired.
fn action_failure(action: Action, error: &ApiError) -> String {
    match (action, error.status()) {
        (Action::Cancel, 409) => {
            "Le délai d'annulation est dépassé : pour annuler, contactez la mairie.".into()
        }
        (Action::Answer(_), 409) => {
            "Cette proposition a expiré : la place a été proposée à l'enfant suivant sur la liste d'attente.".into()
        }
        _ => problem_message(error),
    }
}

/// Focuses an inscription's heading once the list is drawn again (after the answer).
fn focus_heading(id: Uuid) {
    let element_id = format!("inscription-{id}");
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(&element_id)
            .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok())
        {
            let _ = element.focus();
        }
    });
}

#[component]
fn Inscriptions() -> impl IntoView {
    let page = Page {
        session: use_session(),
        list: RwSignal::new(None),
        done: RwSignal::new(None),
        to_cancel: RwSignal::new(None),
        to_decline: RwSignal::new(None),
        pending: RwSignal::new(false),
        error: RwSignal::new(None),
        failure: RwSignal::new(None),
    };
    spawn_local(page.fetch());
    let close = Callback::new(move |()| {
        page.to_cancel.set(None);
        page.to_decline.set(None);
        page.error.set(None);
    });
    let cancel = Callback::new(move |()| {
        if let Some((id, name)) = page.to_cancel.get_untracked() {
            page.act(
                id,
                Action::Cancel,
                format!("L'inscription de {name} est annulée."),
            );
        }
    });
    let decline = Callback::new(move |()| {
        if let Some((id, name)) = page.to_decline.get_untracked() {
            page.act(
                id,
                Action::Answer(false),
                format!("Vous avez refusé la place proposée pour {name}."),
            );
        }
    });
    view! {
        <div class="actions">
            <A href="/inscriptions/nouvelle" attr:class="button primary">"Inscrire un enfant"</A>
            <A href="/activites" attr:class="button secondary">"Voir les activités"</A>
        </div>
        <StatusMessage message=page.done/>
        <div role="alert">{move || page.failure.get().map(|t| view! { <p class="notice">{t}</p> })}</div>
        {move || page.list.with(|list| match list {
            None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
            Some(Err(error)) => view! { <div role="alert"><p class="notice">{problem_message(error)}</p></div> }.into_any(),
            Some(Ok(list)) if list.items.is_empty() => view! {
                <p class="empty">"Aucune inscription pour le moment."</p>
            }.into_any(),
            Some(Ok(list)) => by_child(&list.items)
                .into_iter()
                .enumerate()
                .map(|(index, (enfant, items))| view! { <ChildSection index enfant items page/> })
                .collect_view()
                .into_any(),
        })}
        <ConfirmDialog id="annulation" title="Annuler l'inscription ?" subject=page.to_cancel
            describe=|name| format!("L'inscription de {name} sera annulée et la place proposée à un autre enfant. Pour revenir, il faudra inscrire l'enfant à nouveau, s'il reste de la place.")
            confirm_label="Annuler l'inscription" pending=page.pending error=page.error
            on_confirm=cancel on_cancel=close/>
        <ConfirmDialog id="refus-place" title="Refuser la place proposée ?" subject=page.to_decline
            describe=|name| format!("La place proposée pour {name} sera donnée à l'enfant suivant sur la liste d'attente.")
            confirm_label="Refuser la place" pending=page.pending error=page.error
            on_confirm=decline on_cancel=close/>
    }
}

/// The inscriptions grouped by child, in the order the server gave (latest période first).
fn by_child(items: &[InscriptionDetail]) -> Vec<(String, Vec<InscriptionDetail>)> {
    let mut groups: Vec<(String, Vec<InscriptionDetail>)> = Vec::new();
    for item in items {
        match groups.iter_mut().find(|(name, _)| *name == item.enfant) {
            Some((_, list)) => list.push(item.clone()),
            None => groups.push((item.enfant.clone(), vec![item.clone()])),
        }
    }
    groups
}

/// One child's inscriptions.
#[component]
fn ChildSection(
    index: usize,
    enfant: String,
    items: Vec<InscriptionDetail>,
    page: Page,
) -> impl IntoView {
    let (heading, labelled_by) = (format!("enfant-{index}"), format!("enfant-{index}"));
    view! {
        <section aria-labelledby=labelled_by>
            <h2 id=heading>{enfant}</h2>
            <ul class="plain inscriptions">
                {items.into_iter().map(|item| view! { <InscriptionCard item page/> }).collect_view()}
            </ul>
        </section>
    }
}

/// One inscription: what, when, its status, and what the family may do.
#[component]
fn InscriptionCard(item: InscriptionDetail, page: Page) -> impl IntoView {
    let id = item.inscription.id;
    let statut = item.inscription.statut;
    let name = format!("{} à « {} » ({})", item.enfant, item.activite, item.periode);
    let what = format!(" de {name}");
    let can_cancel = cancellable(&item, paris_today());
    let note = match statut {
        InscriptionStatut::Demandee => Some(
            "La mairie examine votre demande ; la place est réservée en attendant.".to_string(),
        ),
        InscriptionStatut::ListeAttente => {
            Some("Si une place se libère, elle vous sera proposée par e-mail.".to_string())
        }
        _ => None,
    };
    let agent = item.par_agent.then_some(match statut {
        InscriptionStatut::Annulee => "Annulée par la mairie.",
        _ => "Inscription faite par la mairie.",
    });
    let motif = item
        .motif
        .clone()
        .filter(|m| !m.trim().is_empty() && !current(statut));
    let deadline = matches!(
        statut,
        InscriptionStatut::Confirmee | InscriptionStatut::Demandee
    )
    .then(|| {
        if can_cancel {
            format!(
                "Annulation possible jusqu'au {} inclus.",
                day(&item.annulable_jusqu_au)
            )
        } else {
            "Le délai d'annulation est dépassé : pour annuler, contactez la mairie.".to_string()
        }
    });
    let (accept_name, decline_name, cancel_name) = (name.clone(), name.clone(), name.clone());
    let accept = move |_| {
        page.act(
            id,
            Action::Answer(true),
            format!("Place acceptée : l'inscription de {accept_name} est confirmée."),
        );
    };
    view! {
        <li class="card inscription">
            <h3 id=format!("inscription-{id}") tabindex="-1">{item.activite.clone()}</h3>
            <p>{format!("{} — {}", item.periode, dates(item.premier_jour, item.dernier_jour))}</p>
            <p class="status-line">"Statut : "<span class=statut_class(statut)>{statut_label(&item, Utc::now())}</span></p>
            {note.map(|n| view! { <p class="hint">{n}</p> })}
            {agent.map(|a| view! { <p class="hint">{a}</p> })}
            {motif.map(|m| view! { <p class="motif">{format!("Motif : {m}")}</p> })}
            {deadline.map(|d| view! { <p class="hint">{d}</p> })}
            <div class="actions">
                {(statut == InscriptionStatut::PlaceProposee).then(|| view! {
                    <button type="button" class="button primary" on:click=accept
                        aria-disabled=move || page.pending.get().then_some("true")>
                        "Accepter la place"<span class="visually-hidden">{what.clone()}</span>
                    </button>
                    <button type="button" class="button secondary danger" on:click=move |_| {
                        page.error.set(None);
                        page.to_decline.set(Some((id, decline_name.clone())));
                    }>
                        "Refuser"<span class="visually-hidden">{format!(" la place proposée{what}")}</span>
                    </button>
                })}
                {can_cancel.then(|| view! {
                    <button type="button" class="button secondary danger" on:click=move |_| {
                        page.error.set(None);
                        page.to_cancel.set(Some((id, cancel_name.clone())));
                    }>
                        "Annuler l'inscription"<span class="visually-hidden">{what.clone()}</span>
                    </button>
                })}
            </div>
        </li>
    }
}

/// « Mes démarches »: the family's inscriptions in one line, with the links.
#[component]
pub fn InscriptionsSummary() -> impl IntoView {
    let session = use_session();
    let list = RwSignal::new(None::<Result<InscriptionList, ApiError>>);
    spawn_local(async move {
        list.set(Some(
            api::authed(session)
                .get::<InscriptionList>("/api/inscriptions")
                .await,
        ));
    });
    view! {
        <section class="card demarche" aria-labelledby="inscriptions-titre">
            <h2 id="inscriptions-titre">"Mes inscriptions aux activités"</h2>
            <p>{move || list.with(|l| match l {
                None => "Chargement…".to_string(),
                Some(Ok(l)) => summary(&l.items),
                Some(Err(e)) => problem_message(e),
            })}</p>
            <div class="actions">
                <A href="/inscriptions" attr:class="button primary">"Voir mes inscriptions"</A>
                <A href="/inscriptions/nouvelle" attr:class="button secondary">"Inscrire un enfant"</A>
            </div>
        </section>
    }
}
