//! `/documents`: upload, list, read and delete PDFs.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use base64::Engine as _;
use bytes::Bytes;
use paraph::ErrorCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, ListQuery};
use crate::auth::{Principal, SCOPE_ENVELOPES_READ, SCOPE_ENVELOPES_WRITE};
use crate::documents::{self, looks_like_pdf};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::views::{DocumentView, List, Success};

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_document, list_documents))
        .routes(routes!(get_document, delete_document))
}

/// A multipart upload.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The PDF (`application/pdf`, or `application/octet-stream` starting with `%PDF-`).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// A file name (default: the part's file name).
    name: Option<String>,
}

/// A JSON upload.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadJson {
    /// File name.
    pub name: Option<String>,
    /// The PDF, base64.
    pub base64_pdf: String,
}

fn unsupported(what: &str) -> AppError {
    AppError::new(
        ErrorCode::UnsupportedMediaType,
        format!(
            "{what}: send a PDF (application/pdf, or application/octet-stream starting with %PDF-)"
        ),
    )
}

/// Whether a declared type may carry a PDF.
fn pdf_type(content_type: Option<&str>) -> bool {
    match content_type.map(|t| {
        t.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    }) {
        None => true,
        Some(t) => {
            t == "application/pdf" || t == "application/octet-stream" || t == "application/x-pdf"
        }
    }
}

/// Reads the `file` (and optional `name`) parts.
async fn read_multipart(mut multipart: Multipart) -> AppResult<(Option<String>, Bytes)> {
    let mut name = None;
    let mut file = None;
    while let Some(field) = multipart.next_field().await? {
        match field.name() {
            Some("file") => {
                if file.is_some() {
                    return Err(AppError::invalid("send one file per upload"));
                }
                if !pdf_type(field.content_type()) {
                    return Err(unsupported(&format!(
                        "the file is {}",
                        field.content_type().unwrap_or_default()
                    )));
                }
                let file_name = field.file_name().map(str::to_owned);
                let bytes = field.bytes().await?;
                if !looks_like_pdf(&bytes) {
                    return Err(unsupported("the file is not a PDF"));
                }
                file = Some((file_name, bytes));
            }
            Some("name") => name = Some(field.text().await?),
            _ => {}
        }
    }
    let (file_name, bytes) =
        file.ok_or_else(|| AppError::invalid("the multipart field file is required"))?;
    Ok((name.filter(|n| !n.trim().is_empty()).or(file_name), bytes))
}

/// Upload a PDF
///
/// Multipart (`file`, optional `name`), JSON (`{ "name", "base64Pdf" }`) or
/// the raw PDF as the body. The PDF is checked (broken and encrypted files
/// are refused with the core's code) and its pages counted.
#[utoipa::path(
    post,
    path = "/documents",
    tag = "documents",
    request_body(content(
        (UploadForm = "multipart/form-data"),
        (UploadJson = "application/json"),
    )),
    responses(
        (status = 201, description = "The document", body = DocumentView),
    ),
    security(("bearer" = [])),
)]
pub async fn upload_document(
    State(state): State<AppState>,
    principal: Principal,
    request: Request,
) -> AppResult<(StatusCode, AppJson<DocumentView>)> {
    principal.require(SCOPE_ENVELOPES_WRITE)?;
    let content_type = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        });
    let (name, bytes) = match content_type.as_deref() {
        Some("multipart/form-data") => {
            let multipart = Multipart::from_request(request, &state)
                .await
                .map_err(|e| AppError::invalid(e.body_text()))?;
            read_multipart(multipart).await?
        }
        Some("application/json") => {
            let AppJson(upload) = AppJson::<UploadJson>::from_request(request, &state).await?;
            let compact: String = upload
                .base64_pdf
                .chars()
                .filter(|c| !c.is_ascii_whitespace())
                .collect();
            let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(compact.trim_end_matches('='))
                .map_err(|_| AppError::invalid("base64Pdf is not base64"))?;
            (upload.name, Bytes::from(bytes))
        }
        Some("application/pdf") | Some("application/octet-stream") | Some("application/x-pdf") => {
            let bytes = Bytes::from_request(request, &state).await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    AppError::new(
                        ErrorCode::PayloadTooLarge,
                        "the request body is larger than the limit",
                    )
                } else {
                    AppError::invalid(e.body_text())
                }
            })?;
            if !looks_like_pdf(&bytes) {
                return Err(unsupported("the body is not a PDF"));
            }
            (None, bytes)
        }
        Some(other) => {
            return Err(unsupported(&format!(
                "Content-Type {other} is not accepted"
            )));
        }
        None => return Err(unsupported("the request has no Content-Type")),
    };
    let prepared = documents::prepare(
        &principal.tenant,
        name.as_deref(),
        bytes,
        state.settings().max_document_bytes,
    )
    .await?;
    documents::store_bytes(state.blobs(), std::slice::from_ref(&prepared)).await?;
    if let Err(err) = state.store().insert_document(&prepared.record).await {
        documents::discard_bytes(state.blobs(), std::slice::from_ref(&prepared)).await;
        return Err(err);
    }
    Ok((StatusCode::CREATED, AppJson(prepared.record.into())))
}

/// List documents
#[utoipa::path(
    get,
    path = "/documents",
    tag = "documents",
    params(ListQuery),
    responses((status = 200, description = "A page of documents, newest first", body = List<DocumentView>)),
    security(("bearer" = [])),
)]
pub async fn list_documents(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(query): AppQuery<ListQuery>,
) -> AppResult<AppJson<List<DocumentView>>> {
    principal.require(SCOPE_ENVELOPES_READ)?;
    let request = query.page_request()?;
    let page = state
        .store()
        .list_documents(&principal.tenant, request)
        .await?;
    Ok(AppJson(List::new(page, request, DocumentView::from)))
}

/// Fetch a document's metadata
#[utoipa::path(
    get,
    path = "/documents/{id}",
    tag = "documents",
    params(("id" = String, Path, description = "The document id")),
    responses((status = 200, description = "The document", body = DocumentView)),
    security(("bearer" = [])),
)]
pub async fn get_document(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
) -> AppResult<AppJson<DocumentView>> {
    principal.require(SCOPE_ENVELOPES_READ)?;
    let document = state
        .store()
        .document(&principal.tenant, &id)
        .await?
        .ok_or_else(|| AppError::not_found("document", &id))?;
    Ok(AppJson(document.into()))
}

/// Delete a document
///
/// Envelopes that already use the document keep it.
#[utoipa::path(
    delete,
    path = "/documents/{id}",
    tag = "documents",
    params(("id" = String, Path, description = "The document id")),
    responses((status = 200, description = "Deleted", body = Success)),
    security(("bearer" = [])),
)]
pub async fn delete_document(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
) -> AppResult<AppJson<Success>> {
    principal.require(SCOPE_ENVELOPES_WRITE)?;
    let (document, in_use) = state
        .store()
        .delete_document(&principal.tenant, &id, crate::ids::now())
        .await?
        .ok_or_else(|| AppError::not_found("document", &id))?;
    if !in_use && let Err(err) = state.blobs().delete(&document.object_key).await {
        tracing::warn!(document = %id, error = %err, "could not remove a deleted document's bytes");
    }
    Ok(AppJson(Success::yes()))
}
