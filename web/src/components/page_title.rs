//! The page's `<h1>`: sets `document.title` and takes the focus after a route change, so
//! that screen reader and keyboard users start reading the new page from its top.

use std::cell::Cell;

use leptos::prelude::*;

thread_local! {
    /// False until the first page heading is shown: the initial load keeps the browser's focus.
    static NAVIGATED: Cell<bool> = const { Cell::new(false) };
}

/// Whether a page was shown before this one: `false` on the page the app started on.
pub fn navigated() -> bool {
    NAVIGATED.with(Cell::get)
}

/// Sets `document.title` to « <title> — Portail Famille ».
pub fn set_document_title(title: &str) {
    document().set_title(&format!("{title} — Portail Famille"));
}

/// The page heading.
#[component]
pub fn PageTitle(
    /// Heading text, also used for `document.title`.
    #[prop(into)]
    title: String,
) -> impl IntoView {
    set_document_title(&title);
    let heading = NodeRef::<leptos::html::H1>::new();
    let focus = NAVIGATED.with(|n| n.replace(true));
    Effect::new(move |_| {
        if let (true, Some(h1)) = (focus, heading.get()) {
            let _ = h1.focus();
        }
    });
    view! { <h1 tabindex="-1" node_ref=heading>{title}</h1> }
}
