//! `paraph demo`: an envelope with two signers in sequence, from draft to
//! completed, with the events it produces and the webhook deliveries a
//! server would make for them.

use std::path::PathBuf;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use clap::Args;
use paraph::envelope::{
    self, Actor, AuthenticationMethod, Command, Context, CreateEnvelope, Envelope, Event,
    FieldKind, NewDocument, NewField, NewRecipient, RecipientRole, Rect, SignatureLevel,
};
use paraph::webhook::{WebhookHeaders, WebhookPayload, WebhookSecret};
use paraph::{Error, ErrorCode};
use serde::Serialize;

use crate::io;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo's files (envelope, events, webhook deliveries).
    #[arg(long, default_value = "paraph-demo")]
    out: PathBuf,

    /// Start time, RFC 3339 (default: now); fix it for reproducible output.
    #[arg(long, value_parser = io::parse_time)]
    now: Option<DateTime<Utc>>,

    /// Webhook secret `whsec_...` (default: a new random one, printed).
    #[arg(long)]
    secret: Option<String>,
}

const WEBHOOK_URL: &str = "https://hr.example.com/hooks/paraph";

/// A webhook delivery as a server would POST it.
#[derive(Debug, Serialize)]
struct Delivery {
    url: &'static str,
    headers: DeliveryHeaders,
    body: String,
}

/// Standard Webhooks headers, in the order they are sent.
#[derive(Debug, Serialize)]
struct DeliveryHeaders {
    #[serde(rename = "webhook-id")]
    id: String,
    #[serde(rename = "webhook-timestamp")]
    timestamp: String,
    #[serde(rename = "webhook-signature")]
    signature: String,
}

pub fn run(args: DemoArgs) -> Result<(), Error> {
    let start = args.now.unwrap_or_else(Utc::now);
    let secret = match args.secret {
        Some(text) => WebhookSecret::parse(&text)?,
        None => random_secret()?,
    };

    let walk = walk(start)?;
    let envelope = &walk.envelope;

    let mut deliveries = Vec::new();
    for (event, payload) in &walk.payloads {
        let body = payload.to_json();
        let headers = WebhookHeaders::sign(
            std::slice::from_ref(&secret),
            &event.message_id(),
            event.occurred_at.timestamp(),
            &body,
        )?;
        deliveries.push(Delivery {
            url: WEBHOOK_URL,
            headers: DeliveryHeaders {
                id: headers.id,
                timestamp: headers.timestamp.to_string(),
                signature: headers.signature,
            },
            body: String::from_utf8(body)
                .map_err(|_| Error::new(ErrorCode::Internal, "a webhook body is not UTF-8"))?,
        });
    }

    let mut out = format!(
        "paraph demo: envelope {} \"{}\", two signers in sequence\n\nEvents:\n",
        envelope.id, envelope.subject
    );
    for event in &walk.events {
        out += &format!(
            "  #{:<2} {}  {:<20} {:<22} {}\n",
            event.seq,
            event.occurred_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            event.actor.label(),
            event.event_type(),
            event.data.recipient_id().unwrap_or("")
        );
    }
    out += &format!(
        "\nWebhook deliveries (Standard Webhooks, HMAC-SHA256, secret {}):\n",
        secret.expose()
    );
    for delivery in &deliveries {
        out += &format!(
            "\n  POST {}\n  webhook-id: {}\n  webhook-timestamp: {}\n  webhook-signature: {}\n  {}\n",
            delivery.url,
            delivery.headers.id,
            delivery.headers.timestamp,
            delivery.headers.signature,
            delivery.body
        );
    }

    std::fs::create_dir_all(&args.out).map_err(|e| {
        Error::new(
            ErrorCode::Io,
            format!("cannot create {}: {e}", args.out.display()),
        )
    })?;
    let files = [
        ("envelope.json", to_json(envelope)?),
        ("events.json", to_json(&walk.events)?),
        ("webhooks.json", to_json(&deliveries)?),
    ];
    for (name, bytes) in &files {
        io::write_atomic(&args.out.join(name), bytes)?;
    }
    out += &format!(
        "\nFinal status: {}. Wrote {} to {}/\n",
        envelope.status.as_str(),
        files.map(|(name, _)| name).join(", "),
        args.out.display()
    );
    io::print(&out)
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::new(ErrorCode::Internal, format!("cannot render JSON: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

fn random_secret() -> Result<WebhookSecret, Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("the system random source failed: {e}"),
        )
    })?;
    WebhookSecret::from_bytes(bytes)
}

/// What the demo envelope went through.
struct Walk {
    envelope: Envelope,
    events: Vec<Event>,
    payloads: Vec<(Event, WebhookPayload)>,
}

/// The envelope's whole history: a sender prepares and sends it, Marie signs,
/// then Jun-ho.
fn walk(start: DateTime<Utc>) -> Result<Walk, Error> {
    let sender = Actor::ApiKey {
        id: "key_demo".into(),
    };
    let at = |minutes: i64| start + Duration::minutes(minutes);
    let ctx = |minutes: i64, actor: Actor| {
        Context::new(at(minutes), actor)
            .with_ip("203.0.113.10")
            .with_user_agent("paraph-demo/1.0")
    };
    let marie = Actor::Recipient { id: "marie".into() };
    let junho = Actor::Recipient { id: "junho".into() };

    let created = envelope::create(
        CreateEnvelope {
            id: "env_demo".into(),
            subject: "Contrat de travail / 근로계약서".into(),
            message: Some("Please review and sign your employment contract.".into()),
            signature_level: SignatureLevel::Simple,
            locale: "en".into(),
            expires_at: Some(at(60 * 24 * 14)),
        },
        &ctx(0, sender.clone()),
    )?;
    let mut payloads = WebhookPayload::from_transition(None, &created)?;
    let mut envelope = created.envelope;
    let mut events = created.events;

    let signature_field = |id: &str, recipient: &str, x: f64| {
        Command::AddField(NewField {
            id: id.into(),
            document_id: "doc_contract".into(),
            recipient_id: recipient.into(),
            kind: FieldKind::Signature,
            page: 2,
            rect: Rect::new(x, 650.0, 200.0, 60.0),
            required: true,
            value: None,
        })
    };
    let steps = vec![
        (
            Command::AddDocument(NewDocument {
                id: "doc_contract".into(),
                name: "employment-contract.pdf".into(),
                page_count: 2,
                sha256: "9f2b5c1e8d7a6f4e3b2a1908c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8".into(),
            }),
            ctx(1, sender.clone()),
        ),
        (
            Command::AddRecipient(NewRecipient {
                id: "marie".into(),
                name: "Marie Dubois".into(),
                email: "marie.dubois@example.com".into(),
                phone: None,
                role: RecipientRole::Signer,
                routing_order: 1,
                authentication: AuthenticationMethod::EmailLink,
            }),
            ctx(2, sender.clone()),
        ),
        (
            Command::AddRecipient(NewRecipient {
                id: "junho".into(),
                name: "김준호 (Jun-ho Kim)".into(),
                email: "junho.kim@example.com".into(),
                phone: Some("+821012345678".into()),
                role: RecipientRole::Signer,
                routing_order: 2,
                authentication: AuthenticationMethod::SmsCode,
            }),
            ctx(3, sender.clone()),
        ),
        (
            signature_field("sig_marie", "marie", 72.0),
            ctx(4, sender.clone()),
        ),
        (
            signature_field("sig_junho", "junho", 320.0),
            ctx(5, sender.clone()),
        ),
        (Command::Send, ctx(6, sender.clone())),
        (
            Command::View {
                recipient_id: "marie".into(),
            },
            ctx(30, marie.clone()),
        ),
        (
            Command::Sign {
                recipient_id: "marie".into(),
                documents: vec![],
            },
            ctx(34, marie),
        ),
        (
            Command::View {
                recipient_id: "junho".into(),
            },
            ctx(90, junho.clone()),
        ),
        (
            Command::Sign {
                recipient_id: "junho".into(),
                documents: vec![],
            },
            ctx(95, junho),
        ),
    ];
    for (command, ctx) in steps {
        let transition = envelope::apply(&envelope, command, &ctx)?;
        payloads.extend(WebhookPayload::from_transition(
            Some(&envelope),
            &transition,
        )?);
        envelope = transition.envelope;
        events.extend(transition.events);
    }
    Ok(Walk {
        envelope,
        events,
        payloads,
    })
}
