//! « Espace agents »: identifiant, mot de passe, then on the same page the code of the
//! authenticator app; at the first login, the enrolment of that app (secret and link).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::auth::{LoginRequest, TokenResponse, TotpEnrolmentRequest, TotpEnrolmentResponse};
use shared::error::ErrorCode;
use shared::validation::codes;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::field::{ErrorSummary, Field, FormErrors, add_error};
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::state::use_session;

const LABELS: &[(&str, &str)] = &[
    ("login", "Identifiant"),
    ("password", "Mot de passe"),
    ("totp_code", "Code de l'application d'authentification"),
];

/// Field error codes only this form uses (see [`code_message`]).
const CODE_INVALID: &str = "totp_invalid";
const CODE_SHAPE: &str = "totp_shape";

/// The login form of the back office.
#[component]
pub fn StaffLogin() -> impl IntoView {
    let session = use_session();
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    // The code field appears once the password is known to be right.
    let asks_code = RwSignal::new(false);
    let enrolment = RwSignal::new(None::<TotpEnrolmentResponse>);
    let status = RwSignal::new(None::<String>);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        errors.clear();
        let request = LoginRequest {
            login: login.get_untracked().trim().to_string(),
            password: password.get_untracked(),
            totp_code: asks_code
                .get_untracked()
                .then(|| code.get_untracked().replace(' ', "")),
        };
        let mut fields = shared::error::FieldErrors::new();
        if request.login.is_empty() {
            add_error(&mut fields, "login", codes::REQUIRED);
        }
        if request.password.is_empty() {
            add_error(&mut fields, "password", codes::REQUIRED);
        }
        if let Some(code) = &request.totp_code {
            if code.is_empty() {
                add_error(&mut fields, "totp_code", codes::REQUIRED);
            } else if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
                add_error(&mut fields, "totp_code", CODE_SHAPE);
            }
        }
        if errors.show_fields(fields) {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::post::<_, TokenResponse>("/api/auth/login", &request).await;
            match result {
                Ok(tokens) if tokens.role == "agent" || tokens.role == "administrateur" => {
                    pending.set(false);
                    password.set(String::new());
                    code.set(String::new());
                    // The guard asks `/api/backoffice/me` and shows the page asked for.
                    session.start(&tokens);
                }
                Ok(tokens) => {
                    // A family account: sign it out again, this space is not theirs.
                    session.start(&tokens);
                    session.logout().await;
                    pending.set(false);
                    errors.general.set(Some(
                        "Cet espace est réservé aux agents de la mairie. Les familles se connectent sur le Portail Famille.".into(),
                    ));
                }
                Err(error) if error.code() == ErrorCode::TotpRequired => {
                    pending.set(false);
                    asks_code.set(true);
                    status.set(Some(
                        "Mot de passe vérifié. Saisissez maintenant le code à 6 chiffres affiché par votre application d'authentification.".into(),
                    ));
                    focus_id("agent-code");
                }
                Err(error) if error.code() == ErrorCode::TotpInvalid => {
                    pending.set(false);
                    let mut fields = shared::error::FieldErrors::new();
                    add_error(&mut fields, "totp_code", CODE_INVALID);
                    errors.show_fields(fields);
                }
                Err(error) if error.code() == ErrorCode::TotpEnrolmentRequired => {
                    let enrol = TotpEnrolmentRequest {
                        login: request.login.clone(),
                        password: request.password.clone(),
                    };
                    let answer =
                        api::post::<_, TotpEnrolmentResponse>("/api/auth/totp-enrolment", &enrol)
                            .await;
                    pending.set(false);
                    match answer {
                        Ok(answer) => {
                            enrolment.set(Some(answer));
                            asks_code.set(true);
                            status.set(Some(
                                "Première connexion : associez une application d'authentification à votre compte, puis saisissez le code qu'elle affiche.".into(),
                            ));
                            focus_id("enrolement-titre");
                        }
                        Err(error) => errors.show_api(&error),
                    }
                }
                Err(error) => {
                    pending.set(false);
                    errors.show_api(&error);
                }
            }
        });
    };

    view! {
        <PageTitle title="Espace agents"/>
        <section class="card narrow" aria-labelledby="agent-login-titre">
            <h2 id="agent-login-titre">"Connexion des agents"</h2>
            <p>"Connectez-vous avec l'identifiant et le mot de passe de votre compte agent, puis le code de votre application d'authentification."</p>
            <Show when=move || session.expired.get()>
                <p class="notice">"Votre session a expiré. Reconnectez-vous pour continuer."</p>
            </Show>
            <form on:submit=submit novalidate=true>
                <ErrorSummary errors=errors labels=LABELS/>
                <Field id="agent-identifiant" name="login" label="Identifiant" value=login
                    errors=errors.field("login") autocomplete="username"/>
                <Field id="agent-mot-de-passe" name="password" label="Mot de passe" value=password
                    errors=errors.field("password") input_type="password" autocomplete="current-password"/>
                {move || enrolment.get().map(|e| view! { <Enrolment enrolment=e/> })}
                <Show when=move || asks_code.get()>
                    <Field id="agent-code" name="totp_code" label="Code de l'application d'authentification"
                        value=code errors=errors.field("totp_code") autocomplete="one-time-code"
                        hint="6 chiffres, renouvelés toutes les 30 secondes."
                        translate=Callback::new(|c: String| code_message(&c))/>
                </Show>
                <button type="submit" class="button primary" disabled=move || pending.get()>
                    {move || if pending.get() { "Connexion…" } else { "Se connecter" }}
                </button>
            </form>
            <StatusMessage message=status/>
        </section>
    }
}

/// The secret to type into the app (grouped by 4) and the `otpauth://` link.
#[component]
fn Enrolment(enrolment: TotpEnrolmentResponse) -> impl IntoView {
    let grouped = group_by_four(&enrolment.secret);
    view! {
        <section class="enrolment" aria-labelledby="enrolement-titre">
            <h3 id="enrolement-titre" tabindex="-1">"Associer une application d'authentification"</h3>
            {qr_code(&enrolment.otpauth_url)}
            <ol>
                <li>"Ouvrez votre application d'authentification (FreeOTP, Aegis, Google Authenticator…) et ajoutez un compte."</li>
                <li>
                    "Scannez ce QR code avec l'application, ou saisissez cette clé : "
                    <code class="totp-secret" aria-label=format!("Clé : {}", spelled(&enrolment.secret))>{grouped}</code>
                    ", ou, sur ce téléphone, "
                    <a href=enrolment.otpauth_url.clone()>"ouvrez le lien d'ajout du compte"</a>"."
                </li>
                <li>"Saisissez ci-dessous le code à 6 chiffres que l'application affiche."</li>
            </ol>
        </section>
    }
}

/// The `otpauth://` address as a QR code, drawn in SVG (one path, no image request).
fn qr_code(url: &str) -> Option<impl IntoView + use<>> {
    let qr = qrcodegen::QrCode::encode_text(url, qrcodegen::QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut d = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                d.push_str(&format!("M{},{}h1v1h-1z", x + 4, y + 4));
            }
        }
    }
    let view_box = format!("0 0 {0} {0}", size + 8);
    Some(view! {
        <svg class="totp-qr" viewBox=view_box role="img" aria-label="QR code d'ajout du compte dans l'application d'authentification">
            <rect width="100%" height="100%" fill="#fff"/>
            <path d=d fill="#000"/>
        </svg>
    })
}

/// « ABCD EFGH IJKL »: easier to copy by hand.
fn group_by_four(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// One character at a time, for screen readers.
fn spelled(secret: &str) -> String {
    secret
        .chars()
        .map(String::from)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The French sentence for an error of the code field.
fn code_message(code: &str) -> String {
    match code {
        CODE_INVALID => "Ce code est incorrect ou a déjà servi. Attendez le code suivant de votre application puis réessayez.".into(),
        CODE_SHAPE => "Le code compte exactement 6 chiffres.".into(),
        other => crate::i18n::field_message(other),
    }
}

/// Moves the focus to an element once the DOM is updated.
pub fn focus_id(id: &'static str) {
    request_animation_frame(move || {
        if let Some(element) = document()
            .get_element_by_id(id)
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = element.focus();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::group_by_four;

    #[test]
    fn the_secret_is_shown_in_groups_of_four() {
        assert_eq!(group_by_four("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
