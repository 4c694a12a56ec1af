//! News bodies and FAQ answers, drawn from `shared::markdown`'s blocks as DOM text nodes:
//! never `inner_html`, so nothing an agent types can become markup or script.

use leptos::prelude::*;
use shared::markdown::{Block, Inline, parse};

/// The text `source`, its subheadings at level `heading_level` (3 for a card in a page
/// whose items are `<h2>`).
#[component]
pub fn RichText(source: String, #[prop(default = 3)] heading_level: u8) -> impl IntoView {
    parse(&source)
        .into_iter()
        .map(|block| match block {
            Block::Heading(parts) => {
                let parts = inlines(parts);
                match heading_level {
                    2 => view! { <h2>{parts}</h2> }.into_any(),
                    3 => view! { <h3>{parts}</h3> }.into_any(),
                    _ => view! { <h4>{parts}</h4> }.into_any(),
                }
            }
            Block::Paragraph(parts) => view! { <p>{inlines(parts)}</p> }.into_any(),
            Block::List {
                ordered: false,
                items,
            } => view! { <ul>{items.into_iter().map(|i| view! { <li>{inlines(i)}</li> }).collect_view()}</ul> }
                .into_any(),
            Block::List {
                ordered: true,
                items,
            } => view! { <ol>{items.into_iter().map(|i| view! { <li>{inlines(i)}</li> }).collect_view()}</ol> }
                .into_any(),
        })
        .collect_view()
}

fn inlines(parts: Vec<Inline>) -> impl IntoView {
    parts
        .into_iter()
        .map(|part| match part {
            Inline::Text(text) => text.into_any(),
            Inline::Strong(text) => view! { <strong>{text}</strong> }.into_any(),
            Inline::Emphasis(text) => view! { <em>{text}</em> }.into_any(),
            Inline::Link { text, href } => {
                // Addresses outside the portal open in a new tab, which says so.
                if href.starts_with('/') {
                    view! { <a href=href>{text}</a> }.into_any()
                } else {
                    view! {
                        <a href=href target="_blank" rel="noopener noreferrer">
                            {text}<span class="visually-hidden">" (nouvelle fenêtre)"</span>
                        </a>
                    }
                    .into_any()
                }
            }
            Inline::LineBreak => view! { <br/> }.into_any(),
        })
        .collect_view()
}
