//! What a dossier and its requests look like to whoever reads them — the family's pages,
//! the agents' review, the récépissé, the copy of one's data: the whole dossier as it
//! stands, and a request with its history and the dossier as submitted.

use diesel::OptionalExtension;
use shared::api::dossier::{AddressInput, DemandeDetail, DossierResponse};

use crate::db::DbConn;
use crate::db::models::demande::{self, Demande};
use crate::db::models::dossier::{self, Dossier};
use crate::db::models::member;
use crate::error::ApiError;

/// The whole dossier as the API shows it.
pub fn view(conn: &mut DbConn, dossier: &Dossier) -> Result<DossierResponse, ApiError> {
    let members = member::list(conn, &dossier.id)?
        .into_iter()
        .map(member::MemberRow::into_member)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let links = member::links(conn, &dossier.id)?;
    let current = demande::current(conn, &dossier.id)?;
    let summary = current.summary()?;
    Ok(DossierResponse {
        id: dossier.id.parse().map_err(anyhow::Error::from)?,
        numero: dossier.numero.clone(),
        version: dossier.version,
        address: AddressInput {
            adresse: dossier.adresse.clone(),
            code_postal: dossier.code_postal.clone(),
            commune: dossier.commune.clone(),
        },
        members,
        links,
        editable: summary.status.family_can_edit(),
        demande: summary,
    })
}

/// Who reads a request.
#[derive(Clone, Copy)]
pub enum Reader<'a> {
    /// A family account: it sees the dossier only if it is linked to it (the account
    /// asking for a rattachement does not, until it is granted).
    Family(&'a str),
    Staff,
}

/// The request with its history and dossier — frozen as submitted once it left the
/// family's hands — and the live dossier version for `ETag` (0 when the dossier is not
/// shown).
pub fn detail(
    conn: &mut DbConn,
    found: &Demande,
    reader: Reader<'_>,
) -> Result<(DemandeDetail, i32), ApiError> {
    let summary = found.summary()?;
    let shown = match reader {
        Reader::Staff => true,
        Reader::Family(account_id) => {
            dossier::find_for_account(conn, &found.dossier_id, account_id)
                .optional()?
                .is_some()
        }
    };
    let history = demande::history(conn, &found.id)?;
    if !shown {
        let hidden = DemandeDetail {
            summary,
            observation: found.observation.clone(),
            agent_message: found.agent_message.clone(),
            history,
            dossier: None,
        };
        return Ok((hidden, 0));
    }
    let live = dossier::find(conn, &found.dossier_id)?;
    let dossier = match &found.snapshot {
        Some(snapshot) if !summary.status.family_can_edit() => {
            let mut frozen: DossierResponse =
                serde_json::from_str(snapshot).map_err(anyhow::Error::from)?;
            frozen.demande = summary.clone();
            frozen.editable = false;
            // The number the town gives at validation comes after the snapshot.
            frozen.numero = live.numero.clone();
            frozen
        }
        _ => view(conn, &live)?,
    };
    Ok((
        DemandeDetail {
            summary,
            observation: found.observation.clone(),
            agent_message: found.agent_message.clone(),
            history,
            dossier: Some(dossier),
        },
        live.version,
    ))
}
