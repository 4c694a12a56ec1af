//! A polite live region for success messages (« Un lien vous a été envoyé… »).

use leptos::prelude::*;

/// Always in the DOM so that screen readers announce the message when it appears.
#[component]
pub fn StatusMessage(
    /// The message, if any.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="status" role="status">
            {move || message.get().map(|text| view! { <p>{text}</p> })}
        </div>
    }
}
