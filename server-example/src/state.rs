//! What every request shares: the store, the object store, the limits and
//! the settings, behind one `Arc`.

use std::sync::Arc;

use tokio::sync::Notify;

use crate::blobs::Blobs;
use crate::ratelimit::RateLimits;
use crate::store::Store;
use crate::webhooks::UrlGuard;

/// Request-level settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Largest document, in bytes (50 MiB by default, as the public API documents).
    pub max_document_bytes: usize,
    /// Largest request body, in bytes (room for one such document in base64).
    pub max_body_bytes: usize,
    /// The server's public base URL (`https://sign.example.com`), for links.
    pub public_url: String,
    /// How recipients sign.
    pub signing: crate::signing::SigningSettings,
}

/// 50 MiB.
pub const DEFAULT_MAX_DOCUMENT_BYTES: usize = 50 * 1024 * 1024;

impl Default for Settings {
    fn default() -> Self {
        Self {
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            max_body_bytes: body_limit_for(DEFAULT_MAX_DOCUMENT_BYTES),
            public_url: "http://127.0.0.1:8080".to_owned(),
            signing: Default::default(),
        }
    }
}

/// A request body limit that fits one document of `max_document_bytes`
/// in base64 inside JSON, with room for the rest of the request.
pub fn body_limit_for(max_document_bytes: usize) -> usize {
    max_document_bytes
        .saturating_mul(4)
        .div_ceil(3)
        .saturating_add(1024 * 1024)
}

struct Inner {
    store: Arc<dyn Store>,
    blobs: Blobs,
    limits: RateLimits,
    guard: UrlGuard,
    settings: Settings,
    wake_deliveries: Arc<Notify>,
    wake_messages: Arc<Notify>,
}

/// The shared state of the application.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("store", &self.0.store)
            .field("blobs", &self.0.blobs.description())
            .field("limits", &self.0.limits)
            .field("settings", &self.0.settings)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state for `app`.
    pub fn new(
        store: Arc<dyn Store>,
        blobs: Blobs,
        limits: RateLimits,
        guard: UrlGuard,
        settings: Settings,
    ) -> Self {
        Self(Arc::new(Inner {
            store,
            blobs,
            limits,
            guard,
            settings,
            wake_deliveries: Arc::new(Notify::new()),
            wake_messages: Arc::new(Notify::new()),
        }))
    }

    /// The database.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.0.store
    }

    /// The document bytes.
    pub fn blobs(&self) -> &Blobs {
        &self.0.blobs
    }

    /// The rate limits.
    pub fn limits(&self) -> &RateLimits {
        &self.0.limits
    }

    /// Which webhook URLs are allowed.
    pub fn guard(&self) -> &UrlGuard {
        &self.0.guard
    }

    /// The request settings.
    pub fn settings(&self) -> &Settings {
        &self.0.settings
    }

    /// What the delivery worker waits on.
    pub fn delivery_signal(&self) -> Arc<Notify> {
        self.0.wake_deliveries.clone()
    }

    /// Tells the delivery worker that outbox rows were queued.
    pub fn wake_deliveries(&self) {
        self.0.wake_deliveries.notify_one();
    }

    /// What the mail and SMS worker waits on.
    pub fn message_signal(&self) -> Arc<Notify> {
        self.0.wake_messages.clone()
    }

    /// Tells the mail and SMS worker that messages were queued.
    pub fn wake_messages(&self) {
        self.0.wake_messages.notify_one();
    }
}
