//! Connected applications (« Applications connectées », issue 14): the town's other
//! software, with OAuth 2.0 client credentials and scopes, and what it reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::api::activites::{ActiviteAgentView, InscriptionStatut};
use crate::api::dossier::{AddressInput, DemandeEvent, DemandeSummary, Link, Member};
use crate::api::pieces::Piece;
use crate::validation::codes;

/// Longest application name, in characters.
pub const APPLICATION_NAME_MAX_CHARS: usize = 80;

/// What an application may do. Least privilege: an administrator grants each one.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum Scope {
    #[serde(rename = "dossiers:read")]
    DossiersRead,
    #[serde(rename = "dossiers:write")]
    DossiersWrite,
    #[serde(rename = "pieces:read")]
    PiecesRead,
    #[serde(rename = "demandes:read")]
    DemandesRead,
    #[serde(rename = "demandes:write")]
    DemandesWrite,
    #[serde(rename = "activites:read")]
    ActivitesRead,
    #[serde(rename = "activites:write")]
    ActivitesWrite,
    #[serde(rename = "inscriptions:read")]
    InscriptionsRead,
    #[serde(rename = "inscriptions:write")]
    InscriptionsWrite,
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
}

impl Scope {
    pub const ALL: [Scope; 10] = [
        Scope::DossiersRead,
        Scope::DossiersWrite,
        Scope::PiecesRead,
        Scope::DemandesRead,
        Scope::DemandesWrite,
        Scope::ActivitesRead,
        Scope::ActivitesWrite,
        Scope::InscriptionsRead,
        Scope::InscriptionsWrite,
        Scope::WebhooksManage,
    ];

    /// The scope's name, as OAuth writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::DossiersRead => "dossiers:read",
            Scope::DossiersWrite => "dossiers:write",
            Scope::PiecesRead => "pieces:read",
            Scope::DemandesRead => "demandes:read",
            Scope::DemandesWrite => "demandes:write",
            Scope::ActivitesRead => "activites:read",
            Scope::ActivitesWrite => "activites:write",
            Scope::InscriptionsRead => "inscriptions:read",
            Scope::InscriptionsWrite => "inscriptions:write",
            Scope::WebhooksManage => "webhooks:manage",
        }
    }

    pub fn parse(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// What it allows, in French, for the back office.
    pub fn description(self) -> &'static str {
        match self {
            Scope::DossiersRead => "Lire les dossiers famille validés",
            Scope::DossiersWrite => {
                "Enregistrer les références de la ville sur les dossiers et les personnes"
            }
            Scope::PiecesRead => "Lire les pièces justificatives",
            Scope::DemandesRead => "Lire les demandes et leur historique",
            Scope::DemandesWrite => "Décider des demandes",
            Scope::ActivitesRead => "Lire le catalogue des activités et périodes, publiées ou non",
            Scope::ActivitesWrite => "Gérer le catalogue des activités et périodes",
            Scope::InscriptionsRead => "Lire les inscriptions",
            Scope::InscriptionsWrite => "Inscrire au nom d'une famille",
            Scope::WebhooksManage => "Gérer ses abonnements aux événements",
        }
    }
}

/// Parses an OAuth scope string (space-separated); `None` if one name is unknown.
pub fn parse_scopes(text: &str) -> Option<Vec<Scope>> {
    let mut scopes = text
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(Scope::parse)
        .collect::<Option<Vec<_>>>()?;
    scopes.sort();
    scopes.dedup();
    Some(scopes)
}

/// Writes scopes as OAuth does: sorted, space-separated.
pub fn scope_string(scopes: &[Scope]) -> String {
    let mut names: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names.join(" ")
}

/// An administrator connects an application.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewApplicationRequest {
    /// Its name, shown to families in « Consultations de mon dossier ».
    #[validate(custom(function = "validate_application_name"))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 80))]
    pub name: String,
    /// Who to warn about it (a paused webhook, a rotation).
    #[validate(custom(function = "crate::validation::validate_email"))]
    #[cfg_attr(feature = "server", schema(format = Email, max_length = 254))]
    pub contact_email: String,
    #[validate(length(min = 1, code = "choose_one"))]
    #[cfg_attr(feature = "server", schema(min_items = 1, max_items = 10))]
    pub scopes: Vec<Scope>,
}

/// An application's name: not blank, no control characters, at most 80 characters.
pub fn check_application_name(value: &str) -> Result<(), crate::error::FieldCode> {
    if value.trim().is_empty() {
        Err(codes::REQUIRED)
    } else if value.chars().count() > APPLICATION_NAME_MAX_CHARS {
        Err(codes::TOO_LONG)
    } else if value.chars().any(char::is_control) {
        Err(codes::INVALID_CHARACTERS)
    } else {
        Ok(())
    }
}

fn validate_application_name(value: &str) -> Result<(), ValidationError> {
    check_application_name(value).map_err(ValidationError::new)
}

/// One of an application's secrets (never the secret itself).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct SecretInfo {
    pub created_at: DateTime<Utc>,
    /// Set on the previous secret during a rotation's overlap.
    pub expires_at: Option<DateTime<Utc>>,
}

/// An application as the back office shows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ApplicationView {
    /// Also its OAuth `client_id`.
    pub id: Uuid,
    pub name: String,
    pub contact_email: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Requests made with its tokens.
    pub request_count: i64,
    /// Its valid secrets, newest first.
    pub secrets: Vec<SecretInfo>,
}

/// The connected applications.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ApplicationList {
    pub items: Vec<ApplicationView>,
}

/// A new secret, shown this once: only its hash is kept.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct IssuedCredentials {
    pub application: ApplicationView,
    pub client_id: Uuid,
    pub client_secret: String,
}

/// A rotation: how long the previous secret stays valid beside the new one.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate, Default)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RotateSecretRequest {
    /// Hours (0 to 720; default 24): time to deploy the new secret.
    #[validate(range(max = 720))]
    #[cfg_attr(feature = "server", schema(minimum = 0, maximum = 720))]
    pub overlap_hours: Option<u32>,
}

/// The one grant connected applications use.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum GrantType {
    #[serde(rename = "client_credentials")]
    ClientCredentials,
}

/// `POST /api/oauth/token`, form-encoded (RFC 6749 §4.4.2). The client authenticates
/// with HTTP Basic (`client_id:client_secret`), or with both fields in the form — not both.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TokenRequest {
    pub grant_type: GrantType,
    /// The scopes wanted, space-separated, among those granted (all of them if absent).
    pub scope: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
}

/// The answer of `POST /api/oauth/token` (RFC 6749 §5.1).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds.
    pub expires_in: u64,
    /// The scopes granted, space-separated.
    pub scope: String,
}

/// An OAuth error (RFC 6749 §5.2): OAuth clients read this shape, not problem+json.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct OAuthError {
    /// `invalid_request`, `invalid_client`, `unsupported_grant_type` or `invalid_scope`.
    pub error: String,
    pub error_description: String,
}

/// A validated dossier as an application reads it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct IntegrationDossier {
    pub id: Uuid,
    /// Numéro du dossier famille.
    pub numero: String,
    /// Changes with every change (the `ETag` of the family API).
    pub version: i32,
    /// The town's own id for the household, set by an application.
    pub reference_externe: Option<String>,
    #[serde(flatten)]
    pub address: AddressInput,
    pub members: Vec<IntegrationMember>,
    pub links: Vec<Link>,
    pub updated_at: DateTime<Utc>,
}

/// A member as an application reads it: what the family wrote, and the town's own id.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct IntegrationMember {
    #[serde(flatten)]
    pub member: Member,
    /// The town's own id for the person, set by an application.
    pub reference_externe: Option<String>,
}

/// Longest external reference, in characters.
pub const REFERENCE_MAX_CHARS: usize = 100;

/// `PUT …/reference-externe`: the town's own id, or `null` to remove it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReferenceRequest {
    /// 1 to 100 printable characters (e.g. `FAM-000123`), or `null`.
    #[validate(custom(function = "validate_reference"))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 100))]
    pub reference_externe: Option<String>,
}

/// An external reference: not blank, no control characters, at most 100 characters.
pub fn check_reference(value: &str) -> Result<(), crate::error::FieldCode> {
    if value.trim().is_empty() {
        Err(codes::REQUIRED)
    } else if value.chars().count() > REFERENCE_MAX_CHARS {
        Err(codes::TOO_LONG)
    } else if value.chars().any(char::is_control) {
        Err(codes::INVALID_CHARACTERS)
    } else {
        Ok(())
    }
}

fn validate_reference(value: &str) -> Result<(), ValidationError> {
    check_reference(value).map_err(ValidationError::new)
}

/// What a change is about.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SyncResource {
    Dossier,
    Membre,
}

/// One change in a sync page: the dossier as it is now, or a tombstone (`deleted`: the
/// dossier or member no longer exists, or the dossier is no longer readable).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DossierChange {
    pub resource: SyncResource,
    pub id: Uuid,
    /// For a member, its dossier.
    pub dossier_id: Uuid,
    pub deleted: bool,
    /// When the change was written (the database's clock).
    pub changed_at: DateTime<Utc>,
    /// The dossier now (absent from tombstones and members).
    pub dossier: Option<IntegrationDossier>,
}

/// A page of changes. Keep `next_cursor` and pass it next time, even when `has_more` is
/// false: it is where the next sync starts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DossierChanges {
    pub items: Vec<DossierChange>,
    pub next_cursor: String,
    /// More changes are ready now: ask again at once with `next_cursor`.
    pub has_more: bool,
}

/// A request as an application reads it: where it stands and every step of its history.
/// Drafts are not shown: a request appears once the family submitted it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct IntegrationDemande {
    #[serde(flatten)]
    pub summary: DemandeSummary,
    /// The family's OBSERVATION.
    pub observation: Option<String>,
    /// The agent's message when the request is « à compléter » or refused.
    pub agent_message: Option<String>,
    /// Oldest first.
    pub history: Vec<DemandeEvent>,
}

/// One change in the requests' feed: the request now, or a tombstone (`deleted`: it no
/// longer exists, e.g. its account was closed).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DemandeChange {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub deleted: bool,
    /// When the change was written (the database's clock).
    pub changed_at: DateTime<Utc>,
    /// Absent from tombstones.
    pub demande: Option<IntegrationDemande>,
}

/// A page of the requests' feed (see `DossierChanges` for the cursor).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct DemandeChanges {
    pub items: Vec<DemandeChange>,
    pub next_cursor: String,
    pub has_more: bool,
}

/// A piece as an application reads it: its metadata and its files' (download each with
/// `GET /api/integration/v1/pieces/{id}/fichiers/{file_id}`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct IntegrationPiece {
    pub dossier_id: Uuid,
    #[serde(flatten)]
    pub piece: Piece,
}

/// One change in the pieces' feed: the piece now, or a tombstone (`deleted`: the family
/// replaced or deleted it, or it was purged).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PieceChange {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub deleted: bool,
    pub changed_at: DateTime<Utc>,
    /// Absent from tombstones.
    pub piece: Option<IntegrationPiece>,
}

/// A page of the pieces' feed (see `DossierChanges` for the cursor).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct PieceChanges {
    pub items: Vec<PieceChange>,
    pub next_cursor: String,
    pub has_more: bool,
}

/// An inscription as an application reads it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct IntegrationInscription {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub activite_id: Uuid,
    pub periode_id: Uuid,
    pub enfant_id: Uuid,
    pub statut: InscriptionStatut,
    /// Order of arrival in the période (or of the draw): the waiting list follows it.
    pub rang: i32,
    /// Enrolled (or cancelled) by an agent on the family's behalf.
    pub par_agent: bool,
    /// Until when an offered place can be accepted.
    pub offre_expire_at: Option<DateTime<Utc>>,
    /// Why the town refused or cancelled it.
    pub motif: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One change in the inscriptions' feed. `deleted` marks what no longer holds or awaits a
/// place: an inscription cancelled or refused (still given, with its `statut` and
/// `motif`), or gone (its account was closed: no `inscription`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InscriptionChange {
    pub id: Uuid,
    pub dossier_id: Uuid,
    pub deleted: bool,
    pub changed_at: DateTime<Utc>,
    pub inscription: Option<IntegrationInscription>,
}

/// A page of the inscriptions' feed (see `DossierChanges` for the cursor).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct InscriptionChanges {
    pub items: Vec<InscriptionChange>,
    pub next_cursor: String,
    pub has_more: bool,
}

/// One change in the catalogue's feed: the activité now, with all its périodes (published
/// or not, with their counts as they are when read), or a tombstone.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ActiviteChange {
    pub id: Uuid,
    pub deleted: bool,
    pub changed_at: DateTime<Utc>,
    pub activite: Option<ActiviteAgentView>,
}

/// A page of the catalogue's feed (see `DossierChanges` for the cursor).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct ActiviteChanges {
    pub items: Vec<ActiviteChange>,
    pub next_cursor: String,
    pub has_more: bool,
}

/// What a webhook tells (Standard Webhooks' `type`).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub enum WebhookEventType {
    /// A family submitted a request to the town.
    #[serde(rename = "demande.soumise")]
    DemandeSoumise,
    #[serde(rename = "demande.validee")]
    DemandeValidee,
    #[serde(rename = "demande.a_completer")]
    DemandeACompleter,
    #[serde(rename = "demande.refusee")]
    DemandeRefusee,
    /// A family provided a piece on a dossier it already sent to the town (a correction
    /// while « à compléter »; pieces provided before the submission come with
    /// `demande.soumise`).
    #[serde(rename = "piece.deposee")]
    PieceDeposee,
    /// A validated dossier changed (members, links, address): read it again.
    #[serde(rename = "dossier.modifie")]
    DossierModifie,
    /// A child holds a place (at once, from the waiting list, or by an agent's decision).
    #[serde(rename = "inscription.confirmee")]
    InscriptionConfirmee,
    #[serde(rename = "inscription.annulee")]
    InscriptionAnnulee,
}

impl WebhookEventType {
    pub const ALL: [WebhookEventType; 8] = [
        WebhookEventType::DemandeSoumise,
        WebhookEventType::DemandeValidee,
        WebhookEventType::DemandeACompleter,
        WebhookEventType::DemandeRefusee,
        WebhookEventType::PieceDeposee,
        WebhookEventType::DossierModifie,
        WebhookEventType::InscriptionConfirmee,
        WebhookEventType::InscriptionAnnulee,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEventType::DemandeSoumise => "demande.soumise",
            WebhookEventType::DemandeValidee => "demande.validee",
            WebhookEventType::DemandeACompleter => "demande.a_completer",
            WebhookEventType::DemandeRefusee => "demande.refusee",
            WebhookEventType::PieceDeposee => "piece.deposee",
            WebhookEventType::DossierModifie => "dossier.modifie",
            WebhookEventType::InscriptionConfirmee => "inscription.confirmee",
            WebhookEventType::InscriptionAnnulee => "inscription.annulee",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// Longest webhook URL accepted.
pub const WEBHOOK_URL_MAX_CHARS: usize = 2000;

/// An application subscribes a URL to events (`webhooks:manage`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewWebhookRequest {
    /// `https://` (the server refuses addresses that resolve to private, loopback,
    /// link-local or metadata addresses, when it delivers).
    #[validate(length(min = 1, max = 2000))]
    #[cfg_attr(feature = "server", schema(min_length = 1, max_length = 2000))]
    pub url: String,
    #[validate(length(min = 1, max = 8, code = "choose_one"))]
    #[cfg_attr(feature = "server", schema(min_items = 1, max_items = 8))]
    pub events: Vec<WebhookEventType>,
}

/// A subscription.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookSubscription {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<WebhookEventType>,
    pub created_at: DateTime<Utc>,
    /// Set when deliveries failed for three days: nothing is sent until it is resumed.
    pub paused_at: Option<DateTime<Utc>>,
    pub pause_reason: Option<String>,
}

/// A new subscription and its signing secret (`whsec_…`), shown this once.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookCreated {
    pub subscription: WebhookSubscription,
    pub secret: String,
}

/// An application's subscriptions.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookList {
    pub items: Vec<WebhookSubscription>,
}

/// Where a delivery stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    EnAttente,
    Envoi,
    Livree,
    Abandonnee,
}

/// One event sent (or being sent) to one subscription: the delivery log.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    /// The `webhook-id` header: the receiver de-duplicates on it.
    pub id: Uuid,
    pub event_type: String,
    pub state: DeliveryState,
    pub attempts: i32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A subscription's latest deliveries, newest first.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct WebhookDeliveryList {
    pub items: Vec<WebhookDelivery>,
}
