//! Events: the facts an envelope's history is made of.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::command::{Actor, UpdateField, UpdateRecipient};
use super::model::{
    AuthenticationMethod, Document, DocumentDigest, EnvelopeSettings, Field, FieldPlacement,
    Recipient, SignatureLevel, SignatureMark,
};

/// One fact in an envelope's history. Folding the events of an envelope from
/// nothing with [`replay`](super::replay) reproduces the envelope exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// The [`SCHEMA_VERSION`](super::SCHEMA_VERSION) the event was written
    /// with; events stored before it was recorded read as version 1.
    #[serde(default = "version_1")]
    pub schema_version: u32,
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

fn version_1() -> u32 {
    1
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
        /// Settings.
        #[serde(default)]
        settings: EnvelopeSettings,
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
        /// Settings.
        #[serde(default)]
        settings: EnvelopeSettings,
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
    /// A recipient of a draft was changed; the keys given are the new values.
    #[serde(rename = "recipient.updated", rename_all = "camelCase")]
    RecipientUpdated {
        /// The change.
        update: UpdateRecipient,
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
    /// A field of a draft was changed; the keys given are the new values.
    #[serde(rename = "field.updated", rename_all = "camelCase")]
    FieldUpdated {
        /// The change.
        update: UpdateField,
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
        /// Digests of the documents as sent (with the recipients' fields).
        documents: Vec<DocumentDigest>,
        /// Where the anchored fields were placed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        placements: Vec<FieldPlacement>,
        /// The round that starts: 1, then one more after each return to draft.
        #[serde(default = "first_round")]
        round: u32,
    },
    /// The envelope went back to draft for correction; the round ended.
    #[serde(rename = "envelope.returned_to_draft", rename_all = "camelCase")]
    EnvelopeReturnedToDraft {
        /// Why.
        reason: String,
        /// The round that ended.
        round: u32,
    },
    /// A recipient opened the envelope first, of all recipients.
    #[serde(rename = "envelope.viewed", rename_all = "camelCase")]
    EnvelopeViewed {
        /// Who opened it.
        recipient_id: String,
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
    /// A code was sent to a recipient (SMS or access code).
    #[serde(
        rename = "recipient.authentication_requested",
        rename_all = "camelCase"
    )]
    RecipientAuthenticationRequested {
        /// The recipient.
        recipient_id: String,
        /// The method.
        method: AuthenticationMethod,
    },
    /// A recipient passed their authentication.
    #[serde(rename = "recipient.authenticated", rename_all = "camelCase")]
    RecipientAuthenticated {
        /// The recipient.
        recipient_id: String,
        /// The factor that passed.
        method: AuthenticationMethod,
    },
    /// A recipient failed their authentication.
    #[serde(rename = "recipient.authentication_failed", rename_all = "camelCase")]
    RecipientAuthenticationFailed {
        /// The recipient.
        recipient_id: String,
        /// The factor that failed.
        method: AuthenticationMethod,
        /// Failed attempts in a row, this one included.
        attempts: u32,
    },
    /// A recipient was locked out after too many failed attempts.
    #[serde(rename = "recipient.locked", rename_all = "camelCase")]
    RecipientLocked {
        /// The recipient.
        recipient_id: String,
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
        /// SHA-256 of the certificate the signatures were made with, when given.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        certificate_sha256: Option<String>,
    },
    /// An approver approved.
    #[serde(rename = "recipient.approved", rename_all = "camelCase")]
    RecipientApproved {
        /// The approver.
        recipient_id: String,
        /// Digests of the documents with the approver's values, when given.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documents: Vec<DocumentDigest>,
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
    /// Every signer and approver has acted, and the final documents exist.
    #[serde(rename = "envelope.completed", rename_all = "camelCase")]
    EnvelopeCompleted {
        /// Digests of the final documents, as a client downloads them.
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

fn first_round() -> u32 {
    1
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
            EventData::RecipientUpdated { .. } => "recipient.updated",
            EventData::RecipientRemoved { .. } => "recipient.removed",
            EventData::FieldAdded { .. } => "field.added",
            EventData::FieldUpdated { .. } => "field.updated",
            EventData::FieldRemoved { .. } => "field.removed",
            EventData::EnvelopeSent { .. } => "envelope.sent",
            EventData::EnvelopeReturnedToDraft { .. } => "envelope.returned_to_draft",
            EventData::EnvelopeViewed { .. } => "envelope.viewed",
            EventData::RecipientAuthenticationRequested { .. } => {
                "recipient.authentication_requested"
            }
            EventData::RecipientAuthenticated { .. } => "recipient.authenticated",
            EventData::RecipientAuthenticationFailed { .. } => "recipient.authentication_failed",
            EventData::RecipientLocked { .. } => "recipient.locked",
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
            EventData::RecipientUpdated { update } => Some(&update.recipient_id),
            EventData::RecipientRemoved { recipient_id }
            | EventData::EnvelopeViewed { recipient_id }
            | EventData::RecipientAuthenticationRequested { recipient_id, .. }
            | EventData::RecipientAuthenticated { recipient_id, .. }
            | EventData::RecipientAuthenticationFailed { recipient_id, .. }
            | EventData::RecipientLocked { recipient_id }
            | EventData::RecipientNotified { recipient_id, .. }
            | EventData::RecipientViewed { recipient_id }
            | EventData::RecipientConsented { recipient_id, .. }
            | EventData::FieldFilled { recipient_id, .. }
            | EventData::RecipientSigned { recipient_id, .. }
            | EventData::RecipientApproved { recipient_id, .. }
            | EventData::RecipientDeclined { recipient_id, .. }
            | EventData::RecipientReminded { recipient_id }
            | EventData::EnvelopeDeclined { recipient_id, .. } => Some(recipient_id),
            _ => None,
        }
    }
}
