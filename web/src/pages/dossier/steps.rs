//! The three steps of the wizard.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::api::dossier::{
    DemandeDetail, DossierResponse, MAX_MEMBERS, Role, UpdateDemandeRequest,
};
use shared::error::{ErrorCode, FieldErrors};
use shared::validation::field_errors;
use uuid::Uuid;
use validator::Validate;

use crate::api;
use crate::components::choice::TextAreaField;
use crate::components::field::{Field, FormErrors};
use crate::components::modal::ConfirmDialog;
use crate::format::{day, today};
use crate::i18n::{problem_message, role_label};
use crate::pages::dossier::member_form::{Editor, MemberEditor};
use crate::pages::dossier::model::display_name;
use crate::pages::dossier::pieces::PiecesData;
use crate::pages::dossier::pieces_model::missing_pieces;
use crate::pages::dossier::recap::{DossierRecap, ProblemList, pieces_recap};
use crate::pages::dossier::{focus_selector, use_wizard};

pub(super) fn use_go() -> Callback<usize> {
    expect_context::<Callback<usize>>()
}

/// Which member form to open.
#[derive(Clone, Copy)]
enum Open {
    Add(Role),
    /// A stored member; `true` opens a child's links.
    Edit(Uuid, bool),
}

/// Étape 1/3 « Composez votre foyer ».
#[component]
pub fn FamilyStep() -> impl IntoView {
    let wizard = use_wizard();
    let go = use_go();
    let query = use_query_map();
    let navigate = use_navigate();
    let editor = RwSignal::new(None::<Editor>);
    let to_delete = RwSignal::new(None::<(Uuid, String)>);
    // The form's signals must outlive the buttons that open it (they are unmounted when it
    // opens): they belong to this step.
    let owner = Owner::current().expect("reactive owner");
    let open = Callback::new(move |request: Open| {
        let opened = owner.with(|| match request {
            Open::Add(role) => Some(Editor::add(role)),
            Open::Edit(id, links) => wizard.dossier.with_untracked(|d| {
                let d = d.as_ref()?;
                let member = d.members.iter().find(|m| m.id == id)?;
                Some(Editor::edit(member, d, links))
            }),
        });
        if opened.is_some() {
            editor.set(opened);
        }
    });

    // « Corriger » links of the recap open a member's form: `?etape=1&membre=<id>`.
    let opened = StoredValue::new(None::<String>);
    Effect::new(move |_| {
        let wanted = query.with(|q| q.get("membre"));
        let links = query.with(|q| q.get("partie")).as_deref() == Some("liens");
        if wanted.is_none() || wanted == opened.get_value() {
            return;
        }
        let found = wizard.dossier.with(|d| {
            d.as_ref().and_then(|d| {
                let id = Uuid::parse_str(wanted.as_deref().unwrap_or_default()).ok()?;
                d.members.iter().any(|m| m.id == id).then_some(id)
            })
        });
        if let Some(id) = found {
            opened.set_value(wanted);
            open.run(Open::Edit(id, links));
        }
    });
    let id = wizard.id;
    let close = Callback::new(move |_: ()| {
        editor.set(None);
        if opened.get_value().is_some() {
            navigate(
                &format!("/demarches/dossier/{id}?etape=1"),
                leptos_router::NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            );
        }
        focus_selector("main h2.step-heading");
    });

    let next = move |_| {
        spawn_local(async move {
            if wizard.save_address().await.is_ok() {
                go.run(1);
            }
        });
    };

    view! {
        <section aria-labelledby="foyer-titre">
            <h2 id="foyer-titre" class="step-heading" tabindex="-1">"Composez votre foyer"</h2>
            <p class="hint">"Les champs marqués d'un * sont obligatoires"</p>
            {move || match editor.get() {
                Some(open) => view! { <MemberEditor editor=open on_close=close/> }.into_any(),
                None => view! {
                    <AddressForm/>
                    <MemberList open=open to_delete=to_delete/>
                    <AddButtons open=open/>
                    <div class="actions">
                        <button type="button" class="button primary" on:click=next>"Suivant"</button>
                    </div>
                }.into_any(),
            }}
            <DeleteDialog to_delete=to_delete/>
        </section>
    }
}

const ADDRESS_LABELS: &[(&str, &str)] = &[
    ("adresse", "Adresse"),
    ("code_postal", "Code postal"),
    ("commune", "Commune"),
];

#[component]
fn AddressForm() -> impl IntoView {
    let wizard = use_wizard();
    let errors = FormErrors::new();
    let address = wizard.address;
    // Saved when a field is left; errors go as the person types (see `forget_on_input`).
    let save = move |_| {
        if let Err(e) = address.to_input().validate() {
            errors.fields.set(field_errors(&e));
            return;
        }
        if errors.fields.with_untracked(|f| !f.is_empty()) {
            errors.fields.set(FieldErrors::new());
        }
        spawn_local(async move {
            if let Err(error) = wizard.save_address().await
                && error.code() != ErrorCode::PreconditionFailed
            {
                errors.fields.set(error.problem.fields.clone());
                errors.general.set(Some(problem_message(&error)));
            }
        });
    };
    view! {
        <fieldset id="adresse-foyer" class="address" on:change=save
            on:input=move |ev| errors.forget_on_input(&ev)>
            <legend>"Adresse du foyer"</legend>
            {move || errors.general.get().map(|text| view! { <p class="field-error">{text}</p> })}
            <Field id="foyer-adresse" name="adresse" label=ADDRESS_LABELS[0].1 value=address.adresse
                errors=errors.field("adresse") autocomplete="address-line1"/>
            <Field id="foyer-code-postal" name="code_postal" label=ADDRESS_LABELS[1].1 value=address.code_postal
                errors=errors.field("code_postal") autocomplete="postal-code"/>
            <Field id="foyer-commune" name="commune" label=ADDRESS_LABELS[2].1 value=address.commune
                errors=errors.field("commune") autocomplete="address-level2"/>
        </fieldset>
    }
}

#[component]
fn MemberList(open: Callback<Open>, to_delete: RwSignal<Option<(Uuid, String)>>) -> impl IntoView {
    let wizard = use_wizard();
    // The members only: saving the address (on leaving its fields) gives a new version of
    // the dossier, but must not rebuild these cards — a click that began on one of their
    // buttons would be lost.
    let members = Memo::new(move |_| {
        wizard
            .dossier
            .with(|d| d.as_ref().map(|d| d.members.clone()))
    });
    view! {
        <h3 id="membres-titre">"Membres du foyer"</h3>
        {move || members.with(|d| {
            let Some(members) = d else { return ().into_any() };
            if members.is_empty() {
                return view! { <p class="empty">"Aucun membre pour l'instant : commencez par le responsable."</p> }.into_any();
            }
            view! {
                <ul class="member-cards" aria-labelledby="membres-titre">
                    {members.iter().map(|member| {
                        let f = &member.fields;
                        let name = display_name(f);
                        let birth = if f.a_naitre {
                            f.date_naissance_prevue.map(|x| format!("Naissance prévue le {}", day(&x)))
                        } else {
                            f.date_naissance.map(|x| format!("Né·e le {}", day(&x)))
                        };
                        let (id, name_for_delete) = (member.id, name.clone());
                        view! {
                            <li class="card member-card">
                                <p class="member-title">
                                    <span class="member-role">{role_label(f.role)}</span>" "
                                    <span class="member-name">{name.clone()}</span>
                                </p>
                                {birth.map(|b| view! { <p class="member-birth">{b}</p> })}
                                <div class="actions">
                                    <button type="button" class="button secondary" on:click=move |_| open.run(Open::Edit(id, false))>
                                        "Modifier"<span class="visually-hidden">{format!(" {name}")}</span>
                                    </button>
                                    <button type="button" class="button secondary danger" on:click=move |_| to_delete.set(Some((id, name_for_delete.clone())))>
                                        "Supprimer"<span class="visually-hidden">{format!(" {}", name.clone())}</span>
                                    </button>
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        })}
    }
}

#[component]
fn AddButtons(open: Callback<Open>) -> impl IntoView {
    let wizard = use_wizard();
    let has = move |role: Role| {
        wizard.dossier.with(|d| {
            d.as_ref()
                .is_some_and(|d| d.members.iter().any(|m| m.fields.role == role))
        })
    };
    let full = move || {
        wizard
            .dossier
            .with(|d| d.as_ref().is_some_and(|d| d.members.len() >= MAX_MEMBERS))
    };
    let button = move |role: Role, article: &'static str, word: &'static str, required: bool| {
        view! {
            <button type="button" class="button add-button" on:click=move |_| open.run(Open::Add(role))>
                <span aria-hidden="true" class="plus">"+"</span>
                <span class="visually-hidden">{format!("Ajouter {article}")}</span>
                {word}
                {required.then(|| view! { <span class="required" aria-hidden="true">" *"</span> })}
            </button>
        }
    };
    view! {
        <div class="add-buttons">
            <Show when=move || full()>
                <p class="notice">"Un dossier ne peut pas compter plus de 20 membres."</p>
            </Show>
            <Show when=move || !full()>
                <Show when=move || !has(Role::Responsable)>{button(Role::Responsable, "un ", "responsable", true)}</Show>
                <Show when=move || !has(Role::Conjoint)>{button(Role::Conjoint, "un ", "conjoint", false)}</Show>
                {button(Role::Enfant, "un ", "enfant", false)}
                {button(Role::Contact, "un ", "contact", false)}
                <Show when=move || !has(Role::ResponsableLegal)>{button(Role::ResponsableLegal, "un ", "responsable légal", false)}</Show>
            </Show>
        </div>
        <ul class="hint add-help">
            <li>"Responsable : la personne qui gère le dossier (obligatoire)."</li>
            <li>"Conjoint : en cas de conjoint vivant au foyer."</li>
            <li>"Enfant : autant de fois que d'enfants à déclarer, nés ou à naître."</li>
            <li>"Contact : une personne à appeler ou autorisée à venir chercher les enfants."</li>
            <li>"Responsable légal : un autre parent qui ne vit pas au foyer."</li>
        </ul>
    }
}

/// « Supprimer ce membre ? », a modal confirmation.
#[component]
fn DeleteDialog(to_delete: RwSignal<Option<(Uuid, String)>>) -> impl IntoView {
    let wizard = use_wizard();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let confirm = Callback::new(move |()| {
        let Some((id, _)) = to_delete.get_untracked() else {
            return;
        };
        pending.set(true);
        let path = wizard.path(&format!("/members/{id}"));
        spawn_local(async move {
            let result = wizard
                .write(
                    move |c| async move { c.delete::<DossierResponse>(&path).await },
                    |d| Some(d),
                )
                .await;
            pending.set(false);
            match result {
                Ok(_) => {
                    to_delete.set(None);
                    focus_selector("main h2.step-heading");
                }
                Err(e) if e.code() == ErrorCode::PreconditionFailed => to_delete.set(None),
                Err(e) => error.set(Some(problem_message(&e))),
            }
        });
    });
    let cancel = Callback::new(move |()| {
        error.set(None);
        to_delete.set(None);
    });
    view! {
        <ConfirmDialog id="suppression" title="Supprimer ce membre ?" subject=to_delete
            describe=|name| format!("{name} sera retiré du dossier, avec ses liens de parenté.")
            confirm_label="Supprimer" pending=pending error=error on_confirm=confirm on_cancel=cancel/>
    }
}

/// Étape 3/3 « Récapitulatif », OBSERVATION and « Valider mon dossier ».
#[component]
pub fn RecapStep() -> impl IntoView {
    let wizard = use_wizard();
    let go = use_go();
    let navigate = use_navigate();
    let observation = RwSignal::new(String::new());
    let stored_observation = StoredValue::new(String::new());
    let problems = RwSignal::new(None::<FieldErrors>);
    let general = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let demande_id = wizard
        .dossier
        .with_untracked(|d| d.as_ref().map(|d| d.demande.id))
        .unwrap_or_default();
    let pieces = PiecesData::load(wizard);
    // What the recap shows, without the version: saving the observation (on leaving the
    // field, often by pressing « Valider mon dossier ») must not rebuild the page under the
    // pointer while the click is in progress.
    let recap = Memo::new(move |_| {
        wizard.dossier.get().map(|mut d| {
            d.version = 0;
            d
        })
    });

    spawn_local(async move {
        if let Ok(detail) = api::authed(wizard.session)
            .get::<DemandeDetail>(&format!("/api/demandes/{demande_id}"))
            .await
        {
            let text = detail.observation.unwrap_or_default();
            stored_observation.set_value(text.clone());
            if observation.with_untracked(String::is_empty) {
                observation.set(text);
            }
        }
    });

    let save_observation = move || async move {
        let text = observation.get_untracked();
        if text.trim() == stored_observation.get_value().trim() {
            return Ok(());
        }
        let request = UpdateDemandeRequest {
            observation: Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        };
        let path = format!("/api/demandes/{demande_id}");
        let result = wizard
            .write(
                move |c| async move { c.patch::<_, DemandeDetail>(&path, &request).await },
                |d| d.dossier.as_ref(),
            )
            .await;
        if result.is_ok() {
            stored_observation.set_value(text);
        }
        result.map(|_| ())
    };
    let on_observation = Callback::new(move |_: String| {
        spawn_local(async move {
            if let Err(e) = save_observation().await
                && e.code() != ErrorCode::PreconditionFailed
            {
                general.set(Some(problem_message(&e)));
            }
        });
    });

    let submit = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        problems.set(None);
        general.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            if let Err(e) = save_observation().await {
                pending.set(false);
                if e.code() != ErrorCode::PreconditionFailed {
                    general.set(Some(problem_message(&e)));
                    focus_selector("main .submit-summary");
                }
                return;
            }
            // The same rules as the server, checked here first (pieces: as last loaded).
            let today = today();
            let local = wizard.dossier.with_untracked(|d| {
                d.as_ref().map(|d| {
                    let mut found =
                        shared::submission::check(&d.address, &d.members, &d.links, today);
                    pieces.with(|p| found.extend(p.map(missing_pieces).unwrap_or_default()));
                    found
                })
            });
            if let Some(found) = local.filter(|f| !f.is_empty()) {
                pending.set(false);
                problems.set(Some(found));
                focus_selector("main .submit-summary");
                return;
            }
            let path = format!("/api/demandes/{demande_id}/submit");
            let result = wizard
                .write(
                    move |c| async move {
                        c.post::<_, DemandeDetail>(&path, &serde_json::json!({}))
                            .await
                    },
                    |d| d.dossier.as_ref(),
                )
                .await;
            pending.set(false);
            match result {
                Ok(_) => navigate(
                    &format!("/demarches/demande/{demande_id}?transmise=1"),
                    Default::default(),
                ),
                Err(e)
                    if e.code() == ErrorCode::ValidationFailed && !e.problem.fields.is_empty() =>
                {
                    problems.set(Some(e.problem.fields.clone()));
                    focus_selector("main .submit-summary");
                }
                Err(e) if e.code() == ErrorCode::PreconditionFailed => {}
                Err(e) => {
                    general.set(Some(problem_message(&e)));
                    focus_selector("main .submit-summary");
                }
            }
        });
    };

    view! {
        <section aria-labelledby="recap-titre">
            <h2 id="recap-titre" class="step-heading" tabindex="-1">"Récapitulatif"</h2>
            <p>"Vous trouverez ci-dessous le récapitulatif de votre dossier. Vous pouvez encore modifier les informations indiquées ou finaliser la création de votre dossier en cliquant sur « Valider mon dossier »."</p>
            <div class="error-summary submit-summary" role="alert" tabindex="-1">
                {move || general.get().map(|text| view! { <p class="error-summary-title">{text}</p> })}
                {move || problems.get().map(|errors| {
                    let dossier = wizard.dossier.get_untracked();
                    view! {
                        <p class="error-summary-title">"Votre dossier ne peut pas encore être validé : corrigez les points suivants."</p>
                        {dossier.map(|d| view! { <ProblemList errors=errors dossier=d pieces=pieces/> })}
                    }
                })}
            </div>
            {move || recap.get().map(|d| view! { <DossierRecap dossier=d level=3/> })}
            {move || pieces.state.with(|state| match state {
                None => view! { <p class="loading" role="status">"Chargement des pièces justificatives…"</p> }.into_any(),
                Some(Err(error)) => view! { <p class="notice">{problem_message(error)}</p> }.into_any(),
                Some(Ok(list)) => pieces_recap(list).into_any(),
            })}
            // The field and the buttons show once the pieces are listed (`hidden` until then):
            // the list pushes what is below it down when it arrives, and a click already on
            // its way to « Valider mon dossier » would land beside it.
            <div class="recap-end" hidden=move || pieces.state.with(Option::is_none)>
                <TextAreaField id="observation" name="observation" label="Observation" value=observation
                    hint="Une précision pour la mairie (facultatif)." on_change=on_observation/>
                <div class="actions">
                    <button type="button" class="button secondary" on:click=move |_| go.run(1)>"Retour"</button>
                    <button type="button" class="button primary" disabled=move || pending.get() on:click=submit>
                        {move || if pending.get() { "Validation en cours…" } else { "Valider mon dossier" }}
                    </button>
                </div>
            </div>
        </section>
    }
}
