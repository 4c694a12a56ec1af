//! Receiving an upload: a `multipart/form-data` body read as a stream, text fields first,
//! then one to five files, each written to a scratch file as it arrives (never held whole
//! in memory) and stopped as soon as a limit is crossed (SECURITY.md E-01): the size of
//! one file, the number of files, the dossier's quota. The first bytes of each file decide
//! its format (E-02), so a wrong file is refused before the rest of it is read.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use actix_multipart::{Field, Multipart, MultipartError};
use actix_web::error::PayloadError;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, web};
use bytes::Bytes;
use futures_util::{Stream, StreamExt, TryStreamExt};
use sha2::{Digest, Sha256};
use shared::api::pieces::Format;
use shared::pieces::{
    MAX_BYTES_PER_DOSSIER, MAX_FILE_BYTES, MAX_FILES_PER_DOSSIER, MAX_FILES_PER_PIECE, human_size,
};
use shared::validation::codes;
use tokio::io::AsyncWriteExt;

use crate::documents::filename::display_name;
use crate::documents::inspect::sniff;
use crate::error::ApiError;

/// Longest text field accepted, in bytes.
const MAX_TEXT_BYTES: usize = 200;
/// Room for the multipart envelope (boundaries, part headers, text fields).
pub const ENVELOPE_BYTES: u64 = 64 * 1024;
/// The largest body an upload may have: five files of the largest size.
pub const MAX_BODY_BYTES: u64 = MAX_FILES_PER_PIECE as u64 * MAX_FILE_BYTES + ENVELOPE_BYTES;
/// Bytes needed to recognise a format.
const SNIFF_BYTES: usize = 8;

/// The text fields of an upload, as sent, by name (only the names the endpoint expects).
#[derive(Debug, Default)]
pub struct TextFields(std::collections::BTreeMap<String, String>);

impl TextFields {
    /// A field's value, if it was sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

/// What the checked text fields allow for the files that follow.
#[derive(Debug)]
pub struct Allowance {
    pub formats: Vec<Format>,
    /// Files one upload of this kind may hold (5 for a piece, 1 for a public document).
    pub per_upload: u32,
    /// Files this upload may add within the dossier's quota (at most `per_upload`).
    pub files: u32,
    /// Bytes this upload may add (the dossier's quota).
    pub bytes: u64,
}

/// A received file, waiting in the scratch directory; removed when dropped.
#[derive(Debug)]
pub struct ReceivedFile {
    pub display_name: String,
    pub format: Format,
    pub size: u64,
    pub sha256: String,
    pub scratch: ScratchFile,
}

/// A scratch file, deleted when dropped (whatever happened to the request).
#[derive(Debug)]
pub struct ScratchFile(PathBuf);

impl ScratchFile {
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn refused(status: StatusCode, field: String, code: &'static str, detail: String) -> ApiError {
    ApiError::UploadRefused {
        status,
        field,
        field_code: code,
        detail,
    }
}

fn multipart_error(error: MultipartError) -> ApiError {
    match error {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible => refused(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "_".into(),
            codes::INVALID_TYPE,
            "Le corps de la requête doit être de type multipart/form-data.".into(),
        ),
        MultipartError::Payload(PayloadError::Overflow) => refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            "fichiers".into(),
            codes::FILE_TOO_LARGE,
            format!(
                "L'envoi dépasse la taille maximale : {MAX_FILES_PER_PIECE} fichiers de {} au plus.",
                human_size(MAX_FILE_BYTES)
            ),
        ),
        other => {
            tracing::debug!(error = %other, "unreadable multipart body");
            refused(
                StatusCode::BAD_REQUEST,
                "_".into(),
                codes::INVALID_TYPE,
                "L'envoi est incomplet ou mal formé : veuillez réessayer.".into(),
            )
        }
    }
}

/// The quota message, with the limits.
pub fn quota_refusal() -> ApiError {
    refused(
        StatusCode::UNPROCESSABLE_ENTITY,
        "fichiers".into(),
        codes::QUOTA_EXCEEDED,
        format!(
            "Un dossier peut contenir au plus {MAX_FILES_PER_DOSSIER} fichiers et {} au total : \
             supprimez une pièce devenue inutile avant d'en ajouter.",
            human_size(MAX_BYTES_PER_DOSSIER)
        ),
    )
}

/// How much of a request body may still be read. The body is cut off (as a read error)
/// once it passes the limit; a refusal lowers the limit, so that the rest of a small body
/// is read and dropped — a client only sees the answer reliably, and can reuse its
/// connection, if its request was read to the end — but a huge one is not.
#[derive(Clone)]
struct BodyLimit {
    read: Arc<AtomicU64>,
    limit: Arc<AtomicU64>,
}

impl BodyLimit {
    fn allow_only(&self, more: u64) {
        let read = self.read.load(Ordering::SeqCst);
        self.limit.fetch_min(read + more, Ordering::SeqCst);
    }
}

type SharedPayload = Rc<RefCell<Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>>>;

/// The request body seen through the multipart parser, which stops at the closing boundary;
/// the same body can then be read to its very end.
struct Shared(SharedPayload);

impl Stream for Shared {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.borrow_mut().as_mut().poll_next(cx)
    }
}

/// The multipart parser, never polled again once it ended or failed: actix-multipart
/// panics (« Multipart polled after finish ») if it is.
struct Parts {
    multipart: Multipart,
    finished: bool,
}

impl Parts {
    async fn next(&mut self) -> Result<Option<Field>, MultipartError> {
        if self.finished {
            return Ok(None);
        }
        let next = self.multipart.try_next().await;
        if !matches!(next, Ok(Some(_))) {
            self.finished = true;
        }
        next
    }
}

/// Refuses, before a byte is read, a body that is not `multipart/form-data` with a
/// boundary (JSON, text, no body at all): 415.
pub fn require_multipart(req: &HttpRequest) -> Result<(), ApiError> {
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<actix_web::mime::Mime>().ok())
        .is_some_and(|m| {
            m.essence_str() == "multipart/form-data"
                && m.get_param(actix_web::mime::BOUNDARY)
                    .is_some_and(|b| !b.as_str().is_empty())
        });
    if multipart {
        Ok(())
    } else {
        Err(ApiError::UploadRefused {
            status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
            field: "_".into(),
            field_code: codes::INVALID_TYPE,
            detail: "L'envoi doit être un formulaire multipart/form-data (avec son « boundary »)."
                .into(),
        })
    }
}

/// An upload's body: a multipart stream that stops at [`MAX_BODY_BYTES`].
pub struct UploadBody {
    parts: Parts,
    payload: SharedPayload,
    limit: BodyLimit,
}

impl UploadBody {
    /// `metric` counts every byte read, across requests. Call [`require_multipart`] first.
    pub fn new(req: &HttpRequest, payload: web::Payload, metric: Arc<AtomicU64>) -> Self {
        let limit = BodyLimit {
            read: Arc::new(AtomicU64::new(0)),
            limit: Arc::new(AtomicU64::new(MAX_BODY_BYTES)),
        };
        let counter = limit.clone();
        let counted = payload.map(move |chunk| {
            let chunk = chunk?;
            let size = chunk.len() as u64;
            if counter.read.load(Ordering::SeqCst) + size > counter.limit.load(Ordering::SeqCst) {
                return Err(PayloadError::Overflow);
            }
            counter.read.fetch_add(size, Ordering::SeqCst);
            metric.fetch_add(size, Ordering::Relaxed);
            Ok(chunk)
        });
        let payload: SharedPayload = Rc::new(RefCell::new(Box::pin(counted)));
        Self {
            parts: Parts {
                multipart: Multipart::new(req.headers(), Shared(payload.clone())),
                finished: false,
            },
            payload,
            limit,
        }
    }

    /// Reads and drops what is left of the body, within its limit.
    pub async fn discard(&mut self) {
        while let Ok(Some(mut field)) = self.parts.next().await {
            while let Ok(Some(_)) = field.try_next().await {}
        }
        let mut rest = Shared(self.payload.clone());
        while let Some(Ok(_)) = rest.next().await {}
    }
}

/// Reads the upload (text fields named in `expected`, then `fichier` parts), then the body
/// to its end; on a refusal, reads the rest of the body
/// (at most 64 KiB more when a size limit was crossed) so that the client receives the
/// answer. `check` validates the text fields (all their errors at once) when the first
/// file arrives and says what the files may be; nothing of a file is stored before.
pub async fn receive<T>(
    body: &mut UploadBody,
    scratch_dir: &Path,
    expected: &[&str],
    check: impl FnOnce(&TextFields) -> Result<(T, Allowance), ApiError>,
) -> Result<(T, Vec<ReceivedFile>), ApiError> {
    let received = receive_fields(&mut body.parts, scratch_dir, expected, check).await;
    if let Err(ApiError::UploadRefused { status, .. }) = &received
        && *status == StatusCode::PAYLOAD_TOO_LARGE
    {
        body.limit.allow_only(ENVELOPE_BYTES);
    }
    body.discard().await;
    received
}

/// Reads the upload. `check` validates the text fields (all their errors at once) when the
/// first file arrives and says what the files may be; nothing of a file is stored before.
async fn receive_fields<T>(
    parts: &mut Parts,
    scratch_dir: &Path,
    expected: &[&str],
    check: impl FnOnce(&TextFields) -> Result<(T, Allowance), ApiError>,
) -> Result<(T, Vec<ReceivedFile>), ApiError> {
    let mut fields = TextFields::default();
    let mut check = Some(check);
    let mut checked: Option<(T, Allowance)> = None;
    let mut files = Vec::new();
    while let Some(mut field) = parts.next().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "fichier" {
            if checked.is_none()
                && let Some(check) = check.take()
            {
                checked = Some(check(&fields)?);
            }
            let Some((_, allowance)) = checked.as_mut() else {
                break;
            };
            let index = files.len();
            if index as u32 >= allowance.files {
                return Err(if index as u32 >= allowance.per_upload {
                    refused(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "fichiers".into(),
                        codes::TOO_MANY_FILES,
                        format!(
                            "Un envoi contient au plus {} fichier(s).",
                            allowance.per_upload
                        ),
                    )
                } else {
                    quota_refusal()
                });
            }
            let file = receive_file(&mut field, index, allowance, scratch_dir).await?;
            allowance.bytes -= file.size;
            files.push(file);
            continue;
        }
        if !expected.contains(&name.as_str()) {
            return Err(ApiError::field(
                if name.is_empty() { "_" } else { &name },
                codes::UNKNOWN_FIELD,
            ));
        }
        if checked.is_some() {
            return Err(ApiError::field(&name, codes::FIELD_AFTER_FILES));
        }
        let value = read_text(&mut field, &name).await?;
        fields.0.insert(name, value);
    }
    let (value, _) = match checked {
        Some(checked) => checked,
        None => match check.take() {
            Some(check) => check(&fields)?,
            None => return Err(ApiError::field("fichiers", codes::REQUIRED)),
        },
    };
    if files.is_empty() {
        return Err(ApiError::field("fichiers", codes::REQUIRED));
    }
    Ok((value, files))
}

async fn read_text(field: &mut Field, name: &str) -> Result<String, ApiError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.try_next().await.map_err(multipart_error)? {
        if bytes.len() + chunk.len() > MAX_TEXT_BYTES {
            return Err(ApiError::field(name, codes::TOO_LONG));
        }
        bytes.extend_from_slice(&chunk);
    }
    String::from_utf8(bytes).map_err(|_| ApiError::field(name, codes::INVALID_CHARACTERS))
}

fn check_format(
    head: &[u8],
    index: usize,
    name: &str,
    accepted: &[Format],
) -> Result<Format, ApiError> {
    match sniff(head) {
        Some(format) if accepted.contains(&format) => Ok(format),
        _ => {
            let labels: Vec<&str> = accepted.iter().map(|f| f.label()).collect();
            Err(refused(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("fichiers.{index}"),
                codes::FORMAT_NOT_ACCEPTED,
                format!(
                    "Le fichier « {name} » n'est pas au format accepté pour cette pièce ({}).",
                    labels.join(", ")
                ),
            ))
        }
    }
}

async fn receive_file(
    field: &mut Field,
    index: usize,
    allowance: &Allowance,
    scratch_dir: &Path,
) -> Result<ReceivedFile, ApiError> {
    let name = display_name(
        field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .unwrap_or_default(),
    );
    let scratch = ScratchFile(scratch_dir.join(uuid::Uuid::new_v4().to_string()));
    let mut out = tokio::fs::File::create(scratch.path())
        .await
        .map_err(ApiError::scratch_write_failed)?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    let mut format = None;
    while let Some(chunk) = field.try_next().await.map_err(multipart_error)? {
        size += chunk.len() as u64;
        if size > MAX_FILE_BYTES {
            return Err(refused(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("fichiers.{index}"),
                codes::FILE_TOO_LARGE,
                format!(
                    "Le fichier « {name} » dépasse la taille maximale de {} par fichier.",
                    human_size(MAX_FILE_BYTES)
                ),
            ));
        }
        if size > allowance.bytes {
            return Err(quota_refusal());
        }
        if format.is_none() {
            let missing = SNIFF_BYTES - head.len();
            head.extend_from_slice(&chunk[..missing.min(chunk.len())]);
            if head.len() == SNIFF_BYTES {
                format = Some(check_format(&head, index, &name, &allowance.formats)?);
            }
        }
        hasher.update(&chunk);
        out.write_all(&chunk)
            .await
            .map_err(ApiError::scratch_write_failed)?;
    }
    // The last write's outcome (a full disk) is known only once flushed.
    out.flush().await.map_err(ApiError::scratch_write_failed)?;
    if size == 0 {
        return Err(ApiError::field(
            &format!("fichiers.{index}"),
            codes::REQUIRED,
        ));
    }
    let format = match format {
        Some(format) => format,
        None => check_format(&head, index, &name, &allowance.formats)?,
    };
    Ok(ReceivedFile {
        display_name: name,
        format,
        size,
        sha256: hex::encode(hasher.finalize()),
        scratch,
    })
}
