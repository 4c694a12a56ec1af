//! « Types de pièce »: the catalogue as a readable table, and a dialog that changes one
//! type's simple rules (libellé, aide, when it is required, formats, validity, age). The
//! whole catalogue is sent back (all or nothing): a refusal lists every problem in French.
//! Adding, retiring or reordering types, and their target (dossier or persons), are not
//! edited here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::pieces::{Cible, Exigence, Format, PieceType, PieceTypeList, Validite};
use shared::validation::codes;

use crate::api::ApiError;
use crate::components::field::{FormErrors, add_error};
use crate::components::status::StatusMessage;
use crate::dialog::{Dialog, use_dialog_cancel};
use crate::forms::{BAD_MONTHS, Cell, Form, Kind, ListSection, Row, RowAction, Spec, refusal};
use crate::i18n::{problem_message, role_label};
use crate::login::focus_id;
use crate::state::use_session;

const LIST: &str = "catalogue-titre";

const EXIGENCES: &[(&str, &str)] = &[
    ("toujours", "Toujours"),
    ("si_separe_ou_divorce", "Si un parent est séparé ou divorcé"),
    ("facultative", "Facultative"),
];

const VALIDITES: &[(&str, &str)] = &[
    ("aucune", "Sans limite"),
    ("mois", "Un nombre de mois après son émission"),
    (
        "fin_annee_scolaire",
        "Jusqu'à la fin de l'année scolaire (31 août)",
    ),
];

const FORMATS: &[(&str, &str)] = &[("pdf", "PDF"), ("jpeg", "JPEG"), ("png", "PNG")];

fn exigence_value(e: Exigence) -> &'static str {
    match e {
        Exigence::Toujours => "toujours",
        Exigence::SiSepareOuDivorce => "si_separe_ou_divorce",
        Exigence::Facultative => "facultative",
    }
}

/// The label of a value in one of the lists above.
fn label_of(list: &[(&str, &'static str)], value: &str) -> &'static str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map_or("", |(_, label)| *label)
}

fn validite_text(v: Validite) -> String {
    match v {
        Validite::Aucune => "Sans limite".into(),
        Validite::Mois { mois } => format!("{mois} mois"),
        Validite::FinAnneeScolaire => "Jusqu'à la fin de l'année scolaire".into(),
    }
}

fn concerne(t: &PieceType) -> String {
    match t.cible {
        Cible::Dossier => "Le dossier".into(),
        Cible::Personne => {
            let roles: Vec<&str> = t.roles.iter().map(|r| role_label(*r)).collect();
            format!("Chaque personne : {}", roles.join(", "))
        }
    }
}

/// A number of months from 1 to 120.
fn months(value: &str) -> Option<u32> {
    value.trim().parse().ok().filter(|m| (1..=120).contains(m))
}

/// The dialog's values, as its fields hold them.
#[derive(Clone, Copy)]
struct Editor {
    index: RwSignal<Option<usize>>,
    libelle: RwSignal<String>,
    aide: RwSignal<String>,
    exigence: RwSignal<String>,
    formats: RwSignal<String>,
    validite: RwSignal<String>,
    mois: RwSignal<String>,
    emis: RwSignal<String>,
}

impl Editor {
    fn open(self, index: usize, t: &PieceType) {
        self.libelle.set(t.libelle.clone());
        self.aide.set(t.aide.clone().unwrap_or_default());
        self.exigence.set(exigence_value(t.exigence).into());
        self.formats.set(
            t.formats
                .iter()
                .map(|f| f.as_str())
                .collect::<Vec<_>>()
                .join(","),
        );
        let (kind, mois) = match t.validite {
            Validite::Aucune => ("aucune", String::new()),
            Validite::Mois { mois } => ("mois", mois.to_string()),
            Validite::FinAnneeScolaire => ("fin_annee_scolaire", String::new()),
        };
        self.validite.set(kind.into());
        self.mois.set(mois);
        self.emis.set(
            t.emis_depuis_moins_de_mois
                .map(|m| m.to_string())
                .unwrap_or_default(),
        );
        self.index.set(Some(index));
    }

    /// The changed type, or the field errors.
    fn apply(self, original: &PieceType) -> Result<PieceType, shared::error::FieldErrors> {
        let mut fields = shared::error::FieldErrors::new();
        let libelle = self.libelle.get_untracked().trim().to_string();
        if libelle.is_empty() {
            add_error(&mut fields, "libelle", codes::REQUIRED);
        }
        let formats: Vec<Format> = self
            .formats
            .get_untracked()
            .split(',')
            .filter_map(Format::parse)
            .collect();
        if formats.is_empty() {
            add_error(&mut fields, "formats", codes::CHOOSE_ONE);
        }
        let validite = match self.validite.get_untracked().as_str() {
            "mois" => match months(&self.mois.get_untracked()) {
                Some(mois) => Validite::Mois { mois },
                None => {
                    add_error(&mut fields, "mois", BAD_MONTHS);
                    Validite::Aucune
                }
            },
            "fin_annee_scolaire" => Validite::FinAnneeScolaire,
            _ => Validite::Aucune,
        };
        let emis_text = self.emis.get_untracked();
        let emis = months(&emis_text);
        if emis.is_none() && !emis_text.trim().is_empty() {
            add_error(&mut fields, "emis", BAD_MONTHS);
        }
        let exigence = match self.exigence.get_untracked().as_str() {
            "toujours" => Exigence::Toujours,
            "si_separe_ou_divorce" => Exigence::SiSepareOuDivorce,
            _ => Exigence::Facultative,
        };
        if !fields.is_empty() {
            return Err(fields);
        }
        let aide = self.aide.get_untracked().trim().to_string();
        Ok(PieceType {
            libelle,
            aide: (!aide.is_empty()).then_some(aide),
            exigence,
            formats,
            validite,
            emis_depuis_moins_de_mois: emis,
            ..original.clone()
        })
    }
}

type Catalogue = RwSignal<Option<Result<PieceTypeList, ApiError>>>;

#[component]
pub fn CatalogueSection() -> impl IntoView {
    let session = use_session();
    let list: Catalogue = RwSignal::new(None);
    let done = RwSignal::new(None::<String>);
    let text = || RwSignal::new(String::new());
    let editor = Editor {
        index: RwSignal::new(None),
        libelle: text(),
        aide: text(),
        exigence: text(),
        formats: text(),
        validite: text(),
        mois: text(),
        emis: text(),
    };
    spawn_local(async move {
        list.set(Some(
            crate::api::authed(session)
                .get::<PieceTypeList>("/api/types-de-piece")
                .await,
        ));
    });
    let rows = Signal::derive(move || {
        list.with(|l| match l {
            Some(Ok(l)) => l
                .items
                .iter()
                .enumerate()
                .map(|(index, t)| {
                    let edited = t.clone();
                    Row {
                        cells: vec![
                            Cell {
                                strong: true,
                                ..Cell::new("Libellé", t.libelle.clone())
                            },
                            Cell::new("Concerne", concerne(t)),
                            Cell::new("Exigée", label_of(EXIGENCES, exigence_value(t.exigence))),
                            Cell::new(
                                "Formats",
                                t.formats
                                    .iter()
                                    .map(|f| f.label())
                                    .collect::<Vec<_>>()
                                    .join(", "),
                            ),
                            Cell::new("Validité", validite_text(t.validite)),
                            Cell::new(
                                "Émise depuis moins de",
                                t.emis_depuis_moins_de_mois
                                    .map_or_else(|| "—".to_string(), |m| format!("{m} mois")),
                            ),
                        ],
                        actions: vec![RowAction {
                            text: "Modifier",
                            name: format!("Modifier le type « {} »", t.libelle),
                            danger: false,
                            run: Callback::new(move |()| {
                                done.set(None);
                                editor.open(index, &edited);
                            }),
                        }],
                    }
                })
                .collect(),
            _ => Vec::new(),
        })
    });
    let count = Signal::derive(move || {
        list.with(|l| {
            l.as_ref().map(|l| match l {
                Ok(l) => format!("{} types de pièce.", l.items.len()),
                Err(_) => String::new(),
            })
        })
    });
    let failure = Signal::derive(move || {
        list.with(|l| {
            l.as_ref()
                .and_then(|l| l.as_ref().err().map(problem_message))
        })
    });
    let title = Signal::derive(move || {
        let index = editor.index.get();
        list.with(|l| match (l, index) {
            (Some(Ok(l)), Some(i)) => l
                .items
                .get(i)
                .map(|t| format!("Modifier le type « {} »", t.libelle)),
            _ => None,
        })
        .unwrap_or_default()
    });
    view! {
        <div class="card">
            <StatusMessage message=done/>
            <ListSection id=LIST heading="Types de pièce justificative"
                caption="Catalogue des types de pièce, dans l'ordre d'affichage" count failure rows/>
            <p class="hint">"Le code, la cible (dossier ou personnes) et l'ordre des types ne se changent pas ici."</p>
        </div>
        <Dialog id="type-piece" title open=Signal::derive(move || editor.index.with(Option::is_some))
            on_cancel=Callback::new(move |()| editor.index.set(None))>
            <EditForm editor list done/>
        </Dialog>
    }
}

#[component]
fn EditForm(editor: Editor, list: Catalogue, done: RwSignal<Option<String>>) -> impl IntoView {
    let session = use_session();
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let cancel = use_dialog_cancel();
    // A new opening starts without the previous one's errors.
    Effect::new(move |_| {
        if editor.index.with(Option::is_some) {
            errors.clear();
        }
    });
    let submit = Callback::new(move |()| {
        errors.clear();
        let Some(index) = editor.index.get_untracked() else {
            return;
        };
        let Some(mut items) = list.with_untracked(|l| match l {
            Some(Ok(l)) => Some(l.items.clone()),
            _ => None,
        }) else {
            return;
        };
        let Some(original) = items.get(index).cloned() else {
            return;
        };
        let changed = match editor.apply(&original) {
            Ok(changed) => changed,
            Err(fields) => {
                errors.show_fields(fields);
                return;
            }
        };
        let libelle = changed.libelle.clone();
        items[index] = changed;
        let request = PieceTypeList { items };
        pending.set(true);
        spawn_local(async move {
            let result = crate::api::authed(session)
                .put::<_, PieceTypeList>("/api/backoffice/types-de-piece", &request)
                .await;
            pending.set(false);
            match result {
                Ok(saved) => {
                    list.set(Some(Ok(saved)));
                    editor.index.set(None);
                    done.set(Some(format!(
                        "Type « {libelle} » enregistré : les familles voient la nouvelle règle dès maintenant."
                    )));
                    focus_id(LIST);
                }
                Err(e) => {
                    errors.show_api(&e);
                    errors.general.set(Some(refusal(&e)));
                }
            }
        });
    });
    let fields = vec![
        Spec::new("libelle", "Libellé", editor.libelle).hint("Ce que lisent les familles."),
        Spec::new("aide", "Aide", editor.aide)
            .kind(Kind::Area(3))
            .optional()
            .hint("Affichée sous le type dans la fenêtre d'envoi (facultatif)."),
        Spec::new("exigence", "Exigée", editor.exigence).kind(Kind::Select(EXIGENCES)),
        Spec::new("formats", "Formats acceptés", editor.formats).kind(Kind::Checks(FORMATS)),
        Spec::new("validite", "Validité", editor.validite).kind(Kind::Select(VALIDITES)),
        Spec::new("mois", "Durée de validité (mois)", editor.mois)
            .kind(Kind::Number)
            .optional()
            .hint("Seulement pour « Un nombre de mois après son émission »."),
        Spec::new("emis", "Émise depuis moins de (mois)", editor.emis)
            .kind(Kind::Number)
            .optional()
            .hint("Par exemple 3 pour un justificatif de domicile de moins de 3 mois ; vide si sans objet."),
    ];
    view! {
        <Form prefix="type" fields errors pending=pending.into() on_submit=submit on_cancel=cancel
            submit_label="Enregistrer"/>
    }
}

#[cfg(test)]
mod tests {
    use super::months;

    #[test]
    fn months_are_whole_numbers_from_1_to_120() {
        assert_eq!(months(" 3 "), Some(3));
        assert_eq!(months("0"), None);
        assert_eq!(months("121"), None);
        assert_eq!(months("trois"), None);
    }
}
