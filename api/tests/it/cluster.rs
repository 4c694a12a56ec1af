//! The production topology on loopback (issue 15; SECURITY.md L-10, L-12): HAProxy with
//! the shipped configuration in front of two server processes on one database and one file
//! store. A rolling restart of both fails no request; one replica killed with `kill -9` in
//! the middle of the opening rush and of uploads loses no acknowledged enrolment or piece,
//! overbooks nothing, and leaves no orphan row or file once the collector has run.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use tokio::sync::Mutex;

use crate::helpers::process::Server;
use crate::helpers::proxy::Proxy;
use crate::helpers::spawn::{Family, TestApp};
use crate::helpers::spawn_app_with;
use crate::helpers::test_db::tempdir::TempDir;
use crate::http::pieces::{Upload, count_rows, pdf_file, small_dossier, stored_objects, today};
use crate::opening::{assert_the_database_agrees, race, run_the_rush};

/// Two replicas behind the proxy, and an in-process server on the same database and file
/// store (not behind the proxy) that prepares families and reads what was stored.
struct Cluster {
    app: TestApp,
    replicas: Vec<Mutex<Replica>>,
    proxy: Proxy,
}

struct Replica {
    port: u16,
    server: Option<Server>,
    public_url: String,
    dir: TempDir,
}

/// Settings of every replica: the shared file store, a drain longer than the two failed
/// checks (1 s apart) HAProxy needs to take a server out.
fn replica_settings(app: &TestApp, public_url: &str) -> Vec<(String, String)> {
    vec![
        ("PUBLIC_URL".into(), public_url.to_string()),
        (
            "STORAGE_URL".into(),
            app.dir.0.join("files").display().to_string(),
        ),
        ("DRAIN_SECONDS".into(), "3".into()),
        // The killed replica's upload claims lapse within the test, not in 10 minutes.
        ("UPLOAD_CLAIM_LEASE_SECONDS".into(), "5".into()),
    ]
}

impl Replica {
    fn start(&mut self, app: &TestApp) {
        let settings = replica_settings(app, &self.public_url);
        let extra: Vec<(&str, &str)> = settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.server = Some(Server::start_on(self.port, &app.db, &self.dir.0, &extra));
    }

    fn server(&self) -> &Server {
        self.server.as_ref().expect("a running replica")
    }

    /// Waits for the process to end (after a signal) and answers its output.
    async fn wait_exit(&mut self) -> (std::process::ExitStatus, String) {
        let mut server = self.server.take().expect("a running replica");
        tokio::task::spawn_blocking(move || {
            let status = server.child.wait().expect("wait");
            (status, server.text())
        })
        .await
        .expect("join")
    }
}

impl Cluster {
    /// The cluster, on PostgreSQL only (the production topology; the embedded SQLite
    /// default is one process): `None` on SQLite.
    async fn start() -> Option<Self> {
        if crate::helpers::test_db::backend() != "postgres" {
            eprintln!("PostgreSQL only: several servers share a database server");
            return None;
        }
        // Every server issues tokens as the portal's public address, the proxy's, so that
        // each accepts the others' (as PUBLIC_URL does in production).
        let proxy_port = free_port();
        let public_url = format!("http://127.0.0.1:{proxy_port}");
        let app = spawn_app_with(
            |s| s.public_url = Some(public_url.clone()),
            Default::default(),
        )
        .await;
        let mut replicas = Vec::new();
        let mut ports = Vec::new();
        for _ in 0..2 {
            let dir = TempDir(
                std::env::temp_dir().join(format!("pf-replica-{}", uuid::Uuid::new_v4().simple())),
            );
            let mut replica = Replica {
                port: free_port(),
                server: None,
                public_url: public_url.clone(),
                dir,
            };
            replica.start(&app);
            replica.server().wait_ready(Duration::from_secs(60)).await;
            ports.push(replica.port);
            replicas.push(Mutex::new(replica));
        }
        let proxy = Proxy::start_on(proxy_port, &ports).await;
        // HAProxy sends traffic to a server once two checks passed (`rise 2`, 1 s apart).
        wait_for_proxy(&proxy).await;
        Some(Self {
            app,
            replicas,
            proxy,
        })
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port()
}

async fn wait_for_proxy(proxy: &Proxy) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let answer = reqwest::get(format!("{}/api/health/ready", proxy.base)).await;
        if answer.is_ok_and(|r| r.status() == StatusCode::OK) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "HAProxy never found a ready server"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// What clients saw: requests sent, and every failure described.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    failures: std::sync::Mutex<Vec<String>>,
}

impl Seen {
    fn fail(&self, what: String) {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(what);
    }
}

/// One signed-in family browsing through the proxy until `stop`: its account page, the
/// catalogue, and a refresh of its session (a write: the refresh token rotates). Nothing
/// is retried: every failure counts.
async fn browse(base: String, family: Family, stop: Arc<AtomicBool>, seen: Arc<Seen>) {
    let client = reqwest::Client::new();
    let mut token = family.access_token;
    let mut cookie = family.refresh_cookie;
    while !stop.load(Ordering::Relaxed) {
        for path in ["/api/me", "/api/activites"] {
            seen.requests.fetch_add(1, Ordering::Relaxed);
            match client
                .get(format!("{base}{path}"))
                .bearer_auth(&token)
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => {}
                Ok(r) => seen.fail(format!("{path}: {}", r.status())),
                Err(e) => seen.fail(format!("{path}: {e}")),
            }
        }
        seen.requests.fetch_add(1, Ordering::Relaxed);
        match client
            .post(format!("{base}/api/auth/refresh"))
            .header("cookie", format!("__Host-pf_refresh={cookie}"))
            .json(&serde_json::json!({}))
            .send()
            .await
        {
            Ok(r) if r.status() == StatusCode::OK => {
                if let Some(fresh) = crate::helpers::spawn::refresh_cookie(&r) {
                    cookie = fresh;
                }
                let body: serde_json::Value = r.json().await.expect("tokens");
                token = body["access_token"].as_str().expect("token").to_string();
            }
            Ok(r) => seen.fail(format!("refresh: {}", r.status())),
            Err(e) => seen.fail(format!("refresh: {e}")),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_restart_of_both_replicas_fails_no_request() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let stop = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Seen::default());
    let mut clients = Vec::new();
    for _ in 0..4 {
        let family = cluster.app.family().await;
        clients.push(tokio::spawn(browse(
            cluster.proxy.base.clone(),
            family,
            stop.clone(),
            seen.clone(),
        )));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;

    for replica in &cluster.replicas {
        let mut replica = replica.lock().await;
        // A deploy stops each server with SIGTERM: it answers « not ready » while HAProxy
        // takes it out, finishes what it holds, and exits 0.
        replica.server().signal("TERM");
        let (status, output) = replica.wait_exit().await;
        assert!(status.success(), "{status}: {output}");
        replica.start(&cluster.app);
        replica.server().wait_ready(Duration::from_secs(60)).await;
        // Back in HAProxy's rotation after two passed checks (`rise 2`, 1 s apart), before
        // the other one goes.
        tokio::time::sleep(Duration::from_secs(4)).await;
    }

    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.expect("client");
    }
    let failures = seen.failures.lock().unwrap_or_else(|p| p.into_inner());
    let requests = seen.requests.load(Ordering::Relaxed);
    println!(
        "rolling restart: {requests} requests, {} failed",
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {requests} failed, the first: {:?}",
        failures.len(),
        &failures[..failures.len().min(10)]
    );
    assert!(
        requests > 100,
        "only {requests} requests: the clients hardly ran"
    );
}

/// Uploads `count` pieces one after the other through the proxy, each sent again with the
/// same Idempotency-Key until it is acknowledged (a lost answer, 502 when its replica
/// died, 503): answers each acknowledged piece id, with when it was first sent and when it
/// was acknowledged.
async fn upload_until_acknowledged(
    base: String,
    family: Family,
    dossier: String,
    count: usize,
    retried: Arc<AtomicUsize>,
    progress: KillOrder,
) -> Vec<(String, Instant, Instant)> {
    let client = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    for index in 0..count {
        if index == count / 2 {
            // Half after the kill, whatever the machine's speed.
            progress.wait_for_kill().await;
        }
        let key = uuid::Uuid::new_v4().to_string();
        let upload = Upload::new(
            "livret_famille",
            today(),
            vec![pdf_file(
                &format!("livret-{index}.pdf"),
                crate::helpers::files::pdf_of_size(512 * 1024),
            )],
        );
        let first_sent = Instant::now();
        loop {
            let sent = client
                .post(format!("{base}/api/dossiers/{dossier}/pieces"))
                .bearer_auth(&family.access_token)
                .header("idempotency-key", &key)
                .multipart(upload.form())
                .send()
                .await;
            match sent {
                Ok(r) if r.status() == StatusCode::CREATED => {
                    let body: serde_json::Value = r.json().await.expect("piece");
                    acknowledged.push((
                        body["id"].as_str().expect("id").to_string(),
                        first_sent,
                        Instant::now(),
                    ));
                    progress.acknowledged.send_replace(acknowledged.len());
                    break;
                }
                Ok(r)
                    if [
                        StatusCode::BAD_GATEWAY,
                        StatusCode::SERVICE_UNAVAILABLE,
                        StatusCode::GATEWAY_TIMEOUT,
                        // The killed server held the key « in progress »: it is free again
                        // once its claim lapses.
                        StatusCode::CONFLICT,
                    ]
                    .contains(&r.status()) =>
                {
                    retried.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
                Ok(r) => panic!(
                    "upload {index}: {} {}",
                    r.status(),
                    r.text().await.unwrap_or_default()
                ),
                Err(_) => {
                    retried.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }
    acknowledged
}

/// Pieces uploaded one after the other across the kill (a dossier's most).
const UPLOADS: usize = 20;

/// Orders the uploads and the kill: the kill waits for a few acknowledged uploads, half of
/// the uploads wait for the kill.
#[derive(Clone)]
struct KillOrder {
    acknowledged: Arc<tokio::sync::watch::Sender<usize>>,
    killed: Arc<tokio::sync::watch::Sender<bool>>,
}

impl KillOrder {
    fn new() -> Self {
        Self {
            acknowledged: Arc::new(tokio::sync::watch::Sender::new(0)),
            killed: Arc::new(tokio::sync::watch::Sender::new(false)),
        }
    }

    async fn wait_for_kill(&self) {
        let mut killed = self.killed.subscribe();
        killed.wait_for(|k| *k).await.expect("the kill happens");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replica_killed_during_the_rush_and_uploads_loses_no_acknowledged_write() {
    let Some(cluster) = Cluster::start().await else {
        return;
    };
    let uploader = cluster.app.family().await;
    let (dossier, _) = small_dossier(&cluster.app, &uploader, None).await;
    let plan = race(200, 3, chrono::Duration::seconds(14), "coupure");
    let prepared = {
        let mut conn = cluster.app.state.pool.get().expect("conn");
        api::load_seed::prepare(&mut conn, &plan).expect("seed")
    };
    let order = KillOrder::new();

    // Uploads start a little before the opening and go on through the kill.
    let retried = Arc::new(AtomicUsize::new(0));
    let uploads = {
        let (base, retried, opening, order) = (
            cluster.proxy.base.clone(),
            retried.clone(),
            plan.opening,
            order.clone(),
        );
        tokio::spawn(async move {
            let wait = (opening - chrono::Utc::now() - chrono::Duration::milliseconds(500))
                .to_std()
                .unwrap_or_default();
            tokio::time::sleep(wait).await;
            upload_until_acknowledged(base, uploader, dossier, UPLOADS, retried, order).await
        })
    };
    // `kill -9` of the first replica just after the opening, mid-rush, once a few uploads
    // went through.
    let killed = {
        let wait = (plan.opening - chrono::Utc::now() + chrono::Duration::milliseconds(300))
            .to_std()
            .unwrap_or_default();
        let replica = &cluster.replicas[0];
        let order = order.clone();
        async move {
            tokio::time::sleep(wait).await;
            let mut acknowledged = order.acknowledged.subscribe();
            acknowledged
                .wait_for(|count| *count >= 3)
                .await
                .expect("the uploads go on");
            let mut replica = replica.lock().await;
            replica.server().signal("KILL");
            let at = Instant::now();
            order.killed.send_replace(true);
            let (status, _) = replica.wait_exit().await;
            assert!(!status.success(), "killed, not stopped: {status}");
            at
        }
    };
    let (report, killed_at, acknowledged) = tokio::join!(
        run_the_rush(&cluster.proxy.base, &plan, Duration::from_secs(12)),
        killed,
        uploads
    );
    let acknowledged = acknowledged.expect("the uploads");
    assert_eq!(report.children, prepared.children);
    assert_the_database_agrees(&mut cluster.app.state.pool.get().expect("conn"), &prepared);
    println!(
        "uploads: {} acknowledged, {} attempts retried",
        acknowledged.len(),
        retried.load(Ordering::Relaxed)
    );

    // The uploads went on across the kill.
    assert!(
        acknowledged.iter().any(|(_, sent, _)| *sent < killed_at)
            && acknowledged.iter().any(|(_, _, done)| *done > killed_at),
        "no upload before or none after the kill: the test proved nothing"
    );
    // Every acknowledged piece is there, once; no piece was recorded that nobody was told of.
    assert_eq!(acknowledged.len(), UPLOADS);
    let unique: std::collections::HashSet<&String> =
        acknowledged.iter().map(|(id, _, _)| id).collect();
    assert_eq!(unique.len(), UPLOADS, "a retry created a second piece");
    let uploads = i64::try_from(UPLOADS).expect("count");
    assert_eq!(count_rows(&cluster.app, "pieces"), uploads);
    assert_eq!(count_rows(&cluster.app, "piece_files"), uploads);

    // The collector takes what the killed server stored but never recorded; every
    // recorded file stays, and nothing else is left.
    api::jobs::collect_orphan_files(
        &cluster.app.state.pool,
        &cluster.app.state.storage,
        chrono::Utc::now() + chrono::Duration::seconds(1),
    )
    .await
    .expect("collect");
    let mut objects = stored_objects(&cluster.app);
    objects.sort();
    let mut recorded = recorded_file_ids(&cluster.app);
    recorded.sort();
    assert_eq!(objects, recorded, "objects and rows match one to one");
}

fn recorded_file_ids(app: &TestApp) -> Vec<String> {
    use api::db::schema::piece_files;
    use diesel::prelude::*;
    piece_files::table
        .select(piece_files::id)
        .load(&mut app.db.connect())
        .expect("file ids")
}
