//! « N e-mails n'ont pas pu être envoyés »: the administrators' banner over every back
//! office page when the portal gave up on emails (SECURITY.md L-07), with the list and
//! « Renvoyer les e-mails en échec » once the mail server works again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::backoffice::{FailedEmails, RequeuedEmails};

use crate::api;
use crate::app::use_staff;
use crate::format::date_time;
use crate::i18n::problem_message;
use crate::state::use_session;

/// Shown to administrators only, and only when some email failed.
#[component]
pub fn FailedEmailsBanner() -> impl IntoView {
    let session = use_session();
    let staff = use_staff();
    let data = RwSignal::new(None::<FailedEmails>);
    let message = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let load = move || {
        spawn_local(async move {
            data.set(
                api::authed(session)
                    .get::<FailedEmails>("/api/backoffice/emails/echecs")
                    .await
                    .ok(),
            );
        });
    };
    Effect::new(move |_| {
        if staff
            .profile
            .with(|p| p.as_ref().is_some_and(|p| p.role == "administrateur"))
        {
            load();
        } else {
            data.set(None);
        }
    });
    let requeue = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::authed(session)
                .post::<_, RequeuedEmails>(
                    "/api/backoffice/emails/echecs/renvoi",
                    &serde_json::json!({}),
                )
                .await;
            pending.set(false);
            message.set(Some(match result {
                Ok(done) => format!(
                    "{} e-mail(s) remis en file d'envoi. Ceux dont le lien avait expiré ne peuvent pas l'être : les familles en demandent un nouveau.",
                    done.requeued
                ),
                Err(e) => problem_message(&e),
            }));
            load();
        });
    };
    view! {
        <div class="status" role="status">{move || message.get().map(|t| view! { <p>{t}</p> })}</div>
        {move || data.get().filter(|d| d.total > 0).map(|failed| view! {
            <div class="notice email-alert" role="region" aria-labelledby="echecs-titre">
                <p id="echecs-titre" class="email-alert-title">{headline(failed.total)}</p>
                <p>"Le serveur de messagerie les a refusés, ou n'a pas répondu pendant toute la durée des nouvelles tentatives. Vérifiez-le, puis renvoyez-les."</p>
                <details>
                    <summary>"Voir la liste"</summary>
                    <div class="table-wrap" tabindex="0" role="region" aria-label="E-mails en échec">
                        <table>
                            <thead><tr>
                                <th scope="col">"Abandonné le"</th><th scope="col">"Destinataire"</th>
                                <th scope="col">"E-mail"</th><th scope="col">"Dernière erreur"</th>
                            </tr></thead>
                            <tbody>
                                {failed.items.into_iter().map(|e| view! {
                                    <tr>
                                        <td>{e.failed_at.as_ref().map(date_time).unwrap_or_default()}</td>
                                        <td>{e.to}</td>
                                        <td>{e.libelle}</td>
                                        <td>{e.last_error.unwrap_or_default()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </details>
                <button type="button" class="button secondary" aria-disabled=move || pending.get().then_some("true")
                    on:click=requeue>"Renvoyer les e-mails en échec"</button>
            </div>
        })}
    }
}

/// « 1 e-mail n'a pas pu être envoyé », « 3 e-mails n'ont pas pu être envoyés ».
fn headline(count: u64) -> String {
    if count == 1 {
        "1 e-mail n'a pas pu être envoyé".into()
    } else {
        format!("{count} e-mails n'ont pas pu être envoyés")
    }
}
