//! Webhook endpoints, the URL guard, and deliveries to a real local
//! receiver: signatures (checked with the core and with the official
//! `standardwebhooks` Python package), retries with the same `webhook-id`,
//! 410, redirects, the delivery log, and restarts.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use common::{Options, TestApp};
use paraph::webhook::{Verifier, WebhookSecret, verify_hex};
use serde_json::json;

/// A local receiver: records every request and answers the scripted
/// statuses in turn (then 200).
#[derive(Clone, Default)]
struct Receiver {
    received: Arc<Mutex<Vec<(HeaderMap, String)>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
}

impl Receiver {
    async fn start(script: &[u16]) -> (Self, SocketAddr) {
        let receiver = Receiver {
            received: Default::default(),
            script: Arc::new(Mutex::new(script.iter().copied().collect())),
        };
        let state = receiver.clone();
        let router = axum::Router::new().route(
            "/hook",
            post(move |headers: HeaderMap, body: String| {
                let state = state.clone();
                async move {
                    state.received.lock().unwrap().push((headers, body));
                    let status = state.script.lock().unwrap().pop_front().unwrap_or(200);
                    let mut response = axum::response::Response::new(axum::body::Body::empty());
                    *response.status_mut() = StatusCode::from_u16(status).unwrap();
                    if status == 302 {
                        response
                            .headers_mut()
                            .insert("location", "http://127.0.0.1:9/elsewhere".parse().unwrap());
                    }
                    response
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (receiver, addr)
    }

    fn received(&self) -> Vec<(HeaderMap, String)> {
        self.received.lock().unwrap().clone()
    }
}

async fn register(app: &TestApp, url: &str, events: serde_json::Value) -> (String, String) {
    let r = app
        .post(
            "/api/v1/webhooks",
            &app.a,
            &json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    (
        r.json["id"].as_str().unwrap().to_owned(),
        r.json["secret"].as_str().unwrap().to_owned(),
    )
}

async fn deliveries(app: &TestApp, webhook: &str) -> Vec<serde_json::Value> {
    let r = app
        .get(&format!("/api/v1/webhooks/{webhook}/deliveries"), &app.a)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn registering_lists_and_deleting_endpoints() {
    let app = TestApp::new().await;
    let r = app
        .post(
            "/api/v1/webhooks",
            &app.a,
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["envelope.completed", "envelope.created", "envelope.completed"], "active": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let secret = r.json["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(WebhookSecret::parse(secret).unwrap().as_bytes().len(), 32);
    assert_eq!(
        r.json["events"],
        json!(["envelope.completed", "envelope.created"])
    );
    assert_eq!(r.json["isActive"], true);
    let id = r.json["id"].as_str().unwrap();
    let list = app.get("/api/v1/webhooks", &app.a).await;
    assert_eq!(list.json["data"][0]["id"], id);
    assert_eq!(list.json["data"][0]["url"], "http://127.0.0.1:9/hook");
    assert!(
        list.json["data"][0].get("secret").is_none(),
        "the secret is shown once"
    );
    assert!(!list.text().contains(secret));
    let deleted = app.delete(&format!("/api/v1/webhooks/{id}"), &app.a).await;
    assert_eq!(deleted.json, json!({"success": true}));
    assert_eq!(
        app.get("/api/v1/webhooks", &app.a).await.json["pagination"]["total"],
        0
    );
    app.delete(&format!("/api/v1/webhooks/{id}"), &app.a)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.post(
        "/api/v1/webhooks",
        &app.a,
        &json!({"url": "http://127.0.0.1:9/h", "events": ["envelope.exploded"]}),
    )
    .await
    .assert_error(400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn local_and_private_targets_are_refused_unless_allow_listed() {
    let app = TestApp::with(Options {
        allow_hosts: vec![],
        ..Default::default()
    })
    .await;
    for url in [
        "http://127.0.0.1:9/hook",
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[fe80::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0x7f000001/hook",
        "https://2130706433/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://100.64.0.1/hook",
        "http://hooks.example.com/plain-http",
        "ftp://hooks.example.com/",
        "https://user:pass@hooks.example.com/",
        "https://does-not-exist.invalid/hook",
    ] {
        let r = app
            .post("/api/v1/webhooks", &app.a, &json!({"url": url}))
            .await;
        r.assert_error(400, "WEBHOOK_URL_FORBIDDEN");
    }
    assert_eq!(
        app.get("/api/v1/webhooks", &app.a).await.json["pagination"]["total"],
        0
    );
}

#[tokio::test]
async fn deliveries_are_signed_both_ways_and_logged() {
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[]).await;
    let (webhook, secret) = register(
        &app,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!([]),
    )
    .await;
    let envelope = app.draft(&app.a).await;
    let attempted = app.deliverer().run_once().await.unwrap();
    assert_eq!(attempted, 1);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let (headers, body) = &received[0];
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["webhook-id"], format!("evt_{envelope}_1").as_str());
    // Standard Webhooks, checked with the core's verifier.
    let pairs: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    Verifier::new(WebhookSecret::parse(&secret).unwrap())
        .verify(
            pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            body.as_bytes(),
            chrono::Utc::now(),
        )
        .unwrap();
    // The hex HMAC of the body, keyed with the secret as shown, in both headers.
    let hex = headers["x-paraph-signature"].to_str().unwrap();
    verify_hex(secret.as_bytes(), body.as_bytes(), hex).unwrap();
    assert_eq!(headers["x-certyneo-signature"], hex);
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["type"], "envelope.created");
    assert_eq!(payload["data"]["envelopeId"], envelope.as_str());
    assert_eq!(payload["data"]["status"], "DRAFT");

    let log = deliveries(&app, &webhook).await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["status"], "DELIVERED");
    assert_eq!(log[0]["attempts"], 1);
    assert_eq!(log[0]["lastStatusCode"], 200);
    assert_eq!(log[0]["attemptLog"][0]["statusCode"], 200);
    assert!(log[0]["deliveredAt"].is_string());
    // Nothing is sent twice.
    assert_eq!(app.deliverer().run_once().await.unwrap(), 0);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
#[ignore = "needs PARAPH_PYTHON with the standardwebhooks package (scripts/test sets it)"]
async fn the_official_standardwebhooks_package_verifies_a_delivery() {
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[]).await;
    let (_, secret) = register(
        &app,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!(["envelope.created"]),
    )
    .await;
    app.draft(&app.a).await;
    app.deliverer().run_once().await.unwrap();
    let (headers, body) = receiver.received().pop().unwrap();
    let script = r#"
import json, sys
from standardwebhooks import Webhook
secret, headers, body = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
payload = Webhook(secret).verify(body, headers)
print(payload["type"])
"#;
    let header_json = json!({
        "webhook-id": headers["webhook-id"].to_str().unwrap(),
        "webhook-timestamp": headers["webhook-timestamp"].to_str().unwrap(),
        "webhook-signature": headers["webhook-signature"].to_str().unwrap(),
    });
    let python = std::env::var("PARAPH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let out = std::process::Command::new(python)
        .args(["-c", script, &secret, &header_json.to_string(), &body])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "envelope.created"
    );
    // And a tampered body fails.
    let tampered = body.replace("DRAFT", "SENT");
    let python = std::env::var("PARAPH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let out = std::process::Command::new(python)
        .args(["-c", script, &secret, &header_json.to_string(), &tampered])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a tampered body must not verify");
}

#[tokio::test]
async fn failures_are_retried_with_the_same_webhook_id_until_delivered() {
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[500, 503]).await;
    let (webhook, _) = register(
        &app,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!(["*"]),
    )
    .await;
    app.draft(&app.a).await;
    let worker = app.deliverer();
    for _ in 0..3 {
        assert_eq!(worker.run_once().await.unwrap(), 1);
    }
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    let ids: Vec<_> = received
        .iter()
        .map(|(h, _)| h["webhook-id"].clone())
        .collect();
    assert!(
        ids.windows(2).all(|w| w[0] == w[1]),
        "one webhook-id on every attempt"
    );
    assert!(
        received.windows(2).all(|w| w[0].1 == w[1].1),
        "the same body on every attempt"
    );
    let log = deliveries(&app, &webhook).await;
    assert_eq!(log[0]["status"], "DELIVERED");
    assert_eq!(log[0]["attempts"], 3);
    let codes: Vec<_> = log[0]["attemptLog"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["statusCode"].clone())
        .collect();
    assert_eq!(codes, [json!(500), json!(503), json!(200)]);
}

#[tokio::test]
async fn a_delivery_gives_up_after_its_attempts_and_waits_between_them() {
    let mut options = Options::default();
    options.delivery.max_attempts = 2;
    let app = TestApp::with(options).await;
    let (receiver, addr) = Receiver::start(&[500, 500, 500]).await;
    let (webhook, _) = register(
        &app,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!([]),
    )
    .await;
    app.draft(&app.a).await;
    let worker = app.deliverer();
    worker.run_once().await.unwrap();
    worker.run_once().await.unwrap();
    assert_eq!(worker.run_once().await.unwrap(), 0, "given up");
    assert_eq!(receiver.received().len(), 2);
    let log = deliveries(&app, &webhook).await;
    assert_eq!(log[0]["status"], "FAILED");
    assert_eq!(log[0]["attempts"], 2);
    assert_eq!(log[0]["lastError"], "500 Internal Server Error");

    // With the default back-off, a failed attempt waits about 40 s.
    let mut slow = Options::default();
    slow.delivery.backoff_base = std::time::Duration::from_secs(40);
    let app = TestApp::with(slow).await;
    let (_, addr) = Receiver::start(&[500]).await;
    let (webhook, _) = register(
        &app,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!([]),
    )
    .await;
    app.draft(&app.a).await;
    let worker = app.deliverer();
    worker.run_once().await.unwrap();
    assert_eq!(worker.run_once().await.unwrap(), 0, "not due yet");
    let log = deliveries(&app, &webhook).await;
    let next =
        chrono::DateTime::parse_from_rfc3339(log[0]["nextAttemptAt"].as_str().unwrap()).unwrap();
    let wait = next.signed_duration_since(chrono::Utc::now()).num_seconds();
    assert!((30..=45).contains(&wait), "next attempt in {wait} s");
    assert_eq!(log[0]["status"], "PENDING");
}

#[tokio::test]
async fn a_410_disables_the_endpoint() {
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[410, 410]).await;
    let (webhook, _) = register(
        &app,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!([]),
    )
    .await;
    app.draft(&app.a).await;
    app.draft(&app.a).await;
    let worker = app.deliverer();
    worker.run_once().await.unwrap();
    let list = app.get("/api/v1/webhooks", &app.a).await;
    assert_eq!(list.json["data"][0]["isActive"], false);
    assert!(
        list.json["data"][0]["disabledReason"]
            .as_str()
            .unwrap()
            .contains("410")
    );
    let log = deliveries(&app, &webhook).await;
    assert!(log.iter().all(|d| d["status"] == "FAILED"), "{log:?}");
    let before = receiver.received().len();
    assert!(before <= 2);
    // Nothing more goes to a disabled endpoint, even for new events.
    app.draft(&app.a).await;
    worker.run_once().await.unwrap();
    assert_eq!(receiver.received().len(), before);
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[302]).await;
    let (webhook, _) = register(
        &app,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!([]),
    )
    .await;
    app.draft(&app.a).await;
    app.deliverer().run_once().await.unwrap();
    assert_eq!(receiver.received().len(), 1);
    let log = deliveries(&app, &webhook).await;
    assert_eq!(log[0]["status"], "PENDING");
    assert_eq!(log[0]["lastStatusCode"], 302);
    assert!(
        log[0]["lastError"]
            .as_str()
            .unwrap()
            .contains("redirects are not followed")
    );
}

#[tokio::test]
async fn delivery_time_resolution_refuses_local_addresses() {
    // Registered while localhost was allowed; delivered by a worker that no
    // longer allows it: the name now resolves to nothing it may reach.
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[]).await;
    let r = app
        .post(
            "/api/v1/webhooks",
            &app.a,
            &json!({"url": format!("https://localhost:{}/hook", addr.port())}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let webhook = r.json["id"].as_str().unwrap().to_owned();
    app.draft(&app.a).await;
    let strict = paraph_server::webhooks::Deliverer::new(
        app.store.clone(),
        paraph_server::webhooks::UrlGuard::default(),
        app.options.delivery.clone(),
        app.state.delivery_signal(),
    )
    .unwrap();
    strict.run_once().await.unwrap();
    assert!(receiver.received().is_empty());
    let log = deliveries(&app, &webhook).await;
    assert!(log[0]["lastStatusCode"].is_null());
    assert!(
        log[0]["lastError"]
            .as_str()
            .unwrap()
            .contains("connection failed"),
        "{}",
        log[0]
    );
}

#[tokio::test]
async fn an_envelopes_own_webhook_url_receives_its_events_signed_with_its_secret() {
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[]).await;
    let r = app
        .post(
            "/api/v1/envelopes",
            &app.a,
            &json!({"title": "Own hook", "webhook_url": format!("http://127.0.0.1:{}/hook", addr.port())}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let secret = r.json["webhookSecret"].as_str().unwrap().to_owned();
    // Another envelope of the account does not go to this endpoint.
    app.post("/api/v1/envelopes", &app.a, &json!({"title": "Other"}))
        .await;
    app.deliverer().run_once().await.unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let (headers, body) = &received[0];
    verify_hex(
        secret.as_bytes(),
        body.as_bytes(),
        headers["x-paraph-signature"].to_str().unwrap(),
    )
    .unwrap();
    let payload: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["data"]["envelopeId"], r.json["id"]);
    // Removing it stops further deliveries to it.
    let id = r.json["id"].as_str().unwrap();
    let patched = app
        .patch(
            &format!("/api/v1/envelopes/{id}"),
            &app.a,
            &json!({"webhook_url": null}),
        )
        .await;
    assert!(patched.json["webhookUrl"].is_null());
}

#[tokio::test]
async fn subscriptions_filter_events_and_modes_stay_apart() {
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[]).await;
    let url = format!("http://127.0.0.1:{}/hook", addr.port());
    register(&app, &url, json!(["envelope.completed"])).await;
    // A test-mode endpoint gets test-mode events only.
    let r = app
        .post("/api/v1/webhooks", &app.a_test, &json!({"url": url}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    app.draft(&app.a).await;
    app.deliverer().run_once().await.unwrap();
    assert!(
        receiver.received().is_empty(),
        "envelope.created is not subscribed, and test mode sees no live event"
    );
    app.draft(&app.a_test).await;
    app.deliverer().run_once().await.unwrap();
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn queued_deliveries_survive_a_restart() {
    let first = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[]).await;
    register(
        &first,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!([]),
    )
    .await;
    first.draft(&first.a).await;
    let storage = common::Storage {
        database_url: first.storage.database_url.clone(),
        storage_url: first.storage.storage_url.clone(),
        dir: tempfile::tempdir().unwrap(),
    };
    drop(first.router);
    // A new process on the same database delivers what the first queued.
    let second = TestApp::on(storage, Options::default()).await;
    assert_eq!(second.deliverer().run_once().await.unwrap(), 1);
    assert_eq!(receiver.received().len(), 1);
}

#[tokio::test]
async fn concurrent_workers_never_send_one_delivery_twice_at_once() {
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[]).await;
    register(
        &app,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!([]),
    )
    .await;
    for _ in 0..6 {
        app.post("/api/v1/envelopes", &app.a, &json!({"subject": "many"}))
            .await;
    }
    let workers: Vec<_> = (0..3).map(|_| app.deliverer()).collect();
    let counts = futures::future::join_all(workers.iter().map(|w| w.run_once())).await;
    let total: usize = counts.into_iter().map(Result::unwrap).sum();
    assert_eq!(total, 6, "each delivery claimed by exactly one worker");
    let received = receiver.received();
    let mut ids: Vec<_> = received
        .iter()
        .map(|(h, _)| h["webhook-id"].to_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    assert_eq!(received.len(), 6);
}

#[tokio::test]
async fn voiding_publishes_envelope_voided_with_the_reason() {
    let app = TestApp::new().await;
    let (receiver, addr) = Receiver::start(&[]).await;
    register(
        &app,
        &format!("http://127.0.0.1:{}/hook", addr.port()),
        json!(["envelope.voided"]),
    )
    .await;
    let id = app.draft(&app.a).await;
    app.force_send(&app.a, &id).await;
    app.json(
        axum::http::Method::DELETE,
        &format!("/api/v1/envelopes/{id}"),
        &app.a,
        &json!({"reason": "Wrong amount"}),
    )
    .await;
    app.deliverer().run_once().await.unwrap();
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    let payload: serde_json::Value = serde_json::from_str(&received[0].1).unwrap();
    assert_eq!(payload["type"], "envelope.voided");
    assert_eq!(payload["data"]["reason"], "Wrong amount");
    assert_eq!(payload["data"]["status"], "VOIDED");
}
