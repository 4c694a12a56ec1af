//! Confirmation of a new email address, from the link sent to that address.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::auth::TokenRequest;
use shared::error::ErrorCode;

use crate::api;
use crate::components::page_title::PageTitle;
use crate::fragment::take_token;
use crate::i18n::problem_message;

/// `/confirmer-email#token=…`.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    // None while pending, then Ok(()) or the message to show.
    let outcome = RwSignal::new(None::<Result<(), String>>);
    let expired = "Ce lien n'est plus valide : il a expiré ou a déjà été utilisé. Vous pouvez refaire la demande depuis « Mon compte ».".to_string();
    match take_token() {
        None => outcome.set(Some(Err(expired))),
        Some(token) => spawn_local(async move {
            let result = api::post::<_, serde_json::Value>(
                "/api/email-changes/confirm",
                &TokenRequest { token },
            )
            .await;
            outcome.set(Some(match result {
                Ok(_) => Ok(()),
                Err(e) if e.code() == ErrorCode::LinkExpired || e.status() == 404 => Err(expired),
                Err(e) => Err(problem_message(&e)),
            }));
        }),
    }
    view! {
        <PageTitle title="Confirmation de votre adresse email"/>
        {move || match outcome.get() {
            None => view! { <p class="loading" role="status">"Confirmation en cours…"</p> }.into_any(),
            Some(Ok(())) => view! {
                <p class="success" role="status">"Votre nouvelle adresse email est confirmée."</p>
                <p><A href="/mon-compte">"Aller à Mon compte"</A></p>
            }.into_any(),
            Some(Err(message)) => view! {
                <div role="alert"><p class="notice">{message}</p></div>
                <p><A href="/">"Retour à l'accueil"</A></p>
            }.into_any(),
        }}
    }
}
