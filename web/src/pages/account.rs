//! « Mon compte »: profile, password and email changes, and « Dernières connexions ».

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::account::{ChangeEmailRequest, ChangePasswordRequest, ConnectionPage, MeResponse};
use shared::api::rattachement::LinkedAccount;
use shared::validation::{codes, field_errors};
use validator::Validate;

use crate::api::{self, ApiError};
use crate::components::field::{ErrorSummary, Field, FormErrors, add_error};
use crate::components::guard::RequireSession;
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::format::{date, date_time};
use crate::i18n::{problem_message, retention};
use crate::pages::my_data::MyData;
use crate::pages::sent_emails::SentEmails;
use crate::state::{Session, use_session};

/// Connections shown per page.
const PER_PAGE: u32 = 20;

/// `/mon-compte` (signed in, CGU accepted).
#[component]
pub fn AccountPage() -> impl IntoView {
    view! {
        <RequireSession>
            <Account/>
        </RequireSession>
    }
}

#[component]
fn Account() -> impl IntoView {
    let session = use_session();
    let me = RwSignal::new(None::<Result<MeResponse, ApiError>>);
    let reload = move || {
        spawn_local(async move {
            let result = api::authed(session).get::<MeResponse>("/api/me").await;
            if let Ok(profile) = &result {
                session.set_profile(profile);
            }
            me.set(Some(result));
        })
    };
    reload();
    view! {
        <PageTitle title="Mon compte"/>
        <section class="card" aria-labelledby="infos-titre">
            <h2 id="infos-titre">"Mes informations"</h2>
            {move || match me.get() {
                None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
                Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(&e)}</p></div> }.into_any(),
                Some(Ok(m)) => view! { <Profile me=m/> }.into_any(),
            }}
        </section>
        <ChangePassword session=session/>
        <ChangeEmail session=session on_sent=Callback::new(move |_| reload())/>
        <SentEmails session=session/>
        <Connections session=session/>
        <MyData session=session/>
    }
}

#[component]
fn Profile(me: MeResponse) -> impl IntoView {
    let dossier = match (&me.dossier_numero, me.new_household) {
        (Some(numero), _) => numero.clone(),
        (None, true) => "Nouveau foyer".into(),
        (None, false) => "—".into(),
    };
    view! {
        <dl class="details">
            <dt>"Nom d'utilisateur"</dt><dd>{me.username.clone()}</dd>
            <dt>"Adresse email"</dt><dd>{me.email.clone()}</dd>
            {me.pending_email.clone().map(|pending| view! {
                <dt>"Email en attente de confirmation"</dt><dd>{pending}</dd>
            })}
            <dt>"Souscription"</dt><dd>{me.subscription.clone()}</dd>
            <dt>"Numéro du dossier famille"</dt><dd>{dossier}</dd>
            <dt>"Compte créé le"</dt><dd>{date(&me.created_at)}</dd>
        </dl>
        {(!me.comptes_rattaches.is_empty()).then(|| view! { <LinkedAccounts accounts=me.comptes_rattaches.clone()/> })}
    }
}

/// « Comptes rattachés à mon dossier »: every account that sees the dossier. Each is told
/// by email when another joins; one the family does not know is reported to the town.
#[component]
fn LinkedAccounts(accounts: Vec<LinkedAccount>) -> impl IntoView {
    view! {
        <h3 id="comptes-titre">"Comptes rattachés à mon dossier"</h3>
        <p class="hint" id="comptes-aide">"Ces comptes peuvent consulter et modifier votre dossier famille. Si vous ne reconnaissez pas l'un d'eux, contactez le service de la mairie."</p>
        <ul class="plain linked-accounts" aria-labelledby="comptes-titre" aria-describedby="comptes-aide">
            {accounts.into_iter().map(|a| view! {
                <li>
                    <strong>{a.username}</strong>
                    {a.vous.then_some(" (vous)")}
                    {format!(" — rattaché le {}", date(&a.linked_at))}
                </li>
            }).collect_view()}
        </ul>
    }
}

const PASSWORD_LABELS: &[(&str, &str)] = &[
    ("current_password", "Mot de passe actuel"),
    ("new_password", "Nouveau mot de passe"),
    (
        "new_password_confirmation",
        "Confirmation du nouveau mot de passe",
    ),
];

#[component]
fn ChangePassword(session: Session) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirmation = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        done.set(None);
        let request = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
        };
        let mut fields = request
            .validate()
            .err()
            .map(|e| field_errors(&e))
            .unwrap_or_default();
        if confirmation.get_untracked() != request.new_password {
            add_error(
                &mut fields,
                "new_password_confirmation",
                codes::PASSWORD_MISMATCH,
            );
        }
        if errors.show_fields(fields) {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::authed(session)
                .put::<_, serde_json::Value>("/api/me/password", &request)
                .await;
            pending.set(false);
            match result {
                Ok(_) => {
                    for field in [current, new, confirmation] {
                        field.set(String::new());
                    }
                    done.set(Some("Votre mot de passe a été modifié.".into()));
                }
                Err(e) => errors.show_api(&e),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="mdp-titre">
            <h2 id="mdp-titre">"Modifier mon mot de passe"</h2>
            <form on:submit=submit novalidate=true>
                <ErrorSummary errors=errors labels=PASSWORD_LABELS/>
                <Field id="compte-mdp-actuel" name="current_password" label="Mot de passe actuel" value=current
                    errors=errors.field("current_password") input_type="password" autocomplete="current-password"/>
                <Field id="compte-mdp-nouveau" name="new_password" label="Nouveau mot de passe" value=new
                    errors=errors.field("new_password") input_type="password" autocomplete="new-password"
                    hint="Au moins 12 caractères."/>
                <Field id="compte-mdp-confirmation" name="new_password_confirmation"
                    label="Confirmation du nouveau mot de passe" value=confirmation
                    errors=errors.field("new_password_confirmation") input_type="password" autocomplete="new-password"/>
                <button type="submit" class="button primary" disabled=move || pending.get()>"Modifier mon mot de passe"</button>
            </form>
            <StatusMessage message=done/>
        </section>
    }
}

const EMAIL_LABELS: &[(&str, &str)] = &[
    ("new_email", "Nouvelle adresse email"),
    ("password", "Mot de passe"),
];

#[component]
fn ChangeEmail(session: Session, on_sent: Callback<()>) -> impl IntoView {
    let new_email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.clear();
        done.set(None);
        let request = ChangeEmailRequest {
            password: password.get_untracked(),
            new_email: new_email.get_untracked().trim().to_string(),
        };
        if let Err(e) = request.validate()
            && errors.show_fields(field_errors(&e))
        {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::authed(session)
                .post::<_, serde_json::Value>("/api/me/email", &request)
                .await;
            pending.set(false);
            match result {
                Ok(_) => {
                    password.set(String::new());
                    new_email.set(String::new());
                    done.set(Some(format!(
                        "Un lien de confirmation a été envoyé à {}. Votre adresse actuelle reste valable jusqu'à la confirmation.",
                        request.new_email
                    )));
                    on_sent.run(());
                }
                Err(e) => errors.show_api(&e),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="email-titre">
            <h2 id="email-titre">"Modifier mon adresse email"</h2>
            <form on:submit=submit novalidate=true>
                <ErrorSummary errors=errors labels=EMAIL_LABELS/>
                <Field id="compte-nouvel-email" name="new_email" label="Nouvelle adresse email" value=new_email
                    errors=errors.field("new_email") input_type="email" autocomplete="email"/>
                <Field id="compte-email-mdp" name="password" label="Mot de passe" value=password
                    errors=errors.field("password") input_type="password" autocomplete="current-password"
                    hint="Pour confirmer qu'il s'agit bien de vous."/>
                <button type="submit" class="button primary" disabled=move || pending.get()>"Modifier mon adresse email"</button>
            </form>
            <StatusMessage message=done/>
        </section>
    }
}

#[component]
fn Connections(session: Session) -> impl IntoView {
    let page = RwSignal::new(1_u32);
    let data = RwSignal::new(None::<Result<ConnectionPage, ApiError>>);
    Effect::new(move |_| {
        let number = page.get();
        spawn_local(async move {
            let path = format!("/api/me/connections?page={number}&per_page={PER_PAGE}");
            data.set(Some(
                api::authed(session).get::<ConnectionPage>(&path).await,
            ));
        });
    });
    let last_page = move || {
        data.with(|d| match d {
            Some(Ok(p)) => p.total.div_ceil(u64::from(p.per_page.max(1))).max(1) as u32,
            _ => 1,
        })
    };
    view! {
        <section class="card" aria-labelledby="connexions-titre">
            <h2 id="connexions-titre">"Dernières connexions"</h2>
            {move || match data.get() {
                None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
                Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(&e)}</p></div> }.into_any(),
                Some(Ok(p)) if p.items.is_empty() => view! { <p class="empty">"Aucune connexion enregistrée."</p> }.into_any(),
                Some(Ok(p)) => view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Tableau des dernières connexions">
                        <table>
                            <caption>{format!(
                                "Vos connexions, de la plus récente à la plus ancienne (page {} sur {}). Elles sont conservées {}.",
                                p.page, p.total.div_ceil(u64::from(p.per_page.max(1))).max(1), retention(p.retention_days)
                            )}</caption>
                            <thead><tr>
                                <th scope="col">"Date"</th>
                                <th scope="col">"Adresse IP"</th>
                                <th scope="col">"Appareil"</th>
                                <th scope="col">"Résultat"</th>
                            </tr></thead>
                            <tbody>
                                {p.items.iter().map(|c| view! {
                                    <tr>
                                        <td>{date_time(&c.at)}</td>
                                        <td>{c.ip.clone()}</td>
                                        <td class="user-agent">{c.user_agent.clone()}</td>
                                        <td class=if c.success { "ok" } else { "ko" }>{if c.success { "Réussie" } else { "Échouée" }}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <nav class="pagination" aria-label="Pages des connexions">
                <button type="button" class="button secondary" disabled=move || { page.get() <= 1 }
                    on:click=move |_| page.update(|p| *p = p.saturating_sub(1).max(1))>"Précédent"</button>
                <button type="button" class="button secondary" disabled=move || { page.get() >= last_page() }
                    on:click=move |_| page.update(|p| *p += 1)>"Suivant"</button>
            </nav>
        </section>
    }
}
