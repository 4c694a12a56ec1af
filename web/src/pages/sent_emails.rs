//! « E-mails envoyés » in « Mon compte »: what the portal wrote to the account — kind,
//! date, status (envoyé, en attente, échec), never the body — with « Renvoyer » where a
//! fresh link makes sense (SECURITY.md L-07).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::account::{EmailStatus, SentEmail, SentEmailList};
use shared::api::registration::AcceptedResponse;

use crate::api::{self, ApiError};
use crate::components::status::StatusMessage;
use crate::format::date_time;
use crate::i18n::problem_message;
use crate::state::Session;

fn status_text(status: EmailStatus) -> &'static str {
    match status {
        EmailStatus::Envoye => "Envoyé",
        EmailStatus::EnAttente => "En attente d'envoi",
        EmailStatus::Echec => "Échec de l'envoi",
    }
}

/// The section of « Mon compte ».
#[component]
pub fn SentEmails(session: Session) -> impl IntoView {
    let data = RwSignal::new(None::<Result<SentEmailList, ApiError>>);
    let done = RwSignal::new(None::<String>);
    let load = move || {
        spawn_local(async move {
            data.set(Some(
                api::authed(session)
                    .get::<SentEmailList>("/api/me/emails")
                    .await,
            ));
        });
    };
    load();
    let resend = Callback::new(move |email: SentEmail| {
        done.set(None);
        spawn_local(async move {
            let path = format!("/api/me/emails/{}/renvoi", email.id);
            let result = api::authed(session)
                .post::<_, AcceptedResponse>(&path, &serde_json::json!({}))
                .await;
            done.set(Some(match result {
                Ok(_) => format!(
                    "« {} » : un nouvel e-mail vous a été envoyé.",
                    email.libelle
                ),
                Err(e) => problem_message(&e),
            }));
            load();
        });
    });
    view! {
        <section class="card" aria-labelledby="emails-titre">
            <h2 id="emails-titre">"E-mails envoyés"</h2>
            <StatusMessage message=done/>
            {move || match data.get() {
                None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
                Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(&e)}</p></div> }.into_any(),
                Some(Ok(list)) if list.items.is_empty() => view! { <p class="empty">"Aucun e-mail envoyé."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Tableau des e-mails envoyés">
                        <table>
                            <caption>"Les e-mails que le portail vous a écrits, du plus récent au plus ancien (leur contenu n'est pas conservé)."</caption>
                            <thead><tr>
                                <th scope="col">"Date"</th>
                                <th scope="col">"E-mail"</th>
                                <th scope="col">"Statut"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {list.items.into_iter().map(|email| {
                                    let failed = email.status == EmailStatus::Echec;
                                    let action = email.renvoi_possible.then(|| {
                                        let (label, again) = (format!("Renvoyer « {} »", email.libelle), email.clone());
                                        view! {
                                            <button type="button" class="button secondary" aria-label=label
                                                on:click=move |_| resend.run(again.clone())>"Renvoyer"</button>
                                        }
                                    });
                                    view! {
                                        <tr>
                                            <td>{date_time(&email.created_at)}</td>
                                            <td>{email.libelle.clone()}</td>
                                            <td class:ko=failed>{status_text(email.status)}</td>
                                            <td>{action}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}
