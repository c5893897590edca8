//! One router per resource, and the extractors they share.

pub mod account;
pub mod documents;
pub mod envelopes;
pub mod health;
pub mod keys;
pub mod reference;
pub mod signing;
pub mod webhooks;

use axum::extract::FromRequest;
use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::error::{AppError, AppResult};
use crate::store::PageRequest;

/// JSON in and out, with rejections in the API's error format.
#[derive(Debug, Clone, FromRequest)]
#[from_request(via(axum::Json), rejection(AppError))]
pub struct AppJson<T>(pub T);

impl<T: Serialize> IntoResponse for AppJson<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// Query parameters, with rejections in the API's error format.
#[derive(Debug, Clone, FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(AppError))]
pub struct AppQuery<T>(pub T);

/// Path parameters, with rejections in the API's error format.
#[derive(Debug, Clone, FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(AppError))]
pub struct AppPath<T>(pub T);

/// Default page size.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// Largest page size.
pub const MAX_PAGE_SIZE: u32 = 100;

/// `page` and `limit` of a list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Page, from 1 (default 1).
    #[param(minimum = 1)]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl ListQuery {
    /// The page to read; `INVALID_ARGUMENT` outside the bounds.
    pub fn page_request(&self) -> AppResult<PageRequest> {
        let page = self.page.unwrap_or(1);
        let limit = self.limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if page == 0 {
            return Err(AppError::invalid("page starts at 1"));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            return Err(AppError::invalid(format!("limit is 1 to {MAX_PAGE_SIZE}")));
        }
        Ok(PageRequest { page, limit })
    }
}
