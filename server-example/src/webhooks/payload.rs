//! The one function that turns envelope events into webhook bodies.
//!
//! The body is the core's [`WebhookPayload`], its one builder, in the
//! shape of the API this server reproduces (seed-apis §1.5: `event` and
//! `type`, `timestamp` and `occurred_at`, `envelope_id`, `data`), with the
//! download links of `envelope.completed` that only the server knows.

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
    messages(before, transition, None)
}

/// The same, with `proof_pdf_url` and `auditTrailUrl` on
/// `envelope.completed` (the API routes under `public_url`).
pub fn outbox_messages_with_links(
    before: Option<&Envelope>,
    transition: &Transition,
    public_url: &str,
) -> Result<Vec<OutboxMessage>, AppError> {
    messages(before, transition, Some(public_url))
}

fn messages(
    before: Option<&Envelope>,
    transition: &Transition,
    public_url: Option<&str>,
) -> Result<Vec<OutboxMessage>, AppError> {
    WebhookPayload::from_transition(before, transition)?
        .into_iter()
        .map(|(event, payload)| {
            let payload = match public_url {
                Some(base) if payload.event == "envelope.completed" => {
                    let base = format!(
                        "{}/api/v1/envelopes/{}",
                        base.trim_end_matches('/'),
                        payload.envelope_id
                    );
                    payload.with_links(
                        Some(format!("{base}/signed-document")),
                        Some(format!("{base}/audit-trail")),
                    )
                }
                _ => payload,
            };
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
