//! « Dernières connexions »: every login attempt on an existing account.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{connection_logs, failed_logins};
use crate::db::{DbConn, new_id};

/// A row of `connection_logs`.
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = connection_logs)]
pub struct ConnectionLog {
    pub at: NaiveDateTime,
    pub ip: String,
    pub user_agent: String,
    pub success: bool,
}

impl From<ConnectionLog> for shared::api::account::ConnectionEntry {
    fn from(log: ConnectionLog) -> Self {
        Self {
            at: log.at.and_utc(),
            ip: log.ip,
            user_agent: log.user_agent,
            success: log.success,
        }
    }
}

/// Records one attempt.
pub fn record(
    conn: &mut DbConn,
    account_id: &str,
    at: NaiveDateTime,
    ip: &str,
    user_agent: &str,
    success: bool,
) -> QueryResult<usize> {
    diesel::insert_into(connection_logs::table)
        .values((
            connection_logs::id.eq(new_id()),
            connection_logs::account_id.eq(account_id),
            connection_logs::at.eq(at),
            connection_logs::ip.eq(ip),
            connection_logs::user_agent.eq(user_agent),
            connection_logs::success.eq(success),
        ))
        .execute(conn)
}

/// Records a failed login on an unknown account (when and from where, nothing typed).
pub fn record_unknown(conn: &mut DbConn, at: NaiveDateTime, ip: &str) -> QueryResult<usize> {
    diesel::insert_into(failed_logins::table)
        .values((
            failed_logins::id.eq(new_id()),
            failed_logins::at.eq(at),
            failed_logins::ip.eq(ip),
        ))
        .execute(conn)
}

/// One page of an account's history, newest first, and the total count.
pub fn page(
    conn: &mut DbConn,
    account_id: &str,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<ConnectionLog>, i64)> {
    let items = connection_logs::table
        .filter(connection_logs::account_id.eq(account_id))
        .order((connection_logs::at.desc(), connection_logs::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(ConnectionLog::as_select())
        .load(conn)?;
    let total = connection_logs::table
        .filter(connection_logs::account_id.eq(account_id))
        .count()
        .get_result(conn)?;
    Ok((items, total))
}

/// Deletes entries older than `before` (retention: 6 months by default).
pub fn purge(conn: &mut DbConn, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(failed_logins::table.filter(failed_logins::at.lt(before))).execute(conn)?;
    diesel::delete(connection_logs::table.filter(connection_logs::at.lt(before))).execute(conn)
}
