//! Per-application request quotas on the integration API, told to the application with
//! the IETF httpapi draft's headers (draft-ietf-httpapi-ratelimit-headers):
//! `RateLimit-Policy: "application";q=600;w=60` on every answer, `RateLimit:
//! "application";r=…;t=…` (requests left, seconds until the window restarts), and 429 with
//! `Retry-After` once the quota is spent. A fixed window per application: simple to state
//! and to predict from the outside.
//!
//! The counters live in the process (as the login throttles do, until issue 15 moves them
//! to the database): with N replicas an application may make up to N times its quota.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The policy's name in the headers.
const POLICY: &str = "application";

/// A quota of requests per window, per application.
pub struct Quota {
    per_window: u32,
    window: Duration,
    counters: Mutex<HashMap<String, (Instant, u32)>>,
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
            counters: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request of `application` (unless its quota is spent).
    pub fn take(&self, application: &str) -> Verdict {
        self.take_at(application, Instant::now())
    }

    fn take_at(&self, application: &str, now: Instant) -> Verdict {
        let mut counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        let (started, used) = counters.entry(application.to_string()).or_insert((now, 0));
        if now.duration_since(*started) >= self.window {
            *started = now;
            *used = 0;
        }
        let reset = self.window.saturating_sub(now.duration_since(*started));
        if *used >= self.per_window {
            return Verdict {
                allowed: false,
                remaining: 0,
                reset,
            };
        }
        *used += 1;
        Verdict {
            allowed: true,
            remaining: self.per_window - *used,
            reset,
        }
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

    #[test]
    fn a_quota_counts_down_refuses_then_restarts_with_its_window() {
        let quota = Quota::new(2, Duration::from_secs(60));
        let start = Instant::now();
        let first = quota.take_at("a", start);
        assert_eq!(
            (first.allowed, first.remaining, first.header().as_str()),
            (true, 1, "\"application\";r=1;t=60")
        );
        assert!(quota.take_at("a", start + Duration::from_secs(10)).allowed);
        let refused = quota.take_at("a", start + Duration::from_secs(20));
        assert_eq!(
            (refused.allowed, refused.remaining, refused.reset_seconds()),
            (false, 0, 40)
        );
        // Another application has its own quota.
        assert!(quota.take_at("b", start + Duration::from_secs(20)).allowed);
        // A new window.
        let later = quota.take_at("a", start + Duration::from_secs(61));
        assert_eq!((later.allowed, later.remaining), (true, 1));
        assert_eq!(quota.policy_header(), "\"application\";q=2;w=60");
    }
}
