//! « Mot de passe oublié ? »: asks for the email and always answers the same way.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::auth::EmailRequest;
use shared::validation::field_errors;
use validator::Validate;

use crate::api;
use crate::components::field::{ErrorSummary, Field, FormErrors};
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;

/// `/mot-de-passe-oublie`.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        done.set(None);
        let request = EmailRequest {
            email: email.get_untracked().trim().to_string(),
        };
        if let Err(e) = request.validate()
            && errors.show_fields(field_errors(&e))
        {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::post::<_, serde_json::Value>("/api/password-resets", &request).await;
            pending.set(false);
            match result {
                Ok(_) => done.set(Some(
                    "Si un compte correspond à cette adresse, vous allez recevoir un email pour choisir un nouveau mot de passe.".into(),
                )),
                Err(error) => errors.show_api(&error),
            }
        });
    };
    view! {
        <PageTitle title="Mot de passe oublié"/>
        <div class="narrow card">
            <p>"Saisissez l'adresse email de votre compte. Vous recevrez un lien pour choisir un nouveau mot de passe."</p>
            <form on:submit=submit novalidate=true>
                <ErrorSummary errors=errors labels=&[("email", "Adresse email")]/>
                <Field id="oubli-email" name="email" label="Adresse email" value=email
                    errors=errors.field("email") input_type="email" autocomplete="email"/>
                <button type="submit" class="button primary" disabled=move || pending.get()>"Envoyer le lien"</button>
            </form>
            <StatusMessage message=done/>
        </div>
    }
}
