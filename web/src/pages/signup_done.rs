//! « Merci de votre inscription ! ».

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::page_title::PageTitle;

/// `/inscription-terminee` (`?rattachement=1` after a sign-up with a dossier reference).
#[component]
pub fn SignupDonePage() -> impl IntoView {
    let rattachement = use_query_map().with_untracked(|q| q.get("rattachement").is_some());
    view! {
        <PageTitle title="Merci de votre inscription !"/>
        <p class="success">"Votre compte a été créé avec succès. Vous allez recevoir un email afin d'activer votre compte."</p>
        <p>"Pensez à vérifier vos courriers indésirables si vous ne le trouvez pas."</p>
        {rattachement.then(|| view! {
            <p>"Une fois votre compte activé, connectez-vous et terminez le rattachement à votre dossier famille dans « Mes démarches » : un code sera envoyé à l'adresse e-mail enregistrée pour ce dossier, ou, si la mairie n'en a pas, elle vérifiera votre demande."</p>
        })}
    }
}
