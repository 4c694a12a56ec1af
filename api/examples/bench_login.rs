//! Login benchmark: raw Argon2id hash rate, sustained logins per second through the real
//! server, and behaviour at 10× that rate (admitted logins' latency, time to answer 503).
//!
//! `cargo run --release -p api --example bench_login` — figures go in BENCHMARKS.md.

use std::sync::Arc;
use std::time::{Duration, Instant};

use api::auth::throttle::LoginPolicy;
use api::config::Settings;
use api::db::models::account::{NewAccount, state};
use api::startup::Application;
use argon2::password_hash::PasswordHasher;

const PASSWORD: &str = "cheval agrafe pile été 🌻";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn raw_hash_rate(threads: usize, seconds: u64) -> f64 {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            std::thread::spawn(move || {
                let argon = argon2::Argon2::new(
                    argon2::Algorithm::Argon2id,
                    argon2::Version::V0x13,
                    argon2::Params::new(api::auth::password::MEMORY_KIB, 2, 1, None)
                        .expect("params"),
                );
                let mut n = 0u64;
                while Instant::now() < deadline {
                    argon.hash_password(PASSWORD.as_bytes()).expect("hash");
                    n += 1;
                }
                n
            })
        })
        .collect();
    let total: u64 = handles.into_iter().map(|h| h.join().expect("thread")).sum();
    total as f64 / seconds as f64
}

struct Outcome {
    ok: Vec<Duration>,
    unavailable: Vec<Duration>,
    other: usize,
}

/// Sends `rate` logins per second for `seconds` (open loop: arrivals do not wait for answers).
async fn offer(
    client: &reqwest::Client,
    url: &str,
    accounts: &[String],
    rate: f64,
    seconds: u64,
) -> Outcome {
    let interval = Duration::from_secs_f64(1.0 / rate);
    let total = (rate * seconds as f64) as usize;
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total);
    for i in 0..total {
        let when = start + interval * i as u32;
        tokio::time::sleep_until(when.into()).await;
        let (client, url, login) = (
            client.clone(),
            url.to_string(),
            accounts[i % accounts.len()].clone(),
        );
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let status = client
                .post(url)
                .json(&serde_json::json!({"login": login, "password": PASSWORD}))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            (status, sent.elapsed())
        }));
    }
    let mut outcome = Outcome {
        ok: vec![],
        unavailable: vec![],
        other: 0,
    };
    for task in tasks {
        match task.await.expect("task") {
            (200, d) => outcome.ok.push(d),
            (503, d) => outcome.unavailable.push(d),
            _ => outcome.other += 1,
        }
    }
    outcome.ok.sort();
    outcome.unavailable.sort();
    outcome
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let raw = raw_hash_rate(cores, 5);
    println!("raw Argon2id (m=19 MiB, t=2, p=1) on {cores} threads: {raw:.1} hashes/s");

    let dir = std::env::temp_dir().join(format!("pf-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut settings = Settings::from_env()?;
    settings.port = 0;
    settings.database_url = format!("sqlite://{}", dir.join("bench.db").display());
    settings.smtp_url = None;
    settings.mail_dir = dir.join("mails");
    settings.web_dist = dir.join("no-spa");
    // The reset measurement below comes from many addresses (one an hour each is allowed).
    settings.trusted_proxies = vec![[127, 0, 0, 1].into()];
    // Throttling off: this measures the hashing path, not the lock.
    let policy = LoginPolicy {
        per_account_per_hour: usize::MAX,
        max_failures: u32::MAX,
        per_ip_accounts_per_15_min: usize::MAX,
        ..LoginPolicy::default()
    };
    let app = Application::build_with(settings, policy).await?;
    let url = format!("http://127.0.0.1:{}/api/auth/login", app.port());
    let pool = app.state.pool.clone();
    let hasher = Arc::clone(&app.state.hasher);
    tokio::spawn(app.run_until_stopped());

    let hash = hasher
        .hash(PASSWORD.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let accounts: Vec<String> = (0..50).map(|i| format!("bench{i}")).collect();
    {
        let mut conn = pool.get()?;
        for name in &accounts {
            let id = uuid::Uuid::new_v4().to_string();
            NewAccount {
                id: &id,
                username: name,
                username_normalized: name,
                email: &format!("{name}@bench.test"),
                email_normalized: &format!("{name}@bench.test"),
                password_hash: Some(&hash),
                state: state::ACTIVE,
                new_household: true,
                created_at: api::db::now(),
            }
            .insert(&mut conn)?;
        }
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;

    // Sustained: a closed loop of 8 clients for 10 s.
    let start = Instant::now();
    let deadline = start + Duration::from_secs(10);
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (client, url, accounts) = (client.clone(), url.clone(), accounts.clone());
            tokio::spawn(async move {
                let mut latencies = vec![];
                let mut i = w;
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .json(&serde_json::json!({"login": accounts[i % accounts.len()], "password": PASSWORD}))
                        .send()
                        .await
                        .expect("login");
                    assert_eq!(response.status(), 200);
                    latencies.push(sent.elapsed());
                    i += 8;
                }
                latencies
            })
        })
        .collect();
    let mut latencies = vec![];
    for worker in workers {
        latencies.extend(worker.await?);
    }
    latencies.sort();
    let rate = latencies.len() as f64 / start.elapsed().as_secs_f64();
    println!(
        "sustained logins (8 clients, 10 s): {rate:.1}/s, p50 {:?}, p99 {:?}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );

    // an unknown user and a wrong password must cost the same.
    let mut unknown = vec![];
    let mut wrong = vec![];
    for i in 0..100 {
        for (login, password, into) in [
            (format!("inconnu{i}"), PASSWORD, &mut unknown),
            (
                accounts[i % accounts.len()].clone(),
                "mauvais mot de passe",
                &mut wrong,
            ),
        ] {
            let sent = Instant::now();
            let status = client
                .post(&url)
                .json(&serde_json::json!({"login": login, "password": password}))
                .send()
                .await?
                .status();
            assert_eq!(status, 401);
            into.push(sent.elapsed());
        }
    }
    unknown.sort();
    wrong.sort();
    let (mu, mw) = (percentile(&unknown, 0.5), percentile(&wrong, 0.5));
    println!(
        "failed logins, 100 each, alternating: unknown user median {mu:?}, known user wrong password median {mw:?} (difference {:.1} %)",
        (mu.as_secs_f64() - mw.as_secs_f64()).abs() / mw.as_secs_f64() * 100.0
    );

    // a reset request for a known address and for an unknown one must cost the same
    // (both answer before any lookup; the work is deferred).
    let reset_url = url.replace("/api/auth/login", "/api/password-resets");
    let mut unknown_reset = vec![];
    let mut known_reset = vec![];
    for i in 0..100 {
        for (email, into) in [
            (format!("inconnu{i}@bench.test"), &mut unknown_reset),
            (
                format!("{}@bench.test", accounts[i % accounts.len()]),
                &mut known_reset,
            ),
        ] {
            let sent = Instant::now();
            let status = client
                .post(&reset_url)
                .header("x-forwarded-for", format!("10.1.{}.{}", i, into.len() % 2))
                .json(&serde_json::json!({ "email": email }))
                .send()
                .await?
                .status();
            assert_eq!(status, 202);
            into.push(sent.elapsed());
        }
    }
    unknown_reset.sort();
    known_reset.sort();
    let (ru, rk) = (
        percentile(&unknown_reset, 0.5),
        percentile(&known_reset, 0.5),
    );
    println!(
        "reset requests, 100 each, alternating: unknown address median {ru:?}, known address median {rk:?} (ratio {:.3})",
        rk.as_secs_f64() / ru.as_secs_f64()
    );

    // Overload: offer 10× the sustained rate for 5 s.
    let outcome = offer(&client, &url, &accounts, rate * 10.0, 5).await;
    println!(
        "10x overload ({:.0}/s offered for 5 s): {} admitted (p50 {:?}, p99 {:?}), {} answered 503 (p50 {:?}, p99 {:?}), {} other",
        rate * 10.0,
        outcome.ok.len(),
        percentile(&outcome.ok, 0.5),
        percentile(&outcome.ok, 0.99),
        outcome.unavailable.len(),
        percentile(&outcome.unavailable, 0.5),
        percentile(&outcome.unavailable, 0.99),
        outcome.other
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
