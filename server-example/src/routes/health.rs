//! `/healthz` (the process runs) and `/readyz` (it can serve: the database
//! and the object store answer).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::error::AppResult;
use crate::state::AppState;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
}

/// A health answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// Liveness
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "The process runs", body = Health)))]
pub async fn healthz() -> AppJson<Health> {
    AppJson(Health {
        status: "ok".to_owned(),
    })
}

/// Readiness
///
/// 503 `STORAGE_UNAVAILABLE` when the database or the object store does not answer.
#[utoipa::path(get, path = "/readyz", tag = "health", responses((status = 200, description = "Ready", body = Health)))]
pub async fn readyz(State(state): State<AppState>) -> AppResult<AppJson<Health>> {
    state.store().ping().await?;
    state.blobs().ping().await?;
    Ok(AppJson(Health {
        status: "ok".to_owned(),
    }))
}
