//! The mail and SMS outbox and its worker.
//!
//! A change that makes it a recipient's turn (an invitation), reminds them
//! (a reminder) or sends them a code by SMS queues a row in the same
//! transaction as the change itself ([`crate::store::EnvelopeWrite::messages`]),
//! so a crash between the commit and the sending loses nothing. The
//! [`Messenger`] claims due rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL,
//! so several processes share the outbox), sends them and records the
//! outcome: at least once (a crash after sending and before recording
//! sends again once the claim's lease runs out), retried with exponential
//! back-off, [`MessageConfig::max_attempts`] times.
//!
//! Rows hold no secret. The link is derived again from the link secret,
//! the envelope, the recipient and the row's round; a code by SMS from
//! the link secret and the row's random nonce ([`super::sms::derive_code`]),
//! and only its SHA-256 is in the envelope's settings. A message no longer
//! worth sending is skipped: a later round replaced its link, the envelope
//! was declined, voided, expired or deleted, a newer code replaced its code.

use std::time::Duration;

use chrono::Utc;
use paraph::envelope::{Envelope, EnvelopeStatus};
use tokio::sync::watch;

use super::links;
use super::mail::Kind;
use super::sms::{self, Sms};
use crate::envelopes::settings::EnvelopeSettings;
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::state::AppState;
use crate::store::{Channel, MessageJob, MessageKind, MessageOutcome, QueuedMessage};

/// Messages claimed at once per poll.
const BATCH: u32 = 64;

/// Default wait between a wake-up and the claim, in milliseconds.
pub const DEFAULT_COALESCE_MS: u64 = 50;

/// How messages are retried.
#[derive(Debug, Clone)]
pub struct MessageConfig {
    /// Attempts before giving up, the first included.
    pub max_attempts: u32,
    /// Wait after the first failure.
    pub backoff_base: Duration,
    /// Each later wait is this many times the previous one.
    pub backoff_factor: u32,
    /// How long a claim lasts: a process that dies holding one frees it
    /// after this (and the message is sent again).
    pub lease: Duration,
    /// How often the outbox is polled when nothing wakes the worker.
    pub poll_interval: Duration,
    /// How long the worker waits after being woken before it claims, so
    /// that one claim takes the rows of many requests under load.
    pub coalesce: Duration,
}

impl Default for MessageConfig {
    /// 8 attempts, waiting 30 s × 3ⁿ: the last about 9 h after the first.
    fn default() -> Self {
        Self {
            max_attempts: 8,
            backoff_base: Duration::from_secs(30),
            backoff_factor: 3,
            lease: Duration::from_secs(120),
            poll_interval: Duration::from_secs(1),
            coalesce: Duration::from_millis(DEFAULT_COALESCE_MS),
        }
    }
}

impl MessageConfig {
    /// The wait after failed attempt number `attempt` (from 1).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = u64::from(self.backoff_factor.max(1))
            .checked_pow(attempt.saturating_sub(1))
            .unwrap_or(u64::MAX);
        let secs = self.backoff_base.as_secs_f64() * factor as f64;
        Duration::from_secs_f64(secs.min(24.0 * 3600.0))
    }
}

/// The messages a change calls for: an invitation to each recipient whose
/// turn it made, a reminder to each it reminded. Nothing when the server
/// sends no mail.
pub fn for_change(
    state: &AppState,
    before: &Envelope,
    after: &Envelope,
) -> AppResult<Vec<QueuedMessage>> {
    if state.settings().signing.mailer.is_none() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for r in &after.recipients {
        let old = before.recipient(&r.id);
        let kind = if r.notified_at.is_some() && old.and_then(|o| o.notified_at) != r.notified_at {
            MessageKind::Invitation
        } else if r.last_reminded_at.is_some()
            && old.and_then(|o| o.last_reminded_at) != r.last_reminded_at
        {
            MessageKind::Reminder
        } else {
            continue;
        };
        if r.email.is_none() {
            continue;
        }
        out.push(QueuedMessage {
            id: ids::new_id("msg", after.updated_at)?,
            channel: Channel::Email,
            kind,
            envelope_id: after.id.clone(),
            recipient_id: r.id.clone(),
            round: after.round,
            nonce: None,
        });
    }
    Ok(out)
}

/// A code by SMS for `recipient_id`, derived from `nonce`.
pub fn code_message(e: &Envelope, recipient_id: &str, nonce: &str) -> AppResult<QueuedMessage> {
    Ok(QueuedMessage {
        id: ids::new_id("msg", e.updated_at)?,
        channel: Channel::Sms,
        kind: MessageKind::Code,
        envelope_id: e.id.clone(),
        recipient_id: recipient_id.to_owned(),
        round: e.round,
        nonce: Some(nonce.to_owned()),
    })
}

/// Sends queued mail and SMS.
#[derive(Debug, Clone)]
pub struct Messenger {
    state: AppState,
    config: MessageConfig,
}

impl Messenger {
    /// A worker for the application's outbox.
    pub fn new(state: AppState, config: MessageConfig) -> Self {
        Self { state, config }
    }

    /// Sends until `shutdown` turns true; a message under way is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let wake = self.state.message_signal();
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.run_once().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "message round failed"),
            }
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = wake.notified() => {
                    // Rows queued by a burst of requests are claimed together:
                    // one claim for many rather than one per commit.
                    tokio::select! {
                        _ = shutdown.changed() => {}
                        _ = tokio::time::sleep(self.config.coalesce) => {}
                    }
                }
                _ = tokio::time::sleep(self.config.poll_interval) => {}
            }
        }
        tracing::info!("message worker stopped");
    }

    /// Claims the due messages, sends them and records the outcomes;
    /// returns how many were claimed.
    pub async fn run_once(&self) -> AppResult<usize> {
        let now = ids::now();
        let lease =
            chrono::Duration::from_std(self.config.lease).unwrap_or(chrono::Duration::minutes(2));
        let store = self.state.store();
        let jobs = store.claim_messages(now, now + lease, BATCH).await?;
        let count = jobs.len();
        for job in jobs {
            let outcome = match self.send(&job).await {
                Ok(None) => MessageOutcome::Sent,
                Ok(Some(reason)) => MessageOutcome::Skipped(reason),
                Err(err) => {
                    let attempt = job.attempts + 1;
                    let error = err.to_string();
                    if attempt >= self.config.max_attempts {
                        MessageOutcome::Failed(error)
                    } else {
                        let wait = chrono::Duration::from_std(self.config.backoff(attempt))
                            .unwrap_or(chrono::Duration::hours(1));
                        MessageOutcome::RetryAt(Utc::now() + wait, error)
                    }
                }
            };
            tracing::info!(
                message = %job.message.id, envelope = %job.message.envelope_id,
                recipient = %job.message.recipient_id, channel = job.message.channel.as_str(),
                kind = job.message.kind.as_str(), attempt = job.attempts + 1, outcome = ?outcome,
                "message attempt"
            );
            store.record_message(&job, &outcome, ids::now()).await?;
        }
        Ok(count)
    }

    /// Sends one message: `Ok(Some(reason))` when it is skipped.
    async fn send(&self, job: &MessageJob) -> Result<Option<String>, AppError> {
        let m = &job.message;
        let signing = &self.state.settings().signing;
        let Some(record) = self.state.store().envelope_by_id(&m.envelope_id).await? else {
            return Ok(Some("the envelope was deleted".to_owned()));
        };
        let e = &record.envelope;
        if e.round != m.round {
            return Ok(Some("a later round replaced this link".to_owned()));
        }
        if matches!(
            e.status,
            EnvelopeStatus::Declined | EnvelopeStatus::Voided | EnvelopeStatus::Expired
        ) {
            return Ok(Some(format!("the envelope is {}", e.status.as_str())));
        }
        let Some(recipient) = e.recipient(&m.recipient_id) else {
            return Ok(Some("the recipient is gone".to_owned()));
        };
        match m.channel {
            Channel::Email => {
                let Some(mailer) = &signing.mailer else {
                    return Ok(Some("this server sends no mail".to_owned()));
                };
                let kind = match m.kind {
                    MessageKind::Reminder => Kind::Reminder,
                    _ => Kind::Invitation,
                };
                let token = links::token(&signing.link_secret, &e.id, &recipient.id, e.round);
                let url = links::url(&self.state.settings().public_url, &token);
                mailer
                    .send_link(job.tenant.livemode, e, recipient, &url, kind)
                    .await?;
            }
            Channel::Sms => {
                let Some(nonce) = m.nonce.as_deref() else {
                    return Ok(Some("a code message without its nonce".to_owned()));
                };
                let Some(to) = recipient.phone.clone() else {
                    return Ok(Some("the recipient has no phone number".to_owned()));
                };
                let code = sms::derive_code(&signing.link_secret, &e.id, &recipient.id, nonce);
                let hash = sms::code_sha256(&e.id, &recipient.id, &code);
                let settings = EnvelopeSettings::from_value(&record.extra);
                let current = settings.pending_codes.iter().any(|c| {
                    c.recipient_id == recipient.id
                        && c.code_sha256 == hash
                        && c.expires_at > Utc::now()
                });
                if !current {
                    return Ok(Some("the code was used, replaced or expired".to_owned()));
                }
                signing
                    .sms
                    .send(&Sms {
                        body: sms::code_text(&e.locale, &code, &e.subject),
                        to,
                        envelope_id: e.id.clone(),
                        recipient_id: recipient.id.clone(),
                    })
                    .await?;
            }
        }
        Ok(None)
    }
}
