//! DOCUMENTS: the town's public PDFs by category, each with its size and a download link.

use leptos::prelude::*;
use shared::api::content::{PublicDocument, PublicDocumentList};
use shared::pieces::human_size;

use super::{load, loaded};
use crate::components::page_title::PageTitle;
use crate::format::long_date;

/// The documents grouped by category, in the API's order.
fn by_category(items: Vec<PublicDocument>) -> Vec<(String, Vec<PublicDocument>)> {
    let mut groups: Vec<(String, Vec<PublicDocument>)> = Vec::new();
    for item in items {
        match groups
            .iter_mut()
            .find(|(category, _)| *category == item.categorie)
        {
            Some((_, documents)) => documents.push(item),
            None => groups.push((item.categorie.clone(), vec![item])),
        }
    }
    groups
}

/// `/documents`.
#[component]
pub fn DocumentsPage() -> impl IntoView {
    let data = load::<PublicDocumentList>("/api/documents".into());
    view! {
        <PageTitle title="Documents"/>
        {loaded(data, |list: PublicDocumentList| {
            if list.items.is_empty() {
                return view! { <p class="empty">"Aucun document n'est publié pour le moment."</p> }.into_any();
            }
            by_category(list.items).into_iter().map(|(category, documents)| view! {
                <section class="documents-group">
                    <h2>{category}</h2>
                    <ul class="documents">
                        {documents.into_iter().map(|doc| view! {
                            <li>
                                // A plain link: the API answers the PDF as an attachment.
                                <a href=format!("/api/documents/{}/fichier", doc.id) download="">
                                    {doc.titre.clone()}
                                    <span class="visually-hidden">" — télécharger"</span>
                                </a>
                                <span class="document-meta">
                                    {format!(" PDF, {} — publié le {}", human_size(doc.taille), long_date(&doc.publie_le))}
                                </span>
                            </li>
                        }).collect_view()}
                    </ul>
                </section>
            }).collect_view().into_any()
        })}
    }
}
