//! Sending a stored file back: always as an attachment that no browser renders, sniffs or
//! runs (SECURITY.md E-06), for families, agents and the public alike.

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::documents::filename::content_disposition;
use crate::documents::storage::{Shelf, Storage};
use crate::error::ApiError;

/// A stored file to send.
pub struct StoredFile<'a> {
    pub shelf: Shelf,
    pub id: &'a str,
    pub display_name: &'a str,
    pub media_type: &'a str,
    pub size: i64,
    /// `no-store` for personal files; public documents may be cached.
    pub cache_control: &'static str,
}

/// The file as a streamed attachment.
pub async fn attachment(storage: &Storage, file: StoredFile<'_>) -> Result<HttpResponse, ApiError> {
    let body = storage.get(file.shelf, file.id).await.map_err(|error| {
        // A recorded file missing from the store is a defect; any other failure is the
        // store's (down, unreachable), which a retry may get past.
        if matches!(
            error.downcast_ref::<object_store::Error>(),
            Some(object_store::Error::NotFound { .. })
        ) {
            ApiError::Internal(error.context("A recorded file is missing from the store"))
        } else {
            ApiError::file_store_unavailable(error)
        }
    })?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, file.media_type))
        .insert_header((
            header::CONTENT_DISPOSITION,
            content_disposition(file.display_name),
        ))
        .insert_header((header::CONTENT_LENGTH, file.size.to_string()))
        .insert_header((header::CACHE_CONTROL, file.cache_control))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        ))
        .streaming(body))
}
