//! Health, the OpenAPI document and reference page, routing fallbacks,
//! security headers, and a real socket: the quick-start style of the
//! public API (upload, draft, read back) and a graceful shutdown that
//! finishes a request in flight.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::time::Duration;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::{Options, TestApp, pdf};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::new().await;
    for path in ["/healthz", "/readyz"] {
        let r = app
            .send(
                TestApp::request(Method::GET, path, None)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert_eq!(r.json, json!({"status": "ok"}));
    }
}

#[tokio::test]
async fn the_openapi_document_is_3_1_and_describes_every_route() {
    let app = TestApp::new().await;
    for base in ["/api/v1", "/v1"] {
        let r = app
            .send(
                TestApp::request(Method::GET, &format!("{base}/openapi.json"), None)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "application/json");
        let doc = &r.json;
        assert!(
            doc["openapi"].as_str().unwrap().starts_with("3.1"),
            "{}",
            doc["openapi"]
        );
        let paths: Vec<&str> = doc["paths"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        for expected in [
            "/api/v1/documents",
            "/api/v1/documents/{id}",
            "/api/v1/envelopes",
            "/api/v1/envelopes/{id}",
            "/api/v1/webhooks",
            "/api/v1/webhooks/{id}",
            "/api/v1/webhooks/{id}/deliveries",
            "/api/v1/keys",
            "/api/v1/keys/{id}",
            "/api/v1/account/me",
            "/healthz",
            "/readyz",
        ] {
            assert!(paths.contains(&expected), "{expected} in {paths:?}");
        }
        assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
        assert_eq!(
            doc["paths"]["/api/v1/envelopes"]["post"]["responses"]["401"]["content"]["application/json"]
                ["schema"]["$ref"],
            "#/components/schemas/ErrorBody"
        );
        let params = doc["paths"]["/api/v1/envelopes"]["post"]["parameters"]
            .as_array()
            .unwrap();
        assert!(params.iter().any(|p| p["name"] == "Idempotency-Key"));
    }
}

#[tokio::test]
async fn every_documented_operation_is_served_and_nothing_else() {
    let app = TestApp::new().await;
    let doc = paraph_server::app::openapi();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            let concrete = path.replace("{id}", "x_0");
            for prefix in ["", "alias"] {
                let concrete = if prefix == "alias" {
                    match concrete.strip_prefix("/api") {
                        Some(rest) => rest.to_owned(),
                        None => continue,
                    }
                } else {
                    concrete.clone()
                };
                let r = app
                    .send(
                        TestApp::request(
                            method.to_ascii_uppercase().parse().unwrap(),
                            &concrete,
                            Some(&app.a),
                        )
                        .body(Body::empty())
                        .unwrap(),
                    )
                    .await;
                assert_ne!(
                    r.json["code"], "ROUTE_NOT_FOUND",
                    "{method} {concrete} is documented but not served"
                );
                assert_ne!(r.json["code"], "METHOD_NOT_ALLOWED", "{method} {concrete}");
            }
        }
    }
    for path in [
        "/api/v0/envelopes",
        "/debug",
        "/metrics",
        "/api/v1/admin",
        "/api/v1/templates",
    ] {
        let r = app.get(path, &app.a).await;
        r.assert_error(404, "ROUTE_NOT_FOUND");
    }
    let r = app
        .send(
            TestApp::request(Method::PUT, "/api/v1/envelopes", Some(&app.a))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    r.assert_error(405, "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn the_reference_page_is_rendered_from_the_document() {
    let app = TestApp::new().await;
    let r = app
        .send(
            TestApp::request(Method::GET, "/api/v1/docs", None)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        r.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let html = r.text();
    assert!(html.contains("/api/v1/envelopes/{id}"));
    assert!(html.contains("Create an envelope"));
    assert!(html.contains("id=\"schema-EnvelopeView\""));
    assert!(!html.contains("<script"), "no script, no CDN");
}

#[tokio::test]
async fn responses_carry_security_headers_and_a_request_id() {
    let app = TestApp::new().await;
    let r = app.get("/api/v1/account/me", &app.a).await;
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["cache-control"], "no-store");
    assert_eq!(r.headers["x-frame-options"], "DENY");
    assert!(
        r.headers["x-request-id"]
            .to_str()
            .unwrap()
            .starts_with("req_")
    );
    assert!(
        r.headers.get("access-control-allow-origin").is_none(),
        "no CORS"
    );
}

async fn serve(
    app: &TestApp,
) -> (
    std::net::SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let running = paraph_server::server::Running {
        state: app.state.clone(),
        deliverer: app.deliverer(),
        messenger: app.messenger(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        paraph_server::server::run(
            listener,
            running,
            async move {
                let _ = stopped.await;
            },
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    });
    (addr, stop, handle)
}

/// Sends raw HTTP/1.1 and reads the whole answer.
async fn raw(addr: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn over_a_socket_upload_draft_and_read_back() {
    let app = TestApp::new().await;
    let (addr, stop, handle) = serve(&app).await;
    let (content_type, body) = common::multipart(
        &pdf(1),
        "application/octet-stream",
        "contrat.pdf",
        None,
        "curlboundary",
    );
    let mut request = format!(
        "POST /api/v1/documents HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        app.a.key,
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    let answer = raw(addr, &request).await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let doc: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let envelope = json!({
        "subject": "Contrat de prestation",
        "documentIds": [doc["id"]],
        "recipients": [{"email": "client@example.com", "name": "Marie Dubois", "role": "SIGNER"}]
    })
    .to_string();
    let answer = raw(
        addr,
        format!(
            "POST /api/v1/envelopes HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{envelope}",
            app.a.key,
            envelope.len()
        )
        .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let created: serde_json::Value =
        serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let answer = raw(
        addr,
        format!(
            "GET /api/v1/envelopes/{} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            created["id"].as_str().unwrap(),
            app.a.key
        )
        .as_bytes(),
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains("\"status\":\"DRAFT\"") && answer.contains("Marie Dubois"));
    let _ = stop.send(());
    handle.await.unwrap();
}

#[tokio::test]
async fn a_graceful_shutdown_finishes_the_request_in_flight() {
    let app = TestApp::with(Options::default()).await;
    let (addr, stop, handle) = serve(&app).await;
    let body = json!({"subject": "In flight"}).to_string();
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /api/v1/envelopes HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        app.a.key,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..5]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The signal comes while the body is still arriving.
    let _ = stop.send(());
    tokio::time::sleep(Duration::from_millis(200)).await;
    // New connections are no longer accepted…
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "the listener is closed"
    );
    // …but the request under way completes.
    stream.write_all(&body.as_bytes()[5..]).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let answer = String::from_utf8_lossy(&out);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    handle.await.unwrap();
    assert_eq!(
        app.get("/api/v1/envelopes", &app.a).await.json["pagination"]["total"],
        1
    );
}

#[tokio::test]
async fn readiness_fails_with_storage_unavailable_when_the_database_is_gone() {
    let storage = common::fresh_storage().await;
    let store = paraph_server::store::SqlStore::connect(&storage.database_url, 2)
        .await
        .unwrap();
    let pool = store.pool().clone();
    let state = paraph_server::AppState::new(
        std::sync::Arc::new(store),
        paraph_server::blobs::Blobs::from_url(&storage.storage_url).unwrap(),
        paraph_server::ratelimit::RateLimits::new(Default::default()).unwrap(),
        paraph_server::webhooks::UrlGuard::default(),
        Default::default(),
    );
    let router = paraph_server::app(state);
    let ready = || {
        let router = router.clone();
        async move {
            use tower::ServiceExt;
            let response = router
                .oneshot(
                    TestApp::request(Method::GET, "/readyz", None)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
                .unwrap();
            common::Response::read(response).await
        }
    };
    assert_eq!(ready().await.status, StatusCode::OK);
    pool.close().await;
    let r = ready().await;
    r.assert_error(503, "STORAGE_UNAVAILABLE");
    assert!(
        !r.text().contains("sqlite") && !r.text().contains("postgres"),
        "no internals: {}",
        r.text()
    );
    // Liveness does not depend on storage.
    let live = {
        use tower::ServiceExt;
        router
            .oneshot(
                TestApp::request(Method::GET, "/healthz", None)
                    .body(Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap()
    };
    assert_eq!(live.status(), StatusCode::OK);
}
