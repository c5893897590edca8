//! `Idempotency-Key` on every POST: the same key with the same request
//! answers the stored response (with `Idempotent-Replayed: true`); the same
//! key with another request answers 422 `IDEMPOTENCY_KEY_REUSED`; while the
//! first request runs, a second one answers 409 `CONCURRENT_MODIFICATION`.
//!
//! Keys are per account and mode and kept for 24 hours. A request is the
//! same when its method, path (`/v1/…` and `/api/v1/…` are one), query and
//! body are: for multipart bodies, the parts (names, file names, types and
//! bytes), not the random boundary, so that a client re-sending the same
//! upload is recognised. Responses of 5xx and `CONCURRENT_MODIFICATION` are
//! not stored: the request may be retried with the same key.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use paraph::ErrorCode;
use sha2::{Digest, Sha256};

use crate::auth::Principal;
use crate::error::AppError;
use crate::ids;
use crate::state::AppState;
use crate::store::{IdempotencyBegin, StoredResponse};

/// Top-level fields of a response that must not be kept for replay: a
/// handler puts this in the response's extensions. An API key is stored
/// only as its hash, so a replayed key creation answers `"key": null`.
#[derive(Debug, Clone, Copy)]
pub struct RedactOnReplay(pub &'static [&'static str]);

/// The request header.
pub const HEADER: &str = "idempotency-key";
/// Set on a replayed response.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;
/// How long keys are kept.
pub const RETENTION: chrono::Duration = chrono::Duration::hours(24);
/// Largest response stored for replay.
const MAX_STORED_RESPONSE: usize = 4 * 1024 * 1024;

/// The middleware (mounted inside the authentication layer).
pub async fn idempotency(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let Some(key) = request.headers().get(HEADER) else {
        return next.run(request).await;
    };
    let key = match key.to_str() {
        Ok(k)
            if !k.is_empty()
                && k.len() <= MAX_KEY_LEN
                && k.bytes().all(|b| (0x21..0x7f).contains(&b)) =>
        {
            k.to_owned()
        }
        _ => {
            return AppError::invalid(format!(
                "Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"
            ))
            .into_response();
        }
    };
    let Some(principal) = request.extensions().get::<Principal>().cloned() else {
        return next.run(request).await;
    };
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, state.settings().max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return AppError::new(
                ErrorCode::PayloadTooLarge,
                "the request body is larger than the limit",
            )
            .into_response();
        }
    };
    let fingerprint = fingerprint(&parts, &bytes).await;
    let tenant = &principal.tenant;
    match state
        .store()
        .idempotency_begin(tenant, &key, &fingerprint, ids::now())
        .await
    {
        Err(err) => err.into_response(),
        Ok(IdempotencyBegin::Mismatch) => AppError::new(
            ErrorCode::IdempotencyKeyReused,
            "this Idempotency-Key was used for another request",
        )
        .into_response(),
        Ok(IdempotencyBegin::InProgress) => AppError::new(
            ErrorCode::ConcurrentModification,
            "a request with this Idempotency-Key is still being processed",
        )
        .into_response(),
        Ok(IdempotencyBegin::Replay(stored)) => replay(stored),
        Ok(IdempotencyBegin::Proceed) => {
            let response = next
                .run(Request::from_parts(parts, Body::from(bytes)))
                .await;
            let status = response.status();
            let retryable = status.is_server_error()
                || status == StatusCode::TOO_MANY_REQUESTS
                || response
                    .extensions()
                    .get::<ErrorCode>()
                    .is_some_and(|c| *c == ErrorCode::ConcurrentModification);
            let redact = response.extensions().get::<RedactOnReplay>().copied();
            let (head, body) = response.into_parts();
            let body = match to_bytes(body, MAX_STORED_RESPONSE).await {
                Ok(body) => body,
                Err(err) => {
                    let _ = state.store().idempotency_abort(tenant, &key).await;
                    return AppError::internal(ErrorCode::Internal, err).into_response();
                }
            };
            let stored = if retryable {
                state.store().idempotency_abort(tenant, &key).await
            } else {
                state
                    .store()
                    .idempotency_complete(
                        tenant,
                        &key,
                        &StoredResponse {
                            status: status.as_u16(),
                            body: redacted(&body, redact),
                        },
                    )
                    .await
            };
            if let Err(err) = stored {
                tracing::error!(error = %err, "could not store an idempotent response");
            }
            Response::from_parts(head, Body::from(body))
        }
    }
}

/// The body to keep, without the fields named by `redact`.
fn redacted(body: &[u8], redact: Option<RedactOnReplay>) -> String {
    if let Some(RedactOnReplay(fields)) = redact
        && let Ok(serde_json::Value::Object(mut object)) = serde_json::from_slice(body)
    {
        for field in fields {
            if let Some(value) = object.get_mut(*field) {
                *value = serde_json::Value::Null;
            }
        }
        return serde_json::Value::Object(object).to_string();
    }
    String::from_utf8_lossy(body).into_owned()
}

fn replay(stored: StoredResponse) -> Response {
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
    let mut response = (status, stored.body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(REPLAYED_HEADER, HeaderValue::from_static("true"));
    response
}

/// SHA-256 over what makes two requests the same.
async fn fingerprint(parts: &axum::http::request::Parts, body: &Bytes) -> String {
    let mut hash = Sha256::new();
    let path = parts.uri.path();
    let path = path.strip_prefix("/api").unwrap_or(path);
    hash.update(parts.method.as_str());
    hash.update(b" ");
    hash.update(path);
    hash.update(b"?");
    hash.update(parts.uri.query().unwrap_or_default());
    hash.update(b"\n");
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match multer::parse_boundary(content_type) {
        Ok(boundary) => match multipart_digest(boundary, body.clone()).await {
            Some(digest) => {
                hash.update(b"multipart\n");
                hash.update(digest);
            }
            None => hash.update(body),
        },
        Err(_) => {
            hash.update(content_type.split(';').next().unwrap_or_default().trim());
            hash.update(b"\n");
            hash.update(body);
        }
    }
    hex::encode(hash.finalize())
}

/// A digest of the parts of a multipart body, or `None` if it does not parse.
async fn multipart_digest(boundary: String, body: Bytes) -> Option<Vec<u8>> {
    let stream = futures::stream::once(async move { Ok::<Bytes, std::io::Error>(body) });
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut hash = Sha256::new();
    while let Some(field) = multipart.next_field().await.ok()? {
        for text in [
            field.name().unwrap_or_default().to_owned(),
            field.file_name().unwrap_or_default().to_owned(),
            field
                .content_type()
                .map(|m| m.to_string())
                .unwrap_or_default(),
        ] {
            hash.update((text.len() as u64).to_be_bytes());
            hash.update(text.as_bytes());
        }
        let data = field.bytes().await.ok()?;
        hash.update((data.len() as u64).to_be_bytes());
        hash.update(&data);
    }
    Some(hash.finalize().to_vec())
}
