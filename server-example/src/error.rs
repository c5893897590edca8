//! The one error type of the server, and the JSON body every error answers
//! with: `{ "error": "<message>", "code": "<STABLE_CODE>" }`.
//!
//! The HTTP status comes from the core's table
//! ([`paraph::ErrorCode::http_status`], exported to
//! `fixtures/vectors/error_codes.json`), so the server, the bindings and
//! their documentation agree on it. Server errors (5xx) never show their
//! cause: the client gets the code's generic description and the cause goes
//! to the log.

use std::fmt;

use axum::Json;
use axum::extract::multipart::MultipartError;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use paraph::ErrorCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for people.
    #[schema(example = "no envelope env_01JD… exists")]
    pub error: String,
    /// A stable, machine-readable code: branch on this, not on the message.
    #[schema(example = "RESOURCE_NOT_FOUND")]
    pub code: String,
}

/// A boxed error kept for the log.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error answered to the client.
pub struct AppError {
    code: ErrorCode,
    message: String,
    /// The cause of a server error, logged and never shown.
    cause: Option<BoxError>,
}

impl AppError {
    /// A client error with a message specific to this occurrence.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            cause: None,
        }
    }

    /// A server error: the client sees the code's description, the log the cause.
    pub fn internal(code: ErrorCode, cause: impl Into<BoxError>) -> Self {
        Self {
            code,
            message: code.description().to_owned(),
            cause: Some(cause.into()),
        }
    }

    /// `RESOURCE_NOT_FOUND` for a resource of `kind` and `id`. Also the
    /// answer for another account's resources: an id that exists elsewhere
    /// must look exactly like one that does not (no 403 oracle).
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::new(
            ErrorCode::ResourceNotFound,
            format!("no {kind} {id} exists"),
        )
    }

    /// `INVALID_ARGUMENT` with a message.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message the client sees.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status of the code.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The body the client receives.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: self.message.clone(),
            code: self.code.name().to_owned(),
        }
    }
}

impl fmt::Debug for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("AppError");
        s.field("code", &self.code.name())
            .field("message", &self.message);
        if let Some(cause) = &self.cause {
            s.field("cause", &cause.to_string());
        }
        s.finish()
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)?;
        if let Some(cause) = &self.cause {
            write!(f, " ({cause})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(code = self.code.name(), error = %self, "request failed");
        }
        let mut response = (status, Json(self.body())).into_response();
        // The idempotency layer reads the code to tell retryable failures.
        response.extensions_mut().insert(self.code);
        response
    }
}

impl From<paraph::Error> for AppError {
    fn from(err: paraph::Error) -> Self {
        let code = err.code();
        if code.http_status() >= 500 {
            Self::internal(code, err)
        } else {
            Self::new(code, err.message())
        }
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        let code = match &err {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                ErrorCode::StorageUnavailable
            }
            sqlx::Error::Database(db) if is_busy(db.as_ref()) => ErrorCode::StorageUnavailable,
            _ => ErrorCode::Internal,
        };
        Self::internal(code, err)
    }
}

/// SQLite's "database is locked" (`SQLITE_BUSY`, 5) once the busy timeout
/// ran out: the store is overloaded, not broken.
pub(crate) fn is_busy(err: &dyn sqlx::error::DatabaseError) -> bool {
    matches!(err.code().as_deref(), Some("5") | Some("517") | Some("261"))
}

impl From<object_store::Error> for AppError {
    fn from(err: object_store::Error) -> Self {
        Self::internal(ErrorCode::StorageUnavailable, err)
    }
}

impl From<JsonRejection> for AppError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::MissingJsonContentType(_) => Self::new(
                ErrorCode::UnsupportedMediaType,
                "expected a request body with Content-Type: application/json",
            ),
            JsonRejection::BytesRejection(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(
                    ErrorCode::PayloadTooLarge,
                    "the request body is larger than the limit",
                )
            }
            JsonRejection::JsonSyntaxError(r) => Self::new(ErrorCode::MalformedJson, r.body_text()),
            JsonRejection::JsonDataError(r) => Self::new(ErrorCode::MalformedJson, r.body_text()),
            other => Self::new(ErrorCode::MalformedJson, other.body_text()),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(rejection: QueryRejection) -> Self {
        Self::invalid(rejection.body_text())
    }
}

impl From<PathRejection> for AppError {
    fn from(rejection: PathRejection) -> Self {
        Self::invalid(rejection.body_text())
    }
}

impl From<MultipartError> for AppError {
    fn from(err: MultipartError) -> Self {
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::new(
                ErrorCode::PayloadTooLarge,
                "the request body is larger than the limit",
            )
        } else {
            Self::new(ErrorCode::InvalidArgument, err.body_text())
        }
    }
}

/// The result of a handler.
pub type AppResult<T> = Result<T, AppError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_comes_from_the_core_table() {
        let err = AppError::new(ErrorCode::InsufficientScope, "needs webhooks:write");
        assert_eq!(err.status(), StatusCode::FORBIDDEN);
        let err = AppError::from(paraph::Error::new(ErrorCode::EnvelopeNotDraft, "sent"));
        assert_eq!(err.status(), StatusCode::CONFLICT);
        assert_eq!(err.body().code, "ENVELOPE_NOT_DRAFT");
        assert_eq!(err.body().error, "sent");
    }

    #[test]
    fn server_errors_hide_their_cause() {
        let err = AppError::from(paraph::Error::new(
            ErrorCode::Internal,
            "secret path /var/lib/x",
        ));
        assert_eq!(err.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!err.body().error.contains("/var/lib"));
        assert_eq!(err.body().error, ErrorCode::Internal.description());
    }
}
