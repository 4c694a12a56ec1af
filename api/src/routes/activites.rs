//! Activités et inscriptions (issue 12): the public catalogue.

use actix_web::{HttpRequest, HttpResponse, get, web};
use shared::api::activites::ActiviteList;

use crate::activities::catalogue;
use crate::error::ApiError;
use crate::routes::content::revalidated_json;
use crate::state::AppState;

/// The published activités and their périodes, with the places left now. Anyone may read
/// it; it is revalidated on every visit (`no-cache` with a strong `ETag`: 304 when the
/// places have not changed), since places go fast on opening morning.
#[utoipa::path(
    tag = "Activités",
    responses(
        (status = 200, body = ActiviteList),
        (status = 304, description = "Unchanged since `If-None-Match`"),
    )
)]
#[get("/activites")]
pub async fn list_activites(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let list = state.read(|conn| Ok(catalogue::published(conn)?)).await?;
    revalidated_json(&req, &list)
}
