//! The state of « Activités » (the list, the form open at the top, the last message) that
//! its parts share — the list, the activité and période forms, the draw's button — so
//! that none of them imports another.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::activites::{ActiviteAgentList, ActiviteAgentView, PeriodeAgentView};
use shared::api::pieces::PieceTypeList;
use uuid::Uuid;

use super::model::explain;
use crate::api::{self, ApiError};
use crate::login::focus_id;
use crate::state::Session;

pub const LIST: &str = "activites-liste-titre";
pub const FORM: &str = "activites-form-titre";

/// What the form at the top of the page edits.
#[derive(Clone)]
pub enum Editing {
    /// A new activité (`None`) or this one.
    Activite(Option<ActiviteAgentView>),
    /// A new période of the activité (`None`) or this one.
    Periode {
        activite_id: Uuid,
        activite: String,
        periode: Option<PeriodeAgentView>,
    },
}

/// The page's state, shared with its parts.
#[derive(Clone, Copy)]
pub struct Page {
    pub session: Session,
    pub list: RwSignal<Option<Result<ActiviteAgentList, ApiError>>>,
    /// The catalogue's types de pièce: (code, libellé).
    pub types: RwSignal<Vec<(String, String)>>,
    pub done: RwSignal<Option<String>>,
    pub editing: RwSignal<Option<Editing>>,
}

impl Page {
    pub fn reload(self) {
        spawn_local(async move {
            let list = api::authed(self.session)
                .get::<ActiviteAgentList>("/api/backoffice/activites")
                .await;
            self.list.set(Some(list));
        });
    }

    pub fn load_types(self) {
        spawn_local(async move {
            if let Ok(list) = api::get::<PieceTypeList>("/api/types-de-piece").await {
                self.types.set(
                    list.items
                        .into_iter()
                        .map(|t| (t.code, t.libelle))
                        .collect(),
                );
            }
        });
    }

    /// Opens the form at the top of the page.
    pub fn edit(self, editing: Editing) {
        self.done.set(None);
        self.editing.set(Some(editing));
        focus_id(FORM);
    }

    /// After a change: the message, the list again, the focus on it.
    pub fn changed(self, message: String) {
        self.done.set(Some(message));
        self.editing.set(None);
        self.reload();
        focus_id(LIST);
    }
}

/// An API refusal with its field codes said in the form's terms.
pub fn explained(error: &ApiError) -> ApiError {
    let mut error = error.clone();
    error.problem.fields = explain(std::mem::take(&mut error.problem.fields));
    error
}
