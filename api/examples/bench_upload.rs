//! Upload benchmark: 20 families each upload a 10 MiB PDF at the same time to the release
//! server running as its own process on the embedded default (SQLite, local file store).
//! Reports the server's resident memory before and during the uploads (sampled from
//! `/proc`), the upload throughput, and a plain `dd` write of the same volume to the same
//! disk in the same run.
//!
//! `cargo build --release -p api && cargo run --release -p api --example bench_upload`

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use api::auth::password::PasswordHasher;
use api::db::models::account::{NewAccount, state};
use lopdf::{Document, Object, Stream, dictionary};
use serde_json::{Value, json};

const PASSWORD: &str = "cheval agrafe pile été 🌻";
const FAMILIES: usize = 20;
const FILE_BYTES: usize = 10 * 1024 * 1024;

/// A valid PDF of exactly `size` bytes.
fn pdf_of_size(size: usize) -> anyhow::Result<Vec<u8>> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let content = doc.add_object(Stream::new(dictionary! {}, b"BT ET".to_vec()));
    let page = doc
        .add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => content });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    doc.add_object(Stream::new(dictionary! {}, vec![b'0'; size - 1024]));
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)?;
    anyhow::ensure!(bytes.len() <= size, "PDF too large");
    bytes.resize(size, b'\n');
    Ok(bytes)
}

/// Resident memory of a process, in KiB (`VmRSS` or `VmHWM`).
fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn mib_per_s(bytes: usize, elapsed: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / elapsed.as_secs_f64()
}

/// `dd` of `bytes` to `dir`, flushed to disk, in MiB/s.
fn dd(dir: &Path, bytes: usize) -> anyhow::Result<f64> {
    let target = dir.join("dd.bin");
    let started = Instant::now();
    let status = Command::new("dd")
        .arg("if=/dev/zero")
        .arg(format!("of={}", target.display()))
        .arg("bs=1M")
        .arg(format!("count={}", bytes / (1024 * 1024)))
        .arg("conv=fdatasync")
        .stderr(Stdio::null())
        .status()?;
    anyhow::ensure!(status.success(), "dd failed");
    let speed = mib_per_s(bytes, started.elapsed());
    std::fs::remove_file(target)?;
    Ok(speed)
}

async fn family(
    client: &reqwest::Client,
    base: &str,
    login: &str,
) -> anyhow::Result<(String, String)> {
    let body: Value = client
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"login": login, "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = body["access_token"]
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
    let dossier: Value = client
        .post(format!("{base}/api/dossiers"))
        .bearer_auth(&token)
        .json(&json!({}))
        .send()
        .await?
        .json()
        .await?;
    Ok((
        token,
        dossier["id"].as_str().unwrap_or_default().to_string(),
    ))
}

async fn upload(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    dossier: &str,
    file: &Path,
) -> anyhow::Result<()> {
    let body = reqwest::Body::from(tokio::fs::File::open(file).await?);
    let part = reqwest::multipart::Part::stream_with_length(body, FILE_BYTES as u64)
        .file_name("justificatif.pdf")
        .mime_str("application/pdf")?;
    let form = reqwest::multipart::Form::new()
        .text("type_code", "livret_famille")
        .text("emis_le", "2020-01-01")
        .part("fichier", part);
    let response = client
        .post(format!("{base}/api/dossiers/{dossier}/pieces"))
        .bearer_auth(token)
        .header("idempotency-key", uuid::Uuid::new_v4().to_string())
        .multipart(form)
        .send()
        .await?;
    anyhow::ensure!(
        response.status() == 201,
        "upload answered {}",
        response.status()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let binary =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/portail-famille");
    anyhow::ensure!(
        binary.exists(),
        "build it first: cargo build --release -p api"
    );
    let dir = std::env::current_dir()?.join(format!("target/bench-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let database_url = format!("sqlite://{}", dir.join("bench.db").display());
    let port = free_port()?;
    let mut server = Command::new(&binary)
        .env("PORT", port.to_string())
        .env("DATABASE_URL", &database_url)
        .env("STORAGE_URL", dir.join("files"))
        .env("UPLOAD_SCRATCH_DIR", dir.join("scratch"))
        .env("MAIL_DIR", dir.join("mails"))
        .env("WEB_DIST", dir.join("no-spa"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()?;
    let pid = server.id();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    while client
        .get(format!("{base}/api/health"))
        .send()
        .await
        .is_err()
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let hasher = PasswordHasher::new(1, 1)?;
    let hash = hasher
        .hash(PASSWORD.to_string())
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    {
        let pool = api::db::connect(&database_url, 1)?;
        let mut conn = pool.get()?;
        for i in 0..FAMILIES {
            let name = format!("bench{i}");
            NewAccount {
                id: &uuid::Uuid::new_v4().to_string(),
                username: &name,
                username_normalized: &name,
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
    let mut families = Vec::new();
    for i in 0..FAMILIES {
        families.push(family(&client, &base, &format!("bench{i}")).await?);
    }
    let file = dir.join("justificatif.pdf");
    std::fs::write(&file, pdf_of_size(FILE_BYTES)?)?;

    // Warm up (one upload), then let the allocator settle.
    upload(&client, &base, &families[0].0, &families[0].1, &file).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = memory_kib(pid, "VmRSS:");

    let sampling = Arc::new(AtomicBool::new(true));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (sampling, peak) = (sampling.clone(), peak.clone());
        tokio::spawn(async move {
            while sampling.load(Ordering::SeqCst) {
                peak.fetch_max(memory_kib(pid, "VmRSS:"), Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };
    let started = Instant::now();
    let uploads = families
        .iter()
        .map(|(token, dossier)| upload(&client, &base, token, dossier, &file));
    let results = futures_util::future::join_all(uploads).await;
    let elapsed = started.elapsed();
    sampling.store(false, Ordering::SeqCst);
    sampler.await?;
    for result in results {
        result?;
    }
    let total = FAMILIES * FILE_BYTES;
    let disk = dd(&dir, total)?;
    let during = peak.load(Ordering::SeqCst);

    println!(
        "{FAMILIES} concurrent uploads of {} MiB PDFs",
        FILE_BYTES / (1024 * 1024)
    );
    println!("server RSS before: {:.1} MiB", before as f64 / 1024.0);
    println!(
        "server RSS peak during: {:.1} MiB (+{:.1} MiB)",
        during as f64 / 1024.0,
        (during.saturating_sub(before)) as f64 / 1024.0
    );
    println!(
        "upload: {:.2} s, {:.1} MiB/s",
        elapsed.as_secs_f64(),
        mib_per_s(total, elapsed)
    );
    println!("dd (same disk, fdatasync): {disk:.1} MiB/s");

    server.kill()?;
    server.wait()?;
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
