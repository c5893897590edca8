//! What the server keeps about an envelope beside the core's snapshot: the
//! options of the public API that the core does not model, and the fields
//! placed against anchor text, which are resolved against the PDF text when
//! the envelope is prepared for sending.

use paraph::envelope::FieldKind;
use serde::{Deserialize, Serialize};

/// Server-side settings of an envelope (stored as JSON beside the snapshot).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct EnvelopeSettings {
    /// Where signers go after signing (https).
    pub redirect_url: Option<String>,
    /// Whether signers confirm a code sent by SMS.
    pub require_sms_otp: bool,
    /// Whether each signer initials every page.
    pub initials_on_every_page: bool,
    /// The envelope's own webhook endpoint.
    pub webhook_url: Option<String>,
    /// Its id.
    pub webhook_id: Option<String>,
    /// Category label.
    pub category: Option<String>,
    /// Tags, lower case and unique.
    pub tags: Vec<String>,
    /// Workspace label.
    pub workspace_id: Option<String>,
    /// Fields to place against anchor text when the envelope is prepared.
    pub anchored_fields: Vec<AnchoredField>,
    /// The recipients' signing links of the current round (hashed).
    pub signing_links: Vec<crate::signing::links::SigningLink>,
    /// Codes sent by SMS and not yet used (hashed).
    pub pending_codes: Vec<PendingCode>,
    /// The recipients' access codes (keyed hashes; never the codes).
    pub access_codes: Vec<AccessCodeHash>,
}

/// What the envelope keeps of a recipient's access code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessCodeHash {
    /// The recipient.
    pub recipient_id: String,
    /// Lower-case hex HMAC-SHA256 of the recipient and the code under the
    /// link secret ([`crate::signing::access_code`]).
    pub hmac_sha256: String,
}

/// A one-time code sent to a recipient, as the envelope keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingCode {
    /// The recipient.
    pub recipient_id: String,
    /// Lower-case hex SHA-256 of the envelope id, the recipient and the code.
    pub code_sha256: String,
    /// When it stops being accepted.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl EnvelopeSettings {
    /// Reads stored settings; unreadable settings read as the defaults.
    pub fn from_value(value: &serde_json::Value) -> Self {
        serde_json::from_value(value.clone()).unwrap_or_default()
    }

    /// The stored form.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// Where a field goes relative to its anchor text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnchorPlacement {
    /// To the right of the text (the default).
    #[default]
    Right,
    /// Under it.
    Below,
    /// Over it.
    Above,
    /// To its left.
    Left,
}

impl AnchorPlacement {
    /// Parses `right`, `below`, `above` or `left`, in any case.
    pub fn parse(text: &str) -> Option<Self> {
        match text.to_ascii_lowercase().as_str() {
            "right" => Some(Self::Right),
            "below" => Some(Self::Below),
            "above" => Some(Self::Above),
            "left" => Some(Self::Left),
            _ => None,
        }
    }

    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Right => "right",
            Self::Below => "below",
            Self::Above => "above",
            Self::Left => "left",
        }
    }
}

/// A field that will be placed where its anchor text is found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchoredField {
    /// The field id it will have.
    pub id: String,
    /// The document to search.
    pub document_id: String,
    /// The recipient.
    pub recipient_id: String,
    /// What the field holds.
    pub kind: FieldKind,
    /// The text to find (case-insensitive, across text runs).
    pub anchor_text: String,
    /// Where the field goes relative to it.
    pub anchor_placement: AnchorPlacement,
    /// Which occurrence, from 0.
    pub anchor_index: u32,
    /// The page given with the field, if any (the anchor decides).
    pub page: Option<u32>,
    /// The position given with the field, if any (ignored when the anchor is found).
    pub x: Option<f64>,
    /// Likewise.
    pub y: Option<f64>,
    /// Width in points.
    pub width: f64,
    /// Height in points.
    pub height: f64,
    /// Whether it must be filled.
    pub required: bool,
}
