//! What happens to an inscription once made: cancelled by the family or by an agent,
//! confirmed or refused by an agent (périodes *sur validation*), and the place it frees
//! given to the first in line — at once, or offered until a deadline, then to the next if
//! nobody answers ([`expire_offers`], a background job that is safe to run twice).
//!
//! Every change runs under the période's row lock, the one enrolments take, and re-reads
//! the inscription under it: the waiting list moves one step at a time and the places held
//! never exceed the capacity. Every change emails the family.

use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel::result::Error::NotFound;
use shared::api::activites::Decision;

use crate::db::models::inscription::{self, Change, HOLDS_PLACE, Inscription, statut};
use crate::db::models::periode::{self, Periode, mode};
use crate::db::models::{activite, dossier, member, outbox};
use crate::db::{DbConn, write_tx};
use crate::email::templates;
use crate::error::ApiError;
use crate::rattachement::Mailing;

/// Why a freed place that nobody accepted went to the next family.
const MOTIF_OFFRE_EXPIREE: &str = "Le délai pour accepter la place proposée est dépassé.";

/// The inscription `id` of dossier `dossier_id` (`None` for an agent, who may act on any),
/// with its période locked. Another family's inscription is not found.
fn locked(
    conn: &mut DbConn,
    id: &str,
    dossier_id: Option<&str>,
) -> Result<(Inscription, Periode), ApiError> {
    let found = inscription::find(conn, id)?
        .filter(|row| dossier_id.is_none_or(|d| d == row.dossier_id))
        .ok_or(ApiError::NotFound)?;
    let session = periode::lock(conn, &found.periode_id)?.ok_or(ApiError::NotFound)?;
    // Re-read under the lock: what we decide on is what no one else can change now.
    let row = inscription::find(conn, id)?.ok_or(ApiError::NotFound)?;
    Ok((row, session))
}

/// Applies `change` to `row`, read under the période's lock; answers the new row.
fn apply(
    conn: &mut DbConn,
    row: &Inscription,
    change: &Change,
    now: DateTime<Utc>,
) -> Result<Inscription, ApiError> {
    if !inscription::change(conn, row, change, now.naive_utc())? {
        // Only possible if the lock did not serialise us: never answer as if it worked.
        return Err(ApiError::Conflict(
            "Cette inscription vient d'être modifiée : rechargez la page.",
        ));
    }
    inscription::find(conn, &row.id)?.ok_or(ApiError::NotFound)
}

/// The family cancels: a held place until the période's cancellation deadline (Paris
/// time), a place on the waiting list any time before the first day; an offered place is
/// declined. The freed place goes to the next in line.
pub fn cancel_by_family(
    conn: &mut DbConn,
    dossier_id: &str,
    id: &str,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Inscription, ApiError> {
    let (row, session) = locked(conn, id, Some(dossier_id))?;
    let today = shared::paris::today(now);
    let deadline = shared::eligibility::last_cancellation_day(
        session.premier_jour,
        u32::try_from(session.annulation_jours).unwrap_or(0),
    );
    match row.statut.as_str() {
        statut::ANNULEE | statut::REFUSEE => {
            return Err(ApiError::Conflict("Cette inscription est déjà terminée."));
        }
        statut::LISTE_ATTENTE if today >= session.premier_jour => {
            return Err(ApiError::Conflict("La période a commencé."));
        }
        statut::CONFIRMEE | statut::DEMANDEE if today > deadline => {
            return Err(ApiError::Conflict(
                "Le délai d'annulation est dépassé : contactez le service enfance de la mairie.",
            ));
        }
        _ => {}
    }
    end(conn, &row, &session, statut::ANNULEE, None, mailing, now)
}

/// An agent cancels (any inscription not over yet), with the reason the family reads.
pub fn cancel_by_agent(
    conn: &mut DbConn,
    id: &str,
    motif: &str,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Inscription, ApiError> {
    let (row, session) = locked(conn, id, None)?;
    if statut::ENDED.contains(&row.statut.as_str()) {
        return Err(ApiError::Conflict("Cette inscription est déjà terminée."));
    }
    end(
        conn,
        &row,
        &session,
        statut::ANNULEE,
        Some(motif),
        mailing,
        now,
    )
}

/// An agent decides on a request *sur validation*: confirmed, or refused with a reason
/// (its place then goes to the next in line).
pub fn decide(
    conn: &mut DbConn,
    id: &str,
    decision: Decision,
    motif: Option<&str>,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Inscription, ApiError> {
    let (row, session) = locked(conn, id, None)?;
    if row.statut != statut::DEMANDEE {
        return Err(ApiError::Conflict(
            "Cette demande a déjà été traitée : rechargez la liste.",
        ));
    }
    match decision {
        Decision::Confirmer => {
            let change = Change {
                statut: statut::CONFIRMEE,
                offre_expire_at: None,
                motif: None,
            };
            let confirmed = apply(conn, &row, &change, now)?;
            notify(conn, &confirmed, Notice::Confirmed, mailing, now)?;
            Ok(confirmed)
        }
        Decision::Refuser => end(conn, &row, &session, statut::REFUSEE, motif, mailing, now),
    }
}

/// The family answers an offered place before its deadline: accepted, it is confirmed;
/// declined, it goes to the next in line.
pub fn answer_offer(
    conn: &mut DbConn,
    dossier_id: &str,
    id: &str,
    accept: bool,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Inscription, ApiError> {
    let (row, session) = locked(conn, id, Some(dossier_id))?;
    if row.statut != statut::PLACE_PROPOSEE {
        return Err(ApiError::Conflict(
            "Aucune place n'est proposée pour cette inscription.",
        ));
    }
    if row
        .offre_expire_at
        .is_some_and(|deadline| deadline <= now.naive_utc())
    {
        return Err(ApiError::Conflict(
            "Le délai pour accepter cette place est dépassé : elle a été proposée à la famille suivante.",
        ));
    }
    if !accept {
        return end(conn, &row, &session, statut::ANNULEE, None, mailing, now);
    }
    let change = Change {
        statut: statut::CONFIRMEE,
        offre_expire_at: None,
        motif: None,
    };
    let confirmed = apply(conn, &row, &change, now)?;
    notify(conn, &confirmed, Notice::Confirmed, mailing, now)?;
    Ok(confirmed)
}

/// Offers not accepted by `now` lapse, and their places go to the next in line. Each in
/// its own transaction, re-checked under the lock: two runs at once (or a family accepting
/// at the last second) change each offer once. Answers how many lapsed.
pub fn expire_offers(
    conn: &mut DbConn,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut lapsed = 0;
    for id in inscription::expired_offers(conn, now.naive_utc())? {
        lapsed += write_tx(conn, |conn| -> Result<usize, ApiError> {
            let (row, session) = locked(conn, &id, None)?;
            let still_due = row.statut == statut::PLACE_PROPOSEE
                && row.offre_expire_at.is_some_and(|at| at <= now.naive_utc());
            if !still_due {
                return Ok(0);
            }
            let motif = Some(MOTIF_OFFRE_EXPIREE);
            end(conn, &row, &session, statut::ANNULEE, motif, mailing, now)?;
            Ok(1)
        })?;
    }
    Ok(lapsed)
}

/// After a période's capacity was raised: the new places go to those waiting.
pub fn fill_freed_places(
    conn: &mut DbConn,
    periode_id: &str,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let session = periode::lock(conn, periode_id)?.ok_or(ApiError::NotFound)?;
    promote(conn, &session, mailing, now)
}

/// Ends `row` with `ended` (annulée or refusée) and the reason; a place it held is given
/// back and goes to the next in line.
fn end(
    conn: &mut DbConn,
    row: &Inscription,
    session: &Periode,
    ended: &'static str,
    motif: Option<&str>,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Inscription, ApiError> {
    let change = Change {
        statut: ended,
        offre_expire_at: None,
        motif,
    };
    let done = apply(conn, row, &change, now)?;
    let notice = if ended == statut::REFUSEE {
        Notice::Refused
    } else {
        Notice::Cancelled
    };
    notify(conn, &done, notice, mailing, now)?;
    if HOLDS_PLACE.contains(&row.statut.as_str()) {
        periode::release_place(conn, &session.id, now.naive_utc())?;
        let current = periode::find(conn, &session.id)?.ok_or(ApiError::NotFound)?;
        promote(conn, &current, mailing, now)?;
    }
    Ok(done)
}

/// Gives the période's free places to the first in line, one by one: at once (confirmed,
/// or requested when agents validate), or offered until a deadline when the période says
/// so. The caller holds the période's lock.
fn promote(
    conn: &mut DbConn,
    session: &Periode,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if session.statut != periode::statut::PUBLIEE {
        // A closed période keeps its list as it is.
        return Ok(());
    }
    while let Some(next) = inscription::first_waiting(conn, &session.id)? {
        if !periode::take_place(conn, &session.id, now.naive_utc())? {
            break;
        }
        let (change, notice) = match session.offre_heures {
            Some(hours) => {
                let deadline = now.naive_utc() + chrono::Duration::hours(i64::from(hours));
                let change = Change {
                    statut: statut::PLACE_PROPOSEE,
                    offre_expire_at: Some(deadline),
                    motif: None,
                };
                (change, Notice::Offered)
            }
            None if session.mode_validation == mode::SUR_VALIDATION => {
                let change = Change {
                    statut: statut::DEMANDEE,
                    offre_expire_at: None,
                    motif: None,
                };
                (change, Notice::Requested)
            }
            None => {
                let change = Change {
                    statut: statut::CONFIRMEE,
                    offre_expire_at: None,
                    motif: None,
                };
                (change, Notice::Confirmed)
            }
        };
        let moved = apply(conn, &next, &change, now)?;
        notify(conn, &moved, notice, mailing, now)?;
    }
    Ok(())
}

/// What the family is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// Enrolled, the place confirmed.
    Confirmed,
    /// Enrolled, waiting for an agent.
    Requested,
    /// On the waiting list.
    Waiting,
    /// A freed place offered until a deadline.
    Offered,
    Cancelled,
    Refused,
}

/// Emails every account of the inscription's dossier about `notice`.
pub fn notify(
    conn: &mut DbConn,
    row: &Inscription,
    notice: Notice,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> QueryResult<()> {
    let session = periode::find(conn, &row.periode_id)?.ok_or(NotFound)?;
    let activity = activite::find(conn, &session.activite_id)?.ok_or(NotFound)?;
    Letter::prepare(
        conn,
        &activity.nom,
        &session,
        &row.member_id,
        &row.dossier_id,
    )?
    .send(conn, row, notice, mailing, now)
}

/// What a letter about an inscription needs to know besides the inscription: read before
/// an enrolment takes its période's lock, so that the lock is held for the writes only.
pub struct Letter {
    child: String,
    what: String,
    /// (email, username) of every account of the dossier.
    to: Vec<(String, String)>,
}

impl Letter {
    pub fn prepare(
        conn: &mut DbConn,
        activite: &str,
        session: &Periode,
        member_id: &str,
        dossier_id: &str,
    ) -> QueryResult<Self> {
        Ok(Self {
            child: member::first_name(conn, member_id)?.unwrap_or_else(|| "Votre enfant".into()),
            what: format!("« {activite} » — {}", session.libelle),
            to: dossier::account_emails(conn, dossier_id)?,
        })
    }

    /// Queues the letter about `row` and `notice` in the outbox.
    pub fn send(
        &self,
        conn: &mut DbConn,
        row: &Inscription,
        notice: Notice,
        mailing: &Mailing,
        now: DateTime<Utc>,
    ) -> QueryResult<()> {
        let (child, what) = (&self.child, &self.what);
        let (subject, mut lines) = match notice {
            Notice::Confirmed => (
                "Inscription confirmée",
                vec![format!("L'inscription de {child} à {what} est confirmée.")],
            ),
            Notice::Requested => (
                "Demande d'inscription reçue",
                vec![format!(
                    "La demande d'inscription de {child} à {what} est enregistrée : une place lui est réservée en attendant la validation du service."
                )],
            ),
            Notice::Waiting => (
                "Inscription en liste d'attente",
                vec![format!(
                    "{child} est inscrit(e) en liste d'attente pour {what}. Nous vous écrirons dès qu'une place se libère."
                )],
            ),
            Notice::Offered => {
                let deadline = row
                    .offre_expire_at
                    .map(|at| shared::paris::local(at.and_utc()))
                    .map(|at| at.format("%d/%m/%Y à %H h %M").to_string())
                    .unwrap_or_default();
                (
                    "Une place se libère",
                    vec![format!(
                        "Une place s'est libérée pour {child} à {what}. Elle vous est réservée jusqu'au {deadline} : acceptez-la ou refusez-la dans « Mes inscriptions ». Sans réponse, elle sera proposée à la famille suivante."
                    )],
                )
            }
            Notice::Cancelled => (
                "Inscription annulée",
                vec![format!("L'inscription de {child} à {what} est annulée.")],
            ),
            Notice::Refused => (
                "Demande d'inscription refusée",
                vec![format!(
                    "La demande d'inscription de {child} à {what} n'a pas pu être acceptée."
                )],
            ),
        };
        if let Some(motif) = row
            .motif
            .as_deref()
            .filter(|_| row.statut != statut::CONFIRMEE)
        {
            lines.push(format!("Motif : « {motif} »"));
        }
        let link = format!("{}/inscriptions", mailing.public_url);
        for (email, username) in &self.to {
            let news =
                templates::inscription_news(email, username, &mailing.town, subject, &lines, &link);
            outbox::enqueue(conn, &news, now.naive_utc())?;
        }
        Ok(())
    }
}
