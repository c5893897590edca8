//! Rate limits per key, and `Idempotency-Key`.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::{Options, TestApp, from_peer, multipart, pdf};
use paraph_server::ratelimit::RateLimitConfig;
use serde_json::json;

#[tokio::test]
async fn the_default_bucket_allows_200_then_answers_429_with_retry_after() {
    let app = TestApp::with(Options {
        rate_limits: RateLimitConfig::default(),
        ..Default::default()
    })
    .await;
    let started = std::time::Instant::now();
    for i in 0..200 {
        let r = app.get("/api/v1/account/me", &app.a).await;
        assert_eq!(r.status, StatusCode::OK, "request {i}");
        if i == 0 {
            assert_eq!(r.headers["ratelimit-policy"], "\"default\";q=200;w=120");
            assert_eq!(r.headers["ratelimit"], "\"default\";r=199;t=1");
        }
    }
    // The bucket refills at 100 a minute while the 200 run (slowly, on a
    // loaded machine or PostgreSQL): those tokens may be spent first, and
    // no more.
    let refilled = (started.elapsed().as_secs_f64() * 100.0 / 60.0).ceil() as usize + 1;
    let mut r = app.get("/api/v1/account/me", &app.a).await;
    for _ in 0..refilled {
        if r.status != StatusCode::OK {
            break;
        }
        r = app.get("/api/v1/account/me", &app.a).await;
    }
    r.assert_error(429, "RATE_LIMITED");
    let retry: u64 = r.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry >= 1, "Retry-After {retry}");
    assert_eq!(
        r.headers["ratelimit"],
        format!("\"default\";r=0;t={retry}").as_str()
    );
    assert!(r.headers.contains_key("ratelimit-policy"));
    // Another key has its own bucket; the limited key's 429s cost nothing more.
    assert_eq!(
        app.get("/api/v1/account/me", &app.b).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_bucket_refills_and_is_configurable() {
    let app = TestApp::with(Options {
        rate_limits: RateLimitConfig {
            burst: 2,
            per_minute: 600,
        },
        ..Default::default()
    })
    .await;
    assert_eq!(
        app.get("/api/v1/account/me", &app.a).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/api/v1/account/me", &app.a).await.status,
        StatusCode::OK
    );
    let limited = app.get("/api/v1/account/me", &app.a).await;
    limited.assert_error(429, "RATE_LIMITED");
    assert_eq!(
        limited.headers["retry-after"], "1",
        "a tenth of a second rounds up to 1"
    );
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    assert_eq!(
        app.get("/api/v1/account/me", &app.a).await.status,
        StatusCode::OK,
        "one request came back"
    );
}

#[tokio::test]
async fn failed_authentications_are_limited_per_address() {
    let app = TestApp::with(Options {
        rate_limits: RateLimitConfig {
            burst: 3,
            per_minute: 1,
        },
        ..Default::default()
    })
    .await;
    let guess = |peer: &str| {
        from_peer(
            TestApp::request(Method::GET, "/api/v1/account/me", None)
                .header("authorization", "Bearer sk_live_guess")
                .body(Body::empty())
                .unwrap(),
            peer,
        )
    };
    for _ in 0..3 {
        app.send(guess("192.0.2.7:5000"))
            .await
            .assert_error(401, "UNAUTHENTICATED");
    }
    let r = app.send(guess("192.0.2.7:5001")).await;
    r.assert_error(429, "RATE_LIMITED");
    assert!(r.headers.contains_key("retry-after"));
    // Another address, and valid keys from the same address, are not affected.
    app.send(guess("198.51.100.1:5000"))
        .await
        .assert_error(401, "UNAUTHENTICATED");
    let valid = from_peer(
        TestApp::request(Method::GET, "/api/v1/account/me", Some(&app.a))
            .body(Body::empty())
            .unwrap(),
        "192.0.2.7:5002",
    );
    assert_eq!(app.send(valid).await.status, StatusCode::OK);
}

fn with_key(
    method: Method,
    path: &str,
    key: &common::Key,
    idem: &str,
    body: &serde_json::Value,
) -> axum::http::Request<Body> {
    TestApp::request(method, path, Some(key))
        .header("content-type", "application/json")
        .header("idempotency-key", idem)
        .body(Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn the_same_key_and_body_answer_the_same_response_once_created() {
    let app = TestApp::new().await;
    let body = json!({"subject": "Once", "recipients": [{"email": "a@example.com"}]});
    let first = app
        .send(with_key(
            Method::POST,
            "/api/v1/envelopes",
            &app.a,
            "order-42",
            &body,
        ))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    assert!(first.headers.get("idempotent-replayed").is_none());
    let again = app
        .send(with_key(
            Method::POST,
            "/api/v1/envelopes",
            &app.a,
            "order-42",
            &body,
        ))
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.json, first.json);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    // The /v1 alias is the same request.
    let alias = app
        .send(with_key(
            Method::POST,
            "/v1/envelopes",
            &app.a,
            "order-42",
            &body,
        ))
        .await;
    assert_eq!(alias.json["id"], first.json["id"]);
    assert_eq!(
        app.get("/api/v1/envelopes", &app.a).await.json["pagination"]["total"],
        1
    );

    let other = json!({"subject": "Twice"});
    app.send(with_key(
        Method::POST,
        "/api/v1/envelopes",
        &app.a,
        "order-42",
        &other,
    ))
    .await
    .assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    // Keys belong to an account (and mode): B's same key is a new request.
    let b = app
        .send(with_key(
            Method::POST,
            "/api/v1/envelopes",
            &app.b,
            "order-42",
            &body,
        ))
        .await;
    assert_eq!(b.status, StatusCode::CREATED);
    assert_ne!(b.json["id"], first.json["id"]);
}

#[tokio::test]
async fn client_errors_are_replayed_too_and_bad_keys_are_refused() {
    let app = TestApp::new().await;
    let body = json!({"subject": "S", "documentIds": ["doc_missing"]});
    let first = app
        .send(with_key(
            Method::POST,
            "/api/v1/envelopes",
            &app.a,
            "k1",
            &body,
        ))
        .await;
    first.assert_error(404, "RESOURCE_NOT_FOUND");
    let again = app
        .send(with_key(
            Method::POST,
            "/api/v1/envelopes",
            &app.a,
            "k1",
            &body,
        ))
        .await;
    again.assert_error(404, "RESOURCE_NOT_FOUND");
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let long = "k".repeat(256);
    app.send(with_key(
        Method::POST,
        "/api/v1/envelopes",
        &app.a,
        &long,
        &body,
    ))
    .await
    .assert_error(400, "INVALID_ARGUMENT");
    app.send(with_key(
        Method::POST,
        "/api/v1/envelopes",
        &app.a,
        "with space",
        &body,
    ))
    .await
    .assert_error(400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn a_repeated_multipart_upload_is_recognised_whatever_its_boundary() {
    let app = TestApp::new().await;
    let bytes = pdf(1);
    let upload = |boundary: &str, content: &[u8]| {
        let (content_type, body) =
            multipart(content, "application/pdf", "c.pdf", Some("c.pdf"), boundary);
        TestApp::request(Method::POST, "/api/v1/documents", Some(&app.a))
            .header("content-type", content_type)
            .header("idempotency-key", "upload-1")
            .body(Body::from(body))
            .unwrap()
    };
    let first = app.send(upload("boundary-one", &bytes)).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let second = app.send(upload("another-boundary", &bytes)).await;
    assert_eq!(second.json["id"], first.json["id"]);
    assert_eq!(second.headers["idempotent-replayed"], "true");
    app.send(upload("boundary-one", &pdf(2)))
        .await
        .assert_error(422, "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(
        app.get("/api/v1/documents", &app.a).await.json["pagination"]["total"],
        1
    );
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_envelope() {
    let app = TestApp::new().await;
    let body = json!({"subject": "Race"});
    let results = futures::future::join_all((0..6).map(|_| {
        app.send(with_key(
            Method::POST,
            "/api/v1/envelopes",
            &app.a,
            "race",
            &body,
        ))
    }))
    .await;
    let created: Vec<_> = results
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .collect();
    assert!(!created.is_empty());
    assert!(
        created
            .iter()
            .all(|r| r.json["id"] == created[0].json["id"])
    );
    for r in &results {
        assert!(
            r.status == StatusCode::CREATED || r.json["code"] == "CONCURRENT_MODIFICATION",
            "{}",
            r.text()
        );
    }
    assert_eq!(
        app.get("/api/v1/envelopes", &app.a).await.json["pagination"]["total"],
        1
    );
}

#[tokio::test]
async fn a_replayed_key_creation_never_shows_or_keeps_the_key() {
    let app = TestApp::new().await;
    let request = || {
        with_key(
            Method::POST,
            "/api/v1/keys",
            &app.a,
            "new-key-1",
            &json!({"name": "CI"}),
        )
    };
    let first = app.send(request()).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.text());
    let key = first.json["key"].as_str().unwrap().to_owned();
    let again = app.send(request()).await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    assert_eq!(again.json["id"], first.json["id"]);
    assert!(again.json["key"].is_null(), "{}", again.text());
    // The stored response does not hold the key either.
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.storage.database_url)
        .await
        .unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT response_body FROM idempotency_keys")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(&key[8..]));
    pool.close().await;
}
