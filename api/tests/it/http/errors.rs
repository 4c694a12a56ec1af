//! Bad input and HTTP hardening: problem documents everywhere, security headers, the SPA
//! fallback (SECURITY.md D-01, F-04, F-05).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, spawn_app};

async fn problem(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json",
        "{status}"
    );
    (status, response.json().await.expect("problem json"))
}

#[tokio::test]
async fn malformed_input_gets_a_problem_document_and_writes_nothing() {
    let app = spawn_app().await;
    let url = app.url("/api/registrations");
    let cases: Vec<(reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            app.client
                .post(&url)
                .header("content-type", "application/json")
                .body("{\"username\":"),
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            app.client
                .post(&url)
                .header("content-type", "text/plain")
                .body("{}"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            app.client
                .post(&url)
                .header("content-type", "application/json")
                .body(vec![b' '; 70 * 1024]),
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            app.client.post(&url).json(&json!({"username": "a"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ];
    for (request, status, code) in cases {
        let (got, body) = problem(request.send().await.expect("request")).await;
        assert_eq!((got, body["code"].as_str()), (status, Some(code)));
        assert!(!body.to_string().contains("src/"), "no internals in {body}");
    }
    let (_, body) = problem(
        app.post_json(
            "/api/registrations",
            &json!({"username": "Zoé!", "email": "pas-une-adresse", "password": "x", "new_household": "oui", "dossier_reference": null}),
        )
        .await,
    )
    .await;
    assert_eq!(body["fields"]["new_household"][0], "invalid_type");
    let (_, body) = problem(
        app.post_json(
            "/api/registrations",
            &json!({"username": "Zoé!", "email": "pas-une-adresse", "password": "x", "new_household": true, "dossier_reference": null, "role": "admin"}),
        )
        .await,
    )
    .await;
    assert_eq!(body["fields"]["role"][0], "unknown_field");
    let (_, body) = problem(
        app.post_json(
            "/api/registrations",
            &json!({"username": "Zoé!", "email": "pas-une-adresse", "password": "x", "new_household": true, "dossier_reference": null}),
        )
        .await,
    )
    .await;
    assert_eq!(body["fields"]["username"][0], "invalid_characters");
    assert_eq!(body["fields"]["email"][0], "invalid_email");
    assert_eq!(body["fields"]["password"][0], "password_too_short");

    let count: i64 = {
        use diesel::prelude::*;
        api::db::schema::accounts::table
            .count()
            .get_result(&mut app.db.connect())
            .expect("count")
    };
    assert_eq!(count, 0);
}

#[tokio::test]
async fn unknown_api_routes_and_methods_are_problems_and_every_response_is_hardened() {
    let app = spawn_app().await;
    let (status, body) = problem(
        app.client
            .get(app.url("/api/nope"))
            .send()
            .await
            .expect("request"),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    let (status, body) = problem(
        app.client
            .request(reqwest::Method::TRACE, app.url("/api/town"))
            .send()
            .await
            .expect("request"),
    )
    .await;
    // actix route macros guard on the method, so an unknown method falls through to 404.
    assert!(
        matches!(
            status,
            StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_FOUND
        ),
        "{status}: {body}"
    );
    let trace = app
        .client
        .request(reqwest::Method::TRACE, app.url("/"))
        .send()
        .await
        .expect("request");
    assert!(trace.status().is_client_error());

    let cross_origin = app
        .client
        .get(app.url("/api/town"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("request");
    assert!(
        !cross_origin
            .headers()
            .contains_key("access-control-allow-origin"),
        "no CORS for other sites"
    );

    for path in ["/", "/api/town", "/api/nope", "/creer-mon-compte"] {
        let response = app.client.get(app.url(path)).send().await.expect("request");
        let headers = response.headers();
        assert!(
            headers["strict-transport-security"]
                .to_str()
                .expect("ascii")
                .contains("max-age=31536000")
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        let csp = headers["content-security-policy"].to_str().expect("ascii");
        assert!(
            csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
    }
}

#[tokio::test]
async fn client_routes_get_the_spa_and_swagger_ui_is_served() {
    let app = spawn_app().await;
    let page = app
        .client
        .get(app.url("/creer-mon-compte"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        page.status(),
        StatusCode::OK,
        "build the SPA first (the README's test command does)"
    );
    let html = page.text().await.expect("html");
    // Trunk minifies release builds: `lang=fr` without quotes.
    assert!(
        html.contains("lang=fr") || html.contains("lang=\"fr\""),
        "{html}"
    );
    let redirect = app
        .client
        .get(app.url("/swagger-ui"))
        .send()
        .await
        .expect("request");
    assert!(redirect.status().is_redirection());
    let swagger = app
        .client
        .get(app.url("/swagger-ui/"))
        .send()
        .await
        .expect("request");
    assert_eq!(swagger.status(), StatusCode::OK);
}

/// `API_DOCS=off`: neither Swagger UI nor the OpenAPI document is served (F-04); the API
/// itself answers as before.
#[tokio::test]
async fn api_docs_off_serves_neither_the_document_nor_swagger_ui() {
    let app = crate::helpers::spawn_app_with(|s| s.api_docs = false, Default::default()).await;
    for path in [
        "/api-docs/openapi.json",
        "/swagger-ui/",
        "/swagger-ui/index.html",
    ] {
        let response = app.client.get(app.url(path)).send().await.expect("request");
        let body = response.text().await.unwrap_or_default();
        assert!(
            !body.contains("\"openapi\"") && !body.to_lowercase().contains("swagger"),
            "{path} still serves the documentation"
        );
    }
    let health = app
        .client
        .get(app.url("/api/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), StatusCode::OK);
}

/// serde reads a struct from a JSON array: `["user", "password"]` used to log in and an
/// array of three strings used to change a dossier's address past the unknown-field check.
/// Anything but an object where one is documented is refused (422 `not_an_object`).
#[tokio::test]
async fn a_json_array_is_refused_where_an_object_is_documented() {
    let app = spawn_app().await;
    let family = app.family().await;
    let (status, body) = problem(
        app.post_json("/api/auth/login", &json!([family.username, PASSWORD]))
            .await,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"]["_"][0], "not_an_object", "{body}");

    let dossier = crate::http::dossiers::new_dossier(&app, &family).await;
    let path = format!("/api/dossiers/{}", dossier["id"].as_str().expect("id"));
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&family.access_token)
        .header("if-match", "\"1\"")
        .json(&json!(["2 rue des Lices", "28000", "Chartres"]))
        .send()
        .await
        .expect("patch");
    let (status, body) = problem(response).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["fields"]["_"][0], "not_an_object");
    let unchanged: Value = app
        .get_auth(&path, &family.access_token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(unchanged["adresse"], Value::Null);
    assert_eq!(unchanged["version"], 1);
}

/// A route asked with a method it does not have: 405 with `Allow` (not 404, which says
/// the URL does not exist); `HEAD` answers like `GET`, without a body.
#[tokio::test]
async fn a_wrong_method_gets_405_with_allow_and_head_answers_like_get() {
    let app = spawn_app().await;
    for (method, path) in [
        ("DELETE", "/api/health"),
        ("TRACE", "/api/town"),
        ("PUT", "/api/auth/login"),
    ] {
        let response = app
            .client
            .request(method.parse().expect("method"), app.url(path))
            .send()
            .await
            .expect("request");
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        let allow = response.headers()["allow"]
            .to_str()
            .expect("allow")
            .to_string();
        let expected = if path == "/api/auth/login" {
            "POST"
        } else {
            "GET, HEAD"
        };
        assert_eq!(allow, expected, "{method} {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json"
        );
    }
    let head = app
        .client
        .head(app.url("/api/town"))
        .send()
        .await
        .expect("head");
    assert_eq!(head.status(), StatusCode::OK);
    assert!(head.bytes().await.expect("body").is_empty());
    let unknown = app
        .client
        .get(app.url("/api/nulle-part"))
        .send()
        .await
        .expect("get");
    assert_eq!(
        unknown.status(),
        StatusCode::NOT_FOUND,
        "an unknown URL is still 404"
    );
}

/// `If-Match: *` matches the current version (RFC 9110 §13.1.1).
#[tokio::test]
async fn if_match_star_matches_the_current_version() {
    let app = spawn_app().await;
    let family = app.family().await;
    let dossier = crate::http::dossiers::new_dossier(&app, &family).await;
    let response = app
        .client
        .patch(app.url(&format!(
            "/api/dossiers/{}",
            dossier["id"].as_str().expect("id")
        )))
        .bearer_auth(&family.access_token)
        .header("if-match", "*")
        .json(&json!({"adresse": "1 rue A", "code_postal": "28000", "commune": "Chartres"}))
        .send()
        .await
        .expect("patch");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["etag"], "\"2\"");
}

/// Paging as documented: `page` and `per_page` from 1 to 4,294,967,295 (the document no
/// longer says int32), a `per_page` above the maximum capped (SECURITY.md F-01), anything
/// else refused — and no overflow on the last page.
#[tokio::test]
async fn paging_is_capped_or_refused_as_documented() {
    let app = spawn_app().await;
    for query in ["page=0", "per_page=0", "per_page=abc", "page=4294967296"] {
        let response = app
            .client
            .get(app.url(&format!("/api/actualites?{query}")))
            .send()
            .await
            .expect("get");
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}"
        );
    }
    let capped = app.get_json("/api/actualites?per_page=100000").await;
    assert!(
        capped["items"].as_array().expect("items").len() <= 50,
        "{capped}"
    );
    let last = app
        .client
        .get(app.url("/api/actualites?page=4294967295&per_page=4294967295"))
        .send()
        .await
        .expect("get");
    assert_eq!(last.status(), StatusCode::OK);
    // The agents' queue, which pages in memory, too.
    let (admin, _) = crate::http::staff::administrator(&app);
    let (_, staff) = crate::http::staff::staff_session(&app, &admin).await;
    let queue = app
        .get_auth(
            "/api/backoffice/demandes?page=4294967295&per_page=4294967295",
            &staff,
        )
        .await;
    assert_eq!(queue.status(), StatusCode::OK);
}
