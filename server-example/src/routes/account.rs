//! `/account/me`: the account of the key in use.

use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::AppJson;
use crate::auth::Principal;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::views::AccountView;

/// The routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(me))
}

/// The account of the key in use
///
/// Any valid key may read it (clients use it to test their credentials).
#[utoipa::path(
    get,
    path = "/account/me",
    tag = "account",
    responses((status = 200, description = "The account", body = AccountView)),
    security(("bearer" = [])),
)]
pub async fn me(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<AppJson<AccountView>> {
    let account = state
        .store()
        .account(&principal.tenant.account_id)
        .await?
        .ok_or_else(|| AppError::not_found("account", &principal.tenant.account_id))?;
    Ok(AppJson(AccountView::new(
        account,
        principal.tenant.livemode,
        principal.scopes,
    )))
}
