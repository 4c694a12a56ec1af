//! The families of the opening-morning load test (issue 13; `portail-famille charge
//! preparer`, run by `scripts/opening-morning.sh`), written straight into the database:
//!
//! - the dossiers go through the town's own CSV import ([`crate::import`]), as validated
//!   dossiers with one to three children each (born 2014–2020: 6 to 12 years old);
//! - each family gets an activated account with the current CGU accepted, linked to its
//!   dossier. Every account has the same password, hashed **once**: hashing 25,000
//!   passwords one by one would take the seed longer than the morning it prepares, and the
//!   server verifies each login at full Argon2id cost anyway;
//! - one published activité with `periodes` périodes of `places` places each, opening at
//!   `opening` (automatic confirmation, waiting list on, no piece required);
//! - or, for *attribution équitable* (`fair`), the same périodes given by one draw whose
//!   wishes close at `opening`, and every child's three wishes already ranked (early
//!   weeks wanted most, as on opening morning), as if families had sent them during the
//!   week before.
//!
//! Four households in five live in the town (28000), the others next door (28300).
//!
//! Accounts are `{prefix}00001`… with addresses `{prefix}00001@charge.invalid` (the
//! `.invalid` top-level domain can never receive mail).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use diesel::prelude::*;

use crate::auth::password::hash_now;
use crate::db::models::account::{NewAccount, role, state};
use crate::db::models::activite::{self, NewActivite, categorie};
use crate::db::models::periode::{self, NewPeriode, mode, statut};
use crate::db::models::{cgu, dossier, tirage, voeu};
use crate::db::schema::{accounts, dossier_accounts, dossiers, members, periodes};
use crate::db::{DbConn, new_id, now, write_tx};

/// What to prepare.
#[derive(Clone, Debug)]
pub struct Plan {
    pub families: usize,
    pub periodes: usize,
    pub places: i32,
    pub opening: DateTime<Utc>,
    pub password: String,
    /// Usernames' prefix (letters), so that several runs can share a database.
    pub prefix: String,
    /// *Attribution équitable*: `opening` is then when the wishes close.
    pub fair: bool,
}

/// What was prepared.
#[derive(Debug)]
pub struct Prepared {
    pub usernames: Vec<String>,
    pub children: usize,
    pub periode_ids: Vec<String>,
}

/// How many children family `index` has: 1, 2 or 3, about 45 %, 35 %, 20 %.
pub fn children_of(index: usize) -> usize {
    match (index * 7919) % 20 {
        0..=8 => 1,
        9..=15 => 2,
        _ => 3,
    }
}

fn username(prefix: &str, index: usize) -> String {
    format!("{prefix}{index:05}")
}

/// The dossiers, in the import's CSV format.
fn dossiers_csv(plan: &Plan, first_numero: usize) -> String {
    let mut csv =
        String::from("numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune\n");
    for index in 0..plan.families {
        let numero = first_numero + index;
        let name = format!("Charge {}", letters(index));
        let (code_postal, commune) = if index % 5 == 4 {
            ("28300", "Mainvilliers")
        } else {
            ("28000", "Chartres")
        };
        csv.push_str(&format!(
            "{numero};responsable;F;{name};Camille;1985-03-01;1 rue des Écoles;{code_postal};{commune}\n"
        ));
        for child in 0..children_of(index) {
            let year = 2014 + (index + child * 3) % 7;
            let prenom = ["Léa", "Noé", "Inès"][child];
            csv.push_str(&format!(
                "{numero};enfant;M;{name};{prenom};{year}-06-15;;;\n"
            ));
        }
    }
    csv
}

/// `index` in letters (names take letters only): 0 → « aaaa », 1 → « aaab »…
fn letters(index: usize) -> String {
    (0..4)
        .rev()
        .map(|place| {
            let digit = (index / 26usize.pow(place)) % 26;
            char::from(b'a' + u8::try_from(digit).unwrap_or(0))
        })
        .collect()
}

/// Prepares `plan` in the database.
pub fn prepare(conn: &mut DbConn, plan: &Plan) -> anyhow::Result<Prepared> {
    let at = now();
    // Numbers above any the town hands out, distinct per prefix.
    let first_numero = 900_000
        + plan
            .prefix
            .bytes()
            .fold(0usize, |acc, b| (acc * 31 + usize::from(b)) % 90)
            * 1_000_000;
    let report = crate::import::import_dossiers(conn, dossiers_csv(plan, first_numero).as_bytes())
        .map_err(|errors| anyhow::anyhow!("import refused: {errors:?}"))?;
    anyhow::ensure!(
        report.dossiers == plan.families,
        "{} dossiers imported for {} families",
        report.dossiers,
        plan.families
    );
    let hash = hash_now(plan.password.as_bytes())?;
    let version = cgu::current(conn, at)?.map(|c| c.version);
    let mut usernames = Vec::with_capacity(plan.families);
    write_tx(conn, |conn| -> anyhow::Result<()> {
        for index in 0..plan.families {
            let name = username(&plan.prefix, index);
            let email = format!("{name}@charge.invalid");
            let id = new_id();
            NewAccount {
                id: &id,
                username: &name,
                username_normalized: &name.to_lowercase(),
                email: &email,
                email_normalized: &email.to_lowercase(),
                password_hash: Some(&hash),
                state: state::ACTIVE,
                new_household: false,
                created_at: at,
            }
            .insert(conn)?;
            diesel::update(accounts::table.find(&id))
                .set((
                    accounts::activated_at.eq(at),
                    accounts::role.eq(role::FAMILLE),
                ))
                .execute(conn)?;
            if let Some(version) = version {
                cgu::accept(conn, &id, version, at)?;
            }
            let numero = (first_numero + index).to_string();
            let dossier_id: String = dossiers::table
                .filter(dossiers::numero.eq(&numero))
                .select(dossiers::id)
                .first(conn)?;
            dossier::link_account(conn, &id, &dossier_id, at)?;
            usernames.push(name);
        }
        Ok(())
    })?;
    let periode_ids = write_tx(conn, |conn| catalogue(conn, plan, at))?;
    if plan.fair {
        write_tx(conn, |conn| {
            wishes(conn, plan, first_numero, &periode_ids, at)
        })?;
    }
    Ok(Prepared {
        usernames,
        children: (0..plan.families).map(children_of).sum(),
        periode_ids,
    })
}

/// The activité and its périodes, one week each.
fn catalogue(
    conn: &mut DbConn,
    plan: &Plan,
    at: chrono::NaiveDateTime,
) -> anyhow::Result<Vec<String>> {
    let activity = activite::insert(
        conn,
        &NewActivite {
            nom: format!("Vacances sportives — essai de charge {}", plan.prefix),
            description: "Périodes créées pour l'essai de charge du matin d'ouverture.".into(),
            categorie: categorie::SPORT,
            lieu: "Complexe sportif".into(),
            age_min: 3,
            age_max: 17,
            tarifs: String::new(),
            publiee: true,
            pieces: vec![],
        },
        at,
    )?;
    let monday = NaiveDate::from_ymd_opt(2027, 1, 4).ok_or_else(|| anyhow::anyhow!("date"))?;
    let (ouverture, fermeture, attribution, tirage_id) = if plan.fair {
        let close = plan.opening.naive_utc();
        let draw = tirage::for_close(conn, &activity, close, at)?;
        (
            at - Duration::days(7),
            close,
            periode::attribution::EQUITABLE,
            Some(draw.id),
        )
    } else {
        let open = plan.opening.naive_utc();
        (
            open,
            open + Duration::days(30),
            periode::attribution::PREMIER_ARRIVE,
            None,
        )
    };
    (0..plan.periodes)
        .map(|week| {
            let first = monday + Duration::weeks(i64::try_from(week)?);
            let new = NewPeriode {
                activite_id: activity.clone(),
                libelle: format!("Semaine {}", week + 1),
                premier_jour: first,
                dernier_jour: first + Duration::days(4),
                horaires: "Du lundi au vendredi, de 9 h à 17 h".into(),
                capacite: plan.places,
                ouverture,
                ouverture_residents: None,
                fermeture,
                annulation_jours: 7,
                limite_famille: None,
                liste_attente: true,
                mode_validation: mode::AUTOMATIQUE,
                offre_heures: None,
                statut: statut::PUBLIEE,
                attribution,
                tirage_id: tirage_id.clone(),
            };
            Ok(periode::insert(conn, &new, at)?)
        })
        .collect()
}

/// Week `k` (0-based) of `weeks` for a uniform `u` in [0, 1): early weeks are wanted
/// most (the square skews towards 0).
fn skewed_week(u: f64, weeks: usize) -> usize {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let week = (u * u * weeks as f64) as usize;
    week.min(weeks.saturating_sub(1))
}

/// Every child's three wishes, ranked, as its family would have sent them.
fn wishes(
    conn: &mut DbConn,
    plan: &Plan,
    first_numero: usize,
    periode_ids: &[String],
    at: chrono::NaiveDateTime,
) -> anyhow::Result<()> {
    use rand::{Rng, SeedableRng};
    let tirage_id: String = periodes::table
        .find(
            periode_ids
                .first()
                .ok_or_else(|| anyhow::anyhow!("no période"))?,
        )
        .select(periodes::tirage_id)
        .first::<Option<String>>(conn)?
        .ok_or_else(|| anyhow::anyhow!("not a draw"))?;
    // A fixed generator: the same plan gives the same wishes.
    let mut rng = rand::rngs::StdRng::seed_from_u64(2027);
    let numeros: Vec<String> = (0..plan.families)
        .map(|index| (first_numero + index).to_string())
        .collect();
    let mut children: Vec<(String, String, String)> = Vec::new();
    for some in numeros.chunks(1000) {
        children.extend(
            members::table
                .inner_join(dossiers::table)
                .inner_join(
                    dossier_accounts::table.on(dossier_accounts::dossier_id.eq(dossiers::id)),
                )
                .filter(members::role.eq("enfant"))
                .filter(dossiers::numero.eq_any(some))
                .order((dossiers::numero, members::position))
                .select((members::id, dossiers::id, dossier_accounts::account_id))
                .load::<(String, String, String)>(conn)?,
        );
    }
    for (member_id, dossier_id, account_id) in children {
        let mut chosen: Vec<&str> = Vec::with_capacity(3);
        while chosen.len() < 3.min(periode_ids.len()) {
            let week = skewed_week(rng.random::<f64>(), periode_ids.len());
            let id = periode_ids[week].as_str();
            if !chosen.contains(&id) {
                chosen.push(id);
            }
        }
        let wisher = voeu::Wisher {
            tirage_id: &tirage_id,
            member_id: &member_id,
            dossier_id: &dossier_id,
            demandeur_id: &account_id,
        };
        voeu::insert_ranked(conn, &wisher, &chosen, at)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_have_one_to_three_children_most_often_one() {
        let counts = (0..1000).map(children_of).fold([0; 4], |mut acc, n| {
            acc[n] += 1;
            acc
        });
        assert_eq!(counts[0], 0);
        assert!(counts[1] > counts[2] && counts[2] > counts[3], "{counts:?}");
    }

    #[test]
    fn names_are_letters_and_distinct() {
        assert_eq!(letters(0), "aaaa");
        assert_eq!(letters(27), "aabb");
        assert_ne!(letters(25_000), letters(24_999));
    }
}
