//! `ETag` and `If-Match` for what applications read and then change (a decision on a
//! request, the town's ids on a dossier): the tag names the representation the
//! application read — a hash of its JSON —, so a write sent with `If-Match` is refused
//! with 412 when anything in it changed since (another application, an agent, the family),
//! as families' dossier writes are (SECURITY.md H-01). Without `If-Match` the write
//! applies to the current state, as `If-Match: *` would.

use sha2::Digest;

use crate::error::ApiError;

/// The strong `ETag` of `view`, quoted.
pub fn tag_of(view: &impl serde::Serialize) -> Result<String, ApiError> {
    let json = serde_json::to_vec(view).map_err(anyhow::Error::from)?;
    Ok(format!(
        "\"{}\"",
        &hex::encode(sha2::Sha256::digest(&json))[..32]
    ))
}

/// Whether a write with `if_match` (the header's value, if sent) may change the
/// representation tagged `current`: 412 otherwise.
pub fn check(if_match: Option<&str>, current: &str) -> Result<(), ApiError> {
    let Some(value) = if_match else {
        return Ok(());
    };
    // A weak tag never matches (RFC 9110 §13.1.1: If-Match compares strongly).
    let matches = value
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current);
    if matches {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_proceeds_on_the_tag_it_read_or_without_one() {
        let read = tag_of(&serde_json::json!({"status": "en_attente_validation"})).expect("tag");
        let now = tag_of(&serde_json::json!({"status": "a_completer"})).expect("tag");
        assert_ne!(read, now);
        assert!(check(None, &now).is_ok());
        assert!(check(Some("*"), &now).is_ok());
        assert!(check(Some(&now), &now).is_ok());
        assert!(check(Some(&format!("\"x\", {now}")), &now).is_ok());
        assert!(matches!(
            check(Some(&read), &now),
            Err(ApiError::PreconditionFailed)
        ));
        assert!(check(Some(&format!("W/{now}")), &now).is_err());
        assert!(check(Some(""), &now).is_err());
    }
}
