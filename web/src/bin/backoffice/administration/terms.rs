//! « Conditions générales d'utilisation »: the version in force and the publication of a
//! new one, confirmed, since every family must then accept it again.

use leptos::prelude::*;
use leptos::task::spawn_local;
use shared::api::content::{PublishTermsRequest, TermsResponse};
use shared::error::ErrorCode;
use shared::validation::field_errors;
use validator::Validate;

use crate::api::ApiError;
use crate::components::field::FormErrors;
use crate::components::status::StatusMessage;
use crate::dialog::ConfirmDialog;
use crate::format::date;
use crate::forms::{Form, Kind, Spec};
use crate::i18n::problem_message;
use crate::login::focus_id;
use crate::state::use_session;

#[component]
pub fn TermsSection() -> impl IntoView {
    let session = use_session();
    let current = RwSignal::new(None::<Result<TermsResponse, ApiError>>);
    let text = RwSignal::new(String::new());
    let errors = FormErrors::new();
    let done = RwSignal::new(None::<String>);
    let confirming = RwSignal::new(false);
    let pending = RwSignal::new(false);
    let publish_error = RwSignal::new(None::<String>);
    spawn_local(async move {
        let terms = crate::api::authed(session)
            .get::<TermsResponse>("/api/terms")
            .await;
        if let Ok(t) = &terms {
            text.set(t.text.clone());
        }
        current.set(Some(terms));
    });
    let next_version = move || {
        current.with(|c| match c {
            Some(Ok(t)) => t.version + 1,
            _ => 1,
        })
    };
    let ask = Callback::new(move |()| {
        errors.clear();
        done.set(None);
        // The shared rules, as the server applies them.
        let request = PublishTermsRequest {
            text: text.get_untracked(),
        };
        match request.validate() {
            Err(e) if errors.show_fields(field_errors(&e)) => {}
            _ => confirming.set(true),
        }
    });
    let close = move || {
        confirming.set(false);
        publish_error.set(None);
    };
    let publish = Callback::new(move |()| {
        let request = PublishTermsRequest {
            text: text.get_untracked(),
        };
        pending.set(true);
        spawn_local(async move {
            let result = crate::api::authed(session)
                .post::<_, TermsResponse>("/api/backoffice/cgu", &request)
                .await;
            pending.set(false);
            match result {
                Ok(terms) => {
                    confirming.set(false);
                    done.set(Some(format!(
                        "Version {} des conditions générales publiée. Chaque famille l'acceptera à sa prochaine visite.",
                        terms.version
                    )));
                    current.set(Some(Ok(terms)));
                    focus_id("cgu-titre");
                }
                Err(e) if e.code() == ErrorCode::ValidationFailed => {
                    close();
                    errors.show_api(&e);
                }
                Err(e) => publish_error.set(Some(problem_message(&e))),
            }
        });
    });
    let fields = vec![
        Spec::new("text", "Texte de la nouvelle version", text)
            .kind(Kind::Area(14))
            .hint("Texte simple ; une ligne vide sépare les paragraphes. Partez du texte en vigueur ci-dessus."),
    ];
    view! {
        <section class="card" aria-labelledby="cgu-titre">
            <h2 id="cgu-titre" tabindex="-1">"Conditions générales d'utilisation"</h2>
            <StatusMessage message=done/>
            {move || current.with(|c| match c {
                None => view! { <p class="loading">"Chargement…"</p> }.into_any(),
                Some(Err(e)) if e.status() == 404 => view! { <p class="empty">"Aucune version n'est encore publiée."</p> }.into_any(),
                Some(Err(e)) => view! { <div role="alert"><p class="notice">{problem_message(e)}</p></div> }.into_any(),
                Some(Ok(t)) => view! {
                    <h3 id="cgu-en-vigueur">{format!("Version {} en vigueur, publiée le {}", t.version, date(&t.published_at))}</h3>
                    <div class="terms keep-lines" tabindex="0" role="region" aria-labelledby="cgu-en-vigueur">{t.text.clone()}</div>
                }.into_any(),
            })}
            <h3>"Publier une nouvelle version"</h3>
            <Form prefix="cgu" fields errors pending=pending.into() on_submit=ask submit_label="Publier la nouvelle version…"/>
        </section>
        <ConfirmDialog id="cgu-publication"
            title=Signal::derive(move || format!("Publier la version {} des conditions générales ?", next_version()))
            text="Chaque famille devra l'accepter à nouveau à sa prochaine visite, avant de pouvoir utiliser son dossier.".to_string()
            confirm="Publier".to_string()
            open=confirming.into() pending=pending.into() error=publish_error.into()
            on_cancel=Callback::new(move |()| close()) on_confirm=publish/>
    }
}
