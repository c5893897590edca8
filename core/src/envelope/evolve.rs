//! Folding events into state. [`apply`](super::apply) changes state only
//! through [`evolve`], so replaying an envelope's events reproduces it exactly.

use super::command::{UpdateField, UpdateRecipient};
use super::event::{Event, EventData};
use super::invariants;
use super::model::{Consent, Envelope, EnvelopeStatus, Recipient, RecipientStatus, SCHEMA_VERSION};
use crate::error::{Error, ErrorCode, Result};

/// Rebuilds an envelope from its whole history.
///
/// The events must belong to one envelope, start with `envelope.created`
/// and have consecutive `seq` numbers from 1; anything else is
/// `INVALID_EVENT_LOG`.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<Envelope> {
    let mut events = events.into_iter();
    let first = events
        .next()
        .ok_or_else(|| invalid("the event log is empty"))?;
    let mut envelope = genesis(first)?;
    checked(&envelope, first)?;
    let mut last = first;
    for event in events {
        evolve_checked(&mut envelope, event)?;
        last = event;
    }
    invariants::check(&envelope)
        .map_err(|reason| invalid(format!("after event {}: {reason}", last.seq)))?;
    Ok(envelope)
}

/// Each event paired with the envelope as it was right after it, starting
/// from `before` (`None` when the first event is `envelope.created`).
pub fn states_after(before: Option<&Envelope>, events: &[Event]) -> Result<Vec<(Event, Envelope)>> {
    let mut states = Vec::with_capacity(events.len());
    let mut current: Option<Envelope> = before.cloned();
    for event in events {
        let next = match current.take() {
            None => genesis(event)?,
            Some(mut envelope) => {
                evolve_checked(&mut envelope, event)?;
                envelope
            }
        };
        if states.is_empty() {
            invariants::check(&next)
                .map_err(|reason| invalid(format!("after event {}: {reason}", event.seq)))?;
        }
        states.push((event.clone(), next.clone()));
        current = Some(next);
    }
    Ok(states)
}

/// A replayed history must leave the envelope in a state `apply` could
/// have produced: no duplicate ids, no more recipients than the cap, and
/// the rest of [`invariants::check`].
fn checked(envelope: &Envelope, event: &Event) -> Result<()> {
    invariants::check_after(envelope, event)
        .map_err(|reason| invalid(format!("after event {}: {reason}", event.seq)))
}

/// [`evolve`], then the invariants the event could have broken: what
/// replaying a history (rather than deciding a command) needs.
pub(crate) fn evolve_checked(envelope: &mut Envelope, event: &Event) -> Result<()> {
    evolve(envelope, event)?;
    checked(envelope, event)
}

/// The envelope created by an `envelope.created` event with `seq` 1.
pub(crate) fn genesis(event: &Event) -> Result<Envelope> {
    let EventData::EnvelopeCreated {
        subject,
        message,
        signature_level,
        locale,
        expires_at,
        settings,
    } = &event.data
    else {
        return Err(invalid(format!(
            "the first event must be envelope.created, not {}",
            event.event_type()
        )));
    };
    check_version(event)?;
    if event.seq != 1 {
        return Err(invalid(format!(
            "envelope.created must have seq 1, not {}",
            event.seq
        )));
    }
    Ok(Envelope {
        schema_version: SCHEMA_VERSION,
        id: event.envelope_id.clone(),
        subject: subject.clone(),
        message: message.clone(),
        signature_level: *signature_level,
        locale: locale.clone(),
        status: EnvelopeStatus::Draft,
        documents: Vec::new(),
        recipients: Vec::new(),
        fields: Vec::new(),
        settings: *settings,
        round: 1,
        expires_at: *expires_at,
        version: 1,
        created_at: event.occurred_at,
        updated_at: event.occurred_at,
        sent_at: None,
        viewed_at: None,
        completed_at: None,
        declined_at: None,
        voided_at: None,
        void_reason: None,
        expired_at: None,
        deleted_at: None,
    })
}

/// Events written by a later version of paraph are not replayed.
fn check_version(event: &Event) -> Result<()> {
    if event.schema_version > SCHEMA_VERSION {
        return Err(Error::new(
            ErrorCode::UnsupportedSchemaVersion,
            format!(
                "event {} has schema version {}; this build reads up to {SCHEMA_VERSION}",
                event.seq, event.schema_version
            ),
        ));
    }
    Ok(())
}

/// Applies one event (after the first) to an envelope.
pub(crate) fn evolve(envelope: &mut Envelope, event: &Event) -> Result<()> {
    check_version(event)?;
    if event.envelope_id != envelope.id {
        return Err(invalid(format!(
            "event {} belongs to envelope {}, not {}",
            event.seq, event.envelope_id, envelope.id
        )));
    }
    let expected = envelope
        .version
        .checked_add(1)
        .filter(|next| *next <= super::validate::MAX_VERSION)
        .ok_or_else(|| {
            invalid(format!(
                "envelope {} has no version after {}",
                envelope.id, envelope.version
            ))
        })?;
    if event.seq != expected {
        return Err(invalid(format!(
            "expected event seq {expected}, found {}",
            event.seq
        )));
    }
    invariants::precondition(envelope, event)
        .map_err(|reason| invalid(format!("event {} cannot happen: {reason}", event.seq)))?;
    let at = event.occurred_at;
    match &event.data {
        EventData::EnvelopeCreated { .. } => {
            return Err(invalid("envelope.created can only be the first event"));
        }
        EventData::EnvelopeUpdated {
            subject,
            message,
            signature_level,
            locale,
            expires_at,
            settings,
        } => {
            envelope.subject = subject.clone();
            envelope.message = message.clone();
            envelope.signature_level = *signature_level;
            envelope.locale = locale.clone();
            envelope.expires_at = *expires_at;
            envelope.settings = *settings;
        }
        EventData::DocumentAdded { document } => envelope.documents.push(document.clone()),
        EventData::DocumentRemoved { document_id } => {
            require_document(envelope, document_id)?;
            envelope.documents.retain(|d| &d.id != document_id);
            envelope.fields.retain(|f| &f.document_id != document_id);
        }
        EventData::RecipientAdded { recipient } => envelope.recipients.push(recipient.clone()),
        EventData::RecipientUpdated { update } => update_recipient(envelope, update)?,
        EventData::RecipientRemoved { recipient_id } => {
            recipient_mut(envelope, recipient_id)?;
            envelope.recipients.retain(|r| &r.id != recipient_id);
            envelope.fields.retain(|f| &f.recipient_id != recipient_id);
        }
        EventData::FieldAdded { field } => envelope.fields.push(field.clone()),
        EventData::FieldUpdated { update } => update_field(envelope, update)?,
        EventData::FieldRemoved { field_id } => {
            field_index(envelope, field_id)?;
            envelope.fields.retain(|f| &f.id != field_id);
        }
        EventData::EnvelopeSent {
            documents,
            placements,
            round,
        } => {
            envelope.status = EnvelopeStatus::Sent;
            envelope.sent_at = Some(at);
            envelope.round = *round;
            for digest in documents {
                document_mut(envelope, &digest.document_id)?.sent_sha256 =
                    Some(digest.sha256.clone());
            }
            for placement in placements {
                let index = field_index(envelope, &placement.field_id)?;
                let field = &mut envelope.fields[index];
                field.page = placement.page;
                field.rect = placement.rect;
                field.anchor = None;
            }
        }
        EventData::EnvelopeReturnedToDraft { round, .. } => {
            envelope.status = EnvelopeStatus::Draft;
            envelope.round = round.saturating_add(1);
            for document in &mut envelope.documents {
                document.sent_sha256 = None;
            }
            for recipient in &mut envelope.recipients {
                recipient.status = RecipientStatus::Pending;
                recipient.notified_at = None;
                recipient.viewed_at = None;
                recipient.authenticated_at = None;
                recipient.failed_authentications = 0;
                recipient.locked_at = None;
                recipient.consent = None;
                recipient.reminder_count = 0;
                recipient.last_reminded_at = None;
            }
        }
        EventData::EnvelopeViewed { .. } => {
            envelope.viewed_at.get_or_insert(at);
        }
        EventData::RecipientAuthenticationRequested { recipient_id, .. } => {
            recipient_mut(envelope, recipient_id)?;
        }
        EventData::RecipientAuthenticated { recipient_id, .. } => {
            let recipient = recipient_mut(envelope, recipient_id)?;
            recipient.authenticated_at = Some(at);
            recipient.failed_authentications = 0;
        }
        EventData::RecipientAuthenticationFailed {
            recipient_id,
            attempts,
            ..
        } => {
            recipient_mut(envelope, recipient_id)?.failed_authentications = *attempts;
        }
        EventData::RecipientLocked { recipient_id } => {
            recipient_mut(envelope, recipient_id)?.locked_at = Some(at);
        }
        EventData::RecipientNotified { recipient_id, .. } => {
            let recipient = recipient_mut(envelope, recipient_id)?;
            if recipient.status == RecipientStatus::Pending {
                recipient.status = RecipientStatus::Notified;
            }
            recipient.notified_at.get_or_insert(at);
        }
        EventData::RecipientViewed { recipient_id } => {
            let recipient = recipient_mut(envelope, recipient_id)?;
            if recipient.status == RecipientStatus::Notified {
                recipient.status = RecipientStatus::Viewed;
            }
            recipient.viewed_at.get_or_insert(at);
        }
        EventData::FieldFilled {
            field_id, value, ..
        } => {
            let index = field_index(envelope, field_id)?;
            envelope.fields[index].value = Some(value.clone());
        }
        EventData::RecipientConsented {
            recipient_id,
            version,
            text_sha256,
        } => {
            let recipient = recipient_mut(envelope, recipient_id)?;
            recipient.consent = Some(Consent {
                version: version.clone(),
                text_sha256: text_sha256.clone(),
                given_at: at,
            });
        }
        EventData::RecipientSigned {
            recipient_id,
            documents,
            signature,
            certificate_sha256,
        } => {
            let recipient = recipient_mut(envelope, recipient_id)?;
            recipient.status = RecipientStatus::Signed;
            recipient.signed_at = Some(at);
            recipient.signature.clone_from(signature);
            recipient.certificate_sha256.clone_from(certificate_sha256);
            for digest in documents {
                document_mut(envelope, &digest.document_id)?.signed_sha256 =
                    Some(digest.sha256.clone());
            }
        }
        EventData::RecipientApproved {
            recipient_id,
            documents,
        } => {
            let recipient = recipient_mut(envelope, recipient_id)?;
            recipient.status = RecipientStatus::Approved;
            recipient.approved_at = Some(at);
            for digest in documents {
                document_mut(envelope, &digest.document_id)?.signed_sha256 =
                    Some(digest.sha256.clone());
            }
        }
        EventData::RecipientDeclined {
            recipient_id,
            reason,
        } => {
            let recipient = recipient_mut(envelope, recipient_id)?;
            recipient.status = RecipientStatus::Declined;
            recipient.declined_at = Some(at);
            recipient.decline_reason = Some(reason.clone());
        }
        EventData::RecipientReminded { recipient_id } => {
            let recipient = recipient_mut(envelope, recipient_id)?;
            recipient.reminder_count += 1;
            recipient.last_reminded_at = Some(at);
        }
        EventData::EnvelopeCompleted { documents } => {
            envelope.status = EnvelopeStatus::Completed;
            envelope.completed_at = Some(at);
            for digest in documents {
                document_mut(envelope, &digest.document_id)?.final_sha256 =
                    Some(digest.sha256.clone());
            }
        }
        EventData::EnvelopeDeclined { .. } => {
            envelope.status = EnvelopeStatus::Declined;
            envelope.declined_at = Some(at);
        }
        EventData::EnvelopeVoided { reason } => {
            envelope.status = EnvelopeStatus::Voided;
            envelope.voided_at = Some(at);
            envelope.void_reason = Some(reason.clone());
        }
        EventData::EnvelopeExpired { .. } => {
            envelope.status = EnvelopeStatus::Expired;
            envelope.expired_at = Some(at);
        }
        EventData::EnvelopeDeleted => envelope.deleted_at = Some(at),
    }
    envelope.version = event.seq;
    envelope.updated_at = at;
    Ok(())
}

/// A new recipient as [`EventData::RecipientAdded`] records it.
pub(crate) fn pending_recipient(new: super::command::NewRecipient) -> Recipient {
    Recipient {
        id: new.id,
        name: new.name,
        email: new.email,
        phone: new.phone,
        role: new.role,
        routing_order: new.routing_order,
        status: RecipientStatus::Pending,
        authentication: new.authentication,
        authenticated_at: None,
        failed_authentications: 0,
        locked_at: None,
        notified_at: None,
        viewed_at: None,
        signed_at: None,
        approved_at: None,
        declined_at: None,
        decline_reason: None,
        reminder_count: 0,
        last_reminded_at: None,
        consent: None,
        signature: None,
        certificate_sha256: None,
    }
}

/// Applies a draft's recipient change.
fn update_recipient(envelope: &mut Envelope, update: &UpdateRecipient) -> Result<()> {
    let recipient = recipient_mut(envelope, &update.recipient_id)?;
    if let Some(name) = &update.name {
        recipient.name.clone_from(name);
    }
    if let Some(email) = &update.email {
        recipient.email.clone_from(email);
    }
    if let Some(phone) = &update.phone {
        recipient.phone.clone_from(phone);
    }
    if let Some(role) = update.role {
        recipient.role = role;
    }
    if let Some(order) = update.routing_order {
        recipient.routing_order = order;
    }
    if let Some(method) = update.authentication {
        recipient.authentication = method;
    }
    Ok(())
}

/// Applies a draft's field change.
fn update_field(envelope: &mut Envelope, update: &UpdateField) -> Result<()> {
    let index = field_index(envelope, &update.field_id)?;
    let field = &mut envelope.fields[index];
    if let Some(recipient_id) = &update.recipient_id {
        field.recipient_id.clone_from(recipient_id);
    }
    if let Some(page) = update.page {
        field.page = page;
    }
    if let Some(rect) = update.rect {
        field.rect = rect;
    }
    if let Some(required) = update.required {
        field.required = required;
    }
    if let Some(value) = &update.value {
        field.value.clone_from(value);
    }
    if let Some(multiline) = update.multiline {
        field.multiline = multiline;
    }
    if let Some(anchor) = &update.anchor {
        field.anchor.clone_from(anchor);
    }
    Ok(())
}

fn document_mut<'a>(envelope: &'a mut Envelope, id: &str) -> Result<&'a mut super::Document> {
    envelope
        .documents
        .iter_mut()
        .find(|d| d.id == id)
        .ok_or_else(|| invalid(format!("unknown document {id}")))
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidEventLog, message)
}

fn require_document(envelope: &Envelope, id: &str) -> Result<()> {
    envelope
        .document(id)
        .map(|_| ())
        .ok_or_else(|| invalid(format!("unknown document {id}")))
}

fn recipient_mut<'a>(envelope: &'a mut Envelope, id: &str) -> Result<&'a mut Recipient> {
    envelope
        .recipients
        .iter_mut()
        .find(|r| r.id == id)
        .ok_or_else(|| invalid(format!("unknown recipient {id}")))
}

fn field_index(envelope: &Envelope, id: &str) -> Result<usize> {
    envelope
        .fields
        .iter()
        .position(|f| f.id == id)
        .ok_or_else(|| invalid(format!("unknown field {id}")))
}
