//! Webhook bodies for envelope events: the one builder every surface uses,
//! in the shape clients of the e-signature API paraph reproduces parse
//! (`../shared/reference/seed-apis.md` §1.5): top-level `event` and `type`,
//! `timestamp` and `occurred_at`, `envelope_id`, and `data` with
//! `envelopeId`, the recipient's `email`, `name` and `signedAt`,
//! `decline_reason` and `missing_signers`.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use paraph::envelope::*;
//! use paraph::webhook::WebhookPayload;
//!
//! let ctx = Context::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(), Actor::System);
//! let create = serde_json::from_str(r#"{"type": "create", "id": "env_1", "subject": "Offer"}"#)?;
//! let created = apply(None, create, &ctx)?;
//! let payload = WebhookPayload::from_event(&created.events[0], &created.envelope).expect("published");
//! let body: serde_json::Value = serde_json::from_slice(&payload.to_json())?;
//! assert_eq!(body["event"], "envelope.created");
//! assert_eq!(body["envelope_id"], "env_1");
//! assert_eq!(body["data"]["envelopeId"], "env_1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::envelope::{
    Envelope, EnvelopeStatus, Event, EventData, Recipient, RecipientRole, RecipientStatus,
    SignatureLevel, Transition,
};
use crate::error::Result;

/// The event types delivered to webhooks, as clients know them: the
/// eleven of the API paraph reproduces, with `recipient.declined` and
/// `envelope.viewed`.
pub const WEBHOOK_EVENT_TYPES: &[&str] = &[
    "envelope.created",
    "envelope.sent",
    "envelope.viewed",
    "envelope.completed",
    "envelope.declined",
    "envelope.voided",
    "envelope.expired",
    "envelope.returned_to_sender",
    "envelope.resubmitted",
    "recipient.viewed",
    "recipient.signed",
    "recipient.approved",
    "recipient.declined",
];

/// The body of a webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookPayload {
    /// The event type, as clients know it (`"envelope.completed"`).
    pub event: String,
    /// The same, under the name the Standard Webhooks examples use.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened.
    pub timestamp: DateTime<Utc>,
    /// The same, under the other documented name.
    pub occurred_at: DateTime<Utc>,
    /// The envelope.
    pub envelope_id: String,
    /// What happened to it.
    pub data: WebhookData,
}

/// The `data` of a webhook body: a summary of the envelope and, for
/// recipient events, the recipient; never the values of its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookData {
    /// The envelope.
    pub envelope_id: String,
    /// The event's position in the envelope's history (for ordering and
    /// deduplication beside the `webhook-id`).
    pub event_seq: u64,
    /// Subject.
    pub subject: String,
    /// Status after the event.
    pub status: EnvelopeStatus,
    /// Signature level.
    pub signature_level: SignatureLevel,
    /// Number of recipients.
    pub recipient_count: usize,
    /// Number of signers who have signed.
    pub signed_count: usize,
    /// The documents, with their digests.
    pub documents: Vec<WebhookDocument>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Send time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    /// Completion time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// Recipient events: the recipient's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<String>,
    /// Recipient events: their email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Recipient events: their name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Recipient events: their role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RecipientRole>,
    /// Recipient events: when they signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<DateTime<Utc>>,
    /// Recipient events: when they first viewed the envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewed_at: Option<DateTime<Utc>>,
    /// `recipient.signed`: SHA-256 of the certificate their signature was made with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_sha256: Option<String>,
    /// The recipient the event is about, whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<WebhookRecipient>,
    /// Why the envelope was declined, as documented (`data.decline_reason`).
    #[serde(
        default,
        rename = "decline_reason",
        skip_serializing_if = "Option::is_none"
    )]
    pub decline_reason: Option<String>,
    /// Why the envelope was declined, voided or returned to the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The signers and approvers who had not acted when it expired, as
    /// documented (`data.missing_signers`).
    #[serde(
        default,
        rename = "missing_signers",
        skip_serializing_if = "Option::is_none"
    )]
    pub missing_signers: Option<Vec<WebhookRecipient>>,
    /// `envelope.completed`: where the signed documents can be downloaded
    /// (given by the surface, see [`WebhookPayload::with_links`]).
    #[serde(
        default,
        rename = "proof_pdf_url",
        skip_serializing_if = "Option::is_none"
    )]
    pub proof_pdf_url: Option<String>,
    /// `envelope.completed`: where the audit trail can be downloaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_trail_url: Option<String>,
}

/// A document in a webhook body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDocument {
    /// Id.
    pub id: String,
    /// File name.
    pub name: String,
    /// Number of pages.
    pub page_count: u32,
    /// SHA-256 as uploaded.
    pub sha256: String,
    /// SHA-256 of the latest version (as sent, signed or completed).
    pub current_sha256: String,
}

/// A recipient in a webhook body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRecipient {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Role.
    pub role: RecipientRole,
    /// Routing order.
    pub routing_order: u32,
    /// Status.
    pub status: RecipientStatus,
    /// First view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewed_at: Option<DateTime<Utc>>,
    /// Signature time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<DateTime<Utc>>,
    /// Approval time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<DateTime<Utc>>,
    /// Decline time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined_at: Option<DateTime<Utc>>,
}

impl From<&Recipient> for WebhookRecipient {
    fn from(r: &Recipient) -> Self {
        Self {
            id: r.id.clone(),
            name: r.name.clone(),
            email: r.email.clone(),
            role: r.role,
            routing_order: r.routing_order,
            status: r.status,
            viewed_at: r.viewed_at,
            signed_at: r.signed_at,
            approved_at: r.approved_at,
            declined_at: r.declined_at,
        }
    }
}

/// The type a client knows an event by, when it is delivered at all:
/// draft edits, notifications, reminders and field values are not.
pub fn webhook_event_type(data: &EventData) -> Option<&'static str> {
    Some(match data {
        EventData::EnvelopeCreated { .. } => "envelope.created",
        EventData::EnvelopeSent { round, .. } if *round > 1 => "envelope.resubmitted",
        EventData::EnvelopeSent { .. } => "envelope.sent",
        EventData::EnvelopeViewed { .. } => "envelope.viewed",
        EventData::EnvelopeCompleted { .. } => "envelope.completed",
        EventData::EnvelopeDeclined { .. } => "envelope.declined",
        EventData::EnvelopeVoided { .. } => "envelope.voided",
        EventData::EnvelopeExpired { .. } => "envelope.expired",
        EventData::EnvelopeReturnedToDraft { .. } => "envelope.returned_to_sender",
        EventData::RecipientViewed { .. } => "recipient.viewed",
        EventData::RecipientSigned { .. } => "recipient.signed",
        EventData::RecipientApproved { .. } => "recipient.approved",
        EventData::RecipientDeclined { .. } => "recipient.declined",
        _ => return None,
    })
}

impl WebhookPayload {
    /// The bodies of the delivered events of a transition, each describing
    /// the envelope as it was right after its event. `before` is the
    /// envelope the command was applied to (`None` for a create).
    pub fn from_transition(
        before: Option<&Envelope>,
        transition: &Transition,
    ) -> Result<Vec<(Event, WebhookPayload)>> {
        let mut payloads = Vec::new();
        for (event, envelope) in crate::envelope::states_after(before, &transition.events)? {
            if let Some(payload) = Self::from_event(&event, &envelope) {
                payloads.push((event, payload));
            }
        }
        Ok(payloads)
    }

    /// The body for `event`, given the envelope right after it; `None` for
    /// events that are not delivered ([`webhook_event_type`]).
    pub fn from_event(event: &Event, envelope: &Envelope) -> Option<Self> {
        let name = webhook_event_type(&event.data)?;
        let mut data = WebhookData {
            envelope_id: envelope.id.clone(),
            event_seq: event.seq,
            subject: envelope.subject.clone(),
            status: envelope.status,
            signature_level: envelope.signature_level,
            recipient_count: envelope.recipients.len(),
            signed_count: envelope
                .recipients
                .iter()
                .filter(|r| r.status == RecipientStatus::Signed)
                .count(),
            documents: envelope
                .documents
                .iter()
                .map(|d| WebhookDocument {
                    id: d.id.clone(),
                    name: d.name.clone(),
                    page_count: d.page_count,
                    sha256: d.sha256.clone(),
                    current_sha256: d.current_sha256().to_owned(),
                })
                .collect(),
            created_at: envelope.created_at,
            sent_at: envelope.sent_at,
            completed_at: envelope.completed_at,
            recipient_id: None,
            email: None,
            name: None,
            role: None,
            signed_at: None,
            viewed_at: None,
            certificate_sha256: None,
            recipient: None,
            decline_reason: None,
            reason: None,
            missing_signers: None,
            proof_pdf_url: None,
            audit_trail_url: None,
        };
        if let Some(recipient) = event
            .data
            .recipient_id()
            .and_then(|id| envelope.recipient(id))
        {
            data.recipient_id = Some(recipient.id.clone());
            data.email.clone_from(&recipient.email);
            data.name = Some(recipient.name.clone());
            data.role = Some(recipient.role);
            data.signed_at = recipient.signed_at;
            data.viewed_at = recipient.viewed_at;
            data.recipient = Some(WebhookRecipient::from(recipient));
        }
        match &event.data {
            EventData::RecipientSigned {
                certificate_sha256, ..
            } => data.certificate_sha256.clone_from(certificate_sha256),
            EventData::RecipientDeclined { reason, .. }
            | EventData::EnvelopeDeclined { reason, .. } => {
                data.decline_reason = Some(reason.clone());
                data.reason = Some(reason.clone());
            }
            EventData::EnvelopeVoided { reason }
            | EventData::EnvelopeReturnedToDraft { reason, .. } => {
                data.reason = Some(reason.clone());
            }
            EventData::EnvelopeExpired {
                missing_recipient_ids,
            } => {
                data.missing_signers = Some(
                    missing_recipient_ids
                        .iter()
                        .filter_map(|id| envelope.recipient(id))
                        .map(WebhookRecipient::from)
                        .collect(),
                );
            }
            _ => {}
        }
        Some(Self {
            event: name.to_owned(),
            event_type: name.to_owned(),
            timestamp: event.occurred_at,
            occurred_at: event.occurred_at,
            envelope_id: envelope.id.clone(),
            data,
        })
    }

    /// The same body with the download links a surface serves
    /// (`envelope.completed`: `proof_pdf_url`, `auditTrailUrl`).
    pub fn with_links(
        mut self,
        signed_document_url: Option<String>,
        audit_trail_url: Option<String>,
    ) -> Self {
        self.data.proof_pdf_url = signed_document_url;
        self.data.audit_trail_url = audit_trail_url;
        self
    }

    /// The minified JSON body: the exact bytes to sign and send.
    pub fn to_json(&self) -> Vec<u8> {
        // Plain data with string keys always serialises.
        serde_json::to_vec(self).unwrap_or_default()
    }
}
