//! « Mes démarches » (signed in, CGU accepted): the « création de dossier famille » card,
//! and the family's inscriptions to activités in one line (« Mes inscriptions »).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use shared::api::account::MeResponse;
use shared::api::dossier::{
    DemandeKind, DemandeList, DemandeStatus, DemandeSummary, DossierResponse,
};
use shared::api::rattachement::{
    RattachementCodeRequest, RattachementMethod, RattachementStatus, RattachementView,
};
use shared::api::registration::DossierReference;
use shared::validation::{check_rattachement_code, field_errors};
use validator::Validate;

use crate::api::{self, ApiError};
use crate::components::field::{ErrorSummary, Field, FormErrors, add_error};
use crate::components::guard::RequireSession;
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::format::{date, time_hm};
use crate::i18n::{problem_message, status_label};
use crate::pages::activites::inscriptions::InscriptionsSummary;
use crate::state::use_session;

/// `/demarches`.
#[component]
pub fn DemarchesPage() -> impl IntoView {
    view! {
        <RequireSession>
            <PageTitle title="Mes démarches"/>
            <Demarches/>
        </RequireSession>
    }
}

/// The coloured status of a request.
#[component]
pub fn StatusBadge(status: DemandeStatus) -> impl IntoView {
    let class = match status {
        DemandeStatus::Brouillon => "badge badge-draft",
        DemandeStatus::EnAttenteValidation => "badge badge-waiting",
        DemandeStatus::ACompleter => "badge badge-todo",
        DemandeStatus::Validee => "badge badge-ok",
        DemandeStatus::Refusee => "badge badge-refused",
    };
    view! { <span class=class>{status_label(status)}</span> }
}

#[component]
fn Demarches() -> impl IntoView {
    let session = use_session();
    let data = RwSignal::new(None::<Result<(DemandeList, MeResponse), ApiError>>);
    let done = RwSignal::new(None::<String>);
    let reload = Callback::new(move |()| {
        spawn_local(async move {
            let client = api::authed(session);
            let list = client.get::<DemandeList>("/api/demandes").await;
            let me = client.get::<MeResponse>("/api/me").await;
            data.set(Some(list.and_then(|l| me.map(|m| (l, m)))));
        });
    });
    reload.run(());
    view! {
        <StatusMessage message=done/>
        {move || match data.get() {
            None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
            Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(&e)}</p></div> }.into_any(),
            Some(Ok((list, me))) => {
                let creation = list.items.iter().find(|d| d.kind == DemandeKind::CreationDossier).cloned();
                let asked = list.items.iter().find(|d| d.kind == DemandeKind::RattachementDossier).cloned();
                let rattachement = me.rattachement.clone().filter(|r| r.status != RattachementStatus::Rattache);
                let waiting = rattachement.as_ref().is_some_and(|r| r.status == RattachementStatus::EnAttente);
                let linked = me.dossier_numero.clone();
                view! {
                    {rattachement.map(|r| view! { <RattachementCard rattachement=r demande=asked reload done/> })}
                    <section class="card demarche" aria-labelledby="creation-titre">
                        <h2 id="creation-titre">"Ma demande de création de dossier famille"</h2>
                        {match (creation, linked) {
                            (Some(d), linked) => view! {
                                {linked.map(|numero| view! { <p>{format!("Votre compte est rattaché au dossier famille n° {numero}.")}</p> })}
                                <DemandeCard demande=d/>
                            }.into_any(),
                            (None, Some(numero)) => view! {
                                <p>{format!("Votre compte est rattaché au dossier famille n° {numero}.")}</p>
                                <p class="hint">"Pour modifier ce dossier, adressez-vous au service vie scolaire de la mairie."</p>
                            }.into_any(),
                            (None, None) if waiting => view! {
                                <p class="hint">"Votre demande de rattachement est en cours : vous n'avez pas de dossier à créer."</p>
                            }.into_any(),
                            (None, None) => view! {
                                <CreateDossier/>
                                <RattachementForm reload done/>
                            }.into_any(),
                        }}
                    </section>
                    <InscriptionsSummary/>
                }.into_any()
            }
        }}
    }
}

/// A rattachement in progress (or refused): type the code sent to the dossier's address,
/// ask for another, or ask the town to check instead; or follow the agents' request.
#[component]
fn RattachementCard(
    rattachement: RattachementView,
    demande: Option<DemandeSummary>,
    reload: Callback<()>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let numero = rattachement.numero.clone();
    let body = match (rattachement.status, rattachement.method) {
        (RattachementStatus::Refuse, _) => view! {
            <p class="status-line">"Statut : "<StatusBadge status=DemandeStatus::Refusee/></p>
            {rattachement.agent_message.clone().map(|m| view! {
                <div class="agent-message"><h3>"Message de la mairie"</h3><p>{m}</p></div>
            })}
            <p class="hint">"Vous pouvez déclarer un nouveau foyer ou faire une nouvelle demande de rattachement ci-dessous."</p>
        }
        .into_any(),
        (_, RattachementMethod::Code) => view! { <CodeForm rattachement=rattachement.clone() reload done/> }.into_any(),
        (_, RattachementMethod::Validation) => view! {
            <p class="status-line">"Statut : "<StatusBadge status=DemandeStatus::EnAttenteValidation/></p>
            <p>"Les services de la mairie vérifient que ce dossier est bien celui de votre famille. Vous serez prévenu par email de leur décision ; en attendant, vous ne voyez pas le dossier."</p>
            {demande.map(|d| view! {
                <div class="actions">
                    <A href=format!("/demarches/demande/{}", d.id) attr:class="button secondary">"Consulter ma demande"</A>
                </div>
            })}
        }
        .into_any(),
    };
    view! {
        <section class="card demarche" aria-labelledby="rattachement-titre">
            <h2 id="rattachement-titre">{format!("Rattachement au dossier famille n° {numero}")}</h2>
            {body}
        </section>
    }
}

/// « Code de rattachement »: six digits sent to the dossier's address on record (never
/// shown here), a few tries, « Renvoyer un code », or an agent instead.
#[component]
fn CodeForm(
    rattachement: RattachementView,
    reload: Callback<()>,
    done: RwSignal<Option<String>>,
) -> impl IntoView {
    let session = use_session();
    let code = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let numero = rattachement.numero.clone();
    let send = move |path: &'static str, body: Option<String>, success: String| {
        if pending.get_untracked() {
            return;
        }
        errors.clear();
        done.set(None);
        pending.set(true);
        spawn_local(async move {
            let result = match body {
                Some(code) => {
                    api::authed(session)
                        .post::<_, RattachementView>(path, &RattachementCodeRequest { code })
                        .await
                }
                None => {
                    api::authed(session)
                        .post::<_, RattachementView>(path, &serde_json::json!({}))
                        .await
                }
            };
            pending.set(false);
            match result {
                Ok(_) => {
                    done.set(Some(success));
                    reload.run(());
                }
                Err(e) => errors.show_api(&e),
            }
        });
    };
    let submit = {
        let numero = numero.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let typed = code.get_untracked();
            if let Err(problem) = check_rattachement_code(&typed) {
                let mut fields = shared::error::FieldErrors::new();
                add_error(&mut fields, "code", problem);
                errors.show_fields(fields);
                return;
            }
            send(
                "/api/rattachement/code",
                Some(typed),
                format!("Votre compte est rattaché au dossier famille n° {numero}."),
            );
        }
    };
    let status = if rattachement.code_valide {
        let until = rattachement
            .code_expire_le
            .as_ref()
            .map(time_hm)
            .unwrap_or_default();
        format!(
            "Un code a été envoyé à l'adresse enregistrée pour ce dossier. Il est valable jusqu'à {until} ; il vous reste {} essai(s).",
            rattachement.essais_restants
        )
    } else if rattachement.codes_envoyes == 0 {
        "Aucun code n'a encore été envoyé : demandez-en un, il partira vers l'adresse enregistrée pour ce dossier.".to_string()
    } else {
        "Le code envoyé n'est plus valable : demandez un nouveau code.".to_string()
    };
    let resend_label = if rattachement.codes_envoyes == 0 {
        "Envoyer un code"
    } else {
        "Renvoyer un code"
    };
    let can_resend = rattachement.renvoi_possible;
    view! {
        <p id="rattachement-etat">{status}</p>
        <form on:submit=submit novalidate=true>
            <ErrorSummary errors labels=CODE_LABELS/>
            <Field id="rattachement-code" name="code" label="Code de rattachement" value=code
                errors=errors.field("code") autocomplete="one-time-code"
                hint="Les 6 chiffres reçus par email à l'adresse que la mairie a enregistrée pour ce dossier."/>
            <div class="actions">
                <button type="submit" class="button primary" aria-disabled=move || pending.get().then_some("true")>"Valider le code"</button>
            </div>
        </form>
        <div class="actions">
            <button type="button" class="button secondary" disabled=!can_resend
                on:click=move |_| send("/api/rattachement/code/renvoi", None,
                    "Un nouveau code a été envoyé à l'adresse enregistrée pour ce dossier.".into())>
                {resend_label}
            </button>
            <button type="button" class="button secondary"
                on:click=move |_| send("/api/rattachement/validation", None,
                    "Votre demande a été transmise aux services de la mairie, qui vont la vérifier.".into())>
                "Je n'ai plus accès à cette adresse"
            </button>
        </div>
        {(!can_resend).then(|| view! {
            <p class="hint">"Vous pourrez demander un nouveau code une minute après le précédent (5 codes au plus)."</p>
        })}
    }
}

const CODE_LABELS: &[(&str, &str)] = &[("code", "Code de rattachement")];

const REFERENCE_LABELS: &[(&str, &str)] = &[
    ("numero", "Numéro du dossier famille"),
    ("nom", "Nom"),
    ("prenom", "Prénom"),
];

/// « J'ai déjà un dossier famille »: the same reference as sign-up step 2, for an account
/// that has none yet.
#[component]
fn RattachementForm(reload: Callback<()>, done: RwSignal<Option<String>>) -> impl IntoView {
    let session = use_session();
    let (numero, nom, prenom) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        errors.clear();
        done.set(None);
        let request = DossierReference {
            numero: numero.get_untracked().trim().to_string(),
            nom: nom.get_untracked().trim().to_string(),
            prenom: prenom.get_untracked().trim().to_string(),
        };
        if let Err(e) = request.validate() {
            errors.show_fields(field_errors(&e));
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = api::authed(session)
                .post::<_, RattachementView>("/api/rattachement", &request)
                .await;
            pending.set(false);
            match result {
                Ok(_) => {
                    done.set(Some(
                        "Votre demande de rattachement est enregistrée.".into(),
                    ));
                    reload.run(());
                }
                Err(e) => errors.show_api(&e),
            }
        });
    };
    view! {
        <form class="rattachement-form" on:submit=submit novalidate=true aria-labelledby="rattacher-titre">
            <h3 id="rattacher-titre">"J'ai déjà un dossier famille"</h3>
            <p class="hint">"Indiquez le numéro figurant sur les courriers de la mairie et le nom et le prénom d'un parent du dossier. Un code sera envoyé à l'adresse e-mail que la mairie a enregistrée pour ce dossier, ou la mairie vérifiera votre demande."</p>
            <ErrorSummary errors labels=REFERENCE_LABELS/>
            <Field id="rattacher-numero" name="numero" label="Numéro du dossier famille" value=numero
                errors=errors.field("numero") autocomplete="off"/>
            <Field id="rattacher-nom" name="nom" label="Nom" value=nom
                errors=errors.field("nom") autocomplete="family-name"/>
            <Field id="rattacher-prenom" name="prenom" label="Prénom" value=prenom
                errors=errors.field("prenom") autocomplete="given-name"/>
            <div class="actions">
                <button type="submit" class="button secondary" aria-disabled=move || pending.get().then_some("true")>"Rattacher mon compte à ce dossier"</button>
            </div>
        </form>
    }
}

#[component]
fn DemandeCard(demande: DemandeSummary) -> impl IntoView {
    let editable = demande.status.family_can_edit();
    let dates = match demande.submitted_at {
        Some(at) => format!("Transmise le {}", date(&at)),
        None => format!(
            "Commencée le {} · modifiée le {}",
            date(&demande.created_at),
            date(&demande.updated_at)
        ),
    };
    view! {
        <p class="status-line">"Statut : "<StatusBadge status=demande.status/></p>
        <p class="hint">{dates}</p>
        <div class="actions">
            {editable.then(|| view! {
                <A href=format!("/demarches/dossier/{}", demande.dossier_id) attr:class="button primary">"Reprendre mon dossier"</A>
            })}
            {(demande.status != DemandeStatus::Brouillon).then(|| view! {
                <A href=format!("/demarches/demande/{}", demande.id) attr:class=if editable { "button secondary" } else { "button primary" }>"Consulter ma demande"</A>
            })}
        </div>
    }
}

#[component]
fn CreateDossier() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let create = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::authed(session)
                .post::<_, DossierResponse>("/api/dossiers", &serde_json::json!({}))
                .await;
            pending.set(false);
            match result {
                Ok(dossier) => navigate(
                    &format!("/demarches/dossier/{}", dossier.id),
                    Default::default(),
                ),
                Err(e) => error.set(Some(problem_message(&e))),
            }
        });
    };
    view! {
        <p>"Vous n'avez pas encore de dossier famille : composez votre foyer en ligne, la mairie le validera."</p>
        <div role="alert">{move || error.get().map(|text| view! { <p class="notice">{text}</p> })}</div>
        <button type="button" class="button primary" disabled=move || pending.get() on:click=create>
            "Créer mon dossier en ligne"
        </button>
    }
}
