//! Webhook bodies for envelope events, in the shape the Standard Webhooks
//! specification recommends: `{"type", "timestamp", "data"}`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::envelope::{
    Envelope, EnvelopeStatus, Event, EventData, Recipient, RecipientRole, RecipientStatus,
    SignatureLevel, Transition,
};
use crate::error::Result;

/// The body of a webhook delivery.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookPayload {
    /// The event type (`"envelope.completed"`).
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the event happened.
    pub timestamp: DateTime<Utc>,
    /// The envelope and, for recipient events, the recipient.
    pub data: WebhookData,
}

/// The `data` of a webhook body: a summary of the envelope, never its
/// fields' values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookData {
    /// The envelope.
    pub envelope_id: String,
    /// The event's position in the envelope's history (for ordering and
    /// deduplication).
    pub event_seq: u64,
    /// Subject.
    pub subject: String,
    /// Status after the command that produced the event.
    pub status: EnvelopeStatus,
    /// Signature level.
    pub signature_level: SignatureLevel,
    /// Number of recipients.
    pub recipient_count: usize,
    /// Number of signers who have signed.
    pub signed_count: usize,
    /// The documents, with their original and latest digests.
    pub documents: Vec<WebhookDocument>,
    /// The recipient the event is about (recipient events, declines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<WebhookRecipient>,
    /// Why the envelope was declined or voided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The signers and approvers who had not acted when the envelope expired.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_recipient_ids: Option<Vec<String>>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Send time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    /// Completion time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
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
    /// SHA-256 of the latest signed version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_sha256: Option<String>,
}

/// A recipient in a webhook body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookRecipient {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
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

impl WebhookPayload {
    /// The bodies of the published events of a transition, each describing
    /// the envelope as it was right after its event (a `recipient.signed`
    /// body says SENT even when the same command then completed the
    /// envelope). `before` is the envelope the command was applied to
    /// (`None` for a create).
    pub fn from_transition(
        before: Option<&Envelope>,
        transition: &Transition,
    ) -> Result<Vec<(Event, WebhookPayload)>> {
        let mut payloads = Vec::new();
        for (event, envelope) in
            crate::envelope::states_after(before, &transition.events)?.into_iter()
        {
            if let Some(payload) = Self::from_event(&event, &envelope) {
                payloads.push((event, payload));
            }
        }
        Ok(payloads)
    }

    /// The body for `event`, given the envelope right after it; `None` for
    /// events that are not published (draft edits, reminders, field values).
    pub fn from_event(event: &Event, envelope: &Envelope) -> Option<Self> {
        if !event.data.is_published() {
            return None;
        }
        let (reason, missing_recipient_ids) = match &event.data {
            EventData::RecipientDeclined { reason, .. }
            | EventData::EnvelopeDeclined { reason, .. }
            | EventData::EnvelopeVoided { reason } => (Some(reason.clone()), None),
            EventData::EnvelopeExpired {
                missing_recipient_ids,
            } => (None, Some(missing_recipient_ids.clone())),
            _ => (None, None),
        };
        let recipient = event
            .data
            .recipient_id()
            .and_then(|id| envelope.recipient(id))
            .map(WebhookRecipient::from);
        Some(Self {
            event_type: event.event_type().to_owned(),
            timestamp: event.occurred_at,
            data: WebhookData {
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
                        signed_sha256: d.signed_sha256.clone(),
                    })
                    .collect(),
                recipient,
                reason,
                missing_recipient_ids,
                created_at: envelope.created_at,
                sent_at: envelope.sent_at,
                completed_at: envelope.completed_at,
            },
        })
    }

    /// The minified JSON body: the exact bytes to sign and send.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain data with string keys cannot fail.
        serde_json::to_vec(self).unwrap_or_else(|_| unreachable!("payload serializes"))
    }
}
