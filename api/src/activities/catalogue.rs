//! The public catalogue: published activités with their published périodes and the places
//! left now. Read on every visit of « Activités » — on opening morning by thousands of
//! families reloading it —, so it costs four queries whatever the size of the catalogue,
//! and the places come from the very counter the enrolment takes places from.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use shared::api::activites::{ActiviteList, ActiviteView, PeriodeView, PieceRequise};
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::models::activite::Activite;
use crate::db::models::inscription::statut;
use crate::db::models::periode::{Periode, statut as periode_statut};
use crate::db::schema::{activite_pieces, activites, inscriptions, periodes, piece_types};
use crate::enum_text::from_text;

fn to_u32(value: i32) -> u32 {
    u32::try_from(value).unwrap_or(0)
}

fn utc(t: chrono::NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// The published catalogue, activités by name, périodes by first day.
pub fn published(conn: &mut DbConn) -> anyhow::Result<ActiviteList> {
    let found: Vec<Activite> = activites::table
        .filter(activites::publiee.eq(true))
        .order((activites::nom, activites::id))
        .select(Activite::as_select())
        .load(conn)?;
    let ids: Vec<&str> = found.iter().map(|a| a.id.as_str()).collect();
    let sessions: Vec<Periode> = periodes::table
        .filter(periodes::activite_id.eq_any(&ids))
        .filter(periodes::statut.eq(periode_statut::PUBLIEE))
        .order((periodes::premier_jour, periodes::libelle))
        .select(Periode::as_select())
        .load(conn)?;
    let session_ids: Vec<&str> = sessions.iter().map(|p| p.id.as_str()).collect();
    let waiting: HashMap<String, i64> = inscriptions::table
        .filter(inscriptions::periode_id.eq_any(&session_ids))
        .filter(inscriptions::statut.eq(statut::LISTE_ATTENTE))
        .group_by(inscriptions::periode_id)
        .select((inscriptions::periode_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
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
            .map(|p| view_of(p, waiting.get(&p.id).copied().unwrap_or(0)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let pieces_requises = pieces
            .iter()
            .filter(|(owner, _, _)| *owner == activite.id)
            .map(|(_, code, libelle)| PieceRequise {
                code: code.clone(),
                libelle: libelle.clone(),
            })
            .collect();
        items.push(ActiviteView {
            id: Uuid::parse_str(&activite.id)?,
            nom: activite.nom,
            description: activite.description,
            categorie: from_text(&activite.categorie)?,
            lieu: activite.lieu,
            age_min: u8::try_from(activite.age_min)?,
            age_max: u8::try_from(activite.age_max)?,
            tarifs: activite.tarifs,
            pieces_requises,
            periodes,
        });
    }
    Ok(ActiviteList { items })
}

/// A période as families see it.
pub(crate) fn view_of(p: &Periode, waiting: i64) -> anyhow::Result<PeriodeView> {
    Ok(PeriodeView {
        id: Uuid::parse_str(&p.id)?,
        libelle: p.libelle.clone(),
        premier_jour: p.premier_jour,
        dernier_jour: p.dernier_jour,
        horaires: p.horaires.clone(),
        capacite: to_u32(p.capacite),
        places_restantes: to_u32(p.capacite - p.places_prises),
        en_liste_attente: u32::try_from(waiting).unwrap_or(u32::MAX),
        liste_attente: p.liste_attente,
        ouverture: utc(p.ouverture),
        ouverture_residents: p.ouverture_residents.map(utc),
        fermeture: utc(p.fermeture),
        annulation_jours: to_u32(p.annulation_jours),
        limite_famille: p.limite_famille.map(to_u32),
        mode_validation: from_text(&p.mode_validation)?,
        attribution: from_text(&p.attribution)?,
        tirage_le: p.tirage_le.map(utc),
    })
}
