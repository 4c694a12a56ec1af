//! « Applications connectées »: the town's other software (its enfance or billing
//! package, its data warehouse) reading and writing through the integration API. An
//! administrator connects one with the permissions it needs and no more, sees its use,
//! gives it a new secret (the previous one stays valid a day, the time to deploy the new
//! one) and revokes it. A secret is shown once, when it is made.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::integration::{
    ApplicationList, ApplicationView, DeliveryState, IssuedCredentials, NewApplicationRequest,
    RotateSecretRequest, Scope, WebhookDeliveryList, WebhookList, WebhookSubscription,
    check_application_name,
};
use shared::validation::{check_email, codes};

use crate::api::ApiError;
use crate::components::field::{FormErrors, add_error};
use crate::components::status::StatusMessage;
use crate::dialog::ConfirmDialog;
use crate::format::date_time;
use crate::forms::{Cell, Form, Kind, ListSection, Row, RowAction, Spec, rows_table};
use crate::i18n::problem_message;
use crate::login::focus_id;
use crate::state::use_session;

const LIST: &str = "applications-titre";
const SECRET: &str = "secret-application";
const EVENTS: &str = "evenements-titre";

/// A change to an application, waiting for its confirmation.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Change {
    Rotate,
    Revoke,
}

impl Change {
    fn label(self) -> &'static str {
        match self {
            Self::Rotate => "Nouveau secret",
            Self::Revoke => "Révoquer",
        }
    }

    /// The dialog's question, what it entails, and its button.
    fn confirmation(self, name: &str) -> (String, &'static str, &'static str) {
        match self {
            Self::Rotate => (
                format!("Donner un nouveau secret à « {name} » ?"),
                "Le nouveau secret est affiché une seule fois. L'ancien reste valable 24 heures, le temps de le remplacer dans le logiciel, puis il est refusé.",
                "Créer le secret",
            ),
            Self::Revoke => (
                format!("Révoquer « {name} » ?"),
                "L'application est refusée dès sa prochaine requête et ne peut plus obtenir de jeton. C'est définitif : pour la reconnecter, créez une nouvelle application.",
                "Révoquer",
            ),
        }
    }
}

/// What the table says of an application's permissions: their names, as OAuth writes them.
fn scope_names(scopes: &[Scope]) -> String {
    scopes
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn row_of(
    app: &ApplicationView,
    changing: RwSignal<Option<(Change, ApplicationView)>>,
    done: RwSignal<Option<String>>,
    events_of: RwSignal<Option<ApplicationView>>,
) -> Row {
    let state = match app.revoked_at {
        Some(at) => format!("Révoquée le {}", date_time(&at)),
        None => "Active".to_string(),
    };
    let shown = app.clone();
    let events = RowAction {
        text: "Événements",
        name: format!("Événements : {}", app.name),
        danger: false,
        run: Callback::new(move |()| {
            events_of.set(Some(shown.clone()));
            focus_id(EVENTS);
        }),
    };
    let mut actions = vec![events];
    if app.revoked_at.is_none() {
        actions.extend([Change::Rotate, Change::Revoke].into_iter().map(|change| {
            let target = app.clone();
            RowAction {
                text: change.label(),
                name: format!("{} : {}", change.label(), app.name),
                danger: change == Change::Revoke,
                run: Callback::new(move |()| {
                    done.set(None);
                    changing.set(Some((change, target.clone())));
                }),
            }
        }));
    }
    Row {
        cells: vec![
            Cell {
                strong: true,
                ..Cell::new("Nom", app.name.clone())
            },
            Cell::new("Identifiant client", app.id.to_string()),
            Cell::new("Contact", app.contact_email.clone()),
            Cell::new("Permissions", scope_names(&app.scopes)),
            Cell::new(
                "Dernière utilisation",
                app.last_used_at
                    .map(|at| date_time(&at))
                    .unwrap_or_else(|| "Jamais".into()),
            ),
            Cell::new("Requêtes", app.request_count.to_string()),
            Cell::new("État", state),
        ],
        actions,
    }
}

#[component]
pub fn ApplicationsSection() -> impl IntoView {
    let session = use_session();
    let list = RwSignal::new(None::<Result<ApplicationList, ApiError>>);
    let done = RwSignal::new(None::<String>);
    let issued = RwSignal::new(None::<IssuedCredentials>);
    let changing = RwSignal::new(None::<(Change, ApplicationView)>);
    let events_of = RwSignal::new(None::<ApplicationView>);
    let reload = move || {
        spawn_local(async move {
            list.set(Some(
                crate::api::authed(session)
                    .get::<ApplicationList>("/api/backoffice/applications")
                    .await,
            ));
        });
    };
    reload();
    let rows = Signal::derive(move || {
        list.with(|l| match l {
            Some(Ok(l)) => l
                .items
                .iter()
                .map(|a| row_of(a, changing, done, events_of))
                .collect(),
            _ => Vec::new(),
        })
    });
    let count = Signal::derive(move || {
        list.with(|l| {
            l.as_ref().map(|l| match l {
                Ok(l) => format!("{} application(s).", l.items.len()),
                Err(_) => String::new(),
            })
        })
    });
    let failure = crate::forms::failure_of(list);
    let show_secret = move |credentials: IssuedCredentials| {
        issued.set(Some(credentials));
        reload();
        focus_id(SECRET);
    };

    // The change's confirmation.
    let pending = RwSignal::new(false);
    let change_error = RwSignal::new(None::<String>);
    let close = move || {
        changing.set(None);
        change_error.set(None);
    };
    let apply = Callback::new(move |()| {
        let Some((change, app)) = changing.get_untracked() else {
            return;
        };
        pending.set(true);
        spawn_local(async move {
            let api = crate::api::authed(session);
            let result = match change {
                Change::Rotate => api
                    .post::<_, IssuedCredentials>(
                        &format!("/api/backoffice/applications/{}/secret", app.id),
                        &RotateSecretRequest::default(),
                    )
                    .await
                    .map(Some),
                Change::Revoke => api
                    .post::<_, ApplicationView>(
                        &format!("/api/backoffice/applications/{}/revocation", app.id),
                        &serde_json::json!({}),
                    )
                    .await
                    .map(|_| None),
            };
            pending.set(false);
            match result {
                Ok(Some(credentials)) => {
                    close();
                    show_secret(credentials);
                }
                Ok(None) => {
                    close();
                    issued.set(None);
                    done.set(Some(format!(
                        "« {} » est révoquée : ses requêtes sont refusées.",
                        app.name
                    )));
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
                .map(|(change, app)| change.confirmation(&app.name))
        })
    };

    view! {
        <div class="card">
            <StatusMessage message=done/>
            {move || issued.get().map(|credentials| view! { <Credentials credentials/> })}
            <ListSection id=LIST heading="Applications connectées"
                caption="Logiciels de la commune autorisés à utiliser l'API d'intégration"
                count failure rows/>
            {move || events_of.get().map(|app| view! { <Events app/> })}
            <h3 id="nouvelle-application-titre">"Connecter une application"</h3>
            <p class="hint">"Un logiciel de la commune (enfance, facturation, entrepôt de données) obtient un jeton d'accès avec son identifiant et son secret (OAuth 2.0, « client credentials ») et n'accède qu'à ce que ses permissions autorisent. Les familles voient ses consultations dans « Consultations de mon dossier »."</p>
            {new_application_form(Callback::new(show_secret))}
        </div>
        <ConfirmDialog id="changement-application"
            title=Signal::derive(move || question().map(|q| q.0).unwrap_or_default())
            text=Signal::derive(move || question().map(|q| q.1.to_string()).unwrap_or_default())
            confirm=Signal::derive(move || question().map(|q| q.2.to_string()).unwrap_or_default())
            open=Signal::derive(move || changing.with(Option::is_some))
            danger=true
            pending=pending.into() error=change_error.into()
            on_cancel=Callback::new(move |()| close()) on_confirm=apply/>
    }
}

/// An application's webhook subscriptions and their latest deliveries, each with
/// « Rejouer ».
#[component]
fn Events(app: ApplicationView) -> impl IntoView {
    let session = use_session();
    let loaded =
        RwSignal::new(None::<Result<Vec<(WebhookSubscription, WebhookDeliveryList)>, ApiError>>);
    let said = RwSignal::new(None::<String>);
    let id = app.id;
    let load = move || {
        spawn_local(async move {
            let api = crate::api::authed(session);
            let result = async {
                let list = api
                    .get::<WebhookList>(&format!("/api/backoffice/applications/{id}/webhooks"))
                    .await?;
                let mut all = Vec::new();
                for subscription in list.items {
                    let log = api
                        .get::<WebhookDeliveryList>(&format!(
                            "/api/backoffice/webhooks/{}/deliveries",
                            subscription.id
                        ))
                        .await?;
                    all.push((subscription, log));
                }
                Ok(all)
            }
            .await;
            loaded.set(Some(result));
        });
    };
    load();
    let replay = move |subscription: String, delivery: String| {
        spawn_local(async move {
            let result = crate::api::authed(session)
                .post::<_, ()>(
                    &format!(
                        "/api/backoffice/webhooks/{subscription}/deliveries/{delivery}/replay"
                    ),
                    &serde_json::json!({}),
                )
                .await;
            said.set(Some(match result {
                Ok(()) => "Livraison remise en file : elle part dans quelques secondes.".into(),
                Err(e) => problem_message(&e),
            }));
            load();
        });
    };
    view! {
        <section class="card" aria-labelledby=EVENTS>
            <h3 id=EVENTS tabindex="-1">{format!("Événements de « {} »", app.name)}</h3>
            <StatusMessage message=said/>
            {move || match loaded.get() {
                None => view! { <p>"Chargement…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="notice" role="alert">{problem_message(&e)}</p> }.into_any(),
                Some(Ok(all)) if all.is_empty() => view! {
                    <p>"Aucun abonnement : l'application s'abonne elle-même aux événements (permission webhooks:manage)."</p>
                }.into_any(),
                Some(Ok(all)) => all.into_iter().map(|(subscription, log)| {
                    let state = match (&subscription.paused_at, &subscription.pause_reason) {
                        (Some(at), reason) => format!("Suspendu le {} ({})", date_time(at), reason.clone().unwrap_or_default()),
                        (None, _) => "Actif".to_string(),
                    };
                    let events = subscription.events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(", ");
                    let sub_id = subscription.id.to_string();
                    let rows = log.items.iter().map(|d| {
                        let (sub, delivery) = (sub_id.clone(), d.id.to_string());
                        Row {
                            cells: vec![
                                Cell::new("Événement", d.event_type.clone()),
                                Cell::new("État", delivery_state(d.state)),
                                Cell::new("Tentatives", d.attempts.to_string()),
                                Cell::new("Dernier code HTTP", d.last_status.map(|s| s.to_string()).unwrap_or_else(|| "—".into())),
                                Cell::new("Erreur", d.last_error.clone().unwrap_or_default()),
                                Cell::new("Créé le", date_time(&d.created_at)),
                            ],
                            actions: vec![RowAction {
                                text: "Rejouer",
                                name: format!("Rejouer : {} du {}", d.event_type, date_time(&d.created_at)),
                                danger: false,
                                run: Callback::new(move |()| replay(sub.clone(), delivery.clone())),
                            }],
                        }
                    }).collect::<Vec<_>>();
                    let empty = rows.is_empty();
                    view! {
                        <h4 class="hook-url">{subscription.url.clone()}</h4>
                        <p>{format!("Événements : {events}. État : {state}.")}</p>
                        {empty.then(|| view! { <p>"Aucune livraison pour l'instant."</p> })}
                        {rows_table(format!("Dernières livraisons vers {}", subscription.url), rows)}
                    }
                }).collect_view().into_any(),
            }}
        </section>
    }
}

fn delivery_state(state: DeliveryState) -> &'static str {
    match state {
        DeliveryState::EnAttente => "En attente d'un nouvel essai",
        DeliveryState::Envoi => "En cours d'envoi",
        DeliveryState::Livree => "Livré",
        DeliveryState::Abandonnee => "Abandonné",
    }
}

/// The identifiers just made, shown once.
#[component]
fn Credentials(credentials: IssuedCredentials) -> impl IntoView {
    view! {
        <section class="card secret" aria-labelledby=SECRET>
            <h3 id=SECRET tabindex="-1">{format!("Identifiants de « {} »", credentials.application.name)}</h3>
            <p>"Copiez le secret maintenant et transmettez-le par un canal sûr : il ne sera plus jamais affiché (seule son empreinte est conservée)."</p>
            <dl>
                <dt>"Identifiant client (client_id)"</dt>
                <dd><code>{credentials.client_id.to_string()}</code></dd>
                <dt>"Secret (client_secret)"</dt>
                <dd><code>{credentials.client_secret}</code></dd>
                <dt>"Adresse du jeton"</dt>
                <dd><code>"/api/oauth/token"</code></dd>
            </dl>
        </section>
    }
}

fn new_application_form(on_created: Callback<IssuedCredentials>) -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let scopes = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let submit = Callback::new(move |()| {
        errors.clear();
        let request = NewApplicationRequest {
            name: name.get_untracked().trim().to_string(),
            contact_email: email.get_untracked().trim().to_string(),
            scopes: scopes
                .get_untracked()
                .split(',')
                .filter_map(Scope::parse)
                .collect(),
        };
        let mut fields = shared::error::FieldErrors::new();
        if let Err(code) = check_application_name(&request.name) {
            add_error(&mut fields, "name", code);
        }
        if let Err(code) = check_email(&request.contact_email) {
            add_error(&mut fields, "contact_email", code);
        }
        if request.scopes.is_empty() {
            add_error(&mut fields, "scopes", codes::CHOOSE_ONE);
        }
        if errors.show_fields(fields) {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = crate::api::authed(session)
                .post::<_, IssuedCredentials>("/api/backoffice/applications", &request)
                .await;
            pending.set(false);
            match result {
                Ok(created) => {
                    name.set(String::new());
                    email.set(String::new());
                    scopes.set(String::new());
                    on_created.run(created);
                }
                Err(e) => {
                    errors.show_api(&e);
                    if let Some(detail) = e.problem.detail.clone().filter(|_| e.status() == 409) {
                        errors.general.set(Some(detail));
                    }
                }
            }
        });
    });
    let fields = vec![
        Spec::new("name", "Nom de l'application", name).hint(
            "Montré aux familles dans « Consultations de mon dossier ». 80 caractères au plus.",
        ),
        Spec::new("contact_email", "Adresse email du contact technique", email)
            .kind(Kind::Email)
            .hint("Prévenue quand un abonnement aux événements est suspendu."),
        Spec::new("scopes", "Permissions", scopes)
            .kind(Kind::Choices(
                Scope::ALL
                    .iter()
                    .map(|s| {
                        (
                            s.as_str().to_string(),
                            format!("{} ({})", s.description(), s.as_str()),
                        )
                    })
                    .collect(),
            ))
            .hint("Seulement ce dont le logiciel a besoin."),
    ];
    view! {
        <Form prefix="application" fields errors pending=pending.into() on_submit=submit submit_label="Connecter l'application"/>
    }
}
