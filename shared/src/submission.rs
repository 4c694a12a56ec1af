//! The rules a dossier must meet to be submitted (« Valider mon dossier »), shared so that
//! the SPA can point at the same problems the server reports. Every problem is reported at
//! once, addressed as `members.<id>.<field>`, `members.<id>` (the member as a whole),
//! `address.<field>` or `_` (the dossier).

use chrono::{Datelike, Months, NaiveDate};

use crate::api::dossier::{AddressInput, Link, MAX_MEMBERS, Member, Role};
use crate::error::FieldErrors;
use crate::validation::codes;

fn add(errors: &mut FieldErrors, key: String, code: &str) {
    let entry = errors.entry(key).or_default();
    if !entry.iter().any(|c| c == code) {
        entry.push(code.to_string());
    }
}

fn blank(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(|v| v.trim().is_empty())
}

/// Whole years between `birth` and `today`.
pub fn age_on(birth: NaiveDate, today: NaiveDate) -> i32 {
    let mut age = today.year() - birth.year();
    if (today.month(), today.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// Every problem that prevents submitting this dossier on `today` (empty when it can go).
pub fn check(
    address: &AddressInput,
    members: &[Member],
    links: &[Link],
    today: NaiveDate,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    for (field, value) in [
        ("adresse", &address.adresse),
        ("code_postal", &address.code_postal),
        ("commune", &address.commune),
    ] {
        if blank(value) {
            add(&mut errors, format!("address.{field}"), codes::REQUIRED);
        }
    }
    if members.len() > MAX_MEMBERS {
        add(&mut errors, "_".into(), codes::TOO_MANY_MEMBERS);
    }
    if !members.iter().any(|m| m.fields.role == Role::Responsable) {
        add(&mut errors, "_".into(), codes::RESPONSABLE_REQUIRED);
    }
    for role in [Role::Responsable, Role::ResponsableLegal, Role::Conjoint] {
        for extra in members.iter().filter(|m| m.fields.role == role).skip(1) {
            add(
                &mut errors,
                format!("members.{}.role", extra.id),
                codes::ROLE_TAKEN,
            );
        }
    }
    for member in members {
        check_member(member, links, members, today, &mut errors);
    }
    errors
}

fn check_member(
    member: &Member,
    links: &[Link],
    members: &[Member],
    today: NaiveDate,
    errors: &mut FieldErrors,
) {
    let f = &member.fields;
    let key = |field: &str| format!("members.{}.{field}", member.id);
    let unborn_child = f.role == Role::Enfant && f.a_naitre;
    let mut required: Vec<(&str, bool)> = vec![("nom", blank(&f.nom))];
    if !unborn_child {
        required.push(("prenom", blank(&f.prenom)));
    }
    match f.role {
        Role::Responsable | Role::ResponsableLegal | Role::Conjoint => {
            required.push(("sexe", f.sexe.is_none()));
            required.push(("date_naissance", f.date_naissance.is_none()));
        }
        Role::Enfant if unborn_child => {
            required.push(("date_naissance_prevue", f.date_naissance_prevue.is_none()))
        }
        Role::Enfant => {
            required.push(("sexe", f.sexe.is_none()));
            required.push(("date_naissance", f.date_naissance.is_none()));
        }
        Role::Contact => {}
    }
    if matches!(f.role, Role::Responsable | Role::Contact)
        && blank(&f.telephone_mobile)
        && blank(&f.telephone_fixe)
    {
        required.push(("telephone_mobile", true));
    }
    for (field, missing) in required {
        if missing {
            add(errors, key(field), codes::REQUIRED);
        }
    }

    if let Some(birth) = f.date_naissance.filter(|_| !unborn_child) {
        if birth > today {
            add(errors, key("date_naissance"), codes::DATE_IN_FUTURE);
        } else if f.role == Role::Enfant && age_on(birth, today) >= 18 {
            add(errors, key("date_naissance"), codes::TOO_OLD);
        }
        if let Some(since) = f.situation_depuis
            && since < birth
        {
            add(errors, key("situation_depuis"), codes::DATE_BEFORE_BIRTH);
        }
    }
    if let Some(since) = f.situation_depuis
        && since > today
    {
        add(errors, key("situation_depuis"), codes::DATE_IN_FUTURE);
    }
    if unborn_child && let Some(expected) = f.date_naissance_prevue {
        let limit = today.checked_add_months(Months::new(10)).unwrap_or(today);
        if expected < today || expected > limit {
            add(
                errors,
                key("date_naissance_prevue"),
                codes::DATE_OUT_OF_RANGE,
            );
        }
    }
    if f.role == Role::Enfant {
        let has_guardian = links
            .iter()
            .filter(|l| l.child_id == member.id && l.link.autorite_parentale)
            .any(|l| {
                members.iter().any(|m| {
                    m.id == l.link.adult_id
                        && matches!(m.fields.role, Role::Responsable | Role::ResponsableLegal)
                })
            });
        if !has_guardian {
            add(
                errors,
                format!("members.{}", member.id),
                codes::LINK_REQUIRED,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::api::dossier::{LinkInput, MemberInput, Relation, Sexe};

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 26).expect("date")
    }

    fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    fn member(role: Role, prenom: &str, birth: Option<NaiveDate>) -> Member {
        Member {
            id: Uuid::new_v4(),
            fields: MemberInput {
                role,
                sexe: Some(Sexe::Feminin),
                nom: Some("DEMONSTRATION".into()),
                prenom: Some(prenom.into()),
                date_naissance: birth,
                telephone_mobile: Some("06 12 34 56 78".into()),
                ..MemberInput::default()
            },
        }
    }

    fn link(child: &Member, adult: &Member, autorite: bool) -> Link {
        Link {
            child_id: child.id,
            link: LinkInput {
                adult_id: adult.id,
                relation: Relation::Mere,
                autorite_parentale: autorite,
                contact_urgence: true,
                autorise_recuperer: true,
            },
        }
    }

    fn address() -> AddressInput {
        AddressInput {
            adresse: Some("1 place des Halles".into()),
            code_postal: Some("28000".into()),
            commune: Some("Chartres".into()),
        }
    }

    #[test]
    fn the_seed_household_can_be_submitted() {
        let mother = member(Role::Responsable, "Mère", date(1985, 3, 2));
        let child = member(Role::Enfant, "Enfant2", date(2018, 1, 1));
        let mut unborn = member(Role::Enfant, "", None);
        unborn.fields.a_naitre = true;
        unborn.fields.prenom = None;
        unborn.fields.sexe = None;
        unborn.fields.date_naissance_prevue = date(2027, 3, 1);
        let links = vec![link(&child, &mother, true), link(&unborn, &mother, true)];
        let errors = check(&address(), &[mother, child, unborn], &links, today());
        assert!(errors.is_empty(), "{errors:?}");
    }

    #[test]
    fn every_problem_is_reported_at_once_and_addressed() {
        let mut child = member(Role::Enfant, "Zoé", date(2027, 1, 1));
        child.fields.nom = None;
        let second_conjoint = [
            member(Role::Conjoint, "A", date(1980, 1, 1)),
            member(Role::Conjoint, "B", date(1980, 1, 1)),
        ];
        let mut members = vec![child.clone()];
        members.extend(second_conjoint.clone());
        let errors = check(&AddressInput::default(), &members, &[], today());
        assert_eq!(errors["_"], vec!["responsable_required"]);
        assert_eq!(errors["address.code_postal"], vec!["required"]);
        assert_eq!(
            errors[&format!("members.{}.nom", child.id)],
            vec!["required"]
        );
        assert_eq!(
            errors[&format!("members.{}.date_naissance", child.id)],
            vec!["date_in_future"]
        );
        assert_eq!(
            errors[&format!("members.{}", child.id)],
            vec!["link_required"]
        );
        assert_eq!(
            errors[&format!("members.{}.role", second_conjoint[1].id)],
            vec!["role_taken"]
        );
    }

    #[test]
    fn a_child_needs_a_responsable_with_parental_authority() {
        let mother = member(Role::Responsable, "Mère", date(1985, 3, 2));
        let partner = member(Role::Conjoint, "Beau-père", date(1984, 3, 2));
        let child = member(Role::Enfant, "Léo", date(2019, 5, 5));
        let members = [mother.clone(), partner.clone(), child.clone()];
        let only_partner = [link(&child, &partner, true)];
        assert!(
            check(&address(), &members, &only_partner, today())
                .contains_key(&format!("members.{}", child.id))
        );
        let without_authority = [link(&child, &mother, false)];
        assert!(
            check(&address(), &members, &without_authority, today())
                .contains_key(&format!("members.{}", child.id))
        );
        let ok = [link(&child, &mother, true)];
        assert!(check(&address(), &members, &ok, today()).is_empty());
    }

    #[test]
    fn dates_must_be_coherent() {
        let mut mother = member(Role::Responsable, "Mère", date(1985, 3, 2));
        mother.fields.situation_depuis = date(1980, 1, 1);
        let adult_child = member(Role::Enfant, "Grand", date(2008, 1, 1));
        let mut far_unborn = member(Role::Enfant, "", None);
        far_unborn.fields.a_naitre = true;
        far_unborn.fields.date_naissance_prevue = date(2027, 11, 1);
        let links = [
            link(&adult_child, &mother, true),
            link(&far_unborn, &mother, true),
        ];
        let errors = check(
            &address(),
            &[mother.clone(), adult_child.clone(), far_unborn.clone()],
            &links,
            today(),
        );
        assert_eq!(
            errors[&format!("members.{}.situation_depuis", mother.id)],
            vec!["date_before_birth"]
        );
        assert_eq!(
            errors[&format!("members.{}.date_naissance", adult_child.id)],
            vec!["too_old"]
        );
        assert_eq!(
            errors[&format!("members.{}.date_naissance_prevue", far_unborn.id)],
            vec!["date_out_of_range"]
        );
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(
            age_on(NaiveDate::from_ymd_opt(2008, 11, 27).expect("d"), today()),
            17
        );
        assert_eq!(
            age_on(NaiveDate::from_ymd_opt(2008, 11, 26).expect("d"), today()),
            18
        );
    }
}
