//! Content that makes a fresh local portal usable: the CGU and the seed's validated
//! dossier n° 17484 (CREATION Père and Mère, one child) that a new account can link to.
//! Loaded only into an empty database, and never in production unless `DEMO_CONTENT=true`.

use chrono::NaiveDate;
use shared::api::dossier::{
    DemandeKind, DemandeStatus, LinkInput, MemberInput, Relation, Role, Sexe,
};

use crate::db::models::demande::{self, Actor};
use crate::db::models::{cgu, dossier, member};
use crate::db::schema::dossiers;
use crate::db::{DbConn, new_id, now, write_tx};

/// The terms of use shown on the consent page (excerpt of the seed's articles).
pub const DEMO_CGU: &str = include_str!("demo_cgu.txt");

fn person(role: Role, sexe: Sexe, prenom: &str, birth: (i32, u32, u32)) -> MemberInput {
    MemberInput {
        role,
        sexe: Some(sexe),
        nom: Some("CREATION".into()),
        prenom: Some(prenom.into()),
        date_naissance: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2),
        telephone_mobile: (role != Role::Enfant).then(|| "06 00 00 00 00".into()),
        ..MemberInput::default()
    }
}

/// Loads the demo content if the database has none.
pub fn load(conn: &mut DbConn) -> anyhow::Result<()> {
    use diesel::prelude::*;
    write_tx(conn, |conn| -> anyhow::Result<()> {
        let now = now();
        if cgu::current(conn, now)?.is_none() {
            cgu::publish(conn, DEMO_CGU, now)?;
        }
        let exists: i64 = dossiers::table
            .filter(dossiers::numero.eq("17484"))
            .count()
            .get_result(conn)?;
        if exists > 0 {
            return Ok(());
        }
        // A validated dossier has no account yet: it came from the town's records.
        let id = new_id();
        diesel::insert_into(dossiers::table)
            .values((
                dossiers::id.eq(&id),
                dossiers::numero.eq("17484"),
                dossiers::adresse.eq("1 place des Épars"),
                dossiers::code_postal.eq("28000"),
                dossiers::commune.eq("Chartres"),
                dossiers::version.eq(1),
                dossiers::created_at.eq(now),
                dossiers::updated_at.eq(now),
            ))
            .execute(conn)?;
        let father = member::insert(
            conn,
            &id,
            &person(Role::Responsable, Sexe::Masculin, "Père", (1984, 6, 12)),
            now,
        )?;
        let mother = member::insert(
            conn,
            &id,
            &person(Role::Conjoint, Sexe::Feminin, "Mère", (1986, 2, 3)),
            now,
        )?;
        let child = member::insert(
            conn,
            &id,
            &person(Role::Enfant, Sexe::Feminin, "Enfant", (2018, 1, 1)),
            now,
        )?;
        let link = |adult: &str, relation| LinkInput {
            adult_id: adult.parse().unwrap_or_default(),
            relation,
            autorite_parentale: true,
            contact_urgence: true,
            autorise_recuperer: true,
        };
        member::set_links(
            conn,
            &child,
            &[link(&father, Relation::Pere), link(&mother, Relation::Mere)],
        )?;
        demande::create(
            conn,
            &id,
            DemandeKind::CreationDossier,
            DemandeStatus::Validee,
            Actor::Agent("demo"),
            now,
        )?;
        let _ = dossier::find(conn, &id)?;
        Ok(())
    })
}
