//! Tokens from email links, which arrive in the URL fragment (`/activation#token=…`) so
//! that they never reach a server log or a Referer header.

/// Reads `token=…` from `window.location.hash`, then removes the fragment from the address
/// bar (and from the history entry) so it is not bookmarked or shared by mistake.
pub fn take_token() -> Option<String> {
    let window = web_sys::window()?;
    let location = window.location();
    let hash = location.hash().ok()?;
    let token = hash
        .trim_start_matches('#')
        .split('&')
        .find_map(|pair| pair.strip_prefix("token="))
        .map(|raw| {
            js_sys::decode_uri_component(raw)
                .map(String::from)
                .unwrap_or_else(|_| raw.to_string())
        })
        .filter(|t| !t.is_empty());
    if !hash.is_empty() {
        let path = location.pathname().unwrap_or_else(|_| "/".into());
        if let Ok(history) = window.history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path));
        }
    }
    token
}
