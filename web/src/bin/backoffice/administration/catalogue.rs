//! « Types de pièce »: the catalogue as a readable table; a dialog that adds a type (its
//! code, libellé, what it is attached to, its rules) or changes one type's rules (libellé,
//! aide, when it is required, formats, validity, age); « Retirer », confirmed. The whole
//! catalogue is sent back (all or nothing): a refusal lists every problem in French. A
//! retired type is no longer offered nor required; the pieces already provided keep it.
//! The code and the target of a type, and the order of the types, are not changed here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::dossier::Role;
use shared::api::pieces::{Cible, Exigence, Format, PieceType, PieceTypeList, Validite};
use shared::error::FieldErrors;
use shared::pieces::is_valid_type_code;
use shared::validation::codes;

use crate::api::ApiError;
use crate::components::field::{FormErrors, add_error};
use crate::components::status::StatusMessage;
use crate::dialog::{ConfirmDialog, Dialog, use_dialog_cancel};
use crate::forms::{
    BAD_MONTHS, Cell, Form, Kind, ListSection, Row, RowAction, SAID, Spec, refusal,
};
use crate::i18n::role_label;
use crate::login::focus_id;
use crate::state::use_session;

const LIST: &str = "catalogue-titre";

/// The longest libellé (`api/src/catalogue.rs::check`).
const LIBELLE_MAX_CHARS: usize = 200;

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

const CIBLES: &[(&str, &str)] = &[
    ("dossier", "Le dossier : une pièce pour toute la famille"),
    ("personne", "Chaque personne des rôles cochés ci-dessous"),
];

const ROLES: &[(&str, &str)] = &[
    ("responsable", "Responsable du dossier"),
    ("responsable_legal", "Responsable légal hors du foyer"),
    ("conjoint", "Conjoint"),
    ("enfant", "Enfant"),
    ("contact", "Contact"),
];

fn role_of(value: &str) -> Option<Role> {
    Some(match value {
        "responsable" => Role::Responsable,
        "responsable_legal" => Role::ResponsableLegal,
        "conjoint" => Role::Conjoint,
        "enfant" => Role::Enfant,
        "contact" => Role::Contact,
        _ => return None,
    })
}

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

/// A sentence of its own under a field.
fn said(fields: &mut FieldErrors, name: &str, text: &str) {
    add_error(fields, name, &format!("{SAID}{text}"));
}

/// Which dialog is open.
#[derive(Clone, Copy, PartialEq)]
enum Opened {
    New,
    Edit(usize),
}

/// The dialogs' values, as their fields hold them.
#[derive(Clone, Copy)]
struct Editor {
    opened: RwSignal<Option<Opened>>,
    code: RwSignal<String>,
    libelle: RwSignal<String>,
    aide: RwSignal<String>,
    cible: RwSignal<String>,
    roles: RwSignal<String>,
    exigence: RwSignal<String>,
    formats: RwSignal<String>,
    validite: RwSignal<String>,
    mois: RwSignal<String>,
    emis: RwSignal<String>,
}

impl Editor {
    fn open(self, opened: Opened, t: Option<&PieceType>) {
        let text = |f: fn(&PieceType) -> String| t.map(f).unwrap_or_default();
        self.code.set(text(|t| t.code.clone()));
        self.libelle.set(text(|t| t.libelle.clone()));
        self.aide.set(text(|t| t.aide.clone().unwrap_or_default()));
        self.cible.set(
            if t.is_some_and(|t| t.cible == Cible::Personne) {
                "personne"
            } else {
                "dossier"
            }
            .into(),
        );
        self.roles.set(String::new());
        // A new type is optional until the administrator says otherwise.
        self.exigence.set(
            t.map_or("facultative", |t| exigence_value(t.exigence))
                .into(),
        );
        self.formats.set(t.map_or_else(
            || "pdf".into(),
            |t| {
                t.formats
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            },
        ));
        let (kind, mois) = match t.map_or(Validite::Aucune, |t| t.validite) {
            Validite::Aucune => ("aucune", String::new()),
            Validite::Mois { mois } => ("mois", mois.to_string()),
            Validite::FinAnneeScolaire => ("fin_annee_scolaire", String::new()),
        };
        self.validite.set(kind.into());
        self.mois.set(mois);
        self.emis.set(text(|t| {
            t.emis_depuis_moins_de_mois
                .map(|m| m.to_string())
                .unwrap_or_default()
        }));
        self.opened.set(Some(opened));
    }

    /// The new or changed type, or the field errors, checked as the server checks the
    /// catalogue (`api/src/catalogue.rs::check`).
    fn read(self, items: &[PieceType], opened: Opened) -> Result<PieceType, FieldErrors> {
        let mut fields = FieldErrors::new();
        let base = match opened {
            Opened::Edit(index) => items.get(index).cloned(),
            Opened::New => None,
        };
        let (code, cible, roles, position) = match &base {
            Some(t) => (t.code.clone(), t.cible, t.roles.clone(), t.position),
            None => {
                let code = self.code.get_untracked().trim().to_string();
                if code.is_empty() {
                    add_error(&mut fields, "code", codes::REQUIRED);
                } else if !is_valid_type_code(&code) {
                    said(
                        &mut fields,
                        "code",
                        "Le code ne peut contenir que des lettres minuscules sans accent, des chiffres et « _ », sans espace (64 caractères au plus), par exemple attestation_caf.",
                    );
                } else if let Some(other) = items.iter().find(|t| t.code == code) {
                    said(
                        &mut fields,
                        "code",
                        &format!(
                            "Ce code est déjà celui du type « {} » : choisissez-en un autre.",
                            other.libelle
                        ),
                    );
                }
                let cible = if self.cible.get_untracked() == "personne" {
                    Cible::Personne
                } else {
                    Cible::Dossier
                };
                let roles: Vec<Role> = self
                    .roles
                    .get_untracked()
                    .split(',')
                    .filter_map(role_of)
                    .collect();
                match (cible, roles.is_empty()) {
                    (Cible::Personne, true) => said(
                        &mut fields,
                        "roles",
                        "Cochez au moins un rôle : la pièce sera demandée à chaque personne de ces rôles.",
                    ),
                    (Cible::Dossier, false) => said(
                        &mut fields,
                        "roles",
                        "Une pièce liée au dossier ne concerne pas de rôle : décochez les rôles, ou choisissez « Chaque personne des rôles cochés ».",
                    ),
                    _ => {}
                }
                let last = items.iter().map(|t| t.position).max().unwrap_or(0);
                (code, cible, roles, last.saturating_add(1))
            }
        };
        let libelle = self.libelle.get_untracked().trim().to_string();
        if libelle.is_empty() {
            add_error(&mut fields, "libelle", codes::REQUIRED);
        } else if libelle.chars().count() > LIBELLE_MAX_CHARS {
            said(
                &mut fields,
                "libelle",
                "Le libellé est trop long : 200 caractères au plus.",
            );
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
            code,
            libelle,
            cible,
            roles,
            formats,
            validite,
            emis_depuis_moins_de_mois: emis,
            exigence,
            aide: (!aide.is_empty()).then_some(aide),
            position,
        })
    }
}

type Catalogue = RwSignal<Option<Result<PieceTypeList, ApiError>>>;

/// The catalogue as it stands, to be changed and sent back whole.
fn items_of(list: Catalogue) -> Option<Vec<PieceType>> {
    list.with_untracked(|l| match l {
        Some(Ok(l)) => Some(l.items.clone()),
        _ => None,
    })
}

#[component]
pub fn CatalogueSection() -> impl IntoView {
    let session = use_session();
    let list: Catalogue = RwSignal::new(None);
    let done = RwSignal::new(None::<String>);
    let retiring = RwSignal::new(None::<PieceType>);
    let text = || RwSignal::new(String::new());
    let editor = Editor {
        opened: RwSignal::new(None),
        code: text(),
        libelle: text(),
        aide: text(),
        cible: text(),
        roles: text(),
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
                    let (edited, retired) = (t.clone(), t.clone());
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
                        actions: vec![
                            RowAction {
                                text: "Modifier",
                                name: format!("Modifier le type « {} »", t.libelle),
                                danger: false,
                                run: Callback::new(move |()| {
                                    done.set(None);
                                    editor.open(Opened::Edit(index), Some(&edited));
                                }),
                            },
                            RowAction {
                                text: "Retirer",
                                name: format!("Retirer le type « {} »", t.libelle),
                                danger: true,
                                run: Callback::new(move |()| {
                                    done.set(None);
                                    retiring.set(Some(retired.clone()));
                                }),
                            },
                        ],
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
    let failure = crate::forms::failure_of(list);
    let title = Signal::derive(move || {
        let opened = editor.opened.get();
        list.with(|l| match (l, opened) {
            (Some(Ok(l)), Some(Opened::Edit(i))) => l
                .items
                .get(i)
                .map(|t| format!("Modifier le type « {} »", t.libelle)),
            _ => None,
        })
        .unwrap_or_default()
    });

    // « Retirer », confirmed.
    let pending = RwSignal::new(false);
    let retire_error = RwSignal::new(None::<String>);
    let close = move || {
        retiring.set(None);
        retire_error.set(None);
    };
    let retire = Callback::new(move |()| {
        let (Some(doomed), Some(items)) = (retiring.get_untracked(), items_of(list)) else {
            return;
        };
        let items: Vec<PieceType> = items
            .into_iter()
            .filter(|t| t.code != doomed.code)
            .collect();
        if items.is_empty() {
            retire_error.set(Some(
                "C'est le dernier type du catalogue : ajoutez-en un autre avant de retirer celui-ci."
                    .into(),
            ));
            return;
        }
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
                    close();
                    done.set(Some(format!(
                        "Type « {} » retiré : il n'est plus proposé ni demandé aux familles ; les pièces déjà fournies le gardent.",
                        doomed.libelle
                    )));
                    focus_id(LIST);
                }
                Err(e) => retire_error.set(Some(refusal(&e))),
            }
        });
    });
    let question = move |f: fn(&PieceType) -> String| {
        Signal::derive(move || retiring.with(|t| t.as_ref().map(f).unwrap_or_default()))
    };

    view! {
        <div class="card">
            <StatusMessage message=done/>
            <ListSection id=LIST heading="Types de pièce justificative"
                caption="Catalogue des types de pièce, dans l'ordre d'affichage" count failure rows/>
            <p class="hint">"Le code et ce à quoi un type est lié (dossier ou personnes) ne se changent plus après son ajout ; un nouveau type se place en fin de liste."</p>
            <p><button type="button" id="type-ajout" class="button primary" on:click=move |_| {
                done.set(None);
                editor.open(Opened::New, None);
            }>"Ajouter un type de pièce"</button></p>
        </div>
        <Dialog id="type-piece" title open=Signal::derive(move || matches!(editor.opened.get(), Some(Opened::Edit(_))))
            on_cancel=Callback::new(move |()| editor.opened.set(None))>
            <EditForm editor list done new=false/>
        </Dialog>
        <Dialog id="type-nouveau" title="Ajouter un type de pièce".to_string()
            open=Signal::derive(move || editor.opened.get() == Some(Opened::New))
            on_cancel=Callback::new(move |()| editor.opened.set(None))>
            <EditForm editor list done new=true/>
        </Dialog>
        <ConfirmDialog id="type-retrait"
            title=question(|t| format!("Retirer le type « {} » ?", t.libelle))
            text="Les familles ne le verront plus dans la liste des pièces et il ne sera plus demandé dans aucun dossier. Les pièces de ce type déjà fournies le gardent : elles restent dans les dossiers, consultables comme avant.".to_string()
            confirm="Retirer".to_string()
            open=Signal::derive(move || retiring.with(Option::is_some))
            pending=pending.into() error=retire_error.into()
            on_cancel=Callback::new(move |()| close()) on_confirm=retire danger=true/>
    }
}

/// The form of a dialog: a new type (`new`), or the rules of the type being changed.
#[component]
fn EditForm(
    editor: Editor,
    list: Catalogue,
    done: RwSignal<Option<String>>,
    new: bool,
) -> impl IntoView {
    let session = use_session();
    let errors = FormErrors::new();
    let pending = RwSignal::new(false);
    let cancel = use_dialog_cancel();
    // Each opening (or closing) starts without the previous errors.
    Effect::new(move |_| {
        editor.opened.track();
        errors.clear();
    });
    let submit = Callback::new(move |()| {
        errors.clear();
        let Some(opened) = editor.opened.get_untracked() else {
            return;
        };
        let Some(mut items) = items_of(list) else {
            return;
        };
        let changed = match editor.read(&items, opened) {
            Ok(changed) => changed,
            Err(fields) => {
                errors.show_fields(fields);
                return;
            }
        };
        let libelle = changed.libelle.clone();
        match opened {
            Opened::Edit(index) => items[index] = changed,
            Opened::New => items.push(changed),
        }
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
                    editor.opened.set(None);
                    done.set(Some(if opened == Opened::New {
                        format!("Type « {libelle} » ajouté : les familles le voient dès maintenant.")
                    } else {
                        format!(
                            "Type « {libelle} » enregistré : les familles voient la nouvelle règle dès maintenant."
                        )
                    }));
                    focus_id(LIST);
                }
                // The catalogue's problems, in the server's words.
                Err(e) if e.status() == 422 => errors.general.set(Some(refusal(&e))),
                Err(e) => errors.show_api(&e),
            }
        });
    });
    let mut fields = Vec::new();
    if new {
        fields.push(Spec::new("code", "Code", editor.code).hint(
            "Identifiant permanent, que les familles ne voient pas : lettres minuscules sans accent, chiffres et « _ » seulement, sans espace, 64 caractères au plus (par exemple attestation_caf). Il ne se change plus ensuite.",
        ));
    }
    fields.push(
        Spec::new("libelle", "Libellé", editor.libelle)
            .hint("Ce que lisent les familles (200 caractères au plus)."),
    );
    fields.push(
        Spec::new("aide", "Aide", editor.aide)
            .kind(Kind::Area(3))
            .optional()
            .hint("Affichée sous le type dans la fenêtre d'envoi (facultatif)."),
    );
    if new {
        fields.push(Spec::new("cible", "Lié à", editor.cible).kind(Kind::Select(CIBLES)).hint(
            "Une pièce liée au dossier se fournit une fois ; une pièce liée aux personnes, pour chaque membre des rôles cochés.",
        ));
        fields.push(
            Spec::new("roles", "Rôles concernés", editor.roles)
                .kind(Kind::Checks(ROLES))
                .optional()
                .hint("Seulement pour une pièce liée aux personnes : cochez au moins un rôle."),
        );
    }
    fields.extend([
        Spec::new("exigence", "Exigée", editor.exigence)
            .kind(Kind::Select(EXIGENCES))
            .hint("« Toujours » : chaque dossier devra la fournir (une fois, ou pour chaque personne concernée)."),
        Spec::new("formats", "Formats acceptés", editor.formats).kind(Kind::Checks(FORMATS)),
        Spec::new("validite", "Validité", editor.validite).kind(Kind::Select(VALIDITES)),
        Spec::new("mois", "Durée de validité (mois)", editor.mois)
            .kind(Kind::Number)
            .optional()
            .hint("Seulement pour « Un nombre de mois après son émission » : de 1 à 120."),
        Spec::new("emis", "Émise depuis moins de (mois)", editor.emis)
            .kind(Kind::Number)
            .optional()
            .hint("Par exemple 3 pour un justificatif de domicile de moins de 3 mois ; vide si sans objet."),
    ]);
    view! {
        <Form prefix=if new { "nouveau-type" } else { "type" } fields errors pending=pending.into()
            on_submit=submit on_cancel=cancel
            submit_label=if new { "Ajouter le type" } else { "Enregistrer" }/>
    }
}

#[cfg(test)]
mod tests {
    use super::{is_valid_type_code, months};

    #[test]
    fn months_are_whole_numbers_from_1_to_120() {
        assert_eq!(months(" 3 "), Some(3));
        assert_eq!(months("0"), None);
        assert_eq!(months("121"), None);
        assert_eq!(months("trois"), None);
    }

    #[test]
    fn codes_are_lowercase_digits_and_underscores_up_to_64() {
        assert!(is_valid_type_code("justificatif_domicile"));
        assert!(is_valid_type_code("attestation_caf_2025"));
        assert!(is_valid_type_code(&"a".repeat(64)));
        assert!(!is_valid_type_code(&"a".repeat(65)));
        assert!(!is_valid_type_code(""));
        assert!(!is_valid_type_code("Attestation"));
        assert!(!is_valid_type_code("attestation caf"));
        assert!(!is_valid_type_code("attestation-caf"));
        assert!(!is_valid_type_code("pièce"));
    }
}
