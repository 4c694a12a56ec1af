//! The two migration folders must give the same schema: tables, columns (type family and
//! nullability), primary keys, unique constraints, indexes and foreign keys.

use std::collections::BTreeSet;

use api::db::{self, DbConn};
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

use crate::helpers::test_db::postgres_server;

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    item: String,
}

fn normalise_type(raw: &str) -> &'static str {
    match raw.to_lowercase().as_str() {
        "text" => "text",
        "boolean" => "bool",
        "integer" | "int4" => "int",
        "bigint" | "int8" => "bigint",
        "date" => "date",
        t if t.starts_with("timestamp") => "timestamp",
        _ => "other",
    }
}

fn postgres_schema(conn: &mut DbConn) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let columns: Vec<(String, String, String, String)> = diesel::sql_query(
        "SELECT table_name::text AS a, column_name::text AS b, data_type::text AS c, is_nullable::text AS d \
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%'",
    )
    .load::<Quad>(conn)
    .expect("columns")
    .into_iter()
    .map(|q| (q.a, q.b, q.c, q.d))
    .collect();
    for (table, column, kind, nullable) in columns {
        out.insert(format!(
            "column {table}.{column} {} null={}",
            normalise_type(&kind),
            nullable == "YES"
        ));
    }
    let indexes: Vec<Row> = diesel::sql_query(
        "SELECT format('index %s(%s) unique=%s', t.relname, \
                string_agg(a.attname, ',' ORDER BY array_position(ix.indkey::int2[], a.attnum)), CASE WHEN ix.indisunique THEN 'true' ELSE 'false' END) AS item \
         FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace \
         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(ix.indkey) \
         WHERE n.nspname = 'public' AND t.relname NOT LIKE '__diesel%' GROUP BY t.relname, ix.indexrelid, ix.indisunique",
    )
    .load(conn)
    .expect("indexes");
    out.extend(indexes.into_iter().map(|r| r.item));
    let fks: Vec<Row> = diesel::sql_query(
        "SELECT format('fk %s.%s -> %s.%s on delete %s', tc.table_name, kcu.column_name, ccu.table_name, ccu.column_name, \
                lower(rc.delete_rule)) AS item \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage kcu ON tc.constraint_name = kcu.constraint_name \
         JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name \
         JOIN information_schema.referential_constraints rc ON tc.constraint_name = rc.constraint_name \
         WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = 'public'",
    )
    .load(conn)
    .expect("foreign keys");
    out.extend(fks.into_iter().map(|r| r.item));
    out
}

#[derive(QueryableByName)]
struct Quad {
    #[diesel(sql_type = Text)]
    a: String,
    #[diesel(sql_type = Text)]
    b: String,
    #[diesel(sql_type = Text)]
    c: String,
    #[diesel(sql_type = Text)]
    d: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Integer)]
    not_null: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

fn sqlite_schema(conn: &mut DbConn) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let tables: Vec<Row> = diesel::sql_query(
        "SELECT name AS item FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__diesel%'",
    )
    .load(conn)
    .expect("tables");
    for Row { item: table } in tables {
        let columns: Vec<SqliteColumn> = diesel::sql_query(format!(
            "SELECT name, type AS kind, \"notnull\" AS not_null, pk FROM pragma_table_info('{table}')"
        ))
        .load(conn)
        .expect("columns");
        let autoincrement = diesel::sql_query(format!(
            "SELECT sql AS item FROM sqlite_master WHERE type = 'table' AND name = '{table}'"
        ))
        .get_result::<Row>(conn)
        .is_ok_and(|r| r.item.to_uppercase().contains("AUTOINCREMENT"));
        for c in &columns {
            // SQLite lets primary-key columns be NULL unless declared otherwise; ours are.
            let nullable = c.not_null == 0 && c.pk == 0;
            // An AUTOINCREMENT key is the 64-bit rowid: PostgreSQL's BIGSERIAL.
            let kind = if c.pk > 0 && autoincrement && c.kind.eq_ignore_ascii_case("integer") {
                "bigint"
            } else {
                normalise_type(&c.kind)
            };
            out.insert(format!("column {table}.{} {kind} null={nullable}", c.name));
        }
        let pk: Vec<&str> = {
            let mut pk: Vec<&SqliteColumn> = columns.iter().filter(|c| c.pk > 0).collect();
            pk.sort_by_key(|c| c.pk);
            pk.into_iter().map(|c| c.name.as_str()).collect()
        };
        out.insert(format!("index {table}({}) unique=true", pk.join(",")));
        let indexes: Vec<Quad> = diesel::sql_query(format!(
            "SELECT il.name AS a, CAST(il.\"unique\" AS TEXT) AS b, il.origin AS c, \
                    (SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno)) AS d \
             FROM pragma_index_list('{table}') il"
        ))
        .load(conn)
        .expect("indexes");
        for index in indexes.into_iter().filter(|i| i.c != "pk") {
            out.insert(format!(
                "index {table}({}) unique={}",
                index.d,
                index.b == "1"
            ));
        }
        let fks: Vec<Quad> = diesel::sql_query(format!(
            "SELECT \"from\" AS a, \"table\" AS b, \"to\" AS c, lower(on_delete) AS d FROM pragma_foreign_key_list('{table}')"
        ))
        .load(conn)
        .expect("foreign keys");
        for fk in fks {
            let rule = if fk.d == "no action" {
                "no action".to_string()
            } else {
                fk.d
            };
            out.insert(format!(
                "fk {table}.{} -> {}.{} on delete {rule}",
                fk.a, fk.b, fk.c
            ));
        }
    }
    out
}

#[test]
fn postgres_and_sqlite_migrations_give_the_same_schema() {
    let name = format!("pf_schema_{}", uuid::Uuid::new_v4().simple());
    let admin_url = format!("{}/postgres", postgres_server());
    let mut admin =
        PgConnection::establish(&admin_url).expect("PostgreSQL is needed for this test");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create");
    let result = std::panic::catch_unwind(|| {
        let mut pg = DbConn::Pg(
            PgConnection::establish(&format!("{}/{name}", postgres_server())).expect("connect"),
        );
        db::run_migrations(&mut pg).expect("migrate postgres");
        let dir = std::env::temp_dir().join(format!("pf-schema-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("dir");
        let mut sqlite = DbConn::Sqlite(
            SqliteConnection::establish(&dir.join("s.db").display().to_string()).expect("sqlite"),
        );
        db::run_migrations(&mut sqlite).expect("migrate sqlite");
        let (pg_schema, sqlite_schema) = (postgres_schema(&mut pg), sqlite_schema(&mut sqlite));
        let _ = std::fs::remove_dir_all(dir);
        drop(pg);
        (pg_schema, sqlite_schema)
    });
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin);
    let (pg_schema, sqlite_schema) = result.expect("introspection");
    assert!(
        pg_schema
            .iter()
            .any(|l| l.starts_with("column accounts.email ")),
        "{pg_schema:#?}"
    );
    let only_pg: Vec<_> = pg_schema.difference(&sqlite_schema).collect();
    let only_sqlite: Vec<_> = sqlite_schema.difference(&pg_schema).collect();
    assert!(
        only_pg.is_empty() && only_sqlite.is_empty(),
        "only in PostgreSQL: {only_pg:#?}\nonly in SQLite: {only_sqlite:#?}"
    );
}

/// A fresh, empty database of each backend (PostgreSQL: created here, dropped by the
/// caller; SQLite: a temporary file).
fn empty_databases(name: &str) -> (DbConn, DbConn, std::path::PathBuf) {
    let mut admin = PgConnection::establish(&format!("{}/postgres", postgres_server()))
        .expect("PostgreSQL is needed for this test");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create");
    let pg = DbConn::Pg(
        PgConnection::establish(&format!("{}/{name}", postgres_server())).expect("connect"),
    );
    let dir = std::env::temp_dir().join(format!("pf-mig-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut sqlite = DbConn::Sqlite(
        SqliteConnection::establish(&dir.join("s.db").display().to_string()).expect("sqlite"),
    );
    diesel::connection::SimpleConnection::batch_execute(&mut sqlite, "PRAGMA foreign_keys = ON;")
        .expect("pragma");
    (pg, sqlite, dir)
}

#[derive(QueryableByName)]
struct Snapshot {
    #[diesel(sql_type = Text)]
    snapshot: String,
}

/// G-04: migration 000012 stops collecting nationality and erases what was collected —
/// the column, and the copies frozen in submitted requests, which still read back.
#[test]
fn the_nationality_is_erased_from_members_and_from_frozen_dossiers() {
    let name = format!("pf_mig_{}", uuid::Uuid::new_v4().simple());
    let (mut pg, mut sqlite, dir) = empty_databases(&name);
    let frozen = serde_json::json!({
        "id": "00000000-0000-0000-0000-000000000001", "numero": null, "version": 3,
        "adresse": "1 rue A", "code_postal": "28000", "commune": "Chartres",
        "members": [
            {"id": "00000000-0000-0000-0000-0000000000a1", "role": "responsable", "nom": "A", "nationalite": "Française"},
            {"id": "00000000-0000-0000-0000-0000000000a2", "role": "enfant", "nom": "B", "nationalite": null}
        ],
        "links": [], "editable": false
    })
    .to_string();
    for conn in [&mut pg, &mut sqlite] {
        db::run_migrations_through(conn, "2026-12-06-000011").expect("migrate to 11");
        diesel::sql_query(
            "INSERT INTO dossiers (id, version, created_at, updated_at) VALUES ('d1', 3, '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .execute(conn)
        .expect("dossier");
        diesel::sql_query(
            "INSERT INTO members (id, dossier_id, position, role, nom, nom_folded, prenom_folded, a_naitre, nationalite, created_at, updated_at) \
             VALUES ('m1', 'd1', 0, 'responsable', 'A', 'a', '', FALSE, 'Française', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
        )
        .execute(conn)
        .expect("member");
        diesel::sql_query(format!(
            "INSERT INTO demandes (id, dossier_id, kind, status, snapshot, created_at, updated_at) \
             VALUES ('r1', 'd1', 'creation_dossier', 'en_attente_validation', '{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00')",
            frozen.replace('\'', "''")
        ))
        .execute(conn)
        .expect("demande");

        db::run_migrations(conn).expect("migrate the rest");

        let Snapshot { snapshot } =
            diesel::sql_query("SELECT snapshot FROM demandes WHERE id = 'r1'")
                .get_result(conn)
                .expect("snapshot");
        assert!(!snapshot.contains("nationalite"), "{snapshot}");
        assert!(!snapshot.contains("Française"), "{snapshot}");
        let value: serde_json::Value = serde_json::from_str(&snapshot).expect("still JSON");
        assert_eq!(value["members"][0]["nom"], "A", "{value}");
        assert_eq!(value["members"][1]["role"], "enfant", "order kept: {value}");
        assert_eq!(value["adresse"], "1 rue A");
        let count = diesel::sql_query("SELECT nationalite AS item FROM members").execute(conn);
        assert!(count.is_err(), "the column is gone");
    }
    drop(pg);
    let _ = std::fs::remove_dir_all(dir);
    let mut admin =
        PgConnection::establish(&format!("{}/postgres", postgres_server())).expect("admin");
    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin);
}
