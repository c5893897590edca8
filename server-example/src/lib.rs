//! # paraph-server
//!
//! An example REST server for the paraph e-signature engine, reproducing
//! the public API of an existing e-signature service so that its clients
//! work unchanged: documents, envelopes, webhooks and API keys, on SQLite
//! (default) or PostgreSQL, with document bytes in a folder or an
//! S3-compatible bucket.
//!
//! The server holds no signing or routing logic of its own: routes parse,
//! authorise, call the core ([`paraph::envelope::create`] and
//! [`paraph::envelope::apply`]), persist and respond.
//!
//! [`app::app`] builds the whole router from an [`state::AppState`], so
//! tests drive it with `tower::ServiceExt::oneshot` and no socket.
#![forbid(unsafe_code)]
// In tests a failed unwrap is a failed test, which is what it should be.
#![cfg_attr(test, allow(clippy::unwrap_used))]

pub mod app;
pub mod auth;
pub mod blobs;
pub mod config;
pub mod cpu;
pub mod documents;
pub mod envelopes;
pub mod error;
pub mod idempotency;
pub mod ids;
pub mod ratelimit;
pub mod routes;
pub mod server;
pub mod signing;
pub mod state;
pub mod store;
pub mod views;
pub mod webhooks;

pub use app::app;
pub use state::AppState;
