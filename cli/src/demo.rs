//! `paraph demo`: an envelope with two signers in sequence, from draft to
//! completed: the events it produces, the webhook deliveries a server would
//! make for them, and the contract signed by both (PAdES, one incremental
//! update per signature, initials on every page), with the evidence and
//! the sealed audit-trail PDF.

use std::path::PathBuf;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use clap::Args;
use paraph::audit::{self, EvidenceBundle, Locale};
use paraph::envelope::{
    self, Actor, AuthenticationMethod, Command, Context, CreateEnvelope, DocumentDigest, Envelope,
    Event, FieldKind, NewDocument, NewRecipient, RecipientRole, SignatureLevel, SignatureMark,
};
use paraph::pades::{self, SignOptions, SignatureField, VerifyOptions};
use paraph::pdf::{
    Anchor, AnchorPosition, FontSet, FormFieldFill, FormFieldKind, FormFieldSpec, FormFieldValue,
    PdfDocument, SignatureAppearance, add_fields, initials_on_every_page,
};
use paraph::webhook::{WebhookHeaders, WebhookPayload, WebhookSecret};
use paraph::{Error, ErrorCode};
use serde::Serialize;

use crate::io;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Folder for the demo's files (envelope, events, webhook deliveries, signed PDF).
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
    let anchors = pades::parse_certificates(DEMO_ROOT)?;
    let report = pades::verify(
        &walk.signed_pdf,
        &VerifyOptions::new(walk.envelope.updated_at).with_trust_anchors(anchors.clone()),
    )?;
    out += &format!(
        "\nSigned PDF: {} signature(s), {}; every signature {} by the demo root.\n",
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
            "  {:<10} {} ({})\n",
            s.field_name,
            s.signing_time
                .map(|t| t.to_rfc3339_opts(SecondsFormat::Secs, true))
                .unwrap_or_default(),
            match &s.coverage {
                pades::Coverage::WholeFile => "covers the whole file".to_owned(),
                pades::Coverage::Revision { .. } =>
                    "covers its revision; later changes allowed".to_owned(),
                pades::Coverage::Invalid => "invalid byte range".to_owned(),
            }
        );
    }
    // The evidence of the whole history, rendered and sealed by the platform
    // when the envelope completed, then checked as a third party would.
    let sealed_at = walk.envelope.updated_at;
    let evidence = EvidenceBundle::from_events(&walk.events, sealed_at)?;
    let locale = Locale::parse(&envelope.locale).unwrap_or_default();
    let seal = pades::KeySigner::from_pkcs12(SEAL, "test")?;
    let audit_pdf =
        crate::audit_cmd::render_bytes(&evidence, locale, Some((&seal, sealed_at, None)))?;
    let audit_report = audit::verify_audit_trail(
        &audit_pdf,
        Some(&walk.signed_pdf),
        &VerifyOptions::new(sealed_at).with_trust_anchors(anchors),
    )?;
    out += &format!(
        "\nAudit trail: {} evidence records, chain head {}; seal {}, chain {}, signed PDF {} the final document.\n",
        evidence.chain_head.count,
        evidence.chain_head.hash,
        if audit_report.seal_intact && audit_report.seal_trust == Some(pades::ChainStatus::Trusted)
        {
            "intact and trusted"
        } else {
            "NOT valid"
        },
        if audit_report.evidence.is_valid() {
            "intact"
        } else {
            "BROKEN"
        },
        if audit_report
            .document
            .as_ref()
            .is_some_and(|d| d.matches_document.is_some())
        {
            "is"
        } else {
            "is NOT"
        },
    );
    let files = [
        ("envelope.json", to_json(envelope)?),
        ("events.json", to_json(&walk.events)?),
        ("webhooks.json", to_json(&deliveries)?),
        ("contract-signed.pdf", walk.signed_pdf.clone()),
        ("evidence.json", evidence.to_json()),
        ("audit-trail.pdf", audit_pdf),
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
    signed_pdf: Vec<u8>,
}

const CONTRACT: &[u8] = include_bytes!("../assets/demo-contract.pdf");
const SEAL: &[u8] = include_bytes!("../assets/demo-seal.p12");
const DRAWN_SIGNATURE: &[u8] = include_bytes!("../assets/demo-signature.png");
pub(crate) const DEMO_ROOT: &[u8] = include_bytes!("../assets/demo-root.pem");

/// The consent to sign electronically each signer accepts before signing;
/// the evidence keeps its version and SHA-256.
const CONSENT_VERSION: &str = "2026-11";
const CONSENT_TEXT: &str = "I agree to receive and sign documents electronically. My electronic signature has the same effect as my handwritten signature. I can ask for a paper copy and withdraw this consent at any time.";

/// A recipient's turn to sign: the PDF is stamped and signed with the
/// platform seal, then the envelope records the signed document's digest.
struct Signing<'a> {
    recipient: &'a str,
    name: &'a str,
    email: &'a str,
    initials: &'a str,
    /// A drawn signature (PNG); typed when `None`.
    drawn: Option<&'a [u8]>,
}

fn sign_pdf(
    pdf: &[u8],
    envelope: &Envelope,
    signing: &Signing<'_>,
    time: DateTime<Utc>,
    seal: &pades::KeySigner,
) -> Result<Vec<u8>, Error> {
    let signature_id = format!(
        "sig_{}",
        &paraph::digest::sha256_hex(
            format!("{}:{}:{}", envelope.id, signing.recipient, time.timestamp()).as_bytes()
        )[..12]
    );
    let mut options = SignOptions::with_fonts(time, FontSet::bundled());
    options.field = SignatureField::Existing {
        name: format!("sig_{}", signing.recipient),
    };
    options.appearance = Some(SignatureAppearance {
        name: signing.name.to_owned(),
        image: signing.drawn.map(<[u8]>::to_vec),
        date: format!("Signed {}", time.format("%Y-%m-%d %H:%M UTC")),
        details: format!("{} · {signature_id}", signing.email),
    });
    options.signer_name = Some(signing.name.to_owned());
    options.reason = Some(format!(
        "Signed by {} <{}> through paraph",
        signing.name, signing.email
    ));
    options.field_values = envelope
        .fields_of(signing.recipient)
        .filter(|f| f.kind == FieldKind::Initials)
        .map(|f| FormFieldFill {
            name: f.id.clone(),
            value: FormFieldValue::Initials {
                text: signing.initials.to_owned(),
                image: None,
            },
        })
        .collect();
    pades::sign(pdf, seal, None, &options)
}

/// The envelope's whole history: a sender prepares and sends it, Marie signs
/// for the employer, then Jun-ho as the employee; each signature is stamped
/// on the contract and sealed (PAdES) as an incremental update.
fn walk(start: DateTime<Utc>) -> Result<Walk, Error> {
    let seal = pades::KeySigner::from_pkcs12(SEAL, "test")?;
    let sender = Actor::ApiKey {
        id: "key_demo".into(),
    };
    let at = |minutes: i64| start + Duration::minutes(minutes);
    // Where each party acts from, as the server would see it.
    let ctx = |minutes: i64, actor: Actor| {
        let (ip, user_agent) = match &actor {
            Actor::Recipient { id } if id == "marie" => (
                "198.51.100.23",
                "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            ),
            Actor::Recipient { .. } => (
                "2001:db8:4f2::17",
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
            ),
            _ => ("203.0.113.10", "hr-system/4.2 (paraph-demo)"),
        };
        Context::new(at(minutes), actor)
            .with_ip(ip)
            .with_user_agent(user_agent)
    };
    let contract = PdfDocument::load(CONTRACT)?;
    let pages = u32::try_from(contract.page_count()).unwrap_or(u32::MAX);

    let created = envelope::create(
        CreateEnvelope {
            id: "env_demo".into(),
            subject: "Contrat de travail / 근로계약서".into(),
            message: Some("Please review and sign your employment contract.".into()),
            signature_level: SignatureLevel::Advanced,
            locale: "en".into(),
            expires_at: Some(at(60 * 24 * 14)),
        },
        &ctx(0, sender.clone()),
    )?;
    let mut payloads = WebhookPayload::from_transition(None, &created)?;
    let mut envelope = created.envelope;
    let mut events = created.events;
    let mut apply =
        |envelope: &mut Envelope, command: Command, ctx: Context| -> Result<(), Error> {
            let transition = envelope::apply(&*envelope, command, &ctx)?;
            payloads.extend(WebhookPayload::from_transition(
                Some(envelope),
                &transition,
            )?);
            *envelope = transition.envelope;
            events.extend(transition.events);
            Ok(())
        };

    apply(
        &mut envelope,
        Command::AddDocument(NewDocument {
            id: "doc_contract".into(),
            name: "contrat-de-travail.pdf".into(),
            page_count: pages,
            sha256: paraph::digest::sha256_hex(CONTRACT),
        }),
        ctx(1, sender.clone()),
    )?;
    for (minute, recipient) in [
        (
            2,
            NewRecipient {
                id: "marie".into(),
                name: "Marie Dubois".into(),
                email: "marie.dubois@example.com".into(),
                phone: None,
                role: RecipientRole::Signer,
                routing_order: 1,
                authentication: AuthenticationMethod::EmailLink,
            },
        ),
        (
            3,
            NewRecipient {
                id: "junho".into(),
                name: "김준호 (Jun-ho Kim)".into(),
                email: "junho.kim@example.com".into(),
                phone: Some("+821012345678".into()),
                role: RecipientRole::Signer,
                routing_order: 2,
                authentication: AuthenticationMethod::SmsCode,
            },
        ),
    ] {
        apply(
            &mut envelope,
            Command::AddRecipient(recipient),
            ctx(minute, sender.clone()),
        )?;
    }
    // Signature fields placed by anchor text, beside "Signature de
    // l'employeur" and "Signature du salarié", and initials on every page.
    let beside = |text: &str| Anchor {
        text: text.to_owned(),
        occurrence: 1,
        page: None,
        position: AnchorPosition::Right,
        offset_x: 8.0,
        offset_y: 0.0,
        width: 210.0,
        height: 54.0,
    };
    let mut fields = Vec::new();
    for (name, text) in [
        ("sig_marie", "Signature de l'employeur :"),
        ("sig_junho", "Signature du salarié :"),
    ] {
        let found = contract.find_anchor(&beside(text))?;
        fields.push(FormFieldSpec {
            name: name.into(),
            kind: FormFieldKind::Signature,
            page: found.page,
            rect: found.field,
            value: None,
            required: true,
            read_only: false,
        });
    }
    fields.extend(initials_on_every_page(
        contract.pages(),
        &["initials_marie".to_owned(), "initials_junho".to_owned()],
    ));
    for field in &fields {
        let recipient = field
            .name
            .trim_start_matches("sig_")
            .trim_start_matches("initials_")
            .split('_')
            .next()
            .unwrap_or_default()
            .to_owned();
        apply(
            &mut envelope,
            Command::AddField(envelope::NewField {
                id: field.name.clone(),
                document_id: "doc_contract".into(),
                recipient_id: recipient,
                kind: match field.kind {
                    FormFieldKind::Signature => FieldKind::Signature,
                    _ => FieldKind::Initials,
                },
                page: field.page,
                rect: field.rect,
                required: field.required,
                value: None,
            }),
            ctx(4, sender.clone()),
        )?;
    }
    let mut pdf = add_fields(CONTRACT, &fields, &FontSet::bundled())?;
    apply(&mut envelope, Command::Send, ctx(6, sender.clone()))?;

    let signings = [
        (
            30,
            Signing {
                recipient: "marie",
                name: "Marie Dubois",
                email: "marie.dubois@example.com",
                initials: "MD",
                drawn: Some(DRAWN_SIGNATURE),
            },
        ),
        (
            90,
            Signing {
                recipient: "junho",
                name: "김준호 (Jun-ho Kim)",
                email: "junho.kim@example.com",
                initials: "JK",
                drawn: None,
            },
        ),
    ];
    for (minute, signing) in signings {
        let actor = Actor::Recipient {
            id: signing.recipient.into(),
        };
        apply(
            &mut envelope,
            Command::View {
                recipient_id: signing.recipient.into(),
            },
            ctx(minute, actor.clone()),
        )?;
        apply(
            &mut envelope,
            Command::Consent {
                recipient_id: signing.recipient.into(),
                version: CONSENT_VERSION.into(),
                text_sha256: paraph::digest::sha256_hex(CONSENT_TEXT.as_bytes()),
            },
            ctx(minute + 2, actor.clone()),
        )?;
        pdf = sign_pdf(&pdf, &envelope, &signing, at(minute + 4), &seal)?;
        apply(
            &mut envelope,
            Command::Sign {
                recipient_id: signing.recipient.into(),
                documents: vec![DocumentDigest {
                    document_id: "doc_contract".into(),
                    sha256: paraph::digest::sha256_hex(&pdf),
                }],
                signature: Some(match signing.drawn {
                    Some(png) => SignatureMark::Drawn { png: png.to_vec() },
                    None => SignatureMark::Typed {
                        text: signing.name.to_owned(),
                    },
                }),
            },
            ctx(minute + 4, actor),
        )?;
    }
    Ok(Walk {
        envelope,
        events,
        payloads,
        signed_pdf: pdf,
    })
}
