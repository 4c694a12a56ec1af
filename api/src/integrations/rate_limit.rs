//! Per-application request quotas on the integration API, told to the application with
//! the IETF httpapi draft's headers (draft-ietf-httpapi-ratelimit-headers):
//! `RateLimit-Policy: "application";q=600;w=60` on every answer, `RateLimit:
//! "application";r=…;t=…` (requests left, seconds until the window restarts), and 429 with
//! `Retry-After` once the quota is spent. Fixed windows aligned on the clock (each minute on
//! the minute, for a 60-second window): simple to state and to predict from the outside.
//!
//! The counters are in the database (`rate_counters`, as every limit: [`crate::limits`]),
//! so an application gets its quota once, however many servers answer it.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::DbConn;
use crate::db::models::rate_counter;
use crate::limits::Windows;

/// The policy's name in the headers.
const POLICY: &str = "application";

/// Names the quota in `rate_counters`.
const BUCKET: &str = "integration_requests";

/// A quota of requests per window, per application.
#[derive(Clone)]
pub struct Quota {
    per_window: u32,
    window: Duration,
}

/// What the quota said of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    /// Requests left in this window after this one.
    pub remaining: u32,
    /// Until the window restarts.
    pub reset: Duration,
}

impl Quota {
    pub fn new(per_window: u32, window: Duration) -> Self {
        Self {
            per_window: per_window.max(1),
            window: window.max(Duration::from_secs(1)),
        }
    }

    /// Counts one request of `application` at `now`, unless its quota is spent (a refused
    /// request does not count).
    pub fn take(
        &self,
        conn: &mut DbConn,
        application: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Verdict> {
        let windows = Windows::at(self.window, now);
        let used = rate_counter::increment(conn, BUCKET, application, windows.current)?;
        let used = u32::try_from(used).unwrap_or(u32::MAX);
        if used > self.per_window {
            rate_counter::decrement(conn, BUCKET, application, windows.current)?;
            return Ok(Verdict {
                allowed: false,
                remaining: 0,
                reset: windows.left,
            });
        }
        Ok(Verdict {
            allowed: true,
            remaining: self.per_window - used,
            reset: windows.left,
        })
    }

    /// `RateLimit-Policy`.
    pub fn policy_header(&self) -> String {
        format!(
            "\"{POLICY}\";q={};w={}",
            self.per_window,
            self.window.as_secs()
        )
    }
}

impl Verdict {
    /// `RateLimit`: whole seconds until the reset, never 0 while the window runs.
    pub fn header(&self) -> String {
        format!(
            "\"{POLICY}\";r={};t={}",
            self.remaining,
            self.reset_seconds()
        )
    }

    pub fn reset_seconds(&self) -> u64 {
        self.reset.as_secs_f64().ceil().max(1.0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::tests::Database;

    #[test]
    fn a_quota_counts_down_refuses_then_restarts_with_its_window() {
        let database = Database::new();
        let mut conn = database.pool.get().expect("connection");
        let quota = Quota::new(2, Duration::from_secs(60));
        let at = |seconds: i64| {
            chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
                .expect("instant")
                .naive_utc()
        };
        let mut take = |application: &str, seconds: i64| {
            quota.take(&mut conn, application, at(seconds)).expect("db")
        };
        // 1_800_000_000 is a minute's start.
        let first = take("a", 0);
        assert_eq!(
            (first.allowed, first.remaining, first.header().as_str()),
            (true, 1, "\"application\";r=1;t=60")
        );
        assert!(take("a", 10).allowed);
        let refused = take("a", 20);
        assert_eq!(
            (refused.allowed, refused.remaining, refused.reset_seconds()),
            (false, 0, 40)
        );
        // Another application has its own quota.
        assert!(take("b", 20).allowed);
        // A new window.
        let later = take("a", 61);
        assert_eq!((later.allowed, later.remaining), (true, 1));
        assert_eq!(quota.policy_header(), "\"application\";q=2;w=60");
    }
}
