//! The local SMTP server: maildev (from `e2e/node_modules`), started once per test process
//! unless `TEST_SMTP_PORT`/`TEST_MAILDEV_URL` point at a running one.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;

/// Where the SMTP server listens and where its HTTP API answers.
pub struct MailServer {
    pub smtp_port: u16,
    pub api_url: String,
    // Kept open: when the test process exits, the pipe closes and the wrapper shell
    // stops maildev (no orphan process, no unsafe code).
    _guard: Option<Mutex<Child>>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// The shared server.
pub static MAIL: LazyLock<MailServer> = LazyLock::new(|| {
    if let (Ok(port), Ok(url)) = (
        std::env::var("TEST_SMTP_PORT"),
        std::env::var("TEST_MAILDEV_URL"),
    ) {
        return MailServer {
            smtp_port: port.parse().expect("TEST_SMTP_PORT"),
            api_url: url,
            _guard: None,
        };
    }
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let maildev = root.join("e2e/node_modules/.bin/maildev");
    assert!(
        maildev.exists(),
        "maildev is missing: run `npm ci --prefix e2e` (the README's test command does)"
    );
    let (smtp_port, web_port) = (free_port(), free_port());
    let script = format!(
        "'{}' --ip 127.0.0.1 -s {smtp_port} --web-ip 127.0.0.1 -w {web_port} --silent >/dev/null 2>&1 & pid=$!; cat >/dev/null; kill $pid",
        maildev.display()
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .spawn()
        .expect("start maildev");
    let _ = child.stdin.as_mut().map(|s| s.flush());
    let api_url = format!("http://127.0.0.1:{web_port}");
    let started = Instant::now();
    loop {
        let ready = std::net::TcpStream::connect(("127.0.0.1", web_port)).is_ok()
            && std::net::TcpStream::connect(("127.0.0.1", smtp_port)).is_ok();
        if ready {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "maildev did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    MailServer {
        smtp_port,
        api_url,
        _guard: Some(Mutex::new(child)),
    }
});

/// One received message, as maildev decodes it.
#[derive(Debug, Clone, Deserialize)]
pub struct Mail {
    /// maildev's id of the message.
    #[serde(default)]
    pub id: String,
    pub subject: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub html: String,
    pub to: Vec<Address>,
    #[serde(default)]
    pub attachments: Vec<MailAttachment>,
}

/// A file attached to a message.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MailAttachment {
    pub filename: String,
    /// The name maildev stored it under (its download route uses it).
    pub generated_file_name: String,
    pub content_type: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Address {
    pub address: String,
}

impl Mail {
    /// The first link of the text body that goes to `route` (e.g. `/activation`).
    pub fn link_to(&self, route: &str) -> String {
        self.text
            .split_whitespace()
            .find(|w| w.starts_with("http") && w.contains(route))
            .unwrap_or_else(|| panic!("no {route} link in {:?}", self.text))
            .to_string()
    }

    /// The six-digit code of rattachement, on a line of its own.
    pub fn rattachement_code(&self) -> String {
        self.text
            .lines()
            .map(str::trim)
            .find(|l| l.len() == 6 && l.chars().all(|c| c.is_ascii_digit()))
            .unwrap_or_else(|| panic!("no code in {:?}", self.text))
            .to_string()
    }

    /// The token from a link's fragment.
    pub fn token(&self, route: &str) -> String {
        let link = self.link_to(route);
        link.split("#token=")
            .nth(1)
            .unwrap_or_else(|| panic!("no token in {link}"))
            .to_string()
    }
}

impl Mail {
    /// The content of attachment `file_name`, as maildev received it.
    pub async fn attachment(&self, file_name: &str) -> Vec<u8> {
        let stored = self
            .attachments
            .iter()
            .find(|a| a.filename == file_name)
            .unwrap_or_else(|| panic!("no attachment {file_name} in {:?}", self.attachments));
        let response = reqwest::get(format!(
            "{}/api/email/{}/attachment/{}",
            MAIL.api_url, self.id, stored.generated_file_name
        ))
        .await
        .expect("maildev answers");
        assert!(response.status().is_success(), "no attachment {file_name}");
        response.bytes().await.expect("attachment").to_vec()
    }
}

/// Every message sent to `address` so far.
pub async fn mails_to(address: &str) -> Vec<Mail> {
    let all: Vec<Mail> = reqwest::get(format!("{}/api/email", MAIL.api_url))
        .await
        .expect("maildev answers")
        .json()
        .await
        .expect("maildev JSON");
    all.into_iter()
        .filter(|m| m.to.iter().any(|a| a.address.eq_ignore_ascii_case(address)))
        .collect()
}

/// Removes messages from maildev, so that a test that sent many does not slow down every
/// other test's reading of the mailbox.
pub async fn delete_mails(mails: &[Mail]) {
    let client = reqwest::Client::new();
    for mail in mails {
        let _ = client
            .delete(format!("{}/api/email/{}", MAIL.api_url, mail.id))
            .send()
            .await;
    }
}

/// Waits until `count` messages reached `address` (up to 15 s) and returns them.
pub async fn wait_for_mails(address: &str, count: usize) -> Vec<Mail> {
    let started = Instant::now();
    loop {
        let mails = mails_to(address).await;
        if mails.len() >= count {
            return mails;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "expected {count} mail(s) to {address}, got {mails:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits for the first message to `address` whose subject contains `subject`.
pub async fn wait_for_mail(address: &str, subject: &str) -> Mail {
    let started = Instant::now();
    loop {
        if let Some(mail) = mails_to(address)
            .await
            .into_iter()
            .rev()
            .find(|m| m.subject.contains(subject))
        {
            return mail;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no mail « {subject} » reached {address}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
