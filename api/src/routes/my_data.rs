//! « Mes données » (Mon compte): a copy of one's data, and closing one's account (RGPD
//! art. 15, 17, 20; SECURITY.md G-01, G-02).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use serde::Deserialize;
use shared::api::privacy::{
    DataExport, DataExportList, DownloadLink, ExportState, PasswordConfirmation,
};

use crate::auth::extractor::{AuthUser, ConsentedUser};
use crate::auth::reauth::check_password;
use crate::auth::tokens;
use crate::db::models::data_export::{self, DataExportRow, state};
use crate::documents::download::{StoredFile, attachment};
use crate::documents::storage::Shelf;
use crate::error::ApiError;
use crate::extract::{ClientInfo, ValidJson};
use crate::privacy::closure::{self, Reason};
use crate::rattachement::Mailing;
use crate::routes::private_json;
use crate::state::AppState;

/// How long a download link works once the password was typed again.
const LINK_MINUTES: i64 = 5;

fn view(row: DataExportRow, now: NaiveDateTime) -> Result<DataExport, ApiError> {
    let state = match row.state.as_str() {
        state::READY if row.expires_at.is_some_and(|end| end <= now) => ExportState::Expiree,
        state::READY => ExportState::Prete,
        state::FAILED => ExportState::Echec,
        _ => ExportState::EnPreparation,
    };
    Ok(DataExport {
        id: row
            .id
            .parse()
            .map_err(|e| anyhow::anyhow!("export id is not a UUID: {e}"))?,
        state,
        requested_at: row.requested_at.and_utc(),
        ready_at: row.ready_at.map(|at| at.and_utc()),
        expires_at: row.expires_at.map(|at| at.and_utc()),
        size_bytes: row.size_bytes.and_then(|s| u64::try_from(s).ok()),
    })
}

/// « Mes données »: the account's copies of its data, newest first.
#[utoipa::path(
    tag = "Mon compte",
    responses(
        (status = 200, body = DataExportList),
        (status = 401, body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/me/exports")]
pub async fn list_exports(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let clock = state.clock.clone();
    let items = state
        .read(move |conn| {
            let now = clock.now(conn)?;
            data_export::of_account(conn, &user.account_id)?
                .into_iter()
                .map(|row| view(row, now))
                .collect::<Result<Vec<_>, _>>()
        })
        .await?;
    let kept_days = state.settings.retention.data_export_days;
    Ok(private_json(
        StatusCode::OK,
        &DataExportList { items, kept_days },
    ))
}

/// « Obtenir une copie de mes données »: prepared in the background; an email says when it
/// is ready. Asking again while one is being prepared answers that one; three a day at most.
#[utoipa::path(
    tag = "Mon compte",
    responses(
        (status = 202, description = "Being prepared", body = DataExport),
        (status = 429, description = "Three copies were asked for in the last day", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 401, body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/me/exports")]
pub async fn request_export(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let clock = state.clock.clone();
    let created = state
        .write(move |conn| {
            let now = clock.now(conn)?;
            let id = data_export::request(conn, &user.account_id, now)?.ok_or(
                ApiError::TooManyRequests {
                    retry_after: std::time::Duration::from_secs(3600),
                },
            )?;
            view(
                data_export::find_for_account(conn, &id, &user.account_id)?,
                now,
            )
        })
        .await?;
    state.exports_wake.notify_one();
    Ok(private_json(StatusCode::ACCEPTED, &created))
}

/// Takes the password again and answers a one-time link to download a ready copy, valid
/// a few minutes.
#[utoipa::path(
    tag = "Mon compte",
    params(("id" = uuid::Uuid, Path)),
    request_body = PasswordConfirmation,
    responses(
        (status = 200, body = DownloadLink),
        (status = 404, description = "No such copy, or not ready, or expired", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password: wrong_password`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/me/exports/{id}/lien")]
pub async fn export_link(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    client: ClientInfo,
    path: web::Path<String>,
    body: ValidJson<PasswordConfirmation>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    check_password(&state, &user, &client, body.0.password, "password").await?;
    let (token, hash) = tokens::generate();
    let clock = state.clock.clone();
    let export_id = id.clone();
    let expires_at = state
        .write(move |conn| {
            let now = clock.now(conn)?;
            let expires_at = now + chrono::Duration::minutes(LINK_MINUTES);
            if !data_export::set_download_token(
                conn,
                &export_id,
                &user.account_id,
                &hash,
                now,
                expires_at,
            )? {
                return Err(ApiError::NotFound);
            }
            Ok(expires_at)
        })
        .await?;
    Ok(private_json(
        StatusCode::OK,
        &DownloadLink {
            url: format!("/api/exports/{id}/telechargement?jeton={token}"),
            expires_at: expires_at.and_utc(),
        },
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct DownloadQuery {
    /// The one-time token of the link.
    #[param(max_length = 100)]
    jeton: String,
}

/// Downloads a ready copy with its one-time link (the browser follows it: no bearer token).
/// The link works once.
#[utoipa::path(
    tag = "Mon compte",
    params(("id" = uuid::Uuid, Path), DownloadQuery),
    responses(
        (status = 200, description = "The ZIP", content_type = "application/zip"),
        (status = 404, description = "Unknown, used or expired link", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/exports/{id}/telechargement")]
pub async fn download_export(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<DownloadQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let hash = tokens::hash(&query.jeton);
    let clock = state.clock.clone();
    let export_id = id.clone();
    let row = state
        .write(move |conn| {
            let now = clock.now(conn)?;
            data_export::take_download(conn, &export_id, &hash, now)?.ok_or(ApiError::NotFound)
        })
        .await?;
    let day = row
        .ready_at
        .map(|at| at.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    attachment(
        &state.storage,
        StoredFile {
            shelf: Shelf::Exports,
            id: &id,
            display_name: &format!("mes-donnees-portail-famille-{day}.zip"),
            media_type: "application/zip",
            size: row.size_bytes.unwrap_or(0),
            cache_control: "private, no-store",
        },
    )
    .await
}

/// « Fermer mon compte »: takes the password again, then erases the account at once (its
/// sessions end, this one included) and what the family never sent the town; the town
/// keeps its records. A confirmation email goes to the account's address.
#[utoipa::path(
    tag = "Mon compte",
    request_body = PasswordConfirmation,
    responses(
        (status = 204, description = "Closed; the refresh cookie is cleared"),
        (status = 403, description = "A staff account (deactivated by an administrator instead)", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "`password: wrong_password`", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong passwords", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/me/fermeture")]
pub async fn close_account(
    state: web::Data<AppState>,
    user: AuthUser,
    client: ClientInfo,
    body: ValidJson<PasswordConfirmation>,
) -> Result<HttpResponse, ApiError> {
    check_password(&state, &user, &client, body.0.password, "password").await?;
    let mailing = Mailing::of(&state).await?;
    let clock = state.clock.clone();
    let closed = state
        .write(move |conn| {
            let now = clock.now(conn)?;
            closure::close(conn, &user.account_id, Reason::Requested, &mailing, now)
        })
        .await?;
    state
        .storage
        .delete(Shelf::Pieces, &closed.piece_files)
        .await;
    state.storage.delete(Shelf::Exports, &closed.exports).await;
    Ok(HttpResponse::NoContent()
        .cookie(crate::routes::auth::expired_cookie())
        .finish())
}
