//! « Paramètres de la commune »: the name and tagline of the header, the service's contact
//! details, the town's postal codes (its residents), and the home page's welcome text
//! (with its preview).

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::content::{TownResponse, TownSettingsInput};
use shared::validation::field_errors;
use validator::Validate;

use crate::components::field::FormErrors;
use crate::components::status::StatusMessage;
use crate::forms::{Form, Kind, SYNTAX_HELP, Spec};
use crate::i18n::problem_message;
use crate::state::use_session;

#[component]
pub fn TownSection() -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let tagline = RwSignal::new(String::new());
    let contact = RwSignal::new(String::new());
    let welcome = RwSignal::new(String::new());
    let postal_codes = RwSignal::new(String::new());
    let dpo = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let show = move |town: TownResponse| {
        name.set(town.name);
        tagline.set(town.tagline);
        contact.set(town.contact);
        welcome.set(town.welcome_text);
        postal_codes.set(town.codes_postaux);
        dpo.set(town.dpo_contact);
    };
    spawn_local(async move {
        match crate::api::authed(session)
            .get::<TownResponse>("/api/town")
            .await
        {
            Ok(town) => show(town),
            Err(e) => errors.general.set(Some(problem_message(&e))),
        }
    });
    let submit = Callback::new(move |()| {
        errors.clear();
        done.set(None);
        let input = TownSettingsInput {
            name: name.get_untracked().trim().to_string(),
            tagline: tagline.get_untracked().trim().to_string(),
            contact: contact.get_untracked().trim().to_string(),
            welcome_text: welcome.get_untracked(),
            codes_postaux: postal_codes.get_untracked(),
            dpo_contact: dpo.get_untracked().trim().to_string(),
        };
        // The shared rules, as the server applies them.
        if let Err(e) = input.validate()
            && errors.show_fields(field_errors(&e))
        {
            return;
        }
        pending.set(true);
        spawn_local(async move {
            let result = crate::api::authed(session)
                .put::<_, TownResponse>("/api/backoffice/town", &input)
                .await;
            pending.set(false);
            match result {
                Ok(town) => {
                    show(town);
                    done.set(Some("Paramètres de la commune enregistrés : le portail les affiche (les visiteurs déjà présents les verront d'ici quelques minutes).".into()));
                }
                Err(e) => errors.show_api(&e),
            }
        });
    });
    let fields = vec![
        Spec::new("name", "Nom de la commune", name)
            .hint("En tête de chaque page et dans la signature des emails, par exemple « Ville de Chartres »."),
        Spec::new("tagline", "Accroche", tagline)
            .hint("Sous le nom, par exemple « Votre espace vie scolaire et sportive »."),
        Spec::new("contact", "Coordonnées du service", contact)
            .kind(Kind::Area(4))
            .hint("Adresse, téléphone, horaires : en pied de page et sur la page d'accueil, retours à la ligne conservés."),
        Spec::new("codes_postaux", "Codes postaux de la commune", postal_codes)
            .optional()
            .hint("Séparés par des espaces, par exemple « 28000 ». Les familles dont l'adresse a l'un de ces codes sont résidentes : certaines périodes leur ouvrent plus tôt."),
        Spec::new("dpo_contact", "Délégué à la protection des données", dpo)
            .kind(Kind::Area(3))
            .optional()
            .hint("Nom ou service et moyen de le joindre (adresse, email) : affiché sur la page « Données personnelles ». Vide : les coordonnées du service ci-dessus."),
        Spec::new("welcome_text", "Texte d'accueil", welcome)
            .kind(Kind::Area(8))
            .optional()
            .hint(SYNTAX_HELP),
    ];
    view! {
        <section class="card" aria-labelledby="commune-titre">
            <h2 id="commune-titre">"Paramètres de la commune"</h2>
            <StatusMessage message=done/>
            <Form prefix="commune" fields errors pending=pending.into() on_submit=submit
                submit_label="Enregistrer les paramètres" preview=(welcome, None)/>
        </section>
    }
}
