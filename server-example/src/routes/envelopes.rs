//! `/envelopes`: create, list, read, change, delete or void envelopes;
//! send them; download the audit trail and the signed documents.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::signing::{content_disposition, pdf_response};
use super::{AppJson, AppPath, AppQuery, ListQuery};
use crate::auth::{Principal, SCOPE_ENVELOPES_READ, SCOPE_ENVELOPES_WRITE};
use crate::envelopes::{self, Written, request::EnvelopeRequest};
use crate::error::{AppError, AppResult};
use crate::signing::flow;
use crate::state::AppState;
use crate::views::{EnvelopeView, List, Success};

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_envelope, list_envelopes))
        .routes(routes!(get_envelope, update_envelope, delete_envelope))
        .routes(routes!(send_envelope))
        .routes(routes!(audit_trail))
        .routes(routes!(signed_document))
}

/// The view of a stored envelope with its recipients' links (and their
/// tokens when `with_tokens`: the create and send responses only).
fn linked(
    state: &AppState,
    record: &crate::store::EnvelopeRecord,
    documents: Vec<crate::store::DocumentRecord>,
    with_tokens: bool,
) -> EnvelopeView {
    EnvelopeView::new(record, documents).with_links(
        record,
        &state.settings().signing,
        &state.settings().public_url,
        with_tokens,
    )
}

fn view(state: &AppState, written: Written, with_tokens: bool) -> EnvelopeView {
    let mut view = linked(state, &written.record, written.documents, with_tokens);
    view.webhook_secret = written.webhook_secret;
    view
}

/// Create an envelope
///
/// Documents by `documentIds` (uploaded first) or inline `documents`
/// (`base64Pdf`); recipients as `recipients` or `signers`; fields at a
/// position or against anchor text. The envelope is a DRAFT, except in
/// the one-call style of the public API: inline `documents` with
/// `signers` (or with `title`) create and send at once, and the answer
/// carries working `signUrl`s.
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
    let one_call = request.documents.as_ref().is_some_and(|d| !d.is_empty())
        && (request.signers.is_some() || request.title.is_some());
    let written = envelopes::create(&state, &principal, request).await?;
    if !one_call {
        return Ok((StatusCode::CREATED, AppJson(view(&state, written, true))));
    }
    let secret = written.webhook_secret.clone();
    let id = written.record.envelope.id.clone();
    let mut sent = match flow::send(&state, &principal, &id).await {
        Ok(sent) => sent,
        Err(err) => {
            // Nothing half-made stays behind: the draft goes.
            if let Err(cleanup) = envelopes::delete(&state, &principal, &id, None).await {
                tracing::warn!(envelope = %id, error = %cleanup.message(), "could not remove the draft of a failed one-call send");
            }
            return Err(err);
        }
    };
    sent.webhook_secret = secret;
    Ok((StatusCode::CREATED, AppJson(view(&state, sent, true))))
}

/// Send an envelope
///
/// The documents are prepared (each recipient's fields written into them;
/// without any field, a signature field for each signer on the last page;
/// anchored fields placed beside their text; initials on every page when
/// asked), then the envelope is sent: each recipient gets a signing link
/// (`signUrl`, and `accessToken` in this response only). A signer without
/// a field is 409 `SIGNER_WITHOUT_FIELD`. No body.
#[utoipa::path(
    post,
    path = "/envelopes/{id}/send",
    tag = "envelopes",
    params(("id" = String, Path, description = "The envelope id")),
    responses((status = 200, description = "The sent envelope", body = EnvelopeView)),
    security(("bearer" = [])),
)]
pub async fn send_envelope(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
) -> AppResult<AppJson<EnvelopeView>> {
    principal.require(SCOPE_ENVELOPES_WRITE)?;
    let sent = flow::send(&state, &principal, &id).await?;
    Ok(AppJson(view(&state, sent, true)))
}

async fn read(
    state: &AppState,
    principal: &Principal,
    id: &str,
) -> AppResult<crate::store::EnvelopeRecord> {
    state
        .store()
        .envelope(&principal.tenant, id)
        .await?
        .ok_or_else(|| AppError::not_found("envelope", id))
}

/// Download the audit trail
///
/// The sealed audit-trail PDF (PDF/A-3, in the envelope's language, with
/// the evidence attached). 409 `ENVELOPE_NOT_READY` before the envelope is
/// completed, declined, voided or expired.
#[utoipa::path(
    get,
    path = "/envelopes/{id}/audit-trail",
    tag = "envelopes",
    params(("id" = String, Path, description = "The envelope id")),
    responses((status = 200, description = "The audit trail", content_type = "application/pdf", body = Vec<u8>)),
    security(("bearer" = [])),
)]
pub async fn audit_trail(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
) -> AppResult<Response> {
    principal.require(SCOPE_ENVELOPES_READ)?;
    let record = read(&state, &principal, &id).await?;
    let pdf = flow::audit_trail(&state, &record).await?;
    Ok(pdf_response(pdf, &format!("{id}-audit-trail.pdf")))
}

/// Which document to download.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub struct DocumentChoice {
    /// One document of the envelope (by default: the only one, or a zip of all).
    pub document_id: Option<String>,
}

/// Download the signed document
///
/// The signed PDF of a COMPLETED envelope (409 `ENVELOPE_NOT_READY`
/// before); with several documents, a zip of them all unless
/// `documentId` names one.
#[utoipa::path(
    get,
    path = "/envelopes/{id}/signed-document",
    tag = "envelopes",
    params(("id" = String, Path, description = "The envelope id"), DocumentChoice),
    responses(
        (status = 200, description = "The signed PDF, or a zip of the signed PDFs", content(
            (Vec<u8> = "application/pdf"),
            (Vec<u8> = "application/zip"),
        )),
    ),
    security(("bearer" = [])),
)]
pub async fn signed_document(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
    AppQuery(choice): AppQuery<DocumentChoice>,
) -> AppResult<Response> {
    principal.require(SCOPE_ENVELOPES_READ)?;
    let record = read(&state, &principal, &id).await?;
    let mut documents = flow::signed_documents(&state, &record).await?;
    if let Some(wanted) = &choice.document_id {
        documents.retain(|(doc_id, _, _)| doc_id == wanted);
        if documents.is_empty() {
            return Err(AppError::not_found("document", wanted));
        }
    }
    if let [(_, name, bytes)] = documents.as_slice() {
        return Ok(pdf_response(bytes.clone(), name));
    }
    let zip = zip_of(&documents)?;
    let mut response = axum::body::Body::from(zip).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/zip"));
    if let Ok(value) = HeaderValue::from_str(&content_disposition(&format!("{id}-signed.zip"))) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The documents in one zip (stored, not compressed again: PDFs are
/// compressed already), each under its name, made unique.
fn zip_of(documents: &[(String, String, bytes::Bytes)]) -> AppResult<Vec<u8>> {
    use std::io::Write as _;
    let fail = |e: &dyn std::fmt::Display| {
        AppError::internal(paraph::ErrorCode::Internal, format!("zip: {e}"))
    };
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut used = std::collections::HashSet::new();
    for (doc_id, name, bytes) in documents {
        let mut entry = content_disposition(name)
            .trim_start_matches("attachment; filename=\"")
            .trim_end_matches('"')
            .to_owned();
        if entry.is_empty() || !used.insert(entry.clone()) {
            entry = format!("{doc_id}.pdf");
            used.insert(entry.clone());
        }
        out.start_file(entry, options).map_err(|e| fail(&e))?;
        out.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(out.finish().map_err(|e| fail(&e))?.into_inner())
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
        data.push(linked(&state, record, documents, false));
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
    Ok(AppJson(linked(&state, &record, documents, false)))
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
    Ok(AppJson(view(&state, written, false)))
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
