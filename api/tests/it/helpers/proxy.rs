//! HAProxy from Debian in front of server processes, configured by the production file
//! itself (`deploy/haproxy.cfg`) with only its addresses changed: the tests check the
//! configuration that ships. `scripts/tools.sh` installs `haproxy` when it is missing.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::test_db::tempdir::TempDir;

pub struct Proxy {
    child: Child,
    pub base: String,
    _dir: TempDir,
}

/// `deploy/haproxy.cfg` listening on `port` of loopback, sending to `servers` (ports).
fn configuration(port: u16, servers: &[u16]) -> String {
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../deploy/haproxy.cfg"
    ))
    .expect("deploy/haproxy.cfg");
    let mut lines: Vec<String> = Vec::new();
    for line in shipped.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("server ") {
            continue;
        } else if trimmed.starts_with("bind ") {
            lines.push(format!("    bind 127.0.0.1:{port}"));
        } else if trimmed.starts_with("maxconn ") {
            // The test process's open-files limit, not a production server's.
            lines.push("    maxconn 1000".into());
        } else {
            lines.push(line.to_string());
        }
    }
    for (index, server) in servers.iter().enumerate() {
        lines.push(format!(
            "    server api{} 127.0.0.1:{server} check",
            index + 1
        ));
    }
    lines.join("\n") + "\n"
}

impl Proxy {
    /// Starts HAProxy on `port` and waits until it accepts connections.
    pub async fn start_on(port: u16, servers: &[u16]) -> Self {
        let dir = TempDir(
            std::env::temp_dir().join(format!("pf-proxy-{}", uuid::Uuid::new_v4().simple())),
        );
        std::fs::create_dir_all(&dir.0).expect("proxy directory");
        let config = dir.0.join("haproxy.cfg");
        std::fs::write(&config, configuration(port, servers)).expect("write the configuration");
        let child = Command::new("haproxy")
            .arg("-f")
            .arg(&config)
            .arg("-db")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("HAProxy (scripts/tools.sh installs it: apt-get install haproxy)");
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "HAProxy did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            _dir: dir,
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
