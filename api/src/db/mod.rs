//! Database access: one diesel code base over PostgreSQL (production) and SQLite (the
//! embedded default), the connection pool, embedded migrations and write transactions.
//!
//! Dialect differences stay in this module (a `match` on [`DbConn`]); model code in
//! [`models`] is written once against `&mut DbConn`.

pub mod models;
pub mod schema;

use std::time::Duration;

use anyhow::{Context, bail};
use chrono::{NaiveDateTime, SubsecRound, Utc};
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, CustomizeConnection, ManageConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// A connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// The backend type of [`DbConn`], for boxed queries written once for both databases.
pub type DbBackend = <DbConn as Connection>::Backend;

/// The pool shared by request handlers and background jobs.
pub type DbPool = r2d2::Pool<ConnectionManager>;
/// A connection checked out of [`DbPool`].
pub type PooledConn = r2d2::PooledConnection<ConnectionManager>;

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");

/// Which backend a database URL names. Dispatching on the scheme ourselves matters:
/// diesel's derived `establish` falls through backends, so a PostgreSQL URL with the
/// server down would be reported as "invalid URL", and any other string would silently
/// become an SQLite file of that name (STACK.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// The backend of `url`, or an error naming the accepted schemes.
    pub fn from_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else if url.starts_with("sqlite://") {
            Ok(Self::Sqlite)
        } else {
            bail!(
                "DATABASE_URL must start with postgres://, postgresql:// or sqlite:// (got {:?})",
                redact(url)
            )
        }
    }
}

/// Hides a password in a connection URL before it reaches a message or a log.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.chars().take(60).collect(),
    }
}

/// An r2d2 manager that builds the right [`DbConn`] variant from the URL scheme.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
}

impl ConnectionManager {
    fn new(url: &str, timeout: Duration) -> anyhow::Result<Self> {
        let backend = Backend::from_url(url)?;
        Ok(Self {
            url: match backend {
                Backend::Postgres => with_network_timeouts(url, timeout),
                Backend::Sqlite => url.to_string(),
            },
            backend,
        })
    }
}

/// Adds libpq's own network timeouts to a PostgreSQL URL (unless the URL sets them): a
/// connection attempt gives up after `timeout`, and TCP keepalives and
/// `tcp_user_timeout` notice a silent network drop within seconds instead of the kernel's
/// default hours (SECURITY.md L-05). A drop that still answers TCP (a stuck proxy) is
/// caught by the unit-of-work timeout in `AppState`.
fn with_network_timeouts(url: &str, timeout: Duration) -> String {
    let seconds = timeout.as_secs().max(1);
    let defaults = [
        ("connect_timeout", seconds.to_string()),
        ("keepalives", "1".to_string()),
        ("keepalives_idle", "10".to_string()),
        ("keepalives_interval", "5".to_string()),
        ("keepalives_count", "3".to_string()),
        ("tcp_user_timeout", (seconds * 2000).to_string()),
    ];
    let mut out = url.to_string();
    for (name, value) in defaults {
        if !url.contains(&format!("{name}=")) {
            out.push(if out.contains('?') { '&' } else { '?' });
            out.push_str(&format!("{name}={value}"));
        }
    }
    out
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url).map(DbConn::Pg),
            Backend::Sqlite => {
                let path = self.url.trim_start_matches("sqlite://");
                SqliteConnection::establish(path).map(DbConn::Sqlite)
            }
        }
        .map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConn) -> bool {
        false
    }
}

/// Per-connection settings: SQLite pragmas (WAL, foreign keys, waiting on locks) and,
/// on PostgreSQL, a statement timeout so a stuck query cannot hold a worker forever.
#[derive(Debug)]
struct ConnectionSetup {
    timeout: Duration,
}

impl CustomizeConnection<DbConn, r2d2::Error> for ConnectionSetup {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        let millis = self.timeout.as_millis();
        let sql = match conn {
            DbConn::Sqlite(_) => {
                // busy_timeout first: switching a new file to WAL takes a lock that the
                // pool's other connections, opened at the same moment, must wait for.
                format!(
                    "PRAGMA busy_timeout = {millis}; PRAGMA journal_mode = WAL; \
                     PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                )
            }
            DbConn::Pg(_) => {
                format!("SET statement_timeout = '{millis}ms'; SET TIME ZONE 'UTC';")
            }
        };
        conn.batch_execute(&sql).map_err(r2d2::Error::QueryError)
    }
}

/// The default of `DATABASE_TIMEOUT_SECONDS`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// Builds the pool and applies pending migrations, with the default timeouts.
pub fn connect(url: &str, max_size: u32) -> anyhow::Result<DbPool> {
    connect_with(url, max_size, DEFAULT_TIMEOUT)
}

/// Builds the pool and applies pending migrations. `timeout` bounds connecting, waiting for
/// a pooled connection and each statement.
pub fn connect_with(url: &str, max_size: u32, timeout: Duration) -> anyhow::Result<DbPool> {
    let manager = ConnectionManager::new(url, timeout)?;
    if manager.backend == Backend::Sqlite {
        let path = url.trim_start_matches("sqlite://");
        if let Some(parent) = std::path::Path::new(path)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
        {
            std::fs::create_dir_all(parent).with_context(|| {
                format!("Failed to create the SQLite directory {}", parent.display())
            })?;
        }
    }
    // Migrate on one connection before the pool opens the others: on a new SQLite file the
    // switch to WAL and the migrations take locks that concurrent connections would fight for.
    let mut first = manager
        .connect()
        .with_context(|| format!("Failed to connect to the database at {}", redact(url)))?;
    ConnectionSetup { timeout }
        .on_acquire(&mut first)
        .context("Failed to configure the database connection")?;
    run_migrations(&mut first)?;
    drop(first);
    let pool = r2d2::Pool::builder()
        .max_size(max_size)
        // Fail fast rather than queueing requests for r2d2's default 30 s (SECURITY.md L-05).
        .connection_timeout(timeout)
        .connection_customizer(Box::new(ConnectionSetup { timeout }))
        .build(manager)
        .with_context(|| format!("Failed to connect to the database at {}", redact(url)))?;
    Ok(pool)
}

/// Applies the embedded migrations of the connection's backend.
pub fn run_migrations(conn: &mut DbConn) -> anyhow::Result<()> {
    let result = match conn {
        DbConn::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|_| ()),
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| anyhow::anyhow!("Failed to run database migrations: {e}"))
}

/// Applies pending migrations one by one up to and including the one whose name starts
/// with `last` (tests of a migration's data changes: state before it, then run it).
pub fn run_migrations_through(conn: &mut DbConn, last: &str) -> anyhow::Result<()> {
    fn through<DB: diesel::backend::Backend>(
        conn: &mut impl MigrationHarness<DB>,
        source: fn() -> EmbeddedMigrations,
        last: &str,
    ) -> anyhow::Result<()> {
        loop {
            let pending = conn
                .pending_migrations(source())
                .map_err(|e| anyhow::anyhow!("Failed to list migrations: {e}"))?;
            let Some(next) = pending.first() else {
                return Ok(());
            };
            let name = next.name().to_string();
            conn.run_migration(next.as_ref())
                .map_err(|e| anyhow::anyhow!("Failed to run migration {name}: {e}"))?;
            if name.starts_with(last) {
                return Ok(());
            }
        }
    }
    match conn {
        DbConn::Pg(c) => through(c, || PG_MIGRATIONS, last),
        DbConn::Sqlite(c) => through(c, || SQLITE_MIGRATIONS, last),
    }
}

/// Runs `f` in a write transaction.
///
/// On SQLite the transaction starts with `BEGIN IMMEDIATE`: a deferred transaction that
/// reads before it writes fails with "database is locked" under concurrency, whatever the
/// busy timeout (STACK.md: 945 failures in 1,000 without it, 0 with it).
pub fn write_tx<T, E>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    type Manager = <DbConn as Connection>::TransactionManager;
    match conn {
        DbConn::Sqlite(inner) => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?
        }
        DbConn::Pg(_) => Manager::begin_transaction(conn)?,
    }
    // The multi-connection transaction manager delegates to the inner connection's, so it
    // sees the transaction opened above and commits or rolls it back.
    match f(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(e) => {
            // When the work failed because the connection died (a database restart), the
            // rollback fails too: the work's error is the one that says what happened.
            // (The pool drops a connection whose transaction state is broken.)
            if let Err(rollback) = Manager::rollback_transaction(conn) {
                tracing::warn!(%rollback, "rollback after a failed unit of work failed");
            }
            Err(e)
        }
    }
}

/// The current UTC time, truncated to microseconds: PostgreSQL keeps 6 sub-second digits
/// and SQLite 9, and values must compare equal after a round trip on both.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A new random id, stored as text on both backends.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A row id answered by a `RETURNING id` (the PostgreSQL leases of the job queues).
#[derive(diesel::QueryableByName)]
pub struct LeasedId {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub id: String,
}
