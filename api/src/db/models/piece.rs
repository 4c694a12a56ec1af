//! Pièces justificatives provided by families, and the rows of their stored files.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{demandes, piece_files, pieces};

/// A row of `pieces`.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = pieces)]
pub struct PieceRow {
    pub id: String,
    pub dossier_id: String,
    pub type_code: String,
    pub member_id: Option<String>,
    pub status: String,
    pub motif_refus: Option<String>,
    pub presente_le: NaiveDate,
    pub emis_le: NaiveDate,
    pub fin_validite: Option<NaiveDate>,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The agent's comment next to the reason of a refusal.
    pub commentaire: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    /// When its files were deleted at the end of their retention (the piece stays).
    pub files_erased_at: Option<NaiveDateTime>,
}

/// A row of `piece_files`: one stored object, named `pieces/<id>` in the store.
#[derive(Queryable, Selectable, Insertable, Clone, Debug)]
#[diesel(table_name = piece_files)]
pub struct FileRow {
    pub id: String,
    pub piece_id: String,
    pub position: i32,
    pub display_name: String,
    pub format: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: NaiveDateTime,
}

/// The pieces of a dossier with their files, newest first.
pub fn list(conn: &mut DbConn, dossier_id: &str) -> QueryResult<Vec<(PieceRow, Vec<FileRow>)>> {
    let rows: Vec<PieceRow> = pieces::table
        .filter(pieces::dossier_id.eq(dossier_id))
        .order((pieces::created_at.desc(), pieces::id))
        .select(PieceRow::as_select())
        .load(conn)?;
    let ids: Vec<&str> = rows.iter().map(|p| p.id.as_str()).collect();
    let mut files: Vec<FileRow> = piece_files::table
        .filter(piece_files::piece_id.eq_any(&ids))
        .order((piece_files::piece_id, piece_files::position))
        .select(FileRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|piece| {
            let (mine, rest) = files.drain(..).partition(|f| f.piece_id == piece.id);
            files = rest;
            (piece, mine)
        })
        .collect())
}

/// One piece of a dossier, with its files.
pub fn find(
    conn: &mut DbConn,
    dossier_id: &str,
    piece_id: &str,
) -> QueryResult<(PieceRow, Vec<FileRow>)> {
    let piece = pieces::table
        .filter(pieces::id.eq(piece_id))
        .filter(pieces::dossier_id.eq(dossier_id))
        .select(PieceRow::as_select())
        .first(conn)?;
    let files = piece_files::table
        .filter(piece_files::piece_id.eq(piece_id))
        .order(piece_files::position)
        .select(FileRow::as_select())
        .load(conn)?;
    Ok((piece, files))
}

/// One file of one piece of a dossier.
pub fn find_file(
    conn: &mut DbConn,
    dossier_id: &str,
    piece_id: &str,
    file_id: &str,
) -> QueryResult<FileRow> {
    piece_files::table
        .inner_join(pieces::table)
        .filter(piece_files::id.eq(file_id))
        .filter(pieces::id.eq(piece_id))
        .filter(pieces::dossier_id.eq(dossier_id))
        .select(FileRow::as_select())
        .first(conn)
}

/// A file's name and the account that gave its piece (none for pieces an agent or an
/// import created), if the file exists.
pub fn file_owner(
    conn: &mut DbConn,
    file_id: &str,
) -> QueryResult<Option<(String, Option<String>)>> {
    piece_files::table
        .inner_join(pieces::table)
        .filter(piece_files::id.eq(file_id))
        .select((piece_files::display_name, pieces::created_by))
        .first(conn)
        .optional()
}

/// Files and bytes a dossier holds, for its quota.
pub fn usage(conn: &mut DbConn, dossier_id: &str) -> QueryResult<(u32, u64)> {
    let sizes: Vec<i64> = piece_files::table
        .inner_join(pieces::table)
        .filter(pieces::dossier_id.eq(dossier_id))
        .select(piece_files::size_bytes)
        .load(conn)?;
    let count = u32::try_from(sizes.len()).unwrap_or(u32::MAX);
    let bytes = sizes.iter().map(|s| u64::try_from(*s).unwrap_or(0)).sum();
    Ok((count, bytes))
}

/// Inserts a piece and its files.
pub fn insert(conn: &mut DbConn, piece: &PieceRow, files: &[FileRow]) -> QueryResult<()> {
    diesel::insert_into(pieces::table)
        .values(piece)
        .execute(conn)?;
    insert_files(conn, files)?;
    tell_provided(conn, piece)
}

/// `piece.deposee` to the applications listening, in the same transaction, when the town
/// can see the piece: its dossier was sent (before, the piece is a draft's, and the
/// submission's `demande.soumise` tells of it).
fn tell_provided(conn: &mut DbConn, piece: &PieceRow) -> QueryResult<()> {
    if !crate::db::models::demande::any_sent(conn, &piece.dossier_id)? {
        return Ok(());
    }
    crate::db::models::webhook::emit(
        conn,
        shared::api::integration::WebhookEventType::PieceDeposee,
        |_| {
            Ok(serde_json::json!({
                "piece_id": piece.id,
                "dossier_id": piece.dossier_id,
                "type_code": piece.type_code,
                "member_id": piece.member_id,
            }))
        },
        piece.updated_at,
    )
    .map(|_| ())
}

/// One statement per file: `MultiConnection` has no batch insert.
fn insert_files(conn: &mut DbConn, files: &[FileRow]) -> QueryResult<()> {
    for file in files {
        diesel::insert_into(piece_files::table)
            .values(file)
            .execute(conn)?;
    }
    Ok(())
}

/// Gives a piece new dates and files (a replacement): it waits for validation again.
/// Answers the ids of the files it no longer has, whose objects can go.
pub fn replace(conn: &mut DbConn, piece: &PieceRow, files: &[FileRow]) -> QueryResult<Vec<String>> {
    let old: Vec<String> = piece_files::table
        .filter(piece_files::piece_id.eq(&piece.id))
        .select(piece_files::id)
        .load(conn)?;
    diesel::delete(piece_files::table.filter(piece_files::piece_id.eq(&piece.id))).execute(conn)?;
    diesel::update(pieces::table.find(&piece.id))
        .set((
            pieces::type_code.eq(&piece.type_code),
            pieces::member_id.eq(&piece.member_id),
            pieces::status.eq(&piece.status),
            pieces::motif_refus.eq(&piece.motif_refus),
            pieces::presente_le.eq(piece.presente_le),
            pieces::emis_le.eq(piece.emis_le),
            pieces::fin_validite.eq(piece.fin_validite),
            pieces::updated_at.eq(piece.updated_at),
            pieces::commentaire.eq(None::<String>),
            pieces::decided_by.eq(None::<String>),
            pieces::decided_at.eq(None::<NaiveDateTime>),
            pieces::files_erased_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    insert_files(conn, files)?;
    tell_provided(conn, piece)?;
    Ok(old)
}

/// Deletes a piece (its file rows go with it). Answers the ids of its files.
pub fn delete(conn: &mut DbConn, piece_id: &str) -> QueryResult<Vec<String>> {
    let old: Vec<String> = piece_files::table
        .filter(piece_files::piece_id.eq(piece_id))
        .select(piece_files::id)
        .load(conn)?;
    diesel::delete(pieces::table.find(piece_id)).execute(conn)?;
    Ok(old)
}

/// Which of these file ids have a row (the others are orphan objects).
pub fn existing_file_ids(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<String>> {
    piece_files::table
        .filter(piece_files::id.eq_any(ids))
        .select(piece_files::id)
        .load(conn)
}

/// A piece by id, whatever its dossier (staff), with its files.
pub fn find_any(conn: &mut DbConn, piece_id: &str) -> QueryResult<(PieceRow, Vec<FileRow>)> {
    let dossier_id: String = pieces::table
        .find(piece_id)
        .select(pieces::dossier_id)
        .first(conn)?;
    find(conn, &dossier_id, piece_id)
}

/// An agent's decision on a piece that waits for validation: false when it was already
/// decided (another agent was quicker: SECURITY.md H-06).
pub fn decide(
    conn: &mut DbConn,
    piece_id: &str,
    status: &str,
    motif: Option<&str>,
    commentaire: Option<&str>,
    agent_id: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let updated = diesel::update(
        pieces::table
            .find(piece_id)
            .filter(pieces::status.eq(WAITING)),
    )
    .set((
        pieces::status.eq(status),
        pieces::motif_refus.eq(motif),
        pieces::commentaire.eq(commentaire),
        pieces::decided_by.eq(agent_id),
        pieces::decided_at.eq(now),
        pieces::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Validates every piece of a dossier still waiting (the request is validated).
pub fn validate_waiting(
    conn: &mut DbConn,
    dossier_id: &str,
    agent_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        pieces::table
            .filter(pieces::dossier_id.eq(dossier_id))
            .filter(pieces::status.eq(WAITING)),
    )
    .set((
        pieces::status.eq("validee"),
        pieces::decided_by.eq(agent_id),
        pieces::decided_at.eq(now),
        pieces::updated_at.eq(now),
    ))
    .execute(conn)
}

const WAITING: &str = "en_attente_validation";

/// The pieces of dossier `dossier_id` waiting for validation that were added after
/// `since` (the last submission): what the family has not sent the town yet.
pub fn added_since(
    conn: &mut DbConn,
    dossier_id: &str,
    since: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    pieces::table
        .filter(pieces::dossier_id.eq(dossier_id))
        .filter(pieces::status.eq(WAITING))
        .filter(pieces::created_at.gt(since))
        .select(pieces::id)
        .load(conn)
}

/// Decided pieces whose files are past their retention and still stored: validated ones
/// validated before `validated_before` or whose validity ended before `today`, refused ones
/// refused before `refused_before` — and the pieces of a dossier whose request was refused
/// before then (the town's refusal closes the request: its pieces were never decided one
/// by one). At most `limit`, oldest decision first.
pub fn files_due_for_erasure(
    conn: &mut DbConn,
    validated_before: NaiveDateTime,
    today: NaiveDate,
    refused_before: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<String>> {
    let validated = pieces::status.eq("validee").and(
        pieces::decided_at
            .lt(validated_before)
            .or(pieces::fin_validite.lt(today)),
    );
    let refused = pieces::status
        .eq("refusee")
        .and(pieces::decided_at.lt(refused_before));
    let request_refused = pieces::status.eq(WAITING).and(diesel::dsl::exists(
        demandes::table
            .filter(demandes::dossier_id.eq(pieces::dossier_id))
            .filter(demandes::kind.eq("creation_dossier"))
            .filter(demandes::status.eq("refusee"))
            .filter(demandes::updated_at.lt(refused_before)),
    ));
    pieces::table
        .filter(pieces::files_erased_at.is_null())
        .filter(validated.or(refused).or(request_refused))
        .filter(diesel::dsl::exists(
            piece_files::table.filter(piece_files::piece_id.eq(pieces::id)),
        ))
        .order(pieces::decided_at.asc())
        .select(pieces::id)
        .limit(limit)
        .load(conn)
}

/// Deletes the file rows of piece `piece_id` and records when: the piece stays, with its
/// status and « vérifiée le … ». Answers the ids of the files to delete from the store.
pub fn erase_files(
    conn: &mut DbConn,
    piece_id: &str,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    let ids: Vec<String> = piece_files::table
        .filter(piece_files::piece_id.eq(piece_id))
        .select(piece_files::id)
        .load(conn)?;
    diesel::delete(piece_files::table.filter(piece_files::piece_id.eq(piece_id))).execute(conn)?;
    diesel::update(pieces::table.find(piece_id))
        .set(pieces::files_erased_at.eq(now))
        .execute(conn)?;
    Ok(ids)
}
