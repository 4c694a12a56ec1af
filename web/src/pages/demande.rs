//! « Consulter ma demande »: status, dates, the dossier as submitted, observation, the
//! agent's message and the history.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::api::backoffice::{ConsultationList, WaitingTime};
use shared::api::dossier::{DemandeDetail, DemandeKind, DemandeStatus};

use crate::api::{self, ApiError, save_blob};
use crate::components::guard::RequireSession;
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::format::{date, date_time};
use crate::i18n::{
    consultation_label, download_message, problem_message, status_label, waiting_time,
};
use crate::pages::demarches::StatusBadge;
use crate::pages::dossier::recap::DossierRecap;
use crate::state::use_session;

/// `/demarches/demande/{id}`.
#[component]
pub fn DemandePage() -> impl IntoView {
    view! {
        <RequireSession>
            <PageTitle title="Consulter ma demande"/>
            <Demande/>
        </RequireSession>
    }
}

#[component]
fn Demande() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let query = use_query_map();
    let just_sent = query.with_untracked(|q| q.get("transmise").is_some());
    let id = params.with_untracked(|p| p.get("id")).unwrap_or_default();
    let data = RwSignal::new(None::<Result<DemandeDetail, ApiError>>);
    let path = format!("/api/demandes/{}", js_sys::encode_uri_component(&id));
    spawn_local(async move {
        data.set(Some(api::authed(session).get::<DemandeDetail>(&path).await));
    });
    view! {
        {just_sent.then(|| view! {
            <div class="status" role="status">
                <p>"Votre dossier a bien été transmis à la mairie. Il est en attente de validation."</p>
            </div>
        })}
        {move || match data.get() {
            None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
            Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(&e)}</p></div> }.into_any(),
            Some(Ok(d)) => view! { <DemandeView detail=d/> }.into_any(),
        }}
    }
}

/// « Télécharger le récépissé »: the PDF of the request as the town holds it.
#[component]
fn ReceiptButton(id: String) -> impl IntoView {
    let session = use_session();
    let message = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let download = move |_| {
        message.set(None);
        pending.set(true);
        let id = id.clone();
        spawn_local(async move {
            let path = format!("/api/demandes/{id}/recepisse");
            let result = api::authed(session).download(&path).await;
            pending.set(false);
            let name = format!(
                "recepisse-{}.pdf",
                id.split('-').next().unwrap_or_default().to_uppercase()
            );
            if let Err(error) = result.and_then(|blob| save_blob(&blob, &name)) {
                message.set(Some(download_message(&error)));
            }
        });
    };
    view! {
        <p>
            <button type="button" class="button secondary" disabled=move || pending.get() on:click=download>
                "Télécharger le récépissé (PDF)"
            </button>
        </p>
        <StatusMessage message=message/>
    }
}

#[component]
fn DemandeView(detail: DemandeDetail) -> impl IntoView {
    let s = &detail.summary;
    let editable = s.status.family_can_edit() && detail.dossier.is_some();
    let with_messages = detail.history.iter().any(|e| e.message.is_some());
    let numero = detail.dossier.as_ref().and_then(|d| d.numero.clone());
    let title = match s.kind {
        DemandeKind::CreationDossier => "Ma demande de création de dossier famille",
        DemandeKind::RattachementDossier => "Ma demande de rattachement à un dossier",
    };
    view! {
        <section class="card" aria-labelledby="demande-titre">
            <h2 id="demande-titre">{title}</h2>
            <dl class="details">
                <dt>"Statut"</dt><dd><StatusBadge status=s.status/></dd>
                <dt>"Commencée le"</dt><dd>{date(&s.created_at)}</dd>
                <dt>"Transmise le"</dt><dd>{s.submitted_at.as_ref().map(date).unwrap_or_else(|| "Pas encore transmise".into())}</dd>
                <dt>"Dernière mise à jour"</dt><dd>{date(&s.updated_at)}</dd>
                {numero.map(|n| view! { <dt>"Numéro du dossier famille"</dt><dd>{n}</dd> })}
            </dl>
            {detail.agent_message.clone().map(|m| view! {
                <div class="agent-message">
                    <h3>"Message de la mairie"</h3>
                    <p>{m}</p>
                </div>
            })}
            {editable.then(|| view! {
                <p><A href=format!("/demarches/dossier/{}", s.dossier_id) attr:class="button primary">"Reprendre mon dossier"</A></p>
            })}
            {(s.submitted_at.is_some() && s.kind == DemandeKind::CreationDossier).then(|| view! {
                <ReceiptButton id=s.id.to_string()/>
            })}
        </section>
        {(s.status == DemandeStatus::EnAttenteValidation).then(|| view! { <WaitingTimeNote/> })}
        <section class="card" aria-labelledby="historique-titre">
            <h2 id="historique-titre">"Historique"</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Tableau de l'historique">
                <table class="history">
                    <caption>"Les étapes de votre demande, de la plus ancienne à la plus récente."</caption>
                    <thead><tr>
                        <th scope="col">"Date"</th>
                        <th scope="col">"Statut"</th>
                        <th scope="col">"Par"</th>
                        {with_messages.then(|| view! { <th scope="col">"Message"</th> })}
                    </tr></thead>
                    <tbody>
                        {detail.history.iter().map(|event| view! {
                            <tr>
                                <td>{date_time(&event.at)}</td>
                                <td>{status_label(event.status)}</td>
                                <td>{if event.actor == "agent" { "La mairie" } else { "Votre famille" }}</td>
                                {with_messages.then(|| view! { <td>{event.message.clone().unwrap_or_default()}</td> })}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        {detail.dossier.clone().map(|dossier| view! {
            <section aria-labelledby="dossier-titre">
                <h2 id="dossier-titre" class="visually-hidden">"Le dossier transmis"</h2>
                <DossierRecap dossier level=3/>
            </section>
            <section class="card" aria-labelledby="observation-titre">
                <h2 id="observation-titre">"Observation"</h2>
                <p class:empty=detail.observation.is_none()>{detail.observation.clone().unwrap_or_else(|| "Aucune observation.".into())}</p>
            </section>
            <Consultations dossier_id=s.dossier_id.to_string()/>
        })}
        {detail.dossier.is_none().then(|| view! {
            <p class="hint">"Les services de la mairie vérifient que ce dossier est bien celui de votre famille. Vous le verrez ici dès qu'ils auront rattaché votre compte ; vous serez prévenu par email."</p>
        })}
        <p><A href="/demarches">"Retour à mes démarches"</A></p>
    }
}

/// « Délai de traitement »: how many requests the town has to look at, and for how long
/// they have waited (the same figures as the agents' queue).
#[component]
fn WaitingTimeNote() -> impl IntoView {
    let data = RwSignal::new(None::<WaitingTime>);
    spawn_local(async move {
        data.set(api::get::<WaitingTime>("/api/delai-traitement").await.ok());
    });
    move || {
        data.get().map(|w| {
            view! {
                <section class="card" aria-labelledby="delai-titre">
                    <h2 id="delai-titre">"Délai de traitement"</h2>
                    <p>{waiting_time(&w)}</p>
                </section>
            }
        })
    }
}

/// « Consultations de mon dossier »: when the town's services looked at it, downloaded a
/// piece or decided (by service, not by person).
#[component]
fn Consultations(dossier_id: String) -> impl IntoView {
    let session = use_session();
    let data = RwSignal::new(None::<Result<ConsultationList, ApiError>>);
    let path = format!("/api/dossiers/{dossier_id}/consultations");
    spawn_local(async move {
        data.set(Some(
            api::authed(session).get::<ConsultationList>(&path).await,
        ));
    });
    view! {
        <section class="card" aria-labelledby="consultations-titre">
            <h2 id="consultations-titre">"Consultations de mon dossier"</h2>
            {move || match data.get() {
                None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="notice">{problem_message(&e)}</p> }.into_any(),
                Some(Ok(list)) if list.items.is_empty() => view! {
                    <p class="empty">"Votre dossier n'a pas encore été consulté par les services de la mairie."</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Tableau des consultations">
                        <table class="history">
                            <caption>"Quand les services de la mairie ont consulté votre dossier, de la plus récente à la plus ancienne."</caption>
                            <thead><tr>
                                <th scope="col">"Date"</th>
                                <th scope="col">"Action"</th>
                                <th scope="col">"Service"</th>
                            </tr></thead>
                            <tbody>
                                {list.items.into_iter().map(|c| view! {
                                    <tr>
                                        <td>{date_time(&c.at)}</td>
                                        <td>{consultation_label(&c.action)}</td>
                                        <td>{c.service}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
