//! For a family: each of its children against each published période — every reason it
//! cannot be enrolled now, by the same rule the enrolment applies. The SPA filters the
//! catalogue and explains refusals with it before the family sends anything.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use shared::api::activites::{Eligibilite, EligibiliteList, EnfantDossier};
use shared::eligibility;
use uuid::Uuid;

use crate::db::DbConn;
use crate::db::models::activite::Activite;
use crate::db::models::periode::{Periode, statut as periode_statut};
use crate::db::schema::{activite_pieces, activites, periodes};

use super::facts;

/// The children of dossier `dossier_id` (none without a dossier) and their eligibility
/// for every published période at `now`.
pub fn of_dossier(
    conn: &mut DbConn,
    dossier_id: Option<&str>,
    now: DateTime<Utc>,
) -> anyhow::Result<EligibiliteList> {
    let Some(dossier_id) = dossier_id else {
        return Ok(EligibiliteList {
            maintenant: now,
            enfants: Vec::new(),
            items: Vec::new(),
        });
    };
    let children = facts::children(conn, dossier_id)?;
    let known = facts::of_dossier(conn, dossier_id)?;
    let sessions: Vec<(Periode, Activite)> = periodes::table
        .inner_join(activites::table)
        .filter(activites::publiee.eq(true))
        .filter(periodes::statut.eq(periode_statut::PUBLIEE))
        .order((activites::nom, periodes::premier_jour, periodes::id))
        .select((Periode::as_select(), Activite::as_select()))
        .load(conn)?;
    let mut required: HashMap<String, Vec<String>> = HashMap::new();
    for (activite_id, code) in activite_pieces::table
        .select((activite_pieces::activite_id, activite_pieces::piece_type))
        .order(activite_pieces::piece_type)
        .load::<(String, String)>(conn)?
    {
        required.entry(activite_id).or_default().push(code);
    }

    let mut items = Vec::with_capacity(children.len() * sessions.len());
    for (periode, activite) in &sessions {
        let pieces = required.get(&activite.id).cloned().unwrap_or_default();
        let rules = facts::rules(activite, periode, pieces);
        for (child_id, _, _, birth_date) in &children {
            let child = known.child(child_id, Some(*birth_date), &periode.id);
            items.push(Eligibilite {
                enfant_id: Uuid::parse_str(child_id)?,
                periode_id: Uuid::parse_str(&periode.id)?,
                raisons: eligibility::reasons(&rules, &child, now),
            });
        }
    }
    let enfants = children
        .into_iter()
        .map(|(id, prenom, nom, date_naissance)| {
            Ok(EnfantDossier {
                id: Uuid::parse_str(&id)?,
                prenom: prenom.unwrap_or_default(),
                nom: nom.unwrap_or_default(),
                date_naissance,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(EligibiliteList {
        maintenant: now,
        enfants,
        items,
    })
}
