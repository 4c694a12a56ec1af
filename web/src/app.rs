//! The root component: app state, layout and the route table.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::layout::Layout;
use crate::components::page_title::{PageTitle, navigated};
use crate::pages::{
    account::AccountPage, activation::ActivationPage, activites, confirm_email::ConfirmEmailPage,
    consent::ConsentPage, demande::DemandePage, demarches::DemarchesPage,
    dossier::DossierWizardPage, forgot_password::ForgotPasswordPage, home::HomePage, info,
    login::LoginPage, my_data, not_found::NotFoundPage, public, reset_password::ResetPasswordPage,
    signup::SignupPage, signup_done::SignupDonePage,
};
use crate::state::provide_app_state;

/// The whole SPA.
#[component]
pub fn App() -> impl IntoView {
    provide_app_state(crate::first_screen::town());
    crate::fragment::reload_on_new_token_links();
    view! {
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=path!("/") view=HomePage/>
                    <Route path=path!("/connexion") view=LoginPage/>
                    <Route path=path!("/actualites") view=public::news::NewsPage/>
                    <Route path=path!("/actualites/:id") view=public::news::NewsItemPage/>
                    <Route path=path!("/activites") view=activites::catalogue::ActivitesPage/>
                    <Route path=path!("/activites/tirage/:periode_id") view=PublicPagesBundle/>
                    <Route path=path!("/faq") view=public::faq::FaqPage/>
                    <Route path=path!("/documents") view=public::documents::DocumentsPage/>
                    <Route path=path!("/accessibilite") view=info::AccessibilityPage/>
                    <Route path=path!("/donnees-personnelles") view=info::PrivacyPage/>
                    <Route path=path!("/compte-ferme") view=my_data::ClosedPage/>
                    <Route path=path!("/demarches") view=DemarchesPage/>
                    <Route path=path!("/inscriptions") view=activites::inscriptions::InscriptionsPage/>
                    <Route path=path!("/inscriptions/nouvelle") view=activites::wizard::EnrolWizardPage/>
                    <Route path=path!("/inscriptions/voeux/:activite_id") view=activites::voeux::VoeuxPage/>
                    <Route path=path!("/demarches/dossier/:id") view=DossierWizardPage/>
                    <Route path=path!("/demarches/demande/:id") view=DemandePage/>
                    <Route path=path!("/creer-mon-compte") view=SignupPage/>
                    <Route path=path!("/inscription-terminee") view=SignupDonePage/>
                    <Route path=path!("/activation") view=ActivationPage/>
                    <Route path=path!("/mot-de-passe-oublie") view=ForgotPasswordPage/>
                    <Route path=path!("/reinitialiser-mot-de-passe") view=ResetPasswordPage/>
                    <Route path=path!("/consentement") view=ConsentPage/>
                    <Route path=path!("/mon-compte") view=AccountPage/>
                    <Route path=path!("/confirmer-email") view=ConfirmEmailPage/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// A public page the full app leaves to the public pages' bundle: « Tirage au sort »
/// (`/activites/tirage/{période}`, issue 13), which cost this bundle about 6 KB gzipped
/// (BENCHMARKS.md) for a page a family opens now and then. Reached from another page, the
/// address is loaded again and the server sends the public bundle for it (the session
/// follows: the refresh cookie). Reached first, the server had no public bundle to send
/// (a build without it): reloading would loop, so it says so instead.
#[component]
fn PublicPagesBundle() -> impl IntoView {
    if navigated() {
        // Its address, not `reload()`: a link's click may not have changed the address
        // bar yet when the route is drawn.
        let path = leptos_router::hooks::use_location()
            .pathname
            .get_untracked();
        if let Err(error) = window().location().set_href(&path) {
            leptos::logging::error!("could not load the public pages: {error:?}");
        }
        return view! { <p class="loading" role="status">"Chargement…"</p> }.into_any();
    }
    view! {
        <PageTitle title="Tirage au sort"/>
        <p>"Cette page n'est pas disponible pour le moment. Réessayez plus tard."</p>
    }
    .into_any()
}
