//! `/webhooks`: register, list and delete endpoints, and read their
//! delivery log.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{AppJson, AppPath, AppQuery, ListQuery};
use crate::auth::{Principal, SCOPE_WEBHOOKS_WRITE};
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::state::AppState;
use crate::store::WebhookRecord;
use crate::views::{DeliveryView, List, Success, WebhookView};
use crate::webhooks::SUBSCRIBABLE_EVENTS;

/// Most event types one endpoint lists.
const MAX_EVENTS: usize = 32;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_webhook, list_webhooks))
        .routes(routes!(delete_webhook))
        .routes(routes!(list_deliveries))
}

/// A new signing secret: 32 random bytes, `whsec_<base64>`.
pub fn new_secret() -> AppResult<String> {
    let mut bytes = [0u8; 32];
    ids::fill_random(&mut bytes)?;
    Ok(paraph::webhook::WebhookSecret::from_bytes(bytes.to_vec())?.expose())
}

/// A new endpoint.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateWebhook {
    /// Where to deliver (https; loopback and private addresses are refused).
    #[schema(example = "https://app.example/webhooks/paraph")]
    pub url: String,
    /// Event types to receive; empty or absent means all, `*` too.
    pub events: Option<Vec<String>>,
    /// Accepted for compatibility; an endpoint starts active.
    pub active: Option<bool>,
}

/// Register a webhook endpoint
///
/// The answer carries the signing `secret`, shown only this once.
#[utoipa::path(
    post,
    path = "/webhooks",
    tag = "webhooks",
    request_body = CreateWebhook,
    responses((status = 201, description = "The endpoint, with its secret", body = WebhookView)),
    security(("bearer" = [])),
)]
pub async fn create_webhook(
    State(state): State<AppState>,
    principal: Principal,
    AppJson(request): AppJson<CreateWebhook>,
) -> AppResult<(StatusCode, AppJson<WebhookView>)> {
    principal.require(SCOPE_WEBHOOKS_WRITE)?;
    let mut events: Vec<String> = Vec::new();
    for event in request.events.unwrap_or_default() {
        let event = event.trim().to_owned();
        if event != "*" && !SUBSCRIBABLE_EVENTS.contains(&event.as_str()) {
            return Err(AppError::invalid(format!(
                "event {event:?} is not one of *, {}",
                SUBSCRIBABLE_EVENTS.join(", ")
            )));
        }
        if !events.contains(&event) {
            events.push(event);
        }
    }
    if events.len() > MAX_EVENTS {
        return Err(AppError::invalid(format!("at most {MAX_EVENTS} events")));
    }
    let checked = state.guard().check(request.url.trim()).await?;
    let now = ids::now();
    let record = WebhookRecord {
        id: ids::new_id("wh", now)?,
        tenant: principal.tenant.clone(),
        envelope_id: None,
        url: checked.url.to_string(),
        events,
        secret: new_secret()?,
        active: true,
        disabled_reason: None,
        created_at: now,
    };
    state.store().insert_webhook(&record).await?;
    let secret = record.secret.clone();
    let mut view = WebhookView::from(record);
    view.secret = Some(secret);
    Ok((StatusCode::CREATED, AppJson(view)))
}

/// List webhook endpoints
#[utoipa::path(
    get,
    path = "/webhooks",
    tag = "webhooks",
    params(ListQuery),
    responses((status = 200, description = "A page of endpoints, newest first", body = List<WebhookView>)),
    security(("bearer" = [])),
)]
pub async fn list_webhooks(
    State(state): State<AppState>,
    principal: Principal,
    AppQuery(query): AppQuery<ListQuery>,
) -> AppResult<AppJson<List<WebhookView>>> {
    principal.require(SCOPE_WEBHOOKS_WRITE)?;
    let request = query.page_request()?;
    let page = state
        .store()
        .list_webhooks(&principal.tenant, request)
        .await?;
    Ok(AppJson(List::new(page, request, WebhookView::from)))
}

/// Delete a webhook endpoint
///
/// Its pending deliveries are dropped.
#[utoipa::path(
    delete,
    path = "/webhooks/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint id")),
    responses((status = 200, description = "Deleted", body = Success)),
    security(("bearer" = [])),
)]
pub async fn delete_webhook(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
) -> AppResult<AppJson<Success>> {
    principal.require(SCOPE_WEBHOOKS_WRITE)?;
    if state
        .store()
        .delete_webhook(&principal.tenant, &id, ids::now())
        .await?
    {
        Ok(AppJson(Success::yes()))
    } else {
        Err(AppError::not_found("webhook", &id))
    }
}

/// List an endpoint's deliveries
///
/// Every queued message with its attempts, newest first.
#[utoipa::path(
    get,
    path = "/webhooks/{id}/deliveries",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint id"), ListQuery),
    responses((status = 200, description = "A page of deliveries", body = List<DeliveryView>)),
    security(("bearer" = [])),
)]
pub async fn list_deliveries(
    State(state): State<AppState>,
    principal: Principal,
    AppPath(id): AppPath<String>,
    AppQuery(query): AppQuery<ListQuery>,
) -> AppResult<AppJson<List<DeliveryView>>> {
    principal.require(SCOPE_WEBHOOKS_WRITE)?;
    let request = query.page_request()?;
    let webhook = state
        .store()
        .webhook(&principal.tenant, &id)
        .await?
        .ok_or_else(|| AppError::not_found("webhook", &id))?;
    let page = state.store().list_deliveries(&webhook.id, request).await?;
    Ok(AppJson(List::new(page, request, DeliveryView::from)))
}
