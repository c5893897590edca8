//! The delivery worker: claims due outbox rows, sends each one signed, and
//! records the attempt.
//!
//! At least once: a row leaves the outbox only when a 2xx answer was
//! recorded, so a crash between sending and recording sends it again after
//! the claim's lease runs out; receivers deduplicate on `webhook-id`, which
//! stays the same on every attempt (Standard Webhooks §"Webhook metadata").
//! Each attempt is signed afresh, with its own `webhook-timestamp`.
//!
//! Failures are retried with exponential back-off: by default 6 attempts,
//! waiting 40 s × 5ⁿ (±10 %) between them, which spreads them over about
//! 8 h 40 min. `Retry-After` from a 429 or 503 is honoured when longer. A
//! 410 Gone disables the endpoint. Redirects count as failures and are not
//! followed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use paraph::webhook::{WebhookHeaders, WebhookSecret, sign_hex};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, RETRY_AFTER, USER_AGENT};
use tokio::sync::{Notify, watch};

use super::guard::UrlGuard;
use crate::error::AppError;
use crate::ids;
use crate::store::{AttemptOutcome, DeliveryJob, NextStep, Store};

/// Longest wait a `Retry-After` may impose.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Deliveries sent at once per poll.
const BATCH: u32 = 16;

/// Default wait between a wake-up and the claim, in milliseconds.
pub const DEFAULT_COALESCE_MS: u64 = 50;

/// How deliveries are made and retried.
#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    /// Attempts before giving up, the first included.
    pub max_attempts: u32,
    /// Wait after the first failure.
    pub backoff_base: Duration,
    /// Each later wait is this many times the previous one.
    pub backoff_factor: u32,
    /// Timeout of one attempt.
    pub timeout: Duration,
    /// How often the outbox is polled when nothing wakes the worker.
    pub poll_interval: Duration,
    /// How long the worker waits after being woken before it claims, so
    /// that one claim takes the rows of many requests under load.
    pub coalesce: Duration,
    /// Extra headers that carry the hex HMAC of the body (besides
    /// `X-Paraph-Signature`), e.g. `X-Certyneo-Signature`.
    pub hex_signature_headers: Vec<String>,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            backoff_base: Duration::from_secs(40),
            backoff_factor: 5,
            timeout: Duration::from_secs(15),
            poll_interval: Duration::from_secs(1),
            coalesce: Duration::from_millis(DEFAULT_COALESCE_MS),
            hex_signature_headers: vec!["X-Certyneo-Signature".to_owned()],
        }
    }
}

impl DeliveryConfig {
    /// The wait after failed attempt number `attempt` (from 1), before jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = u64::from(self.backoff_factor.max(1))
            .checked_pow(attempt.saturating_sub(1))
            .unwrap_or(u64::MAX);
        let secs = self.backoff_base.as_secs_f64() * factor as f64;
        Duration::from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64()))
    }
}

/// The header carrying the hex HMAC of the body.
pub const HEX_SIGNATURE_HEADER: &str = "X-Paraph-Signature";

/// Sends queued webhooks.
#[derive(Debug, Clone)]
pub struct Deliverer {
    store: Arc<dyn Store>,
    client: reqwest::Client,
    guard: UrlGuard,
    config: DeliveryConfig,
    wake: Arc<Notify>,
}

impl Deliverer {
    /// A worker on `store`, reaching only what `guard` allows; `wake` is
    /// notified when new rows are queued.
    pub fn new(
        store: Arc<dyn Store>,
        guard: UrlGuard,
        config: DeliveryConfig,
        wake: Arc<Notify>,
    ) -> Result<Self, AppError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(guard.resolver())
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| AppError::internal(paraph::ErrorCode::Internal, e))?;
        Ok(Self {
            store,
            client,
            guard,
            config,
            wake,
        })
    }

    /// Delivers until `shutdown` turns true; an attempt under way is finished first.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                break;
            }
            match self.run_once().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %err, "webhook delivery round failed"),
            }
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = self.wake.notified() => {
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
        tracing::info!("webhook worker stopped");
    }

    /// Claims the due deliveries, sends them concurrently and records the
    /// outcomes; returns how many were attempted.
    pub async fn run_once(&self) -> Result<usize, AppError> {
        let now = ids::now();
        let lease = chrono::Duration::from_std(self.config.timeout * 2 + Duration::from_secs(30))
            .unwrap_or(chrono::Duration::minutes(1));
        let jobs = self.store.claim_deliveries(now, now + lease, BATCH).await?;
        let count = jobs.len();
        let attempts = jobs.into_iter().map(|job| async move {
            let outcome = self.attempt(&job).await;
            tracing::info!(
                delivery = %job.id, webhook = %job.webhook_id, event = %job.event_type,
                attempt = job.attempts + 1, status = ?outcome.status_code, error = ?outcome.error,
                "webhook attempt"
            );
            if let Err(err) = self.store.record_attempt(&job, &outcome).await {
                tracing::error!(delivery = %job.id, error = %err, "could not record a webhook attempt");
            }
        });
        futures::future::join_all(attempts).await;
        Ok(count)
    }

    fn headers(&self, job: &DeliveryJob, now: DateTime<Utc>) -> Result<HeaderMap, String> {
        let secret = WebhookSecret::parse(&job.secret).map_err(|e| e.to_string())?;
        let body = job.payload.as_bytes();
        let signed = WebhookHeaders::sign(&[secret], &job.message_id, now.timestamp(), body)
            .map_err(|e| e.to_string())?;
        // The hex scheme keys the HMAC with the secret exactly as shown to
        // its owner (`whsec_…`), as receivers written for it do.
        let hex = sign_hex(job.secret.as_bytes(), body).map_err(|e| e.to_string())?;
        let mut headers = HeaderMap::new();
        let mut put = |name: &str, value: &str| -> Result<(), String> {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|e| e.to_string())?;
            let value = HeaderValue::from_str(value).map_err(|e| e.to_string())?;
            headers.insert(name, value);
            Ok(())
        };
        for (name, value) in signed.to_pairs() {
            put(name, &value)?;
        }
        put(HEX_SIGNATURE_HEADER, &hex)?;
        for name in &self.config.hex_signature_headers {
            put(name, &hex)?;
        }
        put(CONTENT_TYPE.as_str(), "application/json")?;
        put(
            USER_AGENT.as_str(),
            concat!("paraph-server/", env!("CARGO_PKG_VERSION")),
        )?;
        Ok(headers)
    }

    /// One attempt: never an error, always an outcome to record.
    async fn attempt(&self, job: &DeliveryJob) -> AttemptOutcome {
        let now = ids::now();
        let started = Instant::now();
        let attempt = job.attempts + 1;
        let finish =
            |status_code: Option<u16>, error: Option<String>, next: NextStep| AttemptOutcome {
                attempted_at: now,
                status_code,
                error,
                duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                next,
            };
        if let Err(err) = self.guard.check_syntax(&job.url) {
            return finish(None, Some(err.message().to_owned()), NextStep::GiveUp);
        }
        let headers = match self.headers(job, now) {
            Ok(headers) => headers,
            Err(err) => return finish(None, Some(format!("cannot sign: {err}")), NextStep::GiveUp),
        };
        let result = self
            .client
            .post(&job.url)
            .headers(headers)
            .body(job.payload.clone())
            .send()
            .await;
        match result {
            Ok(response) => {
                let status = response.status();
                let code = Some(status.as_u16());
                if status.is_success() {
                    return finish(code, None, NextStep::Delivered);
                }
                if status == reqwest::StatusCode::GONE {
                    return finish(
                        code,
                        Some("410 Gone: endpoint disabled".to_owned()),
                        NextStep::DisableEndpoint(format!(
                            "the receiver answered 410 Gone at {}",
                            ids::time_text(now)
                        )),
                    );
                }
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                let error = if status.is_redirection() {
                    format!("{status}: redirects are not followed")
                } else {
                    format!("{status}")
                };
                finish(
                    code,
                    Some(error),
                    self.next_after_failure(attempt, now, retry_after),
                )
            }
            Err(err) => {
                let error = if err.is_timeout() {
                    "timed out".to_owned()
                } else if err.is_connect() {
                    format!("connection failed: {}", error_chain(&err))
                } else {
                    error_chain(&err)
                };
                finish(
                    None,
                    Some(error),
                    self.next_after_failure(attempt, now, None),
                )
            }
        }
    }

    fn next_after_failure(
        &self,
        attempt: u32,
        now: DateTime<Utc>,
        retry_after: Option<Duration>,
    ) -> NextStep {
        if attempt >= self.config.max_attempts {
            return NextStep::GiveUp;
        }
        let backoff = jitter(self.config.backoff(attempt));
        let wait = retry_after
            .map(|r| r.min(MAX_RETRY_AFTER))
            .map_or(backoff, |r| r.max(backoff));
        let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::hours(24));
        NextStep::RetryAt(ids::truncate_millis(now + wait))
    }
}

/// ±10 % of random spread, so that endpoints failing together do not retry together.
fn jitter(d: Duration) -> Duration {
    let mut byte = [0u8; 1];
    if ids::fill_random(&mut byte).is_err() {
        return d;
    }
    let factor = 0.9 + f64::from(byte[0]) / 255.0 * 0.2;
    d.mul_f64(factor)
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_spreads_six_attempts_over_about_nine_hours() {
        let config = DeliveryConfig::default();
        let waits: Vec<u64> = (1..config.max_attempts)
            .map(|n| config.backoff(n).as_secs())
            .collect();
        assert_eq!(waits, [40, 200, 1000, 5000, 25000]);
        let total: u64 = waits.iter().sum();
        assert!((8 * 3600..10 * 3600).contains(&total), "{total} s");
    }

    #[test]
    fn jitter_stays_within_ten_percent() {
        for _ in 0..100 {
            let d = jitter(Duration::from_secs(100)).as_secs_f64();
            assert!((90.0..=110.0).contains(&d), "{d}");
        }
    }
}
