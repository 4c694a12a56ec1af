//! The OpenAPI document: paths come from the handlers registered in `routes`, the rest
//! (info, security scheme, shared schemas) from here.

use utoipa::openapi::security::{
    ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2, Scopes, SecurityScheme,
};
use utoipa::{Modify, OpenApi};

/// Top-level description of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Portail Famille API",
        description = "REST API of Portail Famille: family accounts, dossiers famille, pièces justificatives and the town's back office. \
            Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code` and, for invalid input, `fields` (field → codes).",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(shared::error::Problem, shared::error::ErrorCode)),
    modifiers(&BearerAuth),
    tags(
        (name = "Création de compte", description = "Sign-up in three steps and activation"),
        (name = "Connexion", description = "Login, token refresh, logout"),
        (name = "Mot de passe", description = "Forgotten password"),
        (name = "Mon compte", description = "Profile, consent, password and email, connection history"),
        (name = "Dossier famille", description = "The household: address, members, parental links (drafts saved as they go; `If-Match` on every write)"),
        (name = "Démarches", description = "Requests: list, detail with history, observation, submission"),
        (name = "Contenu", description = "Public content"),
        (name = "Activités", description = "Activités, périodes and inscriptions"),
        (name = "Santé", description = "Health check"),
        (name = "Intégrations", description = "For the town's other software (« Applications connectées »): OAuth 2.0 client credentials at `/api/oauth/token`, then incremental reads under `/api/integration/v1/`, each behind a scope"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        // Connected applications: Swagger UI's « Authorize » gets a token with them.
        let scopes = Scopes::from_iter(
            shared::api::integration::Scope::ALL.map(|s| (s.as_str(), s.description())),
        );
        components.add_security_scheme(
            "application",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [Flow::ClientCredentials(ClientCredentials::new(
                    "/api/oauth/token",
                    scopes,
                ))],
                "A connected application's token (OAuth 2.0 client credentials, 5 minutes).",
            )),
        );
        components.add_security_scheme(
            "client_basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
}

/// Documents, on every operation, the refusals the server can give whatever the operation:
/// the ones of its extractors and middleware, written once here rather than repeated (and
/// forgotten) on each handler. Integrators generate clients from this document, so every
/// status the server sends must be in it (schemathesis checks it in the test command).
/// An operation's own description of a status, when it has one, is kept.
pub fn complete(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;

    merge_flattened_schemas(api);

    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            let mut add = |status: &str, description: &str| {
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem(description).into());
            };
            let body = operation.request_body.is_some();
            // A form (the OAuth token request) answers its own errors, OAuth's way.
            let form = operation.request_body.as_ref().is_some_and(|b| match b {
                utoipa::openapi::RefOr::T(b) => {
                    b.content.contains_key("application/x-www-form-urlencoded")
                }
                utoipa::openapi::RefOr::Ref(_) => false,
            });
            let parameters: Vec<ParameterIn> = operation
                .parameters
                .iter()
                .flatten()
                .filter_map(|p| match p {
                    utoipa::openapi::RefOr::T(p) => Some(p.parameter_in.clone()),
                    utoipa::openapi::RefOr::Ref(_) => None,
                })
                .collect();
            let authenticated = operation.security.as_ref().is_some_and(|requirements| {
                requirements.iter().all(|r| {
                    serde_json::to_value(r)
                        .is_ok_and(|v| v.as_object().is_some_and(|o| !o.is_empty()))
                })
            });
            if body && !form {
                add(
                    "400",
                    "`malformed_json`: the body is not valid JSON, or an unreadable multipart body",
                );
                add(
                    "413",
                    "`payload_too_large`: the body is larger than the operation accepts",
                );
                add(
                    "415",
                    "`unsupported_media_type`: the body is not of the documented media type",
                );
                add(
                    "422",
                    "`validation_failed`: see `fields` (field → codes); `not_an_object` where an object is documented",
                );
            }
            if parameters.contains(&ParameterIn::Query) {
                add(
                    "422",
                    "`validation_failed`: a query parameter is of the wrong type or out of its range (`fields`)",
                );
            }
            if parameters.contains(&ParameterIn::Path) {
                add(
                    "404",
                    "`not_found`: no such resource — or not yours (the same answer)",
                );
            }
            let integration = serde_json::to_string(&operation.security)
                .is_ok_and(|s| s.contains("\"application\""));
            if integration {
                add(
                    "429",
                    "`too_many_requests`: the application's quota is spent (`RateLimit-Policy`); retry after `Retry-After` seconds",
                );
            }
            if authenticated && !integration {
                add(
                    "401",
                    "`unauthorized`: no valid access token (`Authorization: Bearer …`)",
                );
                add(
                    "403",
                    "`forbidden` (a family account on a back-office route, staff on a family route, an agent on an administrator's route) or `terms_not_accepted` (the current CGU must be accepted first)",
                );
            }
            add(
                "503",
                "`service_unavailable`: the database, the file store or the password hashing queue cannot answer now (or the upload scratch space is full); nothing was changed, retry after `Retry-After` seconds",
            );
            if integration {
                rate_limit_headers(operation);
            }
        }
    }
}

/// The quota headers every answer to a connected application carries once its token is
/// read (draft-ietf-httpapi-ratelimit-headers), on the operation's success and on 429.
fn rate_limit_headers(operation: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::{RefOr, Type, header::HeaderBuilder};
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if !(status.starts_with('2') || status == "429") {
            continue;
        }
        for (name, description) in [
            (
                "RateLimit-Policy",
                "The application's quota: `\"application\";q=600;w=60` (requests per window of seconds)",
            ),
            (
                "RateLimit",
                "What is left of it: `\"application\";r=599;t=42` (requests left, seconds until the window restarts)",
            ),
        ] {
            response.headers.entry(name.to_string()).or_insert_with(|| {
                HeaderBuilder::new()
                    .schema(Some(
                        utoipa::openapi::ObjectBuilder::new().schema_type(Type::String),
                    ))
                    .description(Some(description))
                    .build()
                    .into()
            });
        }
        if status == "429" {
            response
                .headers
                .entry("Retry-After".to_string())
                .or_insert_with(|| {
                    HeaderBuilder::new()
                        .schema(Some(
                            utoipa::openapi::ObjectBuilder::new().schema_type(Type::Integer),
                        ))
                        .description(Some("Seconds"))
                        .build()
                        .into()
                });
        }
    }
}

/// A response whose body is a problem document.
fn problem(description: &str) -> utoipa::openapi::Response {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

/// A response type that `#[serde(flatten)]`s a request type (a stored member is its input
/// plus an `id`) comes out of utoipa as `allOf: [input, extra]` — and the input, which
/// refuses unknown fields, says `additionalProperties: false`, so no real answer could
/// validate (every validator reads `allOf` that way). Such schemas are merged into one
/// object listing every property, which is what the server sends.
pub(crate) fn merge_flattened_schemas(api: &mut utoipa::openapi::OpenApi) {
    use serde_json::{Map, Value};

    let Ok(Value::Object(mut document)) = serde_json::to_value(&*api) else {
        return;
    };
    let Some(Value::Object(schemas)) = document
        .get("components")
        .and_then(|c| c.get("schemas"))
        .cloned()
    else {
        return;
    };
    let resolve = |part: &Value| -> Option<Map<String, Value>> {
        let part = match part.get("$ref").and_then(Value::as_str) {
            Some(reference) => schemas.get(reference.rsplit('/').next()?)?,
            None => part,
        };
        part.as_object().cloned()
    };
    let mut merged_schemas = schemas.clone();
    for (name, schema) in &schemas {
        let Some(parts) = schema.get("allOf").and_then(Value::as_array) else {
            continue;
        };
        let mut properties = Map::new();
        let mut required: Vec<Value> = Vec::new();
        let mut mergeable = true;
        for part in parts {
            match resolve(part) {
                Some(object) if object.contains_key("properties") => {
                    if let Some(Value::Object(p)) = object.get("properties") {
                        properties.extend(p.clone());
                    }
                    if let Some(Value::Array(r)) = object.get("required") {
                        required.extend(r.iter().cloned());
                    }
                }
                _ => mergeable = false,
            }
        }
        if !mergeable {
            continue;
        }
        let mut object = Map::new();
        object.insert("type".into(), Value::from("object"));
        if let Some(description) = schema.get("description") {
            object.insert("description".into(), description.clone());
        }
        object.insert("properties".into(), Value::Object(properties));
        if !required.is_empty() {
            object.insert("required".into(), Value::Array(required));
        }
        merged_schemas.insert(name.clone(), Value::Object(object));
    }
    if let Some(Value::Object(components)) = document.get_mut("components") {
        components.insert("schemas".into(), Value::Object(merged_schemas));
    }
    match serde_json::from_value(Value::Object(document)) {
        Ok(merged) => *api = merged,
        Err(error) => tracing::error!(%error, "the OpenAPI document could not be merged"),
    }
}
