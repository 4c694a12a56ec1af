//! The public pages' stand-in for the catalogue's « Pour : Tous mes enfants / Léa / Noé »
//! (`web/src/pages/activites/by_child.rs`, full app only: see there why). A family signed
//! in who loaded « Activités » directly finds what each child may join, with every reason,
//! through « Inscrire un enfant » (the full app).

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use shared::api::activites::{ActiviteList, PeriodeView};
use uuid::Uuid;

use crate::pages::public::Loading;
use crate::state::Session;

/// The catalogue's filter: none here.
#[derive(Clone, Copy)]
pub struct ByChild;

impl ByChild {
    pub fn new(_session: Session) -> Self {
        Self
    }

    pub fn shows(self, _periode: &PeriodeView) -> bool {
        true
    }

    pub fn who_view(self, _periode: Uuid) -> impl IntoView + use<> {}

    pub fn opening(self, periode: &PeriodeView) -> DateTime<Utc> {
        periode.ouverture
    }

    pub fn for_a_child(self) -> bool {
        false
    }
}

/// Nothing to choose here.
#[component]
pub fn PourQui(by: ByChild, catalogue: Loading<ActiviteList>) -> impl IntoView {
    let _ = (by, catalogue);
}
