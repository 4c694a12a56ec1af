//! Rattachement à un dossier existant (« Mes références dossier »): knowing a dossier's
//! number and a name is not proof of control (SECURITY.md A-15). The account is linked
//! once it types a code sent to the dossier's address on record, or once an agent
//! validates its « demande de rattachement à un dossier ».

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::validation::validate_rattachement_code;

/// How the account proves that the dossier is its family's.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RattachementMethod {
    /// A code sent to the address the town has on record for the dossier.
    Code,
    /// An agent checks the request (the dossier has no address on record, or the family
    /// no longer reads it).
    Validation,
}

/// Where a rattachement stands.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RattachementStatus {
    /// Waiting for the code, or for the agent.
    EnAttente,
    /// Done: the account sees the dossier.
    Rattache,
    /// The agent refused (see `agent_message`).
    Refuse,
}

/// The account's rattachement as « Mes démarches » shows it. It never names the address
/// the code went to, nor anything of the dossier until the account is linked.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct RattachementView {
    /// The dossier number as the family typed it.
    pub numero: String,
    pub method: RattachementMethod,
    pub status: RattachementStatus,
    /// Code path: a code was sent and can still be typed until `code_expire_le`.
    pub code_valide: bool,
    pub code_expire_le: Option<DateTime<Utc>>,
    /// Code path: wrong tries left on the current code.
    pub essais_restants: u32,
    /// Code path: how many codes were sent so far (none yet: « Envoyer un code »).
    pub codes_envoyes: u32,
    /// Code path: whether a new code may be asked for now (« Renvoyer un code »).
    pub renvoi_possible: bool,
    /// Validation path: the request in the agents' queue.
    pub demande_id: Option<Uuid>,
    /// The agent's message when the request was refused.
    pub agent_message: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// « Saisir le code de rattachement ».
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Validate)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RattachementCodeRequest {
    /// The six digits received by email (spaces allowed).
    #[validate(custom(function = "validate_rattachement_code"))]
    #[cfg_attr(
        feature = "server",
        schema(example = "042817", max_length = 20, pattern = r"^\s*([0-9]\s*){6}$")
    )]
    pub code: String,
}

/// An account that sees the same dossier, as « Mon compte » lists them.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "server", derive(utoipa::ToSchema))]
pub struct LinkedAccount {
    pub username: String,
    pub linked_at: DateTime<Utc>,
    /// The signed-in account itself.
    pub vous: bool,
}
