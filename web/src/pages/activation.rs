//! « Activation de votre compte »: exchanges the emailed token, then offers the login box.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::auth::TokenRequest;
use shared::api::registration::AcceptedResponse;
use shared::error::ErrorCode;

use crate::api;
use crate::components::login_box::{LoginBox, ResendActivation};
use crate::components::page_title::PageTitle;
use crate::fragment::take_token;
use crate::i18n::problem_message;

/// What became of the activation link.
#[derive(Clone, Debug, PartialEq)]
enum Outcome {
    Pending,
    Activated,
    Expired,
    Failed(String),
}

/// `/activation#token=…`.
#[component]
pub fn ActivationPage() -> impl IntoView {
    let outcome = RwSignal::new(Outcome::Pending);
    match take_token() {
        None => outcome.set(Outcome::Expired),
        Some(token) => spawn_local(async move {
            let result =
                api::post::<_, AcceptedResponse>("/api/activations", &TokenRequest { token }).await;
            outcome.set(match result {
                Ok(_) => Outcome::Activated,
                Err(e) if e.code() == ErrorCode::LinkExpired || e.status() == 404 => {
                    Outcome::Expired
                }
                Err(e) => Outcome::Failed(problem_message(&e)),
            });
        }),
    }
    view! {
        <PageTitle title="Activation de votre compte"/>
        {move || match outcome.get() {
            Outcome::Pending => view! { <p class="loading" role="status">"Activation en cours…"</p> }.into_any(),
            Outcome::Activated => view! {
                <p class="success" role="status">"Votre compte est désormais actif"</p>
                <div class="narrow"><LoginBox/></div>
            }.into_any(),
            Outcome::Expired => view! {
                <div role="alert"><p class="notice">"Ce lien n'est plus valide : il a expiré ou a déjà été utilisé."</p></div>
                <p>"Si votre compte est déjà actif, connectez-vous. Sinon, demandez un nouveau lien :"</p>
                <ResendActivation/>
            }.into_any(),
            Outcome::Failed(message) => view! { <div role="alert"><p class="notice">{message}</p></div> }.into_any(),
        }}
    }
}
