//! « Ma demande de création de dossier famille »: the three-step wizard of the seed
//! (Étape 1/3 Famille, 2/3 Pièces justificatives, 3/3 Récapitulatif).
//!
//! The draft lives on the server and is saved as the family goes (address on leaving a
//! field, a member with « Enregistrer »). Every write sends `If-Match` with the version of
//! the dossier last read; when another tab or the other parent changed it meanwhile (412),
//! the page says so and « Recharger » fetches the fresh version while keeping whatever the
//! user was typing, to apply it again. The current step is in the address (`?etape=2`) so
//! that the browser's back button and the « Corriger » links of the recap work.

mod member_form;
pub mod model;
mod piece_dialog;
mod pieces;
mod pieces_model;
pub mod recap;
mod steps;

use std::future::Future;

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use shared::api::dossier::{AddressInput, DemandeDetail, DemandeStatus, DossierResponse};
use shared::error::ErrorCode;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError, Authed};
use crate::components::guard::RequireSession;
use crate::components::page_title::{PageTitle, set_document_title};
use crate::components::stepper::Stepper;
use crate::i18n::problem_message;
use crate::state::{Session, use_session};

const STEPS: &[&str] = &["Famille", "Pièces justificatives", "Récapitulatif"];
const TITLE: &str = "Ma demande de création de dossier famille";

/// The address being typed (saved when a field is left).
#[derive(Clone, Copy)]
pub struct AddressDraft {
    pub adresse: RwSignal<String>,
    pub code_postal: RwSignal<String>,
    pub commune: RwSignal<String>,
}

impl AddressDraft {
    fn set_from(&self, address: &AddressInput) {
        self.adresse
            .set(address.adresse.clone().unwrap_or_default());
        self.code_postal
            .set(address.code_postal.clone().unwrap_or_default());
        self.commune
            .set(address.commune.clone().unwrap_or_default());
    }

    pub fn to_input(self) -> AddressInput {
        let text = |s: &RwSignal<String>| {
            let v = s.get_untracked();
            let t = v.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        AddressInput {
            adresse: text(&self.adresse),
            code_postal: text(&self.code_postal),
            commune: text(&self.commune),
        }
    }
}

/// The wizard's shared state (Leptos context).
#[derive(Clone, Copy)]
pub struct Wizard {
    pub session: Session,
    pub id: Uuid,
    /// The dossier as last read or written.
    pub dossier: RwSignal<Option<DossierResponse>>,
    /// The failure of the first load.
    pub load_error: RwSignal<Option<ApiError>>,
    pub address: AddressDraft,
    /// « Enregistré à 10:42 », shown in a status region.
    pub saved: RwSignal<Option<String>>,
    /// Set by a 412: the dossier changed elsewhere.
    pub conflict: RwSignal<bool>,
    /// Whether a member form is open (it shows the conflict message itself).
    pub editing: RwSignal<bool>,
    /// Bumped by « Recharger »: open member forms merge the fresh version.
    pub reloaded: RwSignal<u32>,
    /// A write is in flight: the next one waits for its new version.
    busy: StoredValue<bool>,
}

fn now_hm() -> String {
    chrono::Local::now().format("%H:%M").to_string()
}

impl Wizard {
    fn new(session: Session, id: Uuid) -> Self {
        Self {
            session,
            id,
            dossier: RwSignal::new(None),
            load_error: RwSignal::new(None),
            address: AddressDraft {
                adresse: RwSignal::new(String::new()),
                code_postal: RwSignal::new(String::new()),
                commune: RwSignal::new(String::new()),
            },
            saved: RwSignal::new(None),
            conflict: RwSignal::new(false),
            editing: RwSignal::new(false),
            reloaded: RwSignal::new(0),
            busy: StoredValue::new(false),
        }
    }

    /// `/api/dossiers/{id}` plus `suffix`.
    pub fn path(&self, suffix: &str) -> String {
        format!("/api/dossiers/{}{suffix}", self.id)
    }

    fn load(self) {
        spawn_local(async move {
            match api::authed(self.session)
                .get::<DossierResponse>(&self.path(""))
                .await
            {
                Ok(dossier) => {
                    self.address.set_from(&dossier.address);
                    self.dossier.set(Some(dossier));
                }
                Err(error) => self.load_error.set(Some(error)),
            }
        });
    }

    /// « Recharger » after a conflict: the fresh dossier, without losing what is typed.
    /// Each address field the user changed is kept (and saved again on top of the fresh
    /// version); the others take the fresh values. Open member forms do the same
    /// (see [`model::MemberDraft::merge`]) and are saved with « Enregistrer ».
    pub fn reload_after_conflict(self) {
        spawn_local(async move {
            let before = self
                .dossier
                .with_untracked(|d| d.as_ref().map(|d| d.address.clone()))
                .unwrap_or_default();
            match api::authed(self.session)
                .get::<DossierResponse>(&self.path(""))
                .await
            {
                Ok(fresh) => {
                    let fresh_address = fresh.address.clone();
                    let merge = |typed: RwSignal<String>,
                                 base: &Option<String>,
                                 new: &Option<String>| {
                        if typed.with_untracked(|t| t.trim() == base.as_deref().unwrap_or_default())
                        {
                            typed.set(new.clone().unwrap_or_default());
                        }
                    };
                    merge(
                        self.address.adresse,
                        &before.adresse,
                        &fresh_address.adresse,
                    );
                    merge(
                        self.address.code_postal,
                        &before.code_postal,
                        &fresh_address.code_postal,
                    );
                    merge(
                        self.address.commune,
                        &before.commune,
                        &fresh_address.commune,
                    );
                    self.dossier.set(Some(fresh));
                    self.conflict.set(false);
                    self.reloaded.update(|n| *n += 1);
                    self.saved.set(Some(
                        "Dossier rechargé : vos saisies en cours sont conservées. Enregistrez-les pour les appliquer."
                            .into(),
                    ));
                    if self.address.to_input() != fresh_address {
                        let _ = self.save_address().await;
                    }
                }
                Err(error) => self.saved.set(Some(problem_message(&error))),
            }
        });
    }

    /// Runs one write with `If-Match: "<version>"`, one at a time, and keeps the new
    /// dossier from its answer.
    pub async fn write<T, F, Fut>(
        self,
        call: F,
        dossier_of: fn(&T) -> Option<&DossierResponse>,
    ) -> Result<T, ApiError>
    where
        F: FnOnce(Authed) -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        while self.busy.get_value() {
            TimeoutFuture::new(30).await;
        }
        self.busy.set_value(true);
        let version = self
            .dossier
            .with_untracked(|d| d.as_ref().map(|d| d.version))
            .unwrap_or_default();
        self.saved.set(Some("Enregistrement en cours…".into()));
        let result = call(api::authed(self.session).if_match(version)).await;
        self.busy.set_value(false);
        match &result {
            Ok(value) => {
                if let Some(dossier) = dossier_of(value) {
                    self.dossier.set(Some(dossier.clone()));
                }
                self.conflict.set(false);
                self.saved.set(Some(format!("Enregistré à {}", now_hm())));
            }
            Err(error) if error.code() == ErrorCode::PreconditionFailed => {
                self.saved.set(None);
                self.conflict.set(true);
                focus_selector(".conflict button");
            }
            Err(_) => self.saved.set(Some("Non enregistré.".into())),
        }
        result
    }

    /// Saves the address if it differs from the stored one. `Err` carries a refusal.
    pub async fn save_address(self) -> Result<(), ApiError> {
        let input = self.address.to_input();
        let stored = self
            .dossier
            .with_untracked(|d| d.as_ref().map(|d| d.address.clone()));
        if stored.is_none() || stored == Some(input.clone()) {
            return Ok(());
        }
        let path = self.path("");
        self.write(
            move |client| async move { client.patch::<_, DossierResponse>(&path, &input).await },
            |d| Some(d),
        )
        .await
        .map(|_| ())
    }
}

/// Focuses the first element matching `selector` once the DOM is updated.
pub fn focus_selector(selector: &'static str) {
    request_animation_frame(move || {
        let element = document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(element) = element {
            let _ = element.focus();
        }
    });
}

/// The context of the wizard.
pub fn use_wizard() -> Wizard {
    expect_context::<Wizard>()
}

/// `/demarches/dossier/{id}`.
#[component]
pub fn DossierWizardPage() -> impl IntoView {
    view! {
        <RequireSession>
            <WizardView/>
        </RequireSession>
    }
}

#[component]
fn WizardView() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let query = use_query_map();
    let navigate = use_navigate();
    let id = params
        .with_untracked(|p| p.get("id"))
        .and_then(|s| Uuid::parse_str(&s).ok())
        .unwrap_or_default();
    let wizard = Wizard::new(session, id);
    provide_context(wizard);
    wizard.load();

    let step = Memo::new(move |_| {
        query
            .with(|q| q.get("etape"))
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|s| (1..=STEPS.len()).contains(s))
            .unwrap_or(1)
            - 1
    });
    let go = Callback::new(move |target: usize| {
        navigate(
            &format!("/demarches/dossier/{id}?etape={}", target + 1),
            Default::default(),
        );
    });
    provide_context(go);
    // Each step is announced: the document title names it and its heading takes the focus.
    Effect::new(move |previous: Option<usize>| {
        let current = step.get();
        set_document_title(&format!(
            "Étape {}/{} {} — {TITLE}",
            current + 1,
            STEPS.len(),
            STEPS[current]
        ));
        if previous.is_some_and(|p| p != current) {
            focus_selector("main h2.step-heading");
        }
        current
    });

    // Only whether it is loaded and editable re-renders the steps (not every save).
    let state = Memo::new(move |_| {
        wizard
            .dossier
            .with(|d| d.as_ref().map(|d| (d.editable, d.demande.id)))
    });
    view! {
        <PageTitle title=TITLE/>
        <Stepper steps=STEPS current=step/>
        {move || {
            if let Some(error) = wizard.load_error.get() {
                return view! { <div role="alert"><p class="notice">{problem_message(&error)}</p></div> }.into_any();
            }
            let Some((editable, demande)) = state.get() else {
                return view! { <p class="loading" role="status">"Chargement du dossier…"</p> }.into_any();
            };
            if !editable {
                return view! {
                    <div class="card">
                        <p class="notice">"Ce dossier a été transmis à la mairie : il ne peut plus être modifié pour l'instant."</p>
                        <p><leptos_router::components::A href=format!("/demarches/demande/{demande}")>"Consulter ma demande"</leptos_router::components::A></p>
                    </div>
                }.into_any();
            }
            view! { <Steps step=step/> }.into_any()
        }}
    }
}

#[component]
fn Steps(step: Memo<usize>) -> impl IntoView {
    let wizard = use_wizard();
    // « À compléter »: the town's message says what to correct; keep it in sight.
    let agent_message = RwSignal::new(None::<String>);
    let to_complete = wizard.dossier.with_untracked(|d| {
        d.as_ref()
            .filter(|d| d.demande.status == DemandeStatus::ACompleter)
            .map(|d| d.demande.id)
    });
    if let Some(demande) = to_complete {
        spawn_local(async move {
            if let Ok(detail) = api::authed(wizard.session)
                .get::<DemandeDetail>(&format!("/api/demandes/{demande}"))
                .await
            {
                agent_message.set(detail.agent_message);
            }
        });
    }
    view! {
        {move || agent_message.get().map(|message| view! {
            <section class="agent-message" aria-labelledby="message-mairie-titre">
                <h2 id="message-mairie-titre">"Message de la mairie"</h2>
                <p>{message}</p>
            </section>
        })}
        <Show when=move || !wizard.editing.get()>
            <ConflictBanner/>
        </Show>
        <div class="save-status" role="status">
            {move || wizard.saved.get().map(|text| view! { <p>{text}</p> })}
        </div>
        {move || match step.get() {
            0 => view! { <steps::FamilyStep/> }.into_any(),
            1 => view! { <pieces::DocumentsStep/> }.into_any(),
            _ => view! { <steps::RecapStep/> }.into_any(),
        }}
    }
}

/// The 412 message with « Recharger ».
#[component]
pub fn ConflictBanner() -> impl IntoView {
    let wizard = use_wizard();
    view! {
        <div class="conflict-region" role="alert">
            <Show when=move || wizard.conflict.get()>
                <div class="conflict notice">
                    <p>"Ce dossier a été modifié entre-temps (autre onglet ou autre parent)."</p>
                    <p class="hint">"Rechargez-le : ce que vous êtes en train de saisir est conservé, vous pourrez ensuite l'enregistrer."</p>
                    <button type="button" class="button secondary" on:click=move |_| wizard.reload_after_conflict()>
                        "Recharger"
                    </button>
                </div>
            </Show>
        </div>
    }
}
