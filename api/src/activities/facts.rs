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
        by_draw: periode.awaits_draw(),
    }
}

/// What the rule needs to know of a dossier, read once for all its children and périodes
/// (the catalogue of a family with three children is checked in five queries, not in a
/// few hundred).
pub struct DossierFacts {
    validated: bool,
    /// The household's address is in the town.
    resident: bool,
    pieces: Vec<PieceFact>,
    enrolments: Enrolments,
}

/// Reads the facts of dossier `dossier_id` (an unknown id gives a dossier with nothing).
pub fn of_dossier(conn: &mut DbConn, dossier_id: &str) -> QueryResult<DossierFacts> {
    let (numero, code_postal): (Option<String>, Option<String>) = dossiers::table
        .find(dossier_id)
        .select((dossiers::numero, dossiers::code_postal))
        .first(conn)
        .optional()?
        .unwrap_or_default();
    let town = crate::db::models::town::current(conn)?;
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
    let enrolments = enrolments_of(conn, dossier_id)?;
    Ok(DossierFacts {
        // A dossier gets its number when the town validates it.
        validated: numero.is_some(),
        resident: crate::db::models::town::is_resident(&town, code_postal.as_deref()),
        pieces,
        enrolments,
    })
}

/// Current enrolments of the dossier's children: (child, période, first day, last day).
type Enrolments = Vec<(String, String, chrono::NaiveDate, chrono::NaiveDate)>;

fn enrolments_of(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Enrolments> {
    inscriptions::table
        .inner_join(periodes::table)
        .filter(inscriptions::dossier_id.eq(dossier_id))
        .filter(inscriptions::statut.ne_all(statut::ENDED))
        .select((
            inscriptions::member_id,
            periodes::id,
            periodes::premier_jour,
            periodes::dernier_jour,
        ))
        .load(conn)
}

impl DossierFacts {
    /// Reads the enrolments again — under a période's lock, where they are the facts no
    /// concurrent enrolment of that période can change before the commit. The rest (the
    /// dossier, its pieces, the residence) is read before the lock.
    pub fn reread_enrolments(&mut self, conn: &mut DbConn, dossier_id: &str) -> QueryResult<()> {
        self.enrolments = enrolments_of(conn, dossier_id)?;
        Ok(())
    }

    /// The facts of one child of the dossier (`birth_date` from its row; `None` for a
    /// member that is not a child of this dossier) for période `periode_id`.
    pub fn child(
        &self,
        member_id: &str,
        child: Option<Option<chrono::NaiveDate>>,
        periode_id: &str,
    ) -> ChildFacts {
        let in_period = self
            .enrolments
            .iter()
            .filter(|(_, period, _, _)| period == periode_id)
            .count();
        ChildFacts {
            child_id: uuid(member_id),
            in_family_dossier: child.is_some(),
            dossier_validated: self.validated,
            resident: self.resident,
            birth_date: child.flatten(),
            pieces: self.pieces.clone(),
            enrolments: self
                .enrolments
                .iter()
                .filter(|(member, _, _, _)| member == member_id)
                .map(|(_, period, first_day, last_day)| CurrentEnrolment {
                    period_id: uuid(period),
                    first_day: *first_day,
                    last_day: *last_day,
                })
                .collect(),
            family_enrolments_in_period: u32::try_from(in_period).unwrap_or(u32::MAX),
        }
    }
}

/// A child of a dossier: (id, first name, name, birth date).
pub type Child = (
    String,
    Option<String>,
    Option<String>,
    Option<chrono::NaiveDate>,
);

/// The children of dossier `dossier_id`, in the dossier's order.
pub fn children(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<Child>> {
    members::table
        .filter(members::dossier_id.eq(dossier_id))
        .filter(members::role.eq("enfant"))
        .order((members::position, members::created_at))
        .select((
            members::id,
            members::prenom,
            members::nom,
            members::date_naissance,
        ))
        .load(conn)
}

/// The birth date of child `member_id` of dossier `dossier_id` (`None`: not a child of
/// this dossier; `Some(None)`: a child whose birth date is unknown).
pub fn child_birth_date(
    conn: &mut DbConn,
    dossier_id: &str,
    member_id: &str,
) -> QueryResult<Option<Option<chrono::NaiveDate>>> {
    members::table
        .filter(members::id.eq(member_id))
        .filter(members::dossier_id.eq(dossier_id))
        .filter(members::role.eq("enfant"))
        .select(members::date_naissance)
        .first(conn)
        .optional()
}

/// What is known of child `member_id` for dossier `dossier_id` and période `periode_id`.
/// A member of another dossier (or no child at all) gives `in_family_dossier: false`.
pub fn of_child(
    conn: &mut DbConn,
    dossier_id: &str,
    member_id: &str,
    periode_id: &str,
) -> QueryResult<ChildFacts> {
    let child = child_birth_date(conn, dossier_id, member_id)?;
    Ok(of_dossier(conn, dossier_id)?.child(member_id, child, periode_id))
}
