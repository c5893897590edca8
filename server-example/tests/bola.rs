//! Broken object-level authorisation (OWASP API1): on every route that
//! takes an id, another account's id — and a live id seen with a test key
//! of the same account — is 404, exactly like an id that does not exist,
//! never 403. The routes come from the OpenAPI document, so a route added
//! later is covered or makes this test fail.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::TestApp;
use serde_json::json;

#[tokio::test]
async fn every_route_with_an_id_answers_404_for_another_accounts_resources() {
    let app = TestApp::new().await;
    // Account A owns one of everything.
    let envelope = app.draft(&app.a).await;
    let document = app.upload_pdf(&app.a).await;
    let webhook = app
        .post(
            "/api/v1/webhooks",
            &app.a,
            &json!({"url": "http://127.0.0.1:9/hook"}),
        )
        .await;
    let webhook = webhook.json["id"].as_str().unwrap().to_owned();
    let key = app.a.id.clone();
    let id_for = |path: &str| -> String {
        if path.starts_with("/api/v1/envelopes/") {
            envelope.clone()
        } else if path.starts_with("/api/v1/documents/") {
            document.clone()
        } else if path.starts_with("/api/v1/webhooks/") {
            webhook.clone()
        } else if path.starts_with("/api/v1/keys/") {
            key.clone()
        } else {
            panic!("no resource of account A for {path}: extend this test");
        }
    };

    let doc = paraph_server::app::openapi();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.contains("{id}") {
            continue;
        }
        for (method, _) in item.as_object().unwrap() {
            let method: Method = method.to_ascii_uppercase().parse().unwrap();
            let concrete = path.replace("{id}", &id_for(path));
            for (who, key) in [("account B", &app.b), ("A's test key", &app.a_test)] {
                let body = if method == Method::PATCH || method == Method::POST {
                    Body::from("{}")
                } else {
                    Body::empty()
                };
                let r = app
                    .send(
                        TestApp::request(method.clone(), &concrete, Some(key))
                            .header("content-type", "application/json")
                            .body(body)
                            .unwrap(),
                    )
                    .await;
                assert_eq!(
                    r.status,
                    StatusCode::NOT_FOUND,
                    "{who}: {method} {concrete}: {}",
                    r.text()
                );
                assert_eq!(
                    r.json["code"], "RESOURCE_NOT_FOUND",
                    "{who}: {method} {concrete}"
                );
                // Exactly what an id that exists nowhere gets.
                let missing = path.replace("{id}", "missing_0000");
                let nowhere = app
                    .send(
                        TestApp::request(method.clone(), &missing, Some(key))
                            .header("content-type", "application/json")
                            .body(if method == Method::PATCH {
                                Body::from("{}")
                            } else {
                                Body::empty()
                            })
                            .unwrap(),
                    )
                    .await;
                assert_eq!(nowhere.status, StatusCode::NOT_FOUND, "{method} {missing}");
                assert_eq!(nowhere.json["code"], r.json["code"]);
                checked += 1;
            }
        }
    }
    assert!(checked >= 12, "{checked} route checks");

    // And A's resources are untouched and still A's.
    assert_eq!(
        app.get(&format!("/api/v1/envelopes/{envelope}"), &app.a)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/documents/{document}"), &app.a)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/webhooks", &app.a).await.json["pagination"]["total"],
        1
    );
    assert_eq!(
        app.get("/api/v1/account/me", &app.a).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn lists_show_only_the_callers_resources() {
    let app = TestApp::new().await;
    app.draft(&app.a).await;
    app.post(
        "/api/v1/webhooks",
        &app.a,
        &json!({"url": "http://127.0.0.1:9/hook"}),
    )
    .await;
    for path in ["/api/v1/envelopes", "/api/v1/documents", "/api/v1/webhooks"] {
        assert!(
            app.get(path, &app.a).await.json["pagination"]["total"]
                .as_u64()
                .unwrap()
                >= 1,
            "{path}"
        );
        for key in [&app.b, &app.a_test] {
            let r = app.get(path, key).await;
            assert_eq!(r.json["pagination"]["total"], 0, "{path}");
            assert_eq!(r.json["data"], json!([]));
        }
    }
    let b_keys = app.get("/api/v1/keys", &app.b).await;
    let ids: Vec<&str> = b_keys.json["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [app.b.id.as_str()]);
}

#[tokio::test]
async fn another_accounts_documents_cannot_be_put_in_an_envelope() {
    let app = TestApp::new().await;
    let document = app.upload_pdf(&app.a).await;
    app.post(
        "/api/v1/envelopes",
        &app.b,
        &json!({"subject": "S", "documentIds": [document]}),
    )
    .await
    .assert_error(404, "RESOURCE_NOT_FOUND");
    app.post(
        "/api/v1/envelopes",
        &app.a_test,
        &json!({"subject": "S", "documentIds": [document]}),
    )
    .await
    .assert_error(404, "RESOURCE_NOT_FOUND");
}
