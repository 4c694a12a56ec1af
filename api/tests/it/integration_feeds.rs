//! What connected applications read beyond dossiers (issue 14): submitted requests with
//! their history, pieces with their files, and inscriptions, each incrementally with
//! tombstones; drafts are never shown; every read is in the family's « Consultations de
//! mon dossier »; each feed answers its own scope only.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest;

use crate::activities::families;
use crate::helpers::spawn::TestApp;
use crate::helpers::spawn_app;
use crate::http::review::submitted;
use crate::inscriptions::{create_activite, create_periode, enrol, family_of, periode_input};
use crate::integrations::{connect, get, token};

/// Pages through `feed` (`/api/integration/v1/<feed>`) from `cursor` until `done` holds of
/// what was read, and answers it with the cursor where it ended. PostgreSQL's horizon is
/// the whole cluster's: another test's open transaction may hold a change back a moment
/// (it lags, it is never skipped), so the feed is read again until then.
pub(crate) async fn read_until(
    app: &TestApp,
    access: &str,
    feed: &str,
    cursor: Option<String>,
    done: impl Fn(&[Value]) -> bool,
) -> (Vec<Value>, String) {
    let mut items: Vec<Value> = Vec::new();
    let mut cursor = cursor;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/integration/v1/{feed}?limit=3&cursor={c}"),
            None => format!("/api/integration/v1/{feed}?limit=3"),
        };
        let (status, page) = get(app, &path, access).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        items.extend(page["items"].as_array().expect("items").iter().cloned());
        cursor = Some(page["next_cursor"].as_str().expect("cursor").to_string());
        if page["has_more"] == true {
            continue;
        }
        if done(&items) {
            return (items, cursor.unwrap_or_default());
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{feed}: not there yet: {items:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The last change about `id` among `items`.
pub(crate) fn last_about<'a>(items: &'a [Value], id: &str) -> Option<&'a Value> {
    items.iter().rev().find(|i| i["id"] == id)
}

#[tokio::test]
async fn requests_and_pieces_are_read_once_submitted_then_as_they_change() {
    let app = spawn_app().await;
    let (client, secret, admin) = connect(&app, &["demandes:read", "pieces:read"]).await;
    let access = token(&app, &client, &secret).await;
    let (_, start_demandes) = read_until(&app, &access, "demandes", None, |_| true).await;
    let (_, start_pieces) = read_until(&app, &access, "pieces", None, |_| true).await;

    // The family builds its dossier and provides its pieces: a draft, nobody else's
    // business. Then it submits.
    let family = app.family().await;
    let (dossier, demande) = submitted(&app, &family).await;
    let (demandes, after_submit) =
        read_until(&app, &access, "demandes", Some(start_demandes), |items| {
            last_about(items, &demande).is_some()
        })
        .await;
    let change = last_about(&demandes, &demande).expect("the request");
    assert_eq!(change["deleted"], false);
    assert_eq!(change["dossier_id"], dossier.as_str());
    assert_eq!(change["demande"]["status"], "en_attente_validation");
    assert_eq!(change["demande"]["kind"], "creation_dossier");
    let history: Vec<&str> = change["demande"]["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|e| e["status"].as_str())
        .collect();
    assert_eq!(history, ["brouillon", "en_attente_validation"]);

    let (pieces, _) = read_until(
        &app,
        &access,
        "pieces",
        Some(start_pieces.clone()),
        |items| {
            let ids: std::collections::HashSet<&str> = items
                .iter()
                .filter(|i| i["dossier_id"] == dossier.as_str())
                .filter_map(|i| i["id"].as_str())
                .collect();
            ids.len() >= 2
        },
    )
    .await;
    // A piece may change twice across pages (its row, then its file): its last change
    // counts.
    let mut ours: Vec<&Value> = Vec::new();
    for item in pieces
        .iter()
        .filter(|i| i["dossier_id"] == dossier.as_str())
    {
        ours.retain(|seen| seen["id"] != item["id"]);
        ours.push(item);
    }
    let mut types: Vec<&str> = ours
        .iter()
        .filter_map(|i| i["piece"]["type_code"].as_str())
        .collect();
    types.sort_unstable();
    assert_eq!(types, ["justificatif_domicile", "livret_famille"]);
    // A file, downloaded by the application, is the one the feed describes.
    let piece = ours[0];
    let file = &piece["piece"]["fichiers"][0];
    let response = app
        .get_auth(
            &format!(
                "/api/integration/v1/pieces/{}/fichiers/{}",
                piece["id"].as_str().expect("id"),
                file["id"].as_str().expect("file id")
            ),
            &access,
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .is_ok_and(|v| v.starts_with("attachment"))
    );
    let bytes = response.bytes().await.expect("file");
    assert_eq!(
        hex::encode(sha2::Sha256::digest(&bytes)),
        file["sha256"].as_str().expect("sha256")
    );

    // The agent asks for a correction: the request changes, with its new step.
    let (status, _) = {
        let response = app
            .post_json_auth(
                &format!("/api/backoffice/demandes/{demande}/decision"),
                &admin,
                &json!({"decision": "a_completer", "message": "Merci de renvoyer un justificatif lisible."}),
            )
            .await;
        (response.status(), ())
    };
    assert_eq!(status, StatusCode::OK);
    let (demandes, _) = read_until(&app, &access, "demandes", Some(after_submit), |items| {
        last_about(items, &demande).is_some()
    })
    .await;
    let change = last_about(&demandes, &demande).expect("the request again");
    assert_eq!(change["demande"]["status"], "a_completer");
    let last_step = change["demande"]["history"]
        .as_array()
        .and_then(|h| h.last())
        .cloned()
        .expect("a step");
    assert_eq!(
        (last_step["status"].as_str(), last_step["message"].as_str()),
        (
            Some("a_completer"),
            Some("Merci de renvoyer un justificatif lisible.")
        )
    );

    // The family deletes a piece to provide it again: a tombstone.
    let gone = ours
        .iter()
        .find(|p| p["piece"]["type_code"] == "justificatif_domicile")
        .and_then(|p| p["id"].as_str())
        .expect("the proof of address")
        .to_string();
    let response = app
        .client
        .delete(app.url(&format!("/api/dossiers/{dossier}/pieces/{gone}")))
        .bearer_auth(&family.access_token)
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (pieces, _) = read_until(&app, &access, "pieces", Some(start_pieces), |items| {
        last_about(items, &gone).is_some_and(|c| c["deleted"] == true)
    })
    .await;
    let tombstone = last_about(&pieces, &gone).expect("tombstone");
    assert_eq!(tombstone["piece"], Value::Null);
    assert_eq!(tombstone["dossier_id"], dossier.as_str());

    // One request by id; a draft or an unknown id is not found.
    let (status, one) = get(
        &app,
        &format!("/api/integration/v1/demandes/{demande}"),
        &access,
    )
    .await;
    assert_eq!(
        (status, one["status"].as_str()),
        (StatusCode::OK, Some("a_completer"))
    );
    let other = app.family().await;
    let draft = crate::http::dossiers::seed_household(&app, &other).await;
    let draft_demande = draft["demande"]["id"].as_str().expect("demande");
    let (status, _) = get(
        &app,
        &format!("/api/integration/v1/demandes/{draft_demande}"),
        &access,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The family sees the application's reads of its dossier.
    let (status, consultations) = get(
        &app,
        &format!("/api/dossiers/{dossier}/consultations"),
        &family.access_token,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let by_app = consultations["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|c| {
            c["service"]
                .as_str()
                .is_some_and(|s| s.starts_with("Application connectée « Logiciel enfance "))
        })
        .count();
    assert!(by_app >= 3, "{consultations}");

    // Each feed answers its own scope only.
    let (status, problem) = get(&app, "/api/integration/v1/inscriptions", &access).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
}

#[tokio::test]
async fn inscriptions_are_read_as_they_change_and_a_cancelled_one_is_a_tombstone() {
    let app = spawn_app().await;
    let (client, secret, admin) = connect(&app, &["inscriptions:read"]).await;
    let access = token(&app, &client, &secret).await;
    let (_, start) = read_until(&app, &access, "inscriptions", None, |_| true).await;

    let ours = families(&app, 1);
    let (dossier, child) = &ours[0];
    let family = family_of(&app, dossier).await;
    let activite = create_activite(&app, &admin).await;
    let periode = create_periode(
        &app,
        &admin,
        &activite,
        &periode_input(10, "automatique", None),
    )
    .await;
    let enrolled = enrol(&app, &family, &periode, child).await;
    let id = enrolled["id"].as_str().expect("id").to_string();

    let (items, after_enrol) = read_until(&app, &access, "inscriptions", Some(start), |items| {
        last_about(items, &id).is_some()
    })
    .await;
    let change = last_about(&items, &id).expect("the inscription");
    assert_eq!(change["deleted"], false);
    let inscription = &change["inscription"];
    assert_eq!(
        (
            inscription["statut"].as_str(),
            inscription["enfant_id"].as_str(),
            inscription["periode_id"].as_str(),
            inscription["activite_id"].as_str(),
            inscription["dossier_id"].as_str(),
        ),
        (
            Some("confirmee"),
            Some(child.as_str()),
            Some(periode.as_str()),
            Some(activite.as_str()),
            Some(dossier.as_str())
        )
    );

    // The family cancels: the change says so, as a tombstone that keeps the status.
    let response = app
        .post_json_auth(
            &format!("/api/inscriptions/{id}/annulation"),
            &family.access_token,
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let (items, _) = read_until(&app, &access, "inscriptions", Some(after_enrol), |items| {
        last_about(items, &id).is_some()
    })
    .await;
    let change = last_about(&items, &id).expect("the cancellation");
    assert_eq!(change["deleted"], true);
    assert_eq!(change["inscription"]["statut"], "annulee");

    let (status, one) = get(
        &app,
        &format!("/api/integration/v1/inscriptions/{id}"),
        &access,
    )
    .await;
    assert_eq!(
        (status, one["statut"].as_str()),
        (StatusCode::OK, Some("annulee"))
    );
    let (status, _) = get(&app, "/api/integration/v1/demandes", &access).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
