//! A family's wishes (*vœux*) for the *équitable* périodes of an activité: ranked per
//! child until the périodes close, by the same eligibility rule as an enrolment (but for
//! the draw itself). Nothing is decided here: arriving first gains nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use shared::api::voeux::{VoeuView, VoeuxEnfant, VoeuxList, VoeuxRequest};
use shared::eligibility::{self, Reason};
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::models::periode::{self, Periode, statut as periode_statut};
use crate::db::models::voeu::{self, Voeu, Wisher};
use crate::db::models::{activite, tirage};
use crate::error::ApiError;

use super::facts;

fn uuid(id: &str) -> Result<Uuid, ApiError> {
    Ok(Uuid::parse_str(id).map_err(anyhow::Error::from)?)
}

/// The wish as the family sees it.
pub fn view(row: &Voeu) -> Result<VoeuView, ApiError> {
    Ok(VoeuView {
        numero: uuid(&row.id)?,
        periode_id: uuid(&row.periode_id)?,
        rang: u32::try_from(row.rang).unwrap_or(0),
        resultat: row.resultat(),
        position: row.position.and_then(|p| u32::try_from(p).ok()),
    })
}

/// Every wish of the dossier's children, by activité and child.
pub fn of_family(conn: &mut DbConn, dossier_id: &str) -> Result<VoeuxList, ApiError> {
    let rows = voeu::of_dossier(conn, dossier_id)?;
    let periode_ids: Vec<&str> = rows.iter().map(|r| r.periode_id.as_str()).collect();
    let activite_of: BTreeMap<String, String> = periode::activites_of(conn, &periode_ids)?;
    let mut grouped: BTreeMap<(String, String), Vec<&Voeu>> = BTreeMap::new();
    for row in &rows {
        let activite_id = activite_of
            .get(&row.periode_id)
            .cloned()
            .unwrap_or_default();
        grouped
            .entry((activite_id, row.member_id.clone()))
            .or_default()
            .push(row);
    }
    let items = grouped
        .into_iter()
        .map(|((activite_id, member_id), mut wishes)| {
            wishes.sort_by_key(|w| w.rang);
            Ok(VoeuxEnfant {
                activite_id: uuid(&activite_id)?,
                enfant_id: uuid(&member_id)?,
                voeux: wishes
                    .into_iter()
                    .map(view)
                    .collect::<Result<_, ApiError>>()?,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(VoeuxList { items })
}

/// The child's wishes for one activité.
fn of_child(
    conn: &mut DbConn,
    dossier_id: &str,
    activite_id: Uuid,
    member_id: Uuid,
) -> Result<VoeuxEnfant, ApiError> {
    let child = member_id.to_string();
    let activite = activite_id.to_string();
    let rows = voeu::of_dossier(conn, dossier_id)?;
    let periode_ids: Vec<&str> = rows.iter().map(|r| r.periode_id.as_str()).collect();
    let activite_of = periode::activites_of(conn, &periode_ids)?;
    let mut voeux = rows
        .iter()
        .filter(|r| r.member_id == child && activite_of.get(&r.periode_id) == Some(&activite))
        .map(view)
        .collect::<Result<Vec<_>, ApiError>>()?;
    voeux.sort_by_key(|v| v.rang);
    Ok(VoeuxEnfant {
        activite_id,
        enfant_id: member_id,
        voeux,
    })
}

/// The équitable, published périodes of the activité not drawn yet, whose wishes are
/// still open at `now`: the draw they share. `None` when there is none.
fn open_draw(
    conn: &mut DbConn,
    activite_id: &str,
    now: DateTime<Utc>,
) -> Result<Option<String>, ApiError> {
    let open = periode::of_activites(conn, &[activite_id])?
        .into_iter()
        .filter(|p| p.statut == periode_statut::PUBLIEE && p.awaits_draw())
        .filter(|p| p.fermeture.and_utc() > now)
        .min_by_key(|p| p.fermeture);
    Ok(open.and_then(|p| p.tirage_id))
}

/// Replaces a child's wishes for an activité (the family's order; empty: none), inside
/// the caller's write transaction. 404 for an activité or période that is not open to
/// wishes; 422 with every reason when the child cannot wish for one of them.
pub fn replace(
    conn: &mut DbConn,
    dossier_id: &str,
    account_id: &str,
    request: &VoeuxRequest,
    now: DateTime<Utc>,
) -> Result<VoeuxEnfant, ApiError> {
    let activite_id = request.activite_id.to_string();
    let member_id = request.enfant_id.to_string();
    let activity = activite::find(conn, &activite_id)?
        .filter(|a| a.publiee)
        .ok_or(ApiError::NotFound)?;
    let asked: Vec<String> = request.periodes.iter().map(Uuid::to_string).collect();
    let mut chosen: Vec<Periode> = Vec::with_capacity(asked.len());
    for id in &asked {
        let found = periode::find(conn, id)?
            .filter(|p| p.activite_id == activite_id && p.statut == periode_statut::PUBLIEE)
            .filter(|p| p.tirage_id.is_some())
            .ok_or(ApiError::NotFound)?;
        chosen.push(found);
    }
    // The draw: the one the périodes share, or (withdrawing every wish) the open one.
    let tirage_id = match chosen.first() {
        Some(first) => first.tirage_id.clone().ok_or(ApiError::NotFound)?,
        None => match open_draw(conn, &activite_id, now)? {
            Some(id) => id,
            None => return Err(ApiError::NotEligible(vec![Reason::Closed])),
        },
    };
    if chosen
        .iter()
        .any(|p| p.tirage_id.as_deref() != Some(&tirage_id))
    {
        return Err(ApiError::Conflict(
            "Ces périodes ne sont pas attribuées par le même tirage : classez-les séparément.",
        ));
    }
    // The draw's lock: wishes change one after the other, never while it runs.
    if !tirage::lock(conn, &tirage_id)? {
        return Err(ApiError::NotFound);
    }
    let draw = tirage::find(conn, &tirage_id)?.ok_or(ApiError::NotFound)?;
    if draw.tirage_le.is_some() || draw.fermeture.and_utc() <= now {
        return Err(ApiError::NotEligible(vec![Reason::Closed]));
    }
    let required = activite::required_pieces(conn, &activite_id)?;
    let known = facts::of_dossier(conn, dossier_id)?;
    let child = facts::child_birth_date(conn, dossier_id, &member_id)?;
    if child.is_none() {
        // Not a child of this family: nothing of it is touched, even to withdraw.
        return Err(ApiError::NotEligible(vec![Reason::NotInDossier]));
    }
    for found in &chosen {
        let rules = facts::rules(&activity, found, required.clone());
        let mut child_facts = known.child(&member_id, child, &found.id);
        // The family limit counts the other children wishing for the période (as well as
        // those already enrolled in it).
        let others = voeu::family_count_in_periode(conn, dossier_id, &found.id, &member_id)?;
        child_facts.family_enrolments_in_period = child_facts
            .family_enrolments_in_period
            .saturating_add(u32::try_from(others).unwrap_or(u32::MAX));
        let reasons = eligibility::wish_reasons(&rules, &child_facts, now);
        if !reasons.is_empty() {
            return Err(ApiError::NotEligible(reasons));
        }
    }
    let wisher = Wisher {
        tirage_id: &tirage_id,
        member_id: &member_id,
        dossier_id,
        demandeur_id: account_id,
    };
    let ids: Vec<&str> = asked.iter().map(String::as_str).collect();
    voeu::replace(conn, &wisher, &ids, now.naive_utc())?;
    of_child(conn, dossier_id, request.activite_id, request.enfant_id)
}
