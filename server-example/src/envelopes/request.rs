//! The envelope request body, with every spelling existing clients send
//! (seed-apis §3.1), and its reading into core values.
//!
//! Unknown keys are ignored. Where two spellings of one key exist
//! (`subject`/`title`, `recipients`/`signers`, `webhook_url`/`webhookUrl`),
//! either may be sent; sending both with different values is an error.

use chrono::{DateTime, Utc};
use paraph::envelope::{AuthenticationMethod, FieldKind, RecipientRole, SignatureLevel};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use super::settings::AnchorPlacement;
use crate::error::{AppError, AppResult};

/// Distinguishes `"key": null` (`Some(None)`) from an absent key (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// The body of `POST /envelopes` and `PATCH /envelopes/{id}`. On create,
/// `subject` (or `title`) is required; on update, absent keys are left as
/// they are, and `recipients`, `documentIds`/`documents` and `fields`
/// replace the whole list when given.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "subject": "Contrat de prestation",
    "recipients": [{"email": "client@example.com", "name": "Marie Dubois", "role": "SIGNER"}]
}))]
pub struct EnvelopeRequest {
    /// Subject of the invitation.
    pub subject: Option<String>,
    /// The same, as some clients call it.
    pub title: Option<String>,
    /// Message of the invitation (`null` clears it on update).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub message: Option<Option<String>>,
    /// Who receives the envelope, in order.
    pub recipients: Option<Vec<RecipientInput>>,
    /// The same, as some clients call it.
    pub signers: Option<Vec<RecipientInput>>,
    /// Documents uploaded with `POST /documents`, in order.
    pub document_ids: Option<Vec<String>>,
    /// Documents sent inline (base64), after those of `documentIds`.
    pub documents: Option<Vec<DocumentInput>>,
    /// Fields to place (`documentIndex` counts `documentIds` first, then `documents`).
    pub fields: Option<Vec<FieldInput>>,
    /// SIMPLE (default), ADVANCED or QUALIFIED.
    #[schema(example = "SIMPLE")]
    pub signature_level: Option<String>,
    /// Signers confirm a code sent by SMS to their `phone`.
    pub require_sms_otp: Option<bool>,
    /// When the envelope expires (`null` clears it on update).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// BCP 47 language tag (`en`, `fr`, `ko`, `fr-CA`); default `en`.
    pub locale: Option<String>,
    /// Where signers go after signing; must be https (`null` clears it).
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub redirect_url: Option<Option<String>>,
    /// Each signer initials every page.
    pub initials_on_every_page: Option<bool>,
    /// A webhook endpoint for this envelope's events (`null` removes it).
    #[serde(default, rename = "webhook_url", deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub webhook_url_snake: Option<Option<String>>,
    /// The same, camelCase.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub webhook_url: Option<Option<String>>,
    /// Templates are not supported by this server: refused when given.
    pub template_id: Option<String>,
    /// A category label.
    pub category: Option<String>,
    /// Up to 10 tags of up to 40 characters (stored lower case, unique).
    pub tags: Option<Vec<String>>,
    /// A workspace label.
    pub workspace_id: Option<String>,
}

/// A recipient in a request.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipientInput {
    /// Email address.
    pub email: String,
    /// Full name (default: the email address).
    pub name: Option<String>,
    /// SIGNER (default), APPROVER, CARBON_COPY or VIEWER.
    pub role: Option<String>,
    /// Routing order from 1 (default 1): equal orders act in parallel.
    pub routing_order: Option<u32>,
    /// Phone in E.164 form, for SMS codes.
    pub phone: Option<String>,
    /// A code (4 to 64 characters) the sender gives this signer or approver
    /// out of band, which they must type before seeing the documents or
    /// acting. An extension of this server's own (not in the public API it
    /// reproduces). Stored only as a keyed hash, never returned. Not with
    /// `requireSmsOtp`: a recipient has one method.
    #[schema(value_type = Option<String>, write_only, min_length = 4, max_length = 64)]
    pub access_code: Option<crate::signing::access_code::AccessCode>,
}

/// A document sent inline.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentInput {
    /// File name.
    pub name: Option<String>,
    /// The PDF, base64.
    pub base64_pdf: Option<String>,
    /// A URL to fetch the PDF from: not supported by this server.
    #[serde(rename = "file_url")]
    pub file_url: Option<String>,
}

/// A field in a request: at `x`, `y` (points from the top-left corner) on
/// `pageNumber`, or against `anchorText`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldInput {
    /// The recipient, by email (must match one exactly)…
    pub recipient_email: Option<String>,
    /// …or by position in the recipient list, from 0.
    pub recipient_index: Option<usize>,
    /// The document, by position, from 0 (default 0).
    pub document_index: Option<usize>,
    /// Page, from 1 (default 1).
    pub page_number: Option<u32>,
    /// SIGNATURE (default), INITIALS, DATE_SIGNED, NAME, TEXT or CHECKBOX.
    pub field_type: Option<String>,
    /// Points from the left edge (default 72).
    pub x: Option<f64>,
    /// Points from the top edge (default 700).
    pub y: Option<f64>,
    /// Width (default 150).
    pub width: Option<f64>,
    /// Height (default 40).
    pub height: Option<f64>,
    /// Must be filled (default true).
    pub required: Option<bool>,
    /// Place the field against this text instead (case-insensitive).
    pub anchor_text: Option<String>,
    /// right (default), below, above or left.
    pub anchor_placement: Option<String>,
    /// Which occurrence of the text, from 0.
    pub anchor_index: Option<u32>,
    /// A value filled in advance.
    pub value: Option<String>,
}

/// Default field position and size (points), as the public API documents.
pub const DEFAULT_FIELD_X: f64 = 72.0;
/// See [`DEFAULT_FIELD_X`].
pub const DEFAULT_FIELD_Y: f64 = 700.0;
/// See [`DEFAULT_FIELD_X`].
pub const DEFAULT_FIELD_WIDTH: f64 = 150.0;
/// See [`DEFAULT_FIELD_X`].
pub const DEFAULT_FIELD_HEIGHT: f64 = 40.0;
/// Most tags on an envelope.
pub const MAX_TAGS: usize = 10;
/// Longest tag.
pub const MAX_TAG_LEN: usize = 40;
/// Longest label (category, workspace).
pub const MAX_LABEL_LEN: usize = 255;
/// Longest anchor text.
pub const MAX_ANCHOR_LEN: usize = 255;

/// One of two spellings of a key.
fn either<T: PartialEq>(a: Option<T>, b: Option<T>, names: &str) -> AppResult<Option<T>> {
    match (a, b) {
        (Some(a), Some(b)) if a != b => Err(AppError::invalid(format!(
            "{names} are two spellings of one key: send one of them"
        ))),
        (Some(a), _) => Ok(Some(a)),
        (None, b) => Ok(b),
    }
}

impl EnvelopeRequest {
    /// `subject` or `title`.
    pub fn subject(&self) -> AppResult<Option<String>> {
        either(
            self.subject.clone(),
            self.title.clone(),
            "subject and title",
        )
    }

    /// `recipients` or `signers`.
    pub fn recipients(&self) -> AppResult<Option<Vec<RecipientInput>>> {
        match (&self.recipients, &self.signers) {
            (Some(_), Some(_)) => Err(AppError::invalid(
                "recipients and signers are two spellings of one key: send one of them",
            )),
            (Some(r), None) | (None, Some(r)) => Ok(Some(r.clone())),
            (None, None) => Ok(None),
        }
    }

    /// `webhook_url` or `webhookUrl`.
    pub fn webhook_url(&self) -> AppResult<Option<Option<String>>> {
        either(
            self.webhook_url_snake.clone(),
            self.webhook_url.clone(),
            "webhook_url and webhookUrl",
        )
    }

    /// Whether the documents are replaced.
    pub fn has_documents(&self) -> bool {
        self.document_ids.is_some() || self.documents.is_some()
    }
}

/// Reads a role; CC and CARBON_COPY are the same.
pub fn parse_role(text: Option<&str>) -> AppResult<RecipientRole> {
    let Some(text) = text else {
        return Ok(RecipientRole::Signer);
    };
    match text.to_ascii_uppercase().as_str() {
        "SIGNER" => Ok(RecipientRole::Signer),
        "APPROVER" => Ok(RecipientRole::Approver),
        "CARBON_COPY" | "CC" => Ok(RecipientRole::Cc),
        "VIEWER" => Ok(RecipientRole::Viewer),
        other => Err(AppError::invalid(format!(
            "role {other} is not one of SIGNER, APPROVER, CARBON_COPY, VIEWER"
        ))),
    }
}

/// Reads a signature level; AES and QES are the eIDAS abbreviations.
pub fn parse_level(text: &str) -> AppResult<SignatureLevel> {
    match text.to_ascii_uppercase().as_str() {
        "SIMPLE" | "SES" => Ok(SignatureLevel::Simple),
        "ADVANCED" | "AES" => Ok(SignatureLevel::Advanced),
        "QUALIFIED" | "QES" => Ok(SignatureLevel::Qualified),
        other => Err(AppError::invalid(format!(
            "signatureLevel {other} is not one of SIMPLE, ADVANCED, QUALIFIED"
        ))),
    }
}

/// Reads a field type.
pub fn parse_field_type(text: Option<&str>) -> AppResult<FieldKind> {
    let Some(text) = text else {
        return Ok(FieldKind::Signature);
    };
    match text.to_ascii_uppercase().as_str() {
        "SIGNATURE" => Ok(FieldKind::Signature),
        "INITIALS" => Ok(FieldKind::Initials),
        "DATE_SIGNED" | "DATE" => Ok(FieldKind::DateSigned),
        "NAME" | "FULL_NAME" => Ok(FieldKind::Name),
        "TEXT" => Ok(FieldKind::Text),
        "CHECKBOX" => Ok(FieldKind::Checkbox),
        other @ ("DROPDOWN" | "ATTACHMENT" | "STAMP" | "DRAWING" | "RADIO_GROUP") => {
            Err(AppError::invalid(format!(
                "fieldType {other} is not supported by this server; use SIGNATURE, INITIALS, DATE_SIGNED, NAME, TEXT or CHECKBOX"
            )))
        }
        other => Err(AppError::invalid(format!(
            "fieldType {other} is not one of SIGNATURE, INITIALS, DATE_SIGNED, NAME, TEXT, CHECKBOX"
        ))),
    }
}

/// Reads an anchor placement.
pub fn parse_placement(text: Option<&str>) -> AppResult<AnchorPlacement> {
    match text {
        None => Ok(AnchorPlacement::Right),
        Some(t) => AnchorPlacement::parse(t).ok_or_else(|| {
            AppError::invalid(format!(
                "anchorPlacement {t} is not one of right, below, above, left"
            ))
        }),
    }
}

/// How a recipient authenticates: an SMS code when the envelope asks for it.
pub fn authentication(require_sms_otp: bool) -> AuthenticationMethod {
    if require_sms_otp {
        AuthenticationMethod::SmsCode
    } else {
        AuthenticationMethod::EmailLink
    }
}

/// Checks a `locale`: a well-formed BCP 47 tag (`fr`, `fr-CA`, `ko-KR`)
/// whose language the documents, the audit trail and the invitations are
/// written in (English, French, Korean). Others are 400: the public API
/// answers an unsupported code with 400, and falling back to English
/// silently would show signers a language the sender did not choose.
pub fn check_locale(tag: &str) -> AppResult<String> {
    let tag = tag.trim();
    let mut parts = tag.split(['-', '_']);
    let language = parts.next().unwrap_or_default();
    let well_formed = (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !well_formed || tag.len() > 35 {
        return Err(AppError::invalid(format!(
            "locale {tag:?} is not a BCP 47 language tag"
        )));
    }
    paraph::audit::Locale::parse(tag).map_err(|_| {
        AppError::invalid(format!(
            "locale {tag:?} is not supported: en, fr or ko (with any region)"
        ))
    })?;
    Ok(tag.replace('_', "-"))
}

/// Checks a redirect URL: absolute and https.
pub fn check_redirect_url(url: &str) -> AppResult<()> {
    let parsed = url::Url::parse(url)
        .map_err(|e| AppError::invalid(format!("redirectUrl is not a URL: {e}")))?;
    if parsed.scheme() != "https" || parsed.host_str().is_none() {
        return Err(AppError::invalid("redirectUrl must start with https://"));
    }
    if url.len() > 2048 {
        return Err(AppError::invalid(
            "redirectUrl is longer than 2048 characters",
        ));
    }
    Ok(())
}

/// Lower-cases, trims and de-duplicates tags, within the limits.
pub fn normalize_tags(tags: &[String]) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if tag.is_empty() {
            continue;
        }
        if tag.chars().count() > MAX_TAG_LEN || tag.chars().any(char::is_control) {
            return Err(AppError::invalid(format!(
                "tags are at most {MAX_TAG_LEN} characters without control characters"
            )));
        }
        if !out.contains(&tag) {
            out.push(tag);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(AppError::invalid(format!("at most {MAX_TAGS} tags")));
    }
    Ok(out)
}

/// Checks a free label (category, workspace).
pub fn check_label(what: &str, text: &str) -> AppResult<String> {
    if text.chars().count() > MAX_LABEL_LEN || text.chars().any(char::is_control) {
        return Err(AppError::invalid(format!(
            "{what} is at most {MAX_LABEL_LEN} characters without control characters"
        )));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_read_as_one_key() {
        let req: EnvelopeRequest = serde_json::from_str(
            r#"{"title":"T","signers":[{"email":"a@example.com"}],"webhook_url":"https://x.example/h","unknown":1}"#,
        )
        .unwrap();
        assert_eq!(req.subject().unwrap().as_deref(), Some("T"));
        assert_eq!(req.recipients().unwrap().unwrap().len(), 1);
        assert_eq!(
            req.webhook_url().unwrap(),
            Some(Some("https://x.example/h".to_owned()))
        );
        let both: EnvelopeRequest = serde_json::from_str(r#"{"subject":"A","title":"B"}"#).unwrap();
        assert!(both.subject().is_err());
        let same: EnvelopeRequest = serde_json::from_str(r#"{"subject":"A","title":"A"}"#).unwrap();
        assert_eq!(same.subject().unwrap().as_deref(), Some("A"));
    }

    #[test]
    fn null_and_absent_differ() {
        let req: EnvelopeRequest = serde_json::from_str(r#"{"message":null}"#).unwrap();
        assert_eq!(req.message, Some(None));
        assert_eq!(req.expires_at, None);
    }

    #[test]
    fn names_of_the_public_api_map_to_core_values() {
        assert_eq!(parse_role(None).unwrap(), RecipientRole::Signer);
        assert_eq!(parse_role(Some("carbon_copy")).unwrap(), RecipientRole::Cc);
        assert!(parse_role(Some("OWNER")).is_err());
        assert_eq!(
            parse_field_type(Some("DATE_SIGNED")).unwrap(),
            FieldKind::DateSigned
        );
        assert!(parse_field_type(Some("RADIO_GROUP")).is_err());
        assert_eq!(parse_level("aes").unwrap(), SignatureLevel::Advanced);
        assert_eq!(
            parse_placement(Some("Below")).unwrap(),
            AnchorPlacement::Below
        );
    }

    #[test]
    fn redirects_must_be_https() {
        assert!(check_redirect_url("https://app.example/done").is_ok());
        assert!(check_redirect_url("http://app.example/done").is_err());
        assert!(check_redirect_url("javascript:alert(1)").is_err());
        assert!(check_redirect_url("/relative").is_err());
    }

    #[test]
    fn tags_are_normalized() {
        let tags = normalize_tags(&["NDA".into(), " nda ".into(), "HR".into(), "".into()]).unwrap();
        assert_eq!(tags, ["nda", "hr"]);
        assert!(normalize_tags(&(0..11).map(|i| format!("t{i}")).collect::<Vec<_>>()).is_err());
        assert!(normalize_tags(&["x".repeat(41)]).is_err());
    }
}
