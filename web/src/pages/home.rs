//! « Accueil »: the town's welcome text, the login box (or a welcome), « À la une » and the
//! latest news.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::login_box::LoginBox;
use crate::components::page_title::PageTitle;
use crate::components::rich_text::RichText;
use crate::pages::public::news::HomeNews;
use crate::state::{use_session, use_town};

/// `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    let town = use_town();
    let welcome = move || {
        town.0
            .with(|t| t.as_ref().map(|t| t.welcome_text.clone()))
            .filter(|text| !text.trim().is_empty())
            .map(|text| view! { <div class="welcome-text"><RichText source=text heading_level=2/></div> })
    };
    view! {
        <PageTitle title="Accueil"/>
        {welcome}
        <div class="home-grid">
            <div class="home-account">
                <Show when=move || session.is_authenticated() fallback=|| view! { <LoginBox/> }>
                    <section class="card welcome" aria-labelledby="bienvenue-titre">
                        <h2 id="bienvenue-titre">
                            "Bienvenue"
                            {move || session.username.get().map(|name| format!(", {name}"))}
                        </h2>
                        <p>"Retrouvez vos démarches en ligne et les informations de votre compte."</p>
                        <p class="actions">
                            <A href="/demarches" attr:class="button primary">"Mes démarches"</A>
                            <A href="/mon-compte" attr:class="button secondary">"Mon compte"</A>
                        </p>
                    </section>
                </Show>
            </div>
            <div class="home-columns">
                <HomeNews/>
            </div>
        </div>
    }
}
