//! The notices every page links to from its footer: the déclaration d'accessibilité and
//! « Données personnelles ». Their wording comes from the server (the durations are its
//! settings in force), so this only lays out sections, paragraphs and the durations table.

use leptos::prelude::*;
use shared::api::privacy::{AccessibilityStatement, NoticeSection, PrivacyNotice, RetentionRule};

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

/// `/accessibilite`: the déclaration d'accessibilité (RGAA).
#[component]
pub fn AccessibilityPage() -> impl IntoView {
    let data = load::<AccessibilityStatement>("/api/accessibilite".into());
    view! {
        <PageTitle title="Accessibilité"/>
        {loaded(data, |statement: AccessibilityStatement| view! {
            <p>"État de conformité : " <strong>{statement.etat}</strong>"."</p>
            {sections(statement.sections)}
        })}
    }
}

/// `/donnees-personnelles`: the privacy notice with the durations in force.
#[component]
pub fn PrivacyPage() -> impl IntoView {
    let data = load::<PrivacyNotice>("/api/donnees-personnelles".into());
    view! {
        <PageTitle title="Mentions légales et données personnelles"/>
        {loaded(data, |notice: PrivacyNotice| view! {
            {sections(notice.sections)}
            {durations(notice.durees)}
            {sections(notice.suite)}
        })}
    }
}
