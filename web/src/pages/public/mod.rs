//! The public pages that the town fills from the back office: « À la une » on the home
//! page, ACTUALITÉS (list and detail), FAQ and DOCUMENTS. Anyone can read them, signed in
//! or not; their answers are cacheable (`ETag`), so coming back to a page costs a 304.

pub mod documents;
pub mod faq;
pub mod news;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::de::DeserializeOwned;

use crate::api::{self, ApiError};
use crate::i18n::problem_message;

/// A public answer being loaded: `None` until it arrives.
pub type Loading<T> = RwSignal<Option<Result<T, ApiError>>>;

/// Starts loading the public resource at `path`.
pub fn load<T: DeserializeOwned + Send + Sync + 'static>(path: String) -> Loading<T> {
    let data = RwSignal::new(None);
    spawn_local(async move { data.set(Some(api::get::<T>(&path).await)) });
    data
}

/// « Chargement… », the error in French, or what `show` draws of the answer.
pub fn loaded<T: Clone + Send + Sync + 'static, V: IntoView + 'static>(
    data: Loading<T>,
    show: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView {
    move || match data.get() {
        None => view! { <p class="loading" role="status">"Chargement…"</p> }.into_any(),
        Some(Err(error)) => {
            view! { <div role="alert"><p class="notice">{problem_message(&error)}</p></div> }
                .into_any()
        }
        Some(Ok(value)) => show(value).into_any(),
    }
}
