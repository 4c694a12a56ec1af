//! The public bundle's root: the same layout as the full app, its public routes, and for
//! any other path either the full app (the signed-in area) or « page introuvable ».

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::hooks::use_location;
use leptos_router::path;

use crate::components::layout::Layout;
use crate::pages::{
    activation::ActivationPage, activites, forgot_password::ForgotPasswordPage, home::HomePage,
    info, login::LoginPage, not_found::NotFoundPage, public, reset_password::ResetPasswordPage,
    signup::SignupPage, signup_done::SignupDonePage,
};
use crate::state::provide_app_state;

/// The public pages. Their routes are the full app's (`web/src/app.rs`), which also has
/// them, so that a family who is signed in browses them without changing bundle.
#[component]
pub fn App() -> impl IntoView {
    provide_app_state(crate::first_screen::town());
    crate::fragment::reload_on_new_token_links();
    view! {
        <Router>
            <Layout>
                <Routes fallback=|| view! { <SignedInAreaOrNotFound/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/connexion") view=LoginPage/>
                    <Route path=path!("/actualites") view=public::news::NewsPage/>
                    <Route path=path!("/actualites/:id") view=public::news::NewsItemPage/>
                    <Route path=path!("/activites") view=activites::catalogue::ActivitesPage/>
                    <Route path=path!("/activites/tirage/:periode_id") view=activites::tirage::TiragePage/>
                    <Route path=path!("/faq") view=public::faq::FaqPage/>
                    <Route path=path!("/documents") view=public::documents::DocumentsPage/>
                    <Route path=path!("/accessibilite") view=info::AccessibilityPage/>
                    <Route path=path!("/donnees-personnelles") view=info::PrivacyPage/>
                    <Route path=path!("/creer-mon-compte") view=SignupPage/>
                    <Route path=path!("/inscription-terminee") view=SignupDonePage/>
                    <Route path=path!("/activation") view=ActivationPage/>
                    <Route path=path!("/mot-de-passe-oublie") view=ForgotPasswordPage/>
                    <Route path=path!("/reinitialiser-mot-de-passe") view=ResetPasswordPage/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// A path of the signed-in area (a link such as « Mes démarches », or the page a login
/// leads to) loads the full app at that address — the server sends it for these paths,
/// and it restores the session from the refresh cookie; any other path is « page
/// introuvable ».
#[component]
pub fn SignedInAreaOrNotFound() -> impl IntoView {
    let location = use_location();
    let path = location.pathname.get_untracked();
    if !shared::routes::in_signed_in_area(&path) {
        return view! { <NotFoundPage/> }.into_any();
    }
    // The address asked for, not `reload()`: the router writes it into the address bar
    // only once the route is drawn, so a link's click would reload the page it left.
    let search = location.search.get_untracked();
    let href = if search.is_empty() {
        path
    } else {
        format!("{path}?{search}")
    };
    if let Err(error) = window().location().set_href(&href) {
        leptos::logging::error!("could not load the signed-in area: {error:?}");
    }
    view! { <p class="loading" role="status">"Chargement…"</p> }.into_any()
}
