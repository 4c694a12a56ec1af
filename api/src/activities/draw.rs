//! Running a draw of *attribution équitable* once its wishes closed: the inputs are read
//! under the draw's and its périodes' locks, given to the pure rule
//! ([`super::allocation`]), and its outcome written in the same transaction — inscriptions
//! for the places given and the waiting lists in draw order, each wish's result, the
//! families' emails. Safe to run twice or on several servers: a drawn draw is left alone.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::DbConn;
use crate::db::models::inscription::{self, NewInscription, statut};
use crate::db::models::periode::{self, Periode, mode, statut as periode_statut};
use crate::db::models::voeu::{self, Outcome as Written, Voeu, resultat};
use crate::db::models::{activite, dossier, outbox, tirage, town};
use crate::db::schema::{dossiers, inscriptions};
use crate::email::templates;
use crate::error::ApiError;
use crate::rattachement::Mailing;

use super::allocation::{self, Outcome, Wish};

/// A pseudonym of `id` valid in one draw: the first 16 hex digits of SHA-256(graine ":"
/// id). Siblings share their household's; nobody can tell who is behind it.
pub fn pseudonym(graine: &str, id: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(graine.as_bytes());
    hasher.update(b":");
    hasher.update(id.as_bytes());
    hex::encode(hasher.finalize())[..16].to_string()
}

/// What happened when a draw was asked to run.
#[derive(Debug, PartialEq, Eq)]
pub enum Ran {
    Drawn {
        wishes: usize,
    },
    /// It had run already: nothing changed.
    AlreadyDrawn,
    /// Its wishes are still open.
    NotClosed,
}

/// Runs draw `tirage_id` at `now`, inside the caller's write transaction.
pub fn run(
    conn: &mut DbConn,
    tirage_id: &str,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<Ran, ApiError> {
    if !tirage::lock(conn, tirage_id)? {
        return Err(ApiError::NotFound);
    }
    let draw = tirage::find(conn, tirage_id)?.ok_or(ApiError::NotFound)?;
    if draw.tirage_le.is_some() {
        return Ok(Ran::AlreadyDrawn);
    }
    if draw.fermeture.and_utc() > now {
        return Ok(Ran::NotClosed);
    }
    let sessions = periode::of_tirage(conn, tirage_id)?;
    // The périodes' locks, in one order: an agent's change or a cancellation waits.
    let mut locked: Vec<&Periode> = sessions.iter().collect();
    locked.sort_by(|a, b| a.id.cmp(&b.id));
    for session in &locked {
        periode::lock(conn, &session.id)?;
    }
    // Re-read under the locks: the places held are those of now.
    let sessions = periode::of_tirage(conn, tirage_id)?;
    let wishes = voeu::of_tirage(conn, tirage_id)?;
    let inputs = Inputs::read(conn, &draw.graine, &sessions, &wishes)?;
    let seed = allocation::lottery_seed(&draw.graine, wishes.iter().map(|w| w.id.as_str()));
    let served = allocation::serve(&inputs.capacity, &inputs.wishes, &seed);

    let by_id: HashMap<&str, &Voeu> = wishes.iter().map(|w| (w.id.as_str(), w)).collect();
    let sessions_by_id: HashMap<&str, &Periode> =
        sessions.iter().map(|p| (p.id.as_str(), p)).collect();
    let stamp = now.naive_utc();
    let names = first_names(conn, &wishes)?;
    let mut counters = Counters::of(&sessions);
    let mut news: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut ordre = 0;
    for done in &served {
        let (Some(wish), Some(session)) = (
            by_id.get(done.id.as_str()),
            by_id
                .get(done.id.as_str())
                .and_then(|w| sessions_by_id.get(w.periode_id.as_str())),
        ) else {
            continue;
        };
        ordre += 1;
        let request = NewInscription {
            periode_id: &session.id,
            member_id: &wish.member_id,
            dossier_id: &wish.dossier_id,
            demandeur_id: wish.demandeur_id.as_deref(),
            par_agent: false,
        };
        let (written, inscription_id, position) = match done.outcome {
            Outcome::Placed => {
                let rang = counters.next_rang(&session.id);
                counters.take_place(&session.id);
                let status = if session.mode_validation == mode::AUTOMATIQUE {
                    statut::CONFIRMEE
                } else {
                    statut::DEMANDEE
                };
                let row = inscription::insert(conn, &request, status, rang, stamp)?;
                (resultat::PLACE, Some(row.id), None)
            }
            Outcome::Waiting(position) if session.liste_attente => {
                let rang = counters.next_rang(&session.id);
                let row = inscription::insert(conn, &request, statut::LISTE_ATTENTE, rang, stamp)?;
                (
                    resultat::LISTE_ATTENTE,
                    Some(row.id),
                    i32::try_from(position).ok(),
                )
            }
            Outcome::Waiting(_) => (resultat::NON_RETENU, None, None),
            Outcome::Withdrawn => (resultat::SANS_OBJET, None, None),
        };
        voeu::record_outcome(
            conn,
            &wish.id,
            &Written {
                resident: inputs.resident_of(wish),
                tirage: &done.draw,
                resultat: written,
                position,
                ordre,
                inscription_id: inscription_id.as_deref(),
            },
            stamp,
        )?;
        news.entry(wish.dossier_id.clone())
            .or_default()
            .push(line(&names, wish, session, written, position));
    }
    // Wishes the rule did not see (a période closed by the town, a child enrolled by an
    // agent meanwhile) are answered too.
    let seen = inputs.seen();
    for wish in wishes.iter().filter(|w| !seen.contains(w.id.as_str())) {
        ordre += 1;
        voeu::record_outcome(
            conn,
            &wish.id,
            &Written {
                resident: inputs.resident_of(wish),
                tirage: "",
                resultat: resultat::SANS_OBJET,
                position: None,
                ordre,
                inscription_id: None,
            },
            stamp,
        )?;
    }
    // Each période's counters written once: thousands of updates of one row in one
    // transaction would each walk the row's growing chain of versions.
    for session in &sessions {
        let (last_rang, taken) = counters.get(&session.id);
        if !periode::record_draw(conn, &session.id, last_rang, taken, stamp)? {
            // The places were counted under the lock: this cannot happen, and if it did
            // the whole draw rolls back rather than overbook.
            return Err(
                anyhow::anyhow!("draw {tirage_id}: {taken} places exceed {}", session.id).into(),
            );
        }
    }
    tirage::mark_drawn(conn, tirage_id, &seed, &inputs.capacity, stamp)?;
    let activity = activite::find(conn, &draw.activite_id)?.ok_or(ApiError::NotFound)?;
    for (dossier_id, lines) in news {
        announce(conn, &dossier_id, &activity.nom, &lines, mailing, now)?;
    }
    Ok(Ran::Drawn {
        wishes: wishes.len(),
    })
}

/// The périodes' arrival counters and places taken during the draw, kept in memory and
/// written once at its end.
struct Counters {
    /// Période → (last rank given, places taken by the draw).
    by_periode: HashMap<String, (i32, i32)>,
}

impl Counters {
    fn of(sessions: &[Periode]) -> Self {
        Self {
            by_periode: sessions
                .iter()
                .map(|p| (p.id.clone(), (p.dernier_rang, 0)))
                .collect(),
        }
    }

    fn next_rang(&mut self, periode_id: &str) -> i32 {
        let entry = self.by_periode.entry(periode_id.to_string()).or_default();
        entry.0 += 1;
        entry.0
    }

    fn take_place(&mut self, periode_id: &str) {
        self.by_periode.entry(periode_id.to_string()).or_default().1 += 1;
    }

    fn get(&self, periode_id: &str) -> (i32, i32) {
        self.by_periode.get(periode_id).copied().unwrap_or_default()
    }
}

/// What the rule is given, read from the database.
struct Inputs {
    capacity: HashMap<String, u32>,
    wishes: Vec<Wish>,
    resident: HashMap<String, bool>,
}

impl Inputs {
    fn read(
        conn: &mut DbConn,
        graine: &str,
        sessions: &[Periode],
        wishes: &[Voeu],
    ) -> Result<Self, ApiError> {
        let capacity: HashMap<String, u32> = sessions
            .iter()
            .filter(|p| p.statut == periode_statut::PUBLIEE)
            .map(|p| {
                let free = (p.capacite - p.places_prises).max(0);
                (p.id.clone(), u32::try_from(free).unwrap_or(0))
            })
            .collect();
        let settings = town::current(conn)?;
        let dossier_ids: std::collections::BTreeSet<&str> =
            wishes.iter().map(|w| w.dossier_id.as_str()).collect();
        let dossier_ids: Vec<&str> = dossier_ids.into_iter().collect();
        let mut resident = HashMap::new();
        // In slices: SQLite takes a bounded number of parameters per statement.
        for some in dossier_ids.chunks(5_000) {
            for (id, code) in dossiers::table
                .filter(dossiers::id.eq_any(some))
                .select((dossiers::id, dossiers::code_postal))
                .load::<(String, Option<String>)>(conn)?
            {
                resident.insert(id, town::is_resident(&settings, code.as_deref()));
            }
        }
        let periode_ids: Vec<&str> = sessions.iter().map(|p| p.id.as_str()).collect();
        let enrolled: std::collections::HashSet<(String, String)> = inscriptions::table
            .filter(inscriptions::periode_id.eq_any(&periode_ids))
            .filter(inscriptions::statut.ne_all(statut::ENDED))
            .select((inscriptions::periode_id, inscriptions::member_id))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect();
        let wishes = wishes
            .iter()
            .filter(|w| capacity.contains_key(&w.periode_id))
            .filter(|w| !enrolled.contains(&(w.periode_id.clone(), w.member_id.clone())))
            .map(|w| Wish {
                id: w.id.clone(),
                household: pseudonym(graine, &w.dossier_id),
                child: pseudonym(graine, &w.member_id),
                periode: w.periode_id.clone(),
                rank: u32::try_from(w.rang).unwrap_or(u32::MAX),
                resident: resident.get(&w.dossier_id).copied().unwrap_or(false),
            })
            .collect();
        Ok(Self {
            capacity,
            wishes,
            resident,
        })
    }

    fn resident_of(&self, wish: &Voeu) -> bool {
        self.resident
            .get(&wish.dossier_id)
            .copied()
            .unwrap_or(false)
    }

    /// The ids of the wishes given to the rule.
    fn seen(&self) -> std::collections::HashSet<&str> {
        self.wishes.iter().map(|w| w.id.as_str()).collect()
    }
}

/// The first names of the wishing children, read at once.
fn first_names(conn: &mut DbConn, wishes: &[Voeu]) -> Result<HashMap<String, String>, ApiError> {
    use crate::db::schema::members;
    let ids: std::collections::BTreeSet<&str> =
        wishes.iter().map(|w| w.member_id.as_str()).collect();
    let ids: Vec<&str> = ids.into_iter().collect();
    let mut names = HashMap::new();
    // In slices: SQLite takes a bounded number of parameters per statement.
    for some in ids.chunks(5_000) {
        for (id, prenom) in members::table
            .filter(members::id.eq_any(some))
            .select((members::id, members::prenom))
            .load::<(String, Option<String>)>(conn)?
        {
            names.insert(id, prenom.unwrap_or_default());
        }
    }
    Ok(names)
}

/// The family's line about one wish.
fn line(
    names: &HashMap<String, String>,
    wish: &Voeu,
    session: &Periode,
    written: &str,
    position: Option<i32>,
) -> String {
    let child = names
        .get(&wish.member_id)
        .filter(|n| !n.is_empty())
        .cloned()
        .unwrap_or_else(|| "Votre enfant".into());
    let what = match written {
        resultat::PLACE if session.mode_validation == mode::SUR_VALIDATION => {
            "une place lui est attribuée, en attente de validation par le service".to_string()
        }
        resultat::PLACE => "une place lui est attribuée (inscription confirmée)".to_string(),
        resultat::LISTE_ATTENTE => format!(
            "pas de place pour l'instant : liste d'attente, position {}",
            position.unwrap_or_default()
        ),
        resultat::NON_RETENU => {
            "pas de place (cette période n'a pas de liste d'attente)".to_string()
        }
        _ => "sans objet : une place lui est attribuée sur un vœu mieux classé".to_string(),
    };
    format!(
        "{child}, vœu n° {} ({}) — « {} » : {what}.",
        wish.rang,
        wish.id.get(..8).unwrap_or(&wish.id).to_uppercase(),
        session.libelle
    )
}

/// One email per family with every result of its children.
fn announce(
    conn: &mut DbConn,
    dossier_id: &str,
    activite: &str,
    lines: &[String],
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let mut paragraphs = vec![format!(
        "Le tirage au sort de « {activite} » a eu lieu. Voici le résultat de vos vœux :"
    )];
    paragraphs.extend(lines.iter().cloned());
    paragraphs.push(
        "Le détail du tirage (règles, graine, ordre des demandes par numéro) est public sur la page de la période.".into(),
    );
    let link = format!("{}/inscriptions", mailing.public_url);
    for (email, username) in dossier::account_emails(conn, dossier_id)? {
        let news = templates::inscription_news(
            &email,
            &username,
            &mailing.town,
            "Résultat du tirage au sort",
            &paragraphs,
            &link,
        );
        outbox::enqueue(conn, &news, now.naive_utc())?;
    }
    Ok(())
}

/// Runs now the draw of période `periode_id` (an agent's « Lancer le tirage »), inside the
/// caller's write transaction: 404 for a période that is not équitable, 409 while its
/// wishes are open; a draw that ran already is left as it is.
pub fn run_for_periode(
    conn: &mut DbConn,
    periode_id: &str,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let tirage_id = periode::find(conn, periode_id)?
        .and_then(|p| p.tirage_id)
        .ok_or(ApiError::NotFound)?;
    match run(conn, &tirage_id, mailing, now)? {
        Ran::NotClosed => Err(ApiError::Conflict(
            "Les vœux de cette période sont encore ouverts : le tirage a lieu à la clôture.",
        )),
        Ran::Drawn { .. } | Ran::AlreadyDrawn => Ok(()),
    }
}

/// Runs every draw whose wishes closed by `now` (the database's clock), each in its own
/// transaction. Answers how many ran.
pub fn run_due(
    conn: &mut DbConn,
    mailing: &Mailing,
    now: DateTime<Utc>,
) -> Result<usize, ApiError> {
    let mut ran = 0;
    for id in tirage::due(conn, now.naive_utc())? {
        let started = std::time::Instant::now();
        let outcome = crate::db::write_tx(conn, |conn| run(conn, &id, mailing, now))?;
        if let Ran::Drawn { wishes } = outcome {
            let elapsed_ms = started.elapsed().as_millis();
            tracing::info!(tirage = %id, wishes, elapsed_ms, "draw ran");
            ran += 1;
        }
    }
    Ok(ran)
}
