//! The application: every route, under `/api/v1` and `/v1`, behind the
//! authentication, rate-limit and idempotency layers, with the OpenAPI
//! document generated from the same routers.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, Request, header};
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use paraph::ErrorCode;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;

use crate::auth::require_api_key;
use crate::error::AppError;
use crate::idempotency::idempotency;
use crate::routes::{account, documents, envelopes, health, keys, reference, signing, webhooks};
use crate::state::AppState;

/// The API base paths: the documented one and the shorter alias.
pub const API_BASE: &str = "/api/v1";
/// See [`API_BASE`].
pub const API_ALIAS: &str = "/v1";

fn resources() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(documents::router())
        .merge(envelopes::router())
        .merge(webhooks::router())
        .merge(keys::router())
        .merge(account::router())
}

/// The OpenAPI document of the application, finished (error responses,
/// idempotency header).
pub fn openapi() -> serde_json::Value {
    let (_, doc) = OpenApiRouter::<AppState>::with_openapi(reference::ApiDoc::openapi())
        .nest(API_BASE, resources())
        .nest(API_BASE, signing::router())
        .merge(health::router())
        .split_for_parts();
    reference::finish(doc)
}

#[derive(Clone, Debug)]
struct MakeId;

impl MakeRequestId for MakeId {
    fn make_request_id<B>(&mut self, _request: &Request<B>) -> Option<RequestId> {
        let id = crate::ids::new_id("req", crate::ids::now()).ok()?;
        HeaderValue::from_str(&id).ok().map(RequestId::new)
    }
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    AppError::internal(ErrorCode::Internal, "a handler panicked").into_response()
}

/// The application, for a listener or for tests (`tower::ServiceExt::oneshot`).
pub fn app(state: AppState) -> Router {
    let (documented, _) = OpenApiRouter::new()
        .nest(API_BASE, resources())
        .split_for_parts();
    let (alias, _) = OpenApiRouter::new()
        .nest(API_ALIAS, resources())
        .split_for_parts();
    let authenticated: Router<AppState> = Router::new()
        .merge(documented)
        .merge(alias)
        .route_layer(from_fn_with_state(state.clone(), idempotency))
        .route_layer(from_fn_with_state(state.clone(), require_api_key));
    let (health_routes, _) = health::router().split_for_parts();
    // The recipients' endpoints: their link's token authenticates them.
    let (recipients, _) = OpenApiRouter::new()
        .nest(API_BASE, signing::router())
        .nest(API_ALIAS, signing::router())
        .split_for_parts();

    let doc = openapi();
    let json: Arc<str> = Arc::from(serde_json::to_string(&doc).unwrap_or_default());
    let html: Arc<str> = Arc::from(reference::render_html(&doc));
    let mut public: Router<AppState> = Router::new();
    for base in [API_BASE, API_ALIAS] {
        let (json, html) = (json.clone(), html.clone());
        public = public
            .route(
                &format!("{base}/openapi.json"),
                get(move || async move { reference::json_response(&json) }),
            )
            .route(
                &format!("{base}/docs"),
                get(move || async move { reference::html_response(&html) }),
            );
    }

    let x_request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(authenticated)
        .merge(health_routes)
        .merge(recipients)
        .merge(public)
        .fallback(|| async {
            AppError::new(ErrorCode::RouteNotFound, "no route matches this path")
        })
        .method_not_allowed_fallback(|| async {
            AppError::new(ErrorCode::MethodNotAllowed, "this route does not accept this method")
        })
        .with_state(state.clone())
        .layer(DefaultBodyLimit::max(state.settings().max_body_bytes))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
                let id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default();
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(x_request_id, MakeId))
}

/// How long in-flight requests may run after a shutdown signal.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(30);
