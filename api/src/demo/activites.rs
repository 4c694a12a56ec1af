//! The demo catalogue: the seed's « Vacances sportives » (two weeks for two age groups,
//! 24 places each, an insurance certificate required; one week opens later, to show the
//! opening date), the « Accueil de loisirs du mercredi » (confirmed at once, no piece), and
//! a small stage already full (the demo dossier's child holds its only place), and two
//! snow trips given by *attribution équitable* (wishes for two weeks, then a draw), so
//! that every state of « Activités » can be seen on a fresh portal.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::activite::{self, NewActivite, categorie};
use crate::db::models::inscription::{self, NewInscription, statut};
use crate::db::models::periode::{self, NewPeriode, mode, statut as periode_statut};
use crate::db::models::tirage;
use crate::db::schema::{activites, dossiers, members};

fn day(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| anyhow::anyhow!("demo date"))
}

/// Paris wall-clock `time` on `date`, as stored (UTC).
fn paris(date: NaiveDate, h: u32, min: u32) -> NaiveDateTime {
    let local = date.and_time(NaiveTime::from_hms_opt(h, min, 0).unwrap_or(NaiveTime::MIN));
    shared::paris::to_utc(local).naive_utc()
}

struct Session {
    libelle: &'static str,
    first: NaiveDate,
    last: NaiveDate,
    horaires: &'static str,
    capacite: i32,
    /// `None`: open since yesterday.
    opens: Option<NaiveDateTime>,
}

fn add(
    conn: &mut DbConn,
    activity: &str,
    session: &Session,
    validation: &'static str,
    offre_heures: Option<i32>,
    now: NaiveDateTime,
) -> anyhow::Result<String> {
    let new = NewPeriode {
        activite_id: activity.to_string(),
        libelle: session.libelle.into(),
        premier_jour: session.first,
        dernier_jour: session.last,
        horaires: session.horaires.into(),
        capacite: session.capacite,
        ouverture: session.opens.unwrap_or(now - Duration::days(1)),
        ouverture_residents: None,
        fermeture: paris(session.first - Duration::days(10), 19, 0),
        annulation_jours: 7,
        limite_famille: None,
        liste_attente: true,
        mode_validation: validation,
        offre_heures,
        statut: periode_statut::PUBLIEE,
        attribution: periode::attribution::PREMIER_ARRIVE,
        tirage_id: None,
    };
    Ok(periode::insert(conn, &new, now)?)
}

/// « Séjour à la neige »: two weeks given by one draw, wishes open for two weeks.
fn add_snow_trips(conn: &mut DbConn, now: NaiveDateTime) -> anyhow::Result<()> {
    let sejour = activite::insert(
        conn,
        &NewActivite {
            nom: "Séjour à la neige — février 2027".into(),
            description: "Cinq jours au chalet municipal des Contamines : ski encadré par                 l'ESF, raquettes et veillées. Les places sont attribuées par **tirage au                 sort** parmi les vœux des familles : classez vos préférences avant la                 clôture, l'heure d'envoi ne compte pas."
                .into(),
            categorie: categorie::SEJOUR,
            lieu: "Chalet des Contamines-Montjoie (Haute-Savoie)".into(),
            age_min: 8,
            age_max: 12,
            tarifs: "De 90 € à 380 € le séjour selon le quotient familial.".into(),
            publiee: true,
            pieces: vec![],
        },
        now,
    )?;
    let fermeture = paris(now.date() + Duration::days(14), 18, 0);
    let draw = tirage::for_close(conn, &sejour, fermeture, now)?;
    for (libelle, first) in [
        ("Séjour 1 : du 15 au 19 février 2027", day(2027, 2, 15)?),
        ("Séjour 2 : du 22 au 26 février 2027", day(2027, 2, 22)?),
    ] {
        let new = NewPeriode {
            activite_id: sejour.clone(),
            libelle: libelle.into(),
            premier_jour: first,
            dernier_jour: first + Duration::days(4),
            horaires: "Départ le lundi à 7 h, retour le vendredi vers 19 h".into(),
            capacite: 20,
            ouverture: now - Duration::days(1),
            ouverture_residents: None,
            fermeture,
            annulation_jours: 14,
            limite_famille: None,
            liste_attente: true,
            mode_validation: mode::AUTOMATIQUE,
            offre_heures: Some(48),
            statut: periode_statut::PUBLIEE,
            attribution: periode::attribution::EQUITABLE,
            tirage_id: Some(draw.id.clone()),
        };
        periode::insert(conn, &new, now)?;
    }
    Ok(())
}

/// Loads the demo catalogue if there is no activité yet.
pub fn load(conn: &mut DbConn, now: NaiveDateTime) -> anyhow::Result<()> {
    let existing: i64 = activites::table.count().get_result(conn)?;
    if existing > 0 {
        return Ok(());
    }
    let sport_description = "Des après-midi de **sports collectifs**, d'escalade et de \
        natation, encadrés par les éducateurs sportifs de la ville.\n\n\
        Prévoir une tenue de sport, une gourde et un goûter.";
    for (nom, age_min, age_max) in [
        ("Vacances sportives hiver 2027 — 6 à 8 ans", 6, 8),
        ("Vacances sportives hiver 2027 — 9 à 11 ans", 9, 11),
    ] {
        let id = activite::insert(
            conn,
            &NewActivite {
                nom: nom.into(),
                description: sport_description.into(),
                categorie: categorie::SPORT,
                lieu: "Complexe sportif de la Madeleine".into(),
                age_min,
                age_max,
                tarifs: "De 12 € à 45 € la semaine selon le quotient familial.".into(),
                publiee: true,
                pieces: vec!["attestation_assurance".into()],
            },
            now,
        )?;
        let week_one = Session {
            libelle: "Semaine 1 : du 15 au 19 février 2027",
            first: day(2027, 2, 15)?,
            last: day(2027, 2, 19)?,
            horaires: "Du lundi au vendredi, de 14 h à 19 h",
            capacite: 24,
            opens: None,
        };
        let week_two = Session {
            libelle: "Semaine 2 : du 22 au 26 février 2027",
            first: day(2027, 2, 22)?,
            last: day(2027, 2, 26)?,
            // The second week opens later: « Ouverture des inscriptions le … à 8 h 30 ».
            opens: Some(paris(day(2027, 1, 5)?, 8, 30)),
            ..week_one
        };
        add(conn, &id, &week_one, mode::AUTOMATIQUE, Some(48), now)?;
        add(conn, &id, &week_two, mode::AUTOMATIQUE, Some(48), now)?;
    }

    let mercredi = activite::insert(
        conn,
        &NewActivite {
            nom: "Accueil de loisirs du mercredi".into(),
            description: "Jeux, ateliers créatifs et sorties, les mercredis en période \
                scolaire. Repas et goûter fournis."
                .into(),
            categorie: categorie::EXTRASCOLAIRE,
            lieu: "Centre de loisirs des Petits-Clos".into(),
            age_min: 3,
            age_max: 11,
            tarifs: "De 4 € à 18 € la journée selon le quotient familial.".into(),
            publiee: true,
            pieces: vec![],
        },
        now,
    )?;
    let trimestre = Session {
        libelle: "Mercredis de janvier à mars 2027",
        first: day(2027, 1, 6)?,
        last: day(2027, 3, 31)?,
        horaires: "Le mercredi, de 8 h à 18 h 30",
        capacite: 60,
        opens: None,
    };
    add(conn, &mercredi, &trimestre, mode::AUTOMATIQUE, None, now)?;

    let escalade = activite::insert(
        conn,
        &NewActivite {
            nom: "Stage découverte escalade".into(),
            description: "Trois matinées sur le mur d'escalade du gymnase, en petit groupe.".into(),
            categorie: categorie::SPORT,
            lieu: "Gymnase Rosskopf".into(),
            age_min: 8,
            age_max: 11,
            tarifs: "30 € le stage.".into(),
            publiee: true,
            pieces: vec![],
        },
        now,
    )?;
    let stage = Session {
        libelle: "Du 4 au 6 janvier 2027",
        first: day(2027, 1, 4)?,
        last: day(2027, 1, 6)?,
        horaires: "De 9 h à 12 h",
        capacite: 1,
        opens: None,
    };
    let full = add(conn, &escalade, &stage, mode::AUTOMATIQUE, Some(24), now)?;
    add_snow_trips(conn, now)?;
    // Its only place is held by the demo dossier's child: « Complet — liste d'attente ».
    let child: Option<(String, String)> = members::table
        .inner_join(dossiers::table)
        .filter(dossiers::numero.eq("17484"))
        .filter(members::role.eq("enfant"))
        .select((members::id, dossiers::id))
        .first(conn)
        .optional()?;
    if let Some((member_id, dossier_id)) = child {
        let rang = periode::next_rang(conn, &full)?;
        if periode::take_place(conn, &full, now)? {
            let request = NewInscription {
                periode_id: &full,
                member_id: &member_id,
                dossier_id: &dossier_id,
                demandeur_id: None,
                par_agent: true,
            };
            inscription::insert(conn, &request, statut::CONFIRMEE, rang, now)?;
        }
    }
    Ok(())
}
