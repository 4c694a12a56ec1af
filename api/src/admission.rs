//! Admission control (SECURITY.md L-02; issue 13): a path that can saturate — enrolments
//! on opening morning — runs at most `concurrency` requests at once, lets at most `queue`
//! more wait, each for at most `max_wait`, and turns everyone else away at once with 503 and
//! a `Retry-After`. A server that queues without bound answers everyone late; this one
//! answers the admitted fast and the others in microseconds, and the client retries (safe:
//! enrolments are idempotent).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use rand::Rng;
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::ApiError;

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
        }
    }

    /// How many requests were turned away since the start (a figure for benchmarks).
    pub fn turned_away(&self) -> u64 {
        self.turned_away.load(Ordering::Relaxed)
    }

    fn busy(&self) -> ApiError {
        self.turned_away.fetch_add(1, Ordering::Relaxed);
        let (low, high) = self.retry_after;
        ApiError::Unavailable {
            retry_after: Duration::from_secs(rand::rng().random_range(low..=high)),
            reason: "admission: too many requests in progress",
        }
    }

    /// A place inside, or 503 at once when the queue is full, or after `max_wait`.
    pub async fn enter(&self) -> Result<SemaphorePermit<'_>, ApiError> {
        if let Ok(permit) = self.slots.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.queue {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(self.busy());
        }
        let admitted = tokio::time::timeout(self.max_wait, self.slots.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match admitted {
            Ok(Ok(permit)) => Ok(permit),
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
