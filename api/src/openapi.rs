//! The OpenAPI document: paths come from the handlers registered in `routes`, the rest
//! (info, security scheme, shared schemas) from here.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
        (name = "Santé", description = "Health check"),
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
    }
}
