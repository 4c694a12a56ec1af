//! The first screen `index.html` paints before the WASM arrives (the town's header, the
//! menu, « Chargement… »). The server writes the town's settings into it — as text for the
//! header, and as `/api/town`'s JSON in a data block — so the app starts with them: no
//! header flickering to a default, no welcome text pushing the page down once a request
//! answers. The app removes the first screen before mounting.

use std::cell::RefCell;

use shared::api::content::TownResponse;

thread_local! {
    static TOWN: RefCell<Option<TownResponse>> = const { RefCell::new(None) };
}

/// Keeps the town's settings of the first screen, then removes it.
pub fn take_over() {
    let document = leptos::prelude::document();
    let town = document
        .get_element_by_id("donnees-commune")
        .and_then(|block| block.text_content())
        .and_then(|json| serde_json::from_str::<Option<TownResponse>>(&json).ok())
        .flatten();
    TOWN.with(|cell| *cell.borrow_mut() = town);
    if let Some(screen) = document.get_element_by_id("premier-ecran") {
        screen.remove();
    }
}

/// The town's settings the server wrote into the first screen, if it could.
pub fn town() -> Option<TownResponse> {
    TOWN.with(|town| town.borrow().clone())
}
