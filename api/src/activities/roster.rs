//! What agents read about the children of a période: the list of the enrolled (with who to
//! call and who may pick them up), its CSV export for the animators, the requests waiting
//! for a decision, and the children of a dossier an agent is about to enrol.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use shared::api::activites::{
    Contact, DemandeInscription, DemandeInscriptionList, EnfantDossier, EnfantDossierList, Roster,
    RosterEntry,
};
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::models::activite;
use crate::db::models::inscription::{Inscription, statut};
use crate::db::models::periode;
use crate::db::schema::{dossiers, inscriptions, member_links, members, periodes};
use crate::error::ApiError;

use super::{admin, family};

/// The order of the list: places first, then the waiting list, then what is over.
fn rank(status: &str) -> u8 {
    match status {
        statut::CONFIRMEE => 0,
        statut::DEMANDEE => 1,
        statut::PLACE_PROPOSEE => 2,
        statut::LISTE_ATTENTE => 3,
        _ => 4,
    }
}

fn full_name(prenom: Option<String>, nom: Option<String>) -> String {
    [prenom, nom]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Age in whole years on `day`.
fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let before_birthday = (day.month(), day.day()) < (birth.month(), birth.day());
    day.year() - birth.year() - i32::from(before_birthday)
}

/// (first name, name) and (mobile, landline) of a member.
type Names = (Option<String>, Option<String>);
type Phones = (Option<String>, Option<String>);

/// The contacts of each child: (responsables, autorisés à récupérer, urgences).
type Contacts = (Vec<Contact>, Vec<Contact>, Vec<Contact>);

fn contacts_of(conn: &mut DbConn, child_ids: &[&str]) -> QueryResult<HashMap<String, Contacts>> {
    let children = diesel::alias!(members as children);
    type Row = (String, (bool, bool, bool), Names, Phones);
    let rows: Vec<Row> = member_links::table
        .inner_join(members::table.on(members::id.eq(member_links::adult_id)))
        .filter(member_links::child_id.eq_any(child_ids))
        .order((member_links::child_id, members::position))
        .select((
            member_links::child_id,
            (
                member_links::autorite_parentale,
                member_links::autorise_recuperer,
                member_links::contact_urgence,
            ),
            (members::prenom, members::nom),
            (members::telephone_mobile, members::telephone_fixe),
        ))
        .load(conn)?;
    let mut found: HashMap<String, Contacts> = HashMap::new();
    for (child, (responsable, autorise, urgence), (prenom, nom), (mobile, fixe)) in rows {
        let contact = Contact {
            nom: full_name(prenom, nom),
            telephone: mobile.or(fixe),
        };
        let entry = found.entry(child).or_default();
        if responsable {
            entry.0.push(contact.clone());
        }
        if autorise {
            entry.1.push(contact.clone());
        }
        if urgence {
            entry.2.push(contact);
        }
    }
    // Dossiers imported from the town's records have no links yet: their responsables
    // (role responsable or conjoint) are the child's, rather than nobody.
    let unlinked: Vec<&str> = child_ids
        .iter()
        .copied()
        .filter(|id| !found.contains_key(*id))
        .collect();
    if !unlinked.is_empty() {
        let adults: Vec<(String, Names, Phones)> = members::table
            .inner_join(children.on(children.field(members::dossier_id).eq(members::dossier_id)))
            .filter(children.field(members::id).eq_any(&unlinked))
            .filter(members::role.eq_any(["responsable", "conjoint"]))
            .order((children.field(members::id), members::position))
            .select((
                children.field(members::id),
                (members::prenom, members::nom),
                (members::telephone_mobile, members::telephone_fixe),
            ))
            .load(conn)?;
        for (child, (prenom, nom), (mobile, fixe)) in adults {
            found.entry(child).or_default().0.push(Contact {
                nom: full_name(prenom, nom),
                telephone: mobile.or(fixe),
            });
        }
    }
    Ok(found)
}

type EntryRow = (
    Inscription,
    (Option<String>, Option<String>, Option<NaiveDate>),
    Option<String>,
    NaiveDate,
);

/// The entries of `rows` (inscriptions with their child, dossier number and période's
/// first day).
fn entries(conn: &mut DbConn, rows: Vec<EntryRow>) -> Result<Vec<RosterEntry>, ApiError> {
    let child_ids: Vec<&str> = rows.iter().map(|(i, ..)| i.member_id.as_str()).collect();
    let contacts = contacts_of(conn, &child_ids)?;
    let mut items = Vec::with_capacity(rows.len());
    for (row, (prenom, nom, born), numero, first_day) in rows {
        let (responsables, autorises, urgences) =
            contacts.get(&row.member_id).cloned().unwrap_or_default();
        items.push(RosterEntry {
            inscription: family::view(conn, &row)?,
            enfant: full_name(prenom, nom),
            date_naissance: born,
            age: born.map(|b| age_on(b, first_day)),
            dossier_numero: numero,
            responsables,
            autorises,
            urgences,
            motif: row.motif.clone(),
            par_agent: row.par_agent,
            cree_le: row.created_at.and_utc(),
            offre_expire_at: row.offre_expire_at.map(|t| t.and_utc()),
        });
    }
    Ok(items)
}

/// The période's children, in list order.
pub fn of_periode(conn: &mut DbConn, periode_id: &str) -> Result<Roster, ApiError> {
    let found = periode::find(conn, periode_id)?.ok_or(ApiError::NotFound)?;
    let activity = activite::find(conn, &found.activite_id)?.ok_or(ApiError::NotFound)?;
    let mut rows: Vec<EntryRow> = inscriptions::table
        .inner_join(members::table)
        .inner_join(dossiers::table)
        .inner_join(periodes::table)
        .filter(inscriptions::periode_id.eq(periode_id))
        .order(inscriptions::rang)
        .select((
            Inscription::as_select(),
            (members::prenom, members::nom, members::date_naissance),
            dossiers::numero,
            periodes::premier_jour,
        ))
        .load(conn)?;
    rows.sort_by_key(|(row, ..)| (rank(&row.statut), row.rang));
    Ok(Roster {
        activite: activity.nom,
        periode: admin::periode_view(conn, periode_id)?,
        items: entries(conn, rows)?,
    })
}

/// The requests *sur validation* waiting for an agent, oldest first.
pub fn awaiting(conn: &mut DbConn) -> Result<DemandeInscriptionList, ApiError> {
    use crate::db::schema::activites;
    type Row = (
        Inscription,
        (Option<String>, Option<String>, Option<NaiveDate>),
        Option<String>,
        NaiveDate,
        (String, String),
    );
    let rows: Vec<Row> = inscriptions::table
        .inner_join(members::table)
        .inner_join(dossiers::table)
        .inner_join(periodes::table.inner_join(activites::table))
        .filter(inscriptions::statut.eq(statut::DEMANDEE))
        .order((inscriptions::created_at, inscriptions::id))
        .limit(500)
        .select((
            Inscription::as_select(),
            (members::prenom, members::nom, members::date_naissance),
            dossiers::numero,
            periodes::premier_jour,
            (activites::nom, periodes::libelle),
        ))
        .load(conn)?;
    let (rows, names): (Vec<EntryRow>, Vec<(String, String)>) = rows
        .into_iter()
        .map(|(row, child, numero, first_day, names)| ((row, child, numero, first_day), names))
        .unzip();
    let items = entries(conn, rows)?
        .into_iter()
        .zip(names)
        .map(|(entry, (activite, periode))| DemandeInscription {
            entry,
            activite,
            periode,
        })
        .collect();
    Ok(DemandeInscriptionList { items })
}

/// The children of the validated dossier numbered `numero`.
pub fn children_of(conn: &mut DbConn, numero: &str) -> Result<EnfantDossierList, ApiError> {
    let dossier_id: String = dossiers::table
        .filter(dossiers::numero.eq(numero.trim()))
        .select(dossiers::id)
        .first(conn)
        .optional()?
        .ok_or(ApiError::NotFound)?;
    let items = super::facts::children(conn, &dossier_id)?
        .into_iter()
        .map(|(id, prenom, nom, date_naissance)| {
            Ok(EnfantDossier {
                id: Uuid::parse_str(&id).map_err(anyhow::Error::from)?,
                prenom: prenom.unwrap_or_default(),
                nom: nom.unwrap_or_default(),
                date_naissance,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(EnfantDossierList {
        dossier_numero: numero.trim().to_string(),
        items,
    })
}

/// The list as a spreadsheet for the animators (`;`-separated, UTF-8 with a byte-order
/// mark so that Excel reads the accents): one line per child, contacts included.
pub fn csv(roster: &Roster) -> String {
    fn cell(value: &str) -> String {
        // Quote every cell; a formula-looking value is neutralised (CSV injection).
        let value = if value.starts_with(['=', '+', '-', '@']) {
            format!("'{value}")
        } else {
            value.to_string()
        };
        format!("\"{}\"", value.replace('"', "\"\""))
    }
    fn people(list: &[Contact]) -> String {
        list.iter()
            .map(|c| match &c.telephone {
                Some(phone) => format!("{} ({phone})", c.nom),
                None => c.nom.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
    let mut out = String::from("\u{feff}");
    let header = [
        "Enfant",
        "Date de naissance",
        "Âge",
        "Dossier",
        "Statut",
        "Position",
        "Responsables",
        "Autorisés à récupérer",
        "Contacts d'urgence",
        "Motif",
    ];
    out.push_str(&header.map(cell).join(";"));
    out.push_str("\r\n");
    for entry in &roster.items {
        let line = [
            entry.enfant.clone(),
            entry
                .date_naissance
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            entry.age.map(|a| a.to_string()).unwrap_or_default(),
            entry.dossier_numero.clone().unwrap_or_default(),
            statut_label(&entry.inscription.statut).to_string(),
            entry
                .inscription
                .position_liste_attente
                .map(|p| p.to_string())
                .unwrap_or_default(),
            people(&entry.responsables),
            people(&entry.autorises),
            people(&entry.urgences),
            entry.motif.clone().unwrap_or_default(),
        ];
        out.push_str(&line.iter().map(|v| cell(v)).collect::<Vec<_>>().join(";"));
        out.push_str("\r\n");
    }
    out
}

fn statut_label(value: &shared::api::activites::InscriptionStatut) -> &'static str {
    use shared::api::activites::InscriptionStatut as S;
    match value {
        S::Demandee => "Demandée",
        S::Confirmee => "Confirmée",
        S::ListeAttente => "Liste d'attente",
        S::PlaceProposee => "Place proposée",
        S::Annulee => "Annulée",
        S::Refusee => "Refusée",
    }
}

/// Writes to the audit log that an agent read (or downloaded, `action`) the list of
/// période `periode_id`: one entry per dossier on it, so each family's « Consultations de
/// mon dossier » shows it.
pub fn record_reading(
    conn: &mut DbConn,
    staff: &crate::auth::extractor::StaffUser,
    periode_id: &str,
    action: &str,
    now: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    use crate::db::models::audit::{self, Entry};
    let dossier_ids: Vec<String> = inscriptions::table
        .filter(inscriptions::periode_id.eq(periode_id))
        .select(inscriptions::dossier_id)
        .distinct()
        .load(conn)?;
    for dossier_id in &dossier_ids {
        let entry = Entry {
            actor_account_id: &staff.user.account_id,
            actor_role: &staff.role,
            action,
            dossier_id,
            object_id: Some(periode_id),
            detail: Some("Liste des inscrits à une activité"),
        };
        audit::record(conn, &entry, now)?;
    }
    Ok(())
}

/// Writes to the audit log an agent's action on inscription `row` (`detail` says which).
pub fn record_action(
    conn: &mut DbConn,
    staff: &crate::auth::extractor::StaffUser,
    row: &Inscription,
    detail: &str,
    now: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    use crate::db::models::audit::{self, Entry, action};
    let entry = Entry {
        actor_account_id: &staff.user.account_id,
        actor_role: &staff.role,
        action: action::DECISION_DEMANDE,
        dossier_id: &row.dossier_id,
        object_id: Some(&row.id),
        detail: Some(detail),
    };
    Ok(audit::record(conn, &entry, now)?)
}

#[cfg(test)]
mod tests {
    use super::age_on;
    use chrono::NaiveDate;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    #[test]
    fn the_age_turns_on_the_birthday() {
        assert_eq!(age_on(day(2018, 2, 16), day(2026, 2, 15)), 7);
        assert_eq!(age_on(day(2018, 2, 16), day(2026, 2, 16)), 8);
    }
}
