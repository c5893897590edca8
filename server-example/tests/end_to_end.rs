//! The whole story over a real socket: upload, create, send, two signers
//! in sequence through the recipients' endpoints, then the signed PDF
//! under the independent validators (`tests/tools/validate_pdf.sh`: qpdf,
//! pdfsig, pyHanko; two signatures, each named after its signer) and the
//! audit trail under `paraph audit verify` (the CLI).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::TestApp;
use serde_json::{Value, json};

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

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

struct Client {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Client {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        auth: bool,
    ) -> (u16, Vec<u8>) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if auth {
            request = request.header("authorization", format!("Bearer {}", self.key));
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.bytes().await.unwrap().to_vec())
    }

    async fn json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        auth: bool,
    ) -> Value {
        let (status, bytes) = self.call(method, path, body, auth).await;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        assert!((200..300).contains(&status), "{path}: {status} {text}");
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }
}

#[tokio::test]
#[ignore = "needs PARAPH_PYTHON with pyHanko, qpdf, pdfsig and the paraph CLI (cargo build -p paraph-cli); scripts/test-server runs it"]
async fn two_signers_in_sequence_over_a_socket_pass_the_validators() {
    let app = TestApp::new().await;
    let (addr, stop, handle) = serve(&app).await;
    let client = Client {
        http: reqwest::Client::new(),
        base: format!("http://{addr}/api/v1"),
        key: app.a.key.clone(),
    };
    // Upload a real-world PDF (multipart, as curl -F does).
    let pdf = common::fixture("pdf/reportlab-contract.pdf");
    let (content_type, body) = common::multipart(
        &pdf,
        "application/octet-stream",
        "contrat.pdf",
        None,
        "e2eboundary",
    );
    let response = client
        .http
        .post(format!("{}/documents", client.base))
        .header("authorization", format!("Bearer {}", client.key))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let doc: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();

    let envelope = client
        .json(
            reqwest::Method::POST,
            "/envelopes",
            Some(json!({
                "subject": "Contrat de prestation",
                "documentIds": [doc["id"]],
                "recipients": [
                    {"email": "marie@example.com", "name": "Marie Dubois", "routingOrder": 1},
                    {"email": "junho@example.com", "name": "Kim Jun-ho", "routingOrder": 2}
                ]
            })),
            true,
        )
        .await;
    let id = envelope["id"].as_str().unwrap().to_owned();
    let sent = client
        .json(
            reqwest::Method::POST,
            &format!("/envelopes/{id}/send"),
            None,
            true,
        )
        .await;
    assert_eq!(sent["status"], "SENT");
    for recipient in sent["recipients"].as_array().unwrap() {
        let token = recipient["accessToken"].as_str().unwrap();
        let view = client
            .json(reqwest::Method::GET, &format!("/sign/{token}"), None, false)
            .await;
        assert_eq!(view["recipient"]["name"], recipient["name"]);
        client
            .json(
                reqwest::Method::POST,
                &format!("/sign/{token}/consent"),
                None,
                false,
            )
            .await;
        client
            .json(
                reqwest::Method::POST,
                &format!("/sign/{token}/sign"),
                Some(json!({"signature": {"type": "TYPED", "text": recipient["name"]}})),
                false,
            )
            .await;
    }
    let done = client
        .json(
            reqwest::Method::GET,
            &format!("/envelopes/{id}"),
            None,
            true,
        )
        .await;
    assert_eq!(done["status"], "COMPLETED");
    let (status, signed) = client
        .call(
            reqwest::Method::GET,
            &format!("/envelopes/{id}/signed-document"),
            None,
            true,
        )
        .await;
    assert_eq!(status, 200);
    let (status, trail) = client
        .call(
            reqwest::Method::GET,
            &format!("/envelopes/{id}/audit-trail"),
            None,
            true,
        )
        .await;
    assert_eq!(status, 200);
    let _ = stop.send(());
    handle.await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let signed_path = dir.path().join("signed.pdf");
    let trail_path = dir.path().join("audit-trail.pdf");
    std::fs::write(&signed_path, &signed).unwrap();
    std::fs::write(&trail_path, &trail).unwrap();
    let ca = root().join("fixtures/certs/rsa/root.pem");

    // The independent validators: two signatures, both valid and trusted.
    let python = std::env::var("PARAPH_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(root().join("tests/tools/validate_pdf.sh"))
        .arg(&signed_path)
        .arg(&ca)
        .arg("2")
        .env("PYTHON", python)
        .output()
        .expect("validate_pdf.sh runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let last = text.lines().last().unwrap_or_default();
    assert!(
        out.status.success() && last.ends_with(" 0 failed"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // qpdf 1, pdfsig 2 + 2 per signature, pyHanko 1 + 8 per signature.
    assert!(last.starts_with("24 passed"), "{text}");

    // Each signature is named after its signer (a certificate of their own).
    let pdfsig = Command::new("pdfsig").arg(&signed_path).output().unwrap();
    let listing = String::from_utf8_lossy(&pdfsig.stdout);
    assert!(listing.contains("Marie Dubois"), "{listing}");
    assert!(listing.contains("Kim Jun-ho"), "{listing}");

    // The CLI verifies the audit trail against the signed PDF.
    let paraph = root().join("target/debug/paraph");
    assert!(
        paraph.exists(),
        "build the CLI first: cargo build -p paraph-cli"
    );
    let out = Command::new(paraph)
        .args(["audit", "verify"])
        .arg(&trail_path)
        .arg("--document")
        .arg(&signed_path)
        .arg("--trust")
        .arg(&ca)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "paraph audit verify:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
