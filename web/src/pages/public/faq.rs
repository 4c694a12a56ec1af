//! FAQ: the questions by category; each opens on its answer (`<details>`: keyboard and
//! screen readers handle it natively).

use leptos::prelude::*;
use shared::api::content::{FaqEntry, FaqList};

use super::{load, loaded};
use crate::components::page_title::PageTitle;
use crate::components::rich_text::RichText;

/// The entries grouped by category, in the API's order (category, then position).
fn by_category(items: Vec<FaqEntry>) -> Vec<(String, Vec<FaqEntry>)> {
    let mut groups: Vec<(String, Vec<FaqEntry>)> = Vec::new();
    for item in items {
        match groups.last_mut() {
            Some((category, entries)) if *category == item.categorie => entries.push(item),
            _ => groups.push((item.categorie.clone(), vec![item])),
        }
    }
    groups
}

/// `/faq`.
#[component]
pub fn FaqPage() -> impl IntoView {
    let data = load::<FaqList>("/api/faq".into());
    view! {
        <PageTitle title="Questions fréquentes"/>
        {loaded(data, |list: FaqList| {
            if list.items.is_empty() {
                return view! { <p class="empty">"Aucune question n'est publiée pour le moment."</p> }.into_any();
            }
            by_category(list.items).into_iter().map(|(category, entries)| view! {
                <section class="faq-group">
                    <h2>{category}</h2>
                    {entries.into_iter().map(|entry| view! {
                        <details class="faq-entry">
                            <summary>{entry.question}</summary>
                            <div class="faq-answer"><RichText source=entry.reponse/></div>
                        </details>
                    }).collect_view()}
                </section>
            }).collect_view().into_any()
        })}
    }
}
