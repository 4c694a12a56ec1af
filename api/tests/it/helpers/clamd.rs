//! A real ClamAV daemon for the scanning tests: Debian's `clamd`, started once per test
//! process in a temporary directory on a free port. Its signature download is unreachable
//! here, so its database is one local signature written by the harness: the EICAR test
//! string, found anywhere in a file (`.ndb` body signature). `scripts/tools.sh` installs
//! `clamav-daemon` when it is missing.

use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// The industry's harmless test string: every antivirus reports it as a virus.
pub const EICAR: &str = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// The daemon and where it listens.
pub struct Clamd {
    pub port: u16,
    // Kept open: when the test process exits, the pipe closes and the wrapper shell stops
    // clamd and removes its directory.
    _guard: Mutex<Child>,
}

/// Whether clamd answers `PING` with `PONG`.
fn answers(port: u16) -> bool {
    use std::io::Read;
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let mut answer = Vec::new();
    stream.write_all(b"zPING\0").is_ok()
        && stream.read_to_end(&mut answer).is_ok()
        && answer.starts_with(b"PONG")
}

pub static CLAMD: LazyLock<Clamd> = LazyLock::new(|| {
    let dir = std::env::temp_dir().join(format!("pf-clamd-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(dir.join("db")).expect("clamd dir");
    std::fs::write(
        dir.join("db/portail-test.ndb"),
        format!("Portail.Test.EICAR:0:*:{}\n", hex::encode(EICAR)),
    )
    .expect("signature");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let config = dir.join("clamd.conf");
    std::fs::write(
        &config,
        format!(
            "Foreground yes\nDatabaseDirectory {db}\nTCPSocket {port}\nTCPAddr 127.0.0.1\nLogFile {dir}/clamd.log\nStreamMaxLength 20M\n",
            db = dir.join("db").display(),
            dir = dir.display()
        ),
    )
    .expect("clamd config");
    // Debian puts it in /usr/sbin, which a user's PATH may not hold.
    let clamd = if std::path::Path::new("/usr/sbin/clamd").exists() {
        "/usr/sbin/clamd"
    } else {
        "clamd"
    };
    let script = format!(
        "'{clamd}' -c '{}' >'{dir}/out' 2>&1 & pid=$!; cat >/dev/null; kill $pid; wait $pid; rm -rf '{dir}'",
        config.display(),
        dir = dir.display()
    );
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::piped())
        .spawn()
        .expect("start clamd (scripts/tools.sh installs clamav-daemon)");
    let _ = child.stdin.as_mut().map(|s| s.flush());
    let started = Instant::now();
    while !answers(port) {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "clamd did not start: see {}/out",
            dir.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Clamd {
        port,
        _guard: Mutex::new(child),
    }
});
