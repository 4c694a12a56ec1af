//! Import of the town's existing dossiers from CSV, so that families can link their new
//! account to their dossier on day one (sign-up step 2).
//!
//! Format (UTF-8, `;`-separated as spreadsheets export it in France, one row per member,
//! header required):
//!
//! ```text
//! numero;role;sexe;nom;prenom;date_naissance;adresse;code_postal;commune;email
//! 17484;responsable;M;CREATION;Père;12/06/1984;1 place des Épars;28000;Chartres;pere@exemple.fr
//! 17484;enfant;F;CREATION;Zoé;01/01/2018;;;;
//! ```
//!
//! `role`: responsable, responsable_legal, conjoint, enfant, contact. `sexe`: F, M or
//! empty. `date_naissance`: dd/mm/yyyy or yyyy-mm-dd, optional. The address is read from
//! the dossier's `responsable` row. The `email` column is optional (files without it are
//! accepted): the member's address, and the dossier's address on record — the
//! responsable's, else the first one given — where codes of rattachement are sent (without
//! one, an agent validates each rattachement). Every row is checked first; any error means
//! nothing is written, and every error is reported with its line number.

use std::collections::BTreeMap;
use std::io::Read;

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::api::dossier::{DemandeKind, DemandeStatus, MemberInput, Role, Sexe};
use shared::validation::{check_dossier_number, check_email, check_person_name};

use crate::db::models::demande::{self, Actor};
use crate::db::models::member;
use crate::db::schema::dossiers;
use crate::db::{DbConn, new_id, now, write_tx};

const COLUMNS: [&str; 10] = [
    "numero",
    "role",
    "sexe",
    "nom",
    "prenom",
    "date_naissance",
    "adresse",
    "code_postal",
    "commune",
    "email",
];
/// Files exported before the `email` column existed are accepted as they are.
const COLUMNS_WITHOUT_EMAIL: usize = 9;

/// One problem, on one line of the file (the header is line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for LineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ligne {} : {}", self.line, self.message)
    }
}

/// Why an import wrote nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportErrors(pub Vec<LineError>);

impl From<diesel::result::Error> for ImportErrors {
    fn from(error: diesel::result::Error) -> Self {
        Self(vec![LineError {
            line: 0,
            message: format!("base de données : {error}"),
        }])
    }
}

/// What an import wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub dossiers: usize,
    pub members: usize,
}

struct Row {
    line: usize,
    member: MemberInput,
    address: [Option<String>; 3],
}

fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()
}

fn parse_row(
    line: usize,
    fields: &[&str],
    columns: usize,
    errors: &mut Vec<LineError>,
) -> Option<(String, Row)> {
    let mut fail = |message: String| errors.push(LineError { line, message });
    let get = |i: usize| fields.get(i).map(|s| s.trim()).unwrap_or("");
    let optional = |i: usize| Some(get(i).to_string()).filter(|s| !s.is_empty());
    let before = fields.len();
    if before != columns {
        fail(format!("{before} colonnes au lieu de {columns}"));
        return None;
    }
    let numero = get(0).to_string();
    let mut ok = true;
    if let Err(code) = check_dossier_number(&numero) {
        fail(format!("numero : {code}"));
        ok = false;
    }
    let role = match get(1) {
        "responsable" => Role::Responsable,
        "responsable_legal" => Role::ResponsableLegal,
        "conjoint" => Role::Conjoint,
        "enfant" => Role::Enfant,
        "contact" => Role::Contact,
        other => {
            fail(format!(
                "role : « {other} » n'est pas responsable, responsable_legal, conjoint, enfant ou contact"
            ));
            ok = false;
            Role::Contact
        }
    };
    let sexe = match get(2) {
        "F" | "f" => Some(Sexe::Feminin),
        "M" | "m" => Some(Sexe::Masculin),
        "" => None,
        other => {
            fail(format!("sexe : « {other} » n'est ni F ni M"));
            ok = false;
            None
        }
    };
    for (index, name) in [(3, "nom"), (4, "prenom")] {
        if let Err(code) = check_person_name(get(index)) {
            fail(format!("{name} : {code}"));
            ok = false;
        }
    }
    let date_naissance = match get(5) {
        "" => None,
        text => {
            let parsed = parse_date(text);
            if parsed.is_none() {
                fail(format!(
                    "date_naissance : « {text} » n'est pas une date jj/mm/aaaa"
                ));
                ok = false;
            }
            parsed
        }
    };
    let email = optional(9);
    if let Some(address) = &email
        && let Err(code) = check_email(address)
    {
        fail(format!(
            "email : « {address} » n'est pas une adresse valide ({code})"
        ));
        ok = false;
    }
    let member = MemberInput {
        role,
        sexe,
        nom: optional(3),
        prenom: optional(4),
        date_naissance,
        email,
        ..MemberInput::default()
    };
    ok.then(|| {
        (
            numero,
            Row {
                line,
                member,
                address: [optional(6), optional(7), optional(8)],
            },
        )
    })
}

/// Reads and checks the whole file, then writes every dossier in one transaction.
pub fn import_dossiers(conn: &mut DbConn, input: impl Read) -> Result<ImportReport, ImportErrors> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let header_error = |message: String| ImportErrors(vec![LineError { line: 1, message }]);
    let headers = reader
        .headers()
        .map_err(|e| header_error(e.to_string()))?
        .clone();
    let found: Vec<&str> = headers.iter().map(str::trim).collect();
    if found != COLUMNS && found != COLUMNS[..COLUMNS_WITHOUT_EMAIL] {
        return Err(header_error(format!(
            "en-tête attendu : {} (la colonne email est facultative)",
            COLUMNS.join(";")
        )));
    }
    let columns = found.len();
    let mut errors = Vec::new();
    let mut dossiers_by_number: BTreeMap<String, Vec<Row>> = BTreeMap::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        match record {
            Ok(record) => {
                let fields: Vec<&str> = record.iter().collect();
                if let Some((numero, row)) = parse_row(line, &fields, columns, &mut errors) {
                    dossiers_by_number.entry(numero).or_default().push(row);
                }
            }
            Err(error) => errors.push(LineError {
                line,
                message: error.to_string(),
            }),
        }
    }
    for (numero, rows) in &dossiers_by_number {
        let holders = rows
            .iter()
            .filter(|r| r.member.role == Role::Responsable)
            .count();
        if holders != 1 {
            let line = rows.first().map_or(0, |r| r.line);
            errors.push(LineError {
                line,
                message: format!(
                    "dossier {numero} : {holders} responsable(s), il en faut exactement un"
                ),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.line);
        return Err(ImportErrors(errors));
    }
    write_tx(conn, |conn| -> Result<ImportReport, ImportErrors> {
        let now = now();
        let mut report = ImportReport {
            dossiers: 0,
            members: 0,
        };
        for (numero, rows) in &dossiers_by_number {
            let exists: i64 = dossiers::table
                .filter(dossiers::numero.eq(numero))
                .count()
                .get_result(conn)?;
            if exists > 0 {
                let line = rows.first().map_or(0, |r| r.line);
                return Err(ImportErrors(vec![LineError {
                    line,
                    message: format!("le dossier {numero} existe déjà"),
                }]));
            }
            let address = rows
                .iter()
                .find(|r| r.member.role == Role::Responsable)
                .map(|r| r.address.clone())
                .unwrap_or_default();
            let contact_email = rows
                .iter()
                .filter(|r| r.member.role == Role::Responsable)
                .chain(rows.iter())
                .find_map(|r| r.member.email.clone());
            let id = new_id();
            diesel::insert_into(dossiers::table)
                .values((
                    dossiers::id.eq(&id),
                    dossiers::numero.eq(numero),
                    dossiers::adresse.eq(&address[0]),
                    dossiers::code_postal.eq(&address[1]),
                    dossiers::commune.eq(&address[2]),
                    dossiers::contact_email.eq(&contact_email),
                    dossiers::version.eq(1),
                    dossiers::created_at.eq(now),
                    dossiers::updated_at.eq(now),
                ))
                .execute(conn)?;
            for row in rows {
                member::insert(conn, &id, &row.member, now)?;
                report.members += 1;
            }
            demande::create(
                conn,
                &id,
                DemandeKind::CreationDossier,
                DemandeStatus::Validee,
                Actor::Agent("import"),
                now,
            )?;
            report.dossiers += 1;
        }
        Ok(report)
    })
}
