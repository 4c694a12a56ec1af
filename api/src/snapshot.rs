//! A value read from the database kept for a moment, for everyone: on opening morning
//! thousands of waiting families re-read « Activités » every few seconds, and every
//! enrolment's email needs the town's name; one reading a second serves them all. A reload
//! is done once, the others wait for it; a writer that changes the value forgets it.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The value, kept `fresh_for` (zero: never kept).
pub struct Snapshot<T> {
    fresh_for: Duration,
    kept: tokio::sync::Mutex<Option<(Instant, Arc<T>)>>,
}

impl<T> Snapshot<T> {
    pub fn new(fresh_for: Duration) -> Self {
        Self {
            fresh_for,
            kept: tokio::sync::Mutex::new(None),
        }
    }

    /// The kept value if fresh, else `load`'s (then kept).
    pub async fn get<E, F>(&self, load: impl FnOnce() -> F) -> Result<Arc<T>, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        let mut kept = self.kept.lock().await;
        if let Some((at, value)) = kept.as_ref()
            && at.elapsed() < self.fresh_for
        {
            return Ok(value.clone());
        }
        let value = Arc::new(load().await?);
        if !self.fresh_for.is_zero() {
            *kept = Some((Instant::now(), value.clone()));
        }
        Ok(value)
    }

    /// Drops the kept value: the next reader loads it again.
    pub async fn forget(&self) {
        *self.kept.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_reading_serves_until_it_is_stale_or_forgotten() {
        let snapshot = Snapshot::new(Duration::from_millis(100));
        let loads = std::sync::atomic::AtomicUsize::new(0);
        let load = || async {
            loads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Ok::<_, ()>(7)
        };
        for _ in 0..5 {
            snapshot.get(load).await.expect("value");
        }
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(120)).await;
        snapshot.get(load).await.expect("value");
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 2);
        snapshot.forget().await;
        snapshot.get(load).await.expect("value");
        assert_eq!(loads.load(std::sync::atomic::Ordering::SeqCst), 3);
    }
}
