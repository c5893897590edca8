//! Events: the facts an envelope's history is made of.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::Actor;
use super::model::{Document, DocumentDigest, Field, Recipient, SignatureLevel, SignatureMark};

/// One fact in an envelope's history. Folding the events of an envelope from
/// nothing with [`replay`](super::replay) reproduces the envelope exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The envelope.
    pub envelope_id: String,
    /// Position in the envelope's history, from 1; the envelope's `version`
    /// after this event.
    pub seq: u64,
    /// When it happened (the command's `now`).
    pub occurred_at: DateTime<Utc>,
    /// Who caused it.
    pub actor: Actor,
    /// The client's IP address, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The client's user agent, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// What happened: `{"type": "recipient.signed", "data": {...}}`.
    #[serde(flatten)]
    pub data: EventData,
}

impl Event {
    /// The dotted event type (`"recipient.signed"`).
    pub fn event_type(&self) -> &'static str {
        self.data.event_type()
    }

    /// A message id for webhook deliveries of this event: stable across
    /// retries, unique per envelope event, free of `.`
    /// (`evt_<envelope>_<seq>`).
    pub fn message_id(&self) -> String {
        format!("evt_{}_{}", self.envelope_id, self.seq)
    }
}

/// Why a recipient is notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationReason {
    /// Their routing order was reached: it is their turn (or, for CCs, their copy).
    RoutingOrderReached,
    /// The envelope completed: CCs receive the completed documents.
    EnvelopeCompleted,
}

/// What happened, with what is needed to replay it and to tell it (audit
/// trail, webhooks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum EventData {
    /// The envelope was created as a draft.
    #[serde(rename = "envelope.created", rename_all = "camelCase")]
    EnvelopeCreated {
        /// Subject.
        subject: String,
        /// Message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// Signature level.
        signature_level: SignatureLevel,
        /// Locale.
        locale: String,
        /// Expiry.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
    },
    /// The draft's settings changed; the values are the new ones.
    #[serde(rename = "envelope.updated", rename_all = "camelCase")]
    EnvelopeUpdated {
        /// Subject.
        subject: String,
        /// Message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// Signature level.
        signature_level: SignatureLevel,
        /// Locale.
        locale: String,
        /// Expiry.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expires_at: Option<DateTime<Utc>>,
    },
    /// A document was added.
    #[serde(rename = "document.added", rename_all = "camelCase")]
    DocumentAdded {
        /// The document.
        document: Document,
    },
    /// A document and its fields were removed.
    #[serde(rename = "document.removed", rename_all = "camelCase")]
    DocumentRemoved {
        /// The document.
        document_id: String,
    },
    /// A recipient was added.
    #[serde(rename = "recipient.added", rename_all = "camelCase")]
    RecipientAdded {
        /// The recipient as added.
        recipient: Recipient,
    },
    /// A recipient and their fields were removed.
    #[serde(rename = "recipient.removed", rename_all = "camelCase")]
    RecipientRemoved {
        /// The recipient.
        recipient_id: String,
    },
    /// A field was placed.
    #[serde(rename = "field.added", rename_all = "camelCase")]
    FieldAdded {
        /// The field as placed.
        field: Field,
    },
    /// A field was removed.
    #[serde(rename = "field.removed", rename_all = "camelCase")]
    FieldRemoved {
        /// The field.
        field_id: String,
    },
    /// The envelope was sent.
    #[serde(rename = "envelope.sent", rename_all = "camelCase")]
    EnvelopeSent {
        /// Digests of the documents as sent.
        documents: Vec<DocumentDigest>,
    },
    /// A recipient was notified.
    #[serde(rename = "recipient.notified", rename_all = "camelCase")]
    RecipientNotified {
        /// The recipient.
        recipient_id: String,
        /// Why.
        reason: NotificationReason,
    },
    /// A recipient accepted to use electronic records and signatures.
    #[serde(rename = "recipient.consented", rename_all = "camelCase")]
    RecipientConsented {
        /// The recipient.
        recipient_id: String,
        /// The caller's version label of the consent text.
        version: String,
        /// Lower-case hex SHA-256 of the consent text.
        text_sha256: String,
    },
    /// A recipient opened the documents.
    #[serde(rename = "recipient.viewed", rename_all = "camelCase")]
    RecipientViewed {
        /// The recipient.
        recipient_id: String,
    },
    /// A recipient filled a field.
    #[serde(rename = "field.filled", rename_all = "camelCase")]
    FieldFilled {
        /// The recipient.
        recipient_id: String,
        /// The field.
        field_id: String,
        /// The value.
        value: String,
    },
    /// A signer signed.
    #[serde(rename = "recipient.signed", rename_all = "camelCase")]
    RecipientSigned {
        /// The signer.
        recipient_id: String,
        /// Digests of the documents after the signature, when given.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documents: Vec<DocumentDigest>,
        /// The mark the signer drew or typed, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<SignatureMark>,
    },
    /// An approver approved.
    #[serde(rename = "recipient.approved", rename_all = "camelCase")]
    RecipientApproved {
        /// The approver.
        recipient_id: String,
    },
    /// A recipient declined.
    #[serde(rename = "recipient.declined", rename_all = "camelCase")]
    RecipientDeclined {
        /// The recipient.
        recipient_id: String,
        /// Why.
        reason: String,
    },
    /// A recipient was reminded.
    #[serde(rename = "recipient.reminded", rename_all = "camelCase")]
    RecipientReminded {
        /// The recipient.
        recipient_id: String,
    },
    /// Every signer and approver has acted.
    #[serde(rename = "envelope.completed", rename_all = "camelCase")]
    EnvelopeCompleted {
        /// Digests of the final documents.
        documents: Vec<DocumentDigest>,
    },
    /// The envelope was declined.
    #[serde(rename = "envelope.declined", rename_all = "camelCase")]
    EnvelopeDeclined {
        /// Who declined.
        recipient_id: String,
        /// Why.
        reason: String,
    },
    /// The sender voided the envelope.
    #[serde(rename = "envelope.voided", rename_all = "camelCase")]
    EnvelopeVoided {
        /// Why.
        reason: String,
    },
    /// The envelope expired.
    #[serde(rename = "envelope.expired", rename_all = "camelCase")]
    EnvelopeExpired {
        /// The signers and approvers who had not acted.
        missing_recipient_ids: Vec<String>,
    },
    /// The draft was deleted.
    #[serde(rename = "envelope.deleted")]
    EnvelopeDeleted,
}

impl EventData {
    /// The dotted event type (`"recipient.signed"`).
    pub fn event_type(&self) -> &'static str {
        match self {
            EventData::EnvelopeCreated { .. } => "envelope.created",
            EventData::EnvelopeUpdated { .. } => "envelope.updated",
            EventData::DocumentAdded { .. } => "document.added",
            EventData::DocumentRemoved { .. } => "document.removed",
            EventData::RecipientAdded { .. } => "recipient.added",
            EventData::RecipientRemoved { .. } => "recipient.removed",
            EventData::FieldAdded { .. } => "field.added",
            EventData::FieldRemoved { .. } => "field.removed",
            EventData::EnvelopeSent { .. } => "envelope.sent",
            EventData::RecipientNotified { .. } => "recipient.notified",
            EventData::RecipientConsented { .. } => "recipient.consented",
            EventData::RecipientViewed { .. } => "recipient.viewed",
            EventData::FieldFilled { .. } => "field.filled",
            EventData::RecipientSigned { .. } => "recipient.signed",
            EventData::RecipientApproved { .. } => "recipient.approved",
            EventData::RecipientDeclined { .. } => "recipient.declined",
            EventData::RecipientReminded { .. } => "recipient.reminded",
            EventData::EnvelopeCompleted { .. } => "envelope.completed",
            EventData::EnvelopeDeclined { .. } => "envelope.declined",
            EventData::EnvelopeVoided { .. } => "envelope.voided",
            EventData::EnvelopeExpired { .. } => "envelope.expired",
            EventData::EnvelopeDeleted => "envelope.deleted",
        }
    }

    /// The recipient the event is about, if any.
    pub fn recipient_id(&self) -> Option<&str> {
        match self {
            EventData::RecipientAdded { recipient } => Some(&recipient.id),
            EventData::RecipientRemoved { recipient_id }
            | EventData::RecipientNotified { recipient_id, .. }
            | EventData::RecipientViewed { recipient_id }
            | EventData::RecipientConsented { recipient_id, .. }
            | EventData::FieldFilled { recipient_id, .. }
            | EventData::RecipientSigned { recipient_id, .. }
            | EventData::RecipientApproved { recipient_id }
            | EventData::RecipientDeclined { recipient_id, .. }
            | EventData::RecipientReminded { recipient_id }
            | EventData::EnvelopeDeclined { recipient_id, .. } => Some(recipient_id),
            _ => None,
        }
    }

    /// Event types published to webhooks: the envelope and recipient
    /// lifecycle (not draft editing).
    pub const PUBLISHED_TYPES: &'static [&'static str] = &[
        "envelope.created",
        "envelope.sent",
        "envelope.completed",
        "envelope.declined",
        "envelope.voided",
        "envelope.expired",
        "recipient.notified",
        "recipient.viewed",
        "recipient.signed",
        "recipient.approved",
        "recipient.declined",
    ];

    /// Whether this event is published to webhooks.
    pub fn is_published(&self) -> bool {
        Self::PUBLISHED_TYPES.contains(&self.event_type())
    }
}
