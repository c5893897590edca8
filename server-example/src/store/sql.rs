//! [`Store`] on sqlx's Any driver: one set of queries for SQLite and
//! PostgreSQL.
//!
//! The queries use `$1`-style placeholders, which both backends read (sqlx
//! maps SQLite's `$NNN` parameters by number), and only the types the Any
//! driver carries: BIGINT/INTEGER and TEXT. The two dialects differ in the
//! migrations, in how a write transaction starts (`BEGIN IMMEDIATE` on
//! SQLite, so that writers queue on the busy timeout instead of failing on
//! a lock upgrade) and in claiming deliveries (`FOR UPDATE SKIP LOCKED` on
//! PostgreSQL, so that several server processes share the outbox).

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use paraph::ErrorCode;
use paraph::envelope::{Envelope, Event};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{Any, AnyPool, AssertSqlSafe, Row, SqlSafeStr, Transaction};
use tokio::sync::OwnedMutexGuard;

use super::{
    Account, ApiKeyRecord, AttemptOutcome, AttemptRecord, Channel, DeliveryJob, DeliveryRecord,
    DocumentRecord, EnvelopeRecord, EnvelopeWrite, IdempotencyBegin, MessageJob, MessageKind,
    MessageOutcome, MessageRecord, NextStep, OutboxMessage, Page, PageRequest, QueuedMessage,
    Store, StoredResponse, Tenant, WebhookRecord, WriteError, Written, delivery_status,
    message_status,
};
use crate::error::AppError;
use crate::ids::{self, parse_time, time_text};

/// The database behind a [`SqlStore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file (WAL mode), the default.
    Sqlite,
    /// PostgreSQL, for several server processes.
    Postgres,
}

impl Backend {
    /// The backend a database URL names.
    pub fn of_url(url: &str) -> Result<Self, AppError> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            Err(AppError::invalid(format!(
                "unsupported database URL {:?}: use sqlite://FILE or postgres://…",
                redact_url(url)
            )))
        }
    }

    /// `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }
}

/// A URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// How long an SQLite writer waits for the lock before `STORAGE_UNAVAILABLE`.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

/// The store on a pool of database connections.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time: writers of this process queue here
    /// (fairly, without SQLite's sleeping busy handler, which gave 100 ms
    /// tail latencies under load); other processes still wait on the busy
    /// timeout. `None` on PostgreSQL.
    writer: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl SqlStore {
    /// The URL of an SQLite database file, created if missing.
    pub fn sqlite_url(path: &Path) -> String {
        format!("sqlite://{}?mode=rwc", path.display())
    }

    /// Connects and runs the backend's migrations.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, AppError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let options = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10));
        let options = match backend {
            Backend::Sqlite => options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    // WAL lets readers run beside the one writer; NORMAL
                    // sync is durable across application crashes in WAL
                    // mode (only an OS crash may lose the last commits).
                    let pragmas = format!(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS};"
                    );
                    sqlx::raw_sql(AssertSqlSafe(pragmas)).execute(conn).await?;
                    Ok(())
                })
            }),
            Backend::Postgres => options,
        };
        let pool = options.connect(url).await.map_err(|e| {
            AppError::internal(
                ErrorCode::StorageUnavailable,
                format!("cannot connect to {}: {e}", redact_url(url)),
            )
        })?;
        let writer = (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        let store = Self {
            pool,
            backend,
            writer,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations of the backend that are not applied yet.
    pub async fn migrate(&self) -> Result<(), AppError> {
        let files: [(&'static str, &'static str); 2] = match self.backend {
            Backend::Sqlite => [
                (
                    "initial",
                    include_str!("../../migrations/sqlite/0001_initial.sql"),
                ),
                (
                    "message outbox",
                    include_str!("../../migrations/sqlite/0002_message_outbox.sql"),
                ),
            ],
            Backend::Postgres => [
                (
                    "initial",
                    include_str!("../../migrations/postgres/0001_initial.sql"),
                ),
                (
                    "message outbox",
                    include_str!("../../migrations/postgres/0002_message_outbox.sql"),
                ),
            ],
        };
        let migrator = Migrator::with_migrations(
            files
                .into_iter()
                .zip(1..)
                .map(|((name, sql), version)| {
                    Migration::new(
                        version,
                        Cow::Borrowed(name),
                        MigrationType::Simple,
                        sql.into_sql_str(),
                        false,
                    )
                })
                .collect(),
        );
        migrator.run(&self.pool).await.map_err(|e| {
            AppError::internal(
                ErrorCode::StorageUnavailable,
                format!("database migration failed: {e}"),
            )
        })
    }

    /// The connection pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The turn of this process's SQLite writer (nothing on PostgreSQL).
    async fn write_turn(&self) -> Option<OwnedMutexGuard<()>> {
        match &self.writer {
            Some(lock) => Some(lock.clone().lock_owned().await),
            None => None,
        }
    }

    /// A write transaction, and the writer's turn to hold until it ends.
    async fn begin(
        &self,
    ) -> Result<(Transaction<'static, Any>, Option<OwnedMutexGuard<()>>), sqlx::Error> {
        let turn = self.write_turn().await;
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok((tx, turn))
    }
}

// ------------------------------------------------------------ row helpers

fn flag(value: bool) -> i64 {
    i64::from(value)
}

fn to_i64(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn col_u64(row: &AnyRow, name: &str) -> Result<u64, AppError> {
    let value: i64 = row.try_get(name)?;
    u64::try_from(value).map_err(|_| corrupt(name, value))
}

fn col_u32(row: &AnyRow, name: &str) -> Result<u32, AppError> {
    let value: i64 = row.try_get(name)?;
    u32::try_from(value).map_err(|_| corrupt(name, value))
}

fn col_opt_u16(row: &AnyRow, name: &str) -> Result<Option<u16>, AppError> {
    let value: Option<i64> = row.try_get(name)?;
    value
        .map(|v| u16::try_from(v).map_err(|_| corrupt(name, v)))
        .transpose()
}

fn col_bool(row: &AnyRow, name: &str) -> Result<bool, AppError> {
    let value: i64 = row.try_get(name)?;
    Ok(value != 0)
}

fn col_time(row: &AnyRow, name: &str) -> Result<DateTime<Utc>, AppError> {
    let text: String = row.try_get(name)?;
    parse_time(&text)
}

fn col_opt_time(row: &AnyRow, name: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    let text: Option<String> = row.try_get(name)?;
    text.as_deref().map(parse_time).transpose()
}

fn corrupt(column: &str, value: impl std::fmt::Display) -> AppError {
    AppError::internal(
        ErrorCode::Internal,
        format!("stored {column} {value} is out of range"),
    )
}

fn json_error(what: &str, err: impl std::fmt::Display) -> AppError {
    AppError::internal(
        ErrorCode::Internal,
        format!("stored {what} is not valid: {err}"),
    )
}

fn tenant_of(row: &AnyRow) -> Result<Tenant, AppError> {
    Ok(Tenant {
        account_id: row.try_get("account_id")?,
        livemode: col_bool(row, "livemode")?,
    })
}

fn account_of(row: &AnyRow) -> Result<Account, AppError> {
    Ok(Account {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        plan: row.try_get("plan")?,
        created_at: col_time(row, "created_at")?,
    })
}

fn key_of(row: &AnyRow) -> Result<ApiKeyRecord, AppError> {
    let scopes: String = row.try_get("scopes")?;
    Ok(ApiKeyRecord {
        id: row.try_get("id")?,
        public_id: row.try_get("public_id")?,
        account_id: row.try_get("account_id")?,
        name: row.try_get("name")?,
        livemode: col_bool(row, "livemode")?,
        scopes: scopes.split_whitespace().map(str::to_owned).collect(),
        key_hash: row.try_get("key_hash")?,
        last4: row.try_get("last4")?,
        created_at: col_time(row, "created_at")?,
        revoked_at: col_opt_time(row, "revoked_at")?,
    })
}

fn document_of(row: &AnyRow) -> Result<DocumentRecord, AppError> {
    Ok(DocumentRecord {
        id: row.try_get("id")?,
        tenant: tenant_of(row)?,
        name: row.try_get("name")?,
        mime_type: row.try_get("mime_type")?,
        size: col_u64(row, "size")?,
        pages: col_u32(row, "pages")?,
        sha256: row.try_get("sha256")?,
        status: row.try_get("status")?,
        object_key: row.try_get("object_key")?,
        created_at: col_time(row, "created_at")?,
    })
}

fn envelope_of(row: &AnyRow) -> Result<EnvelopeRecord, AppError> {
    let snapshot: String = row.try_get("snapshot")?;
    let extra: String = row.try_get("extra")?;
    let envelope = Envelope::from_json(&snapshot).map_err(|e| json_error("envelope", e))?;
    let stored_version = col_u64(row, "version")?;
    if envelope.version != stored_version {
        return Err(json_error(
            "envelope",
            format!(
                "snapshot version {} differs from row version {stored_version}",
                envelope.version
            ),
        ));
    }
    Ok(EnvelopeRecord {
        tenant: tenant_of(row)?,
        envelope,
        extra: serde_json::from_str(&extra).map_err(|e| json_error("envelope settings", e))?,
    })
}

fn webhook_of(row: &AnyRow) -> Result<WebhookRecord, AppError> {
    let events: String = row.try_get("events")?;
    Ok(WebhookRecord {
        id: row.try_get("id")?,
        tenant: tenant_of(row)?,
        envelope_id: row.try_get("envelope_id")?,
        url: row.try_get("url")?,
        events: serde_json::from_str(&events).map_err(|e| json_error("webhook events", e))?,
        secret: row.try_get("secret")?,
        active: col_bool(row, "active")?,
        disabled_reason: row.try_get("disabled_reason")?,
        created_at: col_time(row, "created_at")?,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::internal(ErrorCode::Internal, e))
}

/// Whether a database error is a unique-key violation (another writer took
/// the same key first).
fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation),
        _ => false,
    }
}

/// `$from, $from+1, …` for `count` values.
fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

const DOCUMENT_COLUMNS: &str = "id, account_id, livemode, name, mime_type, size, pages, sha256, status, object_key, created_at";
const ENVELOPE_COLUMNS: &str = "account_id, livemode, version, snapshot, extra";
const WEBHOOK_COLUMNS: &str = "id, account_id, livemode, envelope_id, url, events, secret, active, disabled_reason, created_at";
const KEY_COLUMNS: &str =
    "id, public_id, account_id, name, livemode, scopes, key_hash, last4, created_at, revoked_at";

async fn insert_document_tx(
    tx: &mut Transaction<'static, Any>,
    d: &DocumentRecord,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO documents (id, account_id, livemode, name, mime_type, size, pages, sha256, status, object_key, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&d.id)
    .bind(&d.tenant.account_id)
    .bind(flag(d.tenant.livemode))
    .bind(&d.name)
    .bind(&d.mime_type)
    .bind(to_i64(d.size))
    .bind(i64::from(d.pages))
    .bind(&d.sha256)
    .bind(&d.status)
    .bind(&d.object_key)
    .bind(time_text(d.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn insert_webhook_tx(
    tx: &mut Transaction<'static, Any>,
    w: &WebhookRecord,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO webhooks (id, account_id, livemode, envelope_id, url, events, secret, active, disabled_reason, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(&w.id)
    .bind(&w.tenant.account_id)
    .bind(flag(w.tenant.livemode))
    .bind(w.envelope_id.clone())
    .bind(&w.url)
    .bind(to_json(&w.events)?)
    .bind(&w.secret)
    .bind(flag(w.active))
    .bind(w.disabled_reason.clone())
    .bind(time_text(w.created_at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Events inserted by one statement (5 parameters each, far below either
/// backend's limit).
const EVENTS_PER_INSERT: usize = 200;

/// Everything of an envelope write but the envelope row itself.
/// What an envelope write binds, serialised and read before the write
/// transaction begins: on SQLite the transaction holds the one writer's
/// turn, so it should only run statements.
struct WriteParts {
    snapshot: String,
    extra: String,
    /// Each event's JSON, in order.
    events: Vec<String>,
    /// The endpoints that may receive the outbox's messages (none read
    /// when there is no message).
    endpoints: Vec<WebhookRecord>,
}

impl WriteParts {
    /// The deliveries `queue_outbox` queues for `write`.
    fn written(&self, write: &EnvelopeWrite) -> Written {
        Written {
            deliveries: write
                .outbox
                .iter()
                .map(|m| {
                    self.endpoints
                        .iter()
                        .filter(|e| e.wants(&m.event_type))
                        .count()
                })
                .sum(),
        }
    }
}

impl SqlStore {
    async fn write_parts(&self, write: &EnvelopeWrite) -> Result<WriteParts, AppError> {
        let endpoints = if write.outbox.is_empty() {
            Vec::new()
        } else {
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT {WEBHOOK_COLUMNS} FROM webhooks \
                 WHERE account_id = $1 AND livemode = $2 AND active = 1 AND deleted_at IS NULL \
                 AND (envelope_id IS NULL OR envelope_id = $3)"
            )))
            .bind(&write.tenant.account_id)
            .bind(flag(write.tenant.livemode))
            .bind(&write.envelope.id)
            .fetch_all(&self.pool)
            .await?;
            let mut endpoints = rows.iter().map(webhook_of).collect::<Result<Vec<_>, _>>()?;
            // The write replaces the envelope's own endpoint: the old one
            // goes, the new one (inserted in the same transaction) counts.
            if let Some(replacement) = &write.envelope_webhook {
                endpoints.retain(|e| e.envelope_id.as_deref() != Some(write.envelope.id.as_str()));
                endpoints.extend(replacement.iter().filter(|w| w.active).cloned());
            }
            endpoints
        };
        Ok(WriteParts {
            snapshot: to_json(&write.envelope)?,
            extra: to_json(&write.extra)?,
            events: write.events.iter().map(to_json).collect::<Result<_, _>>()?,
            endpoints,
        })
    }
}

async fn write_envelope_parts(
    tx: &mut Transaction<'static, Any>,
    write: &EnvelopeWrite,
    parts: &WriteParts,
    fresh: bool,
) -> Result<(), WriteError> {
    let envelope_id = &write.envelope.id;
    // Only a draft's documents change (the core refuses it afterwards):
    // a sent envelope's writes leave the list alone; a new envelope has
    // none to remove.
    if write.envelope.status == paraph::envelope::EnvelopeStatus::Draft {
        if !fresh {
            sqlx::query("DELETE FROM envelope_documents WHERE envelope_id = $1")
                .bind(envelope_id)
                .execute(&mut **tx)
                .await?;
        }
        if !write.document_ids.is_empty() {
            let rows = (0..write.document_ids.len())
                .map(|i| format!("({})", placeholders(1 + 2 * i, 2)))
                .collect::<Vec<_>>()
                .join(", ");
            let mut query = sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO envelope_documents (envelope_id, document_id) VALUES {rows}"
            )));
            for document_id in &write.document_ids {
                query = query.bind(envelope_id).bind(document_id);
            }
            query.execute(&mut **tx).await?;
        }
    }
    // One statement per chunk of events rather than one per event: each
    // statement is a round trip (to SQLite's worker thread, or to the
    // PostgreSQL server).
    for (chunk, json) in write
        .events
        .chunks(EVENTS_PER_INSERT)
        .zip(parts.events.chunks(EVENTS_PER_INSERT))
    {
        let rows = (0..chunk.len())
            .map(|i| format!("({})", placeholders(1 + 5 * i, 5)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO envelope_events (envelope_id, seq, event_type, occurred_at, event) VALUES {rows}"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (event, json) in chunk.iter().zip(json) {
            query = query
                .bind(envelope_id)
                .bind(to_i64(event.seq))
                .bind(event.event_type())
                .bind(time_text(event.occurred_at))
                .bind(json);
        }
        match query.execute(&mut **tx).await {
            Err(e) if is_unique_violation(&e) => return Err(WriteError::Conflict),
            other => {
                other?;
            }
        }
    }
    if let Some(replacement) = &write.envelope_webhook {
        sqlx::query(
            "UPDATE webhooks SET deleted_at = $1, active = 0 WHERE envelope_id = $2 AND deleted_at IS NULL",
        )
        .bind(time_text(write.envelope.updated_at))
        .bind(envelope_id)
        .execute(&mut **tx)
        .await?;
        if let Some(webhook) = replacement {
            insert_webhook_tx(tx, webhook).await?;
        }
    }
    for message in &write.messages {
        queue_message(tx, &write.tenant, message, write.envelope.updated_at).await?;
    }
    if !write.outbox.is_empty() {
        queue_outbox(
            tx,
            &parts.endpoints,
            &write.outbox,
            write.envelope.updated_at,
        )
        .await?;
    }
    Ok(())
}

/// Queues a mail or SMS in the caller's transaction, due at once.
async fn queue_message(
    tx: &mut Transaction<'static, Any>,
    tenant: &Tenant,
    m: &QueuedMessage,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO message_outbox (id, channel, kind, account_id, livemode, envelope_id, recipient_id, round, nonce, \
         status, attempts, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0, $11, $11)",
    )
    .bind(&m.id)
    .bind(m.channel.as_str())
    .bind(m.kind.as_str())
    .bind(&tenant.account_id)
    .bind(flag(tenant.livemode))
    .bind(&m.envelope_id)
    .bind(&m.recipient_id)
    .bind(i64::from(m.round))
    .bind(m.nonce.clone())
    .bind(message_status::PENDING)
    .bind(time_text(now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn message_of(row: &AnyRow) -> Result<QueuedMessage, AppError> {
    let channel: String = row.try_get("channel")?;
    let kind: String = row.try_get("kind")?;
    Ok(QueuedMessage {
        id: row.try_get("id")?,
        channel: Channel::parse(&channel).ok_or_else(|| corrupt("channel", &channel))?,
        kind: MessageKind::parse(&kind).ok_or_else(|| corrupt("kind", &kind))?,
        envelope_id: row.try_get("envelope_id")?,
        recipient_id: row.try_get("recipient_id")?,
        round: col_u32(row, "round")?,
        nonce: row.try_get("nonce")?,
    })
}

const MESSAGE_COLUMNS: &str = "id, channel, kind, account_id, livemode, envelope_id, recipient_id, round, nonce, \
     status, attempts, last_error, sent_at";

/// Queues each message for every active endpoint of the tenant (and of the
/// envelope) that subscribes to its type, in the caller's transaction.
/// The endpoints were read just before the transaction began: one created
/// in between gets the envelope's later events, as one created just after.
async fn queue_outbox(
    tx: &mut Transaction<'static, Any>,
    endpoints: &[WebhookRecord],
    messages: &[OutboxMessage],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    for message in messages {
        for endpoint in endpoints.iter().filter(|e| e.wants(&message.event_type)) {
            sqlx::query(
                "INSERT INTO webhook_deliveries (id, webhook_id, envelope_id, event_seq, event_type, message_id, payload, status, attempts, next_attempt_at, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $9)",
            )
            .bind(ids::new_id("whd", now)?)
            .bind(&endpoint.id)
            .bind(&message.envelope_id)
            .bind(to_i64(message.event_seq))
            .bind(&message.event_type)
            .bind(&message.message_id)
            .bind(&message.payload)
            .bind(delivery_status::PENDING)
            .bind(time_text(now))
            .execute(&mut **tx)
            .await?;
        }
    }
    Ok(())
}

#[async_trait]
impl Store for SqlStore {
    async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn backend(&self) -> Backend {
        self.backend
    }

    async fn insert_account(&self, a: &Account) -> Result<(), AppError> {
        let _writer = self.write_turn().await;
        sqlx::query(
            "INSERT INTO accounts (id, name, email, plan, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&a.id)
        .bind(&a.name)
        .bind(&a.email)
        .bind(&a.plan)
        .bind(time_text(a.created_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn account(&self, id: &str) -> Result<Option<Account>, AppError> {
        sqlx::query("SELECT id, name, email, plan, created_at FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account_of)
            .transpose()
    }

    async fn account_by_name(&self, name: &str) -> Result<Option<Account>, AppError> {
        sqlx::query("SELECT id, name, email, plan, created_at FROM accounts WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account_of)
            .transpose()
    }

    async fn count_accounts(&self) -> Result<u64, AppError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM accounts")
            .fetch_one(&self.pool)
            .await?;
        col_u64(&row, "n")
    }

    async fn insert_key(&self, k: &ApiKeyRecord) -> Result<(), AppError> {
        let _writer = self.write_turn().await;
        sqlx::query(
            "INSERT INTO api_keys (id, public_id, account_id, name, livemode, scopes, key_hash, last4, created_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&k.id)
        .bind(&k.public_id)
        .bind(&k.account_id)
        .bind(&k.name)
        .bind(flag(k.livemode))
        .bind(k.scopes.join(" "))
        .bind(&k.key_hash)
        .bind(&k.last4)
        .bind(time_text(k.created_at))
        .bind(k.revoked_at.map(time_text))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn key_by_public_id(&self, public_id: &str) -> Result<Option<ApiKeyRecord>, AppError> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE public_id = $1"
        )))
        .bind(public_id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(key_of)
        .transpose()
    }

    async fn list_keys(
        &self,
        tenant: &Tenant,
        page: PageRequest,
    ) -> Result<Page<ApiKeyRecord>, AppError> {
        let total = sqlx::query(
            "SELECT COUNT(*) AS n FROM api_keys WHERE account_id = $1 AND livemode = $2",
        )
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE account_id = $1 AND livemode = $2 \
             ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
        )))
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(i64::from(page.limit))
        .bind(to_i64(page.offset()))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            rows: rows.iter().map(key_of).collect::<Result<_, _>>()?,
            total: col_u64(&total, "n")?,
        })
    }

    async fn revoke_key(
        &self,
        tenant: &Tenant,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ApiKeyRecord>, AppError> {
        let _writer = self.write_turn().await;
        sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 \
             WHERE account_id = $2 AND livemode = $3 AND id = $4 AND revoked_at IS NULL",
        )
        .bind(time_text(now))
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(id)
        .execute(&self.pool)
        .await?;
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE account_id = $1 AND livemode = $2 AND id = $3"
        )))
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(key_of)
        .transpose()
    }

    async fn insert_document(&self, d: &DocumentRecord) -> Result<(), AppError> {
        let (mut tx, _writer) = self.begin().await?;
        insert_document_tx(&mut tx, d).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn document(
        &self,
        tenant: &Tenant,
        id: &str,
    ) -> Result<Option<DocumentRecord>, AppError> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents \
             WHERE id = $1 AND account_id = $2 AND livemode = $3 AND deleted_at IS NULL"
        )))
        .bind(id)
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(document_of)
        .transpose()
    }

    async fn list_documents(
        &self,
        tenant: &Tenant,
        page: PageRequest,
    ) -> Result<Page<DocumentRecord>, AppError> {
        let total = sqlx::query(
            "SELECT COUNT(*) AS n FROM documents WHERE account_id = $1 AND livemode = $2 AND deleted_at IS NULL",
        )
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents \
             WHERE account_id = $1 AND livemode = $2 AND deleted_at IS NULL \
             ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
        )))
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(i64::from(page.limit))
        .bind(to_i64(page.offset()))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            rows: rows.iter().map(document_of).collect::<Result<_, _>>()?,
            total: col_u64(&total, "n")?,
        })
    }

    async fn delete_document(
        &self,
        tenant: &Tenant,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(DocumentRecord, bool)>, AppError> {
        let (mut tx, _writer) = self.begin().await?;
        let Some(row) = sqlx::query(AssertSqlSafe(format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents \
             WHERE id = $1 AND account_id = $2 AND livemode = $3 AND deleted_at IS NULL"
        )))
        .bind(id)
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let document = document_of(&row)?;
        sqlx::query("UPDATE documents SET deleted_at = $1 WHERE id = $2")
            .bind(time_text(now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let used = sqlx::query(
            "SELECT COUNT(*) AS n FROM envelope_documents ed JOIN envelopes e ON e.id = ed.envelope_id \
             WHERE ed.document_id = $1 AND e.deleted_at IS NULL",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let in_use = col_u64(&used, "n")? > 0;
        tx.commit().await?;
        Ok(Some((document, in_use)))
    }

    async fn orphaned_documents(&self, ids: &[String]) -> Result<Vec<DocumentRecord>, AppError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents d WHERE d.id IN ({}) AND d.deleted_at IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM envelope_documents ed JOIN envelopes e ON e.id = ed.envelope_id \
             WHERE ed.document_id = d.id AND e.deleted_at IS NULL)",
            placeholders(1, ids.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for id in ids {
            query = query.bind(id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(document_of).collect()
    }

    async fn envelope_documents(
        &self,
        envelope: &Envelope,
    ) -> Result<Vec<DocumentRecord>, AppError> {
        if envelope.documents.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents d JOIN envelope_documents ed ON ed.document_id = d.id \
             WHERE ed.envelope_id = $1 AND d.id IN ({})",
            placeholders(2, envelope.documents.len())
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(&envelope.id);
        for document in &envelope.documents {
            query = query.bind(&document.id);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut found = rows
            .iter()
            .map(document_of)
            .collect::<Result<Vec<_>, _>>()?;
        found.sort_by_key(|d| {
            envelope
                .documents
                .iter()
                .position(|e| e.id == d.id)
                .unwrap_or(usize::MAX)
        });
        Ok(found)
    }

    async fn insert_envelope(&self, write: &EnvelopeWrite) -> Result<Written, WriteError> {
        let parts = self.write_parts(write).await?;
        let (mut tx, _writer) = self.begin().await?;
        for document in &write.new_documents {
            insert_document_tx(&mut tx, document).await?;
        }
        let e = &write.envelope;
        sqlx::query(
            "INSERT INTO envelopes (id, account_id, livemode, status, version, snapshot, extra, created_at, updated_at, deleted_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&e.id)
        .bind(&write.tenant.account_id)
        .bind(flag(write.tenant.livemode))
        .bind(e.status.as_str())
        .bind(to_i64(e.version))
        .bind(&parts.snapshot)
        .bind(&parts.extra)
        .bind(time_text(e.created_at))
        .bind(time_text(e.updated_at))
        .bind(write.deleted_at.map(time_text))
        .execute(&mut *tx)
        .await?;
        write_envelope_parts(&mut tx, write, &parts, true).await?;
        tx.commit().await?;
        Ok(parts.written(write))
    }

    async fn update_envelope(
        &self,
        write: &EnvelopeWrite,
        expected_version: u64,
    ) -> Result<Written, WriteError> {
        let parts = self.write_parts(write).await?;
        let (mut tx, _writer) = self.begin().await?;
        for document in &write.new_documents {
            insert_document_tx(&mut tx, document).await?;
        }
        let e = &write.envelope;
        let updated = sqlx::query(
            "UPDATE envelopes SET status = $1, version = $2, snapshot = $3, extra = $4, updated_at = $5, deleted_at = $6 \
             WHERE id = $7 AND account_id = $8 AND livemode = $9 AND version = $10 AND deleted_at IS NULL",
        )
        .bind(e.status.as_str())
        .bind(to_i64(e.version))
        .bind(&parts.snapshot)
        .bind(&parts.extra)
        .bind(time_text(e.updated_at))
        .bind(write.deleted_at.map(time_text))
        .bind(&e.id)
        .bind(&write.tenant.account_id)
        .bind(flag(write.tenant.livemode))
        .bind(to_i64(expected_version))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(WriteError::Conflict);
        }
        write_envelope_parts(&mut tx, write, &parts, false).await?;
        tx.commit().await?;
        Ok(parts.written(write))
    }

    async fn envelope(
        &self,
        tenant: &Tenant,
        id: &str,
    ) -> Result<Option<EnvelopeRecord>, AppError> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENVELOPE_COLUMNS} FROM envelopes \
             WHERE id = $1 AND account_id = $2 AND livemode = $3 AND deleted_at IS NULL"
        )))
        .bind(id)
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(envelope_of)
        .transpose()
    }

    async fn sent_envelopes(&self, limit: u32) -> Result<Vec<EnvelopeRecord>, AppError> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENVELOPE_COLUMNS} FROM envelopes \
             WHERE status = 'SENT' AND deleted_at IS NULL ORDER BY updated_at LIMIT $1"
        )))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(envelope_of)
        .collect()
    }

    async fn envelope_by_id(&self, id: &str) -> Result<Option<EnvelopeRecord>, AppError> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENVELOPE_COLUMNS} FROM envelopes WHERE id = $1 AND deleted_at IS NULL"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(envelope_of)
        .transpose()
    }

    async fn list_envelopes(
        &self,
        tenant: &Tenant,
        statuses: Option<&[&str]>,
        page: PageRequest,
    ) -> Result<Page<EnvelopeRecord>, AppError> {
        let filter = match statuses {
            Some([]) => {
                return Ok(Page {
                    rows: Vec::new(),
                    total: 0,
                });
            }
            Some(list) => format!(" AND status IN ({})", placeholders(3, list.len())),
            None => String::new(),
        };
        let status_binds = statuses.unwrap_or(&[]);
        let mut count = sqlx::query(AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM envelopes WHERE account_id = $1 AND livemode = $2 AND deleted_at IS NULL{filter}"
        )))
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode));
        for status in status_binds {
            count = count.bind(*status);
        }
        let total = count.fetch_one(&self.pool).await?;
        let next = 3 + status_binds.len();
        let mut select = sqlx::query(AssertSqlSafe(format!(
            "SELECT {ENVELOPE_COLUMNS} FROM envelopes \
             WHERE account_id = $1 AND livemode = $2 AND deleted_at IS NULL{filter} \
             ORDER BY created_at DESC, id DESC LIMIT ${next} OFFSET ${}",
            next + 1
        )))
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode));
        for status in status_binds {
            select = select.bind(*status);
        }
        let rows = select
            .bind(i64::from(page.limit))
            .bind(to_i64(page.offset()))
            .fetch_all(&self.pool)
            .await?;
        Ok(Page {
            rows: rows.iter().map(envelope_of).collect::<Result<_, _>>()?,
            total: col_u64(&total, "n")?,
        })
    }

    async fn envelope_events(&self, envelope_id: &str) -> Result<Vec<Event>, AppError> {
        let rows =
            sqlx::query("SELECT event FROM envelope_events WHERE envelope_id = $1 ORDER BY seq")
                .bind(envelope_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                let text: String = row.try_get("event")?;
                serde_json::from_str(&text).map_err(|e| json_error("event", e))
            })
            .collect()
    }

    async fn insert_webhook(&self, webhook: &WebhookRecord) -> Result<(), AppError> {
        let (mut tx, _writer) = self.begin().await?;
        insert_webhook_tx(&mut tx, webhook).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn webhook(&self, tenant: &Tenant, id: &str) -> Result<Option<WebhookRecord>, AppError> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks \
             WHERE id = $1 AND account_id = $2 AND livemode = $3 AND deleted_at IS NULL"
        )))
        .bind(id)
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .fetch_optional(&self.pool)
        .await?
        .as_ref()
        .map(webhook_of)
        .transpose()
    }

    async fn list_webhooks(
        &self,
        tenant: &Tenant,
        page: PageRequest,
    ) -> Result<Page<WebhookRecord>, AppError> {
        let total = sqlx::query(
            "SELECT COUNT(*) AS n FROM webhooks WHERE account_id = $1 AND livemode = $2 AND deleted_at IS NULL",
        )
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .fetch_one(&self.pool)
        .await?;
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {WEBHOOK_COLUMNS} FROM webhooks \
             WHERE account_id = $1 AND livemode = $2 AND deleted_at IS NULL \
             ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
        )))
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(i64::from(page.limit))
        .bind(to_i64(page.offset()))
        .fetch_all(&self.pool)
        .await?;
        Ok(Page {
            rows: rows.iter().map(webhook_of).collect::<Result<_, _>>()?,
            total: col_u64(&total, "n")?,
        })
    }

    async fn delete_webhook(
        &self,
        tenant: &Tenant,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let (mut tx, _writer) = self.begin().await?;
        let deleted = sqlx::query(
            "UPDATE webhooks SET deleted_at = $1, active = 0 \
             WHERE id = $2 AND account_id = $3 AND livemode = $4 AND deleted_at IS NULL",
        )
        .bind(time_text(now))
        .bind(id)
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .execute(&mut *tx)
        .await?;
        if deleted.rows_affected() == 1 {
            sqlx::query(
                "UPDATE webhook_deliveries SET status = $1, last_error = $2, claimed_until = NULL \
                 WHERE webhook_id = $3 AND status = $4",
            )
            .bind(delivery_status::FAILED)
            .bind("the endpoint was deleted")
            .bind(id)
            .bind(delivery_status::PENDING)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(deleted.rows_affected() == 1)
    }

    async fn claim_deliveries(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DeliveryJob>, AppError> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // Most polls find nothing: look without taking the write lock.
        let due = sqlx::query(
            "SELECT id FROM webhook_deliveries WHERE status = $1 AND next_attempt_at <= $2 \
             AND (claimed_until IS NULL OR claimed_until <= $2) LIMIT 1",
        )
        .bind(delivery_status::PENDING)
        .bind(time_text(now))
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let (mut tx, _writer) = self.begin().await?;
        let claimed = sqlx::query(AssertSqlSafe(format!(
            "UPDATE webhook_deliveries SET claimed_until = $1 WHERE id IN ( \
               SELECT id FROM webhook_deliveries \
               WHERE status = $2 AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until <= $3) \
               ORDER BY next_attempt_at LIMIT $4{lock}) \
             RETURNING id, webhook_id, message_id, event_type, payload, attempts"
        )))
        .bind(time_text(lease_until))
        .bind(delivery_status::PENDING)
        .bind(time_text(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        let mut jobs = Vec::with_capacity(claimed.len());
        for row in &claimed {
            let webhook_id: String = row.try_get("webhook_id")?;
            let endpoint = sqlx::query("SELECT url, secret FROM webhooks WHERE id = $1 AND active = 1 AND deleted_at IS NULL")
                .bind(&webhook_id)
                .fetch_optional(&mut *tx)
                .await?;
            let id: String = row.try_get("id")?;
            let Some(endpoint) = endpoint else {
                sqlx::query(
                    "UPDATE webhook_deliveries SET status = $1, last_error = $2, claimed_until = NULL WHERE id = $3",
                )
                .bind(delivery_status::FAILED)
                .bind("the endpoint is disabled or deleted")
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                continue;
            };
            jobs.push(DeliveryJob {
                id,
                webhook_id,
                url: endpoint.try_get("url")?,
                secret: endpoint.try_get("secret")?,
                message_id: row.try_get("message_id")?,
                event_type: row.try_get("event_type")?,
                payload: row.try_get("payload")?,
                attempts: col_u32(row, "attempts")?,
            });
        }
        tx.commit().await?;
        Ok(jobs)
    }

    async fn record_attempt(
        &self,
        job: &DeliveryJob,
        outcome: &AttemptOutcome,
    ) -> Result<(), AppError> {
        let (mut tx, _writer) = self.begin().await?;
        let attempt = i64::from(job.attempts) + 1;
        sqlx::query(
            "INSERT INTO webhook_attempts (delivery_id, attempt, attempted_at, status_code, error, duration_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&job.id)
        .bind(attempt)
        .bind(time_text(outcome.attempted_at))
        .bind(outcome.status_code.map(i64::from))
        .bind(outcome.error.clone())
        .bind(to_i64(outcome.duration_ms))
        .execute(&mut *tx)
        .await?;
        let (status, next_at, delivered_at) = match &outcome.next {
            NextStep::Delivered => (
                delivery_status::DELIVERED,
                outcome.attempted_at,
                Some(time_text(outcome.attempted_at)),
            ),
            NextStep::RetryAt(at) => (delivery_status::PENDING, *at, None),
            NextStep::GiveUp | NextStep::DisableEndpoint(_) => {
                (delivery_status::FAILED, outcome.attempted_at, None)
            }
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $1, attempts = $2, next_attempt_at = $3, claimed_until = NULL, \
             last_status = $4, last_error = $5, delivered_at = $6 WHERE id = $7",
        )
        .bind(status)
        .bind(attempt)
        .bind(time_text(next_at))
        .bind(outcome.status_code.map(i64::from))
        .bind(outcome.error.clone())
        .bind(delivered_at)
        .bind(&job.id)
        .execute(&mut *tx)
        .await?;
        if let NextStep::DisableEndpoint(reason) = &outcome.next {
            sqlx::query("UPDATE webhooks SET active = 0, disabled_reason = $1 WHERE id = $2")
                .bind(reason)
                .bind(&job.webhook_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE webhook_deliveries SET status = $1, last_error = $2, claimed_until = NULL \
                 WHERE webhook_id = $3 AND status = $4",
            )
            .bind(delivery_status::FAILED)
            .bind("the endpoint was disabled")
            .bind(&job.webhook_id)
            .bind(delivery_status::PENDING)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn list_deliveries(
        &self,
        webhook_id: &str,
        page: PageRequest,
    ) -> Result<Page<DeliveryRecord>, AppError> {
        let total =
            sqlx::query("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE webhook_id = $1")
                .bind(webhook_id)
                .fetch_one(&self.pool)
                .await?;
        let rows = sqlx::query(
            "SELECT id, webhook_id, envelope_id, event_type, message_id, status, attempts, next_attempt_at, \
             last_status, last_error, created_at, delivered_at FROM webhook_deliveries WHERE webhook_id = $1 \
             ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3",
        )
        .bind(webhook_id)
        .bind(i64::from(page.limit))
        .bind(to_i64(page.offset()))
        .fetch_all(&self.pool)
        .await?;
        let mut deliveries = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: String = row.try_get("id")?;
            let status: String = row.try_get("status")?;
            let attempts = sqlx::query(
                "SELECT attempt, attempted_at, status_code, error, duration_ms FROM webhook_attempts \
                 WHERE delivery_id = $1 ORDER BY attempt",
            )
            .bind(&id)
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|a| {
                Ok(AttemptRecord {
                    attempt: col_u32(a, "attempt")?,
                    attempted_at: col_time(a, "attempted_at")?,
                    status_code: col_opt_u16(a, "status_code")?,
                    error: a.try_get("error")?,
                    duration_ms: col_u64(a, "duration_ms")?,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
            deliveries.push(DeliveryRecord {
                next_attempt_at: if status == delivery_status::PENDING {
                    Some(col_time(row, "next_attempt_at")?)
                } else {
                    None
                },
                id,
                webhook_id: row.try_get("webhook_id")?,
                envelope_id: row.try_get("envelope_id")?,
                event_type: row.try_get("event_type")?,
                message_id: row.try_get("message_id")?,
                status,
                attempts: col_u32(row, "attempts")?,
                last_status: col_opt_u16(row, "last_status")?,
                last_error: row.try_get("last_error")?,
                created_at: col_time(row, "created_at")?,
                delivered_at: col_opt_time(row, "delivered_at")?,
                attempt_log: attempts,
            });
        }
        Ok(Page {
            rows: deliveries,
            total: col_u64(&total, "n")?,
        })
    }

    async fn claim_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<MessageJob>, AppError> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        // Most polls find nothing: look without taking the write lock.
        let due = sqlx::query(
            "SELECT id FROM message_outbox WHERE status = $1 AND next_attempt_at <= $2 \
             AND (claimed_until IS NULL OR claimed_until <= $2) LIMIT 1",
        )
        .bind(message_status::PENDING)
        .bind(time_text(now))
        .fetch_optional(&self.pool)
        .await?;
        if due.is_none() {
            return Ok(Vec::new());
        }
        let (mut tx, _writer) = self.begin().await?;
        let claimed = sqlx::query(AssertSqlSafe(format!(
            "UPDATE message_outbox SET claimed_until = $1 WHERE id IN ( \
               SELECT id FROM message_outbox \
               WHERE status = $2 AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until <= $3) \
               ORDER BY next_attempt_at LIMIT $4{lock}) \
             RETURNING {MESSAGE_COLUMNS}"
        )))
        .bind(time_text(lease_until))
        .bind(message_status::PENDING)
        .bind(time_text(now))
        .bind(i64::from(limit))
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        claimed
            .iter()
            .map(|row| {
                Ok(MessageJob {
                    message: message_of(row)?,
                    tenant: tenant_of(row)?,
                    attempts: col_u32(row, "attempts")?,
                })
            })
            .collect()
    }

    async fn record_message(
        &self,
        job: &MessageJob,
        outcome: &MessageOutcome,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let (status, next_at, error, sent_at) = match outcome {
            MessageOutcome::Sent => (message_status::SENT, now, None, Some(time_text(now))),
            MessageOutcome::RetryAt(at, error) => {
                (message_status::PENDING, *at, Some(error.clone()), None)
            }
            MessageOutcome::Failed(error) => {
                (message_status::FAILED, now, Some(error.clone()), None)
            }
            MessageOutcome::Skipped(reason) => {
                (message_status::SKIPPED, now, Some(reason.clone()), None)
            }
        };
        let attempts = match outcome {
            MessageOutcome::Skipped(_) => i64::from(job.attempts),
            _ => i64::from(job.attempts) + 1,
        };
        let _writer = self.write_turn().await;
        sqlx::query(
            "UPDATE message_outbox SET status = $1, attempts = $2, next_attempt_at = $3, claimed_until = NULL, \
             last_error = $4, sent_at = $5 WHERE id = $6",
        )
        .bind(status)
        .bind(attempts)
        .bind(time_text(next_at))
        .bind(error)
        .bind(sent_at)
        .bind(&job.message.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn envelope_messages(&self, envelope_id: &str) -> Result<Vec<MessageRecord>, AppError> {
        sqlx::query(AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM message_outbox WHERE envelope_id = $1 ORDER BY created_at, id"
        )))
        .bind(envelope_id)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(MessageRecord {
                message: message_of(row)?,
                status: row.try_get("status")?,
                attempts: col_u32(row, "attempts")?,
                last_error: row.try_get("last_error")?,
                sent_at: col_opt_time(row, "sent_at")?,
            })
        })
        .collect()
    }

    async fn idempotency_begin(
        &self,
        tenant: &Tenant,
        key: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyBegin, AppError> {
        let _writer = self.write_turn().await;
        // A request that never finished (its process died) frees its key
        // after a while, so the client's retry can run.
        let stale = now - chrono::Duration::minutes(IDEMPOTENCY_STALE_MINUTES);
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE account_id = $1 AND livemode = $2 AND idem_key = $3 \
             AND status_code IS NULL AND created_at < $4",
        )
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(key)
        .bind(time_text(stale))
        .execute(&self.pool)
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (account_id, livemode, idem_key, fingerprint, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(key)
        .bind(fingerprint)
        .bind(time_text(now))
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(IdempotencyBegin::Proceed);
        }
        let Some(row) = sqlx::query(
            "SELECT fingerprint, status_code, response_body FROM idempotency_keys \
             WHERE account_id = $1 AND livemode = $2 AND idem_key = $3",
        )
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(key)
        .fetch_optional(&self.pool)
        .await?
        else {
            // Released between our insert and this read: the other request
            // failed and its client may be retrying too.
            return Ok(IdempotencyBegin::InProgress);
        };
        let stored: String = row.try_get("fingerprint")?;
        if stored != fingerprint {
            return Ok(IdempotencyBegin::Mismatch);
        }
        match (
            col_opt_u16(&row, "status_code")?,
            row.try_get::<Option<String>, _>("response_body")?,
        ) {
            (Some(status), Some(body)) => {
                Ok(IdempotencyBegin::Replay(StoredResponse { status, body }))
            }
            _ => Ok(IdempotencyBegin::InProgress),
        }
    }

    async fn idempotency_complete(
        &self,
        tenant: &Tenant,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), AppError> {
        let _writer = self.write_turn().await;
        sqlx::query(
            "UPDATE idempotency_keys SET status_code = $1, response_body = $2 \
             WHERE account_id = $3 AND livemode = $4 AND idem_key = $5",
        )
        .bind(i64::from(response.status))
        .bind(&response.body)
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn idempotency_abort(&self, tenant: &Tenant, key: &str) -> Result<(), AppError> {
        let _writer = self.write_turn().await;
        sqlx::query(
            "DELETE FROM idempotency_keys WHERE account_id = $1 AND livemode = $2 AND idem_key = $3 AND status_code IS NULL",
        )
        .bind(&tenant.account_id)
        .bind(flag(tenant.livemode))
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn purge_idempotency(&self, before: DateTime<Utc>) -> Result<u64, AppError> {
        let _writer = self.write_turn().await;
        let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
            .bind(time_text(before))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// Minutes after which an unfinished idempotent request frees its key.
const IDEMPOTENCY_STALE_MINUTES: i64 = 5;
