//! A real S3-compatible store for the storage tests: one Garage node (STACK.md), started
//! once per test process in a temporary directory on free ports, with a bucket and a key.
//! `scripts/tools.sh` installs `garage` when it is missing (the README's test command does).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// The node and how to reach it.
pub struct Garage {
    config: PathBuf,
    pub endpoint: String,
    pub key_id: String,
    pub secret: String,
    // Kept open: when the test process exits, the pipe closes and the wrapper shell stops
    // the node and removes its directory (no orphan process or file), as for maildev.
    _guard: Mutex<Child>,
}

impl Garage {
    /// A new empty bucket that the key may use, so that tests never see each other's
    /// objects; answers its `STORAGE_URL`.
    pub fn new_bucket(&self) -> String {
        let bucket = format!("pf-{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
        garage(&self.config, &["bucket", "create", &bucket]);
        garage(
            &self.config,
            &[
                "bucket",
                "allow",
                "--read",
                "--write",
                "--owner",
                &bucket,
                "--key",
                &self.key_id,
            ],
        );
        format!("s3://{bucket}")
    }

    /// `object_store` options for the node's buckets (no `AWS_*` environment needed).
    pub fn options(&self) -> Vec<(String, String)> {
        [
            ("aws_endpoint", self.endpoint.as_str()),
            ("aws_access_key_id", self.key_id.as_str()),
            ("aws_secret_access_key", self.secret.as_str()),
            // Must equal the node's `s3_region`.
            ("aws_region", "garage"),
            ("aws_allow_http", "true"),
            ("aws_virtual_hosted_style_request", "false"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn garage_binary() -> PathBuf {
    let cargo_bin = std::env::var("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|_| std::env::var("HOME").map(|h| Path::new(&h).join(".cargo")))
        .map(|home| home.join("bin/garage"));
    match cargo_bin {
        Ok(path) if path.exists() => path,
        _ => PathBuf::from("garage"),
    }
}

/// Runs `garage -c config args…` and answers its standard output.
fn garage(config: &Path, args: &[&str]) -> String {
    let output = Command::new(garage_binary())
        .arg("-c")
        .arg(config)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("garage is missing ({e}): run `cargo install garage --version 2.5.0 --locked` (the README's test command does)")
        });
    assert!(
        output.status.success(),
        "garage {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Retries `garage … args` until the node answers (it takes a moment to start).
fn garage_when_ready(config: &Path, args: &[&str]) -> String {
    let started = Instant::now();
    loop {
        let output = Command::new(garage_binary())
            .arg("-c")
            .arg(config)
            .args(args)
            .output()
            .expect("run garage");
        if output.status.success() {
            return String::from_utf8_lossy(&output.stdout).into_owned();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "garage did not start: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// The value after `label` on one of `text`'s lines (« Key ID: GK… »).
fn field(text: &str, label: &str) -> String {
    text.lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .map(|rest| rest.trim().to_string())
        .unwrap_or_else(|| panic!("no « {label} » in {text}"))
}

/// Whether the admin API's `/health` answers 200 (a plain HTTP/1.0 request: the blocking
/// start-up cannot use the async client).
fn healthy(admin_port: u16) -> bool {
    use std::io::Read;
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", admin_port)) else {
        return false;
    };
    let mut answer = String::new();
    stream
        .write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .and_then(|()| stream.read_to_string(&mut answer))
        .is_ok()
        && (answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200"))
}

/// The shared node.
pub static GARAGE: LazyLock<Garage> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("pf-garage-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("garage dir");
    let (s3, rpc, admin) = (free_port(), free_port(), free_port());
    let config = dir.join("garage.toml");
    let secret: String = (0..2)
        .map(|_| uuid::Uuid::new_v4().simple().to_string())
        .collect();
    std::fs::write(
        &config,
        format!(
            r#"metadata_dir = "{dir}/meta"
data_dir = "{dir}/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc}"
rpc_public_addr = "127.0.0.1:{rpc}"
rpc_secret = "{secret}"

[s3_api]
s3_region = "garage"
api_bind_addr = "127.0.0.1:{s3}"
root_domain = ".s3.garage.localhost"

[admin]
api_bind_addr = "127.0.0.1:{admin}"
"#,
            dir = dir.display()
        ),
    )
    .expect("garage config");
    let script = format!(
        "'{}' -c '{}' server >'{dir}/log' 2>&1 & pid=$!; cat >/dev/null; kill $pid; wait $pid; rm -rf '{dir}'",
        garage_binary().display(),
        config.display(),
        dir = dir.display()
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .spawn()
        .expect("start garage");
    let _ = child.stdin.as_mut().map(|s| s.flush());

    let node = garage_when_ready(&config, &["node", "id", "-q"]);
    let node = node.trim().split('@').next().expect("node id").to_string();
    // The node's id is read from its files, possibly before its RPC port listens: the
    // first command that needs the node waits for it too.
    garage_when_ready(
        &config,
        &["layout", "assign", "-z", "dc1", "-c", "1G", &node],
    );
    garage(&config, &["layout", "apply", "--version", "1"]);
    let key = garage_when_ready(&config, &["key", "create", "portail-famille-tests"]);
    let (key_id, secret) = (field(&key, "Key ID:"), field(&key, "Secret key:"));
    // The S3 API answers once the layout is in force.
    let started = Instant::now();
    while !healthy(admin) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "garage is not healthy: see {}/log",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    Garage {
        config,
        endpoint: format!("http://127.0.0.1:{s3}"),
        key_id,
        secret,
        _guard: Mutex::new(child),
    }
});
