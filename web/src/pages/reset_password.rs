//! « Choisir un nouveau mot de passe », from the emailed reset link.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use shared::api::auth::ResetPasswordRequest;
use shared::error::ErrorCode;
use shared::validation::{codes, field_errors};
use validator::Validate;

use crate::api;
use crate::components::field::{ErrorSummary, Field, FormErrors, add_error};
use crate::components::page_title::PageTitle;
use crate::fragment::take_token;

const LABELS: &[(&str, &str)] = &[
    ("password", "Nouveau mot de passe"),
    ("password_confirmation", "Confirmation du mot de passe"),
];

/// Where the reset stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Form,
    Done,
    Expired,
}

/// `/reinitialiser-mot-de-passe#token=…`.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    // The token stays in memory only, for the time of this page.
    let token = StoredValue::new(take_token());
    let stage = RwSignal::new(if token.with_value(Option::is_some) {
        Stage::Form
    } else {
        Stage::Expired
    });
    let password = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        let request = ResetPasswordRequest {
            token: token.get_value().unwrap_or_default(),
            password: password.get_untracked(),
        };
        let mut fields = request
            .validate()
            .err()
            .map(|e| field_errors(&e))
            .unwrap_or_default();
        fields.remove("token");
        if confirmation.get_untracked() != request.password {
            add_error(
                &mut fields,
                "password_confirmation",
                codes::PASSWORD_MISMATCH,
            );
        }
        if errors.show_fields(fields) {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result =
                api::post::<_, serde_json::Value>("/api/password-resets/confirm", &request).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    password.set(String::new());
                    confirmation.set(String::new());
                    stage.set(Stage::Done);
                }
                Err(e) if e.code() == ErrorCode::LinkExpired || e.status() == 404 => {
                    stage.set(Stage::Expired)
                }
                Err(e) => errors.show_api(&e),
            }
        });
    };
    view! {
        <PageTitle title="Nouveau mot de passe"/>
        {move || match stage.get() {
            Stage::Form => view! {
                <div class="narrow card">
                    <form on:submit=submit novalidate=true>
                        <ErrorSummary errors=errors labels=LABELS/>
                        <Field id="reset-mot-de-passe" name="password" label="Nouveau mot de passe" value=password
                            errors=errors.field("password") input_type="password" autocomplete="new-password"
                            hint="Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner."/>
                        <Field id="reset-confirmation" name="password_confirmation" label="Confirmation du mot de passe"
                            value=confirmation errors=errors.field("password_confirmation") input_type="password"
                            autocomplete="new-password"/>
                        <button type="submit" class="button primary" disabled=move || pending.get()>"Enregistrer le mot de passe"</button>
                    </form>
                </div>
            }.into_any(),
            Stage::Done => view! {
                <p class="success" role="status">"Votre mot de passe a été modifié. Vous pouvez vous connecter."</p>
                <p><A href="/connexion" attr:class="button primary">"Se connecter"</A></p>
            }.into_any(),
            Stage::Expired => view! {
                <div role="alert"><p class="notice">"Ce lien n'est plus valide : il a expiré ou a déjà été utilisé."</p></div>
                <p><A href="/mot-de-passe-oublie">"Demander un nouveau lien"</A></p>
            }.into_any(),
        }}
    }
}
