//! « Une copie de mes données » (RGPD art. 15 and 20): a ZIP holding one JSON document per
//! kind of data — described by `openapi/donnees-personnelles.schema.json`, generated from
//! [`DataCopy`] and checked by a test — and the files of the family's pieces.
//!
//! The copy is built in the background by whichever server leases it: the JSON parts from
//! the database, then each piece's file copied chunk by chunk from the store into a ZIP on
//! the scratch disk, which is then copied part by part into the store. Memory stays that of
//! one chunk whatever the number or size of the files. An email says when it is ready;
//! downloading it takes the password again and a one-time link.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use futures_util::StreamExt;
use serde::Serialize;
use shared::api::account::{ConnectionEntry, SentEmailList};
use shared::api::activites::InscriptionList;
use shared::api::backoffice::Consultation;
use shared::api::dossier::{DemandeDetail, DossierResponse};
use shared::api::pieces::Piece;
use shared::api::voeux::VoeuxList;
use utoipa::ToSchema;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

use crate::db::DbConn;
use crate::db::models::account::Account;
use crate::db::models::{
    cgu, connection_log, data_export, demande, dossier, file_scan, outbox, piece,
};
use crate::documents::pieces::DossierPieces;
use crate::documents::storage::{Shelf, Storage};
use crate::dossier_views::{Reader, detail};
use crate::email::templates;
use crate::error::ApiError;
use crate::rattachement::Mailing;
use crate::state::AppState;

/// How long a server holds a copy it is preparing before another may take it over.
const LEASE: chrono::Duration = chrono::Duration::minutes(30);
/// After a failed attempt, the next one waits this long.
const RETRY: chrono::Duration = chrono::Duration::minutes(5);

/// The account, as the portal holds it (never its password's hash or second factor).
#[derive(Serialize, ToSchema)]
pub struct AccountCopy {
    pub id: String,
    pub nom_utilisateur: String,
    pub email: String,
    /// A new address waiting for its confirmation.
    pub email_en_attente: Option<String>,
    pub cree_le: DateTime<Utc>,
    pub active_le: Option<DateTime<Utc>>,
    pub mot_de_passe_modifie_le: Option<DateTime<Utc>>,
    /// The last sign-in (inactivity is counted from it).
    pub derniere_connexion: Option<DateTime<Utc>>,
    /// The version of the conditions of use accepted, if any.
    pub cgu_acceptees: Option<i32>,
}

/// One stored file of a piece, and where it is in the ZIP.
#[derive(Serialize, ToSchema)]
pub struct FileCopy {
    /// The file's id (as in `pieces.json`).
    pub id: String,
    pub piece_id: String,
    /// The name the file had when the family sent it.
    pub nom: String,
    pub format: String,
    pub taille: u64,
    /// Its path inside the ZIP (`fichiers/…`); absent when it is not included: quarantined
    /// by the antivirus, or not analysed yet.
    pub chemin: Option<String>,
}

/// Everything the portal holds about a family account: each field is a file of the ZIP
/// (`compte.json`, `connexions.json`…).
#[derive(Serialize, ToSchema)]
pub struct DataCopy {
    pub compte: AccountCopy,
    /// The connection history kept (six months by default).
    pub connexions: Vec<ConnectionEntry>,
    /// The dossier famille the account is linked to, as it stands.
    pub dossier: Option<DossierResponse>,
    /// The requests, each with its history and the dossier as submitted.
    pub demandes: Vec<DemandeDetail>,
    /// The pièces justificatives' details (their files are under `fichiers/`).
    pub pieces: Vec<Piece>,
    pub fichiers: Vec<FileCopy>,
    pub inscriptions: Option<InscriptionList>,
    /// The wishes of *attribution équitable*.
    pub voeux: Option<VoeuxList>,
    /// The emails the portal wrote to the account (never their content).
    pub emails: SentEmailList,
    /// When the town's services and connected applications consulted the dossier.
    pub consultations: Vec<Consultation>,
}

/// Reads everything about account `account_id`.
pub fn collect(conn: &mut DbConn, account_id: &str, town: &str) -> Result<DataCopy, ApiError> {
    let account = Account::find(conn, account_id)?;
    let last_seen: Option<NaiveDateTime> = {
        use crate::db::schema::accounts;
        use diesel::prelude::*;
        accounts::table
            .find(account_id)
            .select(accounts::last_seen_at)
            .first(conn)?
    };
    let compte = AccountCopy {
        id: account.id.clone(),
        nom_utilisateur: account.username.clone(),
        email: account.email.clone(),
        email_en_attente: account.pending_email.clone(),
        cree_le: account.created_at.and_utc(),
        active_le: account.activated_at.map(|at| at.and_utc()),
        mot_de_passe_modifie_le: account.password_changed_at.map(|at| at.and_utc()),
        derniere_connexion: last_seen.map(|at| at.and_utc()),
        cgu_acceptees: cgu::accepted_version(conn, account_id)?,
    };
    let (logs, _) = connection_log::page(conn, account_id, 0, i64::MAX)?;
    let connexions = logs.into_iter().map(ConnectionEntry::from).collect();
    let mut demandes = Vec::new();
    for found in demande::list_for_account(conn, account_id)? {
        demandes.push(detail(conn, &found, Reader::Family(account_id))?.0);
    }
    let mut copy = DataCopy {
        compte,
        connexions,
        dossier: None,
        demandes,
        pieces: Vec::new(),
        fichiers: Vec::new(),
        inscriptions: None,
        voeux: None,
        emails: crate::email::history::of_account(conn, account_id)?,
        consultations: Vec::new(),
    };
    if let Some(found) = dossier::of_account(conn, account_id)? {
        let today = crate::domain::calendar::today();
        copy.dossier = Some(crate::dossier_views::view(conn, &found)?);
        copy.pieces = DossierPieces::load(conn, &found.id, false)?.provided(today)?;
        for (row, files) in piece::list(conn, &found.id)? {
            for file in files {
                copy.fichiers.push(FileCopy {
                    chemin: Some(format!("fichiers/{}.{}", file.id, extension(&file.format))),
                    id: file.id,
                    piece_id: row.id.clone(),
                    nom: file.display_name,
                    format: file.format.clone(),
                    taille: u64::try_from(file.size_bytes).unwrap_or(0),
                });
            }
        }
        copy.inscriptions =
            Some(crate::activities::family::of_dossier(conn, &found.id).map_err(ApiError::from)?);
        copy.voeux = Some(crate::activities::wishes::of_family(conn, &found.id)?);
        copy.consultations = super::consultations::of_dossier(conn, &found.id, town)?;
    }
    Ok(copy)
}

fn extension(format: &str) -> &'static str {
    match format {
        "pdf" => "pdf",
        "png" => "png",
        _ => "jpg",
    }
}

/// The ZIP's parts: (file name, JSON).
fn json_parts(copy: &DataCopy) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    Ok(vec![
        ("compte.json", serde_json::to_vec_pretty(&copy.compte)?),
        (
            "connexions.json",
            serde_json::to_vec_pretty(&copy.connexions)?,
        ),
        ("dossier.json", serde_json::to_vec_pretty(&copy.dossier)?),
        ("demandes.json", serde_json::to_vec_pretty(&copy.demandes)?),
        ("pieces.json", serde_json::to_vec_pretty(&copy.pieces)?),
        ("fichiers.json", serde_json::to_vec_pretty(&copy.fichiers)?),
        (
            "inscriptions.json",
            serde_json::to_vec_pretty(&copy.inscriptions)?,
        ),
        ("voeux.json", serde_json::to_vec_pretty(&copy.voeux)?),
        ("emails.json", serde_json::to_vec_pretty(&copy.emails)?),
        (
            "consultations.json",
            serde_json::to_vec_pretty(&copy.consultations)?,
        ),
    ])
}

const README: &str = "Copie de vos données — Portail Famille

Ce dossier contient tout ce que le Portail Famille conserve sur votre compte :

- compte.json : votre compte (identifiant, adresse email, dates) ;
- connexions.json : l'historique de vos connexions conservé ;
- dossier.json : votre dossier famille (adresse, membres du foyer, liens) ;
- demandes.json : vos demandes, leur historique et le dossier tel que transmis ;
- pieces.json et fichiers.json : vos pièces justificatives et leurs fichiers, rangés dans fichiers/ ;
- inscriptions.json et voeux.json : vos inscriptions aux activités et vos voeux ;
- emails.json : les emails que le portail vous a écrits (sans leur contenu) ;
- consultations.json : quand les services de la ville et les applications connectées ont consulté votre dossier.

Chaque fichier JSON est la propriété du même nom du schéma publié avec le logiciel
(openapi/donnees-personnelles.schema.json) : vous pouvez réutiliser ces données ailleurs
(droit à la portabilité, article 20 du RGPD).
";

/// Writes the copy's ZIP to `path`: the JSON parts, then each included piece file (those
/// with a `chemin`) read chunk by chunk from the store. Runs on a blocking thread
/// (`handle` drives the store's async reads).
fn write_zip(
    path: &Path,
    copy: &DataCopy,
    storage: &Storage,
    handle: &tokio::runtime::Handle,
) -> anyhow::Result<()> {
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path)?);
    let text = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    // Piece files are PDF, JPEG and PNG: already compressed.
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .large_file(true);
    zip.start_file("LISEZMOI.txt", text)?;
    zip.write_all(README.as_bytes())?;
    for (name, json) in json_parts(copy)? {
        zip.start_file(name, text)?;
        zip.write_all(&json)?;
    }
    for file in &copy.fichiers {
        let Some(chemin) = &file.chemin else { continue };
        zip.start_file(chemin.as_str(), stored)?;
        let mut stream = handle.block_on(storage.get(Shelf::Pieces, &file.id))?;
        while let Some(chunk) = handle.block_on(stream.next()) {
            zip.write_all(&chunk?)?;
        }
    }
    zip.finish()?.sync_all()?;
    Ok(())
}

/// Prepares one copy waiting for a server, if any: answers whether one was handled.
pub async fn prepare_due(state: &AppState) -> Result<bool, ApiError> {
    let clock = state.clock.clone();
    let claimed = state
        .write(move |conn| {
            let now = clock.now(conn)?;
            Ok(data_export::claim_due(conn, now, now + LEASE)?)
        })
        .await?;
    let Some((export_id, account_id)) = claimed else {
        return Ok(false);
    };
    match prepare(state, &export_id, &account_id).await {
        Ok(()) => {}
        Err(error) => {
            tracing::warn!(error = ?error, export = %export_id, "preparing a copy of data failed");
            let (clock, id, message) =
                (state.clock.clone(), export_id.clone(), format!("{error:#}"));
            state
                .write(move |conn| {
                    let now = clock.now(conn)?;
                    Ok(data_export::mark_failed(conn, &id, &message, now + RETRY)?)
                })
                .await?;
        }
    }
    Ok(true)
}

async fn prepare(state: &AppState, export_id: &str, account_id: &str) -> anyhow::Result<()> {
    let mailing = Mailing::of(state).await?;
    let town = mailing.town.clone();
    let account = account_id.to_string();
    let checks_scans = state.scanner.is_some();
    let copy = state
        .read(move |conn| {
            let mut copy = collect(conn, &account, &town)?;
            if checks_scans {
                // Nothing unscanned or quarantined leaves: such files keep their metadata.
                let ids: Vec<String> = copy.fichiers.iter().map(|f| f.id.clone()).collect();
                let clean = file_scan::clean_among(conn, &ids)?;
                for file in &mut copy.fichiers {
                    if !clean.contains(&file.id) {
                        file.chemin = None;
                    }
                }
            }
            Ok(copy)
        })
        .await?;
    let scratch = state
        .storage
        .scratch_dir()
        .join(format!("export-{export_id}.zip"));
    let (path, storage, handle) = (
        scratch.clone(),
        state.storage.clone(),
        tokio::runtime::Handle::current(),
    );
    let written = tokio::task::spawn_blocking(move || write_zip(&path, &copy, &storage, &handle))
        .await
        .map_err(anyhow::Error::from)
        .and_then(|result| result);
    let stored = match written {
        Ok(()) => {
            state
                .storage
                .put_file(Shelf::Exports, export_id, &scratch)
                .await
        }
        Err(error) => Err(error),
    };
    let size = tokio::fs::metadata(&scratch).await.map(|m| m.len()).ok();
    let _ = tokio::fs::remove_file(&scratch).await;
    stored?;
    let size = i64::try_from(size.unwrap_or(0)).unwrap_or(i64::MAX);
    let (clock, id, account) = (
        state.clock.clone(),
        export_id.to_string(),
        account_id.to_string(),
    );
    let kept = state.settings.retention.data_export_days;
    state
        .write(move |conn| {
            let now = clock.now(conn)?;
            let expires_at = now + chrono::Duration::days(i64::from(kept));
            data_export::mark_ready(conn, &id, size, now, expires_at)?;
            let found = Account::find(conn, &account)?;
            let ready = templates::data_export_ready(
                &found.email,
                &found.username,
                &mailing.town,
                &expires_at.and_utc().format("%d/%m/%Y").to_string(),
                &format!("{}/mon-compte#mes-donnees", mailing.public_url),
            );
            outbox::enqueue(conn, &ready.for_account(&account), now)?;
            Ok(())
        })
        .await?;
    Ok(())
}

/// Prepares the copies waiting, one after the other: when a family asks, and every
/// `every` (a copy another server gave up, a retry after a failure).
pub async fn run(state: actix_web::web::Data<AppState>, every: std::time::Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = interval.tick() => {}
            () = state.exports_wake.notified() => {}
        }
        loop {
            match prepare_due(&state).await {
                Ok(true) => continue,
                Ok(false) => {
                    crate::monitoring::record_job_success("data_exports");
                    break;
                }
                Err(error) => {
                    tracing::warn!(%error, "copies of data: the job failed");
                    break;
                }
            }
        }
    }
}

/// The JSON Schema of the copy's documents (2020-12), generated from [`DataCopy`]: what
/// `openapi/donnees-personnelles.schema.json` holds.
pub fn schema() -> serde_json::Value {
    use utoipa::openapi::{ComponentsBuilder, OpenApiBuilder};
    let mut schemas = Vec::new();
    <DataCopy as ToSchema>::schemas(&mut schemas);
    let components = ComponentsBuilder::new()
        .schema(
            <DataCopy as ToSchema>::name(),
            <DataCopy as utoipa::PartialSchema>::schema(),
        )
        .schemas_from_iter(schemas)
        .build();
    // The same merge as the OpenAPI document's: a flattened input type refuses unknown
    // fields, which no `allOf` could then satisfy.
    let mut document = OpenApiBuilder::new().components(Some(components)).build();
    crate::openapi::merge_flattened_schemas(&mut document);
    let defs = document
        .components
        .map(|c| serde_json::to_string(&c.schemas).unwrap_or_default())
        .unwrap_or_default()
        .replace("#/components/schemas/", "#/$defs/");
    serde_json::json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://portail-famille.fr/schemas/donnees-personnelles.schema.json",
        "title": "Copie des données d'un compte du Portail Famille",
        "description": "Chaque propriété est un fichier JSON de la copie (compte.json, connexions.json…).",
        "$ref": "#/$defs/DataCopy",
        "$defs": serde_json::from_str::<serde_json::Value>(&defs).unwrap_or_default(),
    })
}
