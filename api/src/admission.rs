//! Admission control (SECURITY.md L-02; issue 13): a path that can saturate — enrolments
//! on opening morning — runs at most `concurrency` requests at once and lets others wait
//! only if their turn should come within `max_wait`: the expected wait is the queue ahead
//! of them times the recent time a request holds its place, divided by the places. Everyone
//! else is turned away at once with 503 and a `Retry-After` (and a waiting request whose
//! turn still has not come after `max_wait` too). A server that queues without bound
//! answers everyone late; this one answers the admitted fast and the others in
//! microseconds, and the client retries (safe: enrolments are idempotent). `queue` caps
//! the waiting requests whatever the estimate.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use rand::Rng;
use std::time::Instant;

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::ApiError;

/// The time a request is assumed to hold its place before any was measured.
const INITIAL_HOLDING_MICROS: u64 = 25_000;

/// A bounded entrance.
pub struct Gate {
    slots: Semaphore,
    waiting: AtomicUsize,
    queue: usize,
    max_wait: Duration,
    /// Retry-After is drawn in this range (seconds), so that the turned-away do not all
    /// come back in the same second.
    retry_after: (u64, u64),
    turned_away: AtomicU64,
    /// Requests turned away in the current second (and which second, since the start),
    /// to spread their returns over the time the server needs to serve them.
    recent: AtomicU64,
    recent_second: AtomicU64,
    started: Instant,
    /// How long a request recently held its place (moving average, microseconds).
    holding_micros: AtomicU64,
    concurrency: usize,
}

/// A place inside the gate; the time it is held feeds the gate's wait estimate.
pub struct Turn<'a> {
    gate: &'a Gate,
    since: Instant,
    _permit: SemaphorePermit<'a>,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let held = u64::try_from(self.since.elapsed().as_micros()).unwrap_or(u64::MAX);
        let previous = self.gate.holding_micros.load(Ordering::Relaxed);
        let average = (previous.saturating_mul(7).saturating_add(held)) / 8;
        self.gate.holding_micros.store(average, Ordering::Relaxed);
    }
}

impl Gate {
    pub fn new(concurrency: usize, queue: usize, max_wait: Duration) -> Self {
        Self {
            slots: Semaphore::new(concurrency.max(1)),
            waiting: AtomicUsize::new(0),
            queue,
            max_wait,
            retry_after: (2, 6),
            turned_away: AtomicU64::new(0),
            recent: AtomicU64::new(0),
            recent_second: AtomicU64::new(0),
            started: Instant::now(),
            // A prior until the first requests are measured: at the opening instant the
            // whole crowd arrives before any enrolment has finished.
            holding_micros: AtomicU64::new(INITIAL_HOLDING_MICROS),
            concurrency: concurrency.max(1),
        }
    }

    fn turn<'a>(&'a self, permit: SemaphorePermit<'a>) -> Turn<'a> {
        Turn {
            gate: self,
            since: Instant::now(),
            _permit: permit,
        }
    }

    /// How long the `ahead`-th waiting request should wait for its turn.
    fn expected_wait(&self, ahead: usize) -> Duration {
        let holding = self.holding_micros.load(Ordering::Relaxed);
        let rounds = u64::try_from(ahead / self.concurrency + 1).unwrap_or(u64::MAX);
        Duration::from_micros(holding.saturating_mul(rounds))
    }

    /// How many requests were turned away since the start (a figure for benchmarks).
    pub fn turned_away(&self) -> u64 {
        self.turned_away.load(Ordering::Relaxed)
    }

    /// 503, with a `Retry-After` drawn between `retry_after`'s low bound and the time the
    /// server needs to serve those turned away this second (at least the high bound, at
    /// most a minute): the more are turned away, the further their returns are spread, so
    /// that retries do not become a storm of their own.
    fn busy(&self) -> ApiError {
        self.turned_away.fetch_add(1, Ordering::Relaxed);
        let second = self.started.elapsed().as_secs();
        if self.recent_second.swap(second, Ordering::Relaxed) != second {
            self.recent.store(0, Ordering::Relaxed);
        }
        let recent = self.recent.fetch_add(1, Ordering::Relaxed) + 1;
        let holding = self.holding_micros.load(Ordering::Relaxed);
        let per_place = u64::try_from(self.concurrency).unwrap_or(1).max(1);
        let to_serve = recent.saturating_mul(holding) / per_place / 1_000_000;
        let (low, high) = self.retry_after;
        let spread = to_serve.clamp(high, 60);
        ApiError::Unavailable {
            retry_after: Duration::from_secs(rand::rng().random_range(low..=spread)),
            reason: "admission: too many requests in progress",
        }
    }

    /// A place inside; or 503 at once when the wait would exceed `max_wait` (or the queue
    /// is full), or after `max_wait` if the estimate was wrong.
    pub async fn enter(&self) -> Result<Turn<'_>, ApiError> {
        if let Ok(permit) = self.slots.try_acquire() {
            return Ok(self.turn(permit));
        }
        let ahead = self.waiting.fetch_add(1, Ordering::SeqCst);
        if ahead >= self.queue || self.expected_wait(ahead) > self.max_wait {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(self.busy());
        }
        let admitted = tokio::time::timeout(self.max_wait, self.slots.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match admitted {
            Ok(Ok(permit)) => Ok(self.turn(permit)),
            _ => Err(self.busy()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn beyond_the_slots_and_the_queue_requests_are_turned_away_at_once() {
        let gate = Gate::new(1, 1, Duration::from_millis(200));
        gate.holding_micros.store(0, Ordering::Relaxed);
        let inside = gate.enter().await.expect("the first gets in");
        let waiting = gate.enter();
        let turned_away = async {
            // Let the second take the only place in the queue first.
            tokio::time::sleep(Duration::from_millis(20)).await;
            let started = std::time::Instant::now();
            let result = gate.enter().await;
            (result.is_err(), started.elapsed())
        };
        let (waited, (refused, how_fast)) = tokio::join!(waiting, turned_away);
        // The second waited its 200 ms while the first held the place, then gave up.
        assert!(waited.is_err());
        assert!(refused);
        assert!(how_fast < Duration::from_millis(50), "{how_fast:?}");
        assert_eq!(gate.turned_away(), 2);
        drop(inside);
        assert!(gate.enter().await.is_ok(), "free again");
    }

    #[tokio::test]
    async fn requests_whose_turn_would_come_too_late_are_turned_away_at_once() {
        let gate = Gate::new(1, 1000, Duration::from_millis(100));
        // Requests have been holding their place about 60 ms.
        drop(gate.enter().await.expect("in"));
        gate.holding_micros.store(60_000, Ordering::Relaxed);
        let inside = gate.enter().await.expect("in");
        let first = gate.enter();
        let late = async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let started = std::time::Instant::now();
            // One is already waiting: this one's turn would come in ~120 ms > 100 ms.
            let refused = gate.enter().await.is_err();
            (refused, started.elapsed())
        };
        let release = async {
            tokio::time::sleep(Duration::from_millis(30)).await;
            drop(inside);
        };
        let (first, (refused, how_fast), ()) = tokio::join!(first, late, release);
        assert!(first.is_ok(), "the first in line fits in the wait");
        assert!(refused);
        assert!(how_fast < Duration::from_millis(20), "{how_fast:?}");
    }

    #[tokio::test]
    async fn a_waiting_request_gets_the_place_when_it_frees() {
        let gate = Gate::new(1, 4, Duration::from_secs(5));
        let inside = gate.enter().await.expect("in");
        let (admitted, ()) = tokio::join!(gate.enter(), async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            drop(inside);
        });
        assert!(admitted.is_ok());
    }
}
