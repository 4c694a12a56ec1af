//! In-memory throttles: sliding-window rate limits and the login lock.
//!
//! They live in the process: with several API replicas each keeps its own counters
//! (a deployment behind a load balancer should pin by IP or move these to the database).
//!
//! Login policy (SECURITY.md ), per *(account, client IP)* pair:
//! after `max_failures` consecutive failures the pair is locked for `lock_base`, doubling
//! with each further failure up to `lock_max`. While locked, attempts are refused with the
//! same generic 401 — even with the right password — and do not extend the lock. Because
//! the key includes the IP, an attacker hammering an account from one address does not
//! lock the real user out from theirs; a per-account ceiling of 100 evaluated attempts an
//! hour (ASVS 4.0.3-2.2.1) bounds distributed guessing, and a password reset (by email)
//! always remains available. A per-IP limit slows credential stuffing across accounts.

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
    pub per_account_per_hour: usize,
    pub per_ip_failures_per_15_min: usize,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            lock_base: Duration::from_secs(60),
            lock_max: Duration::from_secs(900),
            per_account_per_hour: 100,
            per_ip_failures_per_15_min: 50,
        }
    }
}

/// The login throttle.
pub struct LoginThrottle {
    policy: LoginPolicy,
    locks: Mutex<HashMap<(String, String), LockState>>,
    per_account: RateLimiter,
    per_ip_failures: RateLimiter,
}

impl LoginThrottle {
    pub fn new(policy: LoginPolicy) -> Self {
        Self {
            policy,
            locks: Mutex::new(HashMap::new()),
            per_account: RateLimiter::new(policy.per_account_per_hour, Duration::from_secs(3600)),
            per_ip_failures: RateLimiter::new(
                policy.per_ip_failures_per_15_min,
                Duration::from_secs(900),
            ),
        }
    }

    /// Whether an attempt on `account` from `ip` may be evaluated (its password checked).
    /// Refused attempts do not count and do not extend a lock.
    pub fn may_attempt(&self, account: &str, ip: &str) -> bool {
        let key = (account.to_string(), ip.to_string());
        let locked = {
            let locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            locks
                .get(&key)
                .and_then(|s| s.locked_until)
                .is_some_and(|until| Instant::now() < until)
        };
        if locked || self.per_ip_failures.is_limited(ip) {
            return false;
        }
        self.per_account.hit(account).is_ok()
    }

    /// Records a failed attempt, locking the pair once the threshold is reached.
    pub fn record_failure(&self, account: &str, ip: &str) {
        let _ = self.per_ip_failures.hit(ip);
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        if locks.len() > 100_000 {
            let now = Instant::now();
            locks.retain(|_, s| s.locked_until.is_some_and(|u| u > now));
        }
        let state = locks
            .entry((account.to_string(), ip.to_string()))
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
    pub fn record_success(&self, account: &str, ip: &str) {
        let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.remove(&(account.to_string(), ip.to_string()));
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

    #[test]
    fn five_failures_lock_the_pair_but_not_other_addresses() {
        let t = throttle(Duration::from_secs(60));
        for _ in 0..5 {
            assert!(t.may_attempt("acc", "1.1.1.1"));
            t.record_failure("acc", "1.1.1.1");
        }
        assert!(!t.may_attempt("acc", "1.1.1.1"));
        assert!(
            t.may_attempt("acc", "2.2.2.2"),
            "the real user elsewhere is not locked out"
        );
    }

    #[test]
    fn the_lock_ends_after_its_wait_and_success_clears_it() {
        let t = throttle(Duration::from_millis(50));
        for _ in 0..5 {
            t.record_failure("acc", "ip");
        }
        assert!(!t.may_attempt("acc", "ip"));
        std::thread::sleep(Duration::from_millis(60));
        assert!(t.may_attempt("acc", "ip"));
        t.record_success("acc", "ip");
        assert!(t.may_attempt("acc", "ip"));
    }

    #[test]
    fn at_most_100_attempts_an_hour_are_evaluated_per_account() {
        let t = throttle(Duration::from_secs(60));
        let evaluated = (0..150)
            .filter(|i| t.may_attempt("acc", &format!("10.0.0.{i}")))
            .count();
        assert_eq!(evaluated, 100);
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
