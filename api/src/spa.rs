//! Serving the built SPA on the API's port, with `index.html` for client-side routes.
//!
//! Three bundles: the family SPA's public pages (`dist/public/`, assets under `/public/`),
//! its full app with the signed-in area (`dist/`), and the agents' back office
//! (`dist/backoffice/`, served at `/backoffice/`), so families never download staff code
//! and load the public pages' smaller bundle first. Which of the family's two pages a path
//! gets is `shared::routes`'s rule.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};
use actix_web::{HttpResponse, ResponseError};
use base64::Engine;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Where the public pages' bundle lives inside `dist`, and the path its assets are under.
pub const PUBLIC_DIR: &str = "public";
pub const PUBLIC_PATH: &str = "/public";

/// The family's page for `path`: the full app's for the signed-in area, the public
/// bundle's for anything else (if it was built; the full app has every page).
fn family_index(dist: &Path, path: &str) -> PathBuf {
    let public = dist.join(PUBLIC_DIR).join("index.html");
    if shared::routes::in_signed_in_area(path) || !public.is_file() {
        dist.join("index.html")
    } else {
        public
    }
}

/// The static file service for `dist`, or `None` when the SPA was not built.
pub fn service(dist: &Path) -> Option<Files> {
    if !dist.join("index.html").is_file() {
        tracing::warn!(dist = %dist.display(), "the SPA is not built (run `trunk build --release`): serving the API only");
        return None;
    }
    let dist = dist.to_path_buf();
    Some(
        // `/` itself is [`index_page`], registered before this service.
        Files::new("/", &dist)
            .prefer_utf8(true)
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index = family_index(&dist, req.path());
                async move { Ok(fallback(req, &index).await) }
            })),
    )
}

/// The public bundle's assets (`dist/public`), or `None` when it was not built (the full
/// app then serves every page). No client routes live under `/public/`.
pub fn public_service(dist: &Path) -> Option<Files> {
    let dir = dist.join(PUBLIC_DIR);
    dir.join("index.html")
        .is_file()
        .then(|| Files::new(PUBLIC_PATH, dir).prefer_utf8(true))
}

/// Escapes text for HTML (text and attribute values).
pub(crate) fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The family SPA's `index.html`, with the town's settings written into its first screen
/// (what paints before the WASM arrives): name and tagline as text, the page's first
/// content (`first_screen`), and the whole of `/api/town`'s answer as a JSON data block the
/// app starts with.
async fn index_html(req: &actix_web::HttpRequest, index: &Path) -> HttpResponse {
    let template = match tokio::fs::read_to_string(index).await {
        Ok(template) => template,
        Err(error) => {
            tracing::error!(%error, "index.html vanished");
            return HttpResponse::NotFound().finish();
        }
    };
    let state = req.app_data::<actix_web::web::Data<crate::state::AppState>>();
    let town = match state {
        // The database unreachable: the header from the configuration, the app asks later.
        Some(state) => state
            .town()
            .await
            .ok()
            .map(|town| crate::routes::content::town_response(state, town)),
        None => None,
    };
    let (name, tagline) = match (&town, state) {
        (Some(town), _) => (town.name.clone(), town.tagline.clone()),
        (None, Some(state)) => (
            state.settings.town_name.clone(),
            state.settings.town_tagline.clone(),
        ),
        (None, None) => ("Portail Famille".to_string(), String::new()),
    };
    let html = template
        .replace("__TOWN_NAME__", &escape_html(&name))
        .replace("__TOWN_TAGLINE__", &escape_html(&tagline))
        .replace("__TOWN_JSON__", &json_data_block(town.as_ref()))
        .replace(
            "__MAIN_CONTENT__",
            &crate::first_screen::main_content(
                req.path(),
                town.as_ref().map(|town| town.welcome_text.as_str()),
            ),
        );
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html)
}

/// `value` as the text of a `<script type="application/json">`: JSON in which `<` is
/// written `\u003c`, so no `</script>` or `<!--` in the town's texts can end the block.
fn json_data_block<T: serde::Serialize>(value: Option<&T>) -> String {
    serde_json::to_string(&value)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c")
}

/// `GET /`: [`index_html`] of `dist`.
pub async fn index_page(req: actix_web::HttpRequest) -> HttpResponse {
    let dist = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map(|s| s.settings.web_dist.clone())
        .unwrap_or_default();
    index_html(&req, &family_index(&dist, "/")).await
}

/// Where the back office bundle lives inside `dist`, and the path it is served under.
pub const BACKOFFICE_DIR: &str = "backoffice";
pub const BACKOFFICE_PATH: &str = "/backoffice";

/// The static file service for the back office (`dist/backoffice`), or `None` when it was
/// not built. Unknown paths under `/backoffice/` are its client-side routes.
pub fn backoffice_service(dist: &Path) -> Option<Files> {
    let dir = dist.join(BACKOFFICE_DIR);
    let index = dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(dist = %dir.display(), "the back office is not built: `/backoffice/` is not served");
        return None;
    }
    Some(
        Files::new(BACKOFFICE_PATH, dir)
            .index_file("index.html")
            .prefer_utf8(true)
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index: PathBuf = index.clone();
                async move { Ok(fallback(req, &index).await) }
            })),
    )
}

/// Unknown `/api/…` paths are API errors; any other unknown path is a client route.
async fn fallback(req: ServiceRequest, index: &Path) -> ServiceResponse {
    let (req, _) = req.into_parts();
    if req.path().starts_with("/api/") || req.path() == "/api" {
        return ServiceResponse::new(req, ApiError::NotFound.error_response());
    }
    let response = if index
        .parent()
        .is_some_and(|dir| dir.ends_with(BACKOFFICE_DIR))
    {
        match NamedFile::open_async(index).await {
            Ok(file) => file.into_response(&req),
            Err(error) => {
                tracing::error!(%error, "index.html vanished");
                HttpResponse::NotFound().finish()
            }
        }
    } else {
        index_html(&req, index).await
    };
    ServiceResponse::new(req, response)
}

/// SHA-256 hashes (`sha256-…`) of the inline `<script>` blocks of the bundles'
/// `index.html`, to allow exactly those in the Content-Security-Policy and nothing else.
pub fn inline_script_hashes(dist: &Path) -> Vec<String> {
    let mut hashes = Vec::new();
    for index in [
        dist.join("index.html"),
        dist.join(PUBLIC_DIR).join("index.html"),
        dist.join(BACKOFFICE_DIR).join("index.html"),
    ] {
        if let Ok(html) = std::fs::read_to_string(index) {
            for hash in hashes_of(&html) {
                if !hashes.contains(&hash) {
                    hashes.push(hash);
                }
            }
        }
    }
    hashes
}

/// The hashes of one page's inline scripts.
fn hashes_of(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<script") {
        let after = &rest[start..];
        let Some(open_end) = after.find('>') else {
            break;
        };
        let tag = &after[..open_end];
        let body_and_rest = &after[open_end + 1..];
        let Some(close) = body_and_rest.find("</script>") else {
            break;
        };
        let body = &body_and_rest[..close];
        // A data block (`type=application/json`, the first screen's town settings) is never
        // run: it needs no hash, and its text is only known per request.
        let data_block = tag.contains("application/json");
        if !tag.contains(" src=") && !data_block && !body.trim().is_empty() {
            let digest = Sha256::digest(body.as_bytes());
            hashes.push(format!(
                "sha256-{}",
                base64::engine::general_purpose::STANDARD.encode(digest)
            ));
        }
        rest = &body_and_rest[close..];
    }
    hashes
}

/// How long browsers may keep a static file: Trunk names the WASM, JS and CSS after their
/// content hash, so those never change; `index.html` and `boot.js` keep their names across
/// releases and must be revalidated, or a browser would load an old app.
pub fn cache_control(path: &str) -> &'static str {
    let file = path.rsplit('/').next().unwrap_or("");
    let hashed = file.rsplit_once('.').is_some_and(|(stem, _)| {
        let stem = stem.trim_end_matches("_bg");
        // Trunk writes its 64-bit hash without leading zeros: 16 hex digits, sometimes
        // fewer (`web-1ea16c30fa9ac2_bg.wasm`, 14).
        stem.rsplit_once('-').is_some_and(|(_, hash)| {
            (10..=16).contains(&hash.len()) && hash.chars().all(|c| c.is_ascii_hexdigit())
        })
    });
    if hashed {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

/// The encodings the build wrote next to each asset (`scripts/precompress.mjs`), best first.
const PRECOMPRESSED: [(&str, &str, actix_web::http::header::ContentEncoding); 2] = [
    ("br", "br", actix_web::http::header::ContentEncoding::Brotli),
    ("gzip", "gz", actix_web::http::header::ContentEncoding::Gzip),
];

/// The built file a request path names, if it is one (no `..`, no escapes).
fn built_file(dist: &Path, path: &str) -> Option<PathBuf> {
    let relative = path.trim_start_matches('/');
    let plain = !relative.is_empty()
        && relative
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.'))
        && !relative
            .split('/')
            .any(|segment| segment.is_empty() || segment == "..");
    let file = plain.then(|| dist.join(relative))?;
    file.is_file().then_some(file)
}

/// Serves the Brotli or gzip copy the build wrote next to a static file when the browser
/// accepts it (`Content-Encoding`, `Vary: Accept-Encoding`; the copy's own `ETag`, so a
/// cache never mixes encodings). Anything else goes on to the file service unchanged.
pub async fn precompressed(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    use actix_web::http::{Method, header};

    let dist = req
        .app_data::<actix_web::web::Data<crate::state::AppState>>()
        .map(|s| s.settings.web_dist.clone());
    let file = match (&dist, req.method()) {
        (Some(dist), &Method::GET | &Method::HEAD) if !req.path().starts_with("/api") => {
            built_file(dist, req.path())
        }
        _ => None,
    };
    let Some(file) = file else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let copy = PRECOMPRESSED
        .iter()
        .find_map(|(coding, extension, encoding)| {
            let copy = PathBuf::from(format!("{}.{extension}", file.display()));
            (crate::compression::accepts(&accept, coding) && copy.is_file())
                .then_some((copy, *encoding))
        });
    let has_copies = PRECOMPRESSED
        .iter()
        .any(|(_, extension, _)| Path::new(&format!("{}.{extension}", file.display())).is_file());
    let mut response = match copy {
        Some((copy, encoding)) => {
            let mime = actix_files::file_extension_to_mime(
                file.extension()
                    .and_then(|e| e.to_str())
                    .unwrap_or_default(),
            );
            let (http, _) = req.into_parts();
            let response = match NamedFile::open_async(&copy).await {
                Ok(named) => named
                    .set_content_type(mime)
                    .set_content_encoding(encoding)
                    .into_response(&http),
                Err(error) => {
                    tracing::error!(%error, "a precompressed file vanished");
                    HttpResponse::NotFound().finish()
                }
            };
            ServiceResponse::new(http, response)
        }
        None => next.call(req).await?.map_into_boxed_body(),
    };
    if has_copies {
        response.headers_mut().insert(
            header::VARY,
            header::HeaderValue::from_static("accept-encoding"),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::cache_control;

    #[test]
    fn hashed_assets_are_immutable_and_the_rest_revalidated() {
        assert_eq!(
            cache_control("/web-b5d1505bbb295b79_bg.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("/style-e84d974575d1aba0.css"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(
            cache_control("/web-1ea16c30fa9ac2_bg.wasm"),
            "public, max-age=31536000, immutable",
            "a hash with leading zeros left out"
        );
        assert_eq!(cache_control("/boot.js"), "no-cache");
        assert_eq!(cache_control("/"), "no-cache");
        assert_eq!(cache_control("/creer-mon-compte"), "no-cache");
    }
}
