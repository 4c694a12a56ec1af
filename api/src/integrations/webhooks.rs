//! Webhooks: what the town's software is told when something happens, written with the
//! change (the outbox in [`crate::db::models::webhook`]) and delivered here.
//!
//! - **Signed** as the Standard Webhooks specification says: `webhook-id` (the delivery's
//!   id, the same on every retry: receivers de-duplicate on it), `webhook-timestamp`
//!   (seconds) and `webhook-signature` (`v1,` + base64 HMAC-SHA256 of
//!   `id.timestamp.body` with the subscription's `whsec_` secret). [`verify`] is the
//!   receiver's side, with the replay window.
//! - **At least once**: retried with backoff ([`retry_at`]) for three days, then given up,
//!   the subscription paused and its contact emailed.
//! - **No SSRF** ([`target`]): only `https://`, and the host must resolve to public
//!   addresses only — checked at each delivery (a DNS answer may change), the connection
//!   pinned to the address checked, redirects not followed, short timeouts.
//!   `WEBHOOK_ALLOW_HTTP_LOOPBACK` lets `http://127.0.0.1` through, for local development
//!   and tests only.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// How long a receiver accepts a timestamp away from its clock (the replay window).
pub const TOLERANCE: Duration = Duration::from_secs(300);
/// Deliveries are retried this long after the event, then given up.
pub const GIVE_UP_AFTER: chrono::Duration = chrono::Duration::days(3);
/// Waits before each retry (the last one repeats): about a dozen attempts over three days.
const BACKOFF_SECONDS: [i64; 6] = [5, 300, 1_800, 7_200, 18_000, 36_000];
/// What a receiver may take to answer.
const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A new signing secret: `whsec_` and 32 random bytes in base64.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("whsec_{}", STANDARD.encode(bytes))
}

fn mac(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<Hmac<Sha256>> {
    let key = STANDARD.decode(secret.strip_prefix("whsec_")?).ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    Some(mac)
}

/// The `webhook-signature` header of `body`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> anyhow::Result<String> {
    let mac = mac(secret, id, timestamp, body)
        .ok_or_else(|| anyhow::anyhow!("a webhook secret is not a whsec_ secret"))?;
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// Why a receiver refuses a message.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// The timestamp is not a number, or further than [`TOLERANCE`] from `now` (a replay).
    Timestamp,
    /// No `v1` signature matches.
    Signature,
}

/// The receiver's check: the timestamp within [`TOLERANCE`] of `now` (seconds), and one of
/// the space-separated `v1,` signatures right (compared in constant time).
pub fn verify(
    secret: &str,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
) -> Result<(), Refused> {
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| Refused::Timestamp)?;
    if timestamp.abs_diff(now) > TOLERANCE.as_secs() {
        return Err(Refused::Timestamp);
    }
    let matches = signatures.split(' ').any(|candidate| {
        let Some(encoded) = candidate.strip_prefix("v1,") else {
            return false;
        };
        let (Ok(given), Some(mac)) = (STANDARD.decode(encoded), mac(secret, id, timestamp, body))
        else {
            return false;
        };
        mac.verify_slice(&given).is_ok()
    });
    if matches {
        Ok(())
    } else {
        Err(Refused::Signature)
    }
}

/// When to try again after `attempts` failed attempts of an event written at `created_at`;
/// `None` once three days have passed: the delivery is given up.
pub fn retry_at(
    created_at: NaiveDateTime,
    attempts: i32,
    now: NaiveDateTime,
) -> Option<NaiveDateTime> {
    if now - created_at >= GIVE_UP_AFTER {
        return None;
    }
    let index = usize::try_from(attempts.max(1) - 1)
        .unwrap_or(0)
        .min(BACKOFF_SECONDS.len() - 1);
    Some(now + chrono::Duration::seconds(BACKOFF_SECONDS[index]))
}

/// An address no webhook may reach: loopback, private, link-local (the cloud metadata
/// service lives there), shared, multicast, unspecified, reserved — IPv4 or IPv6.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
                || (a == 198 && (18..20).contains(&b)) // benchmarking
                || a >= 240 // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_forbidden(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local (and fd00:ec2::254, metadata)
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
                || first == 0x0064 && v6.segments()[1] == 0xff9b // NAT64 of IPv4 addresses
        }
    }
}

/// Where a delivery may go: the URL and the one address it connects to.
#[derive(Debug)]
pub struct Target {
    pub url: url::Url,
    pub host: String,
    pub address: SocketAddr,
}

/// Checks `url` when a subscription is made: its form only (it is resolved at delivery).
pub fn check_url(url: &str, allow_http_loopback: bool) -> Result<url::Url, String> {
    let parsed = url::Url::parse(url).map_err(|_| "adresse invalide".to_string())?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err("l'adresse ne doit pas contenir d'identifiants".into());
    }
    match (parsed.scheme(), parsed.host_str()) {
        ("https", Some(_)) => Ok(parsed),
        ("http", Some("127.0.0.1")) if allow_http_loopback => Ok(parsed),
        _ => Err("l'adresse doit commencer par https://".into()),
    }
}

/// Resolves `url` and refuses it unless every address is allowed (a mixed answer is how
/// DNS rebinding slips a private address in).
pub async fn target(url: &str, allow_http_loopback: bool) -> Result<Target, String> {
    let url = check_url(url, allow_http_loopback)?;
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let loopback_allowed = allow_http_loopback && url.scheme() == "http";
    let addresses: Vec<SocketAddr> = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(ip.into(), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(ip.into(), port)],
        _ => tokio::time::timeout(
            CONNECT_TIMEOUT,
            tokio::net::lookup_host((host.as_str(), port)),
        )
        .await
        .map_err(|_| format!("{host} : résolution trop lente"))?
        .map_err(|e| format!("{host} : introuvable ({e})"))?
        .collect(),
    };
    let Some(first) = addresses.first().copied() else {
        return Err(format!("{host} : aucune adresse"));
    };
    let allowed =
        |a: &SocketAddr| !is_forbidden(a.ip()) || (loopback_allowed && a.ip().is_loopback());
    if let Some(bad) = addresses.iter().find(|a| !allowed(a)) {
        return Err(format!(
            "{host} désigne une adresse interdite ({}) : réseau privé, boucle locale ou métadonnées",
            bad.ip()
        ));
    }
    Ok(Target {
        url,
        host,
        address: first,
    })
}

/// What one attempt gave.
pub struct Outcome {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// Posts `body` to the subscription's URL, signed, connecting only to the address checked.
pub async fn send(
    url: &str,
    allow_http_loopback: bool,
    secret: &str,
    delivery_id: &str,
    body: &str,
    now: i64,
) -> Outcome {
    let started = Instant::now();
    let result = async {
        let target = target(url, allow_http_loopback).await?;
        let signature =
            sign(secret, delivery_id, now, body.as_bytes()).map_err(|e| e.to_string())?;
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .resolve(&target.host, target.address)
            .build()
            .map_err(|e| e.to_string())?;
        let response = client
            .post(target.url)
            .header("content-type", "application/json")
            .header("user-agent", "Portail-Famille-Webhooks/1")
            .header("webhook-id", delivery_id)
            .header("webhook-timestamp", now.to_string())
            .header("webhook-signature", signature)
            .body(body.to_string())
            .send()
            .await
            .map_err(|e| format!("{e:#}"))?;
        Ok::<u16, String>(response.status().as_u16())
    }
    .await;
    let elapsed = started.elapsed();
    match result {
        Ok(status) if (200..300).contains(&status) => Outcome {
            status: Some(status),
            error: None,
            elapsed,
        },
        Ok(status) => Outcome {
            status: Some(status),
            error: Some(format!("réponse HTTP {status}")),
            elapsed,
        },
        Err(error) => Outcome {
            status: None,
            error: Some(error),
            elapsed,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_and_a_replay_or_a_forgery_does_not() {
        let secret = new_secret();
        let body = br#"{"type":"demande.validee"}"#;
        let signature = sign(&secret, "msg_1", 1_700_000_000, body).expect("sign");
        assert!(signature.starts_with("v1,"));
        assert_eq!(
            verify(
                &secret,
                "msg_1",
                "1700000000",
                &signature,
                body,
                1_700_000_100
            ),
            Ok(())
        );
        // Several signatures (a rotation): one right is enough.
        let both = format!("v1,AAAA {signature}");
        assert_eq!(
            verify(&secret, "msg_1", "1700000000", &both, body, 1_700_000_000),
            Ok(())
        );
        // An old message replayed, a changed body, another id, another secret.
        assert_eq!(
            verify(
                &secret,
                "msg_1",
                "1700000000",
                &signature,
                body,
                1_700_000_301
            ),
            Err(Refused::Timestamp)
        );
        assert_eq!(
            verify(
                &secret,
                "msg_1",
                "1700000000",
                &signature,
                b"{}",
                1_700_000_000
            ),
            Err(Refused::Signature)
        );
        assert_eq!(
            verify(
                &secret,
                "msg_2",
                "1700000000",
                &signature,
                body,
                1_700_000_000
            ),
            Err(Refused::Signature)
        );
        assert_eq!(
            verify(
                &new_secret(),
                "msg_1",
                "1700000000",
                &signature,
                body,
                1_700_000_000
            ),
            Err(Refused::Signature)
        );
        assert_eq!(
            verify(&secret, "msg_1", "hier", &signature, body, 1_700_000_000),
            Err(Refused::Timestamp)
        );
    }

    #[test]
    fn the_standard_webhooks_example_signs_the_same() {
        // The specification's example (standard-webhooks/spec, « Signature scheme »).
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        let signature =
            sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1_614_265_330, body).expect("sign");
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_refused() {
        for forbidden in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(is_forbidden(forbidden.parse().expect("ip")), "{forbidden}");
        }
        for allowed in [
            "93.184.216.34",
            "2606:2800:220:1:248:1893:25c8:1946",
            "8.8.8.8",
        ] {
            assert!(!is_forbidden(allowed.parse().expect("ip")), "{allowed}");
        }
    }

    #[test]
    fn only_https_urls_are_subscribed_unless_loopback_http_is_allowed() {
        assert!(check_url("https://erp.mairie.example/hooks", false).is_ok());
        assert!(check_url("http://erp.mairie.example/hooks", false).is_err());
        assert!(check_url("http://127.0.0.1:9000/hooks", false).is_err());
        assert!(check_url("http://127.0.0.1:9000/hooks", true).is_ok());
        assert!(check_url("http://localhost:9000/hooks", true).is_err());
        assert!(check_url("https://user:pw@erp.mairie.example/", false).is_err());
        assert!(check_url("ftp://erp.mairie.example/", false).is_err());
        assert!(check_url("pas une adresse", false).is_err());
    }

    #[tokio::test]
    async fn a_host_resolving_to_a_private_address_is_refused_at_delivery() {
        // `localhost` resolves to loopback: refused over https, whatever the setting.
        let refused = target("https://localhost/hooks", true).await;
        assert!(refused.is_err_and(|e| e.contains("adresse interdite")));
        for url in [
            "https://169.254.169.254/latest/meta-data/",
            "https://10.0.0.1/hooks",
            "https://[::1]/hooks",
            "https://[fd00:ec2::254]/",
        ] {
            let refused = target(url, true).await;
            assert!(
                refused.is_err_and(|e| e.contains("adresse interdite")),
                "{url}"
            );
        }
    }

    #[test]
    fn retries_back_off_and_stop_after_three_days() {
        let created = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .expect("date");
        let first = retry_at(created, 1, created).expect("retry");
        assert_eq!((first - created).num_seconds(), 5);
        let later = retry_at(created, 9, created + chrono::Duration::hours(50)).expect("retry");
        assert_eq!(
            (later - created - chrono::Duration::hours(50)).num_hours(),
            10
        );
        assert_eq!(
            retry_at(created, 12, created + chrono::Duration::hours(72)),
            None
        );
    }
}
