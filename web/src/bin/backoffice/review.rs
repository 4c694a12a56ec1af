//! The review of one request: the dossier as submitted (members, links, observation), its
//! history, each piece with its files and « Valider » / « Refuser », and the decision on
//! the request (« Demander un complément », « Valider le dossier », « Refuser la demande »).
//! A 409 (another agent decided first) is explained and the review reloaded.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::api::backoffice::{
    ContactEmailRequest, DemandeDecisionRequest, DemandeVerdict, MotifRefus, PieceDecisionRequest,
    PieceVerdict, RattachementReview, Review,
};
use shared::api::dossier::{DemandeStatus, DossierResponse, Member};
use shared::api::pieces::{Piece, PieceFile, PieceStatus};
use shared::error::ErrorCode;
use shared::pieces::human_size;
use uuid::Uuid;

use crate::api::{self, ApiError, save_blob};
use crate::components::page_title::PageTitle;
use crate::dialog::{CancelButton, Dialog};
use crate::format::{date, date_time, day};
use crate::i18n::{
    analyse_note, download_message, piece_status_label, problem_message, relation_label,
    role_label, sexe_label, situation_label, status_label,
};
use crate::login::focus_id;
use crate::preview::{PreviewButton, PreviewPanel, Previewer};
use crate::state::{Session, use_session};

const MOTIFS: [MotifRefus; 5] = [
    MotifRefus::Illisible,
    MotifRefus::Incomplet,
    MotifRefus::Perime,
    MotifRefus::NeCorrespondPas,
    MotifRefus::Autre,
];

/// The page's state, shared with its parts.
#[derive(Clone, Copy)]
struct Page {
    session: Session,
    id: StoredValue<String>,
    data: RwSignal<Option<Result<Review, ApiError>>>,
    /// Success messages (polite live region).
    done: RwSignal<Option<String>>,
    /// Failures outside the dialogs (assertive).
    failure: RwSignal<Option<String>>,
    /// The piece being refused.
    refusing: RwSignal<Option<Piece>>,
    /// The decision being confirmed.
    deciding: RwSignal<Option<DemandeVerdict>>,
    /// The dossier number of a validated request (the review shows the dossier as
    /// submitted, before it had one: the queue knows it).
    numero: RwSignal<Option<String>>,
    /// The document viewer.
    previewer: Previewer,
}

impl Page {
    fn path(self) -> String {
        format!(
            "/api/backoffice/demandes/{}",
            self.id
                .with_value(|id| String::from(js_sys::encode_uri_component(id)))
        )
    }

    /// Loads the review again (after a 409, or to see another agent's work).
    fn reload(self) {
        spawn_local(async move {
            let review = api::authed(self.session).get::<Review>(&self.path()).await;
            if let Ok(review) = &review {
                self.find_numero(review).await;
            }
            self.data.set(Some(review));
        });
    }

    /// Whether the request is a « demande de rattachement » (an account asks to join the
    /// dossier) rather than the dossier's creation.
    fn is_rattachement(self) -> bool {
        self.data
            .with(|d| matches!(d, Some(Ok(review)) if review.rattachement.is_some()))
    }

    /// The number the town gave a validated dossier, from the queue of validated requests.
    async fn find_numero(self, review: &Review) {
        let d = &review.demande;
        if d.summary.status != DemandeStatus::Validee {
            self.numero.set(None);
            return;
        }
        let Some(dossier) = &d.dossier else {
            return;
        };
        if let Some(numero) = &dossier.numero {
            self.numero.set(Some(numero.clone()));
            return;
        }
        let nom = dossier
            .members
            .iter()
            .find(|m| m.fields.role == shared::api::dossier::Role::Responsable)
            .and_then(|m| m.fields.nom.clone())
            .unwrap_or_default();
        let path = format!(
            "/api/backoffice/demandes?status=validee&q={}&per_page=100",
            String::from(js_sys::encode_uri_component(&nom))
        );
        if let Ok(queue) = api::authed(self.session)
            .get::<shared::api::backoffice::Queue>(&path)
            .await
        {
            self.numero.set(
                queue
                    .items
                    .into_iter()
                    .find(|i| i.demande_id == d.summary.id)
                    .and_then(|i| i.numero),
            );
        }
    }
}

/// `/backoffice/demandes/{id}`.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let params = use_params_map();
    let failure = RwSignal::new(None);
    let page = Page {
        session: use_session(),
        id: StoredValue::new(params.with_untracked(|p| p.get("id")).unwrap_or_default()),
        data: RwSignal::new(None),
        done: RwSignal::new(None),
        failure,
        refusing: RwSignal::new(None),
        deciding: RwSignal::new(None),
        numero: RwSignal::new(None),
        previewer: Previewer::new(failure),
    };
    page.reload();
    view! {
        <PageTitle title="Examen de la demande"/>
        <p><A href="/backoffice">"Retour aux demandes"</A></p>
        <div class="status" role="status">{move || page.done.get().map(|t| view! { <p>{t}</p> })}</div>
        <div role="alert">{move || page.failure.get().map(|t| view! { <p class="notice">{t}</p> })}</div>
        {move || page.data.with(|d| match d {
            None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
            Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(e)}</p></div> }.into_any(),
            Some(Ok(review)) => view! { <ReviewView page review=review.clone()/> }.into_any(),
        })}
        <RefuseDialog page/>
        <DecisionDialog page/>
    }
}

#[component]
fn ReviewView(page: Page, review: Review) -> impl IntoView {
    let d = &review.demande;
    let s = &d.summary;
    // Staff always receive the dossier; an empty one stands in if it ever were missing.
    let dossier = d.dossier.clone().unwrap_or_else(|| DossierResponse {
        id: s.dossier_id,
        numero: None,
        version: 0,
        address: Default::default(),
        members: Vec::new(),
        links: Vec::new(),
        demande: s.clone(),
        editable: false,
    });
    let famille = responsable_name(&dossier);
    let waiting = s.status == DemandeStatus::EnAttenteValidation;
    let rattachement = review.rattachement.clone();
    let is_rattachement = rattachement.is_some();
    let title = match &rattachement {
        Some(asked) => format!(
            "Demande de rattachement au dossier n° {} — {famille}",
            asked.numero
        ),
        None => format!("Demande de création du dossier famille — {famille}"),
    };
    let open = move |verdict| {
        page.done.set(None);
        page.failure.set(None);
        page.deciding.set(Some(verdict));
    };
    let decisions = move || {
        if is_rattachement {
            view! {
                <button type="button" class="button primary" on:click=move |_| open(DemandeVerdict::Validee)>"Rattacher le compte au dossier"</button>
                <button type="button" class="button secondary danger" on:click=move |_| open(DemandeVerdict::Refusee)>"Refuser la demande"</button>
            }
            .into_any()
        } else {
            view! {
                <button type="button" class="button secondary" on:click=move |_| open(DemandeVerdict::ACompleter)>"Demander un complément"</button>
                <button type="button" class="button primary" on:click=move |_| open(DemandeVerdict::Validee)>"Valider le dossier"</button>
                <button type="button" class="button secondary danger" on:click=move |_| open(DemandeVerdict::Refusee)>"Refuser la demande"</button>
            }
            .into_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="demande-titre">
            <h2 id="demande-titre">{title}</h2>
            <dl class="details">
                <dt>"Statut"</dt><dd id="demande-statut">{status_label(s.status)}</dd>
                <dt>"Transmise le"</dt><dd>{s.submitted_at.as_ref().map(date_time).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Commencée le"</dt><dd>{date(&s.created_at)}</dd>
                {page.numero.get_untracked().map(|n| view! { <dt>"Numéro du dossier famille"</dt><dd id="demande-numero">{n}</dd> })}
            </dl>
            {d.agent_message.clone().map(|m| view! {
                <div class="agent-message"><h3>"Message envoyé à la famille"</h3><p>{m}</p></div>
            })}
            {waiting.then(|| view! {
                <h3>"Décision sur la demande"</h3>
                <div class="actions decision-actions">{decisions}</div>
            })}
        </section>
        {rattachement.map(|asked| view! { <RattachementSection asked/> })}
        {dossier.numero.is_some().then(|| view! {
            <ContactEmailSection page dossier_id=s.dossier_id current=review.contact_email.clone()/>
        })}
        <PiecesSection page pieces=review.pieces.clone() waiting=waiting && !is_rattachement/>
        <DossierSection dossier
            title=if is_rattachement { "Le dossier demandé" } else { "Le dossier transmis" }/>
        {(!is_rattachement).then(|| view! {
            <section class="card" aria-labelledby="observation-titre">
                <h2 id="observation-titre">"Observation de la famille"</h2>
                <p class:empty=d.observation.is_none()>{d.observation.clone().unwrap_or_else(|| "Aucune observation.".into())}</p>
            </section>
        })}
        <HistorySection review=review.clone()/>
    }
}

/// What the family typed at « Mes références dossier » and the account that asks: the
/// agent compares them with the dossier below before linking (SECURITY.md A-15).
#[component]
fn RattachementSection(asked: RattachementReview) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="rattachement-titre">
            <h2 id="rattachement-titre">"Qui demande le rattachement"</h2>
            <p class="hint">"Ce dossier n'a pas d'adresse e-mail enregistrée : vérifiez que ce compte appartient bien à un parent du foyer (par exemple en le contactant) avant de le rattacher. Les comptes déjà rattachés seront prévenus."</p>
            <dl class="details">
                <dt>"Numéro saisi"</dt><dd>{asked.numero}</dd>
                <dt>"Nom saisi"</dt><dd>{asked.nom}</dd>
                <dt>"Prénom saisi"</dt><dd>{asked.prenom}</dd>
                <dt>"Nom d'utilisateur"</dt><dd>{asked.username}</dd>
                <dt>"Adresse e-mail du compte"</dt><dd>{asked.email}</dd>
                <dt>"Compte créé le"</dt><dd>{date_time(&asked.compte_cree_le)}</dd>
            </dl>
        </section>
    }
}

/// The address on record where codes of rattachement go, for a validated dossier.
#[component]
fn ContactEmailSection(page: Page, dossier_id: Uuid, current: Option<String>) -> impl IntoView {
    let value = RwSignal::new(current.clone().unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        page.done.set(None);
        error.set(None);
        let text = value.get_untracked().trim().to_string();
        if !text.is_empty() && shared::validation::check_email(&text).is_err() {
            error.set(Some("Saisissez une adresse e-mail valide, par exemple prenom.nom@exemple.fr (ou laissez le champ vide).".into()));
            focus_id("adresse-dossier");
            return;
        }
        let request = ContactEmailRequest {
            email: (!text.is_empty()).then_some(text.clone()),
        };
        pending.set(true);
        spawn_local(async move {
            let path = format!("/api/backoffice/dossiers/{dossier_id}/contact-email");
            let result = api::authed(page.session)
                .put::<_, Review>(&path, &request)
                .await;
            pending.set(false);
            match result {
                Ok(_) => page.done.set(Some(if text.is_empty() {
                    "Adresse retirée : les prochains rattachements à ce dossier seront vérifiés par un agent.".into()
                } else {
                    format!("Adresse enregistrée : les codes de rattachement seront envoyés à {text}.")
                })),
                Err(e) => error.set(Some(problem_message(&e))),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="adresse-dossier-titre">
            <h2 id="adresse-dossier-titre">"Adresse e-mail enregistrée pour le dossier"</h2>
            <form on:submit=submit novalidate=true>
                <div class="field" class:field-invalid=move || error.with(Option::is_some)>
                    <label for="adresse-dossier">"Adresse des codes de rattachement"</label>
                    <p class="hint" id="adresse-dossier-aide">"Un compte qui demande à rejoindre ce dossier reçoit un code à cette adresse. Sans adresse, un agent vérifie chaque demande. Les familles ne la voient jamais."</p>
                    <input type="email" id="adresse-dossier" name="contact_email" autocomplete="off"
                        aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                        aria-describedby=move || if error.with(Option::is_some) { "adresse-dossier-aide adresse-dossier-erreur" } else { "adresse-dossier-aide" }
                        prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))/>
                    {move || error.get().map(|t| view! { <p class="field-error" id="adresse-dossier-erreur" role="alert">{t}</p> })}
                </div>
                <div class="actions">
                    <button type="submit" class="button secondary" aria-disabled=move || pending.get().then_some("true")>"Enregistrer l'adresse"</button>
                </div>
            </form>
        </section>
    }
}

/// « Prénom Nom » of the responsable, for titles.
fn responsable_name(dossier: &DossierResponse) -> String {
    dossier
        .members
        .iter()
        .find(|m| m.fields.role == shared::api::dossier::Role::Responsable)
        .or_else(|| dossier.members.first())
        .map(member_name)
        .unwrap_or_else(|| "famille".into())
}

fn member_name(member: &Member) -> String {
    let f = &member.fields;
    let name = [f.prenom.as_deref(), f.nom.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        if f.a_naitre {
            "Enfant à naître".into()
        } else {
            "(sans nom)".into()
        }
    } else {
        name
    }
}

#[component]
fn PiecesSection(page: Page, pieces: Vec<Piece>, waiting: bool) -> impl IntoView {
    let validate = move |piece: Piece| {
        page.done.set(None);
        page.failure.set(None);
        let request = PieceDecisionRequest {
            decision: PieceVerdict::Validee,
            motif: None,
            commentaire: None,
        };
        spawn_local(async move {
            let path = format!("/api/backoffice/pieces/{}/decision", piece.id);
            match api::authed(page.session)
                .post::<_, Piece>(&path, &request)
                .await
            {
                Ok(_) => {
                    page.done
                        .set(Some(format!("Pièce « {} » validée.", piece.type_libelle)));
                    page.reload();
                }
                Err(e) => piece_failure(page, &e),
            }
        });
    };
    view! {
        <section class="card" aria-labelledby="pieces-titre">
            <h2 id="pieces-titre">"Pièces justificatives"</h2>
            {pieces.is_empty().then(|| view! { <p class="empty">"Aucune pièce fournie."</p> })}
            <ul class="plain review-pieces">
                {pieces.into_iter().map(|piece| {
                    let decidable = waiting && piece.status == PieceStatus::EnAttenteValidation;
                    let (heading_id, labelled_by) = (format!("piece-{}", piece.id), format!("piece-{}", piece.id));
                    let (for_validate, for_refuse) = (piece.clone(), piece.clone());
                    view! {
                        <li class="review-piece" aria-labelledby=labelled_by>
                            <h3 id=heading_id>{format!("{} — {}", piece.type_libelle, piece.lie_a.libelle)}</h3>
                            <dl class="details">
                                <dt>"Statut"</dt>
                                <dd>{piece_status_label(piece.status)}
                                    {piece.motif_refus.clone().map(|m| view! { <span class="motif">{format!(" — {m}")}</span> })}
                                </dd>
                                <dt>"Présentée le"</dt><dd>{day(&piece.presente_le)}</dd>
                                <dt>"Émise le"</dt><dd>{day(&piece.emis_le)}</dd>
                                <dt>"Fin de validité"</dt><dd>{piece.fin_validite.as_ref().map(day).unwrap_or_else(|| "—".into())}</dd>
                            </dl>
                            <ul class="file-list">
                                {piece.fichiers.iter().map(|f| {
                                    let path = file_path(piece.id, f);
                                    view! {
                                        <li>
                                            <DownloadButton page piece_id=piece.id file=f.clone()/>
                                            " "
                                            <PreviewButton previewer=page.previewer session=page.session path piece_id=piece.id file=f.clone()/>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                            <PreviewPanel previewer=page.previewer piece_id=piece.id/>
                            {decidable.then(|| view! {
                                <div class="actions row-actions">
                                    <button type="button" class="button primary"
                                        aria-label=format!("Valider la pièce {}", for_validate.type_libelle)
                                        on:click=move |_| validate(for_validate.clone())>"Valider"</button>
                                    <button type="button" class="button secondary"
                                        aria-label=format!("Refuser la pièce {}", for_refuse.type_libelle)
                                        on:click=move |_| {
                                            page.done.set(None);
                                            page.failure.set(None);
                                            page.refusing.set(Some(for_refuse.clone()));
                                        }>"Refuser"</button>
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// A 409 on a piece: someone decided first; anything else: the message.
fn piece_failure(page: Page, error: &ApiError) {
    if error.code() == ErrorCode::Conflict || error.status() == 409 {
        page.failure.set(Some(
            "Cette pièce a déjà été traitée (par un autre agent ou dans un autre onglet) : la demande a été rechargée.".into(),
        ));
        page.reload();
    } else {
        page.failure.set(Some(problem_message(error)));
    }
}

/// Where a file of a piece is downloaded from (every download is audited).
fn file_path(piece_id: Uuid, file: &PieceFile) -> String {
    format!("/api/backoffice/pieces/{piece_id}/fichiers/{}", file.id)
}

/// A file of a piece: fetched with the access token, then handed to the browser.
#[component]
fn DownloadButton(page: Page, piece_id: Uuid, file: PieceFile) -> impl IntoView {
    let pending = RwSignal::new(false);
    let path = file_path(piece_id, &file);
    let name = file.nom.clone();
    let click = move |_| {
        if pending.get_untracked() {
            return;
        }
        pending.set(true);
        let (path, name) = (path.clone(), name.clone());
        spawn_local(async move {
            let result = api::authed(page.session).download(&path).await;
            pending.set(false);
            match result.and_then(|blob| save_blob(&blob, &name)) {
                Ok(()) => page
                    .done
                    .set(Some(format!("Téléchargement de « {name} » lancé."))),
                Err(e) => page.failure.set(Some(download_message(&e))),
            }
        });
    };
    view! {
        <button type="button" class="link-button file-link" aria-disabled=move || pending.get().then_some("true") on:click=click>
            <span class="visually-hidden">"Télécharger "</span>{file.nom.clone()}
            <span class="file-size">{format!(" ({}, {})", file.format.label(), human_size(file.taille))}</span>
        </button>
        {analyse_note(file.analyse).map(|note| view! { <span class="file-scan">{format!(" — {note}")}</span> })}
    }
}

/// « Refuser la pièce »: the reason from the list, an optional comment for the family.
#[component]
fn RefuseDialog(page: Page) -> impl IntoView {
    let motif = RwSignal::new(None::<MotifRefus>);
    let commentaire = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let close = move || {
        page.refusing.set(None);
        motif.set(None);
        commentaire.set(String::new());
        error.set(None);
    };
    let title = Signal::derive(move || {
        page.refusing.with(|p| {
            p.as_ref()
                .map(|p| format!("Refuser la pièce « {} »", p.type_libelle))
                .unwrap_or_default()
        })
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(piece) = page.refusing.get_untracked() else {
            return;
        };
        let Some(chosen) = motif.get_untracked() else {
            error.set(Some("Choisissez le motif du refus.".into()));
            focus_id("motif-0");
            return;
        };
        let text = commentaire.get_untracked().trim().to_string();
        if text.chars().count() > 1000 {
            error.set(Some(
                "Le commentaire compte au plus 1 000 caractères.".into(),
            ));
            return;
        }
        let request = PieceDecisionRequest {
            decision: PieceVerdict::Refusee,
            motif: Some(chosen),
            commentaire: (!text.is_empty()).then_some(text),
        };
        pending.set(true);
        spawn_local(async move {
            let path = format!("/api/backoffice/pieces/{}/decision", piece.id);
            let result = api::authed(page.session)
                .post::<_, Piece>(&path, &request)
                .await;
            pending.set(false);
            match result {
                Ok(_) => {
                    close();
                    page.done.set(Some(format!(
                        "Pièce « {} » refusée (motif : {}).",
                        piece.type_libelle,
                        chosen.label()
                    )));
                    page.reload();
                    focus_id("pieces-titre");
                }
                Err(e) if e.status() == 409 => {
                    close();
                    piece_failure(page, &e);
                    focus_id("pieces-titre");
                }
                Err(e) => error.set(Some(problem_message(&e))),
            }
        });
    };
    view! {
        <Dialog id="refus" title open=Signal::derive(move || page.refusing.with(Option::is_some))
            on_cancel=Callback::new(move |()| close())>
            <form on:submit=submit novalidate=true>
                <div role="alert">{move || error.get().map(|t| view! { <p class="field-error" id="refus-erreur">{t}</p> })}</div>
                <fieldset class="radios"
                    aria-describedby=move || if error.with(Option::is_some) { "refus-aide refus-erreur" } else { "refus-aide" }>
                    <legend>"Motif du refus" <span class="required" aria-hidden="true">" *"</span></legend>
                    <p class="hint" id="refus-aide">"La famille lit ce motif avec votre commentaire."</p>
                    {MOTIFS.iter().enumerate().map(|(i, m)| {
                        let id = format!("motif-{i}");
                        let m = *m;
                        view! {
                            <div class="radio">
                                <input type="radio" id=id.clone() name="motif" required=true
                                    prop:checked=move || motif.get() == Some(m)
                                    on:change=move |_| motif.set(Some(m))/>
                                <label for=id>{m.label()}</label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="field">
                    <label for="refus-commentaire">"Commentaire pour la famille (facultatif)"</label>
                    <textarea id="refus-commentaire" name="commentaire" maxlength="1000" rows="3"
                        prop:value=move || commentaire.get()
                        on:input=move |ev| commentaire.set(event_target_value(&ev))></textarea>
                </div>
                <div class="actions">
                    <CancelButton/>
                    <button type="submit" class="button primary" aria-disabled=move || pending.get().then_some("true")>"Refuser la pièce"</button>
                </div>
            </form>
        </Dialog>
    }
}

/// The confirmation of a decision on the request, with the message to the family.
#[component]
fn DecisionDialog(page: Page) -> impl IntoView {
    let message = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let close = move || {
        page.deciding.set(None);
        message.set(String::new());
        error.set(None);
    };
    let verdict = move || page.deciding.get();
    let needs_message = move || {
        matches!(
            verdict(),
            Some(DemandeVerdict::ACompleter | DemandeVerdict::Refusee)
        )
    };
    let title = Signal::derive(move || {
        match verdict() {
            Some(DemandeVerdict::ACompleter) => "Demander un complément à la famille",
            Some(DemandeVerdict::Validee) if page.is_rattachement() => {
                "Rattacher le compte au dossier ?"
            }
            Some(DemandeVerdict::Validee) => "Valider le dossier ?",
            Some(DemandeVerdict::Refusee) => "Refuser la demande ?",
            None => "",
        }
        .to_string()
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(decision) = page.deciding.get_untracked() else {
            return;
        };
        let text = message.get_untracked().trim().to_string();
        if needs_message() && text.is_empty() {
            error.set(Some(
                "Écrivez le message pour la famille : il est obligatoire.".into(),
            ));
            focus_id("decision-message");
            return;
        }
        if text.chars().count() > 1000 {
            error.set(Some("Le message compte au plus 1 000 caractères.".into()));
            focus_id("decision-message");
            return;
        }
        let request = DemandeDecisionRequest {
            decision,
            message: (!text.is_empty()).then_some(text),
        };
        pending.set(true);
        spawn_local(async move {
            let path = format!("{}/decision", page.path());
            let result = api::authed(page.session)
                .post::<_, Review>(&path, &request)
                .await;
            pending.set(false);
            match result {
                Ok(review) => {
                    close();
                    page.find_numero(&review).await;
                    let numero = page.numero.get_untracked();
                    let rattachement = review.rattachement.is_some();
                    page.data.set(Some(Ok(review)));
                    page.done.set(Some(match (decision, numero) {
                        (DemandeVerdict::Validee, _) if rattachement => "Compte rattaché au dossier. La famille et les comptes déjà rattachés sont prévenus par email.".into(),
                        (DemandeVerdict::Validee, Some(n)) => format!("Dossier validé : numéro de dossier famille {n}. La famille est prévenue par email."),
                        (DemandeVerdict::Validee, None) => "Dossier validé. La famille est prévenue par email.".into(),
                        (DemandeVerdict::ACompleter, _) => "Demande renvoyée à la famille pour complément. Elle est prévenue par email.".into(),
                        (DemandeVerdict::Refusee, _) => "Demande refusée. La famille est prévenue par email.".into(),
                    }));
                    focus_id("demande-titre");
                }
                Err(e) if e.status() == 409 => {
                    close();
                    page.failure.set(Some(
                        "Un autre agent a déjà pris une décision sur cette demande : elle a été rechargée.".into(),
                    ));
                    page.reload();
                    focus_id("demande-titre");
                }
                Err(e) => {
                    let text = if e.problem.fields.contains_key("message") {
                        "Écrivez le message pour la famille : il est obligatoire.".to_string()
                    } else {
                        problem_message(&e)
                    };
                    error.set(Some(text));
                }
            }
        });
    };
    let described = move || match verdict() {
        Some(DemandeVerdict::Validee) if page.is_rattachement() => {
            "Le compte pourra consulter et modifier ce dossier. Il est prévenu par email, ainsi que les comptes déjà rattachés."
        }
        Some(DemandeVerdict::Refusee) if page.is_rattachement() => {
            "Le compte ne voit rien du dossier ; la famille lit votre message dans Mes démarches et par email."
        }
        Some(DemandeVerdict::ACompleter) => {
            "La demande revient à la famille, qui la corrige et la transmet à nouveau. Les pièces refusées lui sont signalées avec leur motif."
        }
        Some(DemandeVerdict::Validee) => {
            "Le dossier reçoit son numéro de dossier famille ; les pièces en attente sont validées. La famille est prévenue par email."
        }
        Some(DemandeVerdict::Refusee) => {
            "La demande est refusée définitivement ; la famille est prévenue par email avec votre message."
        }
        None => "",
    };
    let confirm = move || match verdict() {
        Some(DemandeVerdict::ACompleter) => "Envoyer la demande de complément",
        Some(DemandeVerdict::Validee) if page.is_rattachement() => "Rattacher le compte",
        Some(DemandeVerdict::Validee) => "Valider le dossier",
        _ => "Refuser la demande",
    };
    view! {
        <Dialog id="decision" title open=Signal::derive(move || page.deciding.with(Option::is_some))
            on_cancel=Callback::new(move |()| close())>
            <form on:submit=submit novalidate=true>
                <p id="decision-texte">{described}</p>
                <div role="alert">{move || error.get().map(|t| view! { <p class="field-error" id="decision-erreur">{t}</p> })}</div>
                <Show when=needs_message>
                    <div class="field" class:field-invalid=move || error.with(Option::is_some)>
                        <label for="decision-message">"Message pour la famille" <span class="required" aria-hidden="true">" *"</span></label>
                        <textarea id="decision-message" name="message" maxlength="1000" rows="4" required=true
                            aria-invalid=move || if error.with(Option::is_some) { "true" } else { "false" }
                            aria-describedby=move || if error.with(Option::is_some) { "decision-texte decision-erreur" } else { "decision-texte" }
                            prop:value=move || message.get()
                            on:input=move |ev| message.set(event_target_value(&ev))></textarea>
                    </div>
                </Show>
                <div class="actions">
                    <CancelButton/>
                    <button type="submit" class="button primary" aria-disabled=move || pending.get().then_some("true")>{confirm}</button>
                </div>
            </form>
        </Dialog>
    }
}

#[component]
fn DossierSection(dossier: DossierResponse, title: &'static str) -> impl IntoView {
    let name_of = {
        let members = dossier.members.clone();
        move |id: Uuid| {
            members
                .iter()
                .find(|m| m.id == id)
                .map(member_name)
                .unwrap_or_default()
        }
    };
    let address = [
        dossier.address.adresse.clone(),
        dossier.address.code_postal.clone(),
        dossier.address.commune.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    view! {
        <section class="card" aria-labelledby="dossier-titre">
            <h2 id="dossier-titre">{title}</h2>
            <p><strong>"Adresse : "</strong>{if address.is_empty() { "non renseignée".to_string() } else { address }}</p>
            <ul class="plain member-recaps">
                {dossier.members.iter().map(|m| view! { <li><MemberRecap member=m.clone()/></li> }).collect_view()}
            </ul>
            <h3>"Liens de parenté"</h3>
            {if dossier.links.is_empty() {
                view! { <p class="empty">"Aucun lien déclaré."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap" tabindex="0" role="region" aria-label="Liens de parenté">
                        <table>
                            <thead><tr>
                                <th scope="col">"Enfant"</th><th scope="col">"Adulte"</th><th scope="col">"Lien"</th>
                                <th scope="col">"Autorité parentale"</th><th scope="col">"Contact d'urgence"</th><th scope="col">"Autorisé à récupérer"</th>
                            </tr></thead>
                            <tbody>
                                {dossier.links.iter().map(|l| view! {
                                    <tr>
                                        <td>{name_of(l.child_id)}</td>
                                        <td>{name_of(l.link.adult_id)}</td>
                                        <td>{relation_label(l.link.relation)}</td>
                                        <td>{yes_no(l.link.autorite_parentale)}</td>
                                        <td>{yes_no(l.link.contact_urgence)}</td>
                                        <td>{yes_no(l.link.autorise_recuperer)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

fn yes_no(value: bool) -> &'static str {
    if value { "Oui" } else { "Non" }
}

/// One member's fields, only those given.
#[component]
fn MemberRecap(member: Member) -> impl IntoView {
    let f = &member.fields;
    let mut rows: Vec<(&'static str, String)> = Vec::new();
    let mut add = |label: &'static str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            rows.push((label, value));
        }
    };
    add("Sexe", f.sexe.map(|s| sexe_label(s).to_string()));
    add("Nom de naissance", f.nom_naissance.clone());
    add("Autres prénoms", f.autres_prenoms.clone());
    add("Date de naissance", f.date_naissance.as_ref().map(day));
    add(
        "Naissance prévue le",
        f.date_naissance_prevue.as_ref().map(day),
    );
    add("Pays de naissance", f.pays_naissance.clone());
    add("Commune de naissance", f.commune_naissance.clone());
    add(
        "Situation familiale",
        f.situation_familiale
            .map(|s| situation_label(s).to_string()),
    );
    add("Depuis le", f.situation_depuis.as_ref().map(day));
    add("Téléphone mobile", f.telephone_mobile.clone());
    add("Téléphone fixe", f.telephone_fixe.clone());
    add("Email", f.email.clone());
    add("Profession", f.profession.clone());
    add("Employeur", f.employeur.clone());
    view! {
        <h3>{format!("{} — {}", member_name(&member), role_label(f.role))}</h3>
        <dl class="details">
            {rows.into_iter().map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> }).collect_view()}
        </dl>
    }
}

#[component]
fn HistorySection(review: Review) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="historique-titre">
            <h2 id="historique-titre">"Historique"</h2>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Tableau de l'historique">
                <table class="history">
                    <thead><tr>
                        <th scope="col">"Date"</th><th scope="col">"Statut"</th><th scope="col">"Par"</th><th scope="col">"Message"</th>
                    </tr></thead>
                    <tbody>
                        {review.demande.history.iter().map(|e| view! {
                            <tr>
                                <td>{date_time(&e.at)}</td>
                                <td>{status_label(e.status)}</td>
                                <td>{if e.actor == "agent" { "Un agent" } else { "La famille" }}</td>
                                <td>{e.message.clone().unwrap_or_default()}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
