//! « Création de compte »: the three-step wizard of the seed.
//!
//! Step 1 « Mes informations personnelles », step 2 « Mes références dossier », step 3
//! « Récapitulatif ». Each step runs the shared `validator` rules before moving on; step 1
//! also asks the server (`/api/registrations/check`), which knows about taken usernames and
//! weak passwords and drives the strength meter. The wizard state lives in memory only.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use shared::api::registration::{
    AcceptedResponse, CheckRegistrationStepRequest, CheckRegistrationStepResponse,
    DossierReference, PasswordStrength, RegisterRequest,
};
use shared::error::{ErrorCode, FieldErrors};
use shared::validation::{check_password_length, codes, field_errors};
use validator::Validate;
use wasm_bindgen::JsCast;

use crate::api;
use crate::components::field::{ErrorSummary, Field, FormErrors, add_error};
use crate::components::page_title::PageTitle;
use crate::components::stepper::Stepper;
use crate::i18n::{field_message, strength_label};

const STEPS: &[&str] = &shared::wizards::SIGNUP_STEPS;

const LABELS: &[(&str, &str)] = &[
    ("username", "Nom d'utilisateur"),
    ("email", "Adresse email"),
    ("password", "Mot de passe"),
    ("password_confirmation", "Confirmez le mot de passe"),
    ("dossier_reference.numero", "Numéro du dossier famille"),
    ("dossier_reference.nom", "Nom"),
    ("dossier_reference.prenom", "Prénom"),
];

/// Waiting time after the last keystroke before asking the server for the strength.
const STRENGTH_DEBOUNCE_MS: u32 = 400;

/// What the strength meter shows.
#[derive(Clone, Debug, PartialEq)]
enum Strength {
    /// Nothing typed yet, or the server could not judge.
    Unknown,
    /// Shorter than the minimum: no need to ask the server.
    TooShort,
    /// The server's estimate.
    Scored(PasswordStrength),
    /// The server refused the password (too common, too weak).
    Refused(Vec<String>),
}

/// Everything typed in the wizard (in memory only).
#[derive(Clone, Copy)]
struct Wizard {
    step: RwSignal<usize>,
    username: RwSignal<String>,
    email: RwSignal<String>,
    password: RwSignal<String>,
    confirmation: RwSignal<String>,
    new_household: RwSignal<bool>,
    numero: RwSignal<String>,
    nom: RwSignal<String>,
    prenom: RwSignal<String>,
    errors: FormErrors,
    strength: RwSignal<Strength>,
    /// Bumped on each password keystroke: a stale strength answer is dropped.
    strength_version: RwSignal<u32>,
    pending: RwSignal<bool>,
}

impl Wizard {
    fn new() -> Self {
        Self {
            step: RwSignal::new(0),
            username: RwSignal::new(String::new()),
            email: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            confirmation: RwSignal::new(String::new()),
            new_household: RwSignal::new(false),
            numero: RwSignal::new(String::new()),
            nom: RwSignal::new(String::new()),
            prenom: RwSignal::new(String::new()),
            errors: FormErrors::new(),
            strength: RwSignal::new(Strength::Unknown),
            strength_version: RwSignal::new(0),
            pending: RwSignal::new(false),
        }
    }

    fn step_one(&self) -> CheckRegistrationStepRequest {
        CheckRegistrationStepRequest {
            username: self.username.get_untracked().trim().to_string(),
            email: self.email.get_untracked().trim().to_string(),
            password: self.password.get_untracked(),
        }
    }

    fn dossier(&self) -> Option<DossierReference> {
        (!self.new_household.get_untracked()).then(|| DossierReference {
            numero: self.numero.get_untracked().trim().to_string(),
            nom: self.nom.get_untracked().trim().to_string(),
            prenom: self.prenom.get_untracked().trim().to_string(),
        })
    }

    fn request(&self) -> RegisterRequest {
        let step = self.step_one();
        RegisterRequest {
            username: step.username,
            email: step.email,
            password: step.password,
            new_household: self.new_household.get_untracked(),
            dossier_reference: self.dossier(),
        }
    }

    /// Forgets the passwords once they are no longer needed.
    fn forget_secrets(&self) {
        self.password.set(String::new());
        self.confirmation.set(String::new());
    }

    /// Debounced strength check, called on each password keystroke.
    fn password_typed(self, password: String) {
        let version = self.strength_version.get_untracked().wrapping_add(1);
        self.strength_version.set(version);
        if password.is_empty() {
            self.strength.set(Strength::Unknown);
            return;
        }
        if check_password_length(&password).is_err() {
            self.strength.set(Strength::TooShort);
            return;
        }
        spawn_local(async move {
            TimeoutFuture::new(STRENGTH_DEBOUNCE_MS).await;
            if self.strength_version.get_untracked() != version {
                return;
            }
            let result = api::post::<_, CheckRegistrationStepResponse>(
                "/api/registrations/check",
                &self.step_one(),
            )
            .await;
            if self.strength_version.get_untracked() != version {
                return;
            }
            self.strength.set(match result {
                Ok(answer) => Strength::Scored(answer.password),
                Err(error) if !error.problem.field("password").is_empty() => {
                    Strength::Refused(error.problem.field("password").to_vec())
                }
                // Other fields not filled in yet, or rate-limited: no verdict to show.
                Err(_) => Strength::Unknown,
            });
        });
    }

    /// « Suivant » on step 1: shared rules, confirmation, then the server's check.
    fn submit_step_one(self) {
        self.errors.clear();
        let request = self.step_one();
        let mut fields = request
            .validate()
            .err()
            .map(|e| field_errors(&e))
            .unwrap_or_default();
        if self.confirmation.get_untracked() != request.password {
            add_error(
                &mut fields,
                "password_confirmation",
                codes::PASSWORD_MISMATCH,
            );
        }
        if self.errors.show_fields(fields) {
            return;
        }
        self.pending.set(true);
        spawn_local(async move {
            let result =
                api::post::<_, CheckRegistrationStepResponse>("/api/registrations/check", &request)
                    .await;
            self.pending.set(false);
            match result {
                Ok(answer) if answer.password.acceptable => {
                    self.strength.set(Strength::Scored(answer.password));
                    self.step.set(1);
                }
                Ok(answer) => {
                    self.strength.set(Strength::Scored(answer.password));
                    let mut fields = FieldErrors::new();
                    add_error(&mut fields, "password", codes::PASSWORD_TOO_WEAK);
                    self.errors.show_fields(fields);
                }
                Err(error) => self.errors.show_api(&error),
            }
        });
    }

    /// « Suivant » on step 2: either « nouveau foyer » or a complete dossier reference.
    fn submit_step_two(self) {
        self.errors.clear();
        if let Some(reference) = self.dossier()
            && let Err(e) = reference.validate()
        {
            let fields = field_errors(&e)
                .into_iter()
                .map(|(name, codes)| (format!("dossier_reference.{name}"), codes))
                .collect();
            self.errors.show_fields(fields);
            return;
        }
        self.step.set(2);
    }

    /// « Valider »: sends the whole sign-up.
    fn submit(self, done: impl Fn() + 'static) {
        self.errors.clear();
        let request = self.request();
        self.pending.set(true);
        spawn_local(async move {
            let result = api::post::<_, AcceptedResponse>("/api/registrations", &request).await;
            self.pending.set(false);
            match result {
                Ok(_) => {
                    self.forget_secrets();
                    done();
                }
                Err(error) => {
                    // Go back to the step that holds the refused field.
                    let first_step_field = ["username", "email", "password"]
                        .iter()
                        .any(|f| !error.problem.field(f).is_empty());
                    let dossier_field = error.code() == ErrorCode::DossierReferenceNotFound
                        || error
                            .problem
                            .fields
                            .keys()
                            .any(|k| k.starts_with("dossier_reference") || k == "_");
                    if first_step_field {
                        self.step.set(0);
                    } else if dossier_field {
                        self.step.set(1);
                    }
                    self.errors.show_api(&error);
                }
            }
        });
    }
}

/// Moves the focus to the step heading after the step changed.
fn focus_step_heading() {
    request_animation_frame(|| {
        let heading = document()
            .get_element_by_id("etape-titre")
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(heading) = heading {
            let _ = heading.focus();
        }
    });
}

/// `/creer-mon-compte`.
#[component]
pub fn SignupPage() -> impl IntoView {
    let wizard = Wizard::new();
    let navigate = use_navigate();
    Effect::new(move |previous: Option<usize>| {
        let step = wizard.step.get();
        if previous.is_some_and(|p| p != step) {
            focus_step_heading();
        }
        step
    });
    let cancel = {
        let navigate = navigate.clone();
        move |_| {
            wizard.forget_secrets();
            navigate("/", Default::default());
        }
    };
    let previous = move |_| {
        wizard.errors.clear();
        wizard.step.update(|s| *s = s.saturating_sub(1));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if wizard.pending.get_untracked() {
            return;
        }
        match wizard.step.get_untracked() {
            0 => wizard.submit_step_one(),
            1 => wizard.submit_step_two(),
            _ => {
                let navigate = navigate.clone();
                let done = if wizard.new_household.get_untracked() {
                    "/inscription-terminee"
                } else {
                    "/inscription-terminee?rattachement=1"
                };
                wizard.submit(move || navigate(done, Default::default()));
            }
        }
    };
    view! {
        <PageTitle title="Création de compte"/>
        <Stepper steps=STEPS current=wizard.step/>
        <form class="card wizard" on:submit=submit novalidate=true>
            <h2 id="etape-titre" tabindex="-1">
                {move || format!("Étape {}/3 : {}", wizard.step.get() + 1, STEPS[wizard.step.get().min(2)])}
            </h2>
            <p class="hint">"Les champs marqués d'un * sont obligatoires."</p>
            <ErrorSummary errors=wizard.errors labels=LABELS/>
            {move || match wizard.step.get() {
                0 => view! { <StepOne wizard=wizard/> }.into_any(),
                1 => view! { <StepTwo wizard=wizard/> }.into_any(),
                _ => view! { <Recap wizard=wizard/> }.into_any(),
            }}
            <div class="actions">
                <button type="button" class="button secondary" on:click=cancel>"Annuler"</button>
                <Show when=move || { wizard.step.get() > 0 }>
                    <button type="button" class="button secondary" on:click=previous>"Précédent"</button>
                </Show>
                <button type="submit" class="button primary" disabled=move || wizard.pending.get()>
                    {move || match (wizard.step.get(), wizard.pending.get()) {
                        (2, true) => "Envoi…",
                        (2, false) => "Valider",
                        (_, true) => "Vérification…",
                        _ => "Suivant",
                    }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn StepOne(wizard: Wizard) -> impl IntoView {
    let errors = wizard.errors;
    view! {
        <Field id="inscription-utilisateur" name="username" label="Nom d'utilisateur" value=wizard.username
            errors=errors.field("username") autocomplete="username"
            hint="3 à 40 caractères : lettres sans accent, chiffres, point, tiret ou tiret bas."/>
        <Field id="inscription-email" name="email" label="Adresse email" value=wizard.email
            errors=errors.field("email") input_type="email" autocomplete="email"
            hint="Par exemple : prenom.nom@exemple.fr. Un lien d'activation y sera envoyé."/>
        <Field id="inscription-mot-de-passe" name="password" label="Mot de passe" value=wizard.password
            errors=errors.field("password") input_type="password" autocomplete="new-password"
            hint="Au moins 12 caractères. Une phrase de plusieurs mots est facile à retenir et difficile à deviner."
            on_input=Callback::new(move |text| wizard.password_typed(text))/>
        <StrengthMeter strength=wizard.strength/>
        <Field id="inscription-confirmation" name="password_confirmation" label="Confirmez le mot de passe"
            value=wizard.confirmation errors=errors.field("password_confirmation") input_type="password"
            autocomplete="new-password"/>
    }
}

/// The password strength meter, with its verdict in words (announced politely).
#[component]
fn StrengthMeter(strength: RwSignal<Strength>) -> impl IntoView {
    let score = move || match strength.get() {
        Strength::Scored(s) => f64::from(s.score),
        _ => 0.0,
    };
    let text = move || {
        match strength.get() {
        Strength::Unknown => "Robustesse du mot de passe : saisissez un mot de passe (et votre nom d'utilisateur et votre email) pour l'évaluer.".to_string(),
        Strength::TooShort => format!("Robustesse du mot de passe : {}", field_message(codes::PASSWORD_TOO_SHORT)),
        Strength::Scored(s) => format!(
            "Robustesse du mot de passe : {}{}",
            strength_label(s.score),
            if s.acceptable { "." } else { " — insuffisant, allongez-le." }
        ),
        Strength::Refused(codes) => format!(
            "Robustesse du mot de passe : {} — {}",
            strength_label(0),
            codes.iter().map(|c| field_message(c)).collect::<Vec<_>>().join(" ")
        ),
    }
    };
    view! {
        <div class="strength">
            <meter id="robustesse" min="0" max="4" low="2" high="3" optimum="4" value=score
                aria-label="Robustesse du mot de passe"></meter>
            <p class="strength-text" aria-live="polite">{text}</p>
        </div>
    }
}

#[component]
fn StepTwo(wizard: Wizard) -> impl IntoView {
    let errors = wizard.errors;
    let new_household = wizard.new_household;
    view! {
        <div class="field checkbox">
            <input type="checkbox" id="inscription-nouveau-foyer" name="new_household"
                aria-describedby="nouveau-foyer-aide"
                prop:checked=move || new_household.get()
                on:change=move |ev| new_household.set(event_target_checked(&ev))/>
            <label for="inscription-nouveau-foyer">"Je souhaite déclarer un nouveau foyer"</label>
            <p class="hint" id="nouveau-foyer-aide">"Si vous n'avez pas de dossier existant, veuillez cocher cette case."</p>
        </div>
        <p class="or" aria-hidden="true">"OU"</p>
        <fieldset class="dossier" disabled=move || new_household.get()>
            <legend>"J'ai déjà un dossier famille"</legend>
            <Field id="inscription-numero" name="numero" label="Numéro du dossier famille" value=wizard.numero
                errors=errors.field("dossier_reference.numero") autocomplete="off"
                hint="Il figure sur les courriers de la mairie."/>
            <Field id="inscription-nom" name="nom" label="Nom" value=wizard.nom
                errors=errors.field("dossier_reference.nom") autocomplete="family-name"/>
            <Field id="inscription-prenom" name="prenom" label="Prénom" value=wizard.prenom
                errors=errors.field("dossier_reference.prenom") autocomplete="given-name"/>
        </fieldset>
    }
}

#[component]
fn Recap(wizard: Wizard) -> impl IntoView {
    let dossier_rows = move || match wizard.dossier() {
        None => view! {
            <tr><th scope="row">"Dossier famille"</th><td>"Nouveau foyer"</td></tr>
        }
        .into_any(),
        Some(d) => view! {
            <tr><th scope="row">"Numéro du dossier famille"</th><td>{d.numero}</td></tr>
            <tr><th scope="row">"Nom"</th><td>{d.nom}</td></tr>
            <tr><th scope="row">"Prénom"</th><td>{d.prenom}</td></tr>
        }
        .into_any(),
    };
    view! {
        <p>"Veuillez vérifier que vos informations sont correctes"</p>
        <table class="recap">
            <caption class="visually-hidden">"Récapitulatif de votre inscription"</caption>
            <tbody>
                <tr><th scope="row">"Nom d'utilisateur"</th><td>{move || wizard.username.get()}</td></tr>
                <tr><th scope="row">"Adresse courriel"</th><td>{move || wizard.email.get()}</td></tr>
                <tr><th scope="row">"Souscription"</th><td>"Famille"</td></tr>
                {dossier_rows}
            </tbody>
        </table>
    }
}
