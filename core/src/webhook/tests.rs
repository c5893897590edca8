use chrono::{DateTime, TimeZone, Utc};
use serde::Deserialize;

use super::*;
use crate::ErrorCode;
use crate::envelope::{
    self, Actor, AuthenticationMethod, Command, Context, CreateEnvelope, NewDocument, NewRecipient,
    RecipientRole, SignatureLevel,
};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vectors {
    standard_sign: Vec<SignVector>,
    standard_verify: Vec<VerifyVector>,
    hex: Vec<HexVector>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignVector {
    name: String,
    #[serde(default)]
    secret: Option<String>,
    #[serde(default)]
    secrets: Vec<String>,
    msg_id: String,
    timestamp: i64,
    payload: String,
    signature: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VerifyVector {
    name: String,
    secret: String,
    msg_id: String,
    timestamp: String,
    now: i64,
    payload: String,
    signature: String,
    expect: String,
}

#[derive(Deserialize)]
struct HexVector {
    secret: String,
    payload: String,
    signature: String,
}

fn vectors() -> Vectors {
    let text = include_str!("../../../fixtures/vectors/webhooks.json");
    serde_json::from_str(text).expect("webhooks.json parses")
}

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, 0).expect("valid timestamp")
}

#[test]
fn signing_reproduces_every_vector_byte_for_byte() {
    let vectors = vectors();
    assert!(vectors.standard_sign.len() >= 4);
    for v in vectors.standard_sign {
        let names: Vec<String> = v.secret.iter().cloned().chain(v.secrets).collect();
        let secrets: Vec<WebhookSecret> = names
            .iter()
            .map(|s| WebhookSecret::parse(s).expect("vector secret parses"))
            .collect();
        let headers = WebhookHeaders::sign(&secrets, &v.msg_id, v.timestamp, v.payload.as_bytes())
            .expect("signs");
        assert_eq!(headers.signature, v.signature, "{}", v.name);
        assert_eq!(headers.id, v.msg_id);
        assert_eq!(headers.timestamp, v.timestamp);
    }
}

#[test]
fn every_signed_vector_verifies_with_each_of_its_secrets() {
    for v in vectors().standard_sign {
        let names: Vec<String> = v.secret.iter().cloned().chain(v.secrets).collect();
        for name in names {
            let secret = WebhookSecret::parse(&name).expect("parses");
            Verifier::new(secret)
                .verify_parts(
                    &v.msg_id,
                    &v.timestamp.to_string(),
                    &v.signature,
                    v.payload.as_bytes(),
                    at(v.timestamp),
                )
                .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        }
    }
}

#[test]
fn verification_vectors_give_the_expected_outcome() {
    let vectors = vectors();
    assert!(vectors.standard_verify.len() >= 10);
    for v in vectors.standard_verify {
        let outcome = WebhookSecret::parse(&v.secret).and_then(|secret| {
            Verifier::new(secret).verify(
                [
                    ("webhook-id", v.msg_id.as_str()),
                    ("webhook-timestamp", v.timestamp.as_str()),
                    ("webhook-signature", v.signature.as_str()),
                ],
                v.payload.as_bytes(),
                at(v.now),
            )
        });
        let got = match outcome {
            Ok(()) => "OK".to_owned(),
            Err(e) => e.code().name().to_owned(),
        };
        assert_eq!(got, v.expect, "{}", v.name);
    }
}

#[test]
fn hex_scheme_reproduces_vectors_and_rejects_changes() {
    for v in vectors().hex {
        let got = sign_hex(v.secret.as_bytes(), v.payload.as_bytes()).expect("signs");
        assert_eq!(got, v.signature);
        verify_hex(v.secret.as_bytes(), v.payload.as_bytes(), &v.signature).expect("verifies");
        verify_hex(
            v.secret.as_bytes(),
            v.payload.as_bytes(),
            &v.signature.to_uppercase(),
        )
        .expect("upper-case hex verifies");
        verify_hex(
            v.secret.as_bytes(),
            v.payload.as_bytes(),
            &format!("sha256={}", v.signature),
        )
        .expect("sha256= prefix verifies");
        let tampered = format!("{}x", v.payload);
        let err = verify_hex(v.secret.as_bytes(), tampered.as_bytes(), &v.signature)
            .expect_err("a changed body fails");
        assert_eq!(err.code(), ErrorCode::WebhookSignatureMismatch);
    }
}

#[test]
fn hex_scheme_rejects_an_empty_secret_and_garbage_signatures() {
    assert_eq!(
        sign_hex(b"", b"{}").expect_err("empty").code(),
        ErrorCode::WebhookInvalidSecret
    );
    for garbage in ["", "zz", "abc", &"0".repeat(64)] {
        assert_eq!(
            verify_hex(b"k", b"{}", garbage)
                .expect_err("mismatch")
                .code(),
            ErrorCode::WebhookSignatureMismatch,
            "{garbage:?}"
        );
    }
}

#[test]
fn missing_headers_are_named() {
    let secret = WebhookSecret::from_bytes([1u8; 24]).expect("secret");
    let verifier = Verifier::new(secret);
    for (headers, missing) in [
        (
            vec![("webhook-timestamp", "1"), ("webhook-signature", "v1,x")],
            "webhook-id",
        ),
        (
            vec![("webhook-id", "m"), ("webhook-signature", "v1,x")],
            "webhook-timestamp",
        ),
        (
            vec![("webhook-id", "m"), ("webhook-timestamp", "1")],
            "webhook-signature",
        ),
    ] {
        let err = verifier.verify(headers, b"{}", at(1)).expect_err("missing");
        assert_eq!(err.code(), ErrorCode::WebhookMissingHeader);
        assert!(err.message().contains(missing), "{}", err.message());
    }
}

#[test]
fn empty_header_values_are_missing_headers() {
    // Frameworks that flatten headers to strings give "" for a missing one.
    let secret = WebhookSecret::from_bytes([1u8; 24]).expect("secret");
    let verifier = Verifier::new(secret);
    for (id, timestamp, signature, missing) in [
        ("", "1", "v1,x", "webhook-id"),
        ("m", "", "v1,x", "webhook-timestamp"),
        ("m", " ", "v1,x", "webhook-timestamp"),
        ("m", "1", "", "webhook-signature"),
    ] {
        let err = verifier
            .verify_parts(id, timestamp, signature, b"{}", at(1))
            .expect_err("missing");
        assert_eq!(err.code(), ErrorCode::WebhookMissingHeader, "{missing}");
        assert!(err.message().contains(missing), "{}", err.message());
    }
}

#[test]
fn negative_timestamps_are_refused_when_signing() {
    let secret = WebhookSecret::from_bytes([1u8; 24]).expect("secret");
    let err = secret.sign("msg_1", -1, b"{}").expect_err("negative");
    assert_eq!(err.code(), ErrorCode::WebhookInvalidTimestamp);
    assert!(secret.sign("msg_1", 0, b"{}").is_ok());
}

#[test]
fn header_names_are_case_insensitive() {
    let secret = WebhookSecret::from_bytes([9u8; 40]).expect("secret");
    let headers =
        WebhookHeaders::sign(std::slice::from_ref(&secret), "msg_1", 100, b"body").expect("signs");
    let ts = headers.timestamp.to_string();
    Verifier::new(secret)
        .verify(
            [
                ("Webhook-Id", headers.id.as_str()),
                ("WEBHOOK-TIMESTAMP", ts.as_str()),
                ("webhook-Signature", headers.signature.as_str()),
            ],
            b"body",
            at(100),
        )
        .expect("verifies");
}

#[test]
fn custom_tolerance_is_honoured() {
    let secret = WebhookSecret::from_bytes([3u8; 32]).expect("secret");
    let headers =
        WebhookHeaders::sign(std::slice::from_ref(&secret), "msg_1", 1000, b"x").expect("signs");
    let verifier = Verifier::new(secret).with_tolerance(std::time::Duration::from_secs(10));
    let sig = headers.signature.as_str();
    verifier
        .verify_parts("msg_1", "1000", sig, b"x", at(1010))
        .expect("within 10 s");
    let err = verifier
        .verify_parts("msg_1", "1000", sig, b"x", at(1011))
        .expect_err("11 s late");
    assert_eq!(err.code(), ErrorCode::WebhookTimestampTooOld);
}

#[test]
fn secrets_outside_24_to_64_bytes_are_refused() {
    for len in [0, 1, 23, 65, 128] {
        assert_eq!(
            WebhookSecret::from_bytes(vec![0u8; len])
                .expect_err("bad length")
                .code(),
            ErrorCode::WebhookInvalidSecret
        );
    }
    for len in [24, 32, 64] {
        let secret = WebhookSecret::from_bytes(vec![5u8; len]).expect("good length");
        assert_eq!(
            WebhookSecret::parse(&secret.expose()).expect("round-trips"),
            secret
        );
    }
}

#[test]
fn message_ids_that_would_make_the_signed_content_ambiguous_are_refused() {
    let secret = WebhookSecret::from_bytes([1u8; 24]).expect("secret");
    for id in ["", "a.b", "a b", "tab\t", &"x".repeat(256)] {
        assert_eq!(
            secret.sign(id, 1, b"{}").expect_err("refused").code(),
            ErrorCode::WebhookInvalidMessageId,
            "{id:?}"
        );
    }
}

#[test]
fn debug_output_never_shows_the_secret() {
    let secret = WebhookSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("secret");
    let shown = format!("{:?}", Verifier::new(secret));
    assert!(!shown.contains("MfKQ9r8"), "{shown}");
    assert!(shown.contains("redacted"));
}

#[test]
fn signing_with_no_secret_is_an_error() {
    assert_eq!(
        WebhookHeaders::sign(&[], "m", 1, b"")
            .expect_err("no secret")
            .code(),
        ErrorCode::WebhookInvalidSecret
    );
}

fn completed_envelope() -> (envelope::Envelope, Vec<envelope::Event>) {
    let t = |m| Utc.with_ymd_and_hms(2026, 11, 23, 10, m, 0).unwrap();
    let key = |m| Context::new(t(m), Actor::ApiKey { id: "key_1".into() });
    let created = envelope::create(
        CreateEnvelope {
            id: "env_1".into(),
            subject: "Contrat de travail".into(),
            message: None,
            signature_level: SignatureLevel::Advanced,
            locale: "fr".into(),
            expires_at: None,
            settings: Default::default(),
        },
        &key(0),
    )
    .expect("create");
    let mut env = created.envelope;
    let mut events = created.events;
    let commands = vec![
        (
            Command::AddDocument(NewDocument {
                id: "doc_1".into(),
                name: "contrat.pdf".into(),
                page_count: 3,
                sha256: "11".repeat(32),
                pages: Vec::new(),
            }),
            key(1),
        ),
        (
            Command::AddRecipient(NewRecipient {
                id: "marie".into(),
                name: "Marie Dubois".into(),
                email: Some("marie@example.com".into()),
                phone: Some("+33612345678".into()),
                role: RecipientRole::Signer,
                routing_order: 1,
                authentication: AuthenticationMethod::SmsCode,
            }),
            key(2),
        ),
        (
            Command::AddField(envelope::NewField {
                id: "sig_marie".into(),
                document_id: "doc_1".into(),
                recipient_id: "marie".into(),
                kind: envelope::FieldKind::Signature,
                page: 3,
                rect: crate::geometry::Rect::new(72.0, 600.0, 180.0, 48.0),
                required: true,
                value: None,
                multiline: false,
                anchor: None,
            }),
            key(2),
        ),
        (Command::send(), key(3)),
        (
            Command::View {
                recipient_id: "marie".into(),
            },
            Context::new(t(4), Actor::Recipient { id: "marie".into() }),
        ),
        (
            Command::Authenticate {
                recipient_id: "marie".into(),
                method: AuthenticationMethod::SmsCode,
                passed: true,
            },
            Context::new(t(4), Actor::Recipient { id: "marie".into() }),
        ),
        (
            Command::Consent {
                recipient_id: "marie".into(),
                version: "2026-01".into(),
                text_sha256: "cc".repeat(32),
            },
            Context::new(t(4), Actor::Recipient { id: "marie".into() }),
        ),
        (
            Command::Sign {
                recipient_id: "marie".into(),
                documents: vec![envelope::DocumentDigest {
                    document_id: "doc_1".into(),
                    sha256: "22".repeat(32),
                }],
                signature: None,
                certificate_sha256: Some("a1".repeat(32)),
            },
            Context::new(t(4), Actor::Recipient { id: "marie".into() }),
        ),
        (
            Command::Complete {
                documents: vec![envelope::DocumentDigest {
                    document_id: "doc_1".into(),
                    sha256: "33".repeat(32),
                }],
            },
            Context::new(t(4), Actor::System),
        ),
    ];
    for (command, ctx) in commands {
        let tr = envelope::apply(&env, command, &ctx).expect("applies");
        env = tr.envelope;
        events.extend(tr.events);
    }
    (env, events)
}

#[test]
fn payloads_are_built_for_published_events_only() {
    let (env, events) = completed_envelope();
    let types: Vec<String> = events
        .iter()
        .filter_map(|e| WebhookPayload::from_event(e, &env))
        .map(|p| p.event_type)
        .collect();
    assert_eq!(
        types,
        [
            "envelope.created",
            "envelope.sent",
            "recipient.viewed",
            "envelope.viewed",
            "recipient.signed",
            "envelope.completed"
        ]
    );
    assert!(
        types
            .iter()
            .all(|t| crate::webhook::WEBHOOK_EVENT_TYPES.contains(&t.as_str()))
    );
}

#[test]
fn completed_payload_carries_the_envelope_summary() {
    let (env, events) = completed_envelope();
    let completed = events.last().expect("events");
    let payload = WebhookPayload::from_event(completed, &env).expect("published");
    let json: serde_json::Value = serde_json::from_slice(&payload.to_json()).expect("json");
    // The documented top level: event/type, timestamp/occurred_at, envelope_id.
    assert_eq!(json["event"], "envelope.completed");
    assert_eq!(json["type"], "envelope.completed");
    assert_eq!(json["timestamp"], "2026-11-23T10:04:00Z");
    assert_eq!(json["occurred_at"], "2026-11-23T10:04:00Z");
    assert_eq!(json["envelope_id"], "env_1");
    assert_eq!(json["data"]["envelopeId"], "env_1");
    assert_eq!(json["data"]["status"], "COMPLETED");
    assert_eq!(json["data"]["signatureLevel"], "ADVANCED");
    assert_eq!(json["data"]["signedCount"], 1);
    assert_eq!(json["data"]["recipientCount"], 1);
    assert_eq!(json["data"]["documents"][0]["sha256"], "11".repeat(32));
    assert_eq!(
        json["data"]["documents"][0]["currentSha256"],
        "33".repeat(32),
        "the final digest, as downloaded"
    );
    assert!(json["data"].get("recipient").is_none());
    let linked = payload.with_links(Some("https://x.test/signed".into()), None);
    let json: serde_json::Value = serde_json::from_slice(&linked.to_json()).expect("json");
    assert_eq!(json["data"]["proof_pdf_url"], "https://x.test/signed");

    let signed = events
        .iter()
        .find(|e| e.event_type() == "recipient.signed")
        .expect("signed event");
    let payload = WebhookPayload::from_event(signed, &env).expect("published");
    let json: serde_json::Value = serde_json::from_slice(&payload.to_json()).expect("json");
    assert_eq!(json["data"]["email"], "marie@example.com");
    assert_eq!(json["data"]["name"], "Marie Dubois");
    assert_eq!(json["data"]["signedAt"], "2026-11-23T10:04:00Z");
    assert_eq!(json["data"]["certificateSha256"], "a1".repeat(32));
    assert_eq!(
        payload.data.recipient.expect("recipient").email,
        Some("marie@example.com".to_owned())
    );
    // Minified: exactly the bytes that get signed.
    assert!(
        !String::from_utf8(payload_bytes(signed, &env))
            .expect("utf8")
            .contains(": ")
    );
}

#[test]
fn declines_expiries_and_returns_carry_what_clients_read() {
    let mut env = completed_envelope().0;
    env.status = envelope::EnvelopeStatus::Sent;
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 9, 0).unwrap();
    let event = |data| envelope::Event {
        schema_version: envelope::SCHEMA_VERSION,
        envelope_id: "env_1".into(),
        seq: 99,
        occurred_at: at,
        actor: Actor::System,
        ip: None,
        user_agent: None,
        data,
    };
    let declined = WebhookPayload::from_event(
        &event(envelope::EventData::EnvelopeDeclined {
            recipient_id: "marie".into(),
            reason: "wrong salary".into(),
        }),
        &env,
    )
    .expect("published");
    let json: serde_json::Value = serde_json::from_slice(&declined.to_json()).expect("json");
    assert_eq!(json["data"]["decline_reason"], "wrong salary");
    let expired = WebhookPayload::from_event(
        &event(envelope::EventData::EnvelopeExpired {
            missing_recipient_ids: vec!["marie".into()],
        }),
        &env,
    )
    .expect("published");
    let json: serde_json::Value = serde_json::from_slice(&expired.to_json()).expect("json");
    assert_eq!(
        json["data"]["missing_signers"][0]["email"],
        "marie@example.com"
    );
    let returned = WebhookPayload::from_event(
        &event(envelope::EventData::EnvelopeReturnedToDraft {
            reason: "typo".into(),
            round: 1,
        }),
        &env,
    )
    .expect("published");
    assert_eq!(returned.event, "envelope.returned_to_sender");
    let resent = WebhookPayload::from_event(
        &event(envelope::EventData::EnvelopeSent {
            documents: vec![],
            placements: vec![],
            round: 2,
        }),
        &env,
    )
    .expect("published");
    assert_eq!(resent.event, "envelope.resubmitted");
}

fn payload_bytes(event: &envelope::Event, env: &envelope::Envelope) -> Vec<u8> {
    WebhookPayload::from_event(event, env)
        .expect("published")
        .to_json()
}
