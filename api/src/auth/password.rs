//! Password hashing with Argon2id, off the async workers and with bounded concurrency.
//!
//! Each hash takes 19 MiB and ~20 ms of a core: 2,500 simultaneous logins would need
//! 47 GB. So at most `concurrency` hashes run at once on the blocking pool, at most
//! `queue` requests wait for a slot, and anything beyond gets a fast 503 with
//! `Retry-After` (SECURITY.md, capacity trap 1).
//!
//! Unknown accounts are checked against a dummy hash made with the *current* parameters,
//! so that "no such user" costs the same as "wrong password".

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use argon2::password_hash::{PasswordHasher as _, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::error::ApiError;

/// OWASP/ASVS v5 appendix C: t=2 needs m ≥ 19 MiB; p=1.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verification {
    pub matches: bool,
    /// The stored hash uses older parameters: store a fresh one after this login.
    pub needs_rehash: bool,
}

/// Shared, bounded Argon2id hasher.
pub struct PasswordHasher {
    slots: Arc<Semaphore>,
    waiting: AtomicUsize,
    queue: usize,
    dummy_hash: String,
    hashes_computed: AtomicU64,
    /// Average duration of one hash, in microseconds, to imitate its cost when a login is
    /// refused without hashing (throttled attempts).
    average_micros: AtomicU64,
}

fn argon2() -> Argon2<'static> {
    // The parameters are constants checked by a unit test; building them cannot fail.
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on the calling thread (command-line tools; the server uses [`PasswordHasher`]).
pub fn hash_now(password: &[u8]) -> anyhow::Result<String> {
    argon2()
        .hash_password(password)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("Failed to hash a password: {e}"))
}

fn verify_now(password: &[u8], stored: &str) -> Verification {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verification {
            matches: false,
            needs_rehash: false,
        };
    };
    let matches = argon2().verify_password(password, &parsed).is_ok();
    let current = parsed.algorithm.as_str() == "argon2id"
        && Params::try_from(&parsed).is_ok_and(|p| {
            p.m_cost() == MEMORY_KIB && p.t_cost() == ITERATIONS && p.p_cost() == PARALLELISM
        });
    Verification {
        matches,
        needs_rehash: matches && !current,
    }
}

impl PasswordHasher {
    /// A hasher running at most `concurrency` hashes with at most `queue` waiting.
    pub fn new(concurrency: usize, queue: usize) -> anyhow::Result<Self> {
        let started = Instant::now();
        let dummy_hash = hash_now(b"not a real password: used for unknown accounts")
            .context("Failed to compute the dummy password hash")?;
        Ok(Self {
            slots: Arc::new(Semaphore::new(concurrency)),
            waiting: AtomicUsize::new(0),
            queue,
            dummy_hash,
            hashes_computed: AtomicU64::new(0),
            average_micros: AtomicU64::new(started.elapsed().as_micros() as u64),
        })
    }

    /// How many hashes or verifications ran (a metric; tests check it does not move
    /// for requests that must be refused before hashing).
    pub fn hashes_computed(&self) -> u64 {
        self.hashes_computed.load(Ordering::Relaxed)
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move || hash_now(password.as_bytes()))
            .await?
            .map_err(ApiError::Internal)
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is none,
    /// so both cases take the same time.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<String>,
    ) -> Result<Verification, ApiError> {
        let exists = stored.is_some();
        let target = stored.unwrap_or_else(|| self.dummy_hash.clone());
        let verification = self
            .run(move || verify_now(password.as_bytes(), &target))
            .await?;
        Ok(Verification {
            matches: exists && verification.matches,
            ..verification
        })
    }

    /// Waits about as long as a verification takes, without computing one: a throttled
    /// login must not answer faster than a real one nor cost a hash (L-11).
    pub async fn imitate_delay(&self) {
        let micros = self.average_micros.load(Ordering::Relaxed);
        tokio::time::sleep(Duration::from_micros(micros)).await;
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let busy = || ApiError::Unavailable {
            retry_after: Duration::from_secs(2),
            reason: "password hashing queue full",
        };
        if self.waiting.fetch_add(1, Ordering::SeqCst)
            >= self.queue + self.slots.available_permits()
        {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(busy());
        }
        let permit = self.slots.clone().acquire_owned().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let permit = permit.map_err(|_| busy())?;
        let started = Instant::now();
        let result = actix_web::web::block(move || {
            let result = work();
            drop(permit);
            result
        })
        .await?;
        self.hashes_computed.fetch_add(1, Ordering::Relaxed);
        let micros = started.elapsed().as_micros() as u64;
        let previous = self.average_micros.load(Ordering::Relaxed);
        self.average_micros
            .store((previous * 7 + micros) / 8, Ordering::Relaxed);
        Ok(result)
    }
}

/// Hashes per second on `threads` threads for `during` (the benchmark's login ceiling).
pub fn raw_rate(threads: usize, during: Duration) -> anyhow::Result<f64> {
    let started = Instant::now();
    let workers: Vec<_> = (0..threads.max(1))
        .map(|_| {
            std::thread::spawn(move || -> anyhow::Result<u64> {
                let mut done = 0;
                while started.elapsed() < during {
                    hash_now(b"raw rate of this machine")?;
                    done += 1;
                }
                Ok(done)
            })
        })
        .collect();
    let mut total = 0;
    for worker in workers {
        total += worker
            .join()
            .map_err(|_| anyhow::anyhow!("a hashing thread panicked"))??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_meet_the_asvs_minimum_and_hashes_are_salted() {
        assert!(Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).is_ok());
        let a = hash_now(b"cheval agrafe pile").expect("hash");
        let b = hash_now(b"cheval agrafe pile").expect("hash");
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(verify_now(b"cheval agrafe pile", &a).matches);
        assert!(!verify_now(b"cheval agrafe pil", &a).matches);
        assert!(!verify_now(b"CHEVAL AGRAFE PILE", &a).matches);
    }

    #[test]
    fn older_parameters_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8192, 1, 1, None).expect("params"),
        );
        let old = weak
            .hash_password(b"cheval agrafe pile")
            .expect("hash")
            .to_string();
        let result = verify_now(b"cheval agrafe pile", &old);
        assert!(result.matches && result.needs_rehash);
    }
}
