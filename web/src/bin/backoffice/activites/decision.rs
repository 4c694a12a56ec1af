//! What an agent does with one inscription, from a période's list or from the queue:
//! « Confirmer » a request, « Refuser » it or « Annuler » a place, the last two with a
//! reason the family reads (a dialog).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::activites::{
    AnnulationRequest, Decision, DecisionRequest, InscriptionView, RosterEntry,
};
use uuid::Uuid;

use crate::api::{self, ApiError};
use crate::dialog::{Dialog, use_dialog_cancel};
use crate::i18n::problem_message;
use crate::pages::activites::model::{result_text, statut_class, statut_text};
use crate::state::Session;

/// What the dialog asks about.
#[derive(Clone, Debug, PartialEq)]
pub struct Asked {
    pub id: Uuid,
    /// Refuse a request (`true`) or cancel an inscription.
    pub refuse: bool,
    /// « Léa Martin — Stage multisports (Semaine 1) ».
    pub who: String,
}

/// « Confirmer » a request *sur validation*.
pub async fn confirm(session: Session, id: Uuid) -> Result<InscriptionView, ApiError> {
    api::authed(session)
        .post(
            &format!("/api/backoffice/inscriptions/{id}/decision"),
            &DecisionRequest {
                decision: Decision::Confirmer,
                motif: None,
            },
        )
        .await
}

/// The sentence after a decision: « Léa Martin : Confirmée. »
pub fn decided(who: &str, view: &InscriptionView) -> String {
    format!("{who} : {}.", result_text(view))
}

/// Why a decision failed: someone decided first (409), or the message.
pub fn decision_failure(error: &ApiError) -> String {
    if error.status() == 409 {
        "Cette inscription a déjà changé (autre agent, ou la famille) : la liste a été rechargée."
            .into()
    } else {
        problem_message(error)
    }
}

/// The status of an entry, as a badge.
pub fn status_badge(entry: &RosterEntry) -> impl IntoView + use<> {
    let text = statut_text(
        &entry.inscription,
        entry.offre_expire_at,
        chrono::Utc::now(),
    );
    view! { <span class=statut_class(entry.inscription.statut)>{text}</span> }
}

/// « Refuser la demande » / « Annuler l'inscription » with its reason: open while `asked`
/// holds something; `on_done` gets the sentence to announce.
#[component]
pub fn MotifDialog(
    session: Session,
    asked: RwSignal<Option<Asked>>,
    on_done: Callback<String>,
) -> impl IntoView {
    let motif = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let close = Callback::new(move |()| {
        asked.set(None);
        motif.set(String::new());
        error.set(None);
    });
    let title = Signal::derive(move || {
        asked.with(|a| match a {
            Some(a) if a.refuse => format!("Refuser la demande : {}", a.who),
            Some(a) => format!("Annuler l'inscription : {}", a.who),
            None => String::new(),
        })
    });
    let refuse = move || asked.with(|a| a.as_ref().is_some_and(|a| a.refuse));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(target) = asked.get_untracked() else {
            return;
        };
        if pending.get_untracked() {
            return;
        }
        let text = motif.get_untracked().trim().to_string();
        if text.is_empty() {
            error.set(Some("Indiquez le motif : la famille le lira.".into()));
            crate::login::focus_id("motif-texte");
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let client = api::authed(session);
            let result = if target.refuse {
                client
                    .post::<_, InscriptionView>(
                        &format!("/api/backoffice/inscriptions/{}/decision", target.id),
                        &DecisionRequest {
                            decision: Decision::Refuser,
                            motif: Some(text),
                        },
                    )
                    .await
            } else {
                client
                    .post::<_, InscriptionView>(
                        &format!("/api/backoffice/inscriptions/{}/annulation", target.id),
                        &AnnulationRequest { motif: text },
                    )
                    .await
            };
            pending.set(false);
            match result {
                Ok(view) => {
                    close.run(());
                    on_done.run(decided(&target.who, &view));
                }
                Err(e) => error.set(Some(decision_failure(&e))),
            }
        });
    };
    let invalid = move || {
        if error.with(Option::is_some) {
            "true"
        } else {
            "false"
        }
    };
    let described = move || {
        if error.with(Option::is_some) {
            "motif-aide motif-erreur"
        } else {
            "motif-aide"
        }
    };
    view! {
        <Dialog id="motif" title open=Signal::derive(move || asked.with(Option::is_some)) on_cancel=close>
            <form novalidate=true on:submit=submit>
                <div class="field" class:field-invalid=move || error.with(Option::is_some)>
                    <label for="motif-texte">"Motif"<span class="required" aria-hidden="true">" *"</span></label>
                    <p class="hint" id="motif-aide">"La famille lira ce motif dans « Mes inscriptions » et dans l'e-mail qu'elle reçoit."</p>
                    <textarea id="motif-texte" name="motif" rows="4" required=true
                        aria-invalid=invalid aria-describedby=described
                        prop:value=move || motif.get()
                        on:input=move |ev| motif.set(event_target_value(&ev))></textarea>
                    <div role="alert">
                        {move || error.get().map(|t| view! {
                            <p class="field-error" id="motif-erreur"><span class="visually-hidden">"Erreur : "</span>{t}</p>
                        })}
                    </div>
                </div>
                <div class="actions">
                    <BackButton/>
                    <button type="submit" class="button primary danger-button"
                        aria-disabled=move || pending.get().then_some("true")>
                        {move || if refuse() { "Refuser la demande" } else { "Annuler l'inscription" }}
                    </button>
                </div>
            </form>
        </Dialog>
    }
}

/// « Retour »: closes the dialog without acting, the focus back on the button that opened
/// it (« Annuler » would read as the action itself here).
#[component]
fn BackButton() -> impl IntoView {
    let cancel = use_dialog_cancel();
    view! { <button type="button" class="button secondary" on:click=move |_| cancel.run(())>"Retour"</button> }
}
