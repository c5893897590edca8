//! Per-key rate limits with `governor` (GCRA, equivalent to a token
//! bucket): by default a bucket of 200 requests refilled at 100 per minute,
//! which is how "100 requests per minute per key, bursts up to 200" reads
//! without contradicting itself.
//!
//! Every authenticated response carries the IETF RateLimit fields
//! (draft-ietf-httpapi-ratelimit-headers):
//! `RateLimit-Policy: "default";q=<bucket>;w=<seconds to refill it>` and
//! `RateLimit: "default";r=<requests left>;t=<seconds until more>`. Over
//! the limit the answer is 429 `RATE_LIMITED` with `Retry-After` in whole
//! seconds, at least 1 and never before `t`. Failed authentications are
//! limited per client address with the same bucket, so that key guessing
//! cannot go around the per-key limit.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use paraph::ErrorCode;

use crate::error::AppError;

type KeyedLimiter<K> =
    RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock, StateInformationMiddleware>;

/// The bucket: its size and how fast it refills.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitConfig {
    /// Requests a full bucket allows at once.
    pub burst: u32,
    /// Requests added back per minute.
    pub per_minute: u32,
}

impl Default for RateLimitConfig {
    fn default() -> Self {
        Self {
            burst: 200,
            per_minute: 100,
        }
    }
}

/// What the limiter decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Go ahead; `remaining` requests are left in the bucket.
    Allowed {
        /// Requests left.
        remaining: u32,
    },
    /// Over the limit: retry after this long.
    Limited {
        /// Until a request is allowed again.
        retry_after: Duration,
    },
}

/// The per-key and per-address limiters.
pub struct RateLimits {
    config: RateLimitConfig,
    period: Duration,
    keys: KeyedLimiter<String>,
    failures: KeyedLimiter<IpAddr>,
    clock: DefaultClock,
}

impl std::fmt::Debug for RateLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimits")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl RateLimits {
    /// Limiters for a configuration; `INVALID_ARGUMENT` for a zero bucket or rate.
    pub fn new(config: RateLimitConfig) -> Result<Self, AppError> {
        let burst = NonZeroU32::new(config.burst).ok_or_else(|| {
            AppError::invalid("the rate-limit bucket must hold at least 1 request")
        })?;
        let per_minute = NonZeroU32::new(config.per_minute).ok_or_else(|| {
            AppError::invalid("the rate-limit refill must be at least 1 per minute")
        })?;
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        let period = quota.replenish_interval();
        Ok(Self {
            config,
            period,
            keys: RateLimiter::dashmap(quota).with_middleware::<StateInformationMiddleware>(),
            failures: RateLimiter::dashmap(quota).with_middleware::<StateInformationMiddleware>(),
            clock: DefaultClock::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> RateLimitConfig {
        self.config
    }

    fn decide<K: Clone + std::hash::Hash + Eq>(
        &self,
        limiter: &KeyedLimiter<K>,
        key: &K,
    ) -> Decision {
        match limiter.check_key(key) {
            Ok(snapshot) => Decision::Allowed {
                remaining: snapshot.remaining_burst_capacity(),
            },
            Err(not_until) => Decision::Limited {
                retry_after: not_until.wait_time_from(self.clock.now()),
            },
        }
    }

    /// Takes one request from the key's bucket.
    pub fn check_key(&self, key_id: &str) -> Decision {
        self.decide(&self.keys, &key_id.to_owned())
    }

    /// Takes one failed authentication from the address's bucket.
    pub fn check_failure(&self, ip: Option<IpAddr>) -> Decision {
        match ip {
            Some(ip) => self.decide(&self.failures, &ip),
            None => Decision::Allowed {
                remaining: self.config.burst,
            },
        }
    }

    /// Forgets buckets that are full again, so that memory stays bounded.
    pub fn shrink(&self) {
        self.keys.retain_recent();
        self.failures.retain_recent();
        self.keys.shrink_to_fit();
        self.failures.shrink_to_fit();
    }

    fn refill_seconds(&self) -> u64 {
        ceil_seconds(self.period * self.config.burst)
    }

    /// Adds the RateLimit fields for a decision.
    pub fn add_headers(&self, headers: &mut HeaderMap, decision: &Decision) {
        let (remaining, reset) = match *decision {
            Decision::Allowed { remaining } if remaining >= self.config.burst => (remaining, 0),
            Decision::Allowed { remaining } => (remaining, ceil_seconds(self.period)),
            Decision::Limited { retry_after } => (0, retry_seconds(retry_after)),
        };
        let policy = format!(
            "\"default\";q={};w={}",
            self.config.burst,
            self.refill_seconds()
        );
        let current = format!("\"default\";r={remaining};t={reset}");
        if let Ok(value) = HeaderValue::from_str(&policy) {
            headers.insert("ratelimit-policy", value);
        }
        if let Ok(value) = HeaderValue::from_str(&current) {
            headers.insert("ratelimit", value);
        }
    }

    /// The 429 answer: `RATE_LIMITED`, `Retry-After` and the RateLimit fields.
    pub fn limited_response(&self, decision: Option<Decision>) -> Response {
        let retry_after = match decision {
            Some(Decision::Limited { retry_after }) => retry_after,
            _ => self.period,
        };
        let seconds = retry_seconds(retry_after);
        let mut response = AppError::new(
            ErrorCode::RateLimited,
            format!("too many requests; retry in {seconds} s"),
        )
        .into_response();
        let headers = response.headers_mut();
        self.add_headers(headers, &Decision::Limited { retry_after });
        headers.insert(axum::http::header::RETRY_AFTER, HeaderValue::from(seconds));
        response
    }
}

fn ceil_seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// Whole seconds to wait, at least 1.
fn retry_seconds(d: Duration) -> u64 {
    ceil_seconds(d).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_limits() {
        let limits = RateLimits::new(RateLimitConfig {
            burst: 3,
            per_minute: 1,
        })
        .unwrap();
        for left in [2, 1, 0] {
            assert_eq!(limits.check_key("k"), Decision::Allowed { remaining: left });
        }
        let Decision::Limited { retry_after } = limits.check_key("k") else {
            panic!("the fourth request is over the limit");
        };
        assert!(retry_after > Duration::from_secs(50), "{retry_after:?}");
        // Another key has its own bucket.
        assert_eq!(
            limits.check_key("other"),
            Decision::Allowed { remaining: 2 }
        );
    }

    #[test]
    fn limited_responses_carry_retry_after_and_ratelimit_fields() {
        let limits = RateLimits::new(RateLimitConfig {
            burst: 1,
            per_minute: 120,
        })
        .unwrap();
        let response = limits.limited_response(Some(Decision::Limited {
            retry_after: Duration::from_millis(200),
        }));
        assert_eq!(response.status(), 429);
        let headers = response.headers();
        assert_eq!(headers["retry-after"], "1");
        assert_eq!(headers["ratelimit"], "\"default\";r=0;t=1");
        assert_eq!(headers["ratelimit-policy"], "\"default\";q=1;w=1");
    }

    #[test]
    fn zero_limits_are_refused() {
        assert!(
            RateLimits::new(RateLimitConfig {
                burst: 0,
                per_minute: 1
            })
            .is_err()
        );
        assert!(
            RateLimits::new(RateLimitConfig {
                burst: 1,
                per_minute: 0
            })
            .is_err()
        );
    }
}
