//! *Attribution équitable* (issue 13): a family's ranked wishes, and the public draw.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, put, web};
use shared::api::voeux::{TirageView, VoeuxEnfant, VoeuxList, VoeuxRequest};

use crate::activities::{published_draw, wishes};
use crate::auth::extractor::ConsentedUser;
use crate::db::models::dossier;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::routes::content::revalidated_json;
use crate::routes::private_json;
use crate::state::AppState;

/// « Mes vœux »: every wish of the family's children for équitable périodes, by activité
/// and child, best first, with what the draw gave once it ran. Empty without a dossier.
#[utoipa::path(
    tag = "Activités",
    responses((status = 200, body = VoeuxList)),
    security(("bearer" = []))
)]
#[get("/voeux")]
pub async fn list_voeux(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let list = state
        .read(
            move |conn| match dossier::of_account(conn, &user.account_id)? {
                Some(found) => wishes::of_family(conn, &found.id),
                None => Ok(VoeuxList { items: Vec::new() }),
            },
        )
        .await?;
    Ok(private_json(StatusCode::OK, &list))
}

/// Replaces a child's wishes for one activité's équitable périodes, best first (empty:
/// withdraws them), until the périodes close. Nothing is decided before the draw: the
/// time a wish is sent does not count. Every reason the child cannot wish for a période is
/// given at once (codes in `fields._`, in full in `raisons`), as for an enrolment.
#[utoipa::path(
    tag = "Activités",
    request_body = VoeuxRequest,
    responses(
        (status = 200, body = VoeuxEnfant),
        (status = 404, description = "No such published activité, or a période that is not one of its équitable périodes; or no dossier", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Périodes of different draws in one list", body = shared::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid list (`periodes`: `too_long`, `duplicate`), or the child cannot wish for one of the périodes (`closed`, `age`, `missing_piece`, `family_limit`…)", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[put("/voeux")]
pub async fn replace_voeux(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    ValidJson(body): ValidJson<VoeuxRequest>,
) -> Result<HttpResponse, ApiError> {
    let view = state
        .write(move |conn| {
            let dossier_id = dossier::of_account(conn, &user.account_id)?
                .map(|d| d.id)
                .ok_or(ApiError::NotFound)?;
            wishes::replace(
                conn,
                &dossier_id,
                &user.account_id,
                &body,
                chrono::Utc::now(),
            )
        })
        .await?;
    Ok(private_json(StatusCode::OK, &view))
}

/// The public draw of an équitable période's activité: the rules, the seed published
/// before any wish, the places and requests; once it ran, every wish by number and
/// pseudonym in the order served — never a name. Re-run it with
/// `portail-famille attribution verifier --fichier <this document>`.
#[utoipa::path(
    tag = "Activités",
    params(("periode_id" = Uuid, Path, description = "Période id")),
    responses(
        (status = 200, body = TirageView),
        (status = 304, description = "Unchanged since `If-None-Match`"),
        (status = 404, description = "No such published équitable période", body = shared::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tirages/{periode_id}")]
pub async fn get_tirage(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let view = state
        .read(move |conn| published_draw::of_periode(conn, &id))
        .await?;
    revalidated_json(&req, &view)
}
