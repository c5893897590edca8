//! `/envelopes`: create, list, read, change, delete or void envelopes.
//!
//! Sending, the recipients' signing endpoints, the audit trail and the
//! signed document come with the core's signing workflow; no route answers
//! for them yet.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, ListQuery};
use crate::auth::{Principal, SCOPE_ENVELOPES_READ, SCOPE_ENVELOPES_WRITE};
use crate::envelopes::{self, Written, request::EnvelopeRequest};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::views::{EnvelopeView, List, Success};

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_envelope, list_envelopes))
        .routes(routes!(get_envelope, update_envelope, delete_envelope))
}

fn view(written: Written) -> EnvelopeView {
    let mut view = EnvelopeView::new(&written.record, written.documents);
    view.webhook_secret = written.webhook_secret;
    view
}

/// Create a draft envelope
///
/// Documents by `documentIds` (uploaded first) or inline `documents`
/// (`base64Pdf`); recipients as `recipients` or `signers`; fields at a
/// position or against anchor text.
#[utoipa::path(
    post,
    path = "/envelopes",
    tag = "envelopes",
    request_body = EnvelopeRequest,
    responses((status = 201, description = "The draft envelope", body = EnvelopeView)),
    security(("bearer" = [])),
)]
pub async fn create_envelope(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(request): AppJson<EnvelopeRequest>,
) -> AppResult<(StatusCode, AppJson<EnvelopeView>)> {
    principal.require(SCOPE_ENVELOPES_WRITE)?;
    let written = envelopes::create(&state, &principal, request).await?;
    Ok((StatusCode::CREATED, AppJson(view(written))))
}

/// Statuses the public API documents; those this server never produces
/// (it has no scheduling, delivery tracking or partial state) list nothing.
const KNOWN_STATUSES: &[&str] = &[
    "DRAFT",
    "SENT",
    "COMPLETED",
    "DECLINED",
    "VOIDED",
    "EXPIRED",
    "SCHEDULED",
    "DELIVERED",
    "PARTIALLY_SIGNED",
    "RETURNED_TO_SENDER",
];

/// Filter of the envelope list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnvelopeFilter {
    /// Only envelopes with this status (or these, comma-separated).
    #[param(example = "DRAFT")]
    pub status: Option<String>,
}

/// List envelopes
#[utoipa::path(
    get,
    path = "/envelopes",
    tag = "envelopes",
    params(ListQuery, EnvelopeFilter),
    responses((status = 200, description = "A page of envelopes, newest first", body = List<EnvelopeView>)),
    security(("bearer" = [])),
)]
pub async fn list_envelopes(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(query): AppQuery<ListQuery>,
    AppQuery(filter): AppQuery<EnvelopeFilter>,
) -> AppResult<AppJson<List<EnvelopeView>>> {
    principal.require(SCOPE_ENVELOPES_READ)?;
    let request = query.page_request()?;
    let statuses: Option<Vec<String>> = filter
        .status
        .as_deref()
        .map(|s| {
            s.split(',')
                .map(|one| one.trim().to_ascii_uppercase())
                .filter(|one| !one.is_empty())
                .map(|one| {
                    if KNOWN_STATUSES.contains(&one.as_str()) {
                        Ok(one)
                    } else {
                        Err(AppError::invalid(format!(
                            "status {one} is not one of {}",
                            KNOWN_STATUSES.join(", ")
                        )))
                    }
                })
                .collect::<AppResult<Vec<_>>>()
        })
        .transpose()?;
    let refs: Option<Vec<&str>> = statuses
        .as_ref()
        .map(|list| list.iter().map(String::as_str).collect());
    let page = state
        .store()
        .list_envelopes(&principal.tenant, refs.as_deref(), request)
        .await?;
    let mut data = Vec::with_capacity(page.rows.len());
    for record in &page.rows {
        let documents = state.store().envelope_documents(&record.envelope).await?;
        data.push(EnvelopeView::new(record, documents));
    }
    let pagination = List::new(page, request, |_| ()).pagination;
    Ok(AppJson(List { data, pagination }))
}

/// Fetch an envelope
#[utoipa::path(
    get,
    path = "/envelopes/{id}",
    tag = "envelopes",
    params(("id" = String, Path, description = "The envelope id")),
    responses((status = 200, description = "The envelope", body = EnvelopeView)),
    security(("bearer" = [])),
)]
pub async fn get_envelope(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
) -> AppResult<AppJson<EnvelopeView>> {
    principal.require(SCOPE_ENVELOPES_READ)?;
    let record = state
        .store()
        .envelope(&principal.tenant, &id)
        .await?
        .ok_or_else(|| AppError::not_found("envelope", &id))?;
    let documents = state.store().envelope_documents(&record.envelope).await?;
    Ok(AppJson(EnvelopeView::new(&record, documents)))
}

/// Update a draft envelope
///
/// Keys left out are unchanged; `recipients`, `documentIds`/`documents`
/// and `fields` replace their whole list. A sent envelope answers 409
/// `ENVELOPE_NOT_DRAFT`.
#[utoipa::path(
    patch,
    path = "/envelopes/{id}",
    tag = "envelopes",
    params(("id" = String, Path, description = "The envelope id")),
    request_body = EnvelopeRequest,
    responses((status = 200, description = "The envelope", body = EnvelopeView)),
    security(("bearer" = [])),
)]
pub async fn update_envelope(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
    AppJson(request): AppJson<EnvelopeRequest>,
) -> AppResult<AppJson<EnvelopeView>> {
    principal.require(SCOPE_ENVELOPES_WRITE)?;
    let written = envelopes::update(&state, &principal, &id, request).await?;
    Ok(AppJson(view(written)))
}

/// Why a sent envelope is voided.
#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VoidReason {
    /// The reason, recorded in the history and sent with `envelope.voided`.
    pub reason: Option<String>,
}

/// Delete a draft, or void a sent envelope
///
/// A draft is deleted. A sent envelope is voided, with the optional
/// `reason` (JSON body or query); a completed, declined, voided or expired
/// one answers 409.
#[utoipa::path(
    delete,
    path = "/envelopes/{id}",
    tag = "envelopes",
    params(("id" = String, Path, description = "The envelope id"), VoidReason),
    request_body(content = Option<VoidReason>, content_type = "application/json"),
    responses((status = 200, description = "Deleted or voided", body = Success)),
    security(("bearer" = [])),
)]
pub async fn delete_envelope(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<VoidReason>,
    body: Bytes,
) -> AppResult<AppJson<Success>> {
    principal.require(SCOPE_ENVELOPES_WRITE)?;
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let parsed: VoidReason = serde_json::from_slice(&body).map_err(|e| {
            AppError::new(
                paraph::ErrorCode::MalformedJson,
                format!("the body is not {{\"reason\": …}}: {e}"),
            )
        })?;
        parsed.reason
    };
    envelopes::delete(&state, &principal, &id, from_body.or(query.reason)).await?;
    Ok(AppJson(Success::yes()))
}
