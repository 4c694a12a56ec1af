//! Enrolling a child in a période. In one write transaction: the période's row is locked,
//! the eligibility rule is applied to facts read under that lock, then one conditional
//! update counts the arrival and takes a place if one is free — or the child joins the
//! waiting list with its position. Nothing is read and then written back: under any number
//! of simultaneous requests the places held never exceed the capacity, and requests are
//! served in the order they reached the database.

use chrono::{DateTime, Utc};
use shared::api::activites::InscriptionView;
use shared::eligibility::{self, Reason};
use uuid::Uuid;

use crate::db::models::inscription::{self, Inscription, NewInscription, statut};
use crate::db::models::periode::{self, mode};
use crate::db::models::{activite, idempotency, periode::statut as periode_statut};
use crate::db::{DbConn, write_tx};
use crate::enum_text::from_text;
use crate::error::ApiError;
use crate::rattachement::Mailing;

use super::lifecycle::{Letter, Notice};

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
    /// The idempotency key was used for another enrolment.
    #[error("idempotency key reused for another request")]
    KeyReused,
    /// The idempotency key already answered: that answer (status, JSON body). An error so
    /// that the transaction rolls back what it started.
    #[error("already answered")]
    Answered(u16, String),
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// A family's `Idempotency-Key`, with what identifies its request.
pub struct Idempotency<'a> {
    /// The family's account, or the application enrolling on a family's behalf.
    pub owner_id: &'a str,
    pub key: &'a str,
    /// The période and the child: the same key with another pair is refused.
    pub fingerprint: String,
}

/// What [`enrol_once`] answers.
#[derive(Debug)]
pub enum Answer {
    /// Enrolled now.
    Fresh(Enrolled),
    /// The key's first answer, replayed (status, JSON body).
    Replayed(u16, String),
}

/// Enrolls `request.member_id` in `request.periode_id` at `now`.
pub fn enrol(
    conn: &mut DbConn,
    request: &NewInscription,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Enrolled, EnrolError> {
    already_enrolled_on_conflict(write_tx(conn, |conn| {
        enrol_in(conn, request, None, mailing, now)
    }))
}

/// [`enrol`] with an idempotency key: the first request's answer is stored with the
/// enrolment, in the same transaction; a retry (even one that raced the first: it waits for
/// the période's lock) gets that answer back and changes nothing.
pub fn enrol_once(
    conn: &mut DbConn,
    request: &NewInscription,
    idempotency: &Idempotency,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Answer, EnrolError> {
    let result = write_tx(conn, |conn| {
        enrol_in(conn, request, Some(idempotency), mailing, now)
    });
    match already_enrolled_on_conflict(result) {
        Ok(enrolled) => Ok(Answer::Fresh(enrolled)),
        Err(EnrolError::Answered(status, body)) => Ok(Answer::Replayed(status, body)),
        Err(other) => Err(other),
    }
}

/// Two identical requests that raced past the check meet the unique index: the second
/// is « already enrolled », as it would have been a moment later.
fn already_enrolled_on_conflict(
    result: Result<Enrolled, EnrolError>,
) -> Result<Enrolled, EnrolError> {
    match result {
        Err(EnrolError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ))) => Err(EnrolError::NotEligible(vec![Reason::AlreadyEnrolled])),
        other => other,
    }
}

/// [`enrol`] inside the caller's write transaction, for a caller that records more with it
/// (an agent's enrolment and its audit entry). A lost race on the unique index is then
/// the caller's error to map.
pub fn enrol_within(
    conn: &mut DbConn,
    request: &NewInscription,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Enrolled, EnrolError> {
    enrol_in(conn, request, None, mailing, now)
}

/// The enrolment, inside the caller's write transaction.
fn enrol_in(
    conn: &mut DbConn,
    request: &NewInscription,
    idempotency: Option<&Idempotency>,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Enrolled, EnrolError> {
    let stamp = now.naive_utc();
    // First what no enrolment of this période can change — the activité, the child, the
    // dossier and its pieces, the letter's names and addresses —, read before the lock so
    // that on opening morning the lock is held for the writes only.
    let published =
        periode::find(conn, request.periode_id)?.filter(|p| p.statut == periode_statut::PUBLIEE);
    let Some(before) = published else {
        return Err(EnrolError::UnknownPeriode);
    };
    let Some(activity) = activite::find(conn, &before.activite_id)? else {
        return Err(EnrolError::UnknownPeriode);
    };
    let required = activite::required_pieces(conn, &activity.id)?;
    let birth_date = super::facts::child_birth_date(conn, request.dossier_id, request.member_id)?;
    let mut known = super::facts::of_dossier(conn, request.dossier_id)?;
    let letter = Letter::prepare(
        conn,
        &activity.nom,
        &before,
        request.member_id,
        request.dossier_id,
    )?;
    // The lock: the période as it is now, and the facts below (already enrolled, the
    // family's count, the key's answer) are those no concurrent enrolment of this période
    // can change before we commit.
    let locked = periode::lock(conn, &before.id)?.filter(|p| p.statut == periode_statut::PUBLIEE);
    let Some(found) = locked else {
        return Err(EnrolError::UnknownPeriode);
    };
    if let Some(idem) = idempotency
        && let Some((print, status, body)) = idempotency::answered(conn, idem.owner_id, idem.key)?
    {
        return Err(if print == idem.fingerprint {
            EnrolError::Answered(status, body)
        } else {
            EnrolError::KeyReused
        });
    }
    known.reread_enrolments(conn, request.dossier_id)?;
    let rules = super::facts::rules(&activity, &found, required);
    let child = known.child(request.member_id, birth_date, &found.id);
    let mut reasons = eligibility::reasons(&rules, &child, now);
    if request.par_agent {
        // An agent enrols on the family's behalf outside the window (a late request at
        // the counter, a child placed by social services); every other rule holds.
        reasons.retain(|r| !matches!(r, Reason::NotOpenYet { .. } | Reason::Closed));
    }
    if !reasons.is_empty() {
        return Err(EnrolError::NotEligible(reasons));
    }
    let (rang, place_taken) = periode::arrive(conn, &found, stamp)?;
    let enrolled = if place_taken {
        if found.mode_validation == mode::AUTOMATIQUE {
            Enrolled::Confirmee(inscription::insert(
                conn,
                request,
                statut::CONFIRMEE,
                rang,
                stamp,
            )?)
        } else {
            Enrolled::Demandee(inscription::insert(
                conn,
                request,
                statut::DEMANDEE,
                rang,
                stamp,
            )?)
        }
    } else if found.liste_attente {
        let row = inscription::insert(conn, request, statut::LISTE_ATTENTE, rang, stamp)?;
        let position = inscription::waiting_position(conn, &found.id, rang)?;
        Enrolled::ListeAttente {
            inscription: row,
            position,
        }
    } else {
        return Err(EnrolError::Full);
    };
    let notice = match &enrolled {
        Enrolled::Confirmee(_) => Notice::Confirmed,
        Enrolled::Demandee(_) => Notice::Requested,
        Enrolled::ListeAttente { .. } => Notice::Waiting,
    };
    letter.send(conn, enrolled.inscription(), notice, mailing, now)?;
    if let Some(idem) = idempotency {
        let body = serde_json::to_string(&view(&enrolled)?).map_err(anyhow::Error::from)?;
        idempotency::record(
            conn,
            idem.owner_id,
            idem.key,
            &idem.fingerprint,
            (201, &body),
            stamp,
        )?;
    }
    Ok(enrolled)
}

/// The inscription as the family sees it.
pub fn view(enrolled: &Enrolled) -> anyhow::Result<InscriptionView> {
    let row = enrolled.inscription();
    Ok(InscriptionView {
        id: Uuid::parse_str(&row.id)?,
        periode_id: Uuid::parse_str(&row.periode_id)?,
        enfant_id: Uuid::parse_str(&row.member_id)?,
        statut: from_text(&row.statut)?,
        position_liste_attente: match enrolled {
            Enrolled::ListeAttente { position, .. } => Some(u32::try_from(*position)?),
            _ => None,
        },
    })
}

/// An enrolment's refusal as the API answers it.
impl From<EnrolError> for ApiError {
    fn from(error: EnrolError) -> Self {
        match error {
            EnrolError::UnknownPeriode => ApiError::NotFound,
            // Only the window stands in the way: « come back at … » (issue 13).
            EnrolError::NotEligible(reasons) => match reasons.as_slice() {
                [Reason::NotOpenYet { opens_at }] => ApiError::WindowNotOpen(*opens_at),
                _ => ApiError::NotEligible(reasons),
            },
            EnrolError::Full => ApiError::Conflict("Cette période est complète."),
            EnrolError::KeyReused => ApiError::IdempotencyKeyReused,
            // Only ever turned into an answer by `enrol_once`.
            EnrolError::Answered(..) => ApiError::Internal(anyhow::anyhow!("unexpected replay")),
            EnrolError::Database(error) => error.into(),
            EnrolError::Other(error) => ApiError::Internal(error),
        }
    }
}
