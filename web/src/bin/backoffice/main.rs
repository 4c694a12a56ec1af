//! « Espace agents »: the back office of the town's agents (issue 5), a second WASM bundle.
//!
//! Families never download it: Trunk builds it from `web/backoffice.html` into
//! `web/dist/backoffice/`, which the API serves under `/backoffice/`. It shares the family
//! SPA's HTTP client, session, messages and form fields (the modules under `common`, the
//! same files compiled a second time), and adds only the staff screens.

// The shared files are the family SPA's: not every item they hold is used here. (The back
// office's own modules keep every lint. A library crate shared by both binaries was tried:
// it made both bundles 6–7 KB bigger, see BENCHMARKS.md.)
#[path = "../.."]
#[allow(dead_code, unused_imports)]
mod common {
    pub mod api;
    pub mod first_screen;
    pub mod format;
    pub mod i18n;
    pub mod state;
    pub mod components {
        pub mod field;
        pub mod page_title;
        pub mod rich_text;
        pub mod status;
    }
    // The words of the family's activités pages, said the same way to agents.
    pub mod pages {
        pub mod activites {
            pub mod attribution;
            pub mod model;
            pub mod reasons;
        }
    }
}

use common::{api, components, first_screen, format, i18n, pages, state};

mod activites;
mod administration;
mod app;
mod dialog;
mod documents;
mod email_alert;
mod faq;
mod forms;
mod login;
mod news;
mod preview;
mod queue;
mod review;

fn main() {
    console_error_panic_hook::set_once();
    first_screen::take_over();
    leptos::mount::mount_to_body(app::App);
}
