//! Our webhook signatures against the official Rust `standardwebhooks` crate,
//! both ways. The published crate (1.0.1) only verifies against the system
//! clock, so these tests sign with the current time.
#![forbid(unsafe_code)]

use chrono::DateTime;
use http::HeaderMap;
use paraph::webhook::{Verifier, WebhookHeaders, WebhookSecret};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn header_map(id: &str, timestamp: &str, signature: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("webhook-id", id.parse().expect("header"));
    headers.insert("webhook-timestamp", timestamp.parse().expect("header"));
    headers.insert("webhook-signature", signature.parse().expect("header"));
    headers
}

#[test]
fn official_crate_verifies_what_paraph_signs() {
    let payload = r#"{"type":"envelope.completed","data":{"name":"마리 뒤부아 — Marie Dubois"}}"#;
    for timestamp in [now(), now() - 60] {
        let secret = WebhookSecret::parse(SECRET).expect("secret");
        let signed = WebhookHeaders::sign(&[secret], "evt_env_1_14", timestamp, payload.as_bytes())
            .expect("signs");
        let official = standardwebhooks::Webhook::new(SECRET).expect("official secret");
        official
            .verify(
                payload.as_bytes(),
                &header_map(&signed.id, &signed.timestamp.to_string(), &signed.signature),
            )
            .expect("the official crate accepts our signature");
        let tampered = payload.replace("Marie", "Mario");
        assert!(
            official
                .verify(
                    tampered.as_bytes(),
                    &header_map(&signed.id, &signed.timestamp.to_string(), &signed.signature),
                )
                .is_err()
        );
    }
}

#[test]
fn official_crate_accepts_a_rotation_header_from_paraph() {
    let new = WebhookSecret::from_bytes([0x5a; 32]).expect("secret");
    let old = WebhookSecret::parse(SECRET).expect("secret");
    let timestamp = now();
    let signed =
        WebhookHeaders::sign(&[old, new.clone()], "evt_1", timestamp, b"{}").expect("signs");
    for secret in [SECRET.to_owned(), new.expose()] {
        standardwebhooks::Webhook::new(&secret)
            .expect("official secret")
            .verify(
                b"{}",
                &header_map(&signed.id, &timestamp.to_string(), &signed.signature),
            )
            .expect("either secret verifies");
    }
}

#[test]
fn paraph_verifies_what_the_official_crate_signs() {
    let official = standardwebhooks::Webhook::new(SECRET).expect("official secret");
    let payload = br#"{"email":"test@example.com"}"#;
    let signature = official
        .sign("msg_official_1", 1_795_424_400, payload)
        .expect("official signs");
    let verifier = Verifier::new(WebhookSecret::parse(SECRET).expect("secret"));
    let now = DateTime::from_timestamp(1_795_424_400, 0).expect("time");
    verifier
        .verify_parts("msg_official_1", "1795424400", &signature, payload, now)
        .expect("paraph accepts the official signature");
    assert!(
        verifier
            .verify_parts("msg_official_2", "1795424400", &signature, payload, now)
            .is_err(),
        "the message id is part of the signed content"
    );
}
