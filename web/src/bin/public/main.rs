//! The family SPA's public pages — ACCUEIL, ACTUALITÉS, FAQ, DOCUMENTS, connexion,
//! création de compte, activation, mot de passe oublié, ACTIVITÉS and its public draws
//! (issue 13) — as a bundle of their own (issue 11):
//! what a family's phone loads first, about half the full app. Trunk builds it from
//! `web/public.html` into `web/dist/public/`; the server sends it for every path outside
//! the signed-in area (`shared::routes`), and it loads the full app (`web`) when the family
//! goes there (see [`app::SignedInAreaOrNotFound`]).
//!
//! The same files as the full app, compiled a second time (as the back office does).

// The shared files are the full app's: not every item they hold is used here.
#[path = "../.."]
#[allow(dead_code, unused_imports)]
mod common {
    pub mod api;
    pub mod first_screen;
    pub mod format;
    pub mod fragment;
    pub mod i18n;
    pub mod state;
    pub mod components {
        pub mod choice;
        pub mod field;
        pub mod guard;
        pub mod layout;
        pub mod login_box;
        pub mod page_title;
        pub mod rich_text;
        pub mod session_dialog;
        pub mod status;
        pub mod stepper;
    }
    pub mod pages {
        pub mod activation;
        // The catalogue and the words it shares with the signed-in pages, not those pages.
        pub mod activites {
            // The catalogue's filter by child is the full app's only: see this stand-in.
            pub mod attribution;
            #[path = "../../bin/public/by_child.rs"]
            pub mod by_child;
            pub mod catalogue;
            pub mod countdown;
            pub mod model;
            pub mod opening;
            pub mod tirage;
        }
        pub mod forgot_password;
        pub mod home;
        pub mod info;
        pub mod login;
        pub mod not_found;
        pub mod public;
        pub mod reset_password;
        pub mod signup;
        pub mod signup_done;
    }
}

use common::{api, components, first_screen, format, fragment, i18n, pages, state};

mod app;

fn main() {
    console_error_panic_hook::set_once();
    first_screen::take_over();
    leptos::mount::mount_to_body(app::App);
}
