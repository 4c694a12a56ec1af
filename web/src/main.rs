//! Portail Famille: the browser client (Leptos, client-side rendered, built by Trunk).
//!
//! Layout of the crate: [`api`] is the one HTTP client, [`state`] the session, [`i18n`] the
//! French messages, [`components`] the reusable pieces and [`pages`] one module per screen.

mod api;
mod app;
mod components;
mod first_screen;
mod format;
mod fragment;
mod i18n;
mod pages;
mod state;

fn main() {
    console_error_panic_hook::set_once();
    first_screen::take_over();
    leptos::mount::mount_to_body(app::App);
}
