//! The notices every page links to from its footer: the déclaration d'accessibilité and
//! « Données personnelles ». Their wording comes from the server (the durations are its
//! settings in force), so this only lays out sections, paragraphs and the durations table.

use leptos::prelude::*;
use shared::api::privacy::{Notice, NoticeSection, RetentionRule};

use crate::components::page_title::PageTitle;
use crate::pages::public::{load, loaded};

fn sections(sections: Vec<NoticeSection>) -> impl IntoView {
    sections
        .into_iter()
        .map(|section| {
            view! {
                <h2>{section.titre}</h2>
                {section.paragraphes.into_iter().map(|p| view! { <p>{p}</p> }).collect_view()}
            }
        })
        .collect_view()
}

fn durations(rules: Vec<RetentionRule>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="stack-table">
                <caption>"Durées de conservation appliquées par le portail"</caption>
                <thead>
                    <tr><th scope="col">"Données"</th><th scope="col">"Durée"</th><th scope="col">"Pourquoi"</th></tr>
                </thead>
                <tbody>
                    {rules.into_iter().map(|rule| view! {
                        <tr>
                            <td data-label="Données"><strong>{rule.donnees}</strong></td>
                            <td data-label="Durée">{rule.duree}</td>
                            <td data-label="Pourquoi">{rule.raison}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A notice as the server words it.
#[component]
fn NoticeView(path: &'static str) -> impl IntoView {
    let data = load::<Notice>(path.into());
    loaded(data, |notice: Notice| {
        view! {
            {notice.etat.map(|etat| view! { <p>"État de conformité : " <strong>{etat}</strong>"."</p> })}
            {sections(notice.sections)}
            {(!notice.durees.is_empty()).then(|| durations(notice.durees))}
            {sections(notice.suite)}
        }
    })
}

/// `/accessibilite`: the déclaration d'accessibilité (RGAA).
#[component]
pub fn AccessibilityPage() -> impl IntoView {
    view! {
        <PageTitle title="Accessibilité"/>
        <NoticeView path="/api/accessibilite"/>
    }
}

/// `/donnees-personnelles`: the privacy notice with the durations in force.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    view! {
        <PageTitle title="Mentions légales et données personnelles"/>
        <NoticeView path="/api/donnees-personnelles"/>
    }
}
