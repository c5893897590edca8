//! The JSON the API answers with (camelCase), built from core values and
//! store records, with the aliases existing clients read (`title` beside
//! `subject`, `signers` beside `recipients`, `sign_url` beside `signUrl`).

use chrono::{DateTime, Utc};
use paraph::envelope::{Envelope, Field, Recipient, RecipientRole};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::envelopes::settings::{AnchoredField, EnvelopeSettings};
use crate::store::{
    Account, ApiKeyRecord, DeliveryRecord, DocumentRecord, EnvelopeRecord, Page, PageRequest,
    WebhookRecord,
};

/// A page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct List<T> {
    /// The items of this page.
    pub data: Vec<T>,
    /// Where this page is.
    pub pagination: Pagination,
}

/// Where a page is in its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    /// Items across every page.
    pub total: u64,
    /// This page, from 1.
    pub page: u32,
    /// Items per page.
    pub page_size: u32,
    /// Number of pages.
    pub pages: u64,
}

impl<T> List<T> {
    /// A list page from a store page.
    pub fn new<R>(page: Page<R>, request: PageRequest, view: impl FnMut(R) -> T) -> Self {
        Self {
            data: page.rows.into_iter().map(view).collect(),
            pagination: Pagination {
                total: page.total,
                page: request.page,
                page_size: request.limit,
                pages: page.total.div_ceil(u64::from(request.limit.max(1))),
            },
        }
    }
}

/// `{ "success": true }`, the answer to a delete.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Success {
    /// Always true.
    pub success: bool,
}

impl Success {
    /// `{ "success": true }`.
    pub fn yes() -> Self {
        Self { success: true }
    }
}

/// An uploaded PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DocumentView {
    /// `doc_…`.
    #[schema(example = "doc_01JD3K8X9Y2N4P5Q6R7S8T9V0W")]
    pub id: String,
    /// File name.
    pub name: String,
    /// Always `application/pdf`.
    pub mime_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Page count.
    pub pages: u32,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// `READY`.
    pub status: String,
    /// Upload time.
    pub created_at: DateTime<Utc>,
}

impl From<DocumentRecord> for DocumentView {
    fn from(d: DocumentRecord) -> Self {
        Self {
            id: d.id,
            name: d.name,
            mime_type: d.mime_type,
            size: d.size,
            pages: d.pages,
            sha256: d.sha256,
            status: d.status,
            created_at: d.created_at,
        }
    }
}

/// A recipient of an envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RecipientView {
    /// `rcp_…`.
    pub id: String,
    /// Email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Phone (E.164).
    pub phone: Option<String>,
    /// SIGNER, APPROVER, CARBON_COPY or VIEWER.
    pub role: String,
    /// Routing order, from 1.
    pub routing_order: u32,
    /// PENDING, NOTIFIED, VIEWED, SIGNED, APPROVED or DECLINED.
    pub status: String,
    /// When they signed.
    pub signed_at: Option<DateTime<Utc>>,
    /// When they first viewed the documents.
    pub viewed_at: Option<DateTime<Utc>>,
    /// When they approved.
    pub approved_at: Option<DateTime<Utc>>,
    /// When they declined.
    pub declined_at: Option<DateTime<Utc>>,
    /// Why they declined.
    pub decline_reason: Option<String>,
    /// Their signing link, once the envelope is sent.
    pub sign_url: Option<String>,
    /// The same link, snake_case, for clients that read that spelling.
    #[serde(rename = "sign_url")]
    pub sign_url_snake: Option<String>,
    /// The token of the link: only in the responses of create and send
    /// (treat it as a credential); `https://<host>/sign/<accessToken>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
}

/// The API name of a role (`CARBON_COPY` for the core's `CC`).
pub fn role_name(role: RecipientRole) -> &'static str {
    match role {
        RecipientRole::Cc => "CARBON_COPY",
        other => other.as_str(),
    }
}

impl From<&Recipient> for RecipientView {
    fn from(r: &Recipient) -> Self {
        Self {
            id: r.id.clone(),
            email: r.email.clone().unwrap_or_default(),
            name: r.name.clone(),
            phone: r.phone.clone(),
            role: role_name(r.role).to_owned(),
            routing_order: r.routing_order,
            status: r.status.as_str().to_owned(),
            signed_at: r.signed_at,
            viewed_at: r.viewed_at,
            approved_at: r.approved_at,
            declined_at: r.declined_at,
            decline_reason: r.decline_reason.clone(),
            sign_url: None,
            sign_url_snake: None,
            access_token: None,
        }
    }
}

/// A field placed on a document, or waiting for its anchor text to be found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldView {
    /// `fld_…`.
    pub id: String,
    /// The document.
    pub document_id: String,
    /// The recipient.
    pub recipient_id: String,
    /// The recipient's email.
    pub recipient_email: Option<String>,
    /// SIGNATURE, INITIALS, DATE_SIGNED, NAME, TEXT or CHECKBOX.
    pub field_type: String,
    /// Page, from 1 (for an anchored field: the page given, if any).
    pub page_number: Option<u32>,
    /// Points from the left edge.
    pub x: Option<f64>,
    /// Points from the top edge.
    pub y: Option<f64>,
    /// Width in points.
    pub width: f64,
    /// Height in points.
    pub height: f64,
    /// Whether it must be filled.
    pub required: bool,
    /// Its value, once filled.
    pub value: Option<String>,
    /// For an anchored field: the text it is placed against (resolved at send).
    pub anchor_text: Option<String>,
    /// right, below, above or left.
    pub anchor_placement: Option<String>,
    /// Which occurrence of the anchor text, from 0.
    pub anchor_index: Option<u32>,
}

/// The API name of a field kind (`DATE_SIGNED` for the core's `DATE`).
pub fn field_type_name(kind: paraph::envelope::FieldKind) -> &'static str {
    match kind {
        paraph::envelope::FieldKind::DateSigned => "DATE_SIGNED",
        other => other.as_str(),
    }
}

/// The view of a placed field.
pub fn field_view(f: &Field, envelope: &Envelope) -> FieldView {
    FieldView {
        id: f.id.clone(),
        document_id: f.document_id.clone(),
        recipient_id: f.recipient_id.clone(),
        recipient_email: envelope
            .recipient(&f.recipient_id)
            .and_then(|r| r.email.clone()),
        field_type: field_type_name(f.kind).to_owned(),
        page_number: Some(f.page),
        x: Some(f.rect.x),
        y: Some(f.rect.y),
        width: f.rect.width,
        height: f.rect.height,
        required: f.required,
        value: f.value.clone(),
        anchor_text: None,
        anchor_placement: None,
        anchor_index: None,
    }
}

fn anchored_view(a: &AnchoredField, envelope: &Envelope) -> FieldView {
    FieldView {
        id: a.id.clone(),
        document_id: a.document_id.clone(),
        recipient_id: a.recipient_id.clone(),
        recipient_email: envelope
            .recipient(&a.recipient_id)
            .and_then(|r| r.email.clone()),
        field_type: field_type_name(a.kind).to_owned(),
        page_number: a.page,
        x: a.x,
        y: a.y,
        width: a.width,
        height: a.height,
        required: a.required,
        value: None,
        anchor_text: Some(a.anchor_text.clone()),
        anchor_placement: Some(a.anchor_placement.as_str().to_owned()),
        anchor_index: Some(a.anchor_index),
    }
}

/// An envelope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EnvelopeView {
    /// `env_…`.
    #[schema(example = "env_01JD3K8X9Y2N4P5Q6R7S8T9V0W")]
    pub id: String,
    /// Subject of the invitation.
    pub subject: String,
    /// The same, for clients that call it the title.
    pub title: String,
    /// Message of the invitation.
    pub message: Option<String>,
    /// DRAFT, SENT, COMPLETED, DECLINED, VOIDED or EXPIRED.
    pub status: String,
    /// SIMPLE, ADVANCED or QUALIFIED.
    pub signature_level: String,
    /// Language of pages, emails and audit trail.
    pub locale: String,
    /// Live or test data.
    pub livemode: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was declined.
    pub declined_at: Option<DateTime<Utc>>,
    /// When it was voided.
    pub voided_at: Option<DateTime<Utc>>,
    /// Why it was voided.
    pub void_reason: Option<String>,
    /// Recipients, in the order given.
    pub recipients: Vec<RecipientView>,
    /// The SIGNER recipients, in the same order.
    pub signers: Vec<RecipientView>,
    /// The first signer's link, once sent.
    pub sign_url: Option<String>,
    /// The same, snake_case.
    #[serde(rename = "sign_url")]
    pub sign_url_snake: Option<String>,
    /// Documents, in order.
    pub documents: Vec<DocumentView>,
    /// Fields: placed ones, then those waiting for their anchor.
    pub fields: Vec<FieldView>,
    /// Where signers go after signing (https).
    pub redirect_url: Option<String>,
    /// Whether signers confirm a code sent by SMS.
    pub require_sms_otp: bool,
    /// Whether each signer initials every page.
    pub initials_on_every_page: bool,
    /// The envelope's own webhook endpoint.
    pub webhook_url: Option<String>,
    /// The same, snake_case.
    #[serde(rename = "webhook_url")]
    pub webhook_url_snake: Option<String>,
    /// The id of that endpoint (for its delivery log).
    pub webhook_id: Option<String>,
    /// The endpoint's signing secret: only in the response that set `webhook_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
    /// Category label.
    pub category: Option<String>,
    /// Tags (lower case, unique).
    pub tags: Vec<String>,
    /// Number of changes so far (the optimistic-concurrency version).
    pub version: u64,
}

impl EnvelopeView {
    /// The recipients' signing links of the current round (derived again
    /// from the link secret; the database keeps only their hashes), and
    /// their tokens as `accessToken` when `with_tokens` (create and send).
    pub fn with_links(
        mut self,
        record: &EnvelopeRecord,
        signing: &crate::signing::SigningSettings,
        public_url: &str,
        with_tokens: bool,
    ) -> Self {
        use crate::signing::links;
        let settings = EnvelopeSettings::from_value(&record.extra);
        let e = &record.envelope;
        let fill = |view: &mut RecipientView| {
            if !settings
                .signing_links
                .iter()
                .any(|l| l.recipient_id == view.id)
            {
                return;
            }
            let token = links::token(&signing.link_secret, &e.id, &view.id, e.round);
            let url = links::url(public_url, &token);
            view.sign_url = Some(url.clone());
            view.sign_url_snake = Some(url);
            if with_tokens {
                view.access_token = Some(token);
            }
        };
        self.recipients.iter_mut().for_each(fill);
        self.signers.iter_mut().for_each(fill);
        self.sign_url = self.signers.first().and_then(|s| s.sign_url.clone());
        self.sign_url_snake = self.sign_url.clone();
        self
    }

    /// The view of a stored envelope and its documents.
    pub fn new(record: &EnvelopeRecord, documents: Vec<DocumentRecord>) -> Self {
        let e = &record.envelope;
        let settings = EnvelopeSettings::from_value(&record.extra);
        let recipients: Vec<RecipientView> = e.recipients.iter().map(RecipientView::from).collect();
        let signers: Vec<RecipientView> = e
            .recipients
            .iter()
            .zip(&recipients)
            .filter(|(r, _)| r.role == RecipientRole::Signer)
            .map(|(_, v)| v.clone())
            .collect();
        let sign_url = signers.first().and_then(|s| s.sign_url.clone());
        let mut fields: Vec<FieldView> = e.fields.iter().map(|f| field_view(f, e)).collect();
        fields.extend(settings.anchored_fields.iter().map(|a| anchored_view(a, e)));
        Self {
            id: e.id.clone(),
            subject: e.subject.clone(),
            title: e.subject.clone(),
            message: e.message.clone(),
            status: e.status.as_str().to_owned(),
            signature_level: level_name(e.signature_level).to_owned(),
            locale: e.locale.clone(),
            livemode: record.tenant.livemode,
            created_at: e.created_at,
            updated_at: e.updated_at,
            sent_at: e.sent_at,
            expires_at: e.expires_at,
            completed_at: e.completed_at,
            declined_at: e.declined_at,
            voided_at: e.voided_at,
            void_reason: e.void_reason.clone(),
            recipients,
            signers,
            sign_url_snake: sign_url.clone(),
            sign_url,
            documents: documents.into_iter().map(DocumentView::from).collect(),
            fields,
            redirect_url: settings.redirect_url.clone(),
            require_sms_otp: settings.require_sms_otp,
            initials_on_every_page: settings.initials_on_every_page,
            webhook_url_snake: settings.webhook_url.clone(),
            webhook_url: settings.webhook_url.clone(),
            webhook_id: settings.webhook_id.clone(),
            webhook_secret: None,
            category: settings.category.clone(),
            tags: settings.tags.clone(),
            version: e.version,
        }
    }
}

/// The API name of a signature level.
pub fn level_name(level: paraph::envelope::SignatureLevel) -> &'static str {
    match level {
        paraph::envelope::SignatureLevel::Simple => "SIMPLE",
        paraph::envelope::SignatureLevel::Advanced => "ADVANCED",
        paraph::envelope::SignatureLevel::Qualified => "QUALIFIED",
    }
}

/// A webhook endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    /// `wh_…`.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// Subscribed events (empty: all).
    pub events: Vec<String>,
    /// False once disabled.
    pub is_active: bool,
    /// The same flag, as `active`.
    pub active: bool,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// For an envelope's own endpoint, the envelope.
    pub envelope_id: Option<String>,
    /// Live or test data.
    pub livemode: bool,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// The signing secret (`whsec_…`): only in the creation response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<WebhookRecord> for WebhookView {
    fn from(w: WebhookRecord) -> Self {
        Self {
            id: w.id,
            url: w.url,
            events: w.events,
            is_active: w.active,
            active: w.active,
            disabled_reason: w.disabled_reason,
            envelope_id: w.envelope_id,
            livemode: w.tenant.livemode,
            created_at: w.created_at,
            secret: None,
        }
    }
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptView {
    /// From 1.
    pub attempt: u32,
    /// When.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status.
    pub status_code: Option<u16>,
    /// Why it failed.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: u64,
}

/// A webhook delivery and its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    /// `whd_…`.
    pub id: String,
    /// The endpoint.
    pub webhook_id: String,
    /// The envelope.
    pub envelope_id: String,
    /// Event type.
    pub event: String,
    /// The `webhook-id` header, the same on every attempt.
    pub message_id: String,
    /// PENDING, DELIVERED or FAILED.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last status received.
    pub last_status_code: Option<u16>,
    /// The last error.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: DateTime<Utc>,
    /// Delivered at.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Every attempt.
    pub attempt_log: Vec<AttemptView>,
}

impl From<DeliveryRecord> for DeliveryView {
    fn from(d: DeliveryRecord) -> Self {
        Self {
            id: d.id,
            webhook_id: d.webhook_id,
            envelope_id: d.envelope_id,
            event: d.event_type,
            message_id: d.message_id,
            status: d.status,
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at,
            last_status_code: d.last_status,
            last_error: d.last_error,
            created_at: d.created_at,
            delivered_at: d.delivered_at,
            attempt_log: d
                .attempt_log
                .into_iter()
                .map(|a| AttemptView {
                    attempt: a.attempt,
                    attempted_at: a.attempted_at,
                    status_code: a.status_code,
                    error: a.error,
                    duration_ms: a.duration_ms,
                })
                .collect(),
        }
    }
}

/// An API key as listed: never the key, only how to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyView {
    /// `key_…`.
    pub id: String,
    /// A label.
    pub name: String,
    /// The key's start: `sk_live_` or `sk_test_` and its public id.
    pub prefix: String,
    /// The key's last four characters.
    pub last4: String,
    /// Live or test.
    pub livemode: bool,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Revocation time.
    pub revoked_at: Option<DateTime<Utc>>,
    /// The key itself: only in the creation response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl From<ApiKeyRecord> for ApiKeyView {
    fn from(k: ApiKeyRecord) -> Self {
        Self {
            prefix: format!(
                "{}{}",
                if k.livemode { "sk_live_" } else { "sk_test_" },
                k.public_id
            ),
            id: k.id,
            name: k.name,
            last4: k.last4,
            livemode: k.livemode,
            scopes: k.scopes,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
            key: None,
        }
    }
}

/// The account of the key in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    /// `acct_…`.
    pub id: String,
    /// Contact email.
    pub email: String,
    /// Name.
    pub name: String,
    /// Plan.
    pub plan: String,
    /// Whether the key in use is a live key.
    pub livemode: bool,
    /// Scopes of the key in use.
    pub scopes: Vec<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl AccountView {
    /// The account as seen with a key.
    pub fn new(account: Account, livemode: bool, scopes: Vec<String>) -> Self {
        Self {
            id: account.id,
            email: account.email,
            name: account.name,
            plan: account.plan,
            livemode,
            scopes,
            created_at: account.created_at,
        }
    }
}
