//! What the dossier screens type and show: member drafts as strings (what the inputs hold),
//! their conversion to the API's `MemberInput`, names and field labels.

use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use shared::api::dossier::{Link, LinkInput, Member, MemberInput, Relation, Role};
use uuid::Uuid;

use crate::format::{iso_date, parse_iso_date};

/// The API code of an enum value (`Sexe::Feminin` → "feminin").
pub fn code_of<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(code)) => code,
        _ => String::new(),
    }
}

/// The enum value of an API code; `None` for "" or an unknown code.
pub fn parse_code<T: DeserializeOwned>(code: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(code.to_string())).ok()
}

/// `Some(trimmed)` unless blank.
fn text(value: &RwSignal<String>) -> Option<String> {
    let value = value.get_untracked();
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// A `type=date` input's date, if it holds a valid one.
fn date(value: &RwSignal<String>) -> Option<NaiveDate> {
    value.with_untracked(|v| parse_iso_date(v))
}

fn date_value(date: Option<NaiveDate>) -> String {
    date.as_ref().map(iso_date).unwrap_or_default()
}

pub const SEXES: &[(&str, &str)] = &[("feminin", "Féminin"), ("masculin", "Masculin")];
pub const SITUATIONS: &[(&str, &str)] = &[
    ("celibataire", "Célibataire"),
    ("marie", "Marié·e"),
    ("pacse", "Pacsé·e"),
    ("vie_maritale", "Vie maritale"),
    ("separe", "Séparé·e"),
    ("divorce", "Divorcé·e"),
    ("veuf", "Veuf·ve"),
];
pub const RELATIONS: &[(&str, &str)] = &[
    ("pere", "Père"),
    ("mere", "Mère"),
    ("tuteur", "Tuteur·rice"),
    ("beau_parent", "Beau-parent"),
    ("grand_parent", "Grand-parent"),
    ("autre", "Autre"),
];
pub const BIRTH: &[(&str, &str)] = &[("ne", "Enfant né"), ("a_naitre", "Enfant à naître")];

/// What each input shows for a stored member, in the order of [`MemberDraft::signals`].
fn form_values(f: &MemberInput) -> [String; 17] {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        f.sexe.map(|v| code_of(&v)).unwrap_or_default(),
        s(&f.nom),
        s(&f.nom_naissance),
        s(&f.prenom),
        s(&f.autres_prenoms),
        if f.a_naitre { "a_naitre" } else { "ne" }.into(),
        date_value(f.date_naissance),
        date_value(f.date_naissance_prevue),
        s(&f.pays_naissance),
        s(&f.commune_naissance),
        f.situation_familiale
            .map(|v| code_of(&v))
            .unwrap_or_default(),
        date_value(f.situation_depuis),
        s(&f.telephone_mobile),
        s(&f.telephone_fixe),
        s(&f.email),
        s(&f.profession),
        s(&f.employeur),
    ]
}

/// Everything the member form holds, one signal per input. Kept as typed (strings) so that
/// a reload after a conflict never loses a keystroke.
#[derive(Clone, Copy)]
pub struct MemberDraft {
    pub role: Role,
    pub sexe: RwSignal<String>,
    pub nom: RwSignal<String>,
    pub nom_naissance: RwSignal<String>,
    pub prenom: RwSignal<String>,
    pub autres_prenoms: RwSignal<String>,
    /// "ne" or "a_naitre" (children only).
    pub naissance: RwSignal<String>,
    pub date_naissance: RwSignal<String>,
    pub date_naissance_prevue: RwSignal<String>,
    pub pays_naissance: RwSignal<String>,
    pub commune_naissance: RwSignal<String>,
    pub situation_familiale: RwSignal<String>,
    pub situation_depuis: RwSignal<String>,
    pub telephone_mobile: RwSignal<String>,
    pub telephone_fixe: RwSignal<String>,
    pub email: RwSignal<String>,
    pub profession: RwSignal<String>,
    pub employeur: RwSignal<String>,
}

impl MemberDraft {
    /// The form of a stored member, or an empty one for `role`.
    pub fn new(role: Role, from: Option<&MemberInput>) -> Self {
        let empty = MemberInput {
            role,
            ..MemberInput::default()
        };
        let [
            sexe,
            nom,
            nom_naissance,
            prenom,
            autres_prenoms,
            naissance,
            date_naissance,
            date_naissance_prevue,
            pays_naissance,
            commune_naissance,
            situation_familiale,
            situation_depuis,
            telephone_mobile,
            telephone_fixe,
            email,
            profession,
            employeur,
        ] = form_values(from.unwrap_or(&empty)).map(RwSignal::new);
        Self {
            role,
            sexe,
            nom,
            nom_naissance,
            prenom,
            autres_prenoms,
            naissance,
            date_naissance,
            date_naissance_prevue,
            pays_naissance,
            commune_naissance,
            situation_familiale,
            situation_depuis,
            telephone_mobile,
            telephone_fixe,
            email,
            profession,
            employeur,
        }
    }

    /// The inputs, in the order of [`form_values`].
    fn signals(self) -> [RwSignal<String>; 17] {
        [
            self.sexe,
            self.nom,
            self.nom_naissance,
            self.prenom,
            self.autres_prenoms,
            self.naissance,
            self.date_naissance,
            self.date_naissance_prevue,
            self.pays_naissance,
            self.commune_naissance,
            self.situation_familiale,
            self.situation_depuis,
            self.telephone_mobile,
            self.telephone_fixe,
            self.email,
            self.profession,
            self.employeur,
        ]
    }

    /// After a reload: every input the user left as it was (`base`) takes the fresh value;
    /// what the user changed is kept, to be saved on top of the fresh version.
    pub fn merge(self, base: &MemberInput, fresh: &MemberInput) {
        let (base, fresh) = (form_values(base), form_values(fresh));
        for ((signal, base), fresh) in self.signals().into_iter().zip(base).zip(fresh) {
            if signal.with_untracked(|typed| typed.trim() == base) {
                signal.set(fresh);
            }
        }
    }

    /// Whether this is a child not born yet.
    pub fn unborn(&self) -> bool {
        self.role == Role::Enfant && self.naissance.with(|n| n == "a_naitre")
    }

    /// What the API receives: only the fields this role (and birth state) shows.
    pub fn to_input(self) -> MemberInput {
        let adult = self.role.is_adult_of_household();
        let child = self.role == Role::Enfant;
        let unborn = self.unborn();
        let born_child = child && !unborn;
        let keep = |shown: bool, value: Option<String>| value.filter(|_| shown);
        MemberInput {
            role: self.role,
            sexe: parse_code(&self.sexe.get_untracked()).filter(|_| adult || born_child),
            nom: text(&self.nom),
            nom_naissance: keep(adult, text(&self.nom_naissance)),
            prenom: keep(!unborn, text(&self.prenom)),
            autres_prenoms: keep(adult || born_child, text(&self.autres_prenoms)),
            a_naitre: unborn,
            date_naissance: date(&self.date_naissance).filter(|_| adult || born_child),
            date_naissance_prevue: date(&self.date_naissance_prevue).filter(|_| unborn),
            pays_naissance: keep(adult || born_child, text(&self.pays_naissance)),
            commune_naissance: keep(adult || born_child, text(&self.commune_naissance)),
            situation_familiale: parse_code(&self.situation_familiale.get_untracked())
                .filter(|_| adult),
            situation_depuis: date(&self.situation_depuis).filter(|_| adult),
            telephone_mobile: keep(!child, text(&self.telephone_mobile)),
            telephone_fixe: keep(!child, text(&self.telephone_fixe)),
            email: keep(!child, text(&self.email)),
            profession: keep(adult, text(&self.profession)),
            employeur: keep(adult, text(&self.employeur)),
        }
    }
}

/// One adult's fieldset in « Liens de parenté ».
#[derive(Clone, Copy)]
pub struct LinkDraft {
    pub adult_id: Uuid,
    /// "" for « aucun lien ».
    pub relation: RwSignal<String>,
    pub autorite_parentale: RwSignal<bool>,
    pub contact_urgence: RwSignal<bool>,
    pub autorise_recuperer: RwSignal<bool>,
}

impl LinkDraft {
    /// The form for `adult`, filled from the stored link if any.
    pub fn new(adult_id: Uuid, stored: Option<&LinkInput>) -> Self {
        Self {
            adult_id,
            relation: RwSignal::new(stored.map(|l| code_of(&l.relation)).unwrap_or_default()),
            autorite_parentale: RwSignal::new(stored.is_some_and(|l| l.autorite_parentale)),
            contact_urgence: RwSignal::new(stored.is_some_and(|l| l.contact_urgence)),
            autorise_recuperer: RwSignal::new(stored.is_some_and(|l| l.autorise_recuperer)),
        }
    }

    /// Whether a box is ticked although no link was chosen.
    pub fn ticked_without_relation(&self) -> bool {
        self.relation.with_untracked(String::is_empty)
            && (self.autorite_parentale.get_untracked()
                || self.contact_urgence.get_untracked()
                || self.autorise_recuperer.get_untracked())
    }

    /// The link to send, if a relation was chosen.
    pub fn to_input(self) -> Option<LinkInput> {
        let relation: Relation = parse_code(&self.relation.get_untracked())?;
        Some(LinkInput {
            adult_id: self.adult_id,
            relation,
            autorite_parentale: self.autorite_parentale.get_untracked(),
            contact_urgence: self.contact_urgence.get_untracked(),
            autorise_recuperer: self.autorise_recuperer.get_untracked(),
        })
    }
}

/// The forms of a child's links, one per adult of the household.
pub fn link_drafts(
    child: Option<Uuid>,
    members: &[Member],
    links: &[Link],
) -> Vec<(Member, LinkDraft)> {
    members
        .iter()
        .filter(|m| m.fields.role.is_adult_of_household())
        .map(|adult| {
            let stored = links
                .iter()
                .find(|l| Some(l.child_id) == child && l.link.adult_id == adult.id)
                .map(|l| &l.link);
            (adult.clone(), LinkDraft::new(adult.id, stored))
        })
        .collect()
}

/// « Mère DEMONSTRATION »; « Enfant à naître DEMONSTRATION » without a first name.
pub fn display_name(member: &MemberInput) -> String {
    let prenom = member
        .prenom
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    let nom = member
        .nom
        .as_deref()
        .map(|n| n.trim().to_uppercase())
        .filter(|n| !n.is_empty());
    let first = match (prenom, member.a_naitre) {
        (Some(p), _) => p.to_string(),
        (None, true) => "Enfant à naître".into(),
        (None, false) => String::new(),
    };
    let name = [Some(first), nom]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        "(sans nom)".into()
    } else {
        name
    }
}

/// « MD »: the initials of the seed's member badges.
pub fn initials(member: &MemberInput) -> String {
    let first = |s: &Option<String>| {
        s.as_deref()
            .and_then(|v| v.trim().chars().next())
            .map(|c| c.to_uppercase().to_string())
            .unwrap_or_default()
    };
    format!("{}{}", first(&member.prenom), first(&member.nom))
}

/// The label of a member field (problem lists, error summaries).
pub fn field_label(field: &str) -> &'static str {
    match field {
        "role" => "Rôle",
        "sexe" => "Sexe",
        "nom" => "Nom",
        "nom_naissance" => "Nom de naissance",
        "prenom" => "Prénom",
        "autres_prenoms" => "Autres prénoms",
        "a_naitre" => "Enfant à naître",
        "date_naissance" => "Date de naissance",
        "date_naissance_prevue" => "Date de naissance prévue",
        "pays_naissance" => "Pays de naissance",
        "commune_naissance" => "Commune de naissance",
        "situation_familiale" => "Situation familiale",
        "situation_depuis" => "Depuis le",
        "telephone_mobile" => "Téléphone mobile",
        "telephone_fixe" => "Téléphone fixe",
        "email" => "Email",
        "profession" => "Profession",
        "employeur" => "Employeur",
        "adresse" => "Adresse",
        "code_postal" => "Code postal",
        "commune" => "Commune",
        "observation" => "Observation",
        _ => "Champ",
    }
}

/// Labels of the member form, in its order, for its error summary.
pub const MEMBER_LABELS: &[(&str, &str)] = &[
    ("sexe", "Sexe"),
    ("nom", "Nom"),
    ("nom_naissance", "Nom de naissance"),
    ("prenom", "Prénom"),
    ("autres_prenoms", "Autres prénoms"),
    ("date_naissance", "Date de naissance"),
    ("date_naissance_prevue", "Date de naissance prévue"),
    ("pays_naissance", "Pays de naissance"),
    ("commune_naissance", "Commune de naissance"),
    ("situation_familiale", "Situation familiale"),
    ("situation_depuis", "Depuis le"),
    ("telephone_mobile", "Téléphone mobile"),
    ("telephone_fixe", "Téléphone fixe"),
    ("email", "Email"),
    ("profession", "Profession"),
    ("employeur", "Employeur"),
];

#[cfg(test)]
mod tests {
    use super::*;
    use shared::api::dossier::Sexe;

    fn mother() -> MemberInput {
        MemberInput {
            role: Role::Responsable,
            sexe: Some(Sexe::Feminin),
            nom: Some("DEMONSTRATION".into()),
            prenom: Some("Mère".into()),
            date_naissance: NaiveDate::from_ymd_opt(1985, 3, 2),
            telephone_mobile: Some("06 12 34 56 78".into()),
            ..MemberInput::default()
        }
    }

    #[test]
    fn dates_are_read_from_the_date_input() {
        let owner = Owner::new();
        owner.with(|| {
            assert_eq!(
                date(&RwSignal::new("2018-01-01".into())),
                NaiveDate::from_ymd_opt(2018, 1, 1)
            );
            assert_eq!(date(&RwSignal::new("2018-02-30".into())), None);
            assert_eq!(date(&RwSignal::new(String::new())), None);
        });
    }

    #[test]
    fn a_draft_round_trips_to_the_same_input() {
        let owner = Owner::new();
        owner.with(|| {
            assert_eq!(
                MemberDraft::new(Role::Responsable, Some(&mother())).to_input(),
                mother()
            )
        });
    }

    #[test]
    fn a_reload_keeps_typed_fields_and_takes_the_others_fresh() {
        let owner = Owner::new();
        owner.with(|| {
            let base = mother();
            let draft = MemberDraft::new(Role::Responsable, Some(&base));
            draft.telephone_mobile.set("07 00 00 00 01".into());
            let fresh = MemberInput {
                prenom: Some("Marie".into()),
                telephone_mobile: Some("06 99 99 99 99".into()),
                ..base.clone()
            };
            draft.merge(&base, &fresh);
            let merged = draft.to_input();
            assert_eq!(merged.prenom.as_deref(), Some("Marie"));
            assert_eq!(merged.telephone_mobile.as_deref(), Some("07 00 00 00 01"));
        });
    }

    #[test]
    fn an_unborn_child_sends_only_its_name_and_expected_date() {
        let owner = Owner::new();
        owner.with(|| {
            let draft = MemberDraft::new(Role::Enfant, None);
            draft.prenom.set("Léa".into());
            draft.sexe.set("feminin".into());
            draft.nom.set(" demonstration ".into());
            draft.naissance.set("a_naitre".into());
            draft.date_naissance_prevue.set("2027-02-01".into());
            let input = draft.to_input();
            assert!(input.a_naitre);
            assert_eq!(input.prenom, None);
            assert_eq!(input.sexe, None);
            assert_eq!(input.nom.as_deref(), Some("demonstration"));
            assert_eq!(
                input.date_naissance_prevue,
                NaiveDate::from_ymd_opt(2027, 2, 1)
            );
            assert_eq!(display_name(&input), "Enfant à naître DEMONSTRATION");
        });
    }
}
