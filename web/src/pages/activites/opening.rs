//! Opening morning (issue 13), by the server's clock: how far the server's clock is from
//! this device's, the countdown to an opening (« Ouverture dans 2 min 05 s ») and when it is
//! worth saying aloud, when to tick, how long to wait before sending again after a 503
//! (`Retry-After` plus jitter) or a 409 `window_not_open`, and which périodes a family may
//! already choose before they open. Pure functions, tested natively; the views are in
//! [`super::countdown`].
//!
//! The phone's clock may be minutes off (or changed while the page is open), so nothing
//! here reads it: instants come from the server (`EligibiliteList::maintenant`, or the
//! `Date` header of an answer), and durations from a monotonic local clock
//! (`performance.now()`).

use chrono::{DateTime, Utc};

/// One second, in milliseconds.
const SECOND: f64 = 1_000.0;
/// Beyond this the opening is said as a date (« le lundi 5 janvier à 8 h 30 »), not counted down.
pub const COUNTDOWN_HORIZON_MS: f64 = 24.0 * 3_600_000.0;
/// The longest a 409 `window_not_open` is waited for before sending again by itself;
/// beyond it the family is told when to come back.
pub const OPENING_WAIT_MAX_MS: f64 = 10.0 * 60_000.0;
/// `Retry-After` when a 503 comes without one (a proxy's), and the longest one obeyed.
const DEFAULT_RETRY_AFTER_S: u32 = 3;
const MAX_RETRY_AFTER_S: u32 = 60;

/// The server's clock as seen from this device: the server's time (ms since the epoch) is
/// the local monotonic time (ms) plus an offset measured on an exchange.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ServerClock {
    offset_ms: f64,
}

impl ServerClock {
    /// From an instant the server wrote (`server_ms`, ms since the epoch) in its answer to a
    /// request sent at local time `sent` and answered at `received` (monotonic ms): the
    /// server wrote it, on average, halfway through.
    pub fn from_exchange(server_ms: f64, sent: f64, received: f64) -> Self {
        Self {
            offset_ms: server_ms - (sent + received.max(sent)) / 2.0,
        }
    }

    /// From an HTTP `Date` header (whole seconds, truncated): the server's instant lies
    /// somewhere in that second, so its middle is taken (±0.5 s).
    pub fn from_http_date(date_ms: f64, sent: f64, received: f64) -> Self {
        Self::from_exchange(date_ms + SECOND / 2.0, sent, received)
    }

    /// The server's time (ms since the epoch) at local monotonic time `local`.
    pub fn server_ms(self, local: f64) -> f64 {
        local + self.offset_ms
    }
}

/// Milliseconds since the epoch → an instant (the epoch itself for nonsense).
pub fn instant(ms: f64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms as i64).unwrap_or_default()
}

/// Milliseconds since the epoch of an instant.
pub fn millis(at: DateTime<Utc>) -> f64 {
    at.timestamp_millis() as f64
}

/// Whole seconds left until `target` at `now`, rounded up: 0 once it is reached.
pub fn seconds_left(target: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let ms = target.timestamp_millis() - now.timestamp_millis();
    if ms <= 0 { 0 } else { (ms + 999) / 1_000 }
}

/// « 2 min 05 s », « 45 s », « 1 h 05 min »: `secs` seconds, short, for the eye.
pub fn duration_text(secs: i64) -> String {
    let secs = secs.max(0);
    let (h, m, s) = (secs / 3_600, secs % 3_600 / 60, secs % 60);
    if h > 0 {
        format!("{h} h {m:02} min")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

/// « Ouverture dans 2 min 05 s », while the opening is less than a day away; `None` once
/// open, or when it is further (its date says it better).
pub fn countdown_text(opens_at: DateTime<Utc>, now: DateTime<Utc>) -> Option<String> {
    let ms = millis(opens_at) - millis(now);
    (ms > 0.0 && ms < COUNTDOWN_HORIZON_MS).then(|| {
        format!(
            "Ouverture dans {}",
            duration_text(seconds_left(opens_at, now))
        )
    })
}

/// The moments a countdown is said aloud, in seconds before the opening: each hour, every
/// ten minutes in the last hour, each minute in the last ten, then 30 and 10 seconds
/// before. Not every second: a screen reader would say nothing else.
fn spoken_mark(secs: i64) -> bool {
    match secs {
        s if s > 3_600 => s % 3_600 == 0,
        s if s > 600 => s % 600 == 0,
        s if s >= 60 => s % 60 == 0,
        30 | 10 => true,
        _ => false,
    }
}

/// What to say aloud when the countdown went from `before` to `now` seconds left (a
/// throttled timer may skip seconds, so any mark crossed counts): « Ouverture dans 2
/// minutes », « Ouverture dans 10 secondes », or `opened` at the opening.
pub fn announcement(before: Option<i64>, now: i64, opened: &str) -> Option<String> {
    let before = before?;
    if now >= before {
        return None;
    }
    if now <= 0 {
        return Some(opened.to_string());
    }
    let mark = (now..before).find(|s| spoken_mark(*s))?;
    Some(format!("Ouverture dans {}", spoken_duration(mark)))
}

/// « 2 heures », « 1 minute », « 30 secondes »: a mark, in words a screen reader says well.
fn spoken_duration(secs: i64) -> String {
    let (value, unit) = if secs >= 3_600 && secs % 3_600 == 0 {
        (secs / 3_600, "heure")
    } else if secs >= 60 && secs % 60 == 0 {
        (secs / 60, "minute")
    } else {
        (secs, "seconde")
    };
    format!("{value} {unit}{}", if value > 1 { "s" } else { "" })
}

/// How long to sleep (ms) before the next tick of a countdown at server time `now_ms`: to
/// the server's next whole second, or to the nearest of `targets` (ms since the epoch) if
/// sooner — so that a button waiting for an opening is enabled at the very instant.
pub fn next_tick_ms(now_ms: f64, targets: &[f64]) -> f64 {
    // In whole milliseconds: a float remainder would bring `fmod` into the bundle.
    let to_second = (1_000 - (now_ms as i64).rem_euclid(1_000)) as f64;
    targets
        .iter()
        .map(|t| t - now_ms)
        .filter(|d| *d > 0.0)
        .fold(to_second, f64::min)
        .max(1.0)
}

/// How long to wait (ms) before sending an enrolment again after a 503: its `Retry-After`
/// (3 s without one, at most a minute) plus `jitter` (drawn in [0, 1)) of a second, so that
/// the families turned away at the same instant do not all come back at the same instant.
pub fn retry_delay_ms(retry_after: Option<u32>, jitter: f64) -> f64 {
    let secs = retry_after
        .unwrap_or(DEFAULT_RETRY_AFTER_S)
        .clamp(1, MAX_RETRY_AFTER_S);
    f64::from(secs) * SECOND + jitter.clamp(0.0, 0.999) * SECOND
}

/// How long to wait (ms) after a 409 `window_not_open` before sending again: until
/// `opens_at` by the server's clock at `now_ms`, plus `jitter` (in [0, 1)) of half a
/// second; `None` when the opening is too far to wait on the page (see
/// [`OPENING_WAIT_MAX_MS`]).
pub fn opening_delay_ms(opens_at: DateTime<Utc>, now_ms: f64, jitter: f64) -> Option<f64> {
    let left = (millis(opens_at) - now_ms).max(0.0);
    (left <= OPENING_WAIT_MAX_MS).then(|| left + jitter.clamp(0.0, 0.999) * SECOND / 2.0)
}

/// « Forte affluence : votre demande est conservée, nouvel essai dans 4 s… »
pub fn busy_text(secs: i64) -> String {
    format!(
        "Forte affluence : votre demande est conservée, nouvel essai dans {}…",
        duration_text(secs.max(1))
    )
}

/// « Les inscriptions ne sont pas encore ouvertes : votre demande est conservée et partira
/// à l'ouverture, dans 12 s… »
pub fn opening_wait_text(secs: i64) -> String {
    format!(
        "Les inscriptions ne sont pas encore ouvertes : votre demande est conservée et partira à l'ouverture, dans {}…",
        duration_text(secs.max(1))
    )
}

/// Whether a child may be enrolled in a période, seen from the opening.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readiness {
    /// Nothing stands in the way.
    Now,
    /// Only the window: it opens (for this household) at this instant. The family may
    /// already choose it, and send it from then on.
    Opens(DateTime<Utc>),
    /// Something else (age, pièce, dossier…) stands in the way.
    Blocked,
}

impl Readiness {
    /// Whether it can be sent at `now` (server time).
    pub fn open_at(self, now: DateTime<Utc>) -> bool {
        match self {
            Self::Now => true,
            Self::Opens(at) => at <= now,
            Self::Blocked => false,
        }
    }

    /// Whether the family may choose it (now or before its opening).
    pub fn selectable(self) -> bool {
        self != Self::Blocked
    }
}

/// The readiness of the server's reasons, each given as its code and, for `not_open_yet`,
/// its opening: none → [`Readiness::Now`]; only `not_open_yet` → [`Readiness::Opens`];
/// anything else → [`Readiness::Blocked`].
pub fn readiness<'a>(
    reasons: impl IntoIterator<Item = (&'a str, Option<DateTime<Utc>>)>,
) -> Readiness {
    let mut found = Readiness::Now;
    for (code, opens_at) in reasons {
        match (code, opens_at, found) {
            ("not_open_yet", Some(at), Readiness::Now) => found = Readiness::Opens(at),
            _ => return Readiness::Blocked,
        }
    }
    found
}

/// The earliest instant at which one of `pairs` can be sent, if none can be at `now`
/// (« Confirmer » waits for it); `None` when one already can, or none ever will.
pub fn first_opening(
    pairs: impl IntoIterator<Item = Readiness>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let mut first: Option<DateTime<Utc>> = None;
    for readiness in pairs {
        match readiness {
            r if r.open_at(now) => return None,
            Readiness::Opens(at) => first = Some(first.map_or(at, |f| f.min(at))),
            _ => {}
        }
    }
    first
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, h, m, s)
            .single()
            .expect("instant")
    }

    #[test]
    fn the_server_clock_is_the_midpoint_of_the_exchange_whatever_the_phone_says() {
        // The server wrote 8 h 29 min 00 s; the request took 400 ms (local monotonic
        // 10 000 → 10 400): at local 10 200 the server's clock read 8 h 29.
        let server = millis(at(7, 29, 0));
        let clock = ServerClock::from_exchange(server, 10_000.0, 10_400.0);
        assert_eq!(instant(clock.server_ms(10_200.0)), at(7, 29, 0));
        assert_eq!(instant(clock.server_ms(70_200.0)), at(7, 30, 0));
        // A `Date` header says the whole second: its middle is taken.
        let dated = ServerClock::from_http_date(server, 10_000.0, 10_000.0);
        assert_eq!(dated.server_ms(10_000.0), server + 500.0);
        // An answer "received" before it was sent (a clock glitch) counts as instant.
        let odd = ServerClock::from_exchange(server, 10_000.0, 9_000.0);
        assert_eq!(odd.server_ms(10_000.0), server);
    }

    #[test]
    fn the_countdown_says_minutes_and_padded_seconds() {
        let opening = at(7, 30, 0);
        assert_eq!(
            countdown_text(opening, at(7, 27, 55)).as_deref(),
            Some("Ouverture dans 2 min 05 s")
        );
        assert_eq!(
            countdown_text(opening, at(7, 29, 15)).as_deref(),
            Some("Ouverture dans 45 s")
        );
        assert_eq!(
            countdown_text(opening, at(6, 25, 0)).as_deref(),
            Some("Ouverture dans 1 h 05 min")
        );
        // 300 ms left still says 1 s; at the instant, no countdown.
        let almost = opening - chrono::Duration::milliseconds(300);
        assert_eq!(
            countdown_text(opening, almost).as_deref(),
            Some("Ouverture dans 1 s")
        );
        assert_eq!(countdown_text(opening, opening), None);
        assert_eq!(countdown_text(opening, at(7, 31, 0)), None);
        // More than a day ahead: the date says it.
        let far = Utc
            .with_ymd_and_hms(2027, 1, 3, 7, 0, 0)
            .single()
            .expect("instant");
        assert_eq!(countdown_text(opening, far), None);
        assert_eq!(duration_text(3_600), "1 h 00 min");
    }

    #[test]
    fn the_countdown_is_said_aloud_sparingly() {
        let opened = "Les inscriptions sont ouvertes.";
        // Each minute in the last ten…
        assert_eq!(
            announcement(Some(121), 120, opened).as_deref(),
            Some("Ouverture dans 2 minutes")
        );
        assert_eq!(
            announcement(Some(61), 60, opened).as_deref(),
            Some("Ouverture dans 1 minute")
        );
        // …not the seconds in between…
        assert_eq!(announcement(Some(125), 124, opened), None);
        assert_eq!(announcement(Some(12), 11, opened), None);
        // …then 30 and 10 seconds before, and the opening.
        assert_eq!(
            announcement(Some(31), 30, opened).as_deref(),
            Some("Ouverture dans 30 secondes")
        );
        assert_eq!(
            announcement(Some(11), 10, opened).as_deref(),
            Some("Ouverture dans 10 secondes")
        );
        assert_eq!(announcement(Some(1), 0, opened).as_deref(), Some(opened));
        // A throttled timer that skipped the mark still says it.
        assert_eq!(
            announcement(Some(63), 58, opened).as_deref(),
            Some("Ouverture dans 1 minute")
        );
        // Every ten minutes in the last hour, each hour before.
        assert!(announcement(Some(1_801), 1_800, opened).is_some());
        assert!(announcement(Some(1_741), 1_740, opened).is_none());
        assert_eq!(
            announcement(Some(7_201), 7_200, opened).as_deref(),
            Some("Ouverture dans 2 heures")
        );
        // Nothing on the first reading, nor when time does not go forward.
        assert_eq!(announcement(None, 60, opened), None);
        assert_eq!(announcement(Some(60), 60, opened), None);
        assert_eq!(announcement(Some(0), 0, opened), None);
    }

    #[test]
    fn ticks_fall_on_whole_seconds_and_on_the_opening_itself() {
        let opening = millis(at(7, 30, 0));
        // 2.3 s before: next tick in 0.3 s (the whole second, 2 s before).
        assert_eq!(next_tick_ms(opening - 2_300.0, &[opening]), 300.0);
        // An opening at a fraction of a second is not overshot.
        assert_eq!(next_tick_ms(opening - 2_300.0, &[opening - 2_150.0]), 150.0);
        // Past targets are ignored; without any, whole seconds still.
        assert_eq!(next_tick_ms(opening + 5.0, &[opening]), 995.0);
        assert_eq!(next_tick_ms(opening, &[]), 1_000.0);
        assert_eq!(next_tick_ms(opening - 0.4, &[opening]), 1.0, "never 0");
    }

    #[test]
    fn a_busy_server_is_retried_after_retry_after_plus_up_to_a_second() {
        assert_eq!(retry_delay_ms(Some(4), 0.0), 4_000.0);
        let most = retry_delay_ms(Some(4), 1.0);
        assert!((4_000.0..5_000.0).contains(&most), "{most}");
        assert_eq!(retry_delay_ms(Some(2), 0.25), 2_250.0);
        // Without Retry-After, 3 s; never 0, never more than a minute.
        assert_eq!(retry_delay_ms(None, 0.0), 3_000.0);
        assert_eq!(retry_delay_ms(Some(0), 0.0), 1_000.0);
        assert_eq!(retry_delay_ms(Some(3_600), 0.0), 60_000.0);
        assert_eq!(retry_delay_ms(Some(2), -3.0), 2_000.0);
        assert_eq!(
            busy_text(4),
            "Forte affluence : votre demande est conservée, nouvel essai dans 4 s…"
        );
    }

    #[test]
    fn a_window_not_open_is_waited_for_by_the_servers_clock_when_near() {
        let opening = at(7, 30, 0);
        let now = millis(opening) - 12_000.0;
        assert_eq!(opening_delay_ms(opening, now, 0.0), Some(12_000.0));
        let late = opening_delay_ms(opening, now, 0.999).expect("near");
        assert!((12_000.0..12_500.0).contains(&late), "{late}");
        // Already open by the server's clock (the phone was early): at once.
        assert_eq!(opening_delay_ms(opening, now + 20_000.0, 0.0), Some(0.0));
        // Next week: not waited for on the page.
        assert_eq!(
            opening_delay_ms(opening, millis(opening) - 7.0 * COUNTDOWN_HORIZON_MS, 0.0),
            None
        );
    }

    #[test]
    fn a_periode_is_preparable_when_its_only_reason_is_the_opening() {
        let opening = at(7, 30, 0);
        assert_eq!(readiness([]), Readiness::Now);
        assert_eq!(
            readiness([("not_open_yet", Some(opening))]),
            Readiness::Opens(opening)
        );
        assert_eq!(
            readiness([("not_open_yet", Some(opening)), ("missing_piece", None)]),
            Readiness::Blocked
        );
        assert_eq!(readiness([("age", None)]), Readiness::Blocked);
        assert_eq!(readiness([("not_open_yet", None)]), Readiness::Blocked);
        assert!(Readiness::Opens(opening).selectable());
        assert!(!Readiness::Blocked.selectable());
        assert!(!Readiness::Opens(opening).open_at(at(7, 29, 59)));
        assert!(Readiness::Opens(opening).open_at(opening));
    }

    #[test]
    fn confirmer_waits_for_the_first_opening_unless_something_can_go_now() {
        let (early, late) = (at(7, 30, 0), at(8, 0, 0));
        let before = at(7, 0, 0);
        assert_eq!(
            first_opening([Readiness::Opens(late), Readiness::Opens(early)], before),
            Some(early)
        );
        assert_eq!(
            first_opening([Readiness::Opens(late), Readiness::Now], before),
            None
        );
        assert_eq!(
            first_opening([Readiness::Opens(early)], at(7, 30, 0)),
            None,
            "open at the instant"
        );
        assert_eq!(first_opening([], before), None);
    }
}
