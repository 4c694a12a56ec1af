//! A value read from the database kept for a moment, for everyone: on opening morning
//! thousands of waiting families re-read « Activités » every few seconds, and every
//! enrolment's email needs the town's name; one reading a second serves them all. A writer
//! that changes the value forgets it.
//!
//! One reader reloads a stale value; meanwhile the others get the stale one at once rather
//! than wait with it. During the opening rush the reload waits for a database connection
//! behind the enrolments, and every family re-reading the catalogue used to wait with it
//! (p99 5.6 s in the 10,000-family run, BENCHMARKS.md). With no value at all (the first
//! reading, or after a writer forgot it) they all wait for the one reload.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What is kept: the value, when it was read, and how many times it was forgotten (a
/// reload that began before a `forget` must not keep what it read).
struct Kept<T> {
    value: Option<(Instant, Arc<T>)>,
    generation: u64,
}

/// The value, kept `fresh_for` (zero: never kept).
pub struct Snapshot<T> {
    fresh_for: Duration,
    kept: Mutex<Kept<T>>,
    /// Held by the one reader reloading the value.
    reloading: tokio::sync::Mutex<()>,
}

impl<T> Snapshot<T> {
    pub fn new(fresh_for: Duration) -> Self {
        Self {
            fresh_for,
            kept: Mutex::new(Kept {
                value: None,
                generation: 0,
            }),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    /// The kept value and whether it is still fresh, with the current generation.
    fn peek(&self) -> (Option<(bool, Arc<T>)>, u64) {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let value = kept
            .value
            .as_ref()
            .map(|(at, value)| (at.elapsed() < self.fresh_for, value.clone()));
        (value, kept.generation)
    }

    /// The kept value if fresh; the stale one if another reader is reloading it; else
    /// `load`'s (then kept).
    pub async fn get<E, F>(&self, load: impl FnOnce() -> F) -> Result<Arc<T>, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        let reloading = match self.peek().0 {
            Some((true, value)) => return Ok(value),
            Some((false, stale)) => match self.reloading.try_lock() {
                Ok(reloading) => reloading,
                Err(_) => return Ok(stale),
            },
            None => self.reloading.lock().await,
        };
        // Another reader may have reloaded it while this one waited.
        let (kept, generation) = self.peek();
        if let Some((true, value)) = kept {
            return Ok(value);
        }
        let value = Arc::new(load().await?);
        if !self.fresh_for.is_zero() {
            let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
            if kept.generation == generation {
                kept.value = Some((Instant::now(), value.clone()));
            }
        }
        drop(reloading);
        Ok(value)
    }

    /// Drops the kept value: the next reader loads it again, and a reload in progress
    /// does not keep what it read before.
    pub async fn forget(&self) {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.value = None;
        kept.generation += 1;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A reader reloading `snapshot` with `value`, held until the sender is used; returns
    /// once that reader holds the reload.
    async fn held_reload<T: Send + Sync + 'static>(
        snapshot: &Arc<Snapshot<T>>,
        value: T,
    ) -> (
        tokio::sync::oneshot::Sender<()>,
        tokio::task::JoinHandle<Result<Arc<T>, ()>>,
    ) {
        let (release, released) = tokio::sync::oneshot::channel::<()>();
        let reloader = {
            let snapshot = snapshot.clone();
            tokio::spawn(async move {
                snapshot
                    .get(|| async {
                        let _ = released.await;
                        Ok::<_, ()>(value)
                    })
                    .await
            })
        };
        while snapshot.reloading.try_lock().is_ok() {
            tokio::task::yield_now().await;
        }
        (release, reloader)
    }

    #[tokio::test]
    async fn one_reading_serves_until_it_is_stale_or_forgotten() {
        let snapshot = Snapshot::new(Duration::from_millis(100));
        let loads = AtomicUsize::new(0);
        let load = || async {
            loads.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(7)
        };
        for _ in 0..5 {
            snapshot.get(load).await.expect("value");
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(120)).await;
        snapshot.get(load).await.expect("value");
        assert_eq!(loads.load(Ordering::SeqCst), 2);
        snapshot.forget().await;
        snapshot.get(load).await.expect("value");
        assert_eq!(loads.load(Ordering::SeqCst), 3);
    }

    /// While one reader reloads a stale value (held here until the test lets it go), the
    /// others get the stale value without waiting; then everyone gets the new one.
    #[tokio::test]
    async fn readers_get_the_stale_value_while_one_reloads_it() {
        let snapshot = Arc::new(Snapshot::new(Duration::from_millis(20)));
        snapshot
            .get(|| async { Ok::<_, ()>(1) })
            .await
            .expect("first");
        tokio::time::sleep(Duration::from_millis(30)).await;
        let (release, reloader) = held_reload(&snapshot, 2).await;
        // A hang here (the reader waiting for the reload) fails the test after 5 s.
        let stale = tokio::time::timeout(
            Duration::from_secs(5),
            snapshot.get(|| async { Ok::<_, ()>(3) }),
        )
        .await
        .expect("the stale value at once")
        .expect("value");
        assert_eq!(*stale, 1);
        let _ = release.send(());
        assert_eq!(*reloader.await.expect("task").expect("value"), 2);
        assert_eq!(
            *snapshot
                .get(|| async { Ok::<_, ()>(4) })
                .await
                .expect("value"),
            2
        );
    }

    /// A reload that began before a writer forgot the value does not keep what it read.
    #[tokio::test]
    async fn a_reload_overtaken_by_a_forget_is_not_kept() {
        let snapshot = Arc::new(Snapshot::new(Duration::from_secs(60)));
        let (release, reloader) = held_reload(&snapshot, "before the write").await;
        snapshot.forget().await;
        let _ = release.send(());
        reloader.await.expect("task").expect("value");
        let after = snapshot
            .get(|| async { Ok::<_, ()>("after the write") })
            .await
            .expect("value");
        assert_eq!(*after, "after the write");
    }
}
