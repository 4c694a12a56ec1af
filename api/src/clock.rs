//! The clock that leases and retries are measured against: the database's, so that every
//! server of a deployment agrees on when a claimed email may be taken again or is due,
//! whatever its own clock says. Tests move it forward to live through a day of outage in
//! a second.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;

/// The database's time, plus an offset that only tests change.
#[derive(Debug, Default)]
pub struct Clock {
    offset_micros: AtomicI64,
}

impl Clock {
    /// The current UTC time on the database server (microseconds), plus the offset.
    pub fn now(&self, conn: &mut DbConn) -> QueryResult<NaiveDateTime> {
        let database: NaiveDateTime = diesel::select(diesel::dsl::now).get_result(conn)?;
        let offset = chrono::Duration::microseconds(self.offset_micros.load(Ordering::SeqCst));
        Ok(database + offset)
    }

    /// Back to the database's own time.
    pub fn reset(&self) {
        self.offset_micros.store(0, Ordering::SeqCst);
    }

    /// Moves this clock forward (tests: an outage of a day, a link that expires).
    pub fn advance(&self, by: chrono::Duration) {
        self.offset_micros
            .fetch_add(by.num_microseconds().unwrap_or(i64::MAX), Ordering::SeqCst);
    }
}
