//! « Comptes des agents »: the town's staff, the form that adds an agent or administrator
//! (they get an email to choose their password), and the changes to another member's
//! account, each confirmed: « Réinitialiser l'authentificateur », a change of role, and
//! « Désactiver » / « Réactiver » (an agent who leaves; nothing is deleted).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::backoffice::{NewStaffRequest, StaffList, StaffProfile, StaffRole, StaffUpdate};
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

/// A change to another staff member's account, waiting for its confirmation.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    ResetAuthenticator,
    Role(StaffRole),
    Active(bool),
}

impl Change {
    /// The row's button.
    fn label(self) -> &'static str {
        match self {
            Self::ResetAuthenticator => "Réinitialiser l'authentificateur",
            Self::Role(StaffRole::Administrateur) => "Passer administrateur",
            Self::Role(StaffRole::Agent) => "Passer agent",
            Self::Active(false) => "Désactiver",
            Self::Active(true) => "Réactiver",
        }
    }

    /// The dialog's question, what it entails, and its button.
    fn confirmation(self, who: &str) -> (String, &'static str, &'static str) {
        match self {
            Self::ResetAuthenticator => (
                format!("Réinitialiser l'authentificateur de « {who} » ?"),
                "Ses sessions en cours se ferment. À sa prochaine connexion, après son mot de passe, il associera une nouvelle application d'authentification (par exemple après la perte de son téléphone).",
                "Réinitialiser",
            ),
            Self::Role(StaffRole::Administrateur) => (
                format!("Donner à « {who} » les droits d'administrateur ?"),
                "Il pourra gérer les comptes des agents, les conditions d'utilisation, les paramètres de la commune et les types de pièce.",
                "Passer administrateur",
            ),
            Self::Role(StaffRole::Agent) => (
                format!("Retirer à « {who} » les droits d'administrateur ?"),
                "Il reste agent : il examine les demandes et publie les contenus.",
                "Passer agent",
            ),
            Self::Active(false) => (
                format!("Désactiver le compte de « {who} » ?"),
                "Ses sessions se ferment tout de suite et il ne peut plus se connecter. Rien n'est supprimé : le journal d'audit garde ses actions, et le compte peut être réactivé.",
                "Désactiver",
            ),
            Self::Active(true) => (
                format!("Réactiver le compte de « {who} » ?"),
                "Il pourra de nouveau se connecter avec son mot de passe et son application d'authentification.",
                "Réactiver",
            ),
        }
    }

    /// What the page says once it is done.
    fn done(self, who: &str) -> String {
        match self {
            Self::ResetAuthenticator => format!(
                "Authentificateur de « {who} » réinitialisé : ses sessions sont fermées ; il en associera un nouveau à sa prochaine connexion."
            ),
            Self::Role(StaffRole::Administrateur) => {
                format!("« {who} » est maintenant administrateur.")
            }
            Self::Role(StaffRole::Agent) => format!("« {who} » est maintenant agent."),
            Self::Active(false) => {
                format!("Compte de « {who} » désactivé : ses sessions sont fermées.")
            }
            Self::Active(true) => format!("Compte de « {who} » réactivé."),
        }
    }

    /// The changes offered for `p`: none of them on one's own account.
    fn offered(p: &StaffProfile) -> Vec<Self> {
        if !p.actif {
            return vec![Self::Active(true)];
        }
        let other_role = if p.role == "administrateur" {
            StaffRole::Agent
        } else {
            StaffRole::Administrateur
        };
        vec![
            Self::ResetAuthenticator,
            Self::Role(other_role),
            Self::Active(false),
        ]
    }
}

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
    let changing = RwSignal::new(None::<(Change, StaffProfile)>);
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
                    // Changing one's own account would end one's session or rights; another
                    // administrator does it (the server refuses it too).
                    let own = mine.as_deref() == Some(p.username.as_str());
                    let offered = if own { Vec::new() } else { Change::offered(p) };
                    let actions = offered
                        .into_iter()
                        .map(|change| {
                            let target = p.clone();
                            RowAction {
                                text: change.label(),
                                name: format!("{} : {}", change.label(), p.username),
                                danger: change == Change::Active(false),
                                run: Callback::new(move |()| {
                                    done.set(None);
                                    changing.set(Some((change, target.clone())));
                                }),
                            }
                        })
                        .collect();
                    Row {
                        cells: vec![
                            Cell {
                                strong: true,
                                ..Cell::new("Identifiant", p.username.clone())
                            },
                            Cell::new("Adresse email", p.email.clone()),
                            Cell::new("Rôle", role_name(&p.role)),
                            Cell::new("État", if p.actif { "Actif" } else { "Désactivé" }),
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
    let failure = crate::forms::failure_of(list);

    // The change's confirmation.
    let pending = RwSignal::new(false);
    let change_error = RwSignal::new(None::<String>);
    let close = move || {
        changing.set(None);
        change_error.set(None);
    };
    let apply = Callback::new(move |()| {
        let Some((change, who)) = changing.get_untracked() else {
            return;
        };
        pending.set(true);
        spawn_local(async move {
            let account = String::from(js_sys::encode_uri_component(&who.username));
            let api = crate::api::authed(session);
            let result = match change {
                Change::ResetAuthenticator => {
                    let path = format!("/api/backoffice/staff/{account}/totp-reset");
                    api.post::<_, ()>(&path, &()).await
                }
                Change::Role(_) | Change::Active(_) => {
                    let current_role = if who.role == "administrateur" {
                        StaffRole::Administrateur
                    } else {
                        StaffRole::Agent
                    };
                    let update = match change {
                        Change::Role(role) => StaffUpdate { role, actif: true },
                        _ => StaffUpdate {
                            role: current_role,
                            actif: change == Change::Active(true),
                        },
                    };
                    let path = format!("/api/backoffice/staff/{account}");
                    api.put::<_, StaffProfile>(&path, &update).await.map(|_| ())
                }
            };
            pending.set(false);
            match result {
                Ok(()) => {
                    close();
                    done.set(Some(change.done(&who.username)));
                    reload();
                    focus_id(LIST);
                }
                Err(e) => change_error.set(Some(
                    e.problem
                        .detail
                        .clone()
                        .filter(|_| e.status() == 409)
                        .unwrap_or_else(|| problem_message(&e)),
                )),
            }
        });
    });
    let question = move || {
        changing.with(|c| {
            c.as_ref()
                .map(|(change, who)| change.confirmation(&who.username))
        })
    };

    view! {
        <div class="card">
            <StatusMessage message=done/>
            <ListSection id=LIST heading="Comptes des agents" caption="Comptes des agents et administrateurs"
                count failure rows/>
            <h3 id="nouveau-compte-titre">"Ajouter un agent ou un administrateur"</h3>
            {new_staff_form(done, Callback::new(move |()| reload()))}
        </div>
        <ConfirmDialog id="changement-compte"
            title=Signal::derive(move || question().map(|q| q.0).unwrap_or_default())
            text=Signal::derive(move || question().map(|q| q.1.to_string()).unwrap_or_default())
            confirm=Signal::derive(move || question().map(|q| q.2.to_string()).unwrap_or_default())
            open=Signal::derive(move || changing.with(Option::is_some))
            pending=pending.into() error=change_error.into()
            on_cancel=Callback::new(move |()| close()) on_confirm=apply/>
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
