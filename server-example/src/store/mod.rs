//! Persistence: the [`Store`] trait the routes talk to, its records, and one
//! implementation on sqlx ([`SqlStore`]) that serves SQLite and PostgreSQL.
//!
//! Envelopes are stored as the core's [`paraph::envelope::Envelope`] JSON
//! snapshot plus every [`paraph::envelope::Event`]; a change writes the new
//! snapshot, its events and its webhook outbox rows in one transaction, and
//! only if the stored `version` is still the one the change was computed
//! from (optimistic concurrency).

mod sql;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use paraph::envelope::{Envelope, Event};

use crate::error::AppError;

pub use sql::{Backend, SqlStore, redact_url};

/// A page of a list, and the total across pages.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The rows of this page.
    pub rows: Vec<T>,
    /// Rows across every page.
    pub total: u64,
}

/// Which page of a list to read: 1-based page and page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// From 1.
    pub page: u32,
    /// Rows per page, at least 1.
    pub limit: u32,
}

impl PageRequest {
    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        u64::from(self.page.saturating_sub(1)) * u64::from(self.limit)
    }
}

/// Whose data a request sees: an account, in live or test mode. Every read
/// and write of account data is filtered by both, so that another account's
/// ids, and live ids seen with a test key, are simply not found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    /// The account.
    pub account_id: String,
    /// Live (`sk_live_`) or test (`sk_test_`) data.
    pub livemode: bool,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// `acct_…`.
    pub id: String,
    /// Unique name (what `keys create --account` names).
    pub name: String,
    /// Contact email.
    pub email: String,
    /// Plan label.
    pub plan: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// An API key as stored: never the key itself, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    /// `key_…`, the id used by the keys routes.
    pub id: String,
    /// The public part embedded in the key, used to find it.
    pub public_id: String,
    /// The owner.
    pub account_id: String,
    /// A label.
    pub name: String,
    /// `sk_live_` or `sk_test_`.
    pub livemode: bool,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Lower-case hex SHA-256 of the full key.
    pub key_hash: String,
    /// The key's last four characters, to tell keys apart in lists.
    pub last4: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Revocation time, once revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An uploaded document's metadata; its bytes are in the object store under
/// `object_key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRecord {
    /// `doc_…`; also the document's id inside the envelopes that use it.
    pub id: String,
    /// Owner.
    pub tenant: Tenant,
    /// File name.
    pub name: String,
    /// `application/pdf`.
    pub mime_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Page count.
    pub pages: u32,
    /// Lower-case hex SHA-256 of the bytes.
    pub sha256: String,
    /// `READY`.
    pub status: String,
    /// Where the bytes are.
    pub object_key: String,
    /// Upload time.
    pub created_at: DateTime<Utc>,
}

/// An envelope as stored: the core snapshot and the server's own settings.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvelopeRecord {
    /// Owner.
    pub tenant: Tenant,
    /// The core envelope (its `version` is the stored version).
    pub envelope: Envelope,
    /// Server-side settings the core does not model (JSON object).
    pub extra: serde_json::Value,
}

/// A webhook endpoint: account-level (`envelope_id` is `None`) or the
/// `webhook_url` of one envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookRecord {
    /// `wh_…`.
    pub id: String,
    /// Owner.
    pub tenant: Tenant,
    /// For a per-envelope endpoint, the envelope.
    pub envelope_id: Option<String>,
    /// Where deliveries go.
    pub url: String,
    /// Subscribed event types; empty means every published event.
    pub events: Vec<String>,
    /// `whsec_…`, shown once at creation, needed to sign every delivery.
    pub secret: String,
    /// False once disabled (a 410 from the receiver).
    pub active: bool,
    /// Why it was disabled.
    pub disabled_reason: Option<String>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

impl WebhookRecord {
    /// Whether the endpoint wants events of `event_type`.
    pub fn wants(&self, event_type: &str) -> bool {
        self.events.is_empty()
            || self
                .events
                .iter()
                .any(|e| e == "*" || e.as_str() == event_type)
    }
}

/// A webhook message to queue for every endpoint that wants it, in the
/// transaction of the events it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    /// The envelope.
    pub envelope_id: String,
    /// The event's `seq`.
    pub event_seq: u64,
    /// `envelope.created`.
    pub event_type: String,
    /// The `webhook-id`, the same on every attempt (`evt_<envelope>_<seq>`).
    pub message_id: String,
    /// The exact body to send (minified JSON).
    pub payload: String,
}

/// Delivery states.
pub mod delivery_status {
    /// Waiting for its next attempt.
    pub const PENDING: &str = "PENDING";
    /// A 2xx answer was received.
    pub const DELIVERED: &str = "DELIVERED";
    /// Every attempt failed, or the endpoint was disabled.
    pub const FAILED: &str = "FAILED";
}

/// One queued message to one endpoint, with what it takes to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryJob {
    /// `whd_…`.
    pub id: String,
    /// The endpoint.
    pub webhook_id: String,
    /// Its URL.
    pub url: String,
    /// Its secret.
    pub secret: String,
    /// `webhook-id`.
    pub message_id: String,
    /// Event type.
    pub event_type: String,
    /// Body.
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptOutcome {
    /// When it was made.
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status, if it answered.
    pub status_code: Option<u16>,
    /// Why it failed, if it did.
    pub error: Option<String>,
    /// How long it took.
    pub duration_ms: u64,
    /// What becomes of the delivery.
    pub next: NextStep,
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextStep {
    /// Delivered (2xx).
    Delivered,
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// Give up (attempts exhausted).
    GiveUp,
    /// The receiver answered 410 Gone: disable the endpoint and give up.
    DisableEndpoint(String),
}

/// A delivery with its attempts, for the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// `whd_…`.
    pub id: String,
    /// The endpoint.
    pub webhook_id: String,
    /// The envelope.
    pub envelope_id: String,
    /// Event type.
    pub event_type: String,
    /// `webhook-id`.
    pub message_id: String,
    /// PENDING, DELIVERED or FAILED.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// When the next attempt is due (PENDING).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last status received.
    pub last_status: Option<u16>,
    /// The last error.
    pub last_error: Option<String>,
    /// Queued at.
    pub created_at: DateTime<Utc>,
    /// Delivered at.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Every attempt, first first.
    pub attempt_log: Vec<AttemptRecord>,
}

/// One attempt in the delivery log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRecord {
    /// From 1.
    pub attempt: u32,
    /// When.
    pub attempted_at: DateTime<Utc>,
    /// Status received.
    pub status_code: Option<u16>,
    /// Error.
    pub error: Option<String>,
    /// Duration.
    pub duration_ms: u64,
}

/// How a message reaches a recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// An email (lettre: SMTP or an `.eml` file).
    Email,
    /// An SMS (the [`crate::signing::sms::SmsProvider`]).
    Sms,
}

impl Channel {
    /// `EMAIL` or `SMS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "EMAIL",
            Self::Sms => "SMS",
        }
    }

    /// The channel named by [`Channel::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "EMAIL" => Some(Self::Email),
            "SMS" => Some(Self::Sms),
            _ => None,
        }
    }
}

/// What a message says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// Their turn came: the signing link.
    Invitation,
    /// They have not acted yet: the link again.
    Reminder,
    /// A one-time code (by SMS).
    Code,
}

impl MessageKind {
    /// `INVITATION`, `REMINDER` or `CODE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invitation => "INVITATION",
            Self::Reminder => "REMINDER",
            Self::Code => "CODE",
        }
    }

    /// The kind named by [`MessageKind::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "INVITATION" => Some(Self::Invitation),
            "REMINDER" => Some(Self::Reminder),
            "CODE" => Some(Self::Code),
            _ => None,
        }
    }
}

/// Message states.
pub mod message_status {
    /// Waiting for its next attempt.
    pub const PENDING: &str = "PENDING";
    /// Handed to the mail server, the outbox folder or the SMS provider.
    pub const SENT: &str = "SENT";
    /// Every attempt failed.
    pub const FAILED: &str = "FAILED";
    /// No longer worth sending (a later round, a newer code, a deleted envelope).
    pub const SKIPPED: &str = "SKIPPED";
}

/// A mail or SMS to a recipient, queued in the transaction of the change
/// that calls for it. It holds no secret: the link (and the code, from
/// `nonce`) is derived again from the link secret when it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    /// `msg_…`.
    pub id: String,
    /// Email or SMS.
    pub channel: Channel,
    /// Invitation, reminder or code.
    pub kind: MessageKind,
    /// The envelope.
    pub envelope_id: String,
    /// The recipient.
    pub recipient_id: String,
    /// The envelope's round when queued: the link's round.
    pub round: u32,
    /// For a code: what it is derived from.
    pub nonce: Option<String>,
}

/// A claimed message, with what it takes to send it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageJob {
    /// The message.
    pub message: QueuedMessage,
    /// Its envelope's owner (test keys' mail never leaves the machine).
    pub tenant: Tenant,
    /// Attempts made before this one.
    pub attempts: u32,
}

/// What became of a message attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageOutcome {
    /// Sent.
    Sent,
    /// Failed; try again at this time.
    RetryAt(DateTime<Utc>, String),
    /// Failed for the last time.
    Failed(String),
    /// Not worth sending any more.
    Skipped(String),
}

/// A message as stored, for inspection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// The message.
    pub message: QueuedMessage,
    /// PENDING, SENT, FAILED or SKIPPED.
    pub status: String,
    /// Attempts made.
    pub attempts: u32,
    /// Why the last attempt failed, or why it was skipped.
    pub last_error: Option<String>,
    /// When it was sent.
    pub sent_at: Option<DateTime<Utc>>,
}

/// A change to an envelope, written in one transaction.
#[derive(Debug, Clone)]
pub struct EnvelopeWrite {
    /// Owner.
    pub tenant: Tenant,
    /// The envelope after the change.
    pub envelope: Envelope,
    /// Its server-side settings after the change.
    pub extra: serde_json::Value,
    /// The events of the change, in order.
    pub events: Vec<Event>,
    /// Webhook messages for the published events.
    pub outbox: Vec<OutboxMessage>,
    /// Mail and SMS the change calls for.
    pub messages: Vec<QueuedMessage>,
    /// Documents uploaded inline with the change (their bytes are already stored).
    pub new_documents: Vec<DocumentRecord>,
    /// The envelope's documents after the change.
    pub document_ids: Vec<String>,
    /// The envelope's own webhook endpoint (`webhook_url`): `None` leaves it
    /// as it is, `Some(None)` removes it, `Some(Some(_))` replaces it.
    pub envelope_webhook: Option<Option<WebhookRecord>>,
    /// Soft-delete time, when the change deletes a draft.
    pub deleted_at: Option<DateTime<Utc>>,
}

/// What an envelope write queued besides the envelope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Webhook deliveries queued: the delivery worker has work only then.
    pub deliveries: usize,
}

/// Why an envelope write was refused.
#[derive(Debug)]
pub enum WriteError {
    /// The stored version is not the expected one: someone else wrote first.
    Conflict,
    /// The store failed.
    Store(AppError),
}

impl From<AppError> for WriteError {
    fn from(err: AppError) -> Self {
        Self::Store(err)
    }
}

impl From<sqlx::Error> for WriteError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(err.into())
    }
}

/// A stored idempotent response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// JSON body.
    pub body: String,
}

/// What to do with a request that carries an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdempotencyBegin {
    /// First use of the key: run the request, then store its response.
    Proceed,
    /// The key was used for this same request: answer the stored response.
    Replay(StoredResponse),
    /// The key was used for another request.
    Mismatch,
    /// A request with this key is still running.
    InProgress,
}

/// The persistence the server needs. One implementation, [`SqlStore`],
/// serves SQLite and PostgreSQL; tests use it on both.
#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Checks that the database answers.
    async fn ping(&self) -> Result<(), AppError>;

    /// Which backend this is.
    fn backend(&self) -> Backend;

    // ---------------------------------------------------------- accounts
    /// Creates an account.
    async fn insert_account(&self, account: &Account) -> Result<(), AppError>;
    /// The account with `id`.
    async fn account(&self, id: &str) -> Result<Option<Account>, AppError>;
    /// The account named `name`.
    async fn account_by_name(&self, name: &str) -> Result<Option<Account>, AppError>;
    /// How many accounts exist.
    async fn count_accounts(&self) -> Result<u64, AppError>;

    // -------------------------------------------------------------- keys
    /// Stores a new key.
    async fn insert_key(&self, key: &ApiKeyRecord) -> Result<(), AppError>;
    /// The key with this public id (whatever its account).
    async fn key_by_public_id(&self, public_id: &str) -> Result<Option<ApiKeyRecord>, AppError>;
    /// The keys of a tenant (account and mode), newest first.
    async fn list_keys(
        &self,
        tenant: &Tenant,
        page: PageRequest,
    ) -> Result<Page<ApiKeyRecord>, AppError>;
    /// Revokes a key of the tenant; `None` when it has no such key.
    async fn revoke_key(
        &self,
        tenant: &Tenant,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ApiKeyRecord>, AppError>;

    // --------------------------------------------------------- documents
    /// Stores a document's metadata (its bytes are already stored).
    async fn insert_document(&self, document: &DocumentRecord) -> Result<(), AppError>;
    /// A live (not deleted) document of the tenant.
    async fn document(&self, tenant: &Tenant, id: &str)
    -> Result<Option<DocumentRecord>, AppError>;
    /// The tenant's documents, newest first.
    async fn list_documents(
        &self,
        tenant: &Tenant,
        page: PageRequest,
    ) -> Result<Page<DocumentRecord>, AppError>;
    /// Marks a document deleted; returns it and whether an envelope still
    /// uses its bytes.
    async fn delete_document(
        &self,
        tenant: &Tenant,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(DocumentRecord, bool)>, AppError>;
    /// Among `ids`, the deleted documents that no live envelope uses any
    /// more: their bytes can go.
    async fn orphaned_documents(&self, ids: &[String]) -> Result<Vec<DocumentRecord>, AppError>;
    /// The documents of an envelope, in the envelope's order.
    async fn envelope_documents(
        &self,
        envelope: &Envelope,
    ) -> Result<Vec<DocumentRecord>, AppError>;

    // --------------------------------------------------------- envelopes
    /// Creates an envelope (`version` must be that of its events).
    async fn insert_envelope(&self, write: &EnvelopeWrite) -> Result<Written, WriteError>;
    /// Writes a change computed from version `expected_version`.
    async fn update_envelope(
        &self,
        write: &EnvelopeWrite,
        expected_version: u64,
    ) -> Result<Written, WriteError>;
    /// Up to `limit` sent envelopes of every account, least recently
    /// changed first: for the background task's expiries and reminders.
    async fn sent_envelopes(&self, limit: u32) -> Result<Vec<EnvelopeRecord>, AppError>;
    /// A live (not deleted) envelope by its id alone, whatever its account:
    /// for the recipients' endpoints, whose signing link names the envelope
    /// and proves the right to it (ids are unique across accounts).
    async fn envelope_by_id(&self, id: &str) -> Result<Option<EnvelopeRecord>, AppError>;
    /// A live (not deleted) envelope of the tenant.
    async fn envelope(&self, tenant: &Tenant, id: &str)
    -> Result<Option<EnvelopeRecord>, AppError>;
    /// The tenant's envelopes, newest first, optionally of some statuses.
    async fn list_envelopes(
        &self,
        tenant: &Tenant,
        statuses: Option<&[&str]>,
        page: PageRequest,
    ) -> Result<Page<EnvelopeRecord>, AppError>;
    /// An envelope's events, in order.
    async fn envelope_events(&self, envelope_id: &str) -> Result<Vec<Event>, AppError>;

    // ---------------------------------------------------------- webhooks
    /// Stores an endpoint.
    async fn insert_webhook(&self, webhook: &WebhookRecord) -> Result<(), AppError>;
    /// An endpoint of the tenant.
    async fn webhook(&self, tenant: &Tenant, id: &str) -> Result<Option<WebhookRecord>, AppError>;
    /// The tenant's endpoints, newest first.
    async fn list_webhooks(
        &self,
        tenant: &Tenant,
        page: PageRequest,
    ) -> Result<Page<WebhookRecord>, AppError>;
    /// Deletes an endpoint; its pending deliveries fail.
    async fn delete_webhook(
        &self,
        tenant: &Tenant,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError>;
    /// Claims up to `limit` due deliveries until `lease_until`, so that no
    /// other worker (or process) sends them meanwhile.
    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DeliveryJob>, AppError>;
    /// Records an attempt and what becomes of the delivery.
    async fn record_attempt(
        &self,
        job: &DeliveryJob,
        outcome: &AttemptOutcome,
    ) -> Result<(), AppError>;
    /// An endpoint's deliveries, newest first, with their attempts.
    async fn list_deliveries(
        &self,
        webhook_id: &str,
        page: PageRequest,
    ) -> Result<Page<DeliveryRecord>, AppError>;

    // ---------------------------------------------------- mail and SMS
    /// Claims up to `limit` due messages until `lease_until`, so that no
    /// other worker (or process) sends them meanwhile.
    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<MessageJob>, AppError>;
    /// Records an attempt at a claimed message.
    async fn record_message(
        &self,
        job: &MessageJob,
        outcome: &MessageOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), AppError>;
    /// The messages queued for an envelope, oldest first.
    async fn envelope_messages(&self, envelope_id: &str) -> Result<Vec<MessageRecord>, AppError>;

    // ------------------------------------------------------- idempotency
    /// Starts a request under an idempotency key.
    async fn idempotency_begin(
        &self,
        tenant: &Tenant,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, AppError>;
    /// Stores the response of a request started with [`Store::idempotency_begin`].
    async fn idempotency_complete(
        &self,
        tenant: &Tenant,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), AppError>;
    /// Forgets a key whose request failed in a way worth retrying.
    async fn idempotency_abort(&self, tenant: &Tenant, key: &str) -> Result<(), AppError>;
    /// Forgets keys used before `before`.
    async fn purge_idempotency(&self, before: DateTime<Utc>) -> Result<u64, AppError>;
}
