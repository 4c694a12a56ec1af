//! The back office's modal dialog: a native `<dialog>` opened with `showModal()` (the page
//! behind is inert, Escape closes it) that gives the focus back to its opener when cancelled.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// A dialog shown while `open` is true; « Annuler » and Escape call `on_cancel`.
#[component]
pub fn Dialog(
    /// Prefix of the ids of the title.
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    open: Signal<bool>,
    on_cancel: Callback<()>,
    children: Children,
) -> impl IntoView {
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let opener = StoredValue::new_local(None::<web_sys::HtmlElement>);
    let cancelled = StoredValue::new(false);
    Effect::new(move |_| {
        let is_open = open.get();
        if let Some(element) = dialog.get() {
            if is_open && !element.open() {
                cancelled.set_value(false);
                opener.set_value(
                    document()
                        .active_element()
                        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()),
                );
                let _ = element.show_modal();
            } else if !is_open && element.open() {
                element.close();
            }
        }
    });
    let cancel = Callback::new(move |()| {
        cancelled.set_value(true);
        on_cancel.run(());
    });
    provide_context(DialogCancel(cancel));
    let (title_id, labelled_by) = (format!("{id}-titre"), format!("{id}-titre"));
    view! {
        <dialog node_ref=dialog class="session-dialog decision-dialog" aria-labelledby=labelled_by
            on:cancel=move |_: leptos::ev::Event| cancel.run(())
            on:close=move |_: leptos::ev::Event| {
                if cancelled.get_value()
                    && let Some(element) = opener.with_value(|o| o.clone().filter(|e| e.is_connected()))
                {
                    let _ = element.focus();
                }
            }>
            <h2 id=title_id>{move || title.get()}</h2>
            {children()}
        </dialog>
    }
}

/// How a dialog's content cancels it (same as Escape).
#[derive(Clone, Copy)]
struct DialogCancel(Callback<()>);

/// « Annuler »: closes the dialog around it and gives the focus back to its opener.
#[component]
pub fn CancelButton() -> impl IntoView {
    let DialogCancel(cancel) = expect_context::<DialogCancel>();
    view! { <button type="button" class="button secondary" on:click=move |_| cancel.run(())>"Annuler"</button> }
}
