//! Two real `paraph-server serve` processes on one PostgreSQL database and
//! one document store (folder or bucket), both completing the same
//! envelope at the same moment: two signers signing at once, one through
//! each process, and one signer signing twice at once, once through each.
//!
//! Whatever the interleaving, the envelope is COMPLETED exactly once, with
//! one signed document (the same bytes from both processes) whose
//! signatures and audit trail verify, `envelope.completed` is queued
//! exactly once, and a request that lost the race answered 409 (or
//! succeeded on its retry), never a 5xx.
//!
//! Needs PostgreSQL: `PARAPH_TEST_DATABASE_URL` (an admin URL; the test
//! creates its own database), as `scripts/test-server` sets it; with
//! `PARAPH_TEST_S3_URL` too, the processes share a bucket instead of a folder.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use paraph::envelope::EventData;
use paraph::pades::{VerifyOptions, verify};
use paraph_server::store::{PageRequest, SqlStore, Store};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_paraph-server");

/// A server process, killed when dropped.
struct Process {
    child: Child,
    base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The environment both processes share.
fn shared_env(storage: &common::Storage) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", storage.database_url.clone()),
        ("PARAPH_STORAGE_URL", storage.storage_url.clone()),
        ("PARAPH_WEBHOOK_ALLOW_HOSTS", "127.0.0.1".to_owned()),
        ("PARAPH_RATE_LIMIT_BURST", "100000".to_owned()),
        ("PARAPH_RATE_LIMIT_PER_MINUTE", "100000".to_owned()),
        ("RUST_LOG", "warn".to_owned()),
    ]
}

/// Starts `paraph-server serve` on a free port and waits for its
/// "listening on" line.
fn start(storage: &common::Storage) -> Process {
    let data = storage.dir.path().join("data");
    let mut child = Command::new(BIN)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&data)
        .envs(shared_env(storage))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    break rest.split_whitespace().next().unwrap().to_owned();
                }
            }
            _ => {
                let mut err = String::new();
                let _ = child.stderr.take().unwrap().read_to_string(&mut err);
                panic!("the server did not start: {err}");
            }
        }
    };
    // Keep reading stdout so the process never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || for _ in BufReader::new(stderr).lines() {});
    }
    Process { child, base }
}

/// A webhook receiver that answers 200 to everything.
fn receiver() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut buf = [0u8; 65536];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                );
            });
        }
    });
    port
}

struct Client {
    http: reqwest::Client,
    key: String,
}

/// An answer: status, body, and the body as JSON when it is.
struct Answer {
    status: u16,
    body: bytes::Bytes,
    json: Value,
}

impl Client {
    async fn call(&self, method: reqwest::Method, url: &str, body: Option<Value>) -> Answer {
        let mut request = self
            .http
            .request(method, url)
            .header("authorization", format!("Bearer {}", self.key));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = response.bytes().await.unwrap();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Answer { status, body, json }
    }
}

/// A sent envelope on one document with `signers` in one routing order
/// (they sign in parallel), created through `base`; its id and each
/// signer's token, after their consent.
async fn sent_envelope(
    client: &Client,
    base: &str,
    signers: &[(&str, &str)],
) -> (String, Vec<String>) {
    let upload = client
        .http
        .post(format!("{base}/api/v1/documents"))
        .header("authorization", format!("Bearer {}", client.key))
        .header("content-type", "application/pdf")
        .body(common::fixture("pdf/reportlab-contract.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status().as_u16(), 201);
    let doc: Value = serde_json::from_slice(&upload.bytes().await.unwrap()).unwrap();
    let recipients: Vec<Value> = signers
        .iter()
        .map(|(email, name)| json!({"email": email, "name": name, "routingOrder": 1}))
        .collect();
    let created = client
        .call(
            reqwest::Method::POST,
            &format!("{base}/api/v1/envelopes"),
            Some(json!({"subject": "Race", "documentIds": [doc["id"]], "recipients": recipients})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.json);
    let id = created.json["id"].as_str().unwrap().to_owned();
    let sent = client
        .call(
            reqwest::Method::POST,
            &format!("{base}/api/v1/envelopes/{id}/send"),
            None,
        )
        .await;
    assert_eq!(sent.status, 200, "{}", sent.json);
    let mut tokens = Vec::new();
    for (email, _) in signers {
        let token = sent.json["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["email"] == *email)
            .unwrap()["accessToken"]
            .as_str()
            .unwrap()
            .to_owned();
        let consent = client
            .call(
                reqwest::Method::POST,
                &format!("{base}/api/v1/sign/{token}/consent"),
                None,
            )
            .await;
        assert_eq!(consent.status, 200, "{}", consent.json);
        tokens.push(token);
    }
    (id, tokens)
}

async fn sign(client: &Client, base: &str, token: &str, name: &str) -> Answer {
    client
        .call(
            reqwest::Method::POST,
            &format!("{base}/api/v1/sign/{token}/sign"),
            Some(json!({"signature": {"type": "TYPED", "text": name}})),
        )
        .await
}

/// Everything that must hold once the envelope is complete.
async fn check_completed_once(
    client: &Client,
    store: &SqlStore,
    bases: [&str; 2],
    id: &str,
    webhook_id: &str,
    signers: &[&str],
) {
    for base in bases {
        let e = client
            .call(
                reqwest::Method::GET,
                &format!("{base}/api/v1/envelopes/{id}"),
                None,
            )
            .await;
        assert_eq!(e.json["status"], "COMPLETED", "{}", e.json);
    }
    let events = store.envelope_events(id).await.unwrap();
    let completed = events
        .iter()
        .filter(|e| matches!(e.data, EventData::EnvelopeCompleted { .. }))
        .count();
    assert_eq!(completed, 1, "envelope.completed recorded once: {events:?}");
    let signed = events
        .iter()
        .filter(|e| matches!(e.data, EventData::RecipientSigned { .. }))
        .count();
    assert_eq!(signed, signers.len(), "one signature event per signer");

    // One signed document: the same bytes from either process.
    let [a, b] = bases;
    let pdf = client
        .call(
            reqwest::Method::GET,
            &format!("{a}/api/v1/envelopes/{id}/signed-document"),
            None,
        )
        .await;
    assert_eq!(pdf.status, 200);
    let again = client
        .call(
            reqwest::Method::GET,
            &format!("{b}/api/v1/envelopes/{id}/signed-document"),
            None,
        )
        .await;
    assert_eq!(
        pdf.body, again.body,
        "both processes serve the same signed PDF"
    );
    let root = paraph::pades::parse_certificates(&common::fixture("certs/rsa/root.pem")).unwrap();
    let options = VerifyOptions::new(chrono::Utc::now()).with_trust_anchors(root);
    let report = verify(&pdf.body, &options).unwrap();
    assert_eq!(report.signatures.len(), signers.len(), "{report:?}");
    assert!(report.all_intact() && report.all_trusted(), "{report:?}");
    let mut names: Vec<String> = report
        .signatures
        .iter()
        .map(|s| {
            s.signer
                .as_ref()
                .and_then(|c| c.common_name.clone())
                .unwrap_or_default()
        })
        .collect();
    names.sort();
    let mut expected: Vec<String> = signers.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    for (name, signer) in names.iter().zip(&expected) {
        assert!(name.contains(signer.as_str()), "{names:?} vs {expected:?}");
    }

    // The evidence chain verifies against that document.
    let trail = client
        .call(
            reqwest::Method::GET,
            &format!("{b}/api/v1/envelopes/{id}/audit-trail"),
            None,
        )
        .await;
    assert_eq!(trail.status, 200);
    let audit = paraph::audit::verify_audit_trail(&trail.body, Some(&pdf.body[..]), &options)
        .expect("the audit trail verifies");
    assert!(audit.is_valid(), "{audit:?}");

    // envelope.completed queued exactly once for the endpoint.
    let deliveries = store
        .list_deliveries(
            webhook_id,
            PageRequest {
                page: 1,
                limit: 1000,
            },
        )
        .await
        .unwrap();
    let queued = deliveries
        .rows
        .iter()
        .filter(|d| d.envelope_id == id && d.event_type == "envelope.completed")
        .count();
    assert_eq!(queued, 1, "envelope.completed queued once");
}

/// A request that lost the race: 409, or a 200 on the retry a client makes.
fn lost_or_won(answer: &Answer) {
    assert!(
        answer.status == 200 || answer.status == 409,
        "a lost race answers 409 or succeeds, never {}: {}",
        answer.status,
        String::from_utf8_lossy(&answer.body)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs PostgreSQL: set PARAPH_TEST_DATABASE_URL (scripts/test-server does)"]
async fn two_processes_complete_one_envelope_exactly_once() {
    // The workspace run of scripts/test has no PostgreSQL (it passes
    // --include-ignored to every package); scripts/test-server runs this
    // test with one and sets PARAPH_REQUIRE_POSTGRES, so it cannot be
    // skipped there.
    if std::env::var("PARAPH_TEST_DATABASE_URL").is_err() {
        assert!(
            std::env::var("PARAPH_REQUIRE_POSTGRES").is_err(),
            "this test runs two processes on one PostgreSQL: set PARAPH_TEST_DATABASE_URL"
        );
        eprintln!("no PARAPH_TEST_DATABASE_URL: the two-process test is skipped here");
        return;
    }
    let storage = common::fresh_storage().await;
    let data = storage.dir.path().join("data");
    let key = Command::new(BIN)
        .args(["keys", "create", "--account", "race", "--data"])
        .arg(&data)
        .envs(shared_env(&storage))
        .output()
        .unwrap();
    assert!(
        key.status.success(),
        "{}",
        String::from_utf8_lossy(&key.stderr)
    );
    let key = String::from_utf8(key.stdout).unwrap().trim().to_owned();
    let first = start(&storage);
    let second = start(&storage);
    let bases = [first.base.as_str(), second.base.as_str()];
    let client = Arc::new(Client {
        http: reqwest::Client::new(),
        key,
    });
    let store = SqlStore::connect(&storage.database_url, 2).await.unwrap();
    let hook_port = receiver();
    let hook = client
        .call(
            reqwest::Method::POST,
            &format!("{}/api/v1/webhooks", bases[0]),
            Some(json!({"url": format!("http://127.0.0.1:{hook_port}/hook"), "events": ["envelope.completed"]})),
        )
        .await;
    assert_eq!(hook.status, 201, "{}", hook.json);
    let webhook_id = hook.json["id"].as_str().unwrap().to_owned();

    for round in 0..3 {
        // Two signers at once, one through each process.
        let (id, tokens) = sent_envelope(
            &client,
            bases[round % 2],
            &[
                ("marie@example.com", "Marie Dubois"),
                ("junho@example.com", "Kim Jun-ho"),
            ],
        )
        .await;
        let (one, two) = tokio::join!(
            sign(&client, bases[0], &tokens[0], "Marie Dubois"),
            sign(&client, bases[1], &tokens[1], "Kim Jun-ho"),
        );
        eprintln!(
            "round {round}: two signers answered {} and {}",
            one.status, two.status
        );
        let mut finals = Vec::new();
        for (answer, token, name) in [
            (&one, &tokens[0], "Marie Dubois"),
            (&two, &tokens[1], "Kim Jun-ho"),
        ] {
            lost_or_won(answer);
            if answer.status == 409 {
                // The client retries; the signature lands on top of the other.
                let retried = sign(&client, bases[1], token, name).await;
                assert_eq!(retried.status, 200, "{}", retried.json);
                finals.push(retried.json["status"].clone());
            } else {
                finals.push(answer.json["status"].clone());
            }
        }
        assert_eq!(
            finals.iter().filter(|s| **s == "COMPLETED").count(),
            1,
            "exactly one signature completes: {finals:?}"
        );
        check_completed_once(
            &client,
            &store,
            bases,
            &id,
            &webhook_id,
            &["Marie Dubois", "Kim Jun-ho"],
        )
        .await;

        // The same signer at once through both processes.
        let (id, tokens) = sent_envelope(
            &client,
            bases[(round + 1) % 2],
            &[("solo@example.com", "Ana Solo")],
        )
        .await;
        let (one, two) = tokio::join!(
            sign(&client, bases[0], &tokens[0], "Ana Solo"),
            sign(&client, bases[1], &tokens[0], "Ana Solo"),
        );
        eprintln!(
            "round {round}: one signer twice answered {} ({}) and {} ({})",
            one.status, one.json["code"], two.status, two.json["code"]
        );
        let answers = [&one, &two];
        let won = answers.iter().filter(|a| a.status == 200).count();
        assert_eq!(
            won, 1,
            "exactly one signature: {} and {}",
            one.json, two.json
        );
        for answer in answers {
            lost_or_won(answer);
        }
        let winner = answers.iter().find(|a| a.status == 200).unwrap();
        assert_eq!(winner.json["status"], "COMPLETED");
        check_completed_once(&client, &store, bases, &id, &webhook_id, &["Ana Solo"]).await;
    }
}
