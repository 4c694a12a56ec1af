//! The review's document viewer: a file of a piece shown in the page, next to the
//! decisions, so the agent can read it without saving it on the workstation.
//!
//! The file is fetched with the access token and shown from an object URL: PDFs in an
//! `<iframe>` (the browser's own PDF viewer; uploads were checked to carry no script, no
//! action and no embedded file), images in an `<img>`. The URL is revoked when the preview
//! closes or another file replaces it, so the content leaves memory with it.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::pieces::{Format, PieceFile};
use uuid::Uuid;
use web_sys::Url;

use crate::api;
use crate::i18n::problem_message;
use crate::state::Session;

/// The file on show, if any.
#[derive(Clone, Debug, PartialEq)]
struct Shown {
    /// The piece the file belongs to: the preview opens under it.
    piece_id: Uuid,
    name: String,
    url: String,
    format: Format,
}

/// The review's viewer: one file at a time.
#[derive(Clone, Copy)]
pub struct Previewer {
    shown: RwSignal<Option<Shown>>,
    /// Failures, shown by the page.
    failure: RwSignal<Option<String>>,
}

impl Previewer {
    /// A viewer reporting its failures in `failure`; the preview closes with the page.
    pub fn new(failure: RwSignal<Option<String>>) -> Self {
        let previewer = Self {
            shown: RwSignal::new(None),
            failure,
        };
        on_cleanup(move || previewer.close());
        previewer
    }

    /// Closes the preview and frees the file's memory.
    pub fn close(self) {
        if let Some(old) = self.shown.try_get_untracked().flatten() {
            let _ = Url::revoke_object_url(&old.url);
        }
        let _ = self.shown.try_set(None);
    }

    fn show(self, session: Session, path: String, piece_id: Uuid, file: PieceFile) {
        spawn_local(async move {
            let blob = match api::authed(session).download(&path).await {
                Ok(blob) => blob,
                Err(e) => return self.failure.set(Some(problem_message(&e))),
            };
            let Ok(url) = Url::create_object_url_with_blob(&blob) else {
                let message = "Ce navigateur ne peut pas afficher le fichier : téléchargez-le.";
                return self.failure.set(Some(message.into()));
            };
            self.close();
            self.shown.set(Some(Shown {
                piece_id,
                name: file.nom,
                url,
                format: file.format,
            }));
        });
    }
}

/// « Afficher »: shows the file under its piece.
#[component]
pub fn PreviewButton(
    previewer: Previewer,
    session: Session,
    path: String,
    piece_id: Uuid,
    file: PieceFile,
) -> impl IntoView {
    let label = format!("Afficher « {} »", file.nom);
    view! {
        <button type="button" class="link-button preview-button" aria-label=label
            on:click=move |_| previewer.show(session, path.clone(), piece_id, file.clone())>
            "Afficher"
        </button>
    }
}

/// The preview of the piece `piece_id`'s file, when one of its files is on show.
#[component]
pub fn PreviewPanel(previewer: Previewer, piece_id: Uuid) -> impl IntoView {
    let heading = NodeRef::<leptos::html::H4>::new();
    // The heading takes the focus when a preview opens, so it is announced and read first.
    Effect::new(move |_| {
        if let Some(h) = heading.get() {
            let _ = h.focus();
        }
    });
    move || {
        previewer
            .shown
            .get()
            .filter(|s| s.piece_id == piece_id)
            .map(|s| {
                let title = format!("Aperçu de « {} »", s.name);
                let content = match s.format {
                    Format::Pdf => view! { <iframe class="preview-frame" src=s.url.clone() title=title.clone()></iframe> }.into_any(),
                    Format::Jpeg | Format::Png => view! { <img class="preview-image" src=s.url.clone() alt=title.clone()/> }.into_any(),
                };
                view! {
                    <div class="preview">
                        <div class="preview-bar">
                            <h4 tabindex="-1" node_ref=heading>{title}</h4>
                            <button type="button" class="button secondary" on:click=move |_| previewer.close()>"Fermer l'aperçu"</button>
                        </div>
                        {content}
                    </div>
                }
            })
    }
}
