//! A PostgreSQL server of the test's own (Debian's binaries, a fresh data directory, a free
//! port), for the faults that cannot touch the machine's shared server: restarting it in
//! the middle of a load (SECURITY.md L-04), or dumping and restoring into it (G-08).
//! Stopped and removed on drop.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::running_as_root;

pub struct PrivatePostgres {
    dir: PathBuf,
    bin: PathBuf,
    pub port: u16,
}

/// Debian's newest PostgreSQL binaries (`/usr/lib/postgresql/<version>/bin`).
pub fn binaries() -> PathBuf {
    let mut versions: Vec<u32> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL's binaries in /usr/lib/postgresql")
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|v| v.parse().ok()))
        .collect();
    versions.sort_unstable();
    let newest = versions.last().expect("a PostgreSQL version");
    PathBuf::from(format!("/usr/lib/postgresql/{newest}/bin"))
}

/// Runs a server binary as the `postgres` user when the tests run as root (PostgreSQL
/// refuses to run as root), as the current user otherwise.
fn as_server_user(program: &Path) -> Command {
    if running_as_root() {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn checked(what: &str, output: std::io::Result<Output>) {
    let output = output.unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

impl PrivatePostgres {
    /// Creates and starts a server with trust authentication on 127.0.0.1 only.
    pub fn start() -> Self {
        let dir = std::env::temp_dir().join(format!("pf-pg-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("data directory");
        if running_as_root() {
            checked(
                "chown",
                Command::new("chown").args(["postgres:"]).arg(&dir).output(),
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let bin = binaries();
        checked(
            "initdb",
            as_server_user(&bin.join("initdb"))
                .args(["-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"])
                .arg("-D")
                .arg(dir.join("data"))
                .output(),
        );
        let server = Self { dir, bin, port };
        server.pg_ctl(&["start", "-w"]);
        server
    }

    fn pg_ctl(&self, action: &[&str]) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync=off",
            self.port,
            self.dir.display()
        );
        checked(
            &format!("pg_ctl {action:?}"),
            as_server_user(&self.bin.join("pg_ctl"))
                .args(action)
                .args(["-m", "fast", "-t", "60", "-o", &options])
                .arg("-D")
                .arg(self.dir.join("data"))
                .arg("-l")
                .arg(self.dir.join("log"))
                .output(),
        );
    }

    /// `pg_ctl restart -m fast`: sessions are cut, the server is back once it accepts again.
    pub fn restart(&self) {
        self.pg_ctl(&["restart", "-w"]);
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates database `name` (empty).
    pub fn create_database(&self, name: &str) {
        checked(
            "createdb",
            Command::new(self.bin.join("createdb"))
                .args(["-h", "127.0.0.1", "-U", "postgres", "-p"])
                .arg(self.port.to_string())
                .arg(name)
                .output(),
        );
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = as_server_user(&self.bin.join("pg_ctl"))
            .args(["stop", "-m", "immediate", "-D"])
            .arg(self.dir.join("data"))
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
