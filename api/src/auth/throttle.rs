//! The login throttle: locks after consecutive failures, and ceilings per account and per
//! address. Kept in the database (`login_locks`, and `rate_counters` through
//! [`crate::limits`]), so every server of a deployment applies the same counts and a
//! restart forgets nothing.
//!
//! Login policy (SECURITY.md ). An attempt comes either from a **known device**
//! (a browser holding a valid device cookie for the account, see [`crate::auth::device`])
//! or from an unknown client, named by its IP:
//! - after `max_failures` consecutive failures, the *(account, device)* or *(account, IP)*
//!   pair is locked for `lock_base`, doubling with each further failure up to `lock_max`;
//!   while locked, attempts are refused with the same generic 401 — even with the right
//!   password — and do not extend the lock;
//! - unknown clients also share a per-account ceiling of 100 evaluated attempts an hour
//!   (ASVS 4.0.3-2.2.1) and a per-IP limit on how many *different* accounts may fail from
//!   one address (credential stuffing), so that many addresses together cannot guess
//!   freely;
//! - a known device escapes both: strangers can exhaust them, but never lock the family
//!   out of the browser it uses. A password reset clears every lock of the account.
//!   Counting distinct accounts (rather than failures) keeps one NAT — a town hall's
//!   public computer, a mobile carrier — usable when one of its users mistypes.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::db::DbConn;
use crate::db::models::login_lock;
use crate::limits::RateLimit;

/// Login throttling settings.
#[derive(Clone, Copy, Debug)]
pub struct LoginPolicy {
    pub max_failures: u32,
    pub lock_base: Duration,
    pub lock_max: Duration,
    /// Attempts from unknown clients evaluated per account and hour.
    pub per_account_per_hour: usize,
    /// Different accounts that may fail from one IP in 15 minutes before that IP's
    /// unknown clients are refused.
    pub per_ip_accounts_per_15_min: usize,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_base: Duration::from_secs(60),
            lock_max: Duration::from_secs(900),
            per_account_per_hour: 100,
            per_ip_accounts_per_15_min: 30,
        }
    }
}

/// Where a login attempt comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A browser with a valid device cookie for the account (its nonce).
    KnownDevice(String),
    /// Any other client, by IP.
    Address(String),
}

impl Origin {
    /// The origin of a login attempt on `account_id` by `client`.
    pub fn of(
        client: &crate::extract::ClientInfo,
        devices: &crate::auth::device::DeviceCookies,
        account_id: Option<&str>,
    ) -> Self {
        account_id
            .and_then(|id| devices.device_of(client.device_cookie.as_deref(), id))
            .map_or_else(|| Self::Address(client.ip.to_string()), Self::KnownDevice)
    }

    fn key(&self) -> String {
        match self {
            Self::KnownDevice(nonce) => format!("device:{nonce}"),
            Self::Address(ip) => format!("ip:{ip}"),
        }
    }
}

/// What the throttle said of an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The password may be checked.
    pub allowed: bool,
    /// The pair has failed before: a success must clear it.
    pub failures_on_record: bool,
}

/// The login throttle.
#[derive(Clone)]
pub struct LoginThrottle {
    policy: LoginPolicy,
    per_account: RateLimit,
    /// One event per (IP, account) that failed in the window…
    failed_pairs: RateLimit,
    /// …counted per IP.
    per_ip_accounts: RateLimit,
}

impl LoginThrottle {
    pub fn new(policy: LoginPolicy) -> Self {
        let window = Duration::from_secs(900);
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            policy,
            per_account: RateLimit::new(
                "login_account",
                count(policy.per_account_per_hour),
                Duration::from_secs(3600),
            ),
            failed_pairs: RateLimit::new("login_failed_pair", 1, window),
            per_ip_accounts: RateLimit::new(
                "login_ip_accounts",
                count(policy.per_ip_accounts_per_15_min),
                window,
            ),
        }
    }

    /// Whether an attempt on `account` from `origin` may be evaluated (its password
    /// checked). Refused attempts do not count and do not extend a lock.
    pub fn may_attempt(
        &self,
        conn: &mut DbConn,
        account: &str,
        origin: &Origin,
        now: NaiveDateTime,
    ) -> QueryResult<bool> {
        self.attempt(conn, account, origin, now).map(|a| a.allowed)
    }

    /// [`may_attempt`](Self::may_attempt), telling also whether the pair has failures on
    /// record (only then has a success something to clear: most logins write nothing more).
    pub fn attempt(
        &self,
        conn: &mut DbConn,
        account: &str,
        origin: &Origin,
        now: NaiveDateTime,
    ) -> QueryResult<Attempt> {
        let on_record = login_lock::find(conn, account, &origin.key())?;
        let failures_on_record = on_record.is_some();
        if on_record.flatten().is_some_and(|until| now < until) {
            return Ok(Attempt {
                allowed: false,
                failures_on_record,
            });
        }
        let allowed = match origin {
            Origin::KnownDevice(_) => true,
            Origin::Address(ip) => {
                !self.per_ip_accounts.is_limited(conn, ip, now)?
                    && self.per_account.hit(conn, account, now)?.is_ok()
            }
        };
        Ok(Attempt {
            allowed,
            failures_on_record,
        })
    }

    /// Records a failed attempt, locking the pair once the threshold is reached.
    pub fn record_failure(
        &self,
        conn: &mut DbConn,
        account: &str,
        origin: &Origin,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        if let Origin::Address(ip) = origin
            && self
                .failed_pairs
                .hit(conn, &format!("{ip}|{account}"), now)?
                .is_ok()
        {
            let _ = self.per_ip_accounts.hit(conn, ip, now)?;
        }
        let key = origin.key();
        let failures =
            u32::try_from(login_lock::count_failure(conn, account, &key, now)?).unwrap_or(u32::MAX);
        if failures >= self.policy.max_failures {
            let doublings = (failures - self.policy.max_failures).min(16);
            let lock = self
                .policy
                .lock_base
                .saturating_mul(1 << doublings)
                .min(self.policy.lock_max);
            let until = now + chrono::Duration::from_std(lock).unwrap_or(chrono::Duration::MAX);
            login_lock::lock(conn, account, &key, until)?;
        }
        Ok(())
    }

    /// A successful login clears the pair's failures.
    pub fn record_success(
        &self,
        conn: &mut DbConn,
        account: &str,
        origin: &Origin,
    ) -> QueryResult<()> {
        login_lock::clear(conn, account, &origin.key()).map(|_| ())
    }

    /// A password reset proved control of the account's address: every lock on the
    /// account goes, from every device and address, and its ceiling starts again.
    pub fn clear_account(&self, conn: &mut DbConn, account: &str) -> QueryResult<()> {
        login_lock::clear_account(conn, account)?;
        self.per_account.forget(conn, account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::limits::tests::Database;

    /// A real database and a throttle locking for `lock` (up to 4 × `lock`).
    struct Fixture {
        database: Database,
        throttle: LoginThrottle,
    }

    impl Fixture {
        fn new(lock: Duration) -> Self {
            Self {
                database: Database::new(),
                throttle: LoginThrottle::new(LoginPolicy {
                    lock_base: lock,
                    lock_max: lock * 4,
                    ..LoginPolicy::default()
                }),
            }
        }

        fn may(&self, account: &str, origin: &Origin, now: NaiveDateTime) -> bool {
            let mut conn = self.database.pool.get().expect("connection");
            self.throttle
                .may_attempt(&mut conn, account, origin, now)
                .expect("db")
        }

        fn fail(&self, account: &str, origin: &Origin, now: NaiveDateTime) {
            let mut conn = self.database.pool.get().expect("connection");
            self.throttle
                .record_failure(&mut conn, account, origin, now)
                .expect("db");
        }
    }

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000 + seconds, 0)
            .expect("instant")
            .naive_utc()
    }

    fn ip(ip: &str) -> Origin {
        Origin::Address(ip.into())
    }

    fn device(nonce: &str) -> Origin {
        Origin::KnownDevice(nonce.into())
    }

    #[test]
    fn five_failures_lock_the_pair_but_not_other_addresses() {
        let t = Fixture::new(Duration::from_secs(60));
        for _ in 0..5 {
            assert!(t.may("acc", &ip("1.1.1.1"), at(0)));
            t.fail("acc", &ip("1.1.1.1"), at(0));
        }
        assert!(!t.may("acc", &ip("1.1.1.1"), at(1)));
        assert!(
            t.may("acc", &ip("2.2.2.2"), at(1)),
            "the real user elsewhere is not locked out"
        );
    }

    #[test]
    fn the_lock_ends_after_its_wait_doubles_and_success_clears_it() {
        let t = Fixture::new(Duration::from_secs(60));
        for _ in 0..5 {
            t.fail("acc", &ip("1.1.1.1"), at(0));
        }
        assert!(!t.may("acc", &ip("1.1.1.1"), at(59)));
        assert!(t.may("acc", &ip("1.1.1.1"), at(61)));
        // One more failure: locked twice as long.
        t.fail("acc", &ip("1.1.1.1"), at(61));
        assert!(!t.may("acc", &ip("1.1.1.1"), at(61 + 119)));
        assert!(t.may("acc", &ip("1.1.1.1"), at(61 + 121)));
        let mut conn = t.database.pool.get().expect("connection");
        t.throttle
            .record_success(&mut conn, "acc", &ip("1.1.1.1"))
            .expect("db");
        drop(conn);
        t.fail("acc", &ip("1.1.1.1"), at(200));
        assert!(
            t.may("acc", &ip("1.1.1.1"), at(200)),
            "the count started again"
        );
    }

    #[test]
    fn at_most_100_attempts_an_hour_are_evaluated_per_account_from_unknown_clients() {
        let t = Fixture::new(Duration::from_secs(60));
        let evaluated = (0..150)
            .filter(|i| t.may("acc", &ip(&format!("10.0.0.{i}")), at(0)))
            .count();
        assert_eq!(evaluated, 100);
        assert!(
            t.may("acc", &device("family-laptop"), at(0)),
            "the family's own browser is not held by the ceiling"
        );
    }

    #[test]
    fn a_known_device_has_its_own_lock() {
        let t = Fixture::new(Duration::from_secs(60));
        let known = device("nonce");
        for _ in 0..5 {
            t.fail("acc", &known, at(0));
        }
        assert!(!t.may("acc", &known, at(1)));
        assert!(t.may("acc", &device("other"), at(1)));
    }

    #[test]
    fn many_accounts_failing_from_one_address_limit_it_but_one_account_does_not() {
        let t = Fixture::new(Duration::from_secs(60));
        for _ in 0..60 {
            t.fail("victim", &ip("1.1.1.1"), at(0));
        }
        assert!(
            t.may("neighbour", &ip("1.1.1.1"), at(0)),
            "one account's failures stay its own"
        );
        for i in 0..30 {
            t.fail(&format!("acc{i}"), &ip("1.1.1.1"), at(0));
        }
        assert!(
            !t.may("neighbour", &ip("1.1.1.1"), at(0)),
            "credential stuffing from one address"
        );
        assert!(t.may("neighbour", &device("n"), at(0)));
    }

    #[test]
    fn a_password_reset_clears_the_accounts_locks() {
        let t = Fixture::new(Duration::from_secs(60));
        for i in 0..150 {
            let from = ip(&format!("10.0.{}.{}", i / 5, i % 5));
            if t.may("acc", &from, at(0)) {
                t.fail("acc", &from, at(0));
            }
        }
        assert!(!t.may("acc", &ip("192.0.2.1"), at(0)));
        let mut conn = t.database.pool.get().expect("connection");
        t.throttle.clear_account(&mut conn, "acc").expect("db");
        drop(conn);
        assert!(t.may("acc", &ip("192.0.2.1"), at(0)));
    }

    #[test]
    fn two_throttles_on_one_database_share_their_counts() {
        // Two servers of one deployment: failures on one lock the pair on the other.
        let t = Fixture::new(Duration::from_secs(60));
        let other = LoginThrottle::new(LoginPolicy::default());
        for _ in 0..5 {
            t.fail("acc", &ip("1.1.1.1"), at(0));
        }
        let mut conn = t.database.pool.get().expect("connection");
        assert!(
            !other
                .may_attempt(&mut conn, "acc", &ip("1.1.1.1"), at(1))
                .expect("db")
        );
    }
}
