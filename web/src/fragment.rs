//! Tokens from email links, which arrive in the URL fragment (`/activation#token=…`) so
//! that they never reach a server log or a Referer header.

/// Reads `token=…` from `window.location.hash`, then removes the fragment from the address
/// bar (and from the history entry) so it is not bookmarked or shared by mistake.
pub fn take_token() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let hash = location.hash().ok()?;
    let token = token_in(&hash).map(|raw| {
        js_sys::decode_uri_component(raw)
            .map(String::from)
            .unwrap_or_else(|_| raw.to_string())
    });
    if !hash.is_empty() {
        let path = location.pathname().unwrap_or_else(|_| "/".into());
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
    }
    token
}

/// Pasting an email link into a tab already showing that page only changes the fragment
/// (no page load): reload so that the page reads the new token. Call once at start.
pub fn reload_on_new_token_links() {
    let handle = leptos::prelude::window_event_listener(leptos::ev::hashchange, |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let location = window.location();
        if location.hash().is_ok_and(|h| token_in(&h).is_some()) {
            let _ = location.reload();
        }
    });
    // Lives as long as the page.
    std::mem::forget(handle);
}

/// The raw (still percent-encoded) `token` value of a fragment like `#token=abc&x=y`.
fn token_in(hash: &str) -> Option<&str> {
    hash.trim_start_matches('#')
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::token_in;

    #[test]
    fn the_token_is_read_from_the_fragment() {
        assert_eq!(token_in("#token=abc"), Some("abc"));
        assert_eq!(token_in("#x=1&token=a%2Bb"), Some("a%2Bb"));
        assert_eq!(token_in("#token="), None);
        assert_eq!(token_in(""), None);
        assert_eq!(token_in("#contenu"), None);
    }
}
