//! References of existing dossiers a new account can link to (sign-up step 2).
//! The dossier issue replaces this table's content by the members of validated dossiers.

use diesel::prelude::*;

use crate::db::schema::dossier_references;
use crate::db::{DbConn, new_id};
use crate::domain::normalize::fold_name;

/// Adds a member of an existing dossier.
pub fn insert(conn: &mut DbConn, numero: &str, nom: &str, prenom: &str) -> QueryResult<usize> {
    diesel::insert_into(dossier_references::table)
        .values((
            dossier_references::id.eq(new_id()),
            dossier_references::numero.eq(numero.trim()),
            dossier_references::nom.eq(nom),
            dossier_references::prenom.eq(prenom),
            dossier_references::nom_folded.eq(fold_name(nom)),
            dossier_references::prenom_folded.eq(fold_name(prenom)),
        ))
        .execute(conn)
}

/// Whether `numero` + `nom` + `prenom` name a member of a dossier, ignoring case and accents.
pub fn matches(conn: &mut DbConn, numero: &str, nom: &str, prenom: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        dossier_references::table
            .filter(dossier_references::numero.eq(numero.trim()))
            .filter(dossier_references::nom_folded.eq(fold_name(nom)))
            .filter(dossier_references::prenom_folded.eq(fold_name(prenom))),
    ))
    .get_result(conn)
}

/// How many references exist (the demo seed runs only on an empty table).
pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    dossier_references::table.count().get_result(conn)
}
