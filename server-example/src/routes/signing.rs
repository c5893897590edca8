//! `/sign/{token}`: the recipients' endpoints, behind the hosted signing
//! page. The token of the recipient's link authenticates (no API key):
//! view the envelope and the recipient's fields, fetch a document as it
//! stands, pass a code sent by SMS, consent, sign, approve or decline.
//!
//! The JSON shapes here are this server's own design (the public API this
//! server reproduces documents only the link, not the page behind it).

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use paraph::envelope::{EnvelopeStatus, SignatureMark};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath};
use crate::envelopes::settings::EnvelopeSettings;
use crate::error::{AppError, AppResult};
use crate::signing::flow::{self, Action, Client, Holder};
use crate::signing::{CONSENT_TEXT, CONSENT_VERSION};
use crate::state::AppState;
use crate::store::EnvelopeRecord;
use crate::views::{FieldView, field_view, level_name, role_name};

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(view))
        .routes(routes!(document))
        .routes(routes!(request_code))
        .routes(routes!(authenticate))
        .routes(routes!(consent))
        .routes(routes!(sign))
        .routes(routes!(approve))
        .routes(routes!(decline))
}

impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Client {
            ip: parts
                .extensions
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip().to_string()),
            user_agent: parts
                .headers
                .get(axum::http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.chars().take(512).collect()),
        })
    }
}

/// The recipient holding the link.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SigningRecipient {
    /// `rcp_…`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// SIGNER, APPROVER, CARBON_COPY or VIEWER.
    pub role: String,
    /// PENDING, NOTIFIED, VIEWED, SIGNED, APPROVED or DECLINED.
    pub status: String,
    /// EMAIL_LINK, SMS_CODE or ACCESS_CODE.
    pub authentication: String,
    /// Whether a code must still be passed before acting.
    pub needs_code: bool,
    /// Whether they have consented to sign electronically.
    pub consented: bool,
    /// Whether it is their turn.
    pub active: bool,
    /// Locked out after too many wrong codes.
    pub locked: bool,
    /// The phone a code goes to, masked (`+33•••••78`).
    pub phone_hint: Option<String>,
}

/// The consent text a recipient accepts.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConsentView {
    /// Its version label.
    pub version: String,
    /// Its text.
    pub text: String,
}

/// A document as the recipient sees it now.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SigningDocument {
    /// `doc_…`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Number of pages.
    pub pages: u32,
    /// SHA-256 of the version served.
    pub sha256: String,
    /// Where to fetch it (under the same link).
    pub url: String,
}

/// What the signing page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SigningView {
    /// The envelope.
    pub envelope_id: String,
    /// Subject.
    pub subject: String,
    /// The sender's message.
    pub message: Option<String>,
    /// The envelope's status.
    pub status: String,
    /// SIMPLE, ADVANCED or QUALIFIED.
    pub signature_level: String,
    /// The envelope's language.
    pub locale: String,
    /// When it expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// Where to go after signing.
    pub redirect_url: Option<String>,
    /// The recipient.
    pub recipient: SigningRecipient,
    /// The consent to accept before signing.
    pub consent: ConsentView,
    /// The documents.
    pub documents: Vec<SigningDocument>,
    /// The recipient's fields.
    pub fields: Vec<FieldView>,
}

fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 5 {
        return "•".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 2..].iter().collect();
    format!("{head}{}{tail}", "•".repeat(chars.len() - 5))
}

fn signing_view(
    state: &AppState,
    record: &EnvelopeRecord,
    rid: &str,
    token: &str,
) -> AppResult<SigningView> {
    let e = &record.envelope;
    let r = e.recipient(rid).ok_or_else(|| {
        AppError::new(
            paraph::ErrorCode::TokenInvalid,
            "this signing link is not valid",
        )
    })?;
    let settings = EnvelopeSettings::from_value(&record.extra);
    // Behind a code, the documents and fields show once it is passed.
    let gated = crate::signing::code_pending(r);
    let base = format!(
        "{}/api/v1/sign/{token}",
        state.settings().public_url.trim_end_matches('/')
    );
    Ok(SigningView {
        envelope_id: e.id.clone(),
        subject: e.subject.clone(),
        message: e.message.clone(),
        status: e.status.as_str().to_owned(),
        signature_level: level_name(e.signature_level).to_owned(),
        locale: e.locale.clone(),
        expires_at: e.expires_at,
        redirect_url: settings.redirect_url,
        recipient: SigningRecipient {
            id: r.id.clone(),
            name: r.name.clone(),
            email: r.email.clone(),
            role: role_name(r.role).to_owned(),
            status: r.status.as_str().to_owned(),
            authentication: r.authentication.as_str().to_owned(),
            needs_code: gated,
            consented: r.consent.is_some(),
            active: r.status.is_active() && e.status == EnvelopeStatus::Sent,
            locked: r.locked_at.is_some(),
            phone_hint: r.phone.as_deref().map(mask_phone),
        },
        consent: ConsentView {
            version: CONSENT_VERSION.to_owned(),
            text: CONSENT_TEXT.to_owned(),
        },
        documents: e
            .documents
            .iter()
            .filter(|_| !gated)
            .map(|d| SigningDocument {
                id: d.id.clone(),
                name: d.name.clone(),
                pages: d.page_count,
                sha256: d.current_sha256().to_owned(),
                url: format!("{base}/documents/{}", d.id),
            })
            .collect(),
        fields: e
            .fields_of(rid)
            .filter(|_| !gated)
            .map(|f| field_view(f, e))
            .collect(),
    })
}

fn respond(state: &AppState, held: &Holder, token: &str) -> AppResult<AppJson<SigningView>> {
    Ok(AppJson(signing_view(
        state,
        &held.record,
        &held.recipient_id,
        token,
    )?))
}

/// View the envelope as its recipient
///
/// The first view during the recipient's turn is recorded (`recipient.viewed`).
#[utoipa::path(
    get,
    path = "/sign/{token}",
    tag = "signing",
    params(("token" = String, Path, description = "The token of the recipient's link")),
    responses((status = 200, description = "The envelope and the recipient's fields", body = SigningView)),
)]
pub async fn view(
    State(state): State<AppState>,
    client: Client,
    AppPath(token): AppPath<String>,
) -> AppResult<AppJson<SigningView>> {
    let held = flow::record_view(&state, &token, &client).await?;
    respond(&state, &held, &token)
}

/// Fetch a document as it stands
///
/// The prepared PDF, with the signatures made so far.
#[utoipa::path(
    get,
    path = "/sign/{token}/documents/{documentId}",
    tag = "signing",
    params(
        ("token" = String, Path, description = "The token of the recipient's link"),
        ("documentId" = String, Path, description = "The document"),
    ),
    responses((status = 200, description = "The PDF", content_type = "application/pdf", body = Vec<u8>)),
)]
pub async fn document(
    State(state): State<AppState>,
    AppPath((token, document_id)): AppPath<(String, String)>,
) -> AppResult<Response> {
    let held = flow::holder(&state, &token).await?;
    let e = &held.record.envelope;
    let document = e
        .document(&document_id)
        .ok_or_else(|| AppError::not_found("document", &document_id))?;
    if e.status == EnvelopeStatus::Draft {
        return Err(AppError::not_found("document", &document_id));
    }
    if e.recipient(&held.recipient_id)
        .is_some_and(crate::signing::code_pending)
    {
        return Err(AppError::new(
            paraph::ErrorCode::RecipientNotAuthenticated,
            "enter the code (sent by SMS, or given by the sender) before opening the documents",
        ));
    }
    let bytes = state
        .blobs()
        .get(&crate::signing::version_key(
            &held.record.tenant.account_id,
            &e.id,
            &document.id,
            document.current_sha256(),
        ))
        .await?;
    Ok(pdf_response(bytes, &document.name))
}

/// A PDF download.
pub fn pdf_response(bytes: bytes::Bytes, name: &str) -> Response {
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/pdf"));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(name)) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    response
}

/// `attachment; filename="…"` with a safe ASCII name.
pub fn content_disposition(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("attachment; filename=\"{}\"", safe.trim())
}

/// Send a code by SMS
#[utoipa::path(
    post,
    path = "/sign/{token}/authentication/request",
    tag = "signing",
    params(("token" = String, Path, description = "The token of the recipient's link")),
    responses((status = 202, description = "A code was sent to the recipient's phone")),
)]
pub async fn request_code(
    State(state): State<AppState>,
    client: Client,
    AppPath(token): AppPath<String>,
) -> AppResult<StatusCode> {
    flow::request_code(&state, &token, &client).await?;
    Ok(StatusCode::ACCEPTED)
}

/// A code to check (its `Debug` never shows it).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CodeRequest {
    /// The code received by SMS, or the access code the sender gave.
    #[schema(value_type = String)]
    pub code: crate::signing::access_code::AccessCode,
}

/// Pass the code sent by SMS, or the access code
///
/// By the recipient's method (`recipient.authentication` in the view):
/// `SMS_CODE`, the code sent by `authentication/request`; `ACCESS_CODE`,
/// the code the sender gave them out of band (an extension of this
/// server's own). Until it is passed, the view lists no document and no
/// field, the documents answer 403 `RECIPIENT_NOT_AUTHENTICATED`, and
/// signing is refused. A wrong or expired code answers 401
/// `TOKEN_INVALID`; after 5 wrong codes the recipient is locked out (403
/// `RECIPIENT_LOCKED`).
#[utoipa::path(
    post,
    path = "/sign/{token}/authentication",
    tag = "signing",
    params(("token" = String, Path, description = "The token of the recipient's link")),
    request_body = CodeRequest,
    responses((status = 200, description = "Authenticated", body = SigningView)),
)]
pub async fn authenticate(
    State(state): State<AppState>,
    client: Client,
    AppPath(token): AppPath<String>,
    AppJson(body): AppJson<CodeRequest>,
) -> AppResult<AppJson<SigningView>> {
    let record = flow::authenticate(&state, &token, body.code.expose(), &client).await?;
    held_view(&state, record, &token)
}

fn held_view(
    state: &AppState,
    record: EnvelopeRecord,
    token: &str,
) -> AppResult<AppJson<SigningView>> {
    let settings = EnvelopeSettings::from_value(&record.extra);
    let rid = crate::signing::links::find(&settings.signing_links, token)
        .map(|l| l.recipient_id.clone())
        .ok_or_else(|| {
            AppError::new(
                paraph::ErrorCode::TokenInvalid,
                "this signing link is not valid",
            )
        })?;
    Ok(AppJson(signing_view(state, &record, &rid, token)?))
}

/// Consent to sign electronically
///
/// To the text of `consent` in the view (its version and SHA-256 are
/// recorded).
#[utoipa::path(
    post,
    path = "/sign/{token}/consent",
    tag = "signing",
    params(("token" = String, Path, description = "The token of the recipient's link")),
    responses((status = 200, description = "Consent recorded", body = SigningView)),
)]
pub async fn consent(
    State(state): State<AppState>,
    client: Client,
    AppPath(token): AppPath<String>,
) -> AppResult<AppJson<SigningView>> {
    let record = flow::consent(&state, &token, &client).await?;
    held_view(&state, record, &token)
}

/// A field's value.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldValue {
    /// The field.
    pub field_id: String,
    /// Its value (`"true"`/`"false"` for a checkbox).
    pub value: String,
}

/// The recipient's mark.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarkRequest {
    /// `DRAWN` (with `png`) or `TYPED` (with `text`).
    #[serde(rename = "type")]
    pub kind: String,
    /// A PNG, base64 (a `data:image/png;base64,` prefix is allowed).
    pub png: Option<String>,
    /// The typed name.
    pub text: Option<String>,
}

/// What a recipient signs or approves with.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActRequest {
    /// Values of their fields.
    #[serde(default)]
    pub values: Vec<FieldValue>,
    /// Their mark (their name, typed, by default).
    pub signature: Option<MarkRequest>,
    /// Their initials (from their name by default).
    pub initials: Option<String>,
}

impl ActRequest {
    fn action(self) -> AppResult<Action> {
        let signature = match self.signature {
            None => None,
            Some(mark) => Some(match mark.kind.to_ascii_uppercase().as_str() {
                "DRAWN" => flow::drawn_mark(
                    mark.png
                        .as_deref()
                        .ok_or_else(|| AppError::invalid("a DRAWN signature needs png"))?,
                )?,
                "TYPED" => SignatureMark::Typed {
                    text: mark
                        .text
                        .filter(|t| !t.trim().is_empty())
                        .ok_or_else(|| AppError::invalid("a TYPED signature needs text"))?,
                },
                other => {
                    return Err(AppError::invalid(format!(
                        "signature.type {other} is not DRAWN or TYPED"
                    )));
                }
            }),
        };
        Ok(Action {
            values: self
                .values
                .into_iter()
                .map(|v| paraph::workflow::FieldInput {
                    field_id: v.field_id,
                    value: v.value,
                })
                .collect(),
            signature,
            initials: self.initials,
        })
    }
}

/// An optional JSON body: empty means the defaults.
fn optional_body<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> AppResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        AppError::new(
            paraph::ErrorCode::MalformedJson,
            format!("the body is not valid: {e}"),
        )
    })
}

/// Sign
///
/// Each of the signer's signature fields gets its own PAdES revision,
/// under a certificate issued for them by the platform CA. The last
/// signer's signature completes the envelope: the documents are
/// finalised and the audit trail sealed before `envelope.completed`.
#[utoipa::path(
    post,
    path = "/sign/{token}/sign",
    tag = "signing",
    params(("token" = String, Path, description = "The token of the recipient's link")),
    request_body(content = Option<ActRequest>, content_type = "application/json"),
    responses((status = 200, description = "Signed", body = SigningView)),
)]
pub async fn sign(
    State(state): State<AppState>,
    client: Client,
    AppPath(token): AppPath<String>,
    body: axum::body::Bytes,
) -> AppResult<AppJson<SigningView>> {
    let action = optional_body::<ActRequest>(&body)?.action()?;
    let record = flow::act(&state, &token, &action, false, &client).await?;
    held_view(&state, record, &token)
}

/// Approve (an APPROVER)
#[utoipa::path(
    post,
    path = "/sign/{token}/approve",
    tag = "signing",
    params(("token" = String, Path, description = "The token of the recipient's link")),
    request_body(content = Option<ActRequest>, content_type = "application/json"),
    responses((status = 200, description = "Approved", body = SigningView)),
)]
pub async fn approve(
    State(state): State<AppState>,
    client: Client,
    AppPath(token): AppPath<String>,
    body: axum::body::Bytes,
) -> AppResult<AppJson<SigningView>> {
    let action = optional_body::<ActRequest>(&body)?.action()?;
    let record = flow::act(&state, &token, &action, true, &client).await?;
    held_view(&state, record, &token)
}

/// Why a recipient declines.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DeclineRequest {
    /// The reason (required).
    pub reason: String,
}

/// Decline
///
/// The envelope is declined (`envelope.declined`, with the reason).
#[utoipa::path(
    post,
    path = "/sign/{token}/decline",
    tag = "signing",
    params(("token" = String, Path, description = "The token of the recipient's link")),
    request_body = DeclineRequest,
    responses((status = 200, description = "Declined", body = SigningView)),
)]
pub async fn decline(
    State(state): State<AppState>,
    client: Client,
    AppPath(token): AppPath<String>,
    AppJson(body): AppJson<DeclineRequest>,
) -> AppResult<AppJson<SigningView>> {
    let record = flow::decline(&state, &token, &body.reason, &client).await?;
    held_view(&state, record, &token)
}
