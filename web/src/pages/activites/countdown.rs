//! The browser side of opening morning (issue 13): the server's clock as last measured, its
//! time ticking towards openings (for « Ouverture dans 2 min 05 s » next to the button that
//! waits for it), and a polite live region that says it aloud sparingly. The rules are in
//! [`super::opening`].

use std::cell::Cell;

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::pages::activites::opening::{
    ServerClock, announcement, instant, next_tick_ms, seconds_left,
};

thread_local! {
    /// The server's clock as last measured (by any page): a fact about this device.
    static CLOCK: Cell<Option<ServerClock>> = const { Cell::new(None) };
}

/// This device's monotonic clock (ms): unlike the phone's wall clock it never jumps.
pub fn monotonic_ms() -> f64 {
    window()
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// Records the server's clock, measured on an exchange.
pub fn set_clock(clock: ServerClock) {
    CLOCK.with(|c| c.set(Some(clock)));
}

/// The server's time (ms since the epoch); the phone's until the server's is known.
pub fn server_ms() -> f64 {
    CLOCK
        .with(Cell::get)
        .map_or_else(js_sys::Date::now, |c| c.server_ms(monotonic_ms()))
}

/// Whether the server's clock is known.
pub fn clock_known() -> bool {
    CLOCK.with(Cell::get).is_some()
}

/// A random number in [0, 1): the jitter of retries.
pub fn jitter() -> f64 {
    js_sys::Math::random()
}

/// Sleeps `ms` milliseconds.
pub async fn sleep(ms: f64) {
    gloo_timers::future::TimeoutFuture::new(ms.clamp(0.0, f64::from(u32::MAX)) as u32).await;
}

/// The server's time (ms since the epoch), updated at each of its whole seconds and at
/// each of `targets()` (ms since the epoch) — so that a button waiting for an opening is
/// enabled at the very instant, not up to a second later. Stops with the page.
/// (`targets` is boxed: one loop in the bundle for every page.)
pub fn ticker(targets: Box<dyn Fn() -> Vec<f64>>) -> RwSignal<f64> {
    let now = RwSignal::new(server_ms());
    spawn_local(async move {
        loop {
            let at = server_ms();
            if now.try_set(at).is_some() {
                return;
            }
            sleep(next_tick_ms(at, &targets())).await;
        }
    });
    now
}

/// A polite live region that says the countdown to `opens_at()` aloud, sparingly (each
/// minute in the last ten, 30 and 10 seconds before: see [`announcement`]), and `opened`
/// at the opening.
pub fn announcer(
    opens_at: impl Fn() -> Option<DateTime<Utc>> + Send + Sync + 'static,
    now: RwSignal<f64>,
    opened: &'static str,
) -> impl IntoView {
    // The target and seconds left at the last tick, and what was said last.
    let state = StoredValue::new((None::<(DateTime<Utc>, i64)>, String::new()));
    let said = move || {
        let now = instant(now.get());
        let target = opens_at();
        state.update_value(|(before, said)| {
            let Some(target) = target else {
                *before = None;
                return;
            };
            let secs = seconds_left(target, now);
            let previous = before.filter(|(t, _)| *t == target).map(|(_, s)| s);
            if let Some(text) = announcement(previous, secs, opened) {
                *said = text;
            }
            *before = Some((target, secs));
        });
        state.with_value(|(_, said)| said.clone())
    };
    view! { <p class="visually-hidden" aria-live="polite" aria-atomic="true">{said}</p> }
}
