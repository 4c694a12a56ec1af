//! The real server binary as a child process, with the test settings, its output collected
//! (tests of what it logs, and of how it stops).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

use super::mail::MAIL;
use super::test_db::TestDb;

/// The server as a child process, its output collected.
pub struct Server {
    pub child: Child,
    output: Arc<Mutex<Vec<u8>>>,
    pub base: String,
}

impl Server {
    pub fn start(db: &TestDb, dir: &std::path::Path) -> Self {
        Self::start_with(db, dir, &[])
    }

    /// Starts it with `extra` settings on top of the test ones.
    pub fn start_with(db: &TestDb, dir: &std::path::Path, extra: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        Self::start_on(port, db, dir, extra)
    }

    /// Starts it on `port` (a replica restarted behind a proxy that knows its port).
    pub fn start_on(port: u16, db: &TestDb, dir: &std::path::Path, extra: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_portail-famille"))
            .envs(environment(db, dir))
            .env("PORT", port.to_string())
            .envs(extra.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let output = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let output = output.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buffer = [0u8; 8192];
                while let Ok(n) = stream.read(&mut buffer) {
                    if n == 0 {
                        break;
                    }
                    output
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .extend_from_slice(&buffer[..n]);
                }
            });
        }
        Self {
            child,
            output,
            base: format!("http://localhost:{port}"),
        }
    }

    /// The server's answer to `GET /api/health/ready` is 200, within `within`.
    pub async fn wait_ready(&self, within: std::time::Duration) {
        let deadline = std::time::Instant::now() + within;
        let url = format!("{}/api/health/ready", self.base);
        while std::time::Instant::now() < deadline {
            if reqwest::get(&url)
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!(
            "the server at {} was not ready within {within:?}:\n{}",
            self.base,
            self.text()
        );
    }

    /// Sends a signal (`TERM`, `KILL`) to the process.
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(sent.success(), "kill -{name} failed");
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.output.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn environment(db: &TestDb, dir: &std::path::Path) -> Vec<(String, String)> {
    [
        ("APP_ENV", "local".to_string()),
        ("RUST_LOG", "info".to_string()),
        ("DATABASE_URL", db.url.clone()),
        // The in-process test server's secrets: tokens it issued are valid here too.
        ("JWT_SECRET", super::spawn::JWT_SECRET.to_string()),
        ("SECRETS_KEY", super::spawn::SECRETS_KEY.to_string()),
        ("SMTP_URL", format!("smtp://127.0.0.1:{}", MAIL.smtp_port)),
        ("STORAGE_URL", dir.join("files").display().to_string()),
        (
            "UPLOAD_SCRATCH_DIR",
            dir.join("scratch").display().to_string(),
        ),
        ("MAIL_DIR", dir.join("mails").display().to_string()),
        (
            "WEB_DIST",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../web/dist").to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}
