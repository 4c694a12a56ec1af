//! « Read my dossier » benchmark on PostgreSQL: authenticated `GET /api/dossiers/{id}` of a
//! realistic dossier (2 adults, 3 children with links, 2 contacts), next to `pgbench -S`
//! run in the same process on the same server.
//!
//! `cargo run --release -p api --example bench_dossier` (needs PostgreSQL at
//! `BENCH_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432`, and `pgbench`).

use std::time::{Duration, Instant};

use api::config::Settings;
use api::db::models::account::{NewAccount, state};
use api::startup::Application;
use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use serde_json::{Value, json};

const PASSWORD: &str = "cheval agrafe pile été 🌻";

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len().max(1)) - 1)
        .copied()
        .unwrap_or_default()
}

fn person(role: &str, prenom: &str, birth: &str) -> Value {
    json!({"role": role, "sexe": "feminin", "nom": "DEMONSTRATION", "nom_naissance": null, "prenom": prenom,
           "autres_prenoms": null, "a_naitre": false, "date_naissance": birth, "date_naissance_prevue": null,
           "pays_naissance": "France", "commune_naissance": "Chartres", 
           "situation_familiale": "marie", "situation_depuis": "2010-06-01", "telephone_mobile": "06 12 34 56 78",
           "telephone_fixe": null, "email": "parent@exemple.fr", "profession": "Infirmière", "employeur": "CHU"})
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let server = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let name = format!("pf_bench_{}", std::process::id());
    let mut admin = PgConnection::establish(&format!("{server}/postgres"))?;
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    admin.batch_execute(&format!("CREATE DATABASE {name}"))?;

    let dir = std::env::temp_dir().join(&name);
    let mut settings = Settings::from_env()?;
    settings.port = 0;
    settings.database_url = format!("{server}/{name}");
    settings.smtp_url = None;
    settings.mail_dir = dir.join("mails");
    settings.web_dist = dir.join("no-spa");
    let app = Application::build(settings).await?;
    let base = format!("http://127.0.0.1:{}", app.port());
    let pool = app.state.pool.clone();
    let hash = app
        .state
        .hasher
        .hash(PASSWORD.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    tokio::spawn(app.run_until_stopped());
    {
        let mut conn = pool.get()?;
        NewAccount {
            id: &uuid::Uuid::new_v4().to_string(),
            username: "bench",
            username_normalized: "bench",
            email: "bench@bench.test",
            email_normalized: "bench@bench.test",
            password_hash: Some(&hash),
            state: state::ACTIVE,
            new_household: true,
            created_at: api::db::now(),
        }
        .insert(&mut conn)?;
    }
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let login: Value = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"login": "bench", "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["access_token"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let terms: Value = client
        .get(format!("{base}/api/terms"))
        .send()
        .await?
        .json()
        .await?;
    client
        .post(format!("{base}/api/me/terms"))
        .bearer_auth(&token)
        .json(&json!({"version": terms["version"]}))
        .send()
        .await?;

    let mut dossier: Value = client
        .post(format!("{base}/api/dossiers"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await?
        .json()
        .await?;
    let id = dossier["id"].as_str().unwrap_or_default().to_string();
    let write = |method: reqwest::Method, path: String, version: i64, body: Value| {
        client
            .request(method, format!("{base}{path}"))
            .bearer_auth(&token)
            .header("if-match", format!("\"{version}\""))
            .json(&body)
            .send()
    };
    let mut ids = vec![];
    for (role, prenom, birth) in [
        ("responsable", "Mère", "1985-03-02"),
        ("conjoint", "Père", "1984-06-12"),
        ("enfant", "Léa", "2016-01-01"),
        ("enfant", "Zoé", "2018-04-04"),
        ("enfant", "Hugo", "2021-09-09"),
        ("contact", "Mamie", "1950-01-01"),
        ("contact", "Tata", "1980-01-01"),
    ] {
        dossier = write(
            reqwest::Method::POST,
            format!("/api/dossiers/{id}/members"),
            dossier["version"].as_i64().unwrap_or(0),
            person(role, prenom, birth),
        )
        .await?
        .json()
        .await?;
        ids.push(
            dossier["members"]
                .as_array()
                .and_then(|m| m.last())
                .and_then(|m| m["id"].as_str())
                .unwrap_or_default()
                .to_string(),
        );
    }
    for child in &ids[2..5] {
        let links = json!({"links": [
            {"adult_id": ids[0], "relation": "mere", "autorite_parentale": true, "contact_urgence": true, "autorise_recuperer": true},
            {"adult_id": ids[1], "relation": "pere", "autorite_parentale": true, "contact_urgence": true, "autorise_recuperer": true}]});
        dossier = write(
            reqwest::Method::PUT,
            format!("/api/dossiers/{id}/members/{child}/links"),
            dossier["version"].as_i64().unwrap_or(0),
            links,
        )
        .await?
        .json()
        .await?;
    }
    let size = serde_json::to_string(&dossier)?.len();
    println!(
        "dossier: {} members, {} links, {size} bytes of JSON",
        dossier["members"].as_array().map_or(0, Vec::len),
        dossier["links"].as_array().map_or(0, Vec::len)
    );

    let clients = 8;
    let deadline = Instant::now() + Duration::from_secs(10);
    let start = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url, token) = (
                client.clone(),
                format!("{base}/api/dossiers/{id}"),
                token.clone(),
            );
            tokio::spawn(async move {
                let mut latencies = vec![];
                while Instant::now() < deadline {
                    let sent = Instant::now();
                    let response = client
                        .get(&url)
                        .bearer_auth(&token)
                        .send()
                        .await
                        .expect("request");
                    assert_eq!(response.status(), 200);
                    let _ = response.bytes().await;
                    latencies.push(sent.elapsed());
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
    println!(
        "GET /api/dossiers/{{id}} ({clients} clients, 10 s, PostgreSQL): {:.0} req/s, p50 {:?}, p99 {:?}",
        latencies.len() as f64 / start.elapsed().as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99)
    );

    let pgbench_db = format!("{name}_pgbench");
    admin.batch_execute(&format!("CREATE DATABASE {pgbench_db}"))?;
    let url = format!("{server}/{pgbench_db}");
    let init = std::process::Command::new("pgbench")
        .args(["-i", "-s", "10", "-q", &url])
        .output()?;
    anyhow::ensure!(
        init.status.success(),
        "pgbench -i failed: {}",
        String::from_utf8_lossy(&init.stderr)
    );
    let run = std::process::Command::new("pgbench")
        .args(["-S", "-c", "8", "-j", "2", "-T", "10", &url])
        .output()?;
    let out = String::from_utf8_lossy(&run.stdout);
    for line in out
        .lines()
        .filter(|l| l.contains("tps") || l.contains("latency average"))
    {
        println!("pgbench -S -c 8 -j 2 -T 10 (scale 10): {}", line.trim());
    }
    admin.batch_execute(&format!(
        "DROP DATABASE IF EXISTS {pgbench_db} WITH (FORCE)"
    ))?;
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(())
}
