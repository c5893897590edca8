//! `/keys`: create, list and revoke API keys. Managing keys needs a key
//! that holds every scope, and works within the key's mode: live keys
//! manage live keys, test keys test keys (`paraph-server keys create` makes
//! either).

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use paraph::ErrorCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, ListQuery};
use crate::auth::{ALL_SCOPES, Principal, generate_key};
use crate::error::{AppError, AppResult};
use crate::idempotency::RedactOnReplay;
use crate::ids;
use crate::state::AppState;
use crate::store::{ApiKeyRecord, Store};
use crate::views::{ApiKeyView, List, Success};

/// Longest key label.
const MAX_KEY_NAME_LEN: usize = 100;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_key, list_keys))
        .routes(routes!(revoke_key))
}

/// A new key.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateKey {
    /// A label.
    pub name: Option<String>,
    /// Scopes (default: all three).
    pub scopes: Option<Vec<String>>,
    /// `test` or `live`: must be the mode of the key in use (the default).
    pub mode: Option<String>,
}

/// Creates a key for an account and stores its hash; returns the key text
/// (shown once) and its record.
pub async fn issue_key(
    store: &dyn Store,
    account_id: &str,
    name: &str,
    livemode: bool,
    scopes: Vec<String>,
) -> AppResult<(String, ApiKeyRecord)> {
    let new = generate_key(livemode)?;
    let now = ids::now();
    let record = ApiKeyRecord {
        id: ids::new_id("key", now)?,
        public_id: new.public_id,
        account_id: account_id.to_owned(),
        name: name.to_owned(),
        livemode,
        scopes,
        key_hash: new.hash,
        last4: new.last4,
        created_at: now,
        revoked_at: None,
    };
    store.insert_key(&record).await?;
    Ok((new.key, record))
}

/// Create an API key
///
/// The answer carries the `key`, shown only this once (a replay with the
/// same `Idempotency-Key` answers `"key": null`: only its hash is kept).
#[utoipa::path(
    post,
    path = "/keys",
    tag = "keys",
    request_body = CreateKey,
    responses((status = 201, description = "The key, with its secret text", body = ApiKeyView)),
    security(("bearer" = [])),
)]
pub async fn create_key(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(request): AppJson<CreateKey>,
) -> AppResult<(StatusCode, Extension<RedactOnReplay>, AppJson<ApiKeyView>)> {
    principal.require_all()?;
    let livemode = match request
        .mode
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None => principal.tenant.livemode,
        Some("live") => true,
        Some("test") => false,
        Some(other) => {
            return Err(AppError::invalid(format!(
                "mode {other} is not test or live"
            )));
        }
    };
    if livemode != principal.tenant.livemode {
        return Err(AppError::new(
            ErrorCode::InsufficientScope,
            "a key creates keys of its own mode only (live or test)",
        ));
    }
    let scopes = match request.scopes {
        None => ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        Some(list) => {
            let mut scopes: Vec<String> = Vec::new();
            for scope in list {
                if !ALL_SCOPES.contains(&scope.as_str()) {
                    return Err(AppError::invalid(format!(
                        "scope {scope:?} is not one of {}",
                        ALL_SCOPES.join(", ")
                    )));
                }
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
            scopes
        }
    };
    let name = request.name.unwrap_or_else(|| "API key".to_owned());
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_KEY_NAME_LEN
        || name.chars().any(char::is_control)
    {
        return Err(AppError::invalid(format!(
            "name is 1 to {MAX_KEY_NAME_LEN} characters without control characters"
        )));
    }
    let (key, record) = issue_key(
        state.store().as_ref(),
        &principal.tenant.account_id,
        name,
        livemode,
        scopes,
    )
    .await?;
    let mut view = ApiKeyView::from(record);
    view.key = Some(key);
    // Never kept for an idempotent replay: the key exists only as a hash.
    Ok((
        StatusCode::CREATED,
        Extension(RedactOnReplay(&["key"])),
        AppJson(view),
    ))
}

/// List API keys
///
/// Keys are shown by prefix and last four characters, never whole.
#[utoipa::path(
    get,
    path = "/keys",
    tag = "keys",
    params(ListQuery),
    responses((status = 200, description = "A page of keys, newest first", body = List<ApiKeyView>)),
    security(("bearer" = [])),
)]
pub async fn list_keys(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(query): AppQuery<ListQuery>,
) -> AppResult<AppJson<List<ApiKeyView>>> {
    principal.require_all()?;
    let request = query.page_request()?;
    let page = state.store().list_keys(&principal.tenant, request).await?;
    Ok(AppJson(List::new(page, request, ApiKeyView::from)))
}

/// Revoke an API key
///
/// The key stops working at once.
#[utoipa::path(
    delete,
    path = "/keys/{id}",
    tag = "keys",
    params(("id" = String, Path, description = "The key id")),
    responses((status = 200, description = "Revoked", body = Success)),
    security(("bearer" = [])),
)]
pub async fn revoke_key(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
) -> AppResult<AppJson<Success>> {
    principal.require_all()?;
    state
        .store()
        .revoke_key(&principal.tenant, &id, ids::now())
        .await?
        .ok_or_else(|| AppError::not_found("API key", &id))?;
    Ok(AppJson(Success::yes()))
}
