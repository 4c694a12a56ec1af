//! One task per family, as described in the crate's documentation.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;
use reqwest::{Client, Response, StatusCode, header};
use shared::api::activites::{
    ActiviteList, EligibiliteList, InscriptionList, InscriptionStatut, InscriptionView,
};
use shared::api::auth::TokenResponse;
use uuid::Uuid;

use crate::Config;
use crate::report::{Latencies, PeriodeCount, Report};

/// The server's clock as this process sees it: `server = local + offset`.
#[derive(Clone, Copy)]
struct ServerClock {
    offset: chrono::Duration,
}

impl ServerClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }

    /// How long until `at` on the server's clock.
    fn until(&self, at: DateTime<Utc>) -> Duration {
        (at - self.now()).to_std().unwrap_or(Duration::ZERO)
    }
}

/// What every family task shares.
struct Shared {
    config: Config,
    opening: DateTime<Utc>,
    periodes: Vec<Uuid>,
    clock: ServerClock,
}

/// One family's browser: its own connections, kept alive between its requests as a
/// browser keeps them (a family waiting on the page does not reconnect at the opening).
struct Browser {
    shared: Arc<Shared>,
    client: Client,
}

impl std::ops::Deref for Browser {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.shared
    }
}

/// An HTTP client as a browser is one: compressed answers accepted, idle connections kept a
/// minute. The server closes them sooner (`KEEP_ALIVE_SECONDS`, 10 by default), so a family
/// sometimes sends on a connection the server is closing, and retries as a browser does.
fn browser_client(config: &Config) -> reqwest::Result<Client> {
    Client::builder()
        .timeout(config.request_timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
}

/// One family's signed-in session, refreshed before its access token expires (as the SPA
/// does).
struct Session {
    username: String,
    token: String,
    expires: Instant,
    refresh_cookie: Option<String>,
}

/// What one family saw.
#[derive(Default)]
struct Outcome {
    children: usize,
    login: Option<Duration>,
    login_at: Option<Instant>,
    login_retries: usize,
    relogins: usize,
    catalogue: Latencies,
    catalogue_during_rush: Latencies,
    catalogue_unavailable: usize,
    enrolments: Latencies,
    acknowledged: Vec<(InscriptionView, Instant)>,
    unavailable: usize,
    lost: usize,
    errors: Vec<String>,
    missing: usize,
}

fn url(shared: &Shared, path: &str) -> String {
    format!("{}{path}", shared.config.base_url.trim_end_matches('/'))
}

/// The pause a 503 or 408 asks for, plus jitter (the turned-away do not all come back in
/// the same instant). Reads the answer to its end, as a browser does: a connection whose
/// answer was left unread cannot carry the next request, and the client would open a new
/// one for each retry.
async fn retry_after(response: Response) -> Duration {
    let seconds = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(2);
    let _ = response.bytes().await;
    Duration::from_secs(seconds) + Duration::from_millis(rand::rng().random_range(0..1000))
}

async fn describe(response: Response) -> String {
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    format!(
        "{} {}",
        status.as_u16(),
        body["code"].as_str().unwrap_or("")
    )
}

fn refresh_cookie_of(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("pf_refresh="))
        .and_then(|v| v.split(';').next())
        .map(str::to_string)
}

/// Whether an answer says the request's own answer was lost, so that sending it again
/// (with the same key) is the thing to do: the server dropped it unread when saturated
/// (408), or the proxy in front lost the server that had it (502, a replica killed; 504).
fn answer_lost(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::REQUEST_TIMEOUT | StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT
    )
}

/// Logs in, retrying a 503 (the hashing queue is full) after its `Retry-After`.
async fn login(shared: &Browser, username: &str, outcome: &mut Outcome) -> Option<Session> {
    loop {
        let started = Instant::now();
        let sent = shared
            .client
            .post(url(shared, "/api/auth/login"))
            .json(&serde_json::json!({"login": username, "password": shared.config.password}))
            .send()
            .await;
        match sent {
            Ok(response) if response.status() == StatusCode::OK => {
                outcome.login = Some(started.elapsed());
                outcome.login_at = Some(Instant::now());
                let refresh_cookie = refresh_cookie_of(&response);
                let body: TokenResponse = response.json().await.ok()?;
                return Some(Session {
                    username: username.to_string(),
                    token: body.access_token,
                    expires: Instant::now() + Duration::from_secs(body.expires_in),
                    refresh_cookie,
                });
            }
            Ok(response) if response.status() == StatusCode::SERVICE_UNAVAILABLE => {
                outcome.login_retries += 1;
                tokio::time::sleep(retry_after(response).await).await;
            }
            Ok(response) if answer_lost(response.status()) => {
                outcome.lost += 1;
                tokio::time::sleep(retry_after(response).await).await;
            }
            Ok(response) => {
                outcome
                    .errors
                    .push(format!("login: {}", describe(response).await));
                return None;
            }
            Err(_) => {
                outcome.lost += 1;
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// How many times a refresh is sent again after its answer was lost: the server accepts
/// the same cookie again within its reuse grace (10 s), so an answer lost to a client-side
/// timeout does not end the session.
const REFRESH_ATTEMPTS: usize = 3;

/// A fresh access token when this one ends within a minute (or `force`d, after a 401). A
/// refresh refused (401: the session ended) sends the family to log in again, as the SPA
/// does; a 503 is retried after its `Retry-After`, a lost answer at once with the same
/// cookie.
async fn keep_fresh(shared: &Browser, session: &mut Session, outcome: &mut Outcome, force: bool) {
    if !force && session.expires > Instant::now() + Duration::from_secs(60) {
        return;
    }
    let Some(cookie) = session.refresh_cookie.clone() else {
        return;
    };
    for _ in 0..REFRESH_ATTEMPTS {
        let sent = shared
            .client
            .post(url(shared, "/api/auth/refresh"))
            .header(header::COOKIE, &cookie)
            .json(&serde_json::json!({}))
            .send()
            .await;
        match sent {
            Ok(response) if response.status() == StatusCode::OK => {
                session.refresh_cookie =
                    refresh_cookie_of(&response).or(session.refresh_cookie.take());
                if let Ok(body) = response.json::<TokenResponse>().await {
                    session.token = body.access_token;
                    session.expires = Instant::now() + Duration::from_secs(body.expires_in);
                }
                return;
            }
            Ok(response) if response.status() == StatusCode::SERVICE_UNAVAILABLE => {
                tokio::time::sleep(retry_after(response).await).await;
            }
            Ok(response) if response.status() == StatusCode::UNAUTHORIZED => break,
            Ok(response) => {
                outcome
                    .errors
                    .push(format!("refresh: {}", describe(response).await));
                return;
            }
            Err(_) => outcome.lost += 1,
        }
    }
    // The session is over (or its refreshes kept getting lost): log in again.
    outcome.relogins += 1;
    let username = session.username.clone();
    if let Some(fresh) = login(shared, &username, outcome).await {
        *session = fresh;
    }
}

/// Reads the catalogue (revalidating with its `ETag`); answers the new `ETag`.
async fn read_catalogue(
    shared: &Browser,
    etag: Option<String>,
    outcome: &mut Outcome,
) -> Option<String> {
    let started = Instant::now();
    let mut request = shared.client.get(url(shared, "/api/activites"));
    if let Some(etag) = &etag {
        request = request.header(header::IF_NONE_MATCH, etag);
    }
    match request.send().await {
        Ok(response)
            if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED =>
        {
            let fresh = response
                .headers()
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let _ = response.bytes().await;
            let took = started.elapsed();
            outcome.catalogue.push(took);
            if shared.clock.now() >= shared.opening {
                outcome.catalogue_during_rush.push(took);
            }
            fresh.or(etag)
        }
        // Not an error of the page: it reads the catalogue again at its next turn (and
        // the plain run checks that it never had to).
        Ok(response)
            if response.status() == StatusCode::SERVICE_UNAVAILABLE
                || answer_lost(response.status()) =>
        {
            outcome.catalogue_unavailable += 1;
            etag
        }
        Ok(response) => {
            outcome
                .errors
                .push(format!("catalogue: {}", describe(response).await));
            etag
        }
        Err(_) => {
            outcome.lost += 1;
            etag
        }
    }
}

/// Sends one enrolment until it is answered: a 503 is retried after `Retry-After`, a lost
/// connection at once, both with the same key.
async fn enrol(
    shared: &Browser,
    session: &mut Session,
    periode: Uuid,
    child: Uuid,
    outcome: &mut Outcome,
) {
    let key = Uuid::new_v4().to_string();
    let body = serde_json::json!({"periode_id": periode, "enfant_id": child});
    // After a 401 (the access token ended, or the session was revoked) the token is renewed
    // before the same enrolment is sent again, once; a second 401 is an error.
    let (mut stale, mut renewed) = (false, false);
    loop {
        // A long rush outlives an access token: refresh it as the SPA does.
        keep_fresh(shared, session, outcome, std::mem::take(&mut stale)).await;
        let token = session.token.clone();
        let started = Instant::now();
        let sent = shared
            .client
            .post(url(shared, "/api/inscriptions"))
            .bearer_auth(&token)
            .header("idempotency-key", &key)
            .json(&body)
            .send()
            .await;
        match sent {
            Ok(response) if response.status() == StatusCode::SERVICE_UNAVAILABLE => {
                outcome.unavailable += 1;
                tokio::time::sleep(retry_after(response).await).await;
            }
            Ok(response) if answer_lost(response.status()) => {
                outcome.lost += 1;
                tokio::time::sleep(retry_after(response).await).await;
            }
            Ok(response) if response.status() == StatusCode::UNAUTHORIZED && !renewed => {
                (stale, renewed) = (true, true);
            }
            Ok(response) if response.status() == StatusCode::CREATED => {
                outcome.enrolments.push(started.elapsed());
                match response.json::<InscriptionView>().await {
                    Ok(view) => outcome.acknowledged.push((view, Instant::now())),
                    Err(error) => outcome.errors.push(format!("enrolment body: {error}")),
                }
                return;
            }
            Ok(response) => {
                outcome.enrolments.push(started.elapsed());
                outcome
                    .errors
                    .push(format!("enrolment: {}", describe(response).await));
                return;
            }
            Err(_) => {
                outcome.lost += 1;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

/// When family `index` logs in: a third in the first two thirds of the window, the rest in
/// its last third (most families arrive in the last minutes).
fn login_offset(index: usize, window: Duration) -> Duration {
    let mut rng = rand::rng();
    let fraction: f64 = if index.is_multiple_of(3) {
        rng.random_range(0.0..0.67)
    } else {
        rng.random_range(0.67..0.98)
    };
    window.mul_f64(fraction)
}

async fn family(shared: Arc<Shared>, index: usize, start: Instant) -> Outcome {
    let mut outcome = Outcome::default();
    tokio::time::sleep_until((start + login_offset(index, shared.config.login_window)).into())
        .await;
    // The browser opens when the family arrives (10,000 built at once took seconds of both
    // cores).
    let client = match browser_client(&shared.config) {
        Ok(client) => client,
        Err(error) => {
            outcome.errors.push(format!("HTTP client: {error}"));
            return outcome;
        }
    };
    let shared = Browser { shared, client };
    let username = format!("{}{index:05}", shared.config.prefix);
    let Some(mut session) = login(&shared, &username, &mut outcome).await else {
        return outcome;
    };
    let mut etag = read_catalogue(&shared, None, &mut outcome).await;
    let Some(eligibilities) = read_signed_in::<EligibiliteList>(
        &shared,
        &mut session,
        &mut outcome,
        "/api/inscriptions/eligibilites",
    )
    .await
    else {
        return outcome;
    };
    let children: Vec<Uuid> = eligibilities.enfants.iter().map(|e| e.id).collect();
    outcome.children = children.len();
    // Each child wants one période; some weeks are wanted more than others.
    let choices: Vec<(Uuid, Uuid)> = children
        .iter()
        .map(|child| {
            let mut rng = rand::rng();
            let skewed = rng.random_range(0.0f64..1.0).powi(2);
            let at = (skewed * shared.periodes.len() as f64) as usize;
            (shared.periodes[at.min(shared.periodes.len() - 1)], *child)
        })
        .collect();
    // Wait on the page, re-reading it now and then, until the opening by the server's clock.
    loop {
        let left = shared.clock.until(shared.opening);
        if left.is_zero() {
            break;
        }
        let pause = left.min(shared.config.catalogue_every);
        tokio::time::sleep(pause).await;
        keep_fresh(&shared, &mut session, &mut outcome, false).await;
        if !shared.clock.until(shared.opening).is_zero() {
            etag = read_catalogue(&shared, etag, &mut outcome).await;
        }
    }
    // One click: every child's enrolment, one after the other as the SPA sends them.
    for (periode, child) in choices {
        enrol(&shared, &mut session, periode, child, &mut outcome).await;
    }
    // The page again, as a family checks the result.
    read_catalogue(&shared, etag, &mut outcome).await;
    verify(&shared, &mut session, &mut outcome).await;
    outcome
}

/// How many times a family reloads a signed-in page that does not answer (503, a lost
/// connection, an expired token) before it counts as an error.
const RELOADS: usize = 5;

/// The signed-in page at `path`, as a family reloads it until it answers; `None` (with the
/// error recorded) when it never does.
async fn read_signed_in<T: serde::de::DeserializeOwned>(
    shared: &Browser,
    session: &mut Session,
    outcome: &mut Outcome,
    path: &str,
) -> Option<T> {
    let mut stale = false;
    for _ in 0..RELOADS {
        keep_fresh(shared, session, outcome, std::mem::take(&mut stale)).await;
        let listed = shared
            .client
            .get(url(shared, path))
            .bearer_auth(&session.token)
            .send()
            .await;
        match listed {
            Ok(response) if response.status().is_success() => {
                return match response.json::<T>().await {
                    Ok(body) => Some(body),
                    Err(error) => {
                        outcome.errors.push(format!("{path}: {error}"));
                        None
                    }
                };
            }
            Ok(response) if response.status() == StatusCode::SERVICE_UNAVAILABLE => {
                tokio::time::sleep(retry_after(response).await).await;
            }
            Ok(response) if response.status() == StatusCode::UNAUTHORIZED => stale = true,
            Ok(response) if answer_lost(response.status()) => {
                outcome.lost += 1;
                tokio::time::sleep(retry_after(response).await).await;
            }
            Ok(response) => {
                outcome
                    .errors
                    .push(format!("{path}: {}", describe(response).await));
                return None;
            }
            Err(_) => outcome.lost += 1,
        }
    }
    outcome
        .errors
        .push(format!("{path}: no answer after {RELOADS} reloads"));
    None
}

/// Every acknowledged enrolment is in « Mes inscriptions », with the same status or a
/// later one (a place confirmed is never found waiting).
async fn verify(shared: &Browser, session: &mut Session, outcome: &mut Outcome) {
    let Some(list) =
        read_signed_in::<InscriptionList>(shared, session, outcome, "/api/inscriptions").await
    else {
        return;
    };
    let held: HashMap<Uuid, InscriptionStatut> = list
        .items
        .iter()
        .map(|i| (i.inscription.id, i.inscription.statut))
        .collect();
    for (ack, _) in &outcome.acknowledged {
        let consistent = match (ack.statut, held.get(&ack.id)) {
            (_, None) => false,
            (InscriptionStatut::Confirmee, Some(now)) => *now == InscriptionStatut::Confirmee,
            (_, Some(_)) => true,
        };
        if !consistent {
            outcome.missing += 1;
        }
    }
}

/// The server's clock from a response's `Date` header (to the second).
fn clock_from(response: &Response) -> ServerClock {
    let date = response
        .headers()
        .get(header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .map(|d| d.with_timezone(&Utc));
    ServerClock {
        offset: date.map_or(chrono::Duration::zero(), |d| d - Utc::now()),
    }
}

pub async fn run(config: Config) -> anyhow::Result<Report> {
    let client = browser_client(&config)?;
    let response = client
        .get(format!(
            "{}/api/activites",
            config.base_url.trim_end_matches('/')
        ))
        .send()
        .await?
        .error_for_status()?;
    let clock = clock_from(&response);
    let catalogue: ActiviteList = response.json().await?;
    let activity = catalogue
        .items
        .into_iter()
        .find(|a| a.nom.contains(&config.activity))
        .ok_or_else(|| anyhow::anyhow!("no published activité named « {} »", config.activity))?;
    let opening = activity
        .periodes
        .iter()
        .map(|p| p.ouverture)
        .min()
        .ok_or_else(|| anyhow::anyhow!("the activité has no période"))?;
    let periodes: Vec<Uuid> = activity.periodes.iter().map(|p| p.id).collect();
    let families = config.families;
    let login_window = config.login_window;
    let shared = Arc::new(Shared {
        config,
        opening,
        periodes: periodes.clone(),
        clock,
    });
    // The window ends at the opening.
    let opened_at = Instant::now() + clock.until(opening);
    let start = opened_at - login_window.min(clock.until(opening));
    let tasks: Vec<_> = (0..families)
        .map(|index| tokio::spawn(family(shared.clone(), index, start)))
        .collect();
    let mut outcomes = Vec::with_capacity(families);
    for task in tasks {
        outcomes.push(task.await?);
    }
    // The server may serve the catalogue from a snapshot a second old: read it after.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = client
        .get(url(&shared, "/api/activites"))
        .send()
        .await?
        .error_for_status()?
        .json::<ActiviteList>()
        .await?;
    Ok(summarise(outcomes, &after, opened_at, &periodes))
}

fn summarise(
    outcomes: Vec<Outcome>,
    after: &ActiviteList,
    opened_at: Instant,
    periodes: &[Uuid],
) -> Report {
    let mut report = Report {
        families: outcomes.len(),
        ..Report::default()
    };
    let mut login_times = Vec::new();
    let mut acknowledged: Vec<(InscriptionView, Instant)> = Vec::new();
    for outcome in outcomes {
        report.children += outcome.children;
        if let Some(took) = outcome.login {
            report.logins.push(took);
        }
        login_times.extend(outcome.login_at);
        report.login_retries += outcome.login_retries;
        report.relogins += outcome.relogins;
        report.catalogue_reads.extend(outcome.catalogue);
        report
            .catalogue_reads_during_rush
            .extend(outcome.catalogue_during_rush);
        report.catalogue_unavailable += outcome.catalogue_unavailable;
        report.enrolments.extend(outcome.enrolments);
        report.unavailable += outcome.unavailable;
        report.lost += outcome.lost;
        report.missing += outcome.missing;
        for error in outcome.errors {
            *report.errors.entry(error).or_default() += 1;
        }
        acknowledged.extend(outcome.acknowledged);
    }
    login_times.sort();
    let window = Duration::from_secs(10);
    let mut peak = 0;
    let mut from = 0;
    for to in 0..login_times.len() {
        while login_times[to].duration_since(login_times[from]) > window {
            from += 1;
        }
        peak = peak.max(to - from + 1);
    }
    report.peak_logins_per_second = peak as f64 / window.as_secs_f64();
    report.confirmed = acknowledged
        .iter()
        .filter(|(v, _)| {
            matches!(
                v.statut,
                InscriptionStatut::Confirmee | InscriptionStatut::Demandee
            )
        })
        .count();
    report.waiting = acknowledged
        .iter()
        .filter(|(v, _)| v.statut == InscriptionStatut::ListeAttente)
        .count();
    report.rush_lasted = acknowledged
        .iter()
        .map(|(_, at)| at.saturating_duration_since(opened_at))
        .max()
        .unwrap_or_default();
    let shown: HashMap<Uuid, (u32, u32, u32)> = after
        .items
        .iter()
        .flat_map(|a| a.periodes.iter())
        .map(|p| (p.id, (p.capacite, p.places_restantes, p.en_liste_attente)))
        .collect();
    report.periodes = periodes
        .iter()
        .map(|id| {
            let (capacite, places_restantes, en_liste_attente) =
                shown.get(id).copied().unwrap_or_default();
            let acknowledged_places = acknowledged
                .iter()
                .filter(|(v, _)| v.periode_id == *id && v.statut == InscriptionStatut::Confirmee)
                .count();
            PeriodeCount {
                capacite,
                places_restantes,
                en_liste_attente,
                acknowledged_places: u32::try_from(acknowledged_places).unwrap_or(u32::MAX),
            }
        })
        .collect();
    let full = report.periodes.iter().all(|p| p.places_restantes == 0);
    report.all_places_taken_after = full.then(|| {
        acknowledged
            .iter()
            .filter(|(v, _)| v.statut == InscriptionStatut::Confirmee)
            .map(|(_, at)| at.saturating_duration_since(opened_at))
            .max()
            .unwrap_or_default()
    });
    report
}
