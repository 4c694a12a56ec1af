//! « Votre session va expirer »: a modal alert dialog a minute before the idle timeout.
//!
//! It uses the native `<dialog>` element opened with `showModal()`, which moves the focus
//! into it, makes the rest of the page inert and closes on Escape (treated as « Rester
//! connecté », the harmless choice).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::state::use_session;

/// The expiry warning; mount once in the layout.
#[component]
pub fn SessionExpiryDialog() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    Effect::new(move |_| {
        let open = session.expiry_warning.get();
        if let Some(element) = dialog.get() {
            if open && !element.open() {
                let _ = element.show_modal();
            } else if !open && element.open() {
                element.close();
            }
        }
    });
    let stay = move || {
        session.expiry_warning.set(false);
        spawn_local(async move {
            session.refresh().await;
        });
    };
    let leave = move |_| {
        let navigate = navigate.clone();
        spawn_local(async move {
            session.logout().await;
            navigate("/", Default::default());
        });
    };
    view! {
        <dialog
            node_ref=dialog
            class="session-dialog"
            role="alertdialog"
            aria-labelledby="session-dialog-titre"
            aria-describedby="session-dialog-texte"
            on:cancel=move |ev: leptos::ev::Event| {
                ev.prevent_default();
                stay();
            }
        >
            <h2 id="session-dialog-titre">"Votre session va expirer"</h2>
            <p id="session-dialog-texte">
                "Sans action de votre part, vous serez déconnecté dans environ une minute, pour protéger vos informations."
            </p>
            <div class="actions">
                <button type="button" class="button primary" on:click=move |_| stay()>"Rester connecté"</button>
                <button type="button" class="button secondary" on:click=leave>"Se déconnecter"</button>
            </div>
        </dialog>
    }
}
