//! « Merci de votre inscription ! ».

use leptos::prelude::*;

use crate::components::page_title::PageTitle;

/// `/inscription-terminee`.
#[component]
pub fn SignupDonePage() -> impl IntoView {
    view! {
        <PageTitle title="Merci de votre inscription !"/>
        <p class="success">"Votre compte a été créé avec succès. Vous allez recevoir un email afin d'activer votre compte."</p>
        <p>"Pensez à vérifier vos courriers indésirables si vous ne le trouvez pas."</p>
    }
}
