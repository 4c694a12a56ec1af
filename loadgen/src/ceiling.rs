//! The login ceiling: how many logins per second the server sustains when more arrive than
//! it can hash, to compare with the raw Argon2id rate of the same machine (issue 13: at
//! least 0.9 of it). The opening-morning crowd rarely saturates the hasher — 10,000 logins
//! spread over 15 minutes come at a third of its rate —, so the scenario alone cannot say
//! whether the login path wastes capacity; this phase saturates it on purpose.
//!
//! `clients` tasks log in again and again as the prepared families (each a different one
//! until they wrap around), for `during`. A 503 (the hashing queue is full) is counted and
//! sent again 200 ms later: the phase wants the queue kept full, not the SPA's patience.

use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};

use crate::report::Latencies;

/// What the ceiling phase measured.
#[derive(Debug, Default)]
pub struct Ceiling {
    pub logins: Latencies,
    pub refused: usize,
    pub errors: usize,
    pub lasted: Duration,
}

impl Ceiling {
    /// Logins answered 200 per second of the phase.
    pub fn rate(&self) -> f64 {
        self.logins.count() as f64 / self.lasted.as_secs_f64().max(f64::EPSILON)
    }
}

/// Saturates the login path with `clients` closed-loop clients for `during`.
pub async fn measure(
    base_url: &str,
    prefix: &str,
    families: usize,
    password: &str,
    clients: usize,
    during: Duration,
) -> anyhow::Result<Ceiling> {
    let client = Client::builder().timeout(Duration::from_secs(30)).build()?;
    let url = Arc::new(format!("{}/api/auth/login", base_url.trim_end_matches('/')));
    let (prefix, password) = (Arc::new(prefix.to_string()), Arc::new(password.to_string()));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|worker| {
            let (client, url, prefix, password) = (
                client.clone(),
                url.clone(),
                prefix.clone(),
                password.clone(),
            );
            tokio::spawn(async move {
                let mut part = Ceiling::default();
                let mut index = worker;
                while started.elapsed() < during {
                    let login = format!("{prefix}{:05}", index % families.max(1));
                    let sent = Instant::now();
                    let answer = client
                        .post(url.as_str())
                        .json(&serde_json::json!({"login": login, "password": *password}))
                        .send()
                        .await;
                    match answer {
                        Ok(r) if r.status() == StatusCode::OK => {
                            // A login ends with its body (read, the connection carries on).
                            let _ = r.bytes().await;
                            part.logins.push(sent.elapsed());
                            index += clients;
                        }
                        Ok(r) if r.status() == StatusCode::SERVICE_UNAVAILABLE => {
                            part.refused += 1;
                            // Read to its end, so that the connection carries the next one.
                            let _ = r.bytes().await;
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        _ => part.errors += 1,
                    }
                }
                part
            })
        })
        .collect();
    let mut ceiling = Ceiling::default();
    for task in tasks {
        let part = task.await?;
        ceiling.logins.extend(part.logins);
        ceiling.refused += part.refused;
        ceiling.errors += part.errors;
    }
    ceiling.lasted = started.elapsed();
    Ok(ceiling)
}
