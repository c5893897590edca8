//! The envelope model: what an envelope, its documents, recipients and fields
//! are at one point of their history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};
use crate::geometry::Rect;

/// Version of the JSON shape of [`Envelope`] and of its events. Version 1
/// (before recipient authentication, page sizes, completion with the final
/// digests and returns to draft) is read and migrated; later versions are
/// refused with `UNSUPPORTED_SCHEMA_VERSION`.
pub const SCHEMA_VERSION: u32 = 2;

/// Failed authentication attempts after which a recipient is locked out,
/// unless the envelope's settings say otherwise.
pub const DEFAULT_MAX_AUTHENTICATION_ATTEMPTS: u32 = 5;

/// An envelope: documents sent to recipients for signature.
///
/// An envelope only changes through [`apply`](super::apply), and its whole
/// state can be rebuilt from its events with [`replay`](super::replay).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Envelope {
    /// [`SCHEMA_VERSION`] of this JSON shape.
    pub schema_version: u32,
    /// Caller-chosen id, unique in the caller's store.
    pub id: String,
    /// Subject of the invitation.
    pub subject: String,
    /// Message of the invitation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Level of electronic signature the envelope aims at.
    pub signature_level: SignatureLevel,
    /// Language of the pages, emails and audit trail (`en`, `fr`, `ko`, `fr-CA`).
    pub locale: String,
    /// Lifecycle status.
    pub status: EnvelopeStatus,
    /// Documents, in display order.
    pub documents: Vec<Document>,
    /// Recipients, in the order they were added.
    pub recipients: Vec<Recipient>,
    /// Fields placed on the documents.
    pub fields: Vec<Field>,
    /// How the envelope behaves.
    #[serde(default)]
    pub settings: EnvelopeSettings,
    /// The signing round, from 1: a return to draft ends a round, and
    /// links handed out for an earlier round stop working.
    #[serde(default = "first_round")]
    pub round: u32,
    /// When the envelope expires if not completed by then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Number of events in the envelope's history; the `seq` of its last event.
    pub version: u64,
    /// Time of `envelope.created`.
    pub created_at: DateTime<Utc>,
    /// Time of the last event.
    pub updated_at: DateTime<Utc>,
    /// Time of `envelope.sent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<DateTime<Utc>>,
    /// Time of `envelope.viewed`: when any recipient first opened it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewed_at: Option<DateTime<Utc>>,
    /// Time of `envelope.completed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// Time of `envelope.declined`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined_at: Option<DateTime<Utc>>,
    /// Time of `envelope.voided`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voided_at: Option<DateTime<Utc>>,
    /// Why the sender voided the envelope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub void_reason: Option<String>,
    /// Time of `envelope.expired`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expired_at: Option<DateTime<Utc>>,
    /// Time of `envelope.deleted`. A deleted draft accepts no command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
}

fn first_round() -> u32 {
    1
}

impl Envelope {
    /// Reads an envelope from JSON, checking its `schemaVersion` first so
    /// that a newer shape is refused with `UNSUPPORTED_SCHEMA_VERSION`
    /// rather than misread. Version 1 is migrated (see [`SCHEMA_VERSION`]).
    pub fn from_json(json: &str) -> Result<Self> {
        let mut value: serde_json::Value = serde_json::from_str(json)?;
        match value
            .get("schemaVersion")
            .and_then(serde_json::Value::as_u64)
        {
            Some(version) if version == u64::from(SCHEMA_VERSION) => {}
            Some(1) => super::migrate::envelope_v1(&mut value)?,
            Some(version) => {
                return Err(Error::new(
                    ErrorCode::UnsupportedSchemaVersion,
                    format!(
                        "envelope schema version {version} is not supported (this build reads 1 and {SCHEMA_VERSION})"
                    ),
                ));
            }
            None => {
                return Err(Error::new(
                    ErrorCode::MalformedJson,
                    "the envelope has no numeric schemaVersion",
                ));
            }
        }
        let envelope: Self = serde_json::from_value(value)?;
        super::invariants::check_loaded(&envelope)?;
        Ok(envelope)
    }

    /// Whether every signer and approver has acted but the completion,
    /// with the final documents' digests, has not been recorded yet
    /// ([`Command::Complete`](super::Command::Complete)).
    pub fn awaiting_completion(&self) -> bool {
        self.status == EnvelopeStatus::Sent && self.active_routing_order().is_none()
    }

    /// Whether the envelope has reached a final status (completed, declined,
    /// voided or expired). Terminal envelopes refuse every command.
    pub fn is_terminal(&self) -> bool {
        self.status.is_terminal()
    }

    /// The document with `id`.
    pub fn document(&self, id: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }

    /// The recipient with `id`.
    pub fn recipient(&self, id: &str) -> Option<&Recipient> {
        self.recipients.iter().find(|r| r.id == id)
    }

    /// The field with `id`.
    pub fn field(&self, id: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.id == id)
    }

    /// The fields that belong to `recipient_id`.
    pub fn fields_of<'a>(&'a self, recipient_id: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.recipient_id == recipient_id)
    }

    /// The routing order whose signers and approvers may act now: the lowest
    /// order that still has a signer or approver who has not acted. `None`
    /// when every signer and approver has acted (or there are none).
    ///
    /// Recipients sharing an order act in parallel; orders act in sequence.
    /// Sequential, parallel and mixed routing are all this one rule.
    pub fn active_routing_order(&self) -> Option<u32> {
        self.recipients
            .iter()
            .filter(|r| r.role.must_act() && !r.status.has_acted())
            .map(|r| r.routing_order)
            .min()
    }

    /// The digests of the documents as they are now (signed result if there is one).
    pub fn document_digests(&self) -> Vec<DocumentDigest> {
        self.documents
            .iter()
            .map(|d| DocumentDigest {
                document_id: d.id.clone(),
                sha256: d.current_sha256().to_owned(),
            })
            .collect()
    }

    /// Ids of the signers and approvers who have not acted.
    pub fn missing_recipient_ids(&self) -> Vec<String> {
        self.recipients
            .iter()
            .filter(|r| r.role.must_act() && !r.status.has_acted())
            .map(|r| r.id.clone())
            .collect()
    }
}

/// Level of electronic signature under Regulation (EU) No 910/2014.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SignatureLevel {
    /// Simple electronic signature (eIDAS Art. 3(10)).
    #[default]
    Simple,
    /// Advanced electronic signature (eIDAS Art. 26).
    Advanced,
    /// Qualified electronic signature (eIDAS Art. 3(12)).
    Qualified,
}

/// Lifecycle status of an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EnvelopeStatus {
    /// Being prepared: documents, recipients and fields can change.
    Draft,
    /// Sent to its recipients; waiting for them to act.
    Sent,
    /// Every signer and approver has acted.
    Completed,
    /// A signer or approver declined.
    Declined,
    /// The sender voided it.
    Voided,
    /// Its expiry time passed before completion.
    Expired,
}

impl EnvelopeStatus {
    /// Completed, declined, voided or expired.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Completed | Self::Declined | Self::Voided | Self::Expired
        )
    }

    /// The SCREAMING_SNAKE name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "DRAFT",
            Self::Sent => "SENT",
            Self::Completed => "COMPLETED",
            Self::Declined => "DECLINED",
            Self::Voided => "VOIDED",
            Self::Expired => "EXPIRED",
        }
    }
}

/// How an envelope behaves: settings the sender chooses on a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EnvelopeSettings {
    /// Each signer initials every page of every document.
    #[serde(default)]
    pub initials_on_every_page: bool,
    /// Failed authentication attempts after which a recipient is locked out.
    #[serde(default = "default_max_attempts")]
    pub max_authentication_attempts: u32,
}

fn default_max_attempts() -> u32 {
    DEFAULT_MAX_AUTHENTICATION_ATTEMPTS
}

impl Default for EnvelopeSettings {
    fn default() -> Self {
        Self {
            initials_on_every_page: false,
            max_authentication_attempts: DEFAULT_MAX_AUTHENTICATION_ATTEMPTS,
        }
    }
}

/// The size of a page as displayed, in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PageSize {
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// A document of the envelope. The PDF bytes live elsewhere; the envelope
/// keeps their digests: as uploaded, as sent (with the recipients' fields),
/// after the latest signature, and as completed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Document {
    /// Id, unique in the envelope.
    pub id: String,
    /// File name shown to recipients (`contract.pdf`).
    pub name: String,
    /// Number of pages.
    pub page_count: u32,
    /// The size of each page as displayed, when the sender gave them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<PageSize>,
    /// Lower-case hex SHA-256 of the document as uploaded.
    pub sha256: String,
    /// Lower-case hex SHA-256 of the document as sent to the recipients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_sha256: Option<String>,
    /// Lower-case hex SHA-256 of the latest signed version, once someone signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_sha256: Option<String>,
    /// Lower-case hex SHA-256 of the completed document, as downloaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_sha256: Option<String>,
}

impl Document {
    /// The digest of the latest version: final, signed, sent or original.
    pub fn current_sha256(&self) -> &str {
        self.final_sha256
            .as_deref()
            .or(self.signed_sha256.as_deref())
            .or(self.sent_sha256.as_deref())
            .unwrap_or(&self.sha256)
    }
}

/// A document id with a SHA-256 digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentDigest {
    /// The document.
    pub document_id: String,
    /// Lower-case hex SHA-256.
    pub sha256: String,
}

/// A person the envelope is sent to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recipient {
    /// Id, unique in the envelope.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Email address; a recipient reached by SMS only has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone number in E.164 form (`+33612345678`), for SMS codes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// What the recipient does.
    pub role: RecipientRole,
    /// Position in the routing: equal orders act in parallel, lower orders first.
    pub routing_order: u32,
    /// Where the recipient is in the routing.
    pub status: RecipientStatus,
    /// How the recipient proves who they are before acting.
    pub authentication: AuthenticationMethod,
    /// When the recipient last passed the authentication their method
    /// asks for, in this round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticated_at: Option<DateTime<Utc>>,
    /// Failed authentication attempts in a row.
    #[serde(default)]
    pub failed_authentications: u32,
    /// When the recipient was locked out after too many failed attempts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_at: Option<DateTime<Utc>>,
    /// When the recipient was first notified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notified_at: Option<DateTime<Utc>>,
    /// When the recipient first viewed the documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub viewed_at: Option<DateTime<Utc>>,
    /// When the signer signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<DateTime<Utc>>,
    /// When the approver approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_at: Option<DateTime<Utc>>,
    /// When the recipient declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declined_at: Option<DateTime<Utc>>,
    /// Why the recipient declined.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decline_reason: Option<String>,
    /// How many reminders were sent.
    #[serde(default)]
    pub reminder_count: u32,
    /// When the last reminder was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_reminded_at: Option<DateTime<Utc>>,
    /// The consent to sign electronically the recipient gave, latest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// The mark the signer left when signing (typed name or drawn image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<SignatureMark>,
    /// Lower-case hex SHA-256 of the certificate the signer's signatures
    /// were made with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_sha256: Option<String>,
}

impl Recipient {
    /// Whether the recipient may act as far as authentication goes: their
    /// method needs no code, or they passed it in this round, and they are
    /// not locked out.
    pub fn is_authenticated(&self) -> bool {
        self.locked_at.is_none()
            && (!self.authentication.needs_code() || self.authenticated_at.is_some())
    }

    /// The email, or the phone, or the name: how to address them.
    pub fn contact(&self) -> &str {
        self.email
            .as_deref()
            .or(self.phone.as_deref())
            .unwrap_or(&self.name)
    }
}

/// A recipient's consent to use electronic records and signatures: which
/// version of the consent text they accepted, its digest, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Consent {
    /// The caller's version label of the consent text (`2026-01`).
    pub version: String,
    /// Lower-case hex SHA-256 of the consent text as shown (UTF-8 bytes).
    pub text_sha256: String,
    /// When the recipient accepted it.
    pub given_at: DateTime<Utc>,
}

/// The visible mark a signer leaves: their name typed, or a drawing.
/// JSON: `{"type": "TYPED", "text": "Marie Dupont"}` or
/// `{"type": "DRAWN", "png": "<base64>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub enum SignatureMark {
    /// A typed name.
    Typed {
        /// The text as typed.
        text: String,
    },
    /// A drawn signature as a PNG image.
    Drawn {
        /// The PNG file (base64 in JSON).
        #[serde(with = "crate::serde_util::base64_bytes")]
        png: Vec<u8>,
    },
}

impl SignatureMark {
    /// `TYPED` or `DRAWN`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Typed { .. } => "TYPED",
            Self::Drawn { .. } => "DRAWN",
        }
    }
}

/// What a recipient does with the envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecipientRole {
    /// Signs; the envelope completes when every signer and approver has acted.
    Signer,
    /// Approves without signing; gates the routing like a signer.
    Approver,
    /// Receives a copy when their order is reached and at completion.
    Cc,
    /// May view the documents; does not gate the routing.
    Viewer,
}

impl RecipientRole {
    /// Signers and approvers must act before the routing moves on.
    pub fn must_act(self) -> bool {
        matches!(self, Self::Signer | Self::Approver)
    }

    /// The SCREAMING_SNAKE name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signer => "SIGNER",
            Self::Approver => "APPROVER",
            Self::Cc => "CC",
            Self::Viewer => "VIEWER",
        }
    }
}

/// Where a recipient is in the routing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RecipientStatus {
    /// Their routing order has not been reached.
    Pending,
    /// Notified; has not opened the documents.
    Notified,
    /// Opened the documents.
    Viewed,
    /// Signed (signers).
    Signed,
    /// Approved (approvers).
    Approved,
    /// Declined; the envelope is declined.
    Declined,
}

impl RecipientStatus {
    /// Signed or approved.
    pub fn has_acted(self) -> bool {
        matches!(self, Self::Signed | Self::Approved)
    }

    /// Notified or viewed: the recipient's turn, not yet acted.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Notified | Self::Viewed)
    }

    /// The SCREAMING_SNAKE name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Notified => "NOTIFIED",
            Self::Viewed => "VIEWED",
            Self::Signed => "SIGNED",
            Self::Approved => "APPROVED",
            Self::Declined => "DECLINED",
        }
    }
}

/// How a recipient proves who they are before acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthenticationMethod {
    /// Possession of the link sent by email.
    #[default]
    EmailLink,
    /// A one-time code sent by SMS to the recipient's phone.
    SmsCode,
    /// A code the sender gave the recipient out of band.
    AccessCode,
}

impl AuthenticationMethod {
    /// Whether the recipient must pass a code (SMS or access code) before
    /// acting, beyond holding the link.
    pub fn needs_code(self) -> bool {
        matches!(self, Self::SmsCode | Self::AccessCode)
    }

    /// The SCREAMING_SNAKE name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::EmailLink => "EMAIL_LINK",
            Self::SmsCode => "SMS_CODE",
            Self::AccessCode => "ACCESS_CODE",
        }
    }
}

/// A field placed on a document page for one recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Field {
    /// Id, unique in the envelope.
    pub id: String,
    /// The document the field is on.
    pub document_id: String,
    /// The recipient who fills or signs it.
    pub recipient_id: String,
    /// What the field holds.
    pub kind: FieldKind,
    /// Page number, from 1.
    pub page: u32,
    /// Position and size in points from the top-left corner of the page as displayed.
    pub rect: Rect,
    /// Whether the recipient must fill it before signing or approving.
    #[serde(default = "default_true")]
    pub required: bool,
    /// The value, once filled. Checkboxes hold `"true"` or `"false"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// A text field of several lines.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiline: bool,
    /// Placed beside a phrase of the document rather than at `page` and
    /// `rect`: until the envelope is sent, `page` is the page to search (0
    /// for all) and `rect` gives the offsets (`x`, `y`) and the size; at
    /// send the field gets its place and this is cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<FieldAnchor>,
}

/// Where a field goes relative to a phrase of its document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldAnchor {
    /// The phrase (case and spacing do not matter).
    pub text: String,
    /// Which occurrence, from 1.
    #[serde(default = "first_occurrence")]
    pub occurrence: u32,
    /// Where the field goes relative to it.
    #[serde(default)]
    pub placement: AnchorPlacement,
}

fn first_occurrence() -> u32 {
    1
}

/// Where an anchored field goes relative to its phrase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AnchorPlacement {
    /// After the phrase.
    #[default]
    Right,
    /// Before the phrase.
    Left,
    /// Above the phrase.
    Above,
    /// Below the phrase.
    Below,
}

/// Where an anchored field was placed when the envelope was sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FieldPlacement {
    /// The field.
    pub field_id: String,
    /// Page number, from 1.
    pub page: u32,
    /// Position and size in points from the top-left of the page as displayed.
    pub rect: Rect,
}

fn default_true() -> bool {
    true
}

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FieldKind {
    /// The signature itself; filled by signing.
    Signature,
    /// The signer's initials; filled by signing.
    Initials,
    /// The date of signing, filled when the recipient signs.
    #[serde(alias = "DATE")]
    DateSigned,
    /// Free text.
    Text,
    /// A checkbox: `"true"` or `"false"`.
    Checkbox,
    /// The recipient's name, filled when the recipient signs.
    Name,
}

impl FieldKind {
    /// Signature and initials fields are filled by signing, not by a value.
    pub fn is_filled_by_signing(self) -> bool {
        matches!(self, Self::Signature | Self::Initials)
    }

    /// Date-signed and name fields are filled for the recipient when they
    /// sign; they take no value from them.
    pub fn is_filled_automatically(self) -> bool {
        matches!(self, Self::DateSigned | Self::Name)
    }

    /// The SCREAMING_SNAKE name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "SIGNATURE",
            Self::Initials => "INITIALS",
            Self::DateSigned => "DATE_SIGNED",
            Self::Text => "TEXT",
            Self::Checkbox => "CHECKBOX",
            Self::Name => "NAME",
        }
    }
}
