//! Malware scanning of stored files by ClamAV (issue 16; SECURITY.md E-07, L-09), when
//! `CLAMD_ADDRESS` names a clamd. Uploads are not held for it: a background job streams
//! each new file from the store to clamd (`INSTREAM`), records the verdict, and alerts on
//! what it finds. Until a file's verdict is « clean » it is served to nobody — family,
//! agent or public — and a file found infected never is (quarantine). With clamd down,
//! files wait and are tried again; nothing is served unscanned.

use std::time::Duration;

use futures_util::StreamExt;

use crate::db::models::account::{Account, role};
use crate::db::models::file_scan::{self, state};
use crate::db::models::{outbox, town};
use crate::db::now;
use crate::documents::storage::Shelf;
use crate::email::templates;
use crate::error::ApiError;
use crate::state::AppState;

/// Files leased per pass, and how long a lease lasts (a server that dies mid-scan lets
/// another take the file after it).
const BATCH: i64 = 8;
const LEASE: chrono::Duration = chrono::Duration::minutes(5);
/// One scan may take this long (clamd on a 10 MiB file takes well under a second).
const SCAN_TIMEOUT: Duration = Duration::from_secs(60);

/// Where clamd listens: `host:port` (TCP) or an absolute path (its Unix socket).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scanner {
    Tcp(String),
    Unix(std::path::PathBuf),
}

/// What clamd said of a file.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The signature it found, e.g. `Eicar-Test-Signature`.
    Infected(String),
}

impl Scanner {
    /// Reads `CLAMD_ADDRESS`: `tcp://host:port`, `host:port`, `unix:///path` or `/path`.
    pub fn parse(address: &str) -> anyhow::Result<Self> {
        let address = address.trim();
        if let Some(path) = address.strip_prefix("unix://") {
            return Ok(Self::Unix(path.into()));
        }
        if address.starts_with('/') {
            return Ok(Self::Unix(address.into()));
        }
        let host = address.strip_prefix("tcp://").unwrap_or(address);
        anyhow::ensure!(
            host.rsplit_once(':')
                .is_some_and(|(name, port)| !name.is_empty() && port.parse::<u16>().is_ok()),
            "CLAMD_ADDRESS must be host:port, tcp://host:port or a socket path, not « {address} »"
        );
        Ok(Self::Tcp(host.to_string()))
    }

    /// Streams `content` to clamd and reads its verdict.
    pub async fn scan(
        &self,
        content: impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>>,
    ) -> anyhow::Result<Verdict> {
        use clamav_client::tokio::{Socket, Tcp, scan_stream};
        let answer = tokio::time::timeout(SCAN_TIMEOUT, async {
            match self {
                Self::Tcp(host_address) => {
                    scan_stream(
                        content,
                        Tcp {
                            host_address: host_address.as_str(),
                        },
                        None,
                    )
                    .await
                }
                Self::Unix(socket_path) => {
                    scan_stream(
                        content,
                        Socket {
                            socket_path: socket_path.as_path(),
                        },
                        None,
                    )
                    .await
                }
            }
        })
        .await
        .map_err(|_| anyhow::anyhow!("clamd did not answer within {SCAN_TIMEOUT:?}"))??;
        parse_answer(&answer)
    }
}

/// clamd's answer to `INSTREAM`: `stream: OK`, `stream: <signature> FOUND`, or an error
/// (`… ERROR`: size limit, unreadable…), which is no verdict.
fn parse_answer(answer: &[u8]) -> anyhow::Result<Verdict> {
    let text = String::from_utf8_lossy(answer);
    let text = text.trim_end_matches(['\0', '\n']).trim();
    let body = text.strip_prefix("stream:").map_or(text, str::trim);
    if body == "OK" {
        Ok(Verdict::Clean)
    } else if let Some(signature) = body.strip_suffix(" FOUND") {
        Ok(Verdict::Infected(signature.trim().to_string()))
    } else {
        anyhow::bail!("clamd gave no verdict: « {text} »")
    }
}

/// Whether a stored file may be sent: always without a scanner; with one, only once
/// found clean. Not scanned yet → 503 with `Retry-After` (it will be soon); infected → 403.
pub async fn ensure_servable(state: &AppState, object_id: &str) -> Result<(), ApiError> {
    if state.scanner.is_none() {
        return Ok(());
    }
    let id = object_id.to_string();
    let found = state
        .read(move |conn| Ok(file_scan::find(conn, &id)?))
        .await?;
    match found {
        Some((verdict, _)) if verdict == state::CLEAN => Ok(()),
        Some((verdict, _)) if verdict == state::INFECTED => Err(ApiError::Quarantined),
        _ => Err(ApiError::not_scanned_yet()),
    }
}

/// One pass: leases due files and scans each. Answers how many got a verdict.
pub async fn scan_due(state: &AppState, scanner: &Scanner) -> anyhow::Result<usize> {
    let clock = state.clock.clone();
    let claimed = state
        .write(move |conn| {
            let now = clock.now(conn)?;
            Ok(file_scan::claim_due(conn, now, now + LEASE, BATCH)?)
        })
        .await
        .map_err(|e| anyhow::anyhow!("claiming files to scan: {e}"))?;
    let mut decided = 0;
    for due in claimed {
        let shelf = if due.shelf == file_scan::DOCUMENTS {
            Shelf::Documents
        } else {
            Shelf::Pieces
        };
        let outcome = match state.storage.get(shelf, &due.object_id).await {
            Ok(content) => scanner.scan(content.boxed()).await,
            Err(error) => Err(error),
        };
        let id = due.object_id.clone();
        match outcome {
            Ok(verdict) => {
                decided += 1;
                let found = match &verdict {
                    Verdict::Clean => None,
                    Verdict::Infected(signature) => Some(signature.clone()),
                };
                let (base, shelf_name) = (state.public_url.clone(), due.shelf.clone());
                let infected = found.is_some();
                state
                    .write(move |conn| {
                        file_scan::record_verdict(conn, &id, found.as_deref(), now())?;
                        if let Some(signature) = &found {
                            quarantine_alerts(conn, &id, &shelf_name, signature, &base)?;
                        }
                        Ok(())
                    })
                    .await
                    .map_err(|e| anyhow::anyhow!("recording a verdict: {e}"))?;
                if infected {
                    // The alerts were queued: send them now, not at the next poll.
                    state.outbox_wake.notify_one();
                }
            }
            Err(error) => {
                tracing::warn!(file = %due.object_id, error = format!("{error:#}"), "a file could not be scanned; it waits");
                let clock = state.clock.clone();
                state
                    .write(move |conn| {
                        let now = clock.now(conn)?;
                        Ok(file_scan::record_failure(conn, &id, now)?)
                    })
                    .await
                    .map_err(|e| anyhow::anyhow!("recording a failed scan: {e}"))?;
            }
        }
    }
    Ok(decided)
}

/// Tells of a quarantined file: an error log line (`alert=malware`) for monitoring, an
/// email to every administrator, and for a piece an email to the account that gave it.
fn quarantine_alerts(
    conn: &mut crate::db::DbConn,
    object_id: &str,
    shelf: &str,
    signature: &str,
    base: &str,
) -> Result<(), ApiError> {
    tracing::error!(alert = "malware", file = %object_id, shelf, signature, "a stored file is infected: quarantined");
    let town = town::current(conn)?.name;
    let link = format!("{base}/backoffice/administration");
    for admin in Account::staff(conn)?
        .into_iter()
        .filter(|a| a.role == role::ADMINISTRATEUR && a.is_active())
    {
        let email =
            templates::malware_alert(&admin.email, &town, shelf, object_id, signature, &link);
        outbox::enqueue(conn, &email, now())?;
    }
    if shelf == file_scan::PIECES
        && let Some((name, Some(account_id))) =
            crate::db::models::piece::file_owner(conn, object_id)?
    {
        let family = Account::find(conn, &account_id)?;
        let email = templates::malware_found(
            &family.email,
            &family.username,
            &town,
            &name,
            &format!("{base}/demarches"),
        );
        outbox::enqueue(conn, &email, now())?;
    }
    Ok(())
}

/// Scans what is due every `every`, for as long as the server runs.
pub async fn run(state: actix_web::web::Data<AppState>, scanner: Scanner, every: Duration) {
    let mut interval = tokio::time::interval(every);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        match scan_due(&state, &scanner).await {
            Ok(count) => {
                crate::monitoring::record_job_success("malware_scan");
                if count > 0 {
                    tracing::info!(count, "files scanned");
                }
            }
            Err(error) => {
                tracing::warn!(error = format!("{error:#}"), "malware scanning pass failed")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clamd_answers_are_read_as_verdicts_or_as_no_verdict() {
        assert_eq!(parse_answer(b"stream: OK\0").ok(), Some(Verdict::Clean));
        assert_eq!(
            parse_answer(b"stream: Eicar-Test-Signature FOUND\0").ok(),
            Some(Verdict::Infected("Eicar-Test-Signature".into()))
        );
        assert!(parse_answer(b"INSTREAM size limit exceeded. ERROR\0").is_err());
        assert!(parse_answer(b"").is_err());
    }

    #[test]
    fn addresses_are_tcp_or_a_socket_path() {
        assert_eq!(
            Scanner::parse("clamav:3310").ok(),
            Some(Scanner::Tcp("clamav:3310".into()))
        );
        assert_eq!(
            Scanner::parse("tcp://127.0.0.1:3310").ok(),
            Some(Scanner::Tcp("127.0.0.1:3310".into()))
        );
        assert_eq!(
            Scanner::parse("unix:///run/clamav/clamd.ctl").ok(),
            Some(Scanner::Unix("/run/clamav/clamd.ctl".into()))
        );
        assert!(Scanner::parse("clamav").is_err());
    }
}
