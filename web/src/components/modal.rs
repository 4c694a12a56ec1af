//! Modal dialogs: the confirmation before a destructive action (« Supprimer ce membre ? »,
//! « Supprimer ce justificatif ? ») and the focus return every dialog needs.
//!
//! They use the native `<dialog>` opened with `showModal()`: the page behind is inert (the
//! focus stays inside) and Escape closes it. When a dialog is cancelled, the focus goes back
//! to the element that opened it.

use leptos::prelude::*;
use uuid::Uuid;
use wasm_bindgen::JsCast;

use crate::pages::dossier::focus_selector;

/// The element that had the focus when a dialog opened, to give it back when the dialog is
/// cancelled (the native `<dialog>` does it only in recent browsers).
#[derive(Clone, Copy)]
pub struct Opener(StoredValue<Option<web_sys::HtmlElement>, LocalStorage>);

impl Opener {
    /// Nothing remembered yet.
    pub fn new() -> Self {
        Self(StoredValue::new_local(None))
    }

    /// Notes the focused element (call just before `showModal()`).
    pub fn remember(self) {
        self.0.set_value(
            document()
                .active_element()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
        );
    }

    /// Focuses it again, or `fallback` when it left the page meanwhile.
    pub fn focus_or(self, fallback: &'static str) {
        match self
            .0
            .with_value(|o| o.clone().filter(|e| e.is_connected()))
        {
            Some(element) => {
                let _ = element.focus();
            }
            None => focus_selector(fallback),
        }
    }
}

impl Default for Opener {
    fn default() -> Self {
        Self::new()
    }
}

/// « Supprimer … ? » before deleting `subject` (its id and name): open while it is `Some`.
/// « Annuler » and Escape call `on_cancel` (the owner then clears `subject`) and give the
/// focus back; after a confirmed deletion the owner clears `subject` and decides where the
/// focus goes.
#[component]
pub fn ConfirmDialog(
    /// Prefix of the ids of the title and text.
    id: &'static str,
    title: &'static str,
    /// What is about to be deleted.
    subject: RwSignal<Option<(Uuid, String)>>,
    /// What will happen, from the subject's name.
    describe: fn(&str) -> String,
    /// The label of the confirming button.
    confirm_label: &'static str,
    /// Whether the action runs: the button ignores clicks meanwhile.
    pending: RwSignal<bool>,
    /// Why the action failed.
    error: RwSignal<Option<String>>,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let opener = Opener::new();
    let cancelled = StoredValue::new(false);
    Effect::new(move |_| {
        let open = subject.with(Option::is_some);
        if let Some(element) = dialog.get() {
            if open && !element.open() {
                cancelled.set_value(false);
                opener.remember();
                let _ = element.show_modal();
            } else if !open && element.open() {
                element.close();
            }
        }
    });
    let cancel = move || {
        cancelled.set_value(true);
        on_cancel.run(());
    };
    let (title_id, text_id) = (format!("{id}-titre"), format!("{id}-texte"));
    view! {
        // Escape fires `cancel`, then the browser closes the dialog itself.
        <dialog node_ref=dialog class="session-dialog" aria-labelledby=title_id aria-describedby=text_id
            on:cancel=move |_: leptos::ev::Event| cancel()
            on:close=move |_: leptos::ev::Event| if cancelled.get_value() { opener.focus_or("main h2.step-heading") }>
            <h2 id=title_id.clone()>{title}</h2>
            <p id=text_id.clone()>{move || subject.with(|s| s.as_ref().map(|(_, name)| describe(name)))}</p>
            {move || error.get().map(|text| view! { <p class="field-error" role="alert">{text}</p> })}
            <div class="actions">
                <button type="button" class="button secondary" on:click=move |_| cancel()>"Annuler"</button>
                // aria-disabled keeps the focus on the button while the action runs.
                <button type="button" class="button primary" aria-disabled=move || pending.get().then_some("true")
                    on:click=move |_| if !pending.get_untracked() { on_confirm.run(()) }>
                    {confirm_label}
                </button>
            </div>
        </dialog>
    }
}
