//! Files over HTTP: multipart uploads with progress, and downloads of protected files.
//!
//! Uploads go through `XMLHttpRequest`, not fetch: only it reports upload progress
//! (`xhr.upload.onprogress`), which a family sending 10 Mio over a weak mobile connection
//! needs to see. Downloads need the access token, which lives in memory only (never in a
//! cookie a plain link would send), so the file is fetched with `Authorization` and handed
//! to the browser as a Blob URL.

use std::cell::RefCell;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, File, FormData, ProgressEvent, XmlHttpRequest};

use super::{ApiError, Authed, Method, Received, decode, failure, receive};

/// How far an upload is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    /// Bytes sent so far.
    pub sent: f64,
    /// Bytes to send (the whole multipart body).
    pub total: f64,
}

impl Progress {
    /// Whole percent sent, 0 to 100.
    pub fn percent(self) -> u32 {
        if self.total <= 0.0 {
            return 0;
        }
        // Clamped to 0..=100 first, so the conversion cannot overflow.
        (self.sent / self.total * 100.0).clamp(0.0, 100.0).floor() as u32
    }
}

/// Lets the page abort the upload in flight (« Annuler » while sending).
#[derive(Clone, Default)]
pub struct UploadControl(Rc<RefCell<Option<XmlHttpRequest>>>);

impl UploadControl {
    /// Aborts the request in flight, if any; the upload then fails as a network error.
    pub fn abort(&self) {
        if let Some(xhr) = self.0.borrow_mut().take() {
            let _ = xhr.abort();
        }
    }
}

/// One multipart request: text fields first, in order (the server reads them before the
/// files, to refuse early), then every file under the same part name.
pub struct Upload<'a> {
    pub method: Method,
    pub path: &'a str,
    pub fields: &'a [(&'static str, String)],
    pub file_part: &'static str,
    pub files: &'a [File],
    /// `Idempotency-Key`: the same value for a retry of the same upload, so that it
    /// creates one piece even if the first answer was lost.
    pub idempotency_key: Option<String>,
}

fn form_data(upload: &Upload<'_>) -> Result<FormData, ApiError> {
    let form = FormData::new().map_err(|_| ApiError::network())?;
    for (name, value) in upload.fields {
        form.append_with_str(name, value)
            .map_err(|_| ApiError::network())?;
    }
    for file in upload.files {
        form.append_with_blob_and_filename(upload.file_part, file, &file.name())
            .map_err(|_| ApiError::network())?;
    }
    Ok(form)
}

/// Sends the form once and waits for the whole answer.
async fn send_form(
    upload: &Upload<'_>,
    form: &FormData,
    token: Option<&str>,
    on_progress: &Rc<dyn Fn(Progress)>,
    control: &UploadControl,
) -> Result<Received, ApiError> {
    let network = |_| ApiError::network();
    let xhr = XmlHttpRequest::new().map_err(network)?;
    xhr.open_with_async(upload.method.as_str(), upload.path, true)
        .map_err(network)?;
    xhr.set_request_header("Accept", super::ACCEPT_JSON)
        .map_err(network)?;
    if let Some(token) = token {
        xhr.set_request_header("Authorization", &format!("Bearer {token}"))
            .map_err(network)?;
    }
    if let Some(key) = &upload.idempotency_key {
        xhr.set_request_header("Idempotency-Key", key)
            .map_err(network)?;
    }
    let report = on_progress.clone();
    let progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |event: ProgressEvent| {
        if event.length_computable() {
            report(Progress {
                sent: event.loaded(),
                total: event.total(),
            });
        }
    });
    xhr.upload()
        .map_err(network)?
        .set_onprogress(Some(progress.as_ref().unchecked_ref()));
    // The request ends in exactly one of these events; a Promise turns it into a future.
    let target = xhr.clone();
    let finished = js_sys::Promise::new(&mut |resolve, reject| {
        target.set_onload(Some(&resolve));
        target.set_onerror(Some(&reject));
        target.set_onabort(Some(&reject));
        target.set_ontimeout(Some(&reject));
    });
    control.0.replace(Some(xhr.clone()));
    xhr.send_with_opt_form_data(Some(form)).map_err(network)?;
    let outcome = JsFuture::from(finished).await;
    control.0.replace(None);
    // The progress callback must live until the request is over.
    drop(progress);
    outcome.map_err(network)?;
    let status = xhr.status().map_err(network)?;
    Ok(Received {
        status,
        text: xhr.response_text().ok().flatten().unwrap_or_default(),
        retry_after: xhr
            .get_response_header("Retry-After")
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse().ok()),
        date: None,
    })
}

impl Authed {
    /// Sends a multipart upload as the signed-in user, reporting progress; refreshes an
    /// expired access token once, like [`Authed::get`].
    pub async fn upload<T: DeserializeOwned>(
        self,
        upload: &Upload<'_>,
        on_progress: Rc<dyn Fn(Progress)>,
        control: &UploadControl,
    ) -> Result<T, ApiError> {
        let form = form_data(upload)?;
        let token = self.session.access_token();
        let mut received =
            send_form(upload, &form, token.as_deref(), &on_progress, control).await?;
        if received.status == 401 && self.session.refresh().await {
            let token = self.session.access_token();
            received = send_form(upload, &form, token.as_deref(), &on_progress, control).await?;
        }
        self.checked(decode(received))
    }

    /// `GET path` of a protected file: its content as a Blob typed by the server.
    pub async fn download(self, path: &str) -> Result<Blob, ApiError> {
        let response = self.respond(Method::Get, path, None, None, "*/*").await?;
        let status = response.status();
        if !response.ok() {
            let received = receive(response).await?;
            let error = failure(&received).unwrap_or_else(|| ApiError::unreadable(status));
            return self.checked(Err(error));
        }
        let raw: web_sys::Response = response.into();
        let promise = raw.blob().map_err(|_| ApiError::unreadable(status))?;
        JsFuture::from(promise)
            .await
            .ok()
            .and_then(|blob| blob.dyn_into::<Blob>().ok())
            .ok_or_else(|| ApiError::unreadable(status))
    }
}

/// Hands a downloaded file to the browser under `file_name`: a temporary Blob URL clicked
/// through a hidden `<a download>`, revoked once the browser has taken it.
pub fn save_blob(blob: &Blob, file_name: &str) -> Result<(), ApiError> {
    let failed = |_| ApiError::unreadable(0);
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(failed)?;
    let document = leptos::prelude::document();
    let anchor = document
        .create_element("a")
        .map_err(failed)?
        .dyn_into::<web_sys::HtmlAnchorElement>()
        .map_err(|_| ApiError::unreadable(0))?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.set_hidden(true);
    let body = document.body().ok_or_else(|| ApiError::unreadable(0))?;
    body.append_child(&anchor).map_err(failed)?;
    anchor.click();
    anchor.remove();
    // Revoking at once can cancel the download in some browsers: give it a moment.
    gloo_timers::callback::Timeout::new(10_000, move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}
