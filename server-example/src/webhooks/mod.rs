//! Webhooks: which URLs may receive them ([`guard`]), the bodies queued in
//! the outbox ([`payload`]), and the worker that delivers them
//! ([`delivery`]).

pub mod delivery;
pub mod guard;
pub mod payload;

pub use delivery::{Deliverer, DeliveryConfig};
pub use guard::UrlGuard;

/// Event types an endpoint may subscribe to: those the core publishes, and
/// the names an existing public API documents (`envelope.returned_to_sender`,
/// `envelope.resubmitted`), accepted so that its clients can register
/// unchanged even though this server never emits them. `*` means every event.
pub const SUBSCRIBABLE_EVENTS: &[&str] = &[
    "envelope.created",
    "envelope.sent",
    "envelope.completed",
    "envelope.declined",
    "envelope.voided",
    "envelope.expired",
    "envelope.returned_to_sender",
    "envelope.resubmitted",
    "recipient.notified",
    "recipient.viewed",
    "recipient.signed",
    "recipient.approved",
    "recipient.declined",
];
