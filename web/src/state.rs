//! The signed-in session, shared through Leptos context.
//!
//! The access token lives only in a signal (memory): never in localStorage, sessionStorage
//! or IndexedDB. A reload restores the session through the HttpOnly refresh cookie
//! (`POST /api/auth/refresh`). Timers here keep the token fresh while the user is active and
//! raise the « Votre session va expirer » warning before the idle timeout.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::account::MeResponse;
use shared::api::auth::TokenResponse;
use shared::api::content::TownResponse;

use crate::api;

/// Where the session stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// The app just started and is asking the refresh cookie for a token.
    Restoring,
    /// Nobody is signed in.
    Anonymous,
    /// A valid access token is in memory.
    Authenticated,
}

/// How long before the idle timeout the expiry warning opens (at most; see [`lead`]).
const WARNING_LEAD_MS: f64 = 60_000.0;
/// How long before the access token expires an active user's token is refreshed (at most).
const REFRESH_LEAD_MS: f64 = 60_000.0;

/// A lead time that stays a fraction of short lifetimes, so that a server configured with
/// very short tokens is not asked for a refresh on every tick.
fn lead(max_ms: f64, lifetime_ms: f64, fraction: f64) -> f64 {
    max_ms.min(lifetime_ms * fraction)
}

/// The session context: cheap to copy, every field is a signal.
#[derive(Clone, Copy)]
pub struct Session {
    /// Restoring / anonymous / authenticated.
    pub status: RwSignal<SessionStatus>,
    token: RwSignal<Option<String>>,
    /// Nom d'utilisateur, once known (from `/api/me` or the login form).
    pub username: RwSignal<Option<String>>,
    /// Whether the current CGU version is accepted; false routes to the consent page.
    pub terms_accepted: RwSignal<bool>,
    /// When the access token expires (ms since the epoch).
    token_expires_at: RwSignal<f64>,
    /// When the session ends if nobody uses it (ms since the epoch).
    idle_expires_at: RwSignal<f64>,
    /// Last keyboard or pointer activity (ms since the epoch).
    last_activity: RwSignal<f64>,
    /// When the current token was issued (ms since the epoch).
    issued_at: RwSignal<f64>,
    /// Whether the « Votre session va expirer » dialog is open.
    pub expiry_warning: RwSignal<bool>,
    /// Set when the session ended by itself, to explain it on the login page.
    pub expired: RwSignal<bool>,
    /// Bumped each time this tab records an acceptance of the CGU: an answer the server
    /// wrote before it (a slow `/api/me`, or a token refresh sent earlier) must not undo it
    /// and send the family back to « Consentement ».
    terms_epoch: StoredValue<u32>,
    /// Whether a refresh is in flight. The server revokes the whole session when one refresh
    /// cookie is presented twice, so concurrent callers wait for the first refresh instead.
    refreshing: StoredValue<bool>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

impl Session {
    fn new() -> Self {
        Self {
            status: RwSignal::new(SessionStatus::Restoring),
            token: RwSignal::new(None),
            username: RwSignal::new(None),
            terms_accepted: RwSignal::new(false),
            token_expires_at: RwSignal::new(0.0),
            idle_expires_at: RwSignal::new(0.0),
            last_activity: RwSignal::new(now_ms()),
            issued_at: RwSignal::new(0.0),
            expiry_warning: RwSignal::new(false),
            expired: RwSignal::new(false),
            refreshing: StoredValue::new(false),
            terms_epoch: StoredValue::new(0),
        }
    }

    /// The current access token, read without subscribing.
    pub fn access_token(&self) -> Option<String> {
        self.token.get_untracked()
    }

    /// Whether someone is signed in (reactive).
    pub fn is_authenticated(&self) -> bool {
        self.status.get() == SessionStatus::Authenticated
    }

    /// Stores a freshly issued token (login or refresh).
    pub fn start(&self, tokens: &TokenResponse) {
        self.start_as_of(tokens, self.terms_epoch.get_value());
    }

    /// Stores a token whose request was sent at CGU epoch `epoch`.
    fn start_as_of(&self, tokens: &TokenResponse, epoch: u32) {
        let now = now_ms();
        self.token.set(Some(tokens.access_token.clone()));
        self.issued_at.set(now);
        self.token_expires_at
            .set(now + tokens.expires_in as f64 * 1000.0);
        self.idle_expires_at
            .set(now + tokens.idle_expires_in as f64 * 1000.0);
        self.terms_from_server(tokens.terms_accepted, epoch);
        self.expiry_warning.set(false);
        self.expired.set(false);
        self.status.set(SessionStatus::Authenticated);
    }

    /// Forgets everything about the signed-in user (logout, expiry, refused refresh).
    pub fn end(&self) {
        self.token.set(None);
        self.username.set(None);
        self.terms_accepted.set(false);
        self.expiry_warning.set(false);
        self.status.set(SessionStatus::Anonymous);
    }

    /// Records the answer of `/api/me`.
    pub fn set_profile(&self, me: &MeResponse) {
        self.username.set(Some(me.username.clone()));
        self.terms_accepted.set(me.terms_accepted);
    }

    /// Used by the API client when the server says the CGU must be accepted first, and by
    /// « Consentement » once they are.
    pub fn set_terms_accepted(&self, accepted: bool) {
        if accepted {
            self.terms_epoch.update_value(|e| *e = e.wrapping_add(1));
        }
        self.terms_accepted.set(accepted);
    }

    /// The consent state in an answer to a request sent at CGU epoch `epoch`: a refusal
    /// read before this tab's latest acceptance is stale and ignored.
    fn terms_from_server(&self, accepted: bool, epoch: u32) {
        if accepted || self.terms_epoch.get_value() == epoch {
            self.terms_accepted.set(accepted);
        }
    }

    /// Asks the refresh cookie for a new access token; false (and signed out) if refused.
    pub async fn refresh(&self) -> bool {
        if self.refreshing.get_value() {
            // Someone else is refreshing: wait for their answer rather than race them.
            let before = self.issued_at.get_untracked();
            while self.refreshing.get_value() {
                gloo_timers::future::TimeoutFuture::new(50).await;
            }
            return self.issued_at.get_untracked() != before && self.access_token().is_some();
        }
        self.refreshing.set_value(true);
        let epoch = self.terms_epoch.get_value();
        let result = api::refresh().await;
        self.refreshing.set_value(false);
        match result {
            Ok(tokens) => {
                self.start_as_of(&tokens, epoch);
                true
            }
            Err(error) => {
                // Only a real refusal ends the session; a network hiccup keeps it.
                if error.status() == 401 {
                    self.end();
                }
                false
            }
        }
    }

    /// Loads the username (and consent state) of the signed-in user.
    pub async fn load_profile(&self) {
        let epoch = self.terms_epoch.get_value();
        if let Ok(me) = api::authed(*self).get::<MeResponse>("/api/me").await {
            self.username.set(Some(me.username.clone()));
            self.terms_from_server(me.terms_accepted, epoch);
        }
    }

    /// Signs out on the server (best effort) and in memory.
    pub async fn logout(&self) {
        if self.access_token().is_some() {
            let _: Result<serde_json::Value, _> = api::authed(*self)
                .post("/api/auth/logout", &serde_json::json!({}))
                .await;
        }
        self.end();
    }

    /// Notes user activity: only an active user's token is refreshed silently.
    pub fn touch(&self) {
        self.last_activity.set(now_ms());
    }

    /// Runs every few seconds: refreshes the token of an active user before it expires,
    /// opens the warning before the idle timeout, and ends the session after it.
    fn tick(&self) {
        if self.status.get_untracked() != SessionStatus::Authenticated {
            return;
        }
        let now = now_ms();
        let idle_at = self.idle_expires_at.get_untracked();
        let token_at = self.token_expires_at.get_untracked();
        let issued = self.issued_at.get_untracked();
        let active_since_issue = self.last_activity.get_untracked() > issued;
        let token_due = now >= token_at - lead(REFRESH_LEAD_MS, token_at - issued, 0.2);
        // An active user's session is extended well before the warning would open.
        let idle_due = now >= idle_at - lead(2.0 * WARNING_LEAD_MS, idle_at - issued, 0.4);
        let warning_due = now >= idle_at - lead(WARNING_LEAD_MS, idle_at - issued, 0.25);
        if now >= idle_at {
            self.end();
            self.expired.set(true);
        } else if active_since_issue
            && !self.expiry_warning.get_untracked()
            && (token_due || idle_due)
        {
            let session = *self;
            spawn_local(async move {
                session.refresh().await;
            });
        } else if !active_since_issue && warning_due && !self.expiry_warning.get_untracked() {
            self.expiry_warning.set(true);
        }
    }
}

/// The town's public settings (header, consent text), loaded once at start.
#[derive(Clone, Copy)]
pub struct Town(pub RwSignal<Option<TownResponse>>);

/// Creates the session and town contexts, restores the session from the refresh cookie
/// and starts the session timer. Call once, in the root component. `town`: the town's
/// settings if the page already holds them (the family SPA's first screen); otherwise
/// they are asked from `/api/town`.
pub fn provide_app_state(town: Option<TownResponse>) -> Session {
    let session = Session::new();
    provide_context(session);
    let known = town.is_some();
    let town = Town(RwSignal::new(town));
    provide_context(town);

    if !known {
        spawn_local(async move {
            if let Ok(info) = api::get::<TownResponse>("/api/town").await {
                town.0.set(Some(info));
            }
        });
    }
    spawn_local(async move {
        if session.refresh().await {
            session.load_profile().await;
        } else {
            session.status.set(SessionStatus::Anonymous);
        }
    });

    let keys = window_event_listener(leptos::ev::keydown, move |_| session.touch());
    let pointer = window_event_listener(leptos::ev::pointerdown, move |_| session.touch());
    // The root component lives as long as the page: keep the listeners for good.
    std::mem::forget((keys, pointer));

    spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(5_000).await;
            session.tick();
        }
    });
    session
}

/// The session context (provided by [`provide_app_state`]).
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The town context (provided by [`provide_app_state`]).
pub fn use_town() -> Town {
    expect_context::<Town>()
}
