//! Rate limits shared by every server of a deployment: the events are counted in the
//! database (`rate_counters`), so N servers behind a load balancer allow what one would,
//! and a restart forgets nothing.
//!
//! A limit allows `max` events per sliding `window`, estimated from two fixed windows (the
//! "sliding window counter"): the current window's count plus the previous window's,
//! weighted by how much of it the sliding window still covers. Two rows per key and limit,
//! two statements per event (count, then read the previous window), exact under
//! concurrency: each event is counted by one atomic statement, and one that went over
//! takes itself back, so refused events never count.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::config::Settings;
use crate::db::models::rate_counter;
use crate::db::{DbConn, now};
use crate::error::ApiError;
use crate::state::AppState;

/// At most `max` events per sliding `window` for one key.
#[derive(Clone, Copy, Debug)]
pub struct RateLimit {
    /// Names the limit in `rate_counters`.
    bucket: &'static str,
    max: u32,
    window: Duration,
}

/// Where `now` falls among the fixed windows of `length` (aligned on the Unix epoch, so
/// every server cuts time the same way).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Windows {
    pub previous: NaiveDateTime,
    pub current: NaiveDateTime,
    /// How much of the current window has passed, from 0 to 1.
    pub elapsed: f64,
    /// Until the current window ends.
    pub left: Duration,
}

impl Windows {
    pub fn at(length: Duration, now: NaiveDateTime) -> Self {
        let length = i64::try_from(length.as_millis()).unwrap_or(i64::MAX).max(1);
        let at = now.and_utc().timestamp_millis();
        let start = at - at.rem_euclid(length);
        let instant = |millis: i64| {
            chrono::DateTime::from_timestamp_millis(millis)
                .map(|t| t.naive_utc())
                .unwrap_or(now)
        };
        Self {
            previous: instant(start - length),
            current: instant(start),
            elapsed: (at - start) as f64 / length as f64,
            left: Duration::from_millis(u64::try_from(start + length - at).unwrap_or(0)),
        }
    }
}

impl RateLimit {
    pub const fn new(bucket: &'static str, max: u32, window: Duration) -> Self {
        Self {
            bucket,
            max,
            window,
        }
    }

    fn windows(&self, now: NaiveDateTime) -> Windows {
        Windows::at(self.window, now)
    }

    /// The events the sliding window holds.
    fn estimate(previous: i32, current: i32, elapsed: f64) -> f64 {
        f64::from(previous) * (1.0 - elapsed) + f64::from(current)
    }

    /// How long until one more event fits, given the counts now.
    fn wait(&self, previous: i32, current: i32, windows: Windows) -> Duration {
        let max = f64::from(self.max);
        let fraction = if f64::from(current) + 1.0 > max {
            // Not before the next window, once enough of this one has slid out of view.
            1.0 + (1.0 - (max - 1.0).max(0.0) / f64::from(current.max(1))).max(0.0)
        } else {
            1.0 - (max - f64::from(current) - 1.0) / f64::from(previous.max(1))
        };
        let left = (fraction - windows.elapsed).max(0.0);
        self.window.mul_f64(left).max(Duration::from_secs(1))
    }

    /// Counts an event of `key`, or says how long to wait if the limit is reached (the
    /// refused event is not counted).
    pub fn hit(
        &self,
        conn: &mut DbConn,
        key: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Result<(), Duration>> {
        let windows = self.windows(now);
        let current = rate_counter::increment(conn, self.bucket, key, windows.current)?;
        let (previous, _) =
            rate_counter::counts(conn, self.bucket, key, windows.previous, windows.current)?;
        if Self::estimate(previous, current, windows.elapsed) <= f64::from(self.max) {
            return Ok(Ok(()));
        }
        rate_counter::decrement(conn, self.bucket, key, windows.current)?;
        Ok(Err(self.wait(previous, current - 1, windows)))
    }

    /// Whether one more event of `key` would be over the limit (nothing is counted).
    pub fn is_limited(
        &self,
        conn: &mut DbConn,
        key: &str,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        let windows = self.windows(now);
        let (previous, current) =
            rate_counter::counts(conn, self.bucket, key, windows.previous, windows.current)?;
        Ok(Self::estimate(previous, current, windows.elapsed) + 1.0 > f64::from(self.max))
    }

    /// [`hit`](Self::hit) now, as a unit of database work of its own (its statements
    /// commit one by one: each is atomic).
    pub async fn take(
        self,
        state: &AppState,
        key: impl Into<String>,
    ) -> Result<Result<(), Duration>, ApiError> {
        let key = key.into();
        state
            .read(move |conn| Ok(self.hit(conn, &key, now())?))
            .await
    }

    /// [`is_limited`](Self::is_limited) now.
    pub async fn check(self, state: &AppState, key: impl Into<String>) -> Result<bool, ApiError> {
        let key = key.into();
        state
            .read(move |conn| Ok(self.is_limited(conn, &key, now())?))
            .await
    }

    /// Forgets `key`'s events.
    pub fn forget(&self, conn: &mut DbConn, key: &str) -> QueryResult<()> {
        rate_counter::forget(conn, self.bucket, key).map(|_| ())
    }
}

/// Rate limits on anonymous or costly endpoints.
#[derive(Clone)]
pub struct Limits {
    /// Sign-ups per client IP (SECURITY.md D-03: about 10 an hour).
    pub registrations: RateLimit,
    /// Step-1 checks, which reveal whether a username is taken (A-05 note).
    pub step_checks: RateLimit,
    /// Wrong dossier references (numéro + nom + prénom guessing), per client IP.
    pub dossier_guesses: RateLimit,
    /// Wrong dossier references per dossier number, whatever the IP (SECURITY.md A-15:
    /// guesses spread over many addresses still stop).
    pub dossier_number_guesses: RateLimit,
    /// Wrong codes of rattachement per dossier, over every account asking for it.
    pub rattachement_codes: RateLimit,
    /// Activation resends and password-reset requests.
    pub email_requests: RateLimit,
    /// Token requests per client id (a stolen or leaked id cannot hammer the token
    /// endpoint, nor guess secrets).
    pub token_requests: RateLimit,
    /// Requests of each connected application on the integration API.
    pub integration_requests: crate::integrations::rate_limit::Quota,
}

impl Limits {
    pub fn new(settings: &Settings) -> Self {
        const MINUTE: Duration = Duration::from_secs(60);
        const HOUR: Duration = Duration::from_secs(3600);
        Self {
            registrations: RateLimit::new(
                "registrations",
                u32::try_from(settings.registrations_per_hour).unwrap_or(u32::MAX),
                HOUR,
            ),
            step_checks: RateLimit::new("step_checks", 30, MINUTE),
            dossier_guesses: RateLimit::new("dossier_guesses", 5, Duration::from_secs(900)),
            dossier_number_guesses: RateLimit::new("dossier_number_guesses", 10, HOUR),
            rattachement_codes: RateLimit::new("rattachement_codes", 20, HOUR),
            email_requests: RateLimit::new("email_requests", 10, HOUR),
            token_requests: RateLimit::new("token_requests", 30, MINUTE),
            integration_requests: crate::integrations::rate_limit::Quota::new(
                settings.integration_requests_per_minute,
                MINUTE,
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(seconds, 0)
            .expect("instant")
            .naive_utc()
    }

    /// A real database: an SQLite file of its own, migrated, removed on drop.
    pub(crate) struct Database {
        pub pool: crate::db::DbPool,
        dir: std::path::PathBuf,
    }

    impl Database {
        pub(crate) fn new() -> Self {
            let dir =
                std::env::temp_dir().join(format!("pf-limits-{}", uuid::Uuid::new_v4().simple()));
            let url = format!("sqlite://{}", dir.join("limits.db").display());
            let pool = crate::db::connect(&url, 2).expect("database");
            Self { pool, dir }
        }
    }

    impl Drop for Database {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    #[test]
    fn windows_split_time_at_fixed_boundaries() {
        let limit = RateLimit::new("t", 10, Duration::from_secs(60));
        let windows = limit.windows(at(3_615));
        assert_eq!(windows.current, at(3_600));
        assert_eq!(windows.previous, at(3_540));
        assert!((windows.elapsed - 0.25).abs() < 1e-9);
    }

    #[test]
    fn the_wait_is_until_one_more_event_fits() {
        let limit = RateLimit::new("t", 10, Duration::from_secs(100));
        let windows = limit.windows(at(1_050));
        // 10 in this window already: half of it left, then most of the next one.
        let wait = limit.wait(0, 10, windows);
        assert!(
            wait >= Duration::from_secs(50) && wait <= Duration::from_secs(150),
            "{wait:?}"
        );
        // 4 in the previous window, 9 in this one: one fits once the previous window has
        // slid out entirely (it is half out).
        let wait = limit.wait(4, 9, windows);
        assert_eq!(wait, Duration::from_secs(50));
    }

    #[test]
    fn events_are_counted_in_the_database_and_refused_ones_are_not() {
        let database = Database::new();
        let mut conn = database.pool.get().expect("connection");
        let limit = RateLimit::new("t", 3, Duration::from_secs(60));
        let now = at(6_000);
        for _ in 0..3 {
            assert_eq!(limit.hit(&mut conn, "k", now).expect("db"), Ok(()));
        }
        assert!(limit.is_limited(&mut conn, "k", now).expect("db"));
        for _ in 0..10 {
            assert!(limit.hit(&mut conn, "k", now).expect("db").is_err());
        }
        assert_eq!(limit.hit(&mut conn, "other", now).expect("db"), Ok(()));
        // Halfway through the next window half of the 3 still count: one more fits, not
        // two — and the 10 refused ones never counted.
        let later = at(6_090);
        assert_eq!(limit.hit(&mut conn, "k", later).expect("db"), Ok(()));
        assert!(limit.hit(&mut conn, "k", later).expect("db").is_err());
        limit.forget(&mut conn, "k").expect("db");
        assert!(!limit.is_limited(&mut conn, "k", later).expect("db"));
    }
}
