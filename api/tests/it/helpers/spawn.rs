//! `spawn_app`: the real application on a random port with its own database.

use std::time::Duration;

use actix_web::web;
use api::auth::throttle::LoginPolicy;
use api::config::{Environment, Settings};
use api::documents::storage::StorageLocation;
use api::startup::Application;
use api::state::AppState;
use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use super::mail::{MAIL, wait_for_mail};
use super::test_db::TestDb;
use super::test_db::tempdir::TempDir;
use super::{PASSWORD, unique};

/// A running application.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub state: web::Data<AppState>,
    pub db: TestDb,
    /// Holds the file store (`files/`) and the upload scratch directory (`scratch/`).
    pub dir: TempDir,
}

/// Settings for a test: port 0, the test database, the local SMTP server, files in `dir`.
/// The tests' signing and encryption keys (the in-process servers' and the child processes').
pub const JWT_SECRET: &str = "test-secret-that-is-long-enough-0123456789";
pub const SECRETS_KEY: &str = "test-secrets-key-that-is-long-enough-0123456789";

pub fn test_settings(db: &TestDb, dir: &std::path::Path) -> Settings {
    Settings {
        environment: Environment::Local,
        bind_address: [127, 0, 0, 1].into(),
        port: 0,
        listen_backlog: 4096,
        keep_alive: Duration::from_secs(10),
        drain: Duration::from_secs(1),
        metrics_path: Some("/metrics".into()),
        shutdown_timeout: Duration::from_secs(10),
        blocking_threads: 16,
        public_url: None,
        database_url: db.url.clone(),
        database_pool_size: 8,
        database_timeout: Duration::from_secs(5),
        smtp_url: Some(format!("smtp://127.0.0.1:{}", MAIL.smtp_port)),
        mail_dir: std::env::temp_dir().join("pf-test-mails"),
        mail_from: "Portail Famille <ne-pas-repondre@portail.test>".into(),
        jwt_secret: JWT_SECRET.into(),
        secrets_key: SECRETS_KEY.into(),
        town_name: "Ville de Chartres".into(),
        town_tagline: "Votre espace vie scolaire et sportive".into(),
        town_contact: "Mairie — service Vie scolaire et sportive".into(),
        town_postal_codes: "28000".into(),
        web_dist: concat!(env!("CARGO_MANIFEST_DIR"), "/../web/dist").into(),
        connection_log_retention_days: 183,
        retention: api::privacy::policy::RetentionPolicy::default(),
        demo_content: true,
        trusted_proxies: vec![],
        registrations_per_hour: 10,
        integration_requests_per_minute: 600,
        webhook_allow_http_loopback: true,
        hash_concurrency: 2,
        hash_queue: 64,
        enrolment_concurrency: 8,
        enrolment_queue: 32,
        enrolment_max_wait: std::time::Duration::from_millis(500),
        // Tests read their own writes at once; the snapshot has its unit test.
        catalogue_fresh_for: Duration::ZERO,
        access_token_ttl: Duration::from_secs(600),
        session_idle_timeout: Duration::from_secs(1800),
        session_absolute_timeout: Duration::from_secs(12 * 3600),
        activation_ttl: Duration::from_secs(48 * 3600),
        password_reset_ttl: Duration::from_secs(1800),
        email_change_ttl: Duration::from_secs(24 * 3600),
        refresh_reuse_grace: Duration::from_secs(10),
        outbox_poll_interval: Duration::from_millis(200),
        outbox_worker: true,
        api_docs: true,
        email_retry: Duration::from_secs(48 * 3600),
        storage: StorageLocation::Local(dir.join("files")),
        upload_scratch_dir: dir.join("scratch"),
        inspector_program: Some(env!("CARGO_BIN_EXE_portail-famille").into()),
        inspector_concurrency: 2,
        inspector_timeout: Duration::from_secs(10),
        orphan_grace: Duration::from_secs(3600),
        upload_claim_lease: Duration::from_secs(600),
        clamd_address: None,
        fault_injection: Default::default(),
        bulk_download_alert: api::config::BulkDownloadAlert {
            count: 200,
            window: std::time::Duration::from_secs(600),
        },
    }
}

/// Starts the application with default settings.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}, LoginPolicy::default()).await
}

/// Starts the application after `adjust` changed its settings.
pub async fn spawn_app_with(
    adjust: impl FnOnce(&mut Settings),
    login_policy: LoginPolicy,
) -> TestApp {
    let db = TestDb::new();
    let dir =
        TempDir(std::env::temp_dir().join(format!("pf-app-{}", uuid::Uuid::new_v4().simple())));
    let mut settings = test_settings(&db, &dir.0);
    adjust(&mut settings);
    let app = Application::build_with(settings, login_policy)
        .await
        .expect("build the application");
    let address = format!("http://localhost:{}", app.port());
    let state = app.state.clone();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // Answers as the server sent them: tests read `Content-Encoding` and the encoded
        // bytes. (The load generator, built into the same test binary, turns reqwest's
        // decompression on for everyone.)
        .no_gzip()
        .no_brotli()
        .no_zstd()
        .no_deflate()
        // Below the server's keep-alive (5 s): never reuse a connection it may be closing.
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    TestApp {
        address,
        client,
        state,
        db,
        dir,
    }
}

/// A logged-in family.
pub struct Family {
    pub username: String,
    pub email: String,
    pub access_token: String,
    pub refresh_cookie: String,
}

/// The value of the refresh cookie a response set.
pub fn refresh_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("__Host-pf_refresh="))
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim_start_matches("__Host-pf_refresh=")
                .to_string()
        })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_json_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put_json_auth(&self, path: &str, token: &str, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// An anonymous `GET` of a JSON answer (the public pages' endpoints).
    pub async fn get_json(&self, path: &str) -> Value {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("get")
            .json()
            .await
            .expect("json")
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    pub async fn refresh(&self, cookie: &str) -> Response {
        self.client
            .post(self.url("/api/auth/refresh"))
            .header("cookie", format!("__Host-pf_refresh={cookie}"))
            .json(&json!({}))
            .send()
            .await
            .expect("request")
    }

    pub async fn register(&self, username: &str, email: &str, password: &str) -> Response {
        self.post_json(
            "/api/registrations",
            &json!({"username": username, "email": email, "password": password, "new_household": true, "dossier_reference": null}),
        )
        .await
    }

    pub async fn login(&self, login: &str, password: &str) -> Response {
        self.post_json(
            "/api/auth/login",
            &json!({"login": login, "password": password}),
        )
        .await
    }

    /// « J'ai pris connaissance de ces informations »: accepts the CGU in force.
    pub async fn accept_terms(&self, access_token: &str) {
        let terms = self.get_json("/api/terms").await;
        let accepted = self
            .post_json_auth(
                "/api/me/terms",
                access_token,
                &json!({"version": terms["version"]}),
            )
            .await;
        assert_eq!(accepted.status(), StatusCode::NO_CONTENT);
    }

    /// Registers and activates an account through its email, without logging in.
    pub async fn activated_account(&self) -> (String, String) {
        self.activated_account_with(None).await
    }

    /// Registers — for a new household, or with a dossier reference (`{"numero", "nom",
    /// "prenom"}`: a rattachement) — and activates an account, without logging in.
    pub async fn activated_account_with(&self, reference: Option<Value>) -> (String, String) {
        let username = unique("parent");
        let email = format!("{username}@exemple.fr");
        let response = self
            .post_json(
                "/api/registrations",
                &json!({"username": username, "email": email, "password": PASSWORD,
                        "new_household": reference.is_none(), "dossier_reference": reference}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::ACCEPTED);
        let mail = wait_for_mail(&email, "Activez votre compte").await;
        let response = self
            .post_json(
                "/api/activations",
                &json!({"token": mail.token("/activation")}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK);
        (username, email)
    }

    /// Registers, activates, logs in and accepts the CGU.
    pub async fn family(&self) -> Family {
        self.family_with(None).await
    }

    /// [`family`](Self::family), after a sign-up with a dossier reference (or none).
    pub async fn family_with(&self, reference: Option<Value>) -> Family {
        let (username, email) = self.activated_account_with(reference).await;
        let response = self.login(&username, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        let refresh_cookie = refresh_cookie(&response).expect("refresh cookie");
        let body: Value = response.json().await.expect("json");
        let access_token = body["access_token"].as_str().expect("token").to_string();
        self.accept_terms(&access_token).await;
        Family {
            username,
            email,
            access_token,
            refresh_cookie,
        }
    }
}

/// Another server on `app`'s database, with its own files and its own background workers:
/// a replica behind the same load balancer. Answers its address; the files
/// directory goes when the answer is dropped.
pub async fn spawn_replica(app: &TestApp) -> Replica {
    let dir =
        TempDir(std::env::temp_dir().join(format!("pf-replica-{}", uuid::Uuid::new_v4().simple())));
    let settings = test_settings(&app.db, &dir.0);
    let replica = Application::build_with(settings, LoginPolicy::default())
        .await
        .expect("build a replica");
    let address = format!("http://localhost:{}", replica.port());
    tokio::spawn(replica.run_until_stopped());
    Replica { address, _dir: dir }
}

/// A replica started by [`spawn_replica`].
pub struct Replica {
    pub address: String,
    _dir: TempDir,
}
