//! Requests (démarches) and their dated history.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use shared::api::dossier::{DemandeEvent, DemandeKind, DemandeStatus, DemandeSummary};
use shared::api::integration::WebhookEventType;

use crate::db::models::webhook;
use crate::db::schema::{demande_events, demandes, dossier_accounts, rattachements};
use crate::db::{DbConn, new_id};
use crate::enum_text::{from_text, to_text};

/// A row of `demandes`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = demandes)]
pub struct Demande {
    pub id: String,
    pub dossier_id: String,
    pub kind: String,
    pub status: String,
    pub observation: Option<String>,
    pub agent_message: Option<String>,
    pub snapshot: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
}

impl Demande {
    pub fn status(&self) -> anyhow::Result<DemandeStatus> {
        from_text(&self.status)
    }

    /// The summary the API shows.
    pub fn summary(&self) -> anyhow::Result<DemandeSummary> {
        Ok(DemandeSummary {
            id: self.id.parse()?,
            dossier_id: self.dossier_id.parse()?,
            kind: from_text(&self.kind)?,
            status: self.status()?,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
            submitted_at: self.submitted_at.map(|t| t.and_utc()),
        })
    }
}

/// Who changed a request's status.
pub enum Actor<'a> {
    Famille(&'a str),
    Agent(&'a str),
}

/// Opens a request in `status` on a dossier, with its first history entry.
pub fn create(
    conn: &mut DbConn,
    dossier_id: &str,
    kind: DemandeKind,
    status: DemandeStatus,
    actor: Actor<'_>,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(demandes::table)
        .values((
            demandes::id.eq(&id),
            demandes::dossier_id.eq(dossier_id),
            demandes::kind.eq(to_text(&kind)),
            demandes::status.eq(to_text(&status)),
            demandes::created_at.eq(now),
            demandes::updated_at.eq(now),
            demandes::submitted_at
                .eq((status == DemandeStatus::EnAttenteValidation).then_some(now)),
        ))
        .execute(conn)?;
    record_event(conn, &id, status, actor, None, now)?;
    Ok(id)
}

fn record_event(
    conn: &mut DbConn,
    demande_id: &str,
    status: DemandeStatus,
    actor: Actor<'_>,
    message: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let (kind, account) = match actor {
        Actor::Famille(id) => ("famille", id),
        Actor::Agent(id) => ("agent", id),
    };
    let recorded = diesel::insert_into(demande_events::table)
        .values((
            demande_events::id.eq(new_id()),
            demande_events::demande_id.eq(demande_id),
            demande_events::at.eq(now),
            demande_events::status.eq(to_text(&status)),
            demande_events::actor.eq(kind),
            demande_events::actor_account_id.eq(account),
            demande_events::message.eq(message),
        ))
        .execute(conn)?;
    // Every change of a request's status passes here: the connected applications that
    // listen are told in the same transaction.
    let event = match status {
        DemandeStatus::EnAttenteValidation => Some(WebhookEventType::DemandeSoumise),
        DemandeStatus::Validee => Some(WebhookEventType::DemandeValidee),
        DemandeStatus::ACompleter => Some(WebhookEventType::DemandeACompleter),
        DemandeStatus::Refusee => Some(WebhookEventType::DemandeRefusee),
        _ => None,
    };
    if let Some(event) = event {
        webhook::emit(
            conn,
            event,
            |conn| {
                let found = find(conn, demande_id)?;
                Ok(serde_json::json!({
                    "demande_id": found.id,
                    "dossier_id": found.dossier_id,
                    "kind": found.kind,
                    "status": found.status,
                }))
            },
            now,
        )?;
    }
    Ok(recorded)
}

/// Moves a request to `status`, recording who did it; `snapshot` freezes the dossier as
/// submitted.
pub fn transition(
    conn: &mut DbConn,
    demande_id: &str,
    status: DemandeStatus,
    actor: Actor<'_>,
    snapshot: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let submitted = status == DemandeStatus::EnAttenteValidation;
    diesel::update(demandes::table.find(demande_id))
        .set((
            demandes::status.eq(to_text(&status)),
            demandes::updated_at.eq(now),
            demandes::snapshot.eq(snapshot),
            demandes::submitted_at.eq(submitted.then_some(now)),
        ))
        .execute(conn)?;
    record_event(conn, demande_id, status, actor, None, now)
}

/// The dossier's request of creation, which decides whether the family may edit it.
/// (A « demande de rattachement » names the dossier too, but is about an account.)
pub fn current(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Demande> {
    demandes::table
        .filter(demandes::dossier_id.eq(dossier_id))
        .filter(demandes::kind.eq(to_text(&DemandeKind::CreationDossier)))
        .order(demandes::created_at.desc())
        .select(Demande::as_select())
        .first(conn)
}

/// The requests an account sees, newest first: the creation requests of the dossier it
/// is linked to, and its own « demandes de rattachement » (never another account's).
pub fn list_for_account(conn: &mut DbConn, account_id: &str) -> QueryResult<Vec<Demande>> {
    visible_to(account_id)
        .order(demandes::created_at.desc())
        .select(Demande::as_select())
        .load(conn)
}

/// Request `id` if the account may see it (else not found, like a missing one).
pub fn find_for_account(conn: &mut DbConn, id: &str, account_id: &str) -> QueryResult<Demande> {
    visible_to(account_id)
        .filter(demandes::id.eq(id))
        .select(Demande::as_select())
        .first(conn)
}

fn visible_to(account_id: &str) -> demandes::BoxedQuery<'static, crate::db::DbBackend> {
    let own_dossier = dossier_accounts::table
        .filter(dossier_accounts::account_id.eq(account_id.to_string()))
        .select(dossier_accounts::dossier_id);
    let own_rattachements = rattachements::table
        .filter(rattachements::account_id.eq(account_id.to_string()))
        .filter(rattachements::demande_id.is_not_null())
        .select(rattachements::demande_id.assume_not_null());
    demandes::table
        .filter(
            demandes::dossier_id
                .eq_any(own_dossier)
                .and(demandes::kind.eq(to_text(&DemandeKind::CreationDossier)))
                .or(demandes::id.eq_any(own_rattachements)),
        )
        .into_boxed()
}

/// Sets the family's observation.
pub fn set_observation(
    conn: &mut DbConn,
    id: &str,
    observation: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(demandes::table.find(id))
        .set((
            demandes::observation.eq(observation),
            demandes::updated_at.eq(now),
        ))
        .execute(conn)
}

/// A request's history, oldest first.
pub fn history(conn: &mut DbConn, demande_id: &str) -> anyhow::Result<Vec<DemandeEvent>> {
    let rows: Vec<(NaiveDateTime, String, String, Option<String>)> = demande_events::table
        .filter(demande_events::demande_id.eq(demande_id))
        .order((demande_events::at.asc(), demande_events::id.asc()))
        .select((
            demande_events::at,
            demande_events::status,
            demande_events::actor,
            demande_events::message,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(at, status, actor, message)| {
            Ok(DemandeEvent {
                at: at.and_utc(),
                status: from_text(&status)?,
                actor,
                message,
            })
        })
        .collect()
}

/// Requests in `status`, oldest submission first (the agents' queue).
pub fn list_in_status(conn: &mut DbConn, status: DemandeStatus) -> QueryResult<Vec<Demande>> {
    demandes::table
        .filter(demandes::status.eq(to_text(&status)))
        .order((demandes::submitted_at.asc(), demandes::id))
        .select(Demande::as_select())
        .load(conn)
}

/// An agent's decision on a request waiting for validation, with its history entry: false
/// when the request no longer waits (another agent decided first: SECURITY.md H-06).
pub fn decide(
    conn: &mut DbConn,
    demande_id: &str,
    status: DemandeStatus,
    agent_id: &str,
    message: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        demandes::table
            .find(demande_id)
            .filter(demandes::status.eq(to_text(&DemandeStatus::EnAttenteValidation))),
    )
    .set((
        demandes::status.eq(to_text(&status)),
        demandes::agent_message.eq(message),
        demandes::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 1 {
        record_event(
            conn,
            demande_id,
            status,
            Actor::Agent(agent_id),
            message,
            now,
        )?;
    }
    Ok(updated == 1)
}

/// Whether the family has sent the town any request on the dossier (beyond a draft).
pub fn any_sent(conn: &mut DbConn, dossier_id: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        demandes::table
            .filter(demandes::dossier_id.eq(dossier_id))
            .filter(demandes::status.ne(to_text(&DemandeStatus::Brouillon))),
    ))
    .get_result(conn)
}

/// A request by id (staff).
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Demande> {
    demandes::table
        .find(id)
        .select(Demande::as_select())
        .first(conn)
}

/// Drafts of a dossier (creation requests still `brouillon`) that neither the request, nor
/// its dossier, nor any of its pieces changed since `before`, and that were not warned
/// since their last change: (request id, dossier id). At most `limit`, oldest first.
pub fn drafts_to_warn(
    conn: &mut DbConn,
    before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    use crate::db::schema::{dossiers, pieces};
    let piece_changed_since_warning = diesel::dsl::exists(
        pieces::table
            .filter(pieces::dossier_id.eq(demandes::dossier_id))
            .filter(pieces::updated_at.nullable().gt(demandes::draft_warned_at)),
    );
    demandes::table
        .inner_join(dossiers::table)
        .filter(demandes::kind.eq(to_text(&DemandeKind::CreationDossier)))
        .filter(demandes::status.eq(to_text(&DemandeStatus::Brouillon)))
        .filter(demandes::updated_at.lt(before))
        .filter(dossiers::updated_at.lt(before))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            pieces::table
                .filter(pieces::dossier_id.eq(demandes::dossier_id))
                .filter(pieces::updated_at.ge(before)),
        )))
        .filter(
            demandes::draft_warned_at
                .is_null()
                .or(demandes::draft_warned_at.lt(demandes::updated_at.nullable()))
                .or(demandes::draft_warned_at.lt(dossiers::updated_at.nullable()))
                .or(piece_changed_since_warning),
        )
        .order(demandes::updated_at.asc())
        .select((demandes::id, demandes::dossier_id))
        .limit(limit)
        .load(conn)
}

/// Records the draft's warning.
pub fn mark_draft_warned(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(demandes::table.find(id))
        .set(demandes::draft_warned_at.eq(now))
        .execute(conn)
}

/// Drafts warned before `warned_before` and untouched since (neither the request, nor its
/// dossier, nor a piece changed after the warning): the dossiers to delete.
pub fn drafts_to_delete(
    conn: &mut DbConn,
    warned_before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<String>> {
    use crate::db::schema::{dossiers, pieces};
    demandes::table
        .inner_join(dossiers::table)
        .filter(demandes::kind.eq(to_text(&DemandeKind::CreationDossier)))
        .filter(demandes::status.eq(to_text(&DemandeStatus::Brouillon)))
        .filter(demandes::draft_warned_at.lt(warned_before))
        .filter(demandes::draft_warned_at.ge(demandes::updated_at.nullable()))
        .filter(demandes::draft_warned_at.ge(dossiers::updated_at.nullable()))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            pieces::table
                .filter(pieces::dossier_id.eq(demandes::dossier_id))
                .filter(pieces::updated_at.nullable().gt(demandes::draft_warned_at)),
        )))
        .order(demandes::draft_warned_at.asc())
        .select(demandes::dossier_id)
        .limit(limit)
        .load(conn)
}
