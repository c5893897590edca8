//! The envelope state machine.
//!
//! An envelope holds documents, recipients and the fields they fill. It
//! changes only through [`create`] and [`apply`], pure functions of the
//! current envelope, a [`Command`] and a [`Context`] (time, actor, IP, user
//! agent), which return the new envelope and the [`Event`]s that describe
//! the change, or a typed [`Error`](crate::Error) and no change at all.
//!
//! Routing: recipients with the same routing order act in parallel; the next
//! order becomes active only when every signer and approver of the current
//! one has acted. Sequential, parallel and mixed routing are this one rule.
//! CC recipients are notified when their order is reached and at completion.
//! The envelope completes when every signer and approver has acted.
//!
//! Event sourcing: [`replay`] folds an envelope's events from nothing and
//! reproduces the envelope exactly.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use paraph::envelope::*;
//!
//! let at = |minute| Utc.with_ymd_and_hms(2026, 11, 23, 9, minute, 0).unwrap();
//! let sender = |minute| Context::new(at(minute), Actor::ApiKey { id: "key_1".into() });
//! let alice = Context::new(at(9), Actor::Recipient { id: "alice".into() });
//!
//! let created = create(CreateEnvelope::new("env_1", "Employment contract"), &sender(0))?;
//! let mut envelope = created.envelope;
//! let mut history = created.events;
//! let steps = [
//!     (Command::AddDocument(NewDocument {
//!         id: "doc_1".into(),
//!         name: "contract.pdf".into(),
//!         page_count: 2,
//!         pages: vec![], // or each page's size, to check that fields fit
//!         sha256: "ab".repeat(32),
//!     }), sender(1)),
//!     (Command::AddRecipient(NewRecipient {
//!         id: "alice".into(),
//!         name: "Alice Martin".into(),
//!         email: Some("alice@example.com".into()),
//!         phone: None,
//!         role: RecipientRole::Signer,
//!         routing_order: 1,
//!         authentication: AuthenticationMethod::EmailLink,
//!     }), sender(2)),
//!     (Command::AddField(NewField {
//!         id: "sig_alice".into(),
//!         document_id: "doc_1".into(),
//!         recipient_id: "alice".into(),
//!         kind: FieldKind::Signature,
//!         page: 2,
//!         rect: paraph::geometry::Rect::new(72.0, 600.0, 200.0, 60.0),
//!         required: true,
//!         value: None,
//!         multiline: false,
//!         anchor: None,
//!     }), sender(2)),
//!     (Command::send(), sender(3)),
//!     (Command::Consent {
//!         recipient_id: "alice".into(),
//!         version: "2026-01".into(),
//!         text_sha256: "cd".repeat(32),
//!     }, alice.clone()),
//!     (Command::Sign {
//!         recipient_id: "alice".into(),
//!         documents: vec![],
//!         signature: None,
//!         certificate_sha256: None,
//!     }, alice),
//!     // Once the final documents exist (see the workflow's `finalize`).
//!     (Command::Complete { documents: vec![] }, Context::new(at(10), Actor::System)),
//! ];
//! for (command, ctx) in steps {
//!     let transition = apply(&envelope, command, &ctx)?;
//!     history.extend(transition.events);
//!     envelope = transition.envelope;
//! }
//! assert_eq!(envelope.status, EnvelopeStatus::Completed);
//! assert_eq!(replay(&history)?, envelope);
//! # Ok::<(), paraph::Error>(())
//! ```

mod apply;
mod command;
mod event;
mod evolve;
mod invariants;
mod migrate;
mod model;
pub mod validate;

pub use apply::{Transition, apply, create};
pub use command::{
    Actor, Command, Context, CreateEnvelope, NewDocument, NewField, NewRecipient, UpdateEnvelope,
    UpdateField, UpdateRecipient,
};
pub use event::{Event, EventData, NotificationReason};
pub(crate) use evolve::evolve_checked;

/// The structural invariants of a replayed envelope (`INVALID_EVENT_LOG`).
pub(crate) fn check_invariants(envelope: &Envelope) -> crate::Result<()> {
    invariants::check(envelope).map_err(|reason| {
        crate::Error::new(
            crate::ErrorCode::InvalidEventLog,
            format!(
                "the history leaves envelope {} invalid: {reason}",
                envelope.id
            ),
        )
    })
}
pub use evolve::{replay, states_after};
pub use model::{
    AnchorPlacement, AuthenticationMethod, Consent, DEFAULT_MAX_AUTHENTICATION_ATTEMPTS, Document,
    DocumentDigest, Envelope, EnvelopeSettings, EnvelopeStatus, Field, FieldAnchor, FieldKind,
    FieldPlacement, PageSize, Recipient, RecipientRole, RecipientStatus, SCHEMA_VERSION,
    SignatureLevel, SignatureMark,
};

#[cfg(test)]
mod tests;
