//! Dossier famille: create the draft, read it, change the address, members and links.
//! Every write needs `If-Match` with the version read and answers the updated dossier.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use shared::api::dossier::{
    AddressInput, DemandeKind, DemandeStatus, DossierResponse, MAX_MEMBERS, MemberInput, Role,
    SetLinksRequest,
};
use shared::validation::codes;

use crate::auth::extractor::ConsentedUser;
use crate::db::models::demande::{self, Actor};
use crate::db::models::{dossier, member};
use crate::db::now;
use crate::dossier_views::view;
use crate::error::ApiError;
use crate::extract::ValidJson;
use crate::routes::dossier_access::{DossierWriteErrors, if_match, with_etag, write_dossier};
use crate::state::AppState;

/// Starts « Ma demande de création de dossier famille »: an empty draft dossier linked to
/// the account, with its request in `brouillon`. An account that already has a dossier
/// gets it back (200), so a double click creates one dossier.
#[utoipa::path(
    tag = "Dossier famille",
    responses(
        (status = 201, description = "Draft created; `ETag` carries its version", body = DossierResponse),
        (status = 200, description = "The account already has a dossier", body = DossierResponse),
        (status = 403, description = "`terms_not_accepted`", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/dossiers")]
pub async fn create_dossier(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
) -> Result<HttpResponse, ApiError> {
    let (created, response) = state
        .write(move |conn| {
            if let Some(existing) = dossier::of_account(conn, &user.account_id)? {
                return Ok((false, view(conn, &existing)?));
            }
            let now = now();
            let id = dossier::create(conn, &user.account_id, None, now)?;
            demande::create(
                conn,
                &id,
                DemandeKind::CreationDossier,
                DemandeStatus::Brouillon,
                Actor::Famille(&user.account_id),
                now,
            )?;
            let created = dossier::find_for_account(conn, &id, &user.account_id)?;
            Ok((true, view(conn, &created)?))
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(with_etag(
        HttpResponse::build(status),
        response.version,
        &response,
    ))
}

/// The dossier, with its version in `ETag`.
#[utoipa::path(
    tag = "Dossier famille",
    params(("id" = Uuid, Path, description = "Dossier id")),
    responses(
        (status = 200, body = DossierResponse),
        (status = 404, description = "No such dossier, or not yours", body = shared::error::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/dossiers/{id}")]
pub async fn get_dossier(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let response = state
        .read(move |conn| {
            let found = dossier::find_for_account(conn, &id, &user.account_id)?;
            view(conn, &found)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), response.version, &response))
}

/// Sets the household's address.
#[utoipa::path(
    tag = "Dossier famille",
    params(("id" = Uuid, Path), ("If-Match" = String, Header, description = "The version read, e.g. \"3\"")),
    request_body = AddressInput,
    responses(
        DossierWriteErrors,
        (status = 200, body = DossierResponse),
    ),
    security(("bearer" = []))
)]
#[patch("/dossiers/{id}")]
pub async fn update_dossier(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: ValidJson<AddressInput>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let address = body.0;
    let response = write_dossier(
        &state,
        &user.account_id,
        &path.into_inner(),
        version,
        move |conn, found| {
            let clean = |v: &Option<String>| {
                v.as_deref()
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(str::to_string)
            };
            dossier::set_address(
                conn,
                &found.id,
                clean(&address.adresse).as_deref(),
                clean(&address.code_postal).as_deref(),
                clean(&address.commune).as_deref(),
            )?;
            Ok(())
        },
    )
    .await?;
    Ok(with_etag(HttpResponse::Ok(), response.version, &response))
}

/// Adds a member; it comes last in `members`. Only formats are checked here: what a
/// complete dossier needs is checked at submission, so a draft can be saved as it goes.
#[utoipa::path(
    tag = "Dossier famille",
    params(("id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body = MemberInput,
    responses(
        DossierWriteErrors,
        (status = 201, body = DossierResponse),
    ),
    security(("bearer" = []))
)]
#[post("/dossiers/{id}/members")]
pub async fn create_member(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: ValidJson<MemberInput>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let input = body.0;
    let response = write_dossier(
        &state,
        &user.account_id,
        &path.into_inner(),
        version,
        move |conn, found| {
            if member::count(conn, &found.id)? >= MAX_MEMBERS as i64 {
                return Err(ApiError::field("_", codes::TOO_MANY_MEMBERS));
            }
            member::insert(conn, &found.id, &input, now())?;
            Ok(())
        },
    )
    .await?;
    Ok(with_etag(
        HttpResponse::Created(),
        response.version,
        &response,
    ))
}

/// Replaces a member's fields.
#[utoipa::path(
    tag = "Dossier famille",
    params(("id" = Uuid, Path), ("member_id" = Uuid, Path), ("If-Match" = String, Header)),
    request_body = MemberInput,
    responses(
        DossierWriteErrors,
        (status = 200, body = DossierResponse),
    ),
    security(("bearer" = []))
)]
#[put("/dossiers/{id}/members/{member_id}")]
pub async fn update_member(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: ValidJson<MemberInput>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let (dossier_id, member_id) = path.into_inner();
    let input = body.0;
    let response = write_dossier(
        &state,
        &user.account_id,
        &dossier_id,
        version,
        move |conn, found| {
            if member::update(conn, &found.id, &member_id, &input, now())? == 0 {
                return Err(ApiError::NotFound);
            }
            // A member who stops being a child, or an adult of the household, loses links
            // that no longer make sense.
            if input.role != Role::Enfant {
                member::set_links(conn, &member_id, &[])?;
            }
            Ok(())
        },
    )
    .await?;
    Ok(with_etag(HttpResponse::Ok(), response.version, &response))
}

/// Removes a member and its links.
#[utoipa::path(
    tag = "Dossier famille",
    params(("id" = Uuid, Path), ("member_id" = Uuid, Path), ("If-Match" = String, Header)),
    responses(
        DossierWriteErrors,
        (status = 200, body = DossierResponse),
    ),
    security(("bearer" = []))
)]
#[delete("/dossiers/{id}/members/{member_id}")]
pub async fn delete_member(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let (dossier_id, member_id) = path.into_inner();
    let response = write_dossier(
        &state,
        &user.account_id,
        &dossier_id,
        version,
        move |conn, found| {
            if member::delete(conn, &found.id, &member_id)? == 0 {
                return Err(ApiError::NotFound);
            }
            Ok(())
        },
    )
    .await?;
    Ok(with_etag(HttpResponse::Ok(), response.version, &response))
}

/// « Liens de parenté »: replaces the links of one child with the household's adults.
#[utoipa::path(
    tag = "Dossier famille",
    params(("id" = Uuid, Path), ("member_id" = Uuid, Path, description = "The child"), ("If-Match" = String, Header)),
    request_body = SetLinksRequest,
    responses(
        DossierWriteErrors,
        (status = 200, body = DossierResponse),
    ),
    security(("bearer" = []))
)]
#[put("/dossiers/{id}/members/{member_id}/links")]
pub async fn set_links(
    state: web::Data<AppState>,
    ConsentedUser(user): ConsentedUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: ValidJson<SetLinksRequest>,
) -> Result<HttpResponse, ApiError> {
    let version = if_match(&req)?;
    let (dossier_id, child_id) = path.into_inner();
    let links = body.0.links;
    let response = write_dossier(
        &state,
        &user.account_id,
        &dossier_id,
        version,
        move |conn, found| {
            let members = member::list(conn, &found.id)?;
            let role_of = |id: &str| members.iter().find(|m| m.id == id).map(|m| m.role.as_str());
            match role_of(&child_id) {
                None => return Err(ApiError::NotFound),
                Some("enfant") => {}
                Some(_) => return Err(ApiError::field("member_id", codes::INVALID_TYPE)),
            }
            let mut fields = shared::error::FieldErrors::new();
            for (index, link) in links.iter().enumerate() {
                let adult_ok = matches!(
                    role_of(&link.adult_id.to_string()),
                    Some("responsable" | "responsable_legal" | "conjoint")
                );
                let duplicate = links[..index].iter().any(|l| l.adult_id == link.adult_id);
                if !adult_ok || duplicate {
                    fields.insert(
                        format!("links[{index}].adult_id"),
                        vec![codes::INVALID_TYPE.to_string()],
                    );
                }
            }
            if !fields.is_empty() {
                return Err(ApiError::Validation(fields));
            }
            member::set_links(conn, &child_id, &links)?;
            Ok(())
        },
    )
    .await?;
    Ok(with_etag(HttpResponse::Ok(), response.version, &response))
}
