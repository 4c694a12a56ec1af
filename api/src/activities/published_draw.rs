//! The public page of a draw: its rules, its seed published before any wish, the counts,
//! and once it ran, every wish by number and pseudonym in the order the rules served
//! them — enough for anyone to re-run it (`portail-famille attribution verifier`), and
//! nothing that names a family.

use std::collections::HashMap;

use shared::api::voeux::{ResultatVoeu, TirageLigne, TiragePeriode, TirageView};
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::models::periode::{self, statut as periode_statut};
use crate::db::models::voeu;
use crate::db::models::{activite, tirage};
use crate::error::ApiError;

use super::draw::pseudonym;

/// The rules, in the order they apply, as the town publishes them.
pub const REGLES: [&str; 6] = [
    "Les vœux sont reçus jusqu'à la clôture ; l'heure à laquelle ils sont envoyés ne compte pas.",
    "Tous les premiers vœux sont servis avant les deuxièmes, et ainsi de suite.",
    "À rang égal, les familles qui habitent la commune passent en premier.",
    "Les frères et sœurs qui demandent la même période au même rang forment un groupe : placés ensemble ou pas du tout.",
    "Entre demandes égales, un tirage au sort : le numéro de tirage d'un groupe est l'empreinte SHA-256 de « graine du tirage:numéro de sa première demande » ; le plus petit passe en premier. La graine du tirage est l'empreinte SHA-256 de « graine publiée:numéros de toutes les demandes, triés et séparés par des virgules ».",
    "Un enfant placé par un vœu n'est plus placé par un autre ; les demandes non servies vont en liste d'attente, dans l'ordre du tirage.",
];

fn uuid(id: &str) -> Result<Uuid, ApiError> {
    Ok(Uuid::parse_str(id).map_err(anyhow::Error::from)?)
}

/// The draw of published équitable période `periode_id` (404 for any other).
pub fn of_periode(conn: &mut DbConn, periode_id: &str) -> Result<TirageView, ApiError> {
    let asked = periode::find(conn, periode_id)?
        .filter(|p| p.statut != periode_statut::BROUILLON)
        .ok_or(ApiError::NotFound)?;
    let tirage_id = asked.tirage_id.clone().ok_or(ApiError::NotFound)?;
    let draw = tirage::find(conn, &tirage_id)?.ok_or(ApiError::NotFound)?;
    let activity = activite::find(conn, &draw.activite_id)?
        .filter(|a| a.publiee)
        .ok_or(ApiError::NotFound)?;
    let sessions: Vec<_> = periode::of_tirage(conn, &tirage_id)?
        .into_iter()
        .filter(|p| p.statut != periode_statut::BROUILLON)
        .collect();
    let wishes = voeu::of_tirage(conn, &tirage_id)?;
    let mut demandes: HashMap<&str, u32> = HashMap::new();
    for wish in &wishes {
        *demandes.entry(wish.periode_id.as_str()).or_default() += 1;
    }
    let periodes = sessions
        .iter()
        .map(|p| {
            let places = p
                .tirage_places
                .unwrap_or((p.capacite - p.places_prises).max(0));
            Ok(TiragePeriode {
                id: uuid(&p.id)?,
                libelle: p.libelle.clone(),
                places: u32::try_from(places).unwrap_or(0),
                demandes: demandes.get(p.id.as_str()).copied().unwrap_or(0),
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let mut lignes = Vec::new();
    if draw.tirage_le.is_some() {
        let mut served: Vec<_> = wishes.iter().collect();
        served.sort_by_key(|w| w.ordre);
        for wish in served {
            lignes.push(TirageLigne {
                numero: uuid(&wish.id)?,
                foyer: pseudonym(&draw.graine, &wish.dossier_id),
                enfant: pseudonym(&draw.graine, &wish.member_id),
                periode_id: uuid(&wish.periode_id)?,
                rang: u32::try_from(wish.rang).unwrap_or(0),
                resident: wish.resident.unwrap_or(false),
                tirage: wish.tirage.clone().unwrap_or_default(),
                // Lines are published once the draw ran, which gave every wish a result.
                resultat: wish.resultat().unwrap_or(ResultatVoeu::SansObjet),
                position: wish.position.and_then(|p| u32::try_from(p).ok()),
            });
        }
    }
    Ok(TirageView {
        activite_id: uuid(&activity.id)?,
        activite: activity.nom,
        periode_id: uuid(&asked.id)?,
        regles: REGLES.iter().map(|r| (*r).to_string()).collect(),
        graine: draw.graine,
        fermeture: draw.fermeture.and_utc(),
        tirage_le: draw.tirage_le.map(|t| t.and_utc()),
        graine_tirage: draw.graine_tirage,
        periodes,
        lignes,
    })
}
