//! « Comptes des agents »: the town's staff, the form that adds an agent or administrator
//! (they get an email to choose their password), and « Réinitialiser l'authentificateur ».

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::backoffice::{NewStaffRequest, StaffList, StaffProfile, StaffRole};
use shared::validation::{check_email, check_username};

use crate::api::ApiError;
use crate::app::use_staff;
use crate::components::field::{FormErrors, add_error};
use crate::components::status::StatusMessage;
use crate::dialog::ConfirmDialog;
use crate::forms::{Cell, Form, Kind, ListSection, Row, RowAction, Spec};
use crate::i18n::problem_message;
use crate::login::focus_id;
use crate::state::use_session;

const LIST: &str = "comptes-titre";

const ROLES: &[(&str, &str)] = &[
    (
        "agent",
        "Agent : examine les demandes, publie actualités, FAQ et documents",
    ),
    (
        "administrateur",
        "Administrateur : comme un agent, et gère aussi cette page",
    ),
];

fn role_name(role: &str) -> &'static str {
    if role == "administrateur" {
        "Administrateur"
    } else {
        "Agent"
    }
}

#[component]
pub fn StaffSection() -> impl IntoView {
    let session = use_session();
    let me = use_staff();
    let list = RwSignal::new(None::<Result<StaffList, ApiError>>);
    let done = RwSignal::new(None::<String>);
    let resetting = RwSignal::new(None::<StaffProfile>);
    let reload = move || {
        spawn_local(async move {
            list.set(Some(
                crate::api::authed(session)
                    .get::<StaffList>("/api/backoffice/staff")
                    .await,
            ));
        });
    };
    reload();
    let rows = Signal::derive(move || {
        let mine = me.profile.with(|p| p.as_ref().map(|p| p.username.clone()));
        list.with(|l| match l {
            Some(Ok(l)) => l
                .items
                .iter()
                .map(|p| {
                    let target = p.clone();
                    let mut actions = Vec::new();
                    // Resetting one's own authenticator would end one's own session.
                    if mine.as_deref() != Some(p.username.as_str()) {
                        actions.push(RowAction {
                            text: "Réinitialiser l'authentificateur",
                            name: format!("Réinitialiser l'authentificateur de {}", p.username),
                            danger: false,
                            run: Callback::new(move |()| {
                                done.set(None);
                                resetting.set(Some(target.clone()));
                            }),
                        });
                    }
                    Row {
                        cells: vec![
                            Cell {
                                strong: true,
                                ..Cell::new("Identifiant", p.username.clone())
                            },
                            Cell::new("Adresse email", p.email.clone()),
                            Cell::new("Rôle", role_name(&p.role)),
                        ],
                        actions,
                    }
                })
                .collect(),
            _ => Vec::new(),
        })
    });
    let count = Signal::derive(move || {
        list.with(|l| {
            l.as_ref().map(|l| match l {
                Ok(l) => format!("{} compte(s).", l.items.len()),
                Err(_) => String::new(),
            })
        })
    });
    let failure = Signal::derive(move || {
        list.with(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().err().map(problem_message))
        })
    });

    // The reset's confirmation.
    let pending = RwSignal::new(false);
    let reset_error = RwSignal::new(None::<String>);
    let close = move || {
        resetting.set(None);
        reset_error.set(None);
    };
    let reset = Callback::new(move |()| {
        let Some(who) = resetting.get_untracked() else {
            return;
        };
        pending.set(true);
        spawn_local(async move {
            let path = format!(
                "/api/backoffice/staff/{}/totp-reset",
                String::from(js_sys::encode_uri_component(&who.username))
            );
            let result = crate::api::authed(session).post::<_, ()>(&path, &()).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    close();
                    done.set(Some(format!(
                        "Authentificateur de « {} » réinitialisé : ses sessions sont fermées ; il en associera un nouveau à sa prochaine connexion.",
                        who.username
                    )));
                    focus_id(LIST);
                }
                Err(e) => reset_error.set(Some(problem_message(&e))),
            }
        });
    });

    view! {
        <div class="card">
            <StatusMessage message=done/>
            <ListSection id=LIST heading="Comptes des agents" caption="Comptes des agents et administrateurs"
                count failure rows/>
            <h3 id="nouveau-compte-titre">"Ajouter un agent ou un administrateur"</h3>
            {new_staff_form(done, Callback::new(move |()| reload()))}
        </div>
        <ConfirmDialog id="reinitialisation"
            title=Signal::derive(move || resetting.with(|r| r.as_ref().map(|r| format!("Réinitialiser l'authentificateur de « {} » ?", r.username)).unwrap_or_default()))
            text="Ses sessions en cours se ferment. À sa prochaine connexion, après son mot de passe, il associera une nouvelle application d'authentification (par exemple après la perte de son téléphone).".to_string()
            confirm="Réinitialiser".to_string()
            open=Signal::derive(move || resetting.with(Option::is_some))
            pending=pending.into() error=reset_error.into()
            on_cancel=Callback::new(move |()| close()) on_confirm=reset/>
    }
}

fn new_staff_form(done: RwSignal<Option<String>>, on_created: Callback<()>) -> impl IntoView {
    let session = use_session();
    let username = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("agent".to_string());
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let submit = Callback::new(move |()| {
        errors.clear();
        let request = NewStaffRequest {
            username: username.get_untracked().trim().to_string(),
            email: email.get_untracked().trim().to_string(),
            role: if role.get_untracked() == "administrateur" {
                StaffRole::Administrateur
            } else {
                StaffRole::Agent
            },
        };
        let mut fields = shared::error::FieldErrors::new();
        if let Err(code) = check_username(&request.username) {
            add_error(&mut fields, "username", code);
        }
        if let Err(code) = check_email(&request.email) {
            add_error(&mut fields, "email", code);
        }
        if errors.show_fields(fields) {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = crate::api::authed(session)
                .post::<_, StaffProfile>("/api/backoffice/staff", &request)
                .await;
            pending.set(false);
            match result {
                Ok(created) => {
                    username.set(String::new());
                    email.set(String::new());
                    done.set(Some(format!(
                        "Compte « {} » créé ({}). Un email lui a été envoyé pour choisir son mot de passe ; il associera son application d'authentification à sa première connexion.",
                        created.username,
                        role_name(&created.role).to_lowercase()
                    )));
                    on_created.run(());
                    focus_id(LIST);
                }
                Err(e) => {
                    errors.show_api(&e);
                    // A 409 says which, in the server's words.
                    if let Some(detail) = e.problem.detail.clone().filter(|_| e.status() == 409) {
                        errors.general.set(Some(detail));
                    }
                }
            }
        });
    });
    let fields = vec![
        Spec::new("username", "Identifiant", username).hint(
            "De 3 à 40 caractères : lettres sans accent, chiffres, points, tirets ou soulignés.",
        ),
        Spec::new("email", "Adresse email", email)
            .kind(Kind::Email)
            .hint("Le lien pour choisir le mot de passe y est envoyé."),
        Spec::new("role", "Rôle", role).kind(Kind::Select(ROLES)),
    ];
    view! {
        <Form prefix="compte" fields errors pending=pending.into() on_submit=submit submit_label="Créer le compte"/>
    }
}
