//! Password hashing with Argon2id, off the async workers and with bounded concurrency.
//!
//! Each hash takes 19 MiB and ~20 ms of a core: 2,500 simultaneous logins would need
//! 47 GB. So at most `concurrency` hashes run at once, on as many threads of their own, at
//! most `queue` requests wait for one, and anything beyond gets a fast 503 with
//! `Retry-After` (SECURITY.md, capacity trap 1).
//!
//! The threads take the next waiting hash the moment they finish one. When the hashes ran
//! on the async runtime's blocking pool behind a semaphore, each finished hash handed its
//! permit to a waiting request's task, which then had to be scheduled on its worker and
//! send its work to the pool: under a crowd of logins the hashing cores sat idle between
//! hashes, and the server sustained 65 % of the raw Argon2id rate (BENCHMARKS.md).
//!
//! Unknown accounts are checked against a dummy hash made with the *current* parameters,
//! so that "no such user" costs the same as "wrong password".

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

/// One hash to compute, with where its result goes.
type Job = Box<dyn FnOnce() + Send>;

/// Shared, bounded Argon2id hasher.
pub struct PasswordHasher {
    /// The waiting hashes (at most `queue`), taken by the hashing threads.
    jobs: SyncSender<Job>,
    dummy_hash: String,
    hashes_computed: Arc<AtomicU64>,
    /// Hashes queued and not started yet (a metric).
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    /// Average duration of one hash, in microseconds, to imitate its cost when a login is
    /// refused without hashing (throttled attempts).
    average_micros: Arc<AtomicU64>,
}

/// A hashing thread: runs the waiting hashes one after another, until the hasher is gone.
fn hashing_thread(jobs: Arc<Mutex<Receiver<Job>>>) {
    loop {
        // The lock is held while waiting for a job, then released before running it, so
        // the other threads take the next ones.
        let next = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        match next {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

fn argon2_with(params: Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn current_params() -> Params {
    // The parameters are constants checked by a unit test; building them cannot fail.
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).unwrap_or_default()
}

thread_local! {
    /// The memory one Argon2id computation fills (19 MiB), allocated once by each thread
    /// that hashes and reused by its next hashes: Argon2 writes every block before reading
    /// it, so nothing of a previous hash is read. Allocated and zeroed for every hash, it
    /// cost a hashing thread sharing its allocator arena with the server's other threads a
    /// third of its time in page faults (the login ceiling's profile, BENCHMARKS.md).
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Argon2 of `password` and `salt` into `out`, in this thread's memory.
fn compute(
    argon2: &Argon2<'_>,
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    MEMORY.with_borrow_mut(|memory| {
        memory.resize(params.block_count(), Block::default());
        argon2.hash_password_into_with_memory(password, salt, out, memory.as_mut_slice())
    })
}

/// Hashes with the current parameters and a random salt, as a PHC string (on the calling
/// thread: the command-line tools call it directly, the server through [`PasswordHasher`]).
pub fn hash_now(password: &[u8]) -> anyhow::Result<String> {
    let params = current_params();
    let mut salt = [0u8; Salt::RECOMMENDED_LENGTH];
    rand::RngCore::fill_bytes(&mut rand::rng(), &mut salt);
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(
        &argon2_with(params.clone()),
        &params,
        password,
        &salt,
        &mut out,
    )
    .map_err(|e| anyhow::anyhow!("Failed to hash a password: {e}"))?;
    let phc =
        |e: argon2::password_hash::phc::Error| anyhow::anyhow!("Failed to encode a hash: {e}");
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| anyhow::anyhow!("{e}"))?,
        salt: Some(Salt::new(&salt).map_err(phc)?),
        hash: Some(Output::new(&out).map_err(phc)?),
    };
    Ok(hash.to_string())
}

fn verify_now(password: &[u8], stored: &str) -> Verification {
    let refused = Verification {
        matches: false,
        needs_rehash: false,
    };
    let Ok(parsed) = PasswordHash::new(stored) else {
        return refused;
    };
    let (Ok(algorithm), Ok(params), Some(salt), Some(expected)) = (
        Algorithm::try_from(parsed.algorithm.as_str()),
        Params::try_from(&parsed),
        parsed.salt,
        parsed.hash,
    ) else {
        return refused;
    };
    let version = parsed
        .version
        .and_then(|v| Version::try_from(v).ok())
        .unwrap_or_default();
    // The stored hash's own parameters, so that hashes made with older ones still verify
    // (and are then replaced).
    let mut out = vec![0u8; expected.len()];
    let computed = compute(
        &Argon2::new(algorithm, version, params.clone()),
        &params,
        password,
        salt.as_ref(),
        &mut out,
    );
    // `Output` compares in constant time.
    let matches = computed.is_ok() && Output::new(&out).is_ok_and(|o| o == expected);
    let current = algorithm == Algorithm::Argon2id
        && version == Version::V0x13
        && params.m_cost() == MEMORY_KIB
        && params.t_cost() == ITERATIONS
        && params.p_cost() == PARALLELISM;
    Verification {
        matches,
        needs_rehash: matches && !current,
    }
}

impl PasswordHasher {
    /// A hasher running at most `concurrency` hashes (on as many threads) with at most
    /// `queue` waiting.
    pub fn new(concurrency: usize, queue: usize) -> anyhow::Result<Self> {
        let (jobs, waiting) = sync_channel::<Job>(queue);
        let waiting = Arc::new(Mutex::new(waiting));
        for index in 0..concurrency.max(1) {
            let waiting = waiting.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{index}"))
                .spawn(move || hashing_thread(waiting))
                .context("Failed to start a password hashing thread")?;
        }
        // The dummy hash is computed by a hashing thread, in the memory it keeps anyway:
        // computed on the calling thread, it left that thread's 19 MiB allocated for the
        // life of the process (the server's main thread never hashes again).
        let started = Instant::now();
        let (answer, dummy) = std::sync::mpsc::channel();
        jobs.send(Box::new(move || {
            let _ = answer.send(hash_now(b"not a real password: used for unknown accounts"));
        }))
        .map_err(|_| anyhow::anyhow!("The password hashing threads stopped"))?;
        let dummy_hash = dummy
            .recv()
            .map_err(|_| anyhow::anyhow!("The password hashing threads stopped"))?
            .context("Failed to compute the dummy password hash")?;
        Ok(Self {
            jobs,
            dummy_hash,
            hashes_computed: Arc::new(AtomicU64::new(0)),
            waiting: Arc::default(),
            average_micros: Arc::new(AtomicU64::new(started.elapsed().as_micros() as u64)),
        })
    }

    /// How many hashes or verifications ran (a metric; tests check it does not move
    /// for requests that must be refused before hashing).
    pub fn hashes_computed(&self) -> u64 {
        self.hashes_computed.load(Ordering::Relaxed)
    }

    /// How many hashes wait for a hashing thread (a metric).
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
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
        let (answer, result) = tokio::sync::oneshot::channel();
        let (computed, average) = (self.hashes_computed.clone(), self.average_micros.clone());
        let waiting = self.waiting.clone();
        let job: Job = Box::new(move || {
            waiting.fetch_sub(1, Ordering::Relaxed);
            let started = Instant::now();
            let value = work();
            computed.fetch_add(1, Ordering::Relaxed);
            let micros = started.elapsed().as_micros() as u64;
            let previous = average.load(Ordering::Relaxed);
            average.store((previous * 7 + micros) / 8, Ordering::Relaxed);
            // The request may have gone (client closed): its result is dropped.
            let _ = answer.send(value);
        });
        // Full: `queue` hashes wait already; answer at once rather than queue without bound.
        // Counted before it is sent, so that a thread taking it at once never counts below 0.
        self.waiting.fetch_add(1, Ordering::Relaxed);
        self.jobs.try_send(job).map_err(|_| {
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            ApiError::Unavailable {
                retry_after: Duration::from_secs(2),
                reason: "password hashing queue full",
            }
        })?;
        result
            .await
            .map_err(|_| ApiError::Internal(anyhow::anyhow!("a password hashing thread stopped")))
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
    // The crate's own hashing, to make an old-parameters hash (ours hashes by hand).
    use argon2::PasswordHasher as _;

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
        assert!(!verify_now(b"cheval agrafe pile", "not a hash").matches);
    }

    /// Hashes made in a thread's reused memory are standard PHC strings: the argon2 crate's
    /// own verifier accepts them, and ours accepts the crate's — also with older parameters,
    /// which are then marked for replacement. A hash computed over another one's left-over
    /// memory is the same as on a fresh thread.
    #[test]
    fn reused_memory_gives_standard_hashes() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let ours = hash_now(b"cheval agrafe pile").expect("hash");
        let parsed = PasswordHash::new(&ours).expect("PHC string");
        assert!(
            argon2_with(current_params())
                .verify_password(b"cheval agrafe pile", &parsed)
                .is_ok()
        );
        let theirs = argon2_with(current_params())
            .hash_password(b"cheval agrafe pile")
            .expect("hash")
            .to_string();
        assert_eq!(
            verify_now(b"cheval agrafe pile", &theirs),
            Verification {
                matches: true,
                needs_rehash: false
            }
        );
        let older_params = Params::new(8 * 1024, 3, 1, None).expect("params");
        let older = argon2_with(older_params)
            .hash_password(b"cheval agrafe pile")
            .expect("hash")
            .to_string();
        assert_eq!(
            verify_now(b"cheval agrafe pile", &older),
            Verification {
                matches: true,
                needs_rehash: true
            }
        );
        // This thread's memory now holds the older hash's blocks: a fresh thread agrees.
        let again = verify_now(b"cheval agrafe pile", &theirs);
        let fresh = std::thread::spawn(move || verify_now(b"cheval agrafe pile", &theirs))
            .join()
            .expect("thread");
        assert_eq!(again, fresh);
        assert!(again.matches);
    }

    /// At most `concurrency` hashes run and `queue` wait: beyond that, a fast 503 rather
    /// than a queue without bound. Three at once against one thread and one place in the
    /// queue: at most two are taken, the rest refused without hashing.
    #[tokio::test]
    async fn hashes_beyond_the_queue_are_refused_at_once() {
        let hasher = PasswordHasher::new(1, 1).expect("hasher");
        let before = hasher.hashes_computed();
        let answers = futures_util::future::join_all(
            (0..3).map(|_| hasher.hash("cheval agrafe pile".into())),
        )
        .await;
        let taken = answers.iter().filter(|a| a.is_ok()).count();
        let refused = answers
            .iter()
            .filter(|a| matches!(a, Err(ApiError::Unavailable { .. })))
            .count();
        assert!((1..=2).contains(&taken), "{answers:?}");
        assert_eq!(taken + refused, 3, "{answers:?}");
        assert_eq!(hasher.hashes_computed() - before, taken as u64);
        // The queue drained, the next hash is taken.
        assert!(hasher.hash("cheval agrafe pile".into()).await.is_ok());
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
