//! « FAQ »: the questions families read, by category then position; the form that adds or
//! changes one with a preview of the answer, and the confirmed deletion.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::content::{FaqEntry, FaqInput, FaqList};
use shared::validation::field_errors;
use validator::Validate;

use crate::api::ApiError;
use crate::components::field::{FormErrors, add_error};
use crate::components::page_title::PageTitle;
use crate::components::status::StatusMessage;
use crate::dialog::{DeleteDialog, Doomed};
use crate::forms::{
    Cell, Editor, Form, Kind, ListSection, NOT_A_NUMBER, Row, RowAction, SYNTAX_HELP, Spec,
};
use crate::login::focus_id;
use crate::state::{Session, use_session};

const LIST: &str = "faq-liste-titre";
const FORM: &str = "faq-form-titre";

#[derive(Clone, Copy)]
struct Page {
    session: Session,
    list: RwSignal<Option<Result<FaqList, ApiError>>>,
    done: RwSignal<Option<String>>,
    /// `Some(None)` adds a question, `Some(Some(entry))` changes one.
    editing: RwSignal<Option<Option<FaqEntry>>>,
    doomed: RwSignal<Option<Doomed>>,
}

impl Page {
    fn reload(self) {
        spawn_local(async move {
            let list = crate::api::authed(self.session)
                .get::<FaqList>("/api/faq")
                .await;
            self.list.set(Some(list));
        });
    }

    fn changed(self, message: String) {
        self.done.set(Some(message));
        self.editing.set(None);
        self.reload();
        focus_id(LIST);
    }

    /// The categories in use, in order, for the form's hint.
    fn categories(self) -> Vec<String> {
        self.list.with_untracked(|l| {
            let mut names: Vec<String> = Vec::new();
            if let Some(Ok(l)) = l {
                for e in &l.items {
                    if !names.contains(&e.categorie) {
                        names.push(e.categorie.clone());
                    }
                }
            }
            names
        })
    }

    fn row(self, entry: &FaqEntry) -> Row {
        let (edited, what) = (entry.clone(), format!("la question « {} »", entry.question));
        let doomed = Doomed {
            path: format!("/api/backoffice/faq/{}", entry.id),
            question: format!("Supprimer la question « {} » ?", entry.question),
            done: format!("Question « {} » supprimée.", entry.question),
        };
        Row {
            cells: vec![
                Cell::new("Catégorie", entry.categorie.clone()),
                Cell::new("Position", entry.position.to_string()),
                Cell {
                    strong: true,
                    ..Cell::new("Question", entry.question.clone())
                },
            ],
            actions: vec![
                RowAction::edit(&what, self.done, self.editing, edited, FORM),
                RowAction::delete(&what, self.done, self.doomed, doomed),
            ],
        }
    }
}

/// `/backoffice/faq`.
#[component]
pub fn FaqPage() -> impl IntoView {
    let page = Page {
        session: use_session(),
        list: RwSignal::new(None),
        done: RwSignal::new(None),
        editing: RwSignal::new(None),
        doomed: RwSignal::new(None),
    };
    page.reload();
    let rows = Signal::derive(move || {
        page.list.with(|l| match l {
            Some(Ok(l)) => l.items.iter().map(|e| page.row(e)).collect(),
            _ => Vec::new(),
        })
    });
    let count = Signal::derive(move || {
        page.list.with(|l| {
            l.as_ref().map(|l| match l {
                Ok(l) if l.items.is_empty() => "Aucune question pour l'instant.".to_string(),
                Ok(l) if l.items.len() == 1 => "1 question.".to_string(),
                Ok(l) => format!("{} questions.", l.items.len()),
                Err(_) => String::new(),
            })
        })
    });
    let failure = crate::forms::failure_of(page.list);
    view! {
        <PageTitle title="FAQ"/>
        <p>"Les questions paraissent sur la page « FAQ » du portail, par catégorie puis par position."</p>
        <StatusMessage message=page.done/>
        <Show when=move || page.editing.with(Option::is_none)>
            <p><button type="button" id="faq-nouvelle" class="button primary" on:click=move |_| {
                page.done.set(None);
                page.editing.set(Some(None));
                focus_id(FORM);
            }>"Nouvelle question"</button></p>
        </Show>
        {move || page.editing.get().map(|entry| faq_form(page, entry))}
        <ListSection id=LIST heading="Questions publiées"
            caption="Questions, par catégorie puis par position" count failure rows/>
        <DeleteDialog id="faq-suppression" doomed=page.doomed
            text="Elle disparaît aussitôt de la FAQ du portail. Cette action est définitive."
            on_deleted=Callback::new(move |message| page.changed(message))/>
    }
}

fn faq_form(page: Page, entry: Option<FaqEntry>) -> impl IntoView {
    let id = entry.as_ref().map(|e| e.id);
    let text =
        |f: fn(&FaqEntry) -> String| RwSignal::new(entry.as_ref().map(f).unwrap_or_default());
    let question = text(|e| e.question.clone());
    let reponse = text(|e| e.reponse.clone());
    let categorie = text(|e| e.categorie.clone());
    let position = RwSignal::new(
        entry
            .as_ref()
            .map_or_else(|| "1".to_string(), |e| e.position.to_string()),
    );
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let heading = match &entry {
        Some(e) => format!("Modifier la question « {} »", e.question),
        None => "Nouvelle question".into(),
    };
    let submit = Callback::new(move |()| {
        errors.clear();
        let parsed = position.get_untracked().trim().parse::<i32>();
        let input = FaqInput {
            question: question.get_untracked().trim().to_string(),
            reponse: reponse.get_untracked(),
            categorie: categorie.get_untracked().trim().to_string(),
            position: parsed.clone().unwrap_or_default(),
        };
        // The shared rules, as the server applies them.
        let mut fields = input
            .validate()
            .err()
            .map(|e| field_errors(&e))
            .unwrap_or_default();
        if parsed.is_err() {
            add_error(&mut fields, "position", NOT_A_NUMBER);
        }
        if errors.show_fields(fields) {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result =
                crate::forms::save::<_, FaqEntry>(page.session, "/api/backoffice/faq", id, &input)
                    .await;
            pending.set(false);
            match result {
                Ok(saved) => {
                    let verb = if id.is_some() {
                        "enregistrée"
                    } else {
                        "ajoutée"
                    };
                    page.changed(format!("Question « {} » {verb}.", saved.question));
                }
                Err(e) => errors.show_api(&e),
            }
        });
    });
    let categories = page.categories();
    let mut categorie_spec = Spec::new("categorie", "Catégorie", categorie);
    if !categories.is_empty() {
        categorie_spec = categorie_spec.hint(format!(
            "Catégories existantes : {}.",
            categories.join(", ")
        ));
    }
    let fields = vec![
        Spec::new("question", "Question", question),
        Spec::new("reponse", "Réponse", reponse)
            .kind(Kind::Area(8))
            .hint(SYNTAX_HELP),
        categorie_spec,
        Spec::new("position", "Position dans la catégorie", position)
            .kind(Kind::Number)
            .hint("1 pour la première question de la catégorie."),
    ];
    let cancel = Callback::new(move |()| {
        page.editing.set(None);
        focus_id(if id.is_some() { LIST } else { "faq-nouvelle" });
    });
    view! {
        <Editor id=FORM heading>
            <Form prefix="faq" fields errors pending=pending.into() on_submit=submit on_cancel=cancel
                submit_label=if id.is_some() { "Enregistrer les modifications" } else { "Ajouter la question" }
                preview=(reponse, Some(question))/>
        </Editor>
    }
}
