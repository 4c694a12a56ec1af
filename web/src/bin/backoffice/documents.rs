//! « Documents »: the town's public PDFs (règlements, menus, tarifs), the form that publishes
//! one (titre, catégorie, then the file, with progress), and the confirmed deletion.

use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::content::{PublicDocument, PublicDocumentList};
use shared::pieces::{MAX_FILE_BYTES, human_size};
use shared::validation::codes;

use crate::api::{self, ApiError, Method, Progress, Upload, UploadControl};
use crate::components::field::{FormErrors, add_error, focus_first_invalid};
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::dialog::{DeleteDialog, Doomed};
use crate::format::date;
use crate::forms::{Cell, Editor, Form, Kind, ListSection, Row, RowAction, SAID, Spec, refusal};
use crate::i18n::problem_message;
use crate::login::focus_id;
use crate::state::{Session, use_session};

const LIST: &str = "docs-liste-titre";

#[derive(Clone, Copy)]
struct Page {
    session: Session,
    list: RwSignal<Option<Result<PublicDocumentList, ApiError>>>,
    done: RwSignal<Option<String>>,
    doomed: RwSignal<Option<Doomed>>,
}

impl Page {
    fn reload(self) {
        spawn_local(async move {
            let list = crate::api::authed(self.session)
                .get::<PublicDocumentList>("/api/documents")
                .await;
            self.list.set(Some(list));
        });
    }

    fn changed(self, message: String) {
        self.done.set(Some(message));
        self.reload();
        focus_id(LIST);
    }

    fn row(self, doc: &PublicDocument) -> Row {
        let doomed = Doomed {
            path: format!("/api/backoffice/documents/{}", doc.id),
            question: format!("Supprimer le document « {} » ?", doc.titre),
            done: format!("Document « {} » supprimé.", doc.titre),
        };
        Row {
            cells: vec![
                Cell {
                    strong: true,
                    ..Cell::new("Titre", doc.titre.clone())
                },
                Cell::new("Catégorie", doc.categorie.clone()),
                Cell {
                    download: Some((
                        format!("/api/documents/{}/fichier", doc.id),
                        doc.nom.clone(),
                    )),
                    ..Cell::new(
                        "Fichier",
                        format!("{} (PDF, {})", doc.nom, human_size(doc.taille)),
                    )
                },
                Cell::new("Publié le", date(&doc.publie_le)),
            ],
            actions: vec![RowAction::delete(
                &format!("le document « {} »", doc.titre),
                self.done,
                self.doomed,
                doomed,
            )],
        }
    }
}

/// `/backoffice/documents`.
#[component]
pub fn DocumentsPage() -> impl IntoView {
    let page = Page {
        session: use_session(),
        list: RwSignal::new(None),
        done: RwSignal::new(None),
        doomed: RwSignal::new(None),
    };
    page.reload();
    let rows = Signal::derive(move || {
        page.list.with(|l| match l {
            Some(Ok(l)) => l.items.iter().map(|d| page.row(d)).collect(),
            _ => Vec::new(),
        })
    });
    let count = Signal::derive(move || {
        page.list.with(|l| {
            l.as_ref().map(|l| match l {
                Ok(l) if l.items.is_empty() => "Aucun document pour l'instant.".to_string(),
                Ok(l) if l.items.len() == 1 => "1 document.".to_string(),
                Ok(l) => format!("{} documents.", l.items.len()),
                Err(_) => String::new(),
            })
        })
    });
    let failure = crate::forms::failure_of(page.list);
    view! {
        <PageTitle title="Documents"/>
        <p>"Les documents paraissent sur la page « Documents » du portail ; tout le monde peut les télécharger."</p>
        <StatusMessage message=page.done/>
        {upload_form(page)}
        <ListSection id=LIST heading="Documents publiés" caption="Documents publics, par catégorie"
            count failure rows/>
        <DeleteDialog id="doc-suppression" doomed=page.doomed
            text="Il disparaît aussitôt de la page « Documents » du portail et son fichier est effacé. Cette action est définitive."
            on_deleted=Callback::new(move |message| page.changed(message))/>
    }
}

fn upload_form(page: Page) -> impl IntoView {
    let titre = RwSignal::new(String::new());
    let categorie = RwSignal::new(String::new());
    let file_name = RwSignal::new(String::new());
    let file_input = NodeRef::<leptos::html::Input>::new();
    let errors = FormErrors::new();
    let progress = RwSignal::new(None::<u32>);
    let control = StoredValue::new_local(UploadControl::default());
    let submit = Callback::new(move |()| {
        errors.clear();
        let mut fields = shared::error::FieldErrors::new();
        let (t, c) = (
            titre.get_untracked().trim().to_string(),
            categorie.get_untracked().trim().to_string(),
        );
        if t.is_empty() {
            add_error(&mut fields, "titre", codes::REQUIRED);
        }
        if c.is_empty() {
            add_error(&mut fields, "categorie", codes::REQUIRED);
        }
        let file = file_input
            .get_untracked()
            .and_then(|input| input.files())
            .and_then(|files| files.get(0));
        match &file {
            None => add_error(
                &mut fields,
                "fichier",
                &format!("{SAID}Choisissez le fichier PDF à publier."),
            ),
            Some(f) if f.size() > MAX_FILE_BYTES as f64 => add_error(
                &mut fields,
                "fichier",
                &format!(
                    "{SAID}Le fichier « {} » pèse {} : le maximum est {}.",
                    f.name(),
                    human_size(f.size() as u64),
                    human_size(MAX_FILE_BYTES)
                ),
            ),
            Some(_) => {}
        }
        if errors.show_fields(fields) {
            return;
        }
        let Some(file) = file else {
            return;
        };
        progress.set(Some(0));
        spawn_local(async move {
            let upload_fields = [("titre", t), ("categorie", c)];
            let files = [file];
            let upload = Upload {
                method: Method::Post,
                path: "/api/backoffice/documents",
                fields: &upload_fields,
                file_part: "fichier",
                files: &files,
                idempotency_key: None,
            };
            let report: Rc<dyn Fn(Progress)> =
                Rc::new(move |p: Progress| progress.set(Some(p.percent())));
            let control = control.get_value();
            let result = api::authed(page.session)
                .upload::<PublicDocument>(&upload, report, &control)
                .await;
            progress.set(None);
            match result {
                Ok(doc) => {
                    titre.set(String::new());
                    categorie.set(String::new());
                    if let Some(input) = file_input.get_untracked() {
                        input.set_value("");
                    }
                    page.changed(format!("Document « {} » publié.", doc.titre));
                }
                Err(e) => show_refusal(errors, &e),
            }
        });
    });
    let fields = vec![
        Spec::new("titre", "Titre", titre)
            .hint("Par exemple « Règlement intérieur de la restauration scolaire »."),
        Spec::new("categorie", "Catégorie", categorie)
            .hint("Par exemple « Règlements » ou « Tarifs »."),
        Spec::new("fichier", "Fichier PDF", file_name)
            .kind(Kind::File(file_input, "application/pdf,.pdf"))
            .hint(format!(
                "Un fichier PDF de {} au plus.",
                human_size(MAX_FILE_BYTES)
            )),
    ];
    let progress_view = ViewFn::from(move || {
        view! {
            <div class="upload-progress" role="status">
                {move || progress.get().map(|p| view! {
                    <label for="doc-progression">"Envoi en cours"</label>
                    <progress id="doc-progression" max="100" value=p>{format!("{p} %")}</progress>
                    <button type="button" class="button secondary" on:click=move |_| control.with_value(UploadControl::abort)>"Annuler l'envoi"</button>
                })}
            </div>
        }
    });
    view! {
        <Editor id="docs-form-titre" heading="Publier un document">
            <Form prefix="doc" fields errors pending=Signal::derive(move || progress.with(Option::is_some))
                on_submit=submit submit_label="Publier le document" extra=progress_view/>
        </Editor>
    }
}

/// A refused upload: the fields' errors under them; the file's refusal (413, 415, a damaged
/// or active PDF) under the file input in the server's own words.
fn show_refusal(errors: FormErrors, error: &ApiError) {
    let mut fields = error.problem.fields.clone();
    fields.retain(|key, _| !key.starts_with("fichier"));
    let about_file =
        fields.len() < error.problem.fields.len() || matches!(error.status(), 413 | 415);
    if about_file {
        add_error(&mut fields, "fichier", &format!("{SAID}{}", refusal(error)));
    }
    let any = !fields.is_empty();
    errors.fields.set(fields);
    errors.general.set(Some(if error.status() == 0 {
        // An abort or a lost connection.
        "L'envoi n'a pas abouti : rien n'a été publié. Réessayez.".into()
    } else if about_file {
        "Le document n'a pas été publié.".into()
    } else {
        problem_message(error)
    }));
    if any {
        focus_first_invalid();
    }
}
