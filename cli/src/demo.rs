//! `paraph demo`: an envelope with two signers in sequence, from draft to
//! completed, told through the core's workflow (prepare, sign each
//! recipient, finalize): the events, the webhook deliveries a server would
//! make for them, the contract and its annex signed by both (one PAdES
//! revision per signature, initials on every page), the evidence and the
//! sealed audit-trail PDF. The demo holds no PDF logic of its own.

use std::path::PathBuf;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use clap::Args;
use paraph::audit;
use paraph::envelope::{
    self, Actor, AnchorPlacement, AuthenticationMethod, Command, Context, CreateEnvelope, Envelope,
    EnvelopeSettings, Event, FieldAnchor, FieldKind, NewField, NewRecipient, RecipientRole,
    SignatureLevel, SignatureMark, Transition,
};
use paraph::geometry::Rect;
use paraph::pades::{self, KeySigner, VerifyOptions};
use paraph::webhook::{WebhookHeaders, WebhookPayload, WebhookSecret};
use paraph::workflow::{
    self, DocumentBytes, FinalizeOptions, RecipientCertificateOptions, RecipientInput,
};
use paraph::{Error, ErrorCode};
use serde::Serialize;

use crate::io;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo's files (envelope, events, webhook deliveries, signed PDF).
    #[arg(long, default_value = "paraph-demo")]
    out: PathBuf,

    /// When the story starts, RFC 3339 (default: 100 minutes ago, so that
    /// it ends now); fix it for reproducible output. The signers'
    /// certificates are valid for a year from their signing.
    #[arg(long, value_parser = io::parse_time)]
    now: Option<DateTime<Utc>>,

    /// Webhook secret `whsec_...` (default: a new random one, printed).
    #[arg(long)]
    secret: Option<String>,

    /// Derive each signer's key from this text instead of the system's
    /// random source: with `--now` and `--secret`, the same files every
    /// run. For demonstrations only.
    #[arg(long)]
    seed: Option<String>,
}

/// How long the story lasts, from the draft to the sealed audit trail.
const STORY_MINUTES: i64 = 100;

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
    let start = args
        .now
        .unwrap_or_else(|| Utc::now() - Duration::minutes(STORY_MINUTES));
    let secret = match args.secret {
        Some(text) => WebhookSecret::parse(&text)?,
        None => random_secret()?,
    };

    let walk = walk(start, args.seed.as_deref())?;
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
            "  #{:<2} {}  {:<20} {:<34} {}\n",
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
    // Checked as a third party would: the signatures, and the audit trail
    // against each final document.
    let verify = VerifyOptions::new(envelope.updated_at)
        .with_trust_anchors(pades::parse_certificates(DEMO_ROOT)?);
    for document in &walk.finalized.documents {
        let report = pades::verify(&document.pdf, &verify)?;
        out += &format!(
            "\n{}: {} signature(s), {}; every signature {} by the demo root.\n",
            file_name(&document.document_id),
            report.signatures.len(),
            if report.all_intact() {
                "intact"
            } else {
                "NOT intact"
            },
            if report.all_trusted() {
                "trusted"
            } else {
                "NOT trusted"
            },
        );
        for s in &report.signatures {
            out += &format!(
                "  {:<22} {:<26} {}\n",
                s.field_name,
                s.signer
                    .as_ref()
                    .and_then(|signer| signer.common_name.clone())
                    .unwrap_or_default(),
                s.signing_time
                    .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
                    .unwrap_or_default(),
            );
        }
        let trail =
            audit::verify_audit_trail(&walk.finalized.audit_trail, Some(&document.pdf), &verify)?;
        out += &format!(
            "  audit trail: {}\n",
            match trail.verdict() {
                Ok(()) => "seal intact and trusted, chain intact, final document".to_owned(),
                Err(e) => format!("NOT valid: {e}"),
            }
        );
    }
    let evidence = &walk.finalized.evidence;
    out += &format!(
        "\nAudit trail: {} evidence records, chain head {}.\n",
        evidence.chain_head.count, evidence.chain_head.hash,
    );
    let mut files = vec![
        ("envelope.json".to_owned(), to_json(envelope)?),
        ("events.json".to_owned(), to_json(&walk.events)?),
        ("webhooks.json".to_owned(), to_json(&deliveries)?),
    ];
    for document in &walk.finalized.documents {
        files.push((file_name(&document.document_id), document.pdf.clone()));
    }
    files.push(("evidence.json".to_owned(), evidence.to_json()));
    files.push((
        "audit-trail.pdf".to_owned(),
        walk.finalized.audit_trail.clone(),
    ));
    for (name, bytes) in &files {
        io::write_atomic(&args.out.join(name), bytes)?;
    }
    out += &format!(
        "\nFinal status: {}. Wrote {} to {}/\n",
        envelope.status.as_str(),
        files
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        args.out.display()
    );
    io::print(&out)
}

/// The file a final document is written to.
fn file_name(document_id: &str) -> String {
    format!("{document_id}-signed.pdf")
}

fn to_json<T: Serialize>(value: &T) -> Result<Vec<u8>, Error> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| Error::new(ErrorCode::Internal, format!("cannot render JSON: {e}")))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Entropy for a signer's key: from the seed when given, else from the
/// system's random source.
fn entropy(seed: Option<&str>, recipient_id: &str) -> Result<[u8; 32], Error> {
    match seed {
        Some(seed) => Ok(paraph::digest::sha256(
            format!("paraph demo signer\0{seed}\0{recipient_id}").as_bytes(),
        )),
        None => {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes).map_err(|e| {
                Error::new(
                    ErrorCode::Internal,
                    format!("the system random source failed: {e}"),
                )
            })?;
            Ok(bytes)
        }
    }
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
    finalized: workflow::Finalized,
}

const CONTRACT: &[u8] = include_bytes!("../assets/demo-contract.pdf");
const ANNEX: &[u8] = include_bytes!("../assets/demo-annex.pdf");
const SEAL: &[u8] = include_bytes!("../assets/demo-seal.p12");
const CA_KEY: &[u8] = include_bytes!("../assets/demo-ca.key");
const CA_CHAIN: &[u8] = include_bytes!("../assets/demo-ca-chain.pem");
const DRAWN_SIGNATURE: &[u8] = include_bytes!("../assets/demo-signature.png");
pub(crate) const DEMO_ROOT: &[u8] = include_bytes!("../assets/demo-root.pem");

/// The consent to sign electronically each signer accepts before signing;
/// the evidence keeps its version and SHA-256.
const CONSENT_VERSION: &str = "2026-11";
const CONSENT_TEXT: &str = "I agree to receive and sign documents electronically. My electronic signature has the same effect as my handwritten signature. I can ask for a paper copy and withdraw this consent at any time.";

/// The story, step by step, as a server would drive it.
struct Story {
    envelope: Envelope,
    events: Vec<Event>,
    payloads: Vec<(Event, WebhookPayload)>,
    documents: Vec<DocumentBytes>,
    start: DateTime<Utc>,
}

impl Story {
    fn ctx(&self, minutes: i64, actor: Actor) -> Context {
        context(self.start, minutes, actor)
    }

    /// Records a transition: the new state, its events and their webhooks.
    fn record(&mut self, transition: Transition) -> Result<(), Error> {
        self.payloads.extend(WebhookPayload::from_transition(
            Some(&self.envelope),
            &transition,
        )?);
        self.envelope = transition.envelope;
        self.events.extend(transition.events);
        Ok(())
    }

    fn apply(&mut self, minutes: i64, actor: Actor, command: Command) -> Result<(), Error> {
        let ctx = self.ctx(minutes, actor);
        let transition = envelope::apply(&self.envelope, command, &ctx)?;
        self.record(transition)
    }

    fn keep(&mut self, changed: Vec<DocumentBytes>) {
        for document in changed {
            if let Some(slot) = self
                .documents
                .iter_mut()
                .find(|d| d.document_id == document.document_id)
            {
                *slot = document;
            }
        }
    }
}

/// Where each party acts from, as the server would see it.
fn context(start: DateTime<Utc>, minutes: i64, actor: Actor) -> Context {
    let (ip, user_agent) = match &actor {
        Actor::Recipient { id } if id == "marie" => (
            "198.51.100.23",
            "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        ),
        Actor::Recipient { .. } => (
            "2001:db8:4f2::17",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
        ),
        Actor::System => ("203.0.113.10", "paraph-demo (scheduler)"),
        _ => ("203.0.113.10", "hr-system/4.2 (paraph-demo)"),
    };
    Context::new(start + Duration::minutes(minutes), actor)
        .with_ip(ip)
        .with_user_agent(user_agent)
}

/// A signature field placed beside a phrase of the document.
fn anchored(id: &str, document: &str, recipient: &str, phrase: &str, occurrence: u32) -> NewField {
    NewField {
        id: id.into(),
        document_id: document.into(),
        recipient_id: recipient.into(),
        kind: FieldKind::Signature,
        page: 0,
        rect: Rect::new(0.0, -8.0, 190.0, 56.0),
        required: true,
        value: None,
        multiline: false,
        anchor: Some(FieldAnchor {
            text: phrase.into(),
            occurrence,
            placement: AnchorPlacement::Right,
        }),
    }
}

/// The envelope's whole history: the HR system prepares and sends it;
/// Marie signs for the employer, then Jun-ho as the employee, each after
/// passing a code and consenting; the platform seals the contract and the
/// audit trail.
fn walk(start: DateTime<Utc>, seed: Option<&str>) -> Result<Walk, Error> {
    let seal = KeySigner::from_pkcs12(SEAL, "test")?;
    let ca = KeySigner::from_pem(CA_KEY, CA_CHAIN)?;
    let sender = || Actor::ApiKey {
        id: "key_demo".into(),
    };
    let created = envelope::create(
        CreateEnvelope {
            id: "env_demo".into(),
            subject: "Contrat de travail / 근로계약서".into(),
            message: Some("Merci de relire et de signer votre contrat de travail.".into()),
            signature_level: SignatureLevel::Advanced,
            locale: "fr".into(),
            expires_at: Some(start + Duration::days(14)),
            settings: EnvelopeSettings {
                initials_on_every_page: true,
                ..EnvelopeSettings::default()
            },
        },
        &context(start, 0, sender()),
    )?;
    let mut story = Story {
        payloads: WebhookPayload::from_transition(None, &created)?,
        envelope: created.envelope,
        events: created.events,
        documents: Vec::new(),
        start,
    };

    for (id, name, pdf) in [
        ("contract", "contrat-de-travail.pdf", CONTRACT),
        ("annex", "annexe-fonctions.pdf", ANNEX),
    ] {
        let (document, bytes) = workflow::upload(id, name, pdf.to_vec(), &Default::default())?;
        story.apply(1, sender(), Command::AddDocument(document))?;
        story.documents.push(bytes);
    }
    for recipient in [
        NewRecipient {
            id: "marie".into(),
            name: "Marie-Hélène Dupré".into(),
            email: Some("marie-helene.dupre@example.fr".into()),
            phone: Some("+33612345678".into()),
            role: RecipientRole::Signer,
            routing_order: 1,
            authentication: AuthenticationMethod::SmsCode,
        },
        NewRecipient {
            id: "junho".into(),
            name: "김준호 (Jun-ho Kim)".into(),
            email: Some("junho.kim@example.kr".into()),
            phone: None,
            role: RecipientRole::Signer,
            routing_order: 2,
            authentication: AuthenticationMethod::AccessCode,
        },
    ] {
        story.apply(2, sender(), Command::AddRecipient(recipient))?;
    }
    for field in [
        anchored(
            "sig_marie",
            "contract",
            "marie",
            "Signature de l'employeur :",
            1,
        ),
        anchored(
            "sig_junho",
            "contract",
            "junho",
            "Signature du salarié :",
            1,
        ),
        anchored(
            "sig_junho_annex",
            "annex",
            "junho",
            "Employee signature:",
            2,
        ),
    ] {
        story.apply(3, sender(), Command::AddField(field))?;
    }

    // Prepare at send: the fields go into the documents, anchors placed.
    let prepared = workflow::prepare(
        &story.envelope,
        &story.documents,
        None,
        &workflow::PrepareOptions::default(),
    )?;
    story.documents = prepared.documents;
    story.apply(4, sender(), prepared.command)?;

    for (minute, id, mark) in [
        (
            20,
            "marie",
            SignatureMark::Drawn {
                png: DRAWN_SIGNATURE.to_vec(),
            },
        ),
        (
            90,
            "junho",
            SignatureMark::Typed {
                text: "김준호".into(),
            },
        ),
    ] {
        let me = || Actor::Recipient { id: id.into() };
        story.apply(
            minute,
            me(),
            Command::View {
                recipient_id: id.into(),
            },
        )?;
        let method = story
            .envelope
            .recipient(id)
            .map(|r| r.authentication)
            .unwrap_or_default();
        if method == AuthenticationMethod::SmsCode {
            story.apply(
                minute,
                me(),
                Command::RequestAuthentication {
                    recipient_id: id.into(),
                },
            )?;
        }
        story.apply(
            minute + 1,
            me(),
            Command::Authenticate {
                recipient_id: id.into(),
                method,
                passed: true,
            },
        )?;
        story.apply(
            minute + 2,
            me(),
            Command::Consent {
                recipient_id: id.into(),
                version: CONSENT_VERSION.into(),
                text_sha256: paraph::digest::sha256_hex(CONSENT_TEXT.as_bytes()),
            },
        )?;
        let ctx = story.ctx(minute + 4, me());
        // A key and certificate of their own, from the platform's CA.
        let signer = workflow::issue_recipient_signer(
            &story.envelope,
            id,
            &ca,
            &entropy(seed, id)?,
            &RecipientCertificateOptions::default(),
            ctx.now,
        )?;
        let signed = workflow::sign_recipient(
            &story.envelope,
            &story.documents,
            &RecipientInput {
                signature: Some(mark),
                ..RecipientInput::new(id)
            },
            &signer,
            None,
            &workflow::SignRecipientOptions::default(),
            &ctx,
        )?;
        story.record(signed.transition)?;
        story.keep(signed.documents);
    }

    // Finalize: the platform seals the contract, records the completion
    // with the final digests, and seals the audit trail.
    let ctx = story.ctx(96, Actor::System);
    let finalized = workflow::finalize(
        &story.envelope,
        &story.events,
        &story.documents,
        &seal,
        None,
        &FinalizeOptions {
            seal: vec!["contract".into()],
            ..FinalizeOptions::default()
        },
        &ctx,
    )?;
    story.record(finalized.transition.clone())?;
    Ok(Walk {
        envelope: story.envelope,
        events: story.events,
        payloads: story.payloads,
        finalized,
    })
}
