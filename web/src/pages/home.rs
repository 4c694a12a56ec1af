//! « Accueil »: the login box (or a welcome) and « À la une ».

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::login_box::LoginBox;
use crate::components::page_title::PageTitle;
use crate::state::use_session;

/// `/`.
#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <PageTitle title="Accueil"/>
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
            <section class="home-news" aria-labelledby="une-titre">
                <h2 id="une-titre">"À la une"</h2>
                <p class="empty">"Aucune actualité pour le moment."</p>
            </section>
        </div>
    }
}
