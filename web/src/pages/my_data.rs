//! « Mes données » in « Mon compte » (RGPD art. 15, 17, 20): « Obtenir une copie de mes
//! données » (prepared by the server, announced by email, downloaded with the password
//! typed again) and « Fermer mon compte » (after the password, with what is erased now and
//! what the town keeps).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::api::privacy::{
    DataExport, DataExportList, DownloadLink, ExportState, PasswordConfirmation,
};
use shared::pieces::human_size;
use shared::validation::field_errors;
use validator::Validate;

use crate::api::{self, ApiError};
use crate::components::field::{ErrorSummary, Field, FormErrors};
use crate::components::status::StatusMessage;
use crate::format::date_time;
use crate::i18n::problem_message;
use crate::pages::dossier::focus_selector;
use crate::state::Session;

const PASSWORD_LABELS: &[(&str, &str)] = &[("password", "Mot de passe")];

/// The password typed, checked by the shared rule; `None` (errors shown) when empty.
fn typed_password(password: RwSignal<String>, errors: FormErrors) -> Option<PasswordConfirmation> {
    errors.clear();
    let request = PasswordConfirmation {
        password: password.get_untracked(),
    };
    if let Err(e) = request.validate()
        && errors.show_fields(field_errors(&e))
    {
        return None;
    }
    Some(request)
}

/// How often the list is read again while a copy is being prepared, and how many times.
const POLL_MS: u64 = 3000;
const POLLS: u32 = 40;

fn state_text(state: ExportState) -> &'static str {
    match state {
        ExportState::EnPreparation => "En préparation",
        ExportState::Prete => "Prête",
        ExportState::Expiree => "Expirée",
        ExportState::Echec => "Échec : demandez une nouvelle copie",
    }
}

/// « Mes données »: the copies, and the button that asks for one.
#[component]
pub fn MyData(session: Session) -> impl IntoView {
    let data = RwSignal::new(None::<Result<DataExportList, ApiError>>);
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let polls = StoredValue::new(0_u32);
    // Reads the list; while a copy is in preparation, reads it again a little later.
    fn load(
        session: Session,
        data: RwSignal<Option<Result<DataExportList, ApiError>>>,
        polls: StoredValue<u32>,
    ) {
        spawn_local(async move {
            let result = api::authed(session)
                .get::<DataExportList>("/api/me/exports")
                .await;
            let preparing = result.as_ref().is_ok_and(|list| {
                list.items
                    .iter()
                    .any(|e| e.state == ExportState::EnPreparation)
            });
            data.set(Some(result));
            if preparing && polls.get_value() < POLLS {
                polls.update_value(|n| *n += 1);
                set_timeout(
                    move || load(session, data, polls),
                    std::time::Duration::from_millis(POLL_MS),
                );
            }
        });
    }
    load(session, data, polls);
    let ask = move |_| {
        done.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = api::authed(session)
                .post::<_, DataExport>("/api/me/exports", &serde_json::json!({}))
                .await;
            pending.set(false);
            match result {
                Ok(_) => {
                    done.set(Some("Votre copie est en préparation : un email vous préviendra dès qu'elle sera prête, et elle apparaîtra ci-dessous.".into()));
                    polls.set_value(0);
                    load(session, data, polls);
                }
                Err(e) => done.set(Some(problem_message(&e))),
            }
        });
    };
    view! {
        <section class="card" id="mes-donnees" aria-labelledby="donnees-titre">
            <h2 id="donnees-titre">"Mes données"</h2>
            <p>"Obtenez une copie de tout ce que le portail conserve sur vous : votre compte, l'historique de vos connexions, votre dossier famille, vos demandes, vos pièces justificatives et leurs fichiers, vos inscriptions, les emails envoyés et les consultations de votre dossier. La copie est un fichier ZIP de documents JSON réutilisables ailleurs."</p>
            <button type="button" class="button primary" disabled=move || pending.get() on:click=ask>
                "Obtenir une copie de mes données"
            </button>
            <StatusMessage message=done/>
            {move || match data.get() {
                None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
                Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(&e)}</p></div> }.into_any(),
                Some(Ok(list)) if list.items.is_empty() => ().into_any(),
                Some(Ok(list)) => view! {
                    <h3 id="copies-titre">"Mes copies"</h3>
                    <p class="hint">{format!("Une copie reste disponible {} jours, puis elle est supprimée.", list.kept_days)}</p>
                    <ul class="plain exports" aria-labelledby="copies-titre">
                        {list.items.into_iter().map(|export| view! { <ExportItem session export/> }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        <CloseAccount session=session/>
    }
}

/// One copy: its state, and for a ready one the password form that downloads it.
#[component]
fn ExportItem(session: Session, export: DataExport) -> impl IntoView {
    let title = format!(
        "Copie demandée le {} : {}",
        date_time(&export.requested_at),
        state_text(export.state)
    );
    let details = match (export.state, export.expires_at, export.size_bytes) {
        (ExportState::Prete, Some(end), Some(size)) => Some(format!(
            "{} — disponible jusqu'au {}",
            human_size(size),
            date_time(&end)
        )),
        _ => None,
    };
    let ready = export.state == ExportState::Prete;
    view! {
        <li class="export">
            <p><strong>{title}</strong>{details.map(|d| view! { <br/>{d} })}</p>
            {ready.then(|| view! { <DownloadForm session id=export.id.to_string()/> })}
        </li>
    }
}

/// The password, then the one-time link the browser follows: the ZIP is saved as it
/// arrives, never held in the page's memory.
#[component]
fn DownloadForm(session: Session, id: String) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let field_id = format!("copie-mdp-{}", &id[..8]);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(request) = typed_password(password, errors) else {
            return;
        };
        pending.set(true);
        let path = format!("/api/me/exports/{id}/lien");
        spawn_local(async move {
            let result = api::authed(session)
                .post::<_, DownloadLink>(&path, &request)
                .await;
            pending.set(false);
            match result {
                Ok(link) => {
                    password.set(String::new());
                    // An attachment: the browser downloads it and stays on this page.
                    let _ = window().location().assign(&link.url);
                }
                Err(e) => errors.show_api(&e),
            }
        });
    };
    view! {
        <form on:submit=submit novalidate=true class="export-download">
            <ErrorSummary errors=errors labels=PASSWORD_LABELS/>
            <Field id=field_id name="password" label="Mot de passe" value=password
                errors=errors.field("password") input_type="password" autocomplete="current-password"
                hint="Pour vérifier qu'il s'agit bien de vous avant le téléchargement."/>
            <button type="submit" class="button secondary" disabled=move || pending.get()>"Télécharger ma copie"</button>
        </form>
    }
}

/// « Fermer mon compte »: what goes now, what the town keeps, then the password.
#[component]
fn CloseAccount(session: Session) -> impl IntoView {
    let open = RwSignal::new(false);
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let navigate = use_navigate();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(request) = typed_password(password, errors) else {
            return;
        };
        pending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::authed(session)
                .post::<_, serde_json::Value>("/api/me/fermeture", &request)
                .await;
            pending.set(false);
            match result {
                Ok(_) => {
                    session.end();
                    navigate("/compte-ferme", Default::default());
                }
                Err(e) => errors.show_api(&e),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="fermeture-titre">
            <h2 id="fermeture-titre">"Fermer mon compte"</h2>
            <p>"Sont effacés immédiatement : votre compte et votre identifiant, vos sessions (vous serez déconnecté partout), l'historique de vos connexions, les emails reçus du portail et ce que vous n'avez pas transmis à la mairie (dossier en brouillon, pièces non envoyées)."</p>
            <p>"La mairie conserve, comme tout service public, le dossier famille qu'elle a reçu, vos demandes transmises et leur historique, vos inscriptions et le journal des consultations, pendant les durées indiquées sur la page « Données personnelles ». Si un autre compte est rattaché à votre dossier, il le garde."</p>
            <p>"Pensez à obtenir d'abord une copie de vos données si vous souhaitez les conserver."</p>
            {move || if open.get() {
                view! {
                    <form on:submit=submit.clone() novalidate=true>
                        <ErrorSummary errors=errors labels=PASSWORD_LABELS/>
                        <Field id="fermeture-mdp" name="password" label="Mot de passe" value=password
                            errors=errors.field("password") input_type="password" autocomplete="current-password"
                            hint="Pour confirmer qu'il s'agit bien de vous. La fermeture est définitive."/>
                        <div class="row-actions">
                            <button type="submit" class="button danger" disabled=move || pending.get()>"Fermer définitivement mon compte"</button>
                            <button type="button" class="button secondary" on:click=move |_| {
                                open.set(false);
                                focus_selector("#fermeture-ouvrir");
                            }>"Annuler"</button>
                        </div>
                    </form>
                }.into_any()
            } else {
                view! {
                    <button type="button" id="fermeture-ouvrir" class="button secondary danger" on:click=move |_| {
                        open.set(true);
                        focus_selector("#fermeture-mdp");
                    }>
                        "Fermer mon compte…"
                    </button>
                }.into_any()
            }}
        </section>
    }
}

/// `/compte-ferme`: where the family lands once its account is closed.
#[component]
pub fn ClosedPage() -> impl IntoView {
    view! {
        <crate::components::page_title::PageTitle title="Compte fermé"/>
        <p>"Votre compte est fermé. Un email de confirmation a été envoyé à votre adresse."</p>
        <p>"La mairie conserve le dossier famille qu'elle a reçu et vos demandes transmises : pour les retrouver un jour, créez un nouveau compte et rattachez-le à votre dossier."</p>
        <p><leptos_router::components::A href="/">"Retour à l'accueil"</leptos_router::components::A></p>
    }
}
