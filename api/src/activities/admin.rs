//! The back office's catalogue: agents create, edit, publish and close activités and
//! their périodes. A période's capacity never goes below the places it holds; raising it
//! gives the new places to the waiting list at once.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use shared::api::activites::{
    ActiviteAgentList, ActiviteAgentView, ActiviteInput, Attribution, Categorie, ModeValidation,
    PeriodeAgentView, PeriodeInput, PeriodeStatut, PieceRequise,
};
use shared::validation::codes;
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::models::activite::{self, Activite, NewActivite, categorie};
use crate::db::models::inscription::{self, statut};
use crate::db::models::periode::{self, NewPeriode, Periode, UpdateOutcome, attribution, mode};
use crate::db::models::{tirage, voeu};
use crate::db::schema::{activite_pieces, inscriptions, piece_types};
use crate::enum_text::from_text;
use crate::error::ApiError;
use crate::rattachement::Mailing;

use super::{catalogue, lifecycle};

fn categorie_text(value: Categorie) -> &'static str {
    match value {
        Categorie::Periscolaire => categorie::PERISCOLAIRE,
        Categorie::Extrascolaire => categorie::EXTRASCOLAIRE,
        Categorie::Sport => categorie::SPORT,
        Categorie::Sejour => categorie::SEJOUR,
        Categorie::Restauration => categorie::RESTAURATION,
    }
}

/// The activité's row from the form, once its pieces are known to the catalogue.
fn new_activite(conn: &mut DbConn, input: &ActiviteInput) -> Result<NewActivite, ApiError> {
    let mut pieces = input.pieces_requises.clone();
    pieces.sort();
    pieces.dedup();
    let known: i64 = piece_types::table
        .filter(piece_types::code.eq_any(&pieces))
        .count()
        .get_result(conn)?;
    if usize::try_from(known).ok() != Some(pieces.len()) {
        return Err(ApiError::field(
            "pieces_requises",
            codes::UNKNOWN_PIECE_TYPE,
        ));
    }
    Ok(NewActivite {
        nom: input.nom.trim().to_string(),
        description: input.description.clone(),
        categorie: categorie_text(input.categorie),
        lieu: input.lieu.trim().to_string(),
        age_min: i32::from(input.age_min),
        age_max: i32::from(input.age_max),
        tarifs: input.tarifs.trim().to_string(),
        publiee: input.publiee,
        pieces,
    })
}

fn attribution_text(value: Attribution) -> &'static str {
    match value {
        Attribution::PremierArrive => attribution::PREMIER_ARRIVE,
        Attribution::Equitable => attribution::EQUITABLE,
    }
}

/// The draw an équitable période joins: the activité's one closing at the same instant
/// (created with its published seed if it is the first). A draw that already ran takes no
/// période.
fn draw_for(
    conn: &mut DbConn,
    activite_id: &str,
    input: &PeriodeInput,
    now: DateTime<Utc>,
) -> Result<Option<String>, ApiError> {
    if input.attribution != Attribution::Equitable {
        return Ok(None);
    }
    let draw = tirage::for_close(
        conn,
        activite_id,
        input.fermeture.naive_utc(),
        now.naive_utc(),
    )?;
    if draw.tirage_le.is_some() {
        return Err(ApiError::Conflict(
            "Le tirage au sort de cette activité à cette date de clôture a déjà eu lieu : choisissez une autre clôture.",
        ));
    }
    Ok(Some(draw.id))
}

fn new_periode(
    activite_id: &str,
    input: &PeriodeInput,
    tirage_id: Option<String>,
) -> Result<NewPeriode, ApiError> {
    let int = |value: u32| i32::try_from(value).map_err(anyhow::Error::from);
    Ok(NewPeriode {
        activite_id: activite_id.to_string(),
        libelle: input.libelle.trim().to_string(),
        premier_jour: input.premier_jour,
        dernier_jour: input.dernier_jour,
        horaires: input.horaires.trim().to_string(),
        capacite: int(input.capacite)?,
        ouverture: input.ouverture.naive_utc(),
        ouverture_residents: input.ouverture_residents.map(|t| t.naive_utc()),
        fermeture: input.fermeture.naive_utc(),
        annulation_jours: int(input.annulation_jours)?,
        limite_famille: input.limite_famille.map(int).transpose()?,
        liste_attente: input.liste_attente,
        mode_validation: match input.mode_validation {
            ModeValidation::Automatique => mode::AUTOMATIQUE,
            ModeValidation::SurValidation => mode::SUR_VALIDATION,
        },
        offre_heures: input.offre_heures.map(int).transpose()?,
        statut: match input.statut {
            PeriodeStatut::Brouillon => periode::statut::BROUILLON,
            PeriodeStatut::Publiee => periode::statut::PUBLIEE,
            PeriodeStatut::Close => periode::statut::CLOSE,
        },
        attribution: attribution_text(input.attribution),
        tirage_id,
    })
}

/// Creates an activité; answers its id.
pub fn create_activite(
    conn: &mut DbConn,
    input: &ActiviteInput,
    now: DateTime<Utc>,
) -> Result<String, ApiError> {
    let new = new_activite(conn, input)?;
    Ok(activite::insert(conn, &new, now.naive_utc())?)
}

/// Replaces activité `id`.
pub fn update_activite(
    conn: &mut DbConn,
    id: &str,
    input: &ActiviteInput,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let new = new_activite(conn, input)?;
    if !activite::update(conn, id, &new, now.naive_utc())? {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

/// Adds a période to activité `activite_id`; answers its id.
pub fn create_periode(
    conn: &mut DbConn,
    activite_id: &str,
    input: &PeriodeInput,
    now: DateTime<Utc>,
) -> Result<String, ApiError> {
    if activite::find(conn, activite_id)?.is_none() {
        return Err(ApiError::NotFound);
    }
    let tirage_id = draw_for(conn, activite_id, input, now)?;
    let new = new_periode(activite_id, input, tirage_id)?;
    Ok(periode::insert(conn, &new, now.naive_utc())?)
}

/// Replaces période `id`'s settings: 409 below the places it holds; places added go to
/// the waiting list. Answers the période's activité.
pub fn update_periode(
    conn: &mut DbConn,
    id: &str,
    input: &PeriodeInput,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<String, ApiError> {
    // The lock first, as enrolments take it: no place is taken between the check and the
    // change, and the waiting list moves after the change.
    let current = periode::lock(conn, id)?.ok_or(ApiError::NotFound)?;
    let same_draw = current.attribution == attribution_text(input.attribution)
        && current.fermeture == input.fermeture.naive_utc();
    let tirage_id = if same_draw {
        current.tirage_id.clone()
    } else if current.tirage_le.is_some() {
        return Err(ApiError::Conflict(
            "Le tirage au sort de cette période a eu lieu : son attribution et sa clôture ne changent plus.",
        ));
    } else if voeu::count_for_periode(conn, id)? > 0 {
        return Err(ApiError::Conflict(
            "Des familles ont déjà classé leurs vœux pour cette période : son attribution et sa clôture ne changent plus.",
        ));
    } else {
        draw_for(conn, &current.activite_id, input, now)?
    };
    let new = new_periode(&current.activite_id, input, tirage_id)?;
    match periode::update(conn, id, &new, now.naive_utc())? {
        UpdateOutcome::Updated => {}
        UpdateOutcome::NotFound => return Err(ApiError::NotFound),
        UpdateOutcome::BelowHeld => {
            return Err(ApiError::Conflict(
                "La capacité ne peut pas être inférieure au nombre de places déjà attribuées.",
            ));
        }
    }
    lifecycle::fill_freed_places(conn, id, mailing, now)?;
    Ok(current.activite_id)
}

/// Every activité with all its périodes and their counts (`only`: just that activité).
pub fn agent_list(conn: &mut DbConn, only: Option<&str>) -> Result<ActiviteAgentList, ApiError> {
    let found: Vec<Activite> = match only {
        Some(id) => activite::find(conn, id)?.into_iter().collect(),
        None => activite::all(conn)?,
    };
    let ids: Vec<&str> = found.iter().map(|a| a.id.as_str()).collect();
    let sessions = periode::of_activites(conn, &ids)?;
    let session_ids: Vec<&str> = sessions.iter().map(|p| p.id.as_str()).collect();
    let mut counts: HashMap<(String, String), i64> = HashMap::new();
    for (periode_id, status, count) in inscriptions::table
        .filter(inscriptions::periode_id.eq_any(&session_ids))
        .group_by((inscriptions::periode_id, inscriptions::statut))
        .select((
            inscriptions::periode_id,
            inscriptions::statut,
            diesel::dsl::count_star(),
        ))
        .load::<(String, String, i64)>(conn)?
    {
        counts.insert((periode_id, status), count);
    }
    let pieces: Vec<(String, String, String)> = activite_pieces::table
        .inner_join(piece_types::table)
        .filter(activite_pieces::activite_id.eq_any(&ids))
        .order(piece_types::position)
        .select((
            activite_pieces::activite_id,
            piece_types::code,
            piece_types::libelle,
        ))
        .load(conn)?;
    let mut items = Vec::with_capacity(found.len());
    for activite in found {
        let periodes = sessions
            .iter()
            .filter(|p| p.activite_id == activite.id)
            .map(|p| agent_view_with(p, &counts))
            .collect::<Result<Vec<_>, ApiError>>()?;
        items.push(ActiviteAgentView {
            id: Uuid::parse_str(&activite.id).map_err(anyhow::Error::from)?,
            pieces_requises: pieces
                .iter()
                .filter(|(owner, _, _)| *owner == activite.id)
                .map(|(_, code, libelle)| PieceRequise {
                    code: code.clone(),
                    libelle: libelle.clone(),
                })
                .collect(),
            categorie: from_text(&activite.categorie)?,
            age_min: u8::try_from(activite.age_min).map_err(anyhow::Error::from)?,
            age_max: u8::try_from(activite.age_max).map_err(anyhow::Error::from)?,
            version: activite.version,
            nom: activite.nom,
            description: activite.description,
            lieu: activite.lieu,
            tarifs: activite.tarifs,
            publiee: activite.publiee,
            periodes,
        });
    }
    Ok(ActiviteAgentList { items })
}

/// Activité `id` as agents see it.
pub fn agent_view(conn: &mut DbConn, id: &str) -> Result<ActiviteAgentView, ApiError> {
    agent_list(conn, Some(id))?
        .items
        .pop()
        .ok_or(ApiError::NotFound)
}

/// Période `id` as agents see it.
pub fn periode_view(conn: &mut DbConn, id: &str) -> Result<PeriodeAgentView, ApiError> {
    let found = periode::find(conn, id)?.ok_or(ApiError::NotFound)?;
    let counts = inscription::count_by_status(conn, id)?
        .into_iter()
        .map(|(status, count)| ((id.to_string(), status), count))
        .collect();
    agent_view_with(&found, &counts)
}

fn agent_view_with(
    p: &Periode,
    counts: &HashMap<(String, String), i64>,
) -> Result<PeriodeAgentView, ApiError> {
    let count = |status: &str| {
        let found = counts.get(&(p.id.clone(), status.to_string()));
        u32::try_from(found.copied().unwrap_or(0)).unwrap_or(u32::MAX)
    };
    Ok(PeriodeAgentView {
        periode: catalogue::view_of(p, i64::from(count(statut::LISTE_ATTENTE)))?,
        statut: from_text(&p.statut)?,
        offre_heures: p.offre_heures.and_then(|h| u32::try_from(h).ok()),
        confirmees: count(statut::CONFIRMEE),
        demandees: count(statut::DEMANDEE),
        proposees: count(statut::PLACE_PROPOSEE),
        version: p.version,
    })
}
