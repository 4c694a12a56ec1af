//! The frame of every page: skip link, header (town, account), menu, main and footer.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use wasm_bindgen::JsCast;

use crate::components::session_dialog::SessionExpiryDialog;
use crate::state::{use_session, use_town};

/// The tagline from the seed, shown until `/api/town` answers.
const DEFAULT_TAGLINE: &str = "Votre espace vie scolaire et sportive";

/// Landmarks around the routed page.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <a href="#contenu" class="skip-link" on:click=skip_to_content>"Aller au contenu"</a>
        <Header/>
        <MainMenu/>
        <main id="contenu" tabindex="-1">{children()}</main>
        <Footer/>
        <SessionExpiryDialog/>
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
    let town = use_town();
    let name = move || {
        town.0
            .with(|t| t.as_ref().map(|t| t.name.clone()))
            .unwrap_or_else(|| "Portail Famille".into())
    };
    let tagline = move || {
        town.0
            .with(|t| t.as_ref().map(|t| t.tagline.clone()))
            .unwrap_or_else(|| DEFAULT_TAGLINE.into())
    };
    view! {
        <header class="site-header">
            <div class="brand">
                <A href="/" attr:class="brand-link">
                    <span class="town">{name}</span>
                    <span class="tagline">{tagline}</span>
                </A>
            </div>
            <AccountArea/>
        </header>
    }
}

/// « Mon compte »: a sign-in link, or the username with « Se déconnecter ».
#[component]
fn AccountArea() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let logout = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            session.logout().await;
            navigate("/", Default::default());
        });
    };
    view! {
        <div class="account-area">
            <Show
                when=move || session.is_authenticated()
                fallback=|| view! {
                    <A href="/connexion" attr:class="account-link">
                        <span class="account-title">"Mon compte"</span>
                        <span class="account-sub">"Se connecter maintenant !"</span>
                    </A>
                }
            >
                <p class="account-user">
                    <span class="visually-hidden">"Connecté en tant que "</span>
                    {move || session.username.get().unwrap_or_default()}
                </p>
                <A href="/mon-compte" attr:class="account-link">"Mon compte"</A>
                <button type="button" class="button link-button" on:click=logout.clone()>"Se déconnecter"</button>
            </Show>
        </div>
    }
}

#[component]
fn MainMenu() -> impl IntoView {
    let session = use_session();
    view! {
        <nav class="main-menu" aria-label="Menu principal">
            <ul>
                <li><A href="/" exact=true>"Accueil"</A></li>
                <li><A href="/actualites">"Actualités"</A></li>
                <li><A href="/activites">"Activités"</A></li>
                <li><A href="/faq">"FAQ"</A></li>
                <li><A href="/documents">"Documents"</A></li>
                <Show when=move || session.is_authenticated()>
                    <li><A href="/demarches">"Démarches"</A></li>
                </Show>
            </ul>
        </nav>
    }
}

#[component]
fn Footer() -> impl IntoView {
    let town = use_town();
    let name = move || {
        town.0
            .with(|t| t.as_ref().map(|t| t.name.clone()))
            .unwrap_or_default()
    };
    // The town's contact, its lines kept (address, telephone, opening hours).
    let contact = move || {
        town.0.with(|t| {
            t.as_ref().map(|t| {
                let lines: Vec<String> = t.contact.lines().map(str::to_string).collect();
                view! {
                    <address class="footer-contact">
                        <strong>"Nous contacter"</strong>
                        {lines.into_iter().map(|line| view! { <br/>{line} }).collect_view()}
                    </address>
                }
            })
        })
    };
    view! {
        <footer class="site-footer">
            {contact}
            <ul>
                <li><A href="/accessibilite">"Accessibilité : non conforme"</A></li>
                <li><A href="/donnees-personnelles">"Mentions légales / données personnelles"</A></li>
            </ul>
            <p class="footer-town">{name}" — Portail Famille, logiciel libre (AGPL-3.0)"</p>
        </footer>
    }
}
