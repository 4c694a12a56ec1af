//! In-memory throttles: sliding-window rate limits and the login locks.
//!
//! They live in the process: with several API replicas each keeps its own counters
//! (a deployment behind a load balancer should pin by IP or move these to the database).
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

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Counts events per key over a sliding window.
pub struct RateLimiter {
    max: usize,
    window: Duration,
    events: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl RateLimiter {
    /// At most `max` events per `window` for one key.
    pub fn new(max: usize, window: Duration) -> Self {
        Self {
            max,
            window,
            events: Mutex::new(HashMap::new()),
        }
    }

    /// Records an event for `key`, or says how long to wait if the limit is reached.
    pub fn hit(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        if events.len() > 100_000 {
            let window = self.window;
            events.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let queue = events.entry(key.to_string()).or_default();
        while queue
            .front()
            .is_some_and(|t| now.duration_since(*t) >= self.window)
        {
            queue.pop_front();
        }
        if queue.len() >= self.max {
            let oldest = queue.front().copied().unwrap_or(now);
            return Err(self.window.saturating_sub(now.duration_since(oldest)));
        }
        queue.push_back(now);
        Ok(())
    }

    /// Forgets `key`'s events.
    pub fn forget(&self, key: &str) {
        let mut events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        events.remove(key);
    }

    /// Whether `key` is at its limit, without recording anything.
    pub fn is_limited(&self, key: &str) -> bool {
        let now = Instant::now();
        let events = self.events.lock().unwrap_or_else(|p| p.into_inner());
        events.get(key).is_some_and(|q| {
            q.iter()
                .filter(|t| now.duration_since(**t) < self.window)
                .count()
                >= self.max
        })
    }
}

#[derive(Default, Clone, Copy)]
struct LockState {
    consecutive_failures: u32,
    locked_until: Option<Instant>,
}

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

/// The login throttle.
pub struct LoginThrottle {
    policy: LoginPolicy,
    locks: Mutex<HashMap<(String, String), LockState>>,
    per_account: RateLimiter,
    /// One event per (IP, account) that failed in the window…
    failed_pairs: RateLimiter,
    /// …counted per IP.
    per_ip_accounts: RateLimiter,
}

impl LoginThrottle {
    pub fn new(policy: LoginPolicy) -> Self {
        let window = Duration::from_secs(900);
        Self {
            policy,
            locks: Mutex::new(HashMap::new()),
            per_account: RateLimiter::new(policy.per_account_per_hour, Duration::from_secs(3600)),
            failed_pairs: RateLimiter::new(1, window),
            per_ip_accounts: RateLimiter::new(policy.per_ip_accounts_per_15_min, window),
        }
    }

    /// Whether an attempt on `account` from `origin` may be evaluated (its password
    /// checked). Refused attempts do not count and do not extend a lock.
    pub fn may_attempt(&self, account: &str, origin: &Origin) -> bool {
        let key = (account.to_string(), origin.key());
        let locked = {
            let locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            locks
                .get(&key)
                .and_then(|s| s.locked_until)
                .is_some_and(|until| Instant::now() < until)
        };
        if locked {
            return false;
        }
        match origin {
            Origin::KnownDevice(_) => true,
            Origin::Address(ip) => {
                !self.per_ip_accounts.is_limited(ip) && self.per_account.hit(account).is_ok()
            }
        }
    }

    /// Records a failed attempt, locking the pair once the threshold is reached.
    pub fn record_failure(&self, account: &str, origin: &Origin) {
        if let Origin::Address(ip) = origin
            && self.failed_pairs.hit(&format!("{ip}|{account}")).is_ok()
        {
            let _ = self.per_ip_accounts.hit(ip);
        }
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        if locks.len() > 100_000 {
            let now = Instant::now();
            locks.retain(|_, s| s.locked_until.is_some_and(|u| u > now));
        }
        let state = locks
            .entry((account.to_string(), origin.key()))
            .or_default();
        state.consecutive_failures += 1;
        if state.consecutive_failures >= self.policy.max_failures {
            let doublings = (state.consecutive_failures - self.policy.max_failures).min(16);
            let lock = self
                .policy
                .lock_base
                .saturating_mul(1 << doublings)
                .min(self.policy.lock_max);
            state.locked_until = Some(Instant::now() + lock);
        }
    }

    /// A successful login clears the pair's failures.
    pub fn record_success(&self, account: &str, origin: &Origin) {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.remove(&(account.to_string(), origin.key()));
    }

    /// A password reset proved control of the account's address: every lock on the
    /// account goes, from every device and address, and its ceiling starts again.
    pub fn clear_account(&self, account: &str) {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.retain(|(locked, _), _| locked != account);
        drop(locks);
        self.per_account.forget(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(lock: Duration) -> LoginThrottle {
        LoginThrottle::new(LoginPolicy {
            lock_base: lock,
            lock_max: lock * 4,
            ..LoginPolicy::default()
        })
    }

    fn ip(ip: &str) -> Origin {
        Origin::Address(ip.into())
    }

    fn device(nonce: &str) -> Origin {
        Origin::KnownDevice(nonce.into())
    }

    #[test]
    fn five_failures_lock_the_pair_but_not_other_addresses() {
        let t = throttle(Duration::from_secs(60));
        for _ in 0..5 {
            assert!(t.may_attempt("acc", &ip("1.1.1.1")));
            t.record_failure("acc", &ip("1.1.1.1"));
        }
        assert!(!t.may_attempt("acc", &ip("1.1.1.1")));
        assert!(
            t.may_attempt("acc", &ip("2.2.2.2")),
            "the real user elsewhere is not locked out"
        );
    }

    #[test]
    fn the_lock_ends_after_its_wait_and_success_clears_it() {
        let t = throttle(Duration::from_millis(50));
        for _ in 0..5 {
            t.record_failure("acc", &ip("1.1.1.1"));
        }
        assert!(!t.may_attempt("acc", &ip("1.1.1.1")));
        std::thread::sleep(Duration::from_millis(60));
        assert!(t.may_attempt("acc", &ip("1.1.1.1")));
        t.record_success("acc", &ip("1.1.1.1"));
        assert!(t.may_attempt("acc", &ip("1.1.1.1")));
    }

    #[test]
    fn at_most_100_attempts_an_hour_are_evaluated_per_account_from_unknown_clients() {
        let t = throttle(Duration::from_secs(60));
        let evaluated = (0..150)
            .filter(|i| t.may_attempt("acc", &ip(&format!("10.0.0.{i}"))))
            .count();
        assert_eq!(evaluated, 100);
        assert!(
            t.may_attempt("acc", &device("family-laptop")),
            "the family's own browser is not held by the ceiling"
        );
    }

    #[test]
    fn a_known_device_has_its_own_lock() {
        let t = throttle(Duration::from_secs(60));
        let known = device("nonce");
        for _ in 0..5 {
            t.record_failure("acc", &known);
        }
        assert!(!t.may_attempt("acc", &known));
        assert!(t.may_attempt("acc", &device("other")));
    }

    #[test]
    fn many_accounts_failing_from_one_address_limit_it_but_one_account_does_not() {
        let t = throttle(Duration::from_secs(60));
        for _ in 0..60 {
            t.record_failure("victim", &ip("1.1.1.1"));
        }
        assert!(
            t.may_attempt("neighbour", &ip("1.1.1.1")),
            "one account's failures stay its own"
        );
        for i in 0..30 {
            t.record_failure(&format!("acc{i}"), &ip("1.1.1.1"));
        }
        assert!(
            !t.may_attempt("neighbour", &ip("1.1.1.1")),
            "credential stuffing from one address"
        );
        assert!(t.may_attempt("neighbour", &device("n")));
    }

    #[test]
    fn a_password_reset_clears_the_accounts_locks() {
        let t = throttle(Duration::from_secs(60));
        for i in 0..150 {
            let from = ip(&format!("10.0.{}.{}", i / 5, i % 5));
            if t.may_attempt("acc", &from) {
                t.record_failure("acc", &from);
            }
        }
        assert!(!t.may_attempt("acc", &ip("192.0.2.1")));
        t.clear_account("acc");
        assert!(t.may_attempt("acc", &ip("192.0.2.1")));
    }

    #[test]
    fn rate_limiter_reports_the_wait() {
        let limiter = RateLimiter::new(2, Duration::from_secs(10));
        assert!(limiter.hit("k").is_ok());
        assert!(limiter.hit("k").is_ok());
        let wait = limiter.hit("k").expect_err("third is refused");
        assert!(wait <= Duration::from_secs(10) && wait > Duration::from_secs(8));
        assert!(limiter.hit("other").is_ok());
    }
}
