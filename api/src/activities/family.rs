//! « Mes inscriptions »: a dossier's inscriptions with their activité, période and child.

use diesel::prelude::*;
use shared::api::activites::{InscriptionDetail, InscriptionList, InscriptionView};
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::models::inscription::{self, Inscription, statut};
use crate::db::schema::{activites, inscriptions, members, periodes};
use crate::enum_text::from_text;

/// The inscriptions of dossier `dossier_id`, the latest période first.
pub fn of_dossier(conn: &mut DbConn, dossier_id: &str) -> anyhow::Result<InscriptionList> {
    type Row = (
        Inscription,
        (String, chrono::NaiveDate, chrono::NaiveDate, i32),
        String,
        (Option<String>, Option<String>),
    );
    let rows: Vec<Row> = inscriptions::table
        .inner_join(periodes::table.inner_join(activites::table))
        .inner_join(members::table)
        .filter(inscriptions::dossier_id.eq(dossier_id))
        .order((
            periodes::premier_jour.desc(),
            inscriptions::created_at.desc(),
        ))
        .select((
            Inscription::as_select(),
            (
                periodes::libelle,
                periodes::premier_jour,
                periodes::dernier_jour,
                periodes::annulation_jours,
            ),
            activites::nom,
            (members::prenom, members::nom),
        ))
        .load(conn)?;
    let mut items = Vec::with_capacity(rows.len());
    for (row, (periode, premier_jour, dernier_jour, annulation_jours), activite, (prenom, nom)) in
        rows
    {
        let enfant = [prenom, nom]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        items.push(InscriptionDetail {
            inscription: view(conn, &row)?,
            activite,
            periode,
            premier_jour,
            dernier_jour,
            enfant,
            offre_expire_at: row.offre_expire_at.map(|t| t.and_utc()),
            motif: row.motif,
            annulable_jusqu_au: shared::eligibility::last_cancellation_day(
                premier_jour,
                u32::try_from(annulation_jours).unwrap_or(0),
            ),
            par_agent: row.par_agent,
        });
    }
    Ok(InscriptionList { items })
}

/// Inscription `row` as its family sees it, with its waiting-list position if waiting.
pub fn view(conn: &mut DbConn, row: &Inscription) -> anyhow::Result<InscriptionView> {
    let position = if row.statut == statut::LISTE_ATTENTE {
        let position = inscription::waiting_position(conn, &row.periode_id, row.rang)?;
        Some(u32::try_from(position)?)
    } else {
        None
    };
    Ok(InscriptionView {
        id: Uuid::parse_str(&row.id)?,
        periode_id: Uuid::parse_str(&row.periode_id)?,
        enfant_id: Uuid::parse_str(&row.member_id)?,
        statut: from_text(&row.statut)?,
        position_liste_attente: position,
    })
}
