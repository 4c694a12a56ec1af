//! Gathers from the database what `shared::eligibility` decides on: the child (in this
//! family's dossier, born when), the dossier (validated), its pieces, the child's current
//! enrolments and the family's in the période.

use diesel::prelude::*;
use shared::eligibility::{ChildFacts, CurrentEnrolment, PeriodRules, PieceFact};
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::models::activite::Activite;
use crate::db::models::inscription::statut;
use crate::db::models::periode::Periode;
use crate::db::schema::{dossiers, inscriptions, members, periodes, pieces};

/// `pieces.status` of a piece the town validated.
const PIECE_VALIDEE: &str = "validee";

fn uuid(id: &str) -> Uuid {
    // Ids are written by `new_id`; a malformed one can only be a foreign row: nil matches
    // nothing a family could ask for.
    Uuid::parse_str(id).unwrap_or_default()
}

/// The rules of `periode` (of `activite`, requiring `pieces`).
pub fn rules(activite: &Activite, periode: &Periode, required_pieces: Vec<String>) -> PeriodRules {
    PeriodRules {
        period_id: uuid(&periode.id),
        first_day: periode.premier_jour,
        last_day: periode.dernier_jour,
        age_min: u8::try_from(activite.age_min).unwrap_or(0),
        age_max: u8::try_from(activite.age_max).unwrap_or(u8::MAX),
        opens_at: periode.ouverture.and_utc(),
        closes_at: periode.fermeture.and_utc(),
        residents_open_at: periode.ouverture_residents.map(|t| t.and_utc()),
        family_limit: periode.limite_famille.and_then(|l| u32::try_from(l).ok()),
        required_pieces,
    }
}

/// What is known of child `member_id` for dossier `dossier_id` and période `periode_id`.
/// A member of another dossier (or no child at all) gives `in_family_dossier: false`.
pub fn of_child(
    conn: &mut DbConn,
    dossier_id: &str,
    member_id: &str,
    periode_id: &str,
) -> QueryResult<ChildFacts> {
    let child: Option<Option<chrono::NaiveDate>> = members::table
        .filter(members::id.eq(member_id))
        .filter(members::dossier_id.eq(dossier_id))
        .filter(members::role.eq("enfant"))
        .select(members::date_naissance)
        .first(conn)
        .optional()?;
    let numero: Option<Option<String>> = dossiers::table
        .find(dossier_id)
        .select(dossiers::numero)
        .first(conn)
        .optional()?;
    let pieces = pieces::table
        .filter(pieces::dossier_id.eq(dossier_id))
        .select((
            pieces::type_code,
            pieces::member_id,
            pieces::status,
            pieces::fin_validite,
        ))
        .load::<(String, Option<String>, String, Option<chrono::NaiveDate>)>(conn)?
        .into_iter()
        .map(|(type_code, member, status, valid_until)| PieceFact {
            type_code,
            member_id: member.as_deref().map(uuid),
            validated: status == PIECE_VALIDEE,
            valid_until,
        })
        .collect();
    let enrolments = inscriptions::table
        .inner_join(periodes::table)
        .filter(inscriptions::member_id.eq(member_id))
        .filter(inscriptions::statut.ne_all(statut::ENDED))
        .select((periodes::id, periodes::premier_jour, periodes::dernier_jour))
        .load::<(String, chrono::NaiveDate, chrono::NaiveDate)>(conn)?
        .into_iter()
        .map(|(id, first_day, last_day)| CurrentEnrolment {
            period_id: uuid(&id),
            first_day,
            last_day,
        })
        .collect();
    let in_period: i64 = inscriptions::table
        .filter(inscriptions::dossier_id.eq(dossier_id))
        .filter(inscriptions::periode_id.eq(periode_id))
        .filter(inscriptions::statut.ne_all(statut::ENDED))
        .count()
        .get_result(conn)?;
    Ok(ChildFacts {
        child_id: uuid(member_id),
        in_family_dossier: child.is_some(),
        dossier_validated: numero.flatten().is_some(),
        // Residency (the town's own households) is not recorded yet: everyone opens at the
        // general opening until it is.
        resident: false,
        birth_date: child.flatten(),
        pieces,
        enrolments,
        family_enrolments_in_period: u32::try_from(in_period).unwrap_or(u32::MAX),
    })
}
