//! « J'ai déjà un compte ! »: the login box of the seed, used on the home, login and
//! activation pages, followed by the « Pas encore de compte ? » invitation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::api::auth::{EmailRequest, LoginRequest, TokenResponse};
use shared::api::registration::AcceptedResponse;
use shared::error::ErrorCode;
use shared::validation::{codes, field_errors};
use validator::Validate;

use crate::api;
use crate::components::field::{ErrorSummary, Field, FormErrors, add_error};
use crate::components::guard::safe_return_path;
use crate::components::status::StatusMessage;
use crate::state::use_session;

const LABELS: &[(&str, &str)] = &[("login", "Nom d'utilisateur"), ("password", "Mot de passe")];

/// The login form and the sign-up invitation.
#[component]
pub fn LoginBox() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let not_activated = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        errors.clear();
        not_activated.set(false);
        let request = LoginRequest {
            totp_code: None,
            login: login.get_untracked().trim().to_string(),
            password: password.get_untracked(),
        };
        let mut fields = request
            .validate()
            .err()
            .map(|e| field_errors(&e))
            .unwrap_or_default();
        if request.password.is_empty() {
            add_error(&mut fields, "password", codes::REQUIRED);
        }
        if errors.show_fields(fields) {
            return;
        }
        pending.set(true);
        let navigate = navigate.clone();
        let back = safe_return_path(query.with_untracked(|q| q.get("retour")))
            .filter(|p| !p.starts_with("/consentement"));
        spawn_local(async move {
            let result = api::post::<_, TokenResponse>("/api/auth/login", &request).await;
            pending.set(false);
            match result {
                Ok(tokens) => {
                    password.set(String::new());
                    session.start(&tokens);
                    if !request.login.contains('@') {
                        session.username.set(Some(request.login.clone()));
                    }
                    spawn_local(async move { session.load_profile().await });
                    let back = back.unwrap_or_else(|| "/demarches".into());
                    let target = if tokens.terms_accepted {
                        back
                    } else {
                        format!(
                            "/consentement?retour={}",
                            String::from(js_sys::encode_uri_component(&back))
                        )
                    };
                    navigate(&target, Default::default());
                }
                Err(error) if error.code() == ErrorCode::AccountNotActivated => {
                    not_activated.set(true);
                    errors
                        .general
                        .set(Some("Votre compte n'est pas encore activé.".into()));
                }
                Err(error) => errors.show_api(&error),
            }
        });
    };

    view! {
        <section class="card login-box" aria-labelledby="login-titre">
            <h2 id="login-titre">"J'ai déjà un compte !"</h2>
            <Show when=move || session.expired.get()>
                <p class="notice">"Votre session a expiré. Reconnectez-vous pour continuer."</p>
            </Show>
            <form on:submit=submit novalidate=true>
                <ErrorSummary errors=errors labels=LABELS/>
                <Field
                    id="login-identifiant"
                    name="login"
                    label="Nom d'utilisateur"
                    value=login
                    errors=errors.field("login")
                    autocomplete="username"
                    hint="Ou votre adresse email."
                />
                <Field
                    id="login-mot-de-passe"
                    name="password"
                    label="Mot de passe"
                    value=password
                    errors=errors.field("password")
                    input_type="password"
                    autocomplete="current-password"
                />
                <p class="forgot"><A href="/mot-de-passe-oublie">"Mot de passe oublié ?"</A></p>
                <button type="submit" class="button primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Connexion…" } else { "Se connecter" }}
                </button>
            </form>
            <Show when=move || not_activated.get()>
                <ResendActivation/>
            </Show>
        </section>
        <section class="card signup-invite" aria-labelledby="signup-titre">
            <h2 id="signup-titre">"Pas encore de compte ?"</h2>
            <p>"Vous pouvez créer un compte simplement en suivant le lien ci-dessous."</p>
            <A href="/creer-mon-compte" attr:class="button primary">"Créer mon compte"</A>
        </section>
    }
}

/// « Renvoyer le lien d'activation »: asks for the email, answers the same whatever it is.
#[component]
pub fn ResendActivation() -> impl IntoView {
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
            let result =
                api::post::<_, AcceptedResponse>("/api/activations/resend", &request).await;
            pending.set(false);
            match result {
                Ok(_) => done.set(Some(
                    "Si un compte en attente d'activation correspond à cette adresse, un nouveau lien vient d'être envoyé.".into(),
                )),
                Err(error) => errors.show_api(&error),
            }
        });
    };
    view! {
        <form class="resend" on:submit=submit novalidate=true>
            <h3>"Renvoyer le lien d'activation"</h3>
            <p>"Saisissez l'adresse email de votre compte : nous vous enverrons un nouveau lien."</p>
            <ErrorSummary errors=errors labels=&[("email", "Adresse email")]/>
            <Field
                id="renvoi-email"
                name="email"
                label="Adresse email"
                value=email
                errors=errors.field("email")
                input_type="email"
                autocomplete="email"
            />
            <button type="submit" class="button secondary" disabled=move || pending.get()>
                "Renvoyer le lien d'activation"
            </button>
            <StatusMessage message=done/>
        </form>
    }
}
