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
    /// Id of the text that explains the dialog (`aria-describedby`).
    #[prop(optional)]
    described_by: Option<String>,
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
        <dialog node_ref=dialog class="session-dialog decision-dialog" aria-labelledby=labelled_by aria-describedby=described_by
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

/// How a dialog's content cancels it (same as Escape): closes it, gives the focus back.
pub fn use_dialog_cancel() -> Callback<()> {
    expect_context::<DialogCancel>().0
}

/// « Annuler »: closes the dialog around it and gives the focus back to its opener.
#[component]
pub fn CancelButton() -> impl IntoView {
    let DialogCancel(cancel) = expect_context::<DialogCancel>();
    view! { <button type="button" class="button secondary" on:click=move |_| cancel.run(())>"Annuler"</button> }
}

/// « Supprimer … ? »: a question, what it entails, and the confirming button. A failure
/// stays in the dialog (announced); the page closes it on success.
#[component]
pub fn ConfirmDialog(
    /// Prefix of the ids of the title and text.
    id: &'static str,
    #[prop(into)] title: Signal<String>,
    #[prop(into)] text: Signal<String>,
    /// The confirming button's label (« Supprimer », « Publier »).
    #[prop(into)]
    confirm: Signal<String>,
    open: Signal<bool>,
    pending: Signal<bool>,
    error: Signal<Option<String>>,
    on_cancel: Callback<()>,
    on_confirm: Callback<()>,
    /// A destructive action (red button).
    #[prop(default = false)]
    danger: bool,
) -> impl IntoView {
    let text_id = format!("{id}-texte");
    let error_id = format!("{id}-erreur");
    view! {
        <Dialog id title open on_cancel described_by=text_id.clone()>
            <form novalidate=true on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                if !pending.get_untracked() {
                    on_confirm.run(());
                }
            }>
                <p id=text_id>{move || text.get()}</p>
                <div role="alert">{move || error.get().map(|t| view! { <p class="field-error" id=error_id.clone()>{t}</p> })}</div>
                <div class="actions">
                    <CancelButton/>
                    <button type="submit" class="button primary" class:danger-button=danger
                        aria-disabled=move || pending.get().then_some("true")>{move || confirm.get()}</button>
                </div>
            </form>
        </Dialog>
    }
}

/// What a deletion removes: its API address, the dialog's question, the message after.
#[derive(Clone)]
pub struct Doomed {
    pub path: String,
    pub question: String,
    pub done: String,
}

/// « Supprimer … ? »: confirms, sends `DELETE`, then hands the done message to the page.
#[component]
pub fn DeleteDialog(
    id: &'static str,
    /// What deleting entails.
    text: &'static str,
    doomed: RwSignal<Option<Doomed>>,
    on_deleted: Callback<String>,
) -> impl IntoView {
    let session = crate::state::use_session();
    let pending = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let close = move || {
        doomed.set(None);
        error.set(None);
    };
    let confirm = Callback::new(move |()| {
        let Some(target) = doomed.get_untracked() else {
            return;
        };
        pending.set(true);
        leptos::task::spawn_local(async move {
            let result = crate::api::authed(session).delete::<()>(&target.path).await;
            pending.set(false);
            match result {
                Ok(()) => {
                    close();
                    on_deleted.run(target.done);
                }
                Err(e) => error.set(Some(crate::i18n::problem_message(&e))),
            }
        });
    });
    view! {
        <ConfirmDialog id
            title=Signal::derive(move || doomed.with(|d| d.as_ref().map(|d| d.question.clone()).unwrap_or_default()))
            text=text.to_string() confirm="Supprimer".to_string()
            open=Signal::derive(move || doomed.with(Option::is_some))
            pending=pending.into() error=error.into()
            on_cancel=Callback::new(move |()| close()) on_confirm=confirm danger=true/>
    }
}
