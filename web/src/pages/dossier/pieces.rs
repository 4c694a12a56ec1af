//! Étape 2/3 « Pièces justificatives »: the pieces the dossier must provide, the pieces
//! provided (download, replace, delete) and « Ajouter un justificatif ».
//!
//! Both tables are real tables (`scope="col"` headers); below 40rem each row is shown as a
//! block whose cells repeat their column name, so that nothing scrolls sideways at 375 px.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::pieces::{Piece, PieceFile, PieceStatus, PiecesResponse};
use shared::pieces::human_size;
use uuid::Uuid;

use crate::api::{self, ApiError, save_blob};
use crate::components::modal::ConfirmDialog;
use crate::components::status::StatusMessage;
use crate::format::{date, day};
use crate::i18n::{
    analyse_note, download_message, piece_deleted, piece_status_label, problem_message, upload_done,
};
use crate::pages::dossier::piece_dialog::{DialogRequest, PieceDialog};
use crate::pages::dossier::steps::use_go;
use crate::pages::dossier::{Wizard, focus_selector, use_wizard};

/// `GET /api/dossiers/{id}/pieces`, as last loaded.
#[derive(Clone, Copy)]
pub struct PiecesData {
    wizard: Wizard,
    pub state: RwSignal<Option<Result<PiecesResponse, ApiError>>>,
}

impl PiecesData {
    /// Starts loading the dossier's pieces.
    pub fn load(wizard: Wizard) -> Self {
        let data = Self {
            wizard,
            state: RwSignal::new(None),
        };
        spawn_local(data.fetch());
        data
    }

    /// Loads them again (after an upload or a deletion).
    pub async fn fetch(self) {
        let result = api::authed(self.wizard.session)
            .get::<PiecesResponse>(&self.wizard.path("/pieces"))
            .await;
        self.state.set(Some(result));
    }

    /// Reads the pieces as last loaded, without tracking (and without copying them).
    pub fn with<R>(self, read: impl FnOnce(Option<&PiecesResponse>) -> R) -> R {
        self.state
            .with_untracked(|s| read(s.as_ref().and_then(|r| r.as_ref().ok())))
    }
}

/// The coloured status of a piece (the badges of « Mes démarches »).
pub fn piece_status_badge(status: PieceStatus) -> impl IntoView {
    let class = match status {
        PieceStatus::NonFournie => "badge badge-todo",
        PieceStatus::EnAttenteValidation => "badge badge-waiting",
        PieceStatus::Validee => "badge badge-ok",
        PieceStatus::Refusee | PieceStatus::Expiree => "badge badge-refused",
    };
    view! { <span class=class>{piece_status_label(status)}</span> }
}

/// Étape 2/3.
#[component]
pub fn DocumentsStep() -> impl IntoView {
    let wizard = use_wizard();
    let go = use_go();
    let pieces = PiecesData::load(wizard);
    let dialog = RwSignal::new(None::<DialogRequest>);
    // The piece to delete: its id and how it is named (type — lié à).
    let to_delete = RwSignal::new(None::<(Uuid, String)>);
    let message = RwSignal::new(None::<String>);
    // After a change the tables are drawn again: the focus goes to the provided pieces,
    // where the change shows.
    let refresh = move |text: Option<String>| {
        spawn_local(async move {
            pieces.fetch().await;
            if text.is_some() {
                message.set(text);
            }
            focus_selector("#pieces-fournies-titre");
        });
    };
    let on_changed = Callback::new(move |piece: Option<Piece>| {
        refresh(piece.map(|p| upload_done(&p.type_libelle)));
    });
    let on_deleted = Callback::new(move |name: String| {
        refresh(Some(piece_deleted(&name)));
    });
    view! {
        <section aria-labelledby="pieces-titre" class="pieces-step">
            <h2 id="pieces-titre" class="step-heading" tabindex="-1">"Pièces justificatives"</h2>
            <StatusMessage message=message/>
            {move || pieces.state.with(|state| match state {
                None => view! { <p class="loading" role="status">"Chargement des pièces justificatives…"</p> }.into_any(),
                Some(Err(error)) => view! {
                    <div role="alert"><p class="notice">{problem_message(error)}</p></div>
                }.into_any(),
                Some(Ok(data)) => pieces_tables(data, dialog, to_delete, message).into_any(),
            })}
            <PieceDialog request=dialog data=pieces on_changed=on_changed/>
            <DeletePieceDialog to_delete=to_delete on_deleted=on_deleted/>
            <div class="actions">
                <button type="button" class="button secondary" on:click=move |_| go.run(0)>"Retour"</button>
                <button type="button" class="button primary" on:click=move |_| go.run(2)>"Suivant"</button>
            </div>
        </section>
    }
}

/// « Non fournie » or a status, with the town's reason when it was refused.
fn status_cell(status: PieceStatus, motif: Option<String>) -> impl IntoView {
    view! {
        {piece_status_badge(status)}
        {motif.filter(|m| !m.trim().is_empty()).map(|m| view! { <p class="motif">{format!("Motif : {m}")}</p> })}
    }
}

fn pieces_tables(
    data: &PiecesResponse,
    // Opens the upload dialog.
    open: RwSignal<Option<DialogRequest>>,
    to_delete: RwSignal<Option<(Uuid, String)>>,
    message: RwSignal<Option<String>>,
) -> impl IntoView + use<> {
    let modifiable = data.modifiable;
    let motif_of = |piece_id: Option<Uuid>| {
        let piece = data.fournies.iter().find(|p| Some(p.id) == piece_id)?;
        piece.motif_refus.clone()
    };
    let required_rows = data
        .a_fournir
        .iter()
        .map(|r| {
            let (type_code, member_id) = (r.type_code.clone(), r.lie_a.member_id);
            let needed = modifiable && !r.status.counts_as_provided();
            let what = format!(" : {} — {}", r.type_libelle, r.lie_a.libelle);
            view! {
                <tr>
                    <td data-label="Statut">{status_cell(r.status, motif_of(r.piece_id))}</td>
                    <td data-label="Type">{r.type_libelle.clone()}</td>
                    <td data-label="Lié à">{r.lie_a.libelle.clone()}</td>
                    <td data-label="Actions">
                        {if needed {
                            view! {
                                <button type="button" class="button secondary" on:click=move |_| open.set(Some(DialogRequest::Add {
                                    type_code: Some(type_code.clone()),
                                    member_id,
                                }))>
                                    "Ajouter"<span class="visually-hidden">{what}</span>
                                </button>
                            }.into_any()
                        } else {
                            ().into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let provided_rows = data
        .fournies
        .iter()
        .map(|piece| provided_row(piece.clone(), modifiable, open, to_delete, message))
        .collect_view();
    let none_provided = data.fournies.is_empty();
    view! {
        <p class="hint">"Ajoutez ici les documents demandés par la mairie : chaque pièce peut compter plusieurs fichiers (par exemple une page par fichier)."</p>
        {modifiable.then(|| view! {
            <p>
                <button type="button" class="button primary" on:click=move |_| open.set(Some(DialogRequest::Add { type_code: None, member_id: None }))>
                    "Ajouter un justificatif"
                </button>
            </p>
        })}
        <h3 id="pieces-a-fournir-titre">"Pièces justificatives à fournir"</h3>
        {if data.a_fournir.is_empty() {
            view! { <p class="empty">"Aucune pièce n'est exigée pour ce dossier."</p> }.into_any()
        } else {
            view! {
                <table class="stack-table" aria-labelledby="pieces-a-fournir-titre">
                    <thead><tr>
                        <th scope="col">"Statut"</th>
                        <th scope="col">"Type"</th>
                        <th scope="col">"Lié à"</th>
                        <th scope="col">"Actions"</th>
                    </tr></thead>
                    <tbody>{required_rows}</tbody>
                </table>
            }.into_any()
        }}
        <h3 id="pieces-fournies-titre" tabindex="-1">"Pièces justificatives fournies"</h3>
        <table class="stack-table" aria-labelledby="pieces-fournies-titre">
            <thead><tr>
                <th scope="col">"Statut"</th>
                <th scope="col">"Type"</th>
                <th scope="col">"Lié à"</th>
                <th scope="col">"Présenté le"</th>
                <th scope="col">"Emis le"</th>
                <th scope="col">"Fin de validité"</th>
                <th scope="col">"Actions"</th>
            </tr></thead>
            <tbody>
                {none_provided.then(|| view! { <tr><td colspan="7" class="empty">"Pas de contenus trouvés"</td></tr> })}
                {provided_rows}
            </tbody>
        </table>
    }
}

fn provided_row(
    piece: Piece,
    modifiable: bool,
    // Opens the upload dialog.
    open: RwSignal<Option<DialogRequest>>,
    to_delete: RwSignal<Option<(Uuid, String)>>,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let wizard = use_wizard();
    let editable = modifiable && piece.modifiable;
    let what = format!(" : {} — {}", piece.type_libelle, piece.lie_a.libelle);
    let files = piece
        .fichiers
        .iter()
        .map(|file| {
            let path = wizard.path(&format!("/pieces/{}/fichiers/{}", piece.id, file.id));
            view! { <li>{download_button(file.clone(), path, message)}</li> }
        })
        .collect_view();
    // Past their retention, the files are gone but the check stays on record.
    let erased = piece.fichiers_supprimes_le.map(|erased| {
        let checked = piece
            .verifiee_le
            .map(|at| format!("Vérifiée le {}. ", date(&at)))
            .unwrap_or_default();
        view! { <p class="hint">{format!("{checked}Fichier supprimé le {} (durée de conservation écoulée).", date(&erased))}</p> }
    });
    let for_replace = piece.clone();
    let for_delete = (
        piece.id,
        format!("{} — {}", piece.type_libelle, piece.lie_a.libelle),
    );
    view! {
        <tr>
            <td data-label="Statut">{status_cell(piece.status, piece.motif_refus.clone())}</td>
            <td data-label="Type">{piece.type_libelle.clone()}</td>
            <td data-label="Lié à">{piece.lie_a.libelle.clone()}</td>
            <td data-label="Présenté le">{day(&piece.presente_le)}</td>
            <td data-label="Emis le">{day(&piece.emis_le)}</td>
            <td data-label="Fin de validité">{piece.fin_validite.as_ref().map_or_else(|| "Sans limite".to_string(), day)}</td>
            <td data-label="Actions">
                <ul class="plain file-list">{files}</ul>
                {erased}
                {editable.then(|| view! {
                    <div class="row-actions">
                        <button type="button" class="button secondary" on:click=move |_| open.set(Some(DialogRequest::Replace(for_replace.clone())))>
                            "Remplacer"<span class="visually-hidden">{what.clone()}</span>
                        </button>
                        <button type="button" class="button secondary danger" on:click=move |_| to_delete.set(Some(for_delete.clone()))>
                            "Supprimer"<span class="visually-hidden">{what.clone()}</span>
                        </button>
                    </div>
                })}
            </td>
        </tr>
    }
}

/// A stored file: fetched with the access token (never in a URL), then saved by the browser.
fn download_button(
    file: PieceFile,
    path: String,
    message: RwSignal<Option<String>>,
) -> impl IntoView {
    let wizard = use_wizard();
    let name = file.nom.clone();
    let fetch = move |_| {
        let (path, name) = (path.clone(), name.clone());
        spawn_local(async move {
            let result = api::authed(wizard.session).download(&path).await;
            if let Err(error) = result.and_then(|blob| save_blob(&blob, &name)) {
                message.set(Some(download_message(&error)));
            }
        });
    };
    view! {
        <button type="button" class="link-button file-link" on:click=fetch>
            <span class="visually-hidden">"Télécharger "</span>
            {file.nom.clone()}
            <span class="file-size">{format!(" ({})", human_size(file.taille))}</span>
        </button>
        {analyse_note(file.analyse).map(|note| view! { <span class="file-scan">{format!(" — {note}")}</span> })}
    }
}

/// « Supprimer ce justificatif ? », a modal confirmation.
#[component]
fn DeletePieceDialog(
    to_delete: RwSignal<Option<(Uuid, String)>>,
    on_deleted: Callback<String>,
) -> impl IntoView {
    let wizard = use_wizard();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let confirm = Callback::new(move |()| {
        let Some((id, name)) = to_delete.get_untracked() else {
            return;
        };
        pending.set(true);
        let path = wizard.path(&format!("/pieces/{id}"));
        spawn_local(async move {
            let result = api::authed(wizard.session).delete::<()>(&path).await;
            pending.set(false);
            match result {
                Ok(()) => {
                    to_delete.set(None);
                    on_deleted.run(name);
                }
                Err(e) => error.set(Some(problem_message(&e))),
            }
        });
    });
    let cancel = Callback::new(move |()| {
        error.set(None);
        to_delete.set(None);
    });
    view! {
        <ConfirmDialog id="suppression-piece" title="Supprimer ce justificatif ?" subject=to_delete
            describe=|name| format!("« {name} » sera supprimé avec ses fichiers.")
            confirm_label="Supprimer" pending=pending error=error on_confirm=confirm on_cancel=cancel/>
    }
}
