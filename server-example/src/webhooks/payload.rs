//! The one function that turns envelope events into webhook bodies.
//!
//! Today the body is the core's [`WebhookPayload`] (`{"type", "timestamp",
//! "data"}`, the Standard Webhooks shape). When the core gains its builder
//! for the shape of the API this server reproduces (seed-apis §1.5), only
//! [`outbox_messages`] changes.

use paraph::envelope::{Envelope, Transition};
use paraph::webhook::WebhookPayload;

use crate::error::AppError;
use crate::store::OutboxMessage;

/// The webhook messages of a transition's published events, each body
/// describing the envelope right after its event. `before` is the envelope
/// the commands were applied to (`None` for a new envelope).
pub fn outbox_messages(
    before: Option<&Envelope>,
    transition: &Transition,
) -> Result<Vec<OutboxMessage>, AppError> {
    WebhookPayload::from_transition(before, transition)?
        .into_iter()
        .map(|(event, payload)| {
            let body = String::from_utf8(payload.to_json())
                .map_err(|e| AppError::internal(paraph::ErrorCode::Internal, e))?;
            Ok(OutboxMessage {
                envelope_id: event.envelope_id.clone(),
                event_seq: event.seq,
                event_type: payload.event_type,
                message_id: event.message_id(),
                payload: body,
            })
        })
        .collect()
}
