//! Route guard: pages for signed-in users only (and, for most, after the CGU consent).

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_location, use_navigate};

use crate::state::{SessionStatus, use_session};

/// Where to come back after signing in: only same-site paths, never `//host`.
pub fn safe_return_path(candidate: Option<String>) -> Option<String> {
    candidate.filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'))
}

/// Shows its children to a signed-in user; otherwise sends them to « Connexion » (or to
/// « Consentement » when `terms` is set and the CGU are not accepted yet).
#[component]
pub fn RequireSession(
    /// Whether the current CGU must have been accepted.
    #[prop(default = true)]
    terms: bool,
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let location = use_location();
    // The guarded page's own path: once the user has navigated elsewhere (e.g. « Se
    // déconnecter » goes home), a late sign-out must not drag them back to the login page.
    let guarded = location.pathname.get_untracked();
    Effect::new(move |_| {
        let here = location.pathname.get_untracked();
        if here != guarded {
            return;
        }
        let back = String::from(js_sys::encode_uri_component(&here));
        let replace = NavigateOptions {
            replace: true,
            ..Default::default()
        };
        match session.status.get() {
            SessionStatus::Restoring => {}
            SessionStatus::Anonymous => navigate(&format!("/connexion?retour={back}"), replace),
            SessionStatus::Authenticated => {
                if terms && !session.terms_accepted.get() {
                    navigate(&format!("/consentement?retour={back}"), replace);
                }
            }
        }
    });
    let allowed = move || {
        session.status.get() == SessionStatus::Authenticated
            && (!terms || session.terms_accepted.get())
    };
    view! {
        <Show
            when=allowed
            fallback=|| view! { <p class="loading" role="status">"Chargement de votre session…"</p> }
        >
            {children()}
        </Show>
    }
}
