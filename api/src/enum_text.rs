//! Domain enumerations (from `shared`) stored as their snake_case serde names in TEXT
//! columns, the same on both backends.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// `Role::ResponsableLegal` → `"responsable_legal"`.
pub fn to_text<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The reverse of [`to_text`]; a value the database should never hold is an error.
pub fn from_text<T: DeserializeOwned>(text: &str) -> anyhow::Result<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string()))
        .map_err(|e| anyhow::anyhow!("unexpected stored value {text:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use shared::api::dossier::{DemandeStatus, Role};

    use super::*;

    #[test]
    fn enums_round_trip_through_their_snake_case_names() {
        assert_eq!(to_text(&Role::ResponsableLegal), "responsable_legal");
        assert_eq!(
            from_text::<DemandeStatus>("en_attente_validation").expect("status"),
            DemandeStatus::EnAttenteValidation
        );
        assert!(from_text::<Role>("admin").is_err());
    }
}
