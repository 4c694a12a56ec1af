//! Admission control (SECURITY.md L-02; issue 13): a path that can saturate — enrolments
//! on opening morning — runs at most `concurrency` requests at once and lets others wait
//! only if their turn should come within `max_wait`: the expected wait is the queue ahead
//! of them times the recent time a request holds its place, divided by the places. Everyone
//! else is turned away at once with 503 and a `Retry-After` (and a waiting request whose
//! turn still has not come after `max_wait` too). A server that queues without bound
//! answers everyone late; this one answers the admitted fast and the others in
//! microseconds, and the client retries (safe: enrolments are idempotent). `queue` caps
//! the waiting requests whatever the estimate.
//!
//! The `Retry-After` gives each turned-away request its own moment to come back: one after
//! the other, at the rate the gate lets requests through, in the order they were turned
//! away. Drawn at random, as first built (from 2 seconds to the time needed to serve those
//! turned away in the same second), a crowd of 10,000 came back again and again until each
//! was lucky: 58,877 answers 503 for 17,500 enrolments in the opening-morning benchmark, a
//! load of their own on a saturated machine.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use std::time::Instant;

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::ApiError;

/// The time a request is assumed to hold its place before any was measured.
const INITIAL_HOLDING_MICROS: u64 = 25_000;

/// Bounds of a `Retry-After`, in seconds: a family is not told to come back later than two
/// minutes (it is told again, with a later moment, if its turn has still not come).
const RETRY_AFTER_SECONDS: (u64, u64) = (1, 120);

/// A bounded entrance.
pub struct Gate {
    slots: Semaphore,
    waiting: AtomicUsize,
    queue: usize,
    max_wait: Duration,
    turned_away: AtomicU64,
    /// The moment the last turned-away request was told to come back (microseconds since
    /// `started`): the next one is told to come one request's interval later.
    returns_at: AtomicU64,
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
            turned_away: AtomicU64::new(0),
            returns_at: AtomicU64::new(0),
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

    /// How many requests wait for a place now (a metric).
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// How many requests were turned away since the start (a figure for benchmarks).
    pub fn turned_away(&self) -> u64 {
        self.turned_away.load(Ordering::Relaxed)
    }

    /// 503, with a `Retry-After` to the moment this request is given to come back: one
    /// interval (the time a request holds its place, over the places) after the moment the
    /// previous turned-away request was given, or from now when that moment has passed.
    fn busy(&self) -> ApiError {
        self.turned_away.fetch_add(1, Ordering::Relaxed);
        let now = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let per_place = u64::try_from(self.concurrency).unwrap_or(1).max(1);
        let interval = self.holding_micros.load(Ordering::Relaxed) / per_place;
        let next = |at: u64| at.max(now).saturating_add(interval);
        // `fetch_update` with a closure that always answers `Some` cannot fail.
        let previous = self
            .returns_at
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |at| Some(next(at)))
            .unwrap_or_else(|at| at);
        let wait_micros = next(previous) - now;
        let (low, high) = RETRY_AFTER_SECONDS;
        ApiError::Unavailable {
            retry_after: Duration::from_secs(wait_micros.div_ceil(1_000_000).clamp(low, high)),
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

    /// A crowd turned away at once is told to come back one after the other at the rate
    /// the gate serves (2 places, 100 ms each: 20 a second), in the order it came — not all
    /// in the same seconds.
    #[tokio::test]
    async fn the_turned_away_are_given_their_own_moments_to_come_back() {
        let gate = Gate::new(2, 0, Duration::from_millis(100));
        gate.holding_micros.store(100_000, Ordering::Relaxed);
        let (_a, _b) = (
            gate.enter().await.expect("in"),
            gate.enter().await.expect("in"),
        );
        let mut told = Vec::new();
        for _ in 0..200 {
            match gate.enter().await {
                Err(ApiError::Unavailable { retry_after, .. }) => told.push(retry_after.as_secs()),
                _ => panic!("the gate is full: 503"),
            }
        }
        assert!(told.is_sorted(), "in the order they came: {told:?}");
        // 200 at 20 a second: the last come back after about 10 s, the first after 1 s,
        // and no second is told to more than its share (20, and the rounding's one more).
        assert_eq!(told.first(), Some(&1));
        assert!((10..=11).contains(told.last().expect("told")), "{told:?}");
        for second in 1..=10 {
            let count = told.iter().filter(|&&t| t == second).count();
            assert!(count <= 21, "{count} told to come back in {second} s");
        }
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
