//! API keys: how they are presented, refused, scoped, listed and revoked;
//! and `/account/me`.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::json;

async fn with_header(app: &TestApp, value: Option<&str>) -> common::Response {
    let mut builder = TestApp::request(Method::GET, "/api/v1/account/me", None);
    if let Some(value) = value {
        builder = builder.header("authorization", value);
    }
    app.send(builder.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn bearer_and_bare_keys_work() {
    let app = TestApp::new().await;
    let bearer = with_header(&app, Some(&format!("Bearer {}", app.a.key))).await;
    assert_eq!(bearer.status, StatusCode::OK, "{}", bearer.text());
    assert_eq!(bearer.json["id"], app.a.tenant.account_id.as_str());
    assert_eq!(bearer.json["name"], "account-a");
    assert_eq!(bearer.json["email"], "a@example.com");
    assert_eq!(bearer.json["livemode"], true);
    assert!(bearer.json["plan"].is_string());
    let bare = with_header(&app, Some(&app.a.key)).await;
    assert_eq!(bare.status, StatusCode::OK);
    assert_eq!(bare.json["id"], bearer.json["id"]);
    let test_mode = with_header(&app, Some(&app.a_test.key)).await;
    assert_eq!(test_mode.json["livemode"], false);
    // The ck_ spelling of an older public API reads as the same key.
    let alias = app.a.key.replacen("sk_", "ck_", 1);
    assert_eq!(with_header(&app, Some(&alias)).await.status, StatusCode::OK);
}

#[tokio::test]
async fn missing_malformed_unknown_and_mistyped_keys_get_one_identical_401() {
    let app = TestApp::new().await;
    let mut typo = app.a.key.clone().into_bytes();
    let i = typo.len() - 10;
    typo[i] = if typo[i] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).unwrap();
    let other_prefix = app.a.key.replacen("sk_live_", "pk_live_", 1);
    let wrong_mode = app.a.key.replacen("sk_live_", "sk_test_", 1);
    // A well-formed key (valid checksum) that was never issued.
    let unknown = paraph_server::auth::generate_key(true).unwrap().key;
    let cases = [
        None,
        Some("".to_owned()),
        Some("Bearer".to_owned()),
        Some("Basic dXNlcjpwYXNz".to_owned()),
        Some("Bearer sk_live_short".to_owned()),
        Some(format!("Bearer {typo}")),
        Some(format!("Bearer {other_prefix}")),
        Some(format!("Bearer {wrong_mode}")),
        Some(format!("Bearer {unknown}")),
        Some(format!("Bearer {} extra", app.a.key)),
    ];
    let mut bodies = Vec::new();
    for case in &cases {
        let r = with_header(&app, case.as_deref()).await;
        r.assert_error(401, "UNAUTHENTICATED");
        bodies.push(r.body.clone());
    }
    assert!(
        bodies.windows(2).all(|w| w[0] == w[1]),
        "every failure reads the same"
    );
}

#[tokio::test]
async fn a_missing_scope_is_403_with_the_scope_named() {
    let app = TestApp::new().await;
    let reader = app.scoped_key(&["envelopes:read"]).await;
    assert_eq!(
        app.get("/api/v1/envelopes", &reader).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/documents", &reader).await.status,
        StatusCode::OK
    );
    let r = app
        .post("/api/v1/envelopes", &reader, &json!({"subject": "S"}))
        .await;
    r.assert_error(403, "INSUFFICIENT_SCOPE");
    assert_eq!(
        r.json["error"],
        "Insufficient scope: envelopes:write required"
    );
    let r = app
        .post(
            "/api/v1/webhooks",
            &reader,
            &json!({"url": "http://127.0.0.1:9/h"}),
        )
        .await;
    r.assert_error(403, "INSUFFICIENT_SCOPE");
    assert_eq!(
        r.json["error"],
        "Insufficient scope: webhooks:write required"
    );
    app.get("/api/v1/keys", &reader)
        .await
        .assert_error(403, "INSUFFICIENT_SCOPE");
    // A writer without read scope cannot list.
    let writer = app.scoped_key(&["envelopes:write"]).await;
    app.get("/api/v1/envelopes", &writer)
        .await
        .assert_error(403, "INSUFFICIENT_SCOPE");
    // Any valid key may read its account.
    assert_eq!(
        app.get("/api/v1/account/me", &writer).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn keys_are_shown_once_listed_by_prefix_and_revoked_at_once() {
    let app = TestApp::new().await;
    let created = app
        .post(
            "/api/v1/keys",
            &app.a,
            &json!({"name": "CI", "scopes": ["envelopes:read"]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
    let key_text = created.json["key"].as_str().unwrap().to_owned();
    assert!(key_text.starts_with("sk_live_"));
    assert_eq!(created.json["scopes"], json!(["envelopes:read"]));
    assert_eq!(created.json["last4"], &key_text[key_text.len() - 4..]);
    assert!(key_text.starts_with(created.json["prefix"].as_str().unwrap()));
    let id = created.json["id"].as_str().unwrap().to_owned();

    let new_key = common::Key {
        key: key_text.clone(),
        id: id.clone(),
        tenant: app.a.tenant.clone(),
    };
    assert_eq!(
        app.get("/api/v1/envelopes", &new_key).await.status,
        StatusCode::OK
    );

    let list = app.get("/api/v1/keys", &app.a).await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!list.text().contains(&key_text), "a list never shows a key");
    assert!(!list.text().contains("hash"), "nor its hash");
    let listed = list.json["data"].as_array().unwrap();
    assert!(listed.iter().all(|k| k.get("key").is_none()));
    assert!(
        listed
            .iter()
            .any(|k| k["id"] == id.as_str() && k["revokedAt"].is_null())
    );
    assert!(
        listed.iter().all(|k| k["livemode"] == true),
        "a live key lists live keys"
    );

    let revoked = app.delete(&format!("/api/v1/keys/{id}"), &app.a).await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(revoked.json, json!({"success": true}));
    // At once: the very next request is refused.
    app.get("/api/v1/envelopes", &new_key)
        .await
        .assert_error(401, "API_KEY_REVOKED");
    let list = app.get("/api/v1/keys", &app.a).await;
    let entry = list.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == id.as_str())
        .cloned()
        .unwrap();
    assert!(entry["revokedAt"].is_string());
}

#[tokio::test]
async fn key_management_needs_every_scope_and_stays_in_its_mode() {
    let app = TestApp::new().await;
    let partial = app.scoped_key(&["envelopes:read", "envelopes:write"]).await;
    app.post("/api/v1/keys", &partial, &json!({}))
        .await
        .assert_error(403, "INSUFFICIENT_SCOPE");
    app.delete(&format!("/api/v1/keys/{}", app.a.id), &partial)
        .await
        .assert_error(403, "INSUFFICIENT_SCOPE");
    // A test key makes test keys, never live ones, and never sees live keys.
    app.post("/api/v1/keys", &app.a_test, &json!({"mode": "live"}))
        .await
        .assert_error(403, "INSUFFICIENT_SCOPE");
    let made = app.post("/api/v1/keys", &app.a_test, &json!({})).await;
    assert_eq!(made.status, StatusCode::CREATED);
    assert!(made.json["key"].as_str().unwrap().starts_with("sk_test_"));
    let list = app.get("/api/v1/keys", &app.a_test).await;
    assert!(
        list.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["livemode"] == false)
    );
    app.delete(&format!("/api/v1/keys/{}", app.a.id), &app.a_test)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.post("/api/v1/keys", &app.a, &json!({"scopes": ["admin"]}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    app.post("/api/v1/keys", &app.a, &json!({"mode": "prod"}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    app.post("/api/v1/keys", &app.a, &json!({"name": ""}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn keys_are_stored_only_as_a_hash() {
    let app = TestApp::new().await;
    let parsed = paraph_server::auth::parse_key(&app.a.key).unwrap();
    let record = app
        .store
        .key_by_public_id(&parsed.public_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.key_hash, paraph_server::auth::hash_key(&app.a.key));
    assert_ne!(record.key_hash, app.a.key);
    assert!(!record.key_hash.contains(&app.a.key[8..]));
}
