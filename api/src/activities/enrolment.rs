//! Enrolling a child in a période. In one write transaction: the période's row is locked
//! (its arrival counter is incremented), the eligibility rule is applied to facts read
//! under that lock, then a place is taken by a conditional update — or the child joins the
//! waiting list with its position. Nothing is read and then written back: under any number
//! of simultaneous requests the places held never exceed the capacity, and requests are
//! served in the order they reached the database.

use chrono::{DateTime, Utc};
use shared::eligibility::{self, Reason};

use crate::db::models::inscription::{self, Inscription, NewInscription, statut};
use crate::db::models::periode::{self, mode};
use crate::db::models::{activite, periode::statut as periode_statut};
use crate::db::{DbConn, write_tx};

/// What an enrolment gave.
#[derive(Debug)]
pub enum Enrolled {
    /// A place, confirmed at once (mode automatique).
    Confirmee(Inscription),
    /// A place held until an agent decides (mode sur validation).
    Demandee(Inscription),
    /// No place left: on the waiting list, at `position` (1 = next).
    ListeAttente {
        inscription: Inscription,
        position: i64,
    },
}

impl Enrolled {
    pub fn inscription(&self) -> &Inscription {
        match self {
            Self::Confirmee(i) | Self::Demandee(i) | Self::ListeAttente { inscription: i, .. } => i,
        }
    }
}

/// Why an enrolment was not made.
#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    /// No published période of that id.
    #[error("unknown période")]
    UnknownPeriode,
    /// The child may not be enrolled: every reason.
    #[error("not eligible: {0:?}")]
    NotEligible(Vec<Reason>),
    /// No place left and no waiting list.
    #[error("période full")]
    Full,
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
}

/// Enrolls `request.member_id` in `request.periode_id` at `now`.
pub fn enrol(
    conn: &mut DbConn,
    request: &NewInscription,
    now: DateTime<Utc>,
) -> Result<Enrolled, EnrolError> {
    let stamp = now.naive_utc();
    let result = write_tx(conn, |conn| {
        let published = periode::find(conn, request.periode_id)?
            .filter(|p| p.statut == periode_statut::PUBLIEE);
        let Some(found) = published else {
            return Err(EnrolError::UnknownPeriode);
        };
        // The lock first: the facts below (already enrolled, the family's count) are then
        // those no concurrent enrolment of this période can change before we commit.
        let rang = periode::next_rang(conn, &found.id)?;
        let Some(activity) = activite::find(conn, &found.activite_id)? else {
            return Err(EnrolError::UnknownPeriode);
        };
        let required = activite::required_pieces(conn, &activity.id)?;
        let rules = super::facts::rules(&activity, &found, required);
        let child = super::facts::of_child(conn, request.dossier_id, request.member_id, &found.id)?;
        let reasons = eligibility::reasons(&rules, &child, now);
        if !reasons.is_empty() {
            return Err(EnrolError::NotEligible(reasons));
        }
        if periode::take_place(conn, &found.id, stamp)? {
            let (status, automatic) = if found.mode_validation == mode::AUTOMATIQUE {
                (statut::CONFIRMEE, true)
            } else {
                (statut::DEMANDEE, false)
            };
            let row = inscription::insert(conn, request, status, rang, stamp)?;
            return Ok(if automatic {
                Enrolled::Confirmee(row)
            } else {
                Enrolled::Demandee(row)
            });
        }
        if !found.liste_attente {
            return Err(EnrolError::Full);
        }
        let row = inscription::insert(conn, request, statut::LISTE_ATTENTE, rang, stamp)?;
        let position = inscription::waiting_position(conn, &found.id, rang)?;
        Ok(Enrolled::ListeAttente {
            inscription: row,
            position,
        })
    });
    // Two identical requests that raced past the check meet the unique index: the second
    // is « already enrolled », as it would have been a moment later.
    match result {
        Err(EnrolError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Err(EnrolError::NotEligible(vec![Reason::AlreadyEnrolled])),
        other => other,
    }
}
