//! Commands: what callers ask of an envelope, and the context they ask in.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

use super::model::{
    AuthenticationMethod, DocumentDigest, EnvelopeSettings, FieldAnchor, FieldKind, FieldPlacement,
    PageSize, RecipientRole, SignatureLevel, SignatureMark,
};
use crate::geometry::Rect;

/// Who issues a command. Recorded in every event and in the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Actor {
    /// The platform itself (a scheduler expiring envelopes, sending reminders).
    System,
    /// A program authenticated by an API key (the key's id, never the key).
    ApiKey {
        /// The key's public id.
        id: String,
    },
    /// A person using the sender's application.
    User {
        /// The user's id in that application.
        id: String,
    },
    /// A recipient of the envelope, authenticated by the signing flow.
    Recipient {
        /// The recipient's id in the envelope.
        id: String,
    },
}

impl Actor {
    /// The id of the key, user or recipient; `None` for the system.
    pub fn id(&self) -> Option<&str> {
        match self {
            Actor::System => None,
            Actor::ApiKey { id } | Actor::User { id } | Actor::Recipient { id } => Some(id),
        }
    }

    /// A short label: `system`, `apiKey:key_1`, `user:u_1`, `recipient:r_1`.
    pub fn label(&self) -> String {
        match self {
            Actor::System => "system".to_owned(),
            Actor::ApiKey { id } => format!("apiKey:{id}"),
            Actor::User { id } => format!("user:{id}"),
            Actor::Recipient { id } => format!("recipient:{id}"),
        }
    }
}

/// The circumstances of a command: the time, who asks, and from where.
/// The core never reads a clock: `now` is always given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Context {
    /// The current time.
    pub now: DateTime<Utc>,
    /// Who issues the command.
    pub actor: Actor,
    /// The client's IP address, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// The client's user agent, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
}

impl Context {
    /// A context at `now` for `actor`, with no network details.
    pub fn new(now: DateTime<Utc>, actor: Actor) -> Self {
        Self {
            now,
            actor,
            ip: None,
            user_agent: None,
        }
    }

    /// The same context with an IP address.
    pub fn with_ip(mut self, ip: impl Into<String>) -> Self {
        self.ip = Some(ip.into());
        self
    }

    /// The same context with a user agent.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }
}

/// A command to an envelope. JSON: `{"type": "send"}`,
/// `{"type": "sign", "recipientId": "r1"}`. Unknown keys are refused, so
/// a misspelt key never silently drops what it carried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum Command {
    /// Create a draft envelope.
    Create(CreateEnvelope),
    /// Change a draft's subject, message, level, locale or expiry.
    Update(UpdateEnvelope),
    /// Add a document to a draft.
    AddDocument(NewDocument),
    /// Remove a document, and the fields on it, from a draft.
    #[serde(rename_all = "camelCase")]
    RemoveDocument {
        /// The document.
        document_id: String,
    },
    /// Add a recipient to a draft.
    AddRecipient(NewRecipient),
    /// Change a recipient of a draft.
    UpdateRecipient(UpdateRecipient),
    /// Remove a recipient, and their fields, from a draft.
    #[serde(rename_all = "camelCase")]
    RemoveRecipient {
        /// The recipient.
        recipient_id: String,
    },
    /// Place a field on a document of a draft.
    AddField(NewField),
    /// Change a field of a draft.
    UpdateField(UpdateField),
    /// Remove a field from a draft.
    #[serde(rename_all = "camelCase")]
    RemoveField {
        /// The field.
        field_id: String,
    },
    /// Send the draft: notify the recipients of the first routing order.
    /// `documents` are the digests of the documents as sent (with the
    /// recipients' fields in them), `placements` where anchored fields
    /// were placed; both come from the workflow's prepare step.
    #[serde(rename_all = "camelCase")]
    Send {
        /// Digests of the documents as sent; those not listed are sent as uploaded.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documents: Vec<DocumentDigest>,
        /// Where each anchored field was placed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        placements: Vec<FieldPlacement>,
    },
    /// A code (SMS or access code) was sent to a recipient.
    #[serde(rename_all = "camelCase")]
    RequestAuthentication {
        /// The recipient.
        recipient_id: String,
    },
    /// A recipient passed or failed their authentication: the caller
    /// checked the code; the envelope keeps the outcome, counts the
    /// failures and locks the recipient out after too many.
    #[serde(rename_all = "camelCase")]
    Authenticate {
        /// The recipient.
        recipient_id: String,
        /// The factor that was checked.
        method: AuthenticationMethod,
        /// Whether it passed.
        passed: bool,
    },
    /// A recipient accepts to use electronic records and signatures.
    #[serde(rename_all = "camelCase")]
    Consent {
        /// The recipient.
        recipient_id: String,
        /// The caller's version label of the consent text.
        version: String,
        /// Lower-case hex SHA-256 of the consent text as shown.
        text_sha256: String,
    },
    /// A recipient opens the documents.
    #[serde(rename_all = "camelCase")]
    View {
        /// The recipient.
        recipient_id: String,
    },
    /// A recipient fills one of their fields.
    #[serde(rename_all = "camelCase")]
    FillField {
        /// The recipient.
        recipient_id: String,
        /// The field.
        field_id: String,
        /// The value (`"true"`/`"false"` for checkboxes).
        value: String,
    },
    /// A signer signs.
    #[serde(rename_all = "camelCase")]
    Sign {
        /// The signer.
        recipient_id: String,
        /// Digests of the documents after this signature was applied, when
        /// the caller stamped and signed the PDFs.
        #[serde(default)]
        documents: Vec<DocumentDigest>,
        /// The mark the signer drew or typed, kept for the audit trail.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signature: Option<SignatureMark>,
        /// Lower-case hex SHA-256 of the certificate the signatures were
        /// made with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        certificate_sha256: Option<String>,
    },
    /// An approver approves.
    #[serde(rename_all = "camelCase")]
    Approve {
        /// The approver.
        recipient_id: String,
        /// Digests of the documents after the approver's field values were
        /// written into them, when they had fields.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documents: Vec<DocumentDigest>,
    },
    /// A signer or approver declines; the envelope is declined.
    #[serde(rename_all = "camelCase")]
    Decline {
        /// The recipient.
        recipient_id: String,
        /// Why.
        reason: String,
    },
    /// The sender cancels a sent envelope.
    Void {
        /// Why.
        reason: String,
    },
    /// Mark a sent envelope expired once its expiry time has passed.
    Expire,
    /// Record the completion once every signer and approver has acted,
    /// with the digests of the documents as a client downloads them
    /// (after the platform's final seal, if any).
    #[serde(rename_all = "camelCase")]
    Complete {
        /// Digests of the final documents; those not listed keep their latest digest.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        documents: Vec<DocumentDigest>,
    },
    /// Recall a sent envelope to draft for correction before anyone has
    /// signed or approved; the round ends and its links stop working.
    ReturnToDraft {
        /// Why.
        reason: String,
    },
    /// Remind recipients who have not acted (all active ones when empty).
    #[serde(rename_all = "camelCase")]
    Remind {
        /// The recipients to remind; empty means every active signer and approver.
        #[serde(default)]
        recipient_ids: Vec<String>,
    },
    /// Delete a draft.
    Delete,
}

impl Command {
    /// The command's JSON `type` (`"addRecipient"`).
    pub fn name(&self) -> &'static str {
        match self {
            Command::Create(_) => "create",
            Command::Update(_) => "update",
            Command::AddDocument(_) => "addDocument",
            Command::RemoveDocument { .. } => "removeDocument",
            Command::AddRecipient(_) => "addRecipient",
            Command::UpdateRecipient(_) => "updateRecipient",
            Command::RemoveRecipient { .. } => "removeRecipient",
            Command::AddField(_) => "addField",
            Command::UpdateField(_) => "updateField",
            Command::RemoveField { .. } => "removeField",
            Command::Send { .. } => "send",
            Command::RequestAuthentication { .. } => "requestAuthentication",
            Command::Authenticate { .. } => "authenticate",
            Command::Consent { .. } => "consent",
            Command::View { .. } => "view",
            Command::FillField { .. } => "fillField",
            Command::Sign { .. } => "sign",
            Command::Approve { .. } => "approve",
            Command::Decline { .. } => "decline",
            Command::Void { .. } => "void",
            Command::Expire => "expire",
            Command::Complete { .. } => "complete",
            Command::ReturnToDraft { .. } => "returnToDraft",
            Command::Remind { .. } => "remind",
            Command::Delete => "delete",
        }
    }

    /// The recipient a recipient-side command is issued for.
    pub fn acting_recipient(&self) -> Option<&str> {
        match self {
            Command::View { recipient_id }
            | Command::Consent { recipient_id, .. }
            | Command::FillField { recipient_id, .. }
            | Command::Sign { recipient_id, .. }
            | Command::Approve { recipient_id, .. }
            | Command::Decline { recipient_id, .. }
            | Command::RequestAuthentication { recipient_id }
            | Command::Authenticate { recipient_id, .. } => Some(recipient_id),
            _ => None,
        }
    }

    /// `Send` with no prepared documents nor placements: the envelope's
    /// documents are sent as uploaded.
    pub fn send() -> Self {
        Command::Send {
            documents: Vec::new(),
            placements: Vec::new(),
        }
    }
}

/// Parameters of [`Command::Create`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateEnvelope {
    /// The new envelope's id.
    pub id: String,
    /// Subject of the invitation.
    pub subject: String,
    /// Message of the invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Signature level (default SIMPLE).
    #[serde(default)]
    pub signature_level: SignatureLevel,
    /// Locale (default `en`).
    #[serde(default = "default_locale")]
    pub locale: String,
    /// Expiry time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Settings (default: no initials on every page, 5 authentication attempts).
    #[serde(default)]
    pub settings: EnvelopeSettings,
}

fn default_locale() -> String {
    "en".to_owned()
}

impl CreateEnvelope {
    /// An envelope with this id and subject, and the defaults JSON gives:
    /// no message, SIMPLE, `en`, no expiry, default settings. Change the
    /// rest with struct update syntax:
    /// `CreateEnvelope { locale: "fr".into(), ..CreateEnvelope::new("env_1", "Contrat") }`.
    pub fn new(id: impl Into<String>, subject: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            subject: subject.into(),
            message: None,
            signature_level: SignatureLevel::default(),
            locale: default_locale(),
            expires_at: None,
            settings: EnvelopeSettings::default(),
        }
    }
}

/// Parameters of [`Command::Update`]: absent keys are left as they are; for
/// `message` and `expiresAt`, `null` clears the value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateEnvelope {
    /// New subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// New message; `Some(None)` clears it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub message: Option<Option<String>>,
    /// New signature level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature_level: Option<SignatureLevel>,
    /// New locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// New expiry; `Some(None)` clears it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// New settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<EnvelopeSettings>,
}

/// Distinguishes a key that is present with `null` (`Some(None)`) from an
/// absent key (`None`, through `#[serde(default)]`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Parameters of [`Command::AddDocument`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewDocument {
    /// Id, unique in the envelope.
    pub id: String,
    /// File name.
    pub name: String,
    /// Number of pages.
    pub page_count: u32,
    /// The size of each page as displayed, so that fields can be checked
    /// against them (one per page when given).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<PageSize>,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
}

/// Parameters of [`Command::AddRecipient`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewRecipient {
    /// Id, unique in the envelope.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Email address; unique in the envelope. A recipient reached by SMS
    /// only has a phone instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number in E.164 form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Role (default SIGNER).
    #[serde(default = "default_role")]
    pub role: RecipientRole,
    /// Routing order, from 1 (default 1: everyone in parallel).
    #[serde(default = "default_routing_order")]
    pub routing_order: u32,
    /// Authentication method (default EMAIL_LINK).
    #[serde(default)]
    pub authentication: AuthenticationMethod,
}

fn default_role() -> RecipientRole {
    RecipientRole::Signer
}

fn default_routing_order() -> u32 {
    1
}

/// Parameters of [`Command::AddField`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewField {
    /// Id, unique in the envelope.
    pub id: String,
    /// The document.
    pub document_id: String,
    /// The recipient.
    pub recipient_id: String,
    /// What the field holds.
    pub kind: FieldKind,
    /// Page number, from 1.
    pub page: u32,
    /// Position and size in points from the top-left of the page as displayed.
    pub rect: Rect,
    /// Whether it must be filled (default true).
    #[serde(default = "default_required")]
    pub required: bool,
    /// A value filled in advance by the sender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A text field of several lines.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiline: bool,
    /// Place it beside a phrase of the document (see [`Field::anchor`](super::Field::anchor)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<FieldAnchor>,
}

fn default_required() -> bool {
    true
}

/// Parameters of [`Command::UpdateRecipient`]: absent keys are left as
/// they are; for `email` and `phone`, `null` clears the value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateRecipient {
    /// The recipient.
    pub recipient_id: String,
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New email; `Some(None)` clears it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub email: Option<Option<String>>,
    /// New phone; `Some(None)` clears it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub phone: Option<Option<String>>,
    /// New role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RecipientRole>,
    /// New routing order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_order: Option<u32>,
    /// New authentication method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication: Option<AuthenticationMethod>,
}

/// Parameters of [`Command::UpdateField`]: absent keys are left as they
/// are; for `value` and `anchor`, `null` clears it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateField {
    /// The field.
    pub field_id: String,
    /// New recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient_id: Option<String>,
    /// New page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// New position and size.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rect: Option<Rect>,
    /// Whether it must be filled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// New value; `Some(None)` clears it.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Option<String>>,
    /// Several lines or one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiline: Option<bool>,
    /// New anchor; `Some(None)` places it at `page` and `rect` instead.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub anchor: Option<Option<FieldAnchor>>,
}
