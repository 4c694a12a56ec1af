//! A fresh database per test: a clone of a migrated template on PostgreSQL, a new file on
//! SQLite. Dropped when the test ends.

use std::sync::{LazyLock, Mutex};

use api::db::{self, DbConn};
use diesel::Connection;
use diesel::connection::SimpleConnection;

/// Which backend this test run uses (`TEST_DATABASE=postgres|sqlite`, default postgres).
pub fn backend() -> &'static str {
    static BACKEND: LazyLock<String> =
        LazyLock::new(|| std::env::var("TEST_DATABASE").unwrap_or_else(|_| "postgres".into()));
    BACKEND.as_str()
}

/// The PostgreSQL server tests use (trust auth on these machines).
pub fn postgres_server() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

fn admin_connection() -> DbConn {
    let url = format!("{}/postgres", postgres_server());
    DbConn::Pg(
        diesel::PgConnection::establish(&url)
            .unwrap_or_else(|e| panic!("PostgreSQL at {url} is needed: {e}")),
    )
}

/// The migrated template, created once per test process.
static TEMPLATE: LazyLock<String> = LazyLock::new(|| {
    let name = format!("pf_template_{}", std::process::id());
    let mut admin = admin_connection();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .expect("drop an old template");
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create the template database");
    let mut conn = DbConn::Pg(
        diesel::PgConnection::establish(&format!("{}/{name}", postgres_server()))
            .expect("connect to the template"),
    );
    db::run_migrations(&mut conn).expect("migrate the template");
    name
});

/// `CREATE DATABASE` takes a cluster-wide lock: serialise it rather than fail on contention.
static CREATE_LOCK: Mutex<()> = Mutex::new(());

/// One test's database.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Postgres(String),
    Sqlite { _dir: tempdir::TempDir },
}

pub mod tempdir {
    /// A directory removed on drop.
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl TestDb {
    /// A new, migrated, empty database of the configured backend.
    pub fn new() -> Self {
        match backend() {
            "sqlite" => {
                let dir =
                    std::env::temp_dir().join(format!("pf-test-{}", uuid::Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let url = format!("sqlite://{}", dir.join("test.db").display());
                Self {
                    url,
                    cleanup: Cleanup::Sqlite {
                        _dir: tempdir::TempDir(dir),
                    },
                }
            }
            _ => {
                let template = TEMPLATE.as_str();
                let name = format!("pf_t_{}", uuid::Uuid::new_v4().simple());
                {
                    let _guard = CREATE_LOCK.lock().unwrap_or_else(|p| p.into_inner());
                    admin_connection()
                        .batch_execute(&format!(
                            "CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY"
                        ))
                        .expect("clone the template");
                }
                Self {
                    url: format!("{}/{name}", postgres_server()),
                    cleanup: Cleanup::Postgres(name),
                }
            }
        }
    }

    /// A new PostgreSQL database with nothing in it, not even the migrations: what a
    /// restore starts from.
    pub fn empty_postgres() -> Self {
        let name = format!("pf_e_{}", uuid::Uuid::new_v4().simple());
        {
            let _guard = CREATE_LOCK.lock().unwrap_or_else(|p| p.into_inner());
            admin_connection()
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create an empty database");
        }
        Self {
            url: format!("{}/{name}", postgres_server()),
            cleanup: Cleanup::Postgres(name),
        }
    }

    /// A direct connection, for looking at rows.
    pub fn connect(&self) -> DbConn {
        match &self.cleanup {
            Cleanup::Postgres(_) => {
                DbConn::Pg(diesel::PgConnection::establish(&self.url).expect("connect"))
            }
            Cleanup::Sqlite { .. } => {
                let mut conn = DbConn::Sqlite(
                    diesel::SqliteConnection::establish(self.url.trim_start_matches("sqlite://"))
                        .expect("connect"),
                );
                // Wait for the application's writes instead of failing with "database is locked".
                conn.batch_execute("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;")
                    .expect("pragmas");
                conn
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres(name) = &self.cleanup {
            let _ = admin_connection()
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}
