//! The back office's frame: the staff member behind the session, the header with
//! « Se déconnecter », the guard that shows the login form to anyone else, the routes.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;
use shared::api::backoffice::StaffProfile;
use wasm_bindgen::JsCast;

use crate::activites::{ActivitesPage, a_valider::AValiderPage, roster::RosterPage};
use crate::administration::AdministrationPage;
use crate::api;
use crate::documents::DocumentsPage;
use crate::email_alert::FailedEmailsBanner;
use crate::faq::FaqPage;
use crate::login::StaffLogin;
use crate::news::NewsPage;
use crate::queue::QueuePage;
use crate::review::ReviewPage;
use crate::state::{SessionStatus, provide_app_state, use_session};

/// Where the back office lives (see `api/src/spa.rs`).
pub const HOME: &str = "/backoffice/";

/// The signed-in staff member: `None` until `/api/backoffice/me` answered, and for anyone
/// who is not staff (a family signed in on the same browser).
#[derive(Clone, Copy)]
pub struct Staff {
    pub profile: RwSignal<Option<StaffProfile>>,
    /// Whether the current session was checked (`/api/backoffice/me` answered).
    pub checked: RwSignal<bool>,
}

/// The staff context.
pub fn use_staff() -> Staff {
    expect_context::<Staff>()
}

impl Staff {
    /// Asks who is signed in; a family's session is not staff.
    pub fn load(self) {
        let session = use_session();
        spawn_local(async move {
            let me = api::authed(session)
                .get::<StaffProfile>("/api/backoffice/me")
                .await;
            self.profile.set(me.ok());
            self.checked.set(true);
        });
    }
}

/// The whole back office.
#[component]
pub fn App() -> impl IntoView {
    let session = provide_app_state(None);
    let staff = Staff {
        profile: RwSignal::new(None),
        checked: RwSignal::new(false),
    };
    provide_context(staff);
    // Each new session (restored from the refresh cookie, or a login) is asked who it is.
    Effect::new(move |previous: Option<SessionStatus>| {
        let status = session.status.get();
        if status == SessionStatus::Authenticated && previous != Some(status) {
            staff.checked.set(false);
            staff.load();
        } else if status == SessionStatus::Anonymous {
            staff.profile.set(None);
            staff.checked.set(true);
        }
        status
    });
    // Until the session is known (restored, and staff or not), only the header and
    // « Chargement… »: the menu, the agent's name and the page then appear together instead
    // of pushing each other down as each answer arrives.
    let known = move || match session.status.get() {
        SessionStatus::Restoring => false,
        SessionStatus::Authenticated => staff.checked.get(),
        SessionStatus::Anonymous => true,
    };
    view! {
        <Router>
            <a href="#contenu" class="skip-link" on:click=skip_to_content>"Aller au contenu"</a>
            <Header/>
            <Show when=known fallback=|| view! { <p class="loading page-loading" role="status">"Chargement…"</p> }>
            <StaffMenu/>
            <main id="contenu" tabindex="-1" class="backoffice">
                <RequireStaff>
                    <FailedEmailsBanner/>
                    <Routes fallback=|| view! { <NotFound/> }>
                        <Route path=path!("/backoffice") view=QueuePage/>
                        <Route path=path!("/backoffice/demandes/:id") view=ReviewPage/>
                        <Route path=path!("/backoffice/activites") view=ActivitesPage/>
                        <Route path=path!("/backoffice/periodes/:id") view=RosterPage/>
                        <Route path=path!("/backoffice/inscriptions-a-valider") view=AValiderPage/>
                        <Route path=path!("/backoffice/actualites") view=NewsPage/>
                        <Route path=path!("/backoffice/faq") view=FaqPage/>
                        <Route path=path!("/backoffice/documents") view=DocumentsPage/>
                        <Route path=path!("/backoffice/administration") view=AdministrationPage/>
                    </Routes>
                </RequireStaff>
            </main>
            <footer class="site-footer">
                <ul>
                    // The family portal's pages (full loads: they are not the back office's).
                    <li><a href="/accessibilite">"Accessibilité : non conforme"</a></li>
                    <li><a href="/donnees-personnelles">"Mentions légales / données personnelles"</a></li>
                </ul>
            </footer>
            </Show>
            <SessionExpiryDialog/>
        </Router>
    }
}

/// Focuses `<main>` directly: the router would otherwise treat `#contenu` as a navigation.
fn skip_to_content(ev: leptos::ev::MouseEvent) {
    ev.prevent_default();
    let main = document()
        .get_element_by_id("contenu")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(main) = main {
        let _ = main.focus();
    }
}

#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    let staff = use_staff();
    let logout = move |_| {
        spawn_local(async move {
            session.logout().await;
            staff.profile.set(None);
            // A full load: nothing of the agent's screens stays in memory.
            let _ = window().location().set_href(HOME);
        });
    };
    let role = move || {
        staff.profile.with(|p| {
            p.as_ref().map(|p| {
                if p.role == "administrateur" {
                    "Administrateur"
                } else {
                    "Agent"
                }
            })
        })
    };
    view! {
        <header class="site-header">
            <div class="brand">
                <A href=HOME attr:class="brand-link">
                    <span class="town">"Espace agents"</span>
                    <span class="tagline">"Portail Famille — demandes, contenus et administration"</span>
                </A>
            </div>
            <div class="account-area">
                <Show when=move || staff.profile.with(Option::is_some)>
                    <p class="account-user">
                        <span class="visually-hidden">"Connecté en tant que "</span>
                        {move || staff.profile.with(|p| p.as_ref().map(|p| p.username.clone()))}
                        " ("{role}")"
                    </p>
                    <button type="button" class="button link-button" on:click=logout>"Se déconnecter"</button>
                </Show>
            </div>
        </header>
    }
}

/// The back office's menu, once a staff member is signed in; « Administration » for
/// administrators only.
#[component]
fn StaffMenu() -> impl IntoView {
    let staff = use_staff();
    let administrator = move || {
        staff
            .profile
            .with(|p| p.as_ref().is_some_and(|p| p.role == "administrateur"))
    };
    view! {
        <Show when=move || staff.profile.with(Option::is_some)>
            <nav class="main-menu" aria-label="Menu de l'espace agents">
                <ul>
                    <li><A href="/backoffice" exact=true>"Demandes"</A></li>
                    <li><A href="/backoffice/activites">"Activités"</A></li>
                    <li><A href="/backoffice/inscriptions-a-valider">"Inscriptions à valider"</A></li>
                    <li><A href="/backoffice/actualites">"Actualités"</A></li>
                    <li><A href="/backoffice/faq">"FAQ"</A></li>
                    <li><A href="/backoffice/documents">"Documents"</A></li>
                    <Show when=administrator>
                        <li><A href="/backoffice/administration">"Administration"</A></li>
                    </Show>
                </ul>
            </nav>
        </Show>
    }
}

/// Shows its children to staff only; the login form to anybody else.
#[component]
fn RequireStaff(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let staff = use_staff();
    let children = StoredValue::new(children);
    let logout = move |_| {
        spawn_local(async move { session.logout().await });
    };
    move || {
        let status = session.status.get();
        if status == SessionStatus::Restoring
            || (status == SessionStatus::Authenticated && !staff.checked.get())
        {
            view! { <p class="loading" role="status">"Chargement…"</p> }.into_any()
        } else if staff.profile.with(Option::is_some) {
            children.read_value()().into_any()
        } else if status == SessionStatus::Authenticated {
            view! {
                <h1>"Espace agents"</h1>
                <div class="card" role="alert">
                    <p>"Cet espace est réservé aux agents de la mairie. Vous êtes connecté avec un compte famille."</p>
                    <button type="button" class="button primary" on:click=logout>"Se déconnecter"</button>
                </div>
            }
            .into_any()
        } else {
            view! { <StaffLogin/> }.into_any()
        }
    }
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <crate::components::page_title::PageTitle title="Page introuvable"/>
        <p>"Cette page n'existe pas."</p>
        <p><A href=HOME>"Retour aux demandes en attente"</A></p>
    }
}

/// « Votre session va expirer »: the family SPA's warning, signing out to the back office.
#[component]
fn SessionExpiryDialog() -> impl IntoView {
    let session = use_session();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let open = session.expiry_warning.get();
        if let Some(element) = dialog.get() {
            if open && !element.open() {
                let _ = element.show_modal();
            } else if !open && element.open() {
                element.close();
            }
        }
    });
    let stay = move || {
        session.expiry_warning.set(false);
        spawn_local(async move {
            session.refresh().await;
        });
    };
    let leave = move |_| {
        spawn_local(async move {
            session.logout().await;
            let _ = window().location().set_href(HOME);
        });
    };
    view! {
        <dialog node_ref=dialog class="session-dialog" role="alertdialog"
            aria-labelledby="session-dialog-titre" aria-describedby="session-dialog-texte"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                stay();
            }>
            <h2 id="session-dialog-titre">"Votre session va expirer"</h2>
            <p id="session-dialog-texte">
                "Sans action de votre part, vous serez déconnecté dans environ une minute, pour protéger les informations des familles."
            </p>
            <div class="actions">
                <button type="button" class="button primary" on:click=move |_| stay()>"Rester connecté"</button>
                <button type="button" class="button secondary" on:click=leave>"Se déconnecter"</button>
            </div>
        </dialog>
    }
}
