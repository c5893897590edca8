//! What every envelope holds, however it was obtained: decided by
//! [`apply`](super::apply), rebuilt by [`replay`](super::replay) or loaded by
//! [`Envelope::from_json`]. `apply` enforces these through its command
//! checks; replay and loading cannot rely on a command having been checked,
//! so they check the result, and the evidence builder, which replays, refuses
//! whatever replay refuses.

use std::collections::HashSet;

use super::event::{Event, EventData};
use super::model::{Envelope, EnvelopeStatus, RecipientRole};
use super::validate;
use crate::{Error, ErrorCode, Result};

/// Checks the structural invariants of `envelope`; a failure names the first
/// one broken.
pub(crate) fn check(envelope: &Envelope) -> std::result::Result<(), String> {
    let reason = |e: Error| e.message().to_owned();
    if envelope.schema_version != super::SCHEMA_VERSION {
        return Err(format!(
            "schema version {} is not {}",
            envelope.schema_version,
            super::SCHEMA_VERSION
        ));
    }
    validate::id("envelope", &envelope.id).map_err(reason)?;
    validate::subject(&envelope.subject).map_err(reason)?;
    validate::message(envelope.message.as_deref()).map_err(reason)?;
    validate::locale(&envelope.locale).map_err(reason)?;
    validate::settings(&envelope.settings).map_err(reason)?;
    if envelope.version == 0 || envelope.version > validate::MAX_VERSION {
        return Err(format!(
            "version {} is outside 1..={}",
            envelope.version,
            validate::MAX_VERSION
        ));
    }
    if envelope.round == 0 {
        return Err("round 0 does not exist: rounds count from 1".into());
    }
    if envelope.updated_at < envelope.created_at {
        return Err("it was updated before it was created".into());
    }
    at_most(
        "documents",
        envelope.documents.len(),
        validate::MAX_DOCUMENTS,
    )?;
    at_most(
        "recipients",
        envelope.recipients.len(),
        validate::MAX_RECIPIENTS,
    )?;
    at_most("fields", envelope.fields.len(), validate::MAX_FIELDS)?;
    let mut ids = HashSet::new();
    for document in &envelope.documents {
        validate::id("document", &document.id).map_err(reason)?;
        validate::document_name(&document.name).map_err(reason)?;
        validate::page_count(document.page_count).map_err(reason)?;
        if !ids.insert(document.id.as_str()) {
            return Err(format!("two documents have the id {}", document.id));
        }
    }
    let mut ids = HashSet::new();
    let mut emails = HashSet::new();
    for recipient in &envelope.recipients {
        validate::id("recipient", &recipient.id).map_err(reason)?;
        if !ids.insert(recipient.id.as_str()) {
            return Err(format!("two recipients have the id {}", recipient.id));
        }
        if let Some(email) = &recipient.email
            && !emails.insert(email.to_ascii_lowercase())
        {
            return Err(format!("two recipients have the email {email}"));
        }
        recipient_fields_ok(recipient)?;
    }
    let mut ids = HashSet::new();
    for field in &envelope.fields {
        validate::id("field", &field.id).map_err(reason)?;
        if !ids.insert(field.id.as_str()) {
            return Err(format!("two fields have the id {}", field.id));
        }
    }
    for field in &envelope.fields {
        field_ok(envelope, field)?;
    }
    Ok(())
}

/// Whether `event` may happen to `envelope` as it is, as `apply` would
/// have decided it: in the status it needs, not before the last event, and
/// for recipient actions by that recipient, in their turn and role.
pub(crate) fn precondition(envelope: &Envelope, event: &Event) -> std::result::Result<(), String> {
    if envelope.deleted_at.is_some() {
        return Err(format!("envelope {} was deleted", envelope.id));
    }
    if event.occurred_at < envelope.updated_at {
        return Err(format!(
            "it happened at {}, before the envelope's last event at {}",
            event.occurred_at.to_rfc3339(),
            envelope.updated_at.to_rfc3339()
        ));
    }
    let needs = match &event.data {
        EventData::EnvelopeCreated { .. } => return Err("envelope.created comes first only".into()),
        EventData::EnvelopeUpdated { .. }
        | EventData::DocumentAdded { .. }
        | EventData::DocumentRemoved { .. }
        | EventData::RecipientAdded { .. }
        | EventData::RecipientUpdated { .. }
        | EventData::RecipientRemoved { .. }
        | EventData::FieldAdded { .. }
        | EventData::FieldUpdated { .. }
        | EventData::FieldRemoved { .. }
        | EventData::EnvelopeSent { .. }
        | EventData::EnvelopeDeleted => EnvelopeStatus::Draft,
        _ => EnvelopeStatus::Sent,
    };
    if envelope.status != needs {
        return Err(format!(
            "{} needs a {} envelope; envelope {} is {}",
            event.event_type(),
            needs.as_str(),
            envelope.id,
            envelope.status.as_str()
        ));
    }
    let (recipient_id, role) = match &event.data {
        EventData::RecipientSigned { recipient_id, .. } => {
            (recipient_id, Some(RecipientRole::Signer))
        }
        EventData::RecipientApproved { recipient_id, .. } => {
            (recipient_id, Some(RecipientRole::Approver))
        }
        EventData::RecipientDeclined { recipient_id, .. } => (recipient_id, None),
        _ => return Ok(()),
    };
    let Some(recipient) = envelope.recipient(recipient_id) else {
        return Err(format!("recipient {recipient_id} is not in the envelope"));
    };
    if !recipient.status.is_active() {
        return Err(format!(
            "recipient {recipient_id} is {} and cannot act",
            recipient.status.as_str()
        ));
    }
    if role.is_some_and(|role| role != recipient.role) || !recipient.role.must_act() {
        return Err(format!(
            "recipient {recipient_id} is a {} and cannot {}",
            recipient.role.as_str(),
            event.event_type()
        ));
    }
    match &event.actor {
        super::Actor::Recipient { id } if id == recipient_id => Ok(()),
        actor => Err(format!(
            "{} is recorded as done by {}, not by recipient {recipient_id}",
            event.event_type(),
            actor.label()
        )),
    }
}

/// The part of [`check`] that `event` could have broken, on the envelope
/// right after it: constant work for most events, a scan of one list for
/// additions, so that replaying a history stays linear in its length (up
/// to the caps) while every state along it is one `apply` could produce.
pub(crate) fn check_after(envelope: &Envelope, event: &Event) -> std::result::Result<(), String> {
    let reason = |e: Error| e.message().to_owned();
    match &event.data {
        EventData::EnvelopeCreated { .. } => check(envelope),
        EventData::EnvelopeUpdated { .. } => {
            validate::subject(&envelope.subject).map_err(reason)?;
            validate::message(envelope.message.as_deref()).map_err(reason)?;
            validate::locale(&envelope.locale).map_err(reason)?;
            validate::settings(&envelope.settings).map_err(reason)
        }
        EventData::DocumentAdded { document } => {
            validate::id("document", &document.id).map_err(reason)?;
            validate::document_name(&document.name).map_err(reason)?;
            validate::page_count(document.page_count).map_err(reason)?;
            at_most(
                "documents",
                envelope.documents.len(),
                validate::MAX_DOCUMENTS,
            )?;
            once(
                "document",
                &document.id,
                envelope.documents.iter().map(|d| d.id.as_str()),
            )
        }
        EventData::RecipientAdded { recipient } => {
            validate::id("recipient", &recipient.id).map_err(reason)?;
            at_most(
                "recipients",
                envelope.recipients.len(),
                validate::MAX_RECIPIENTS,
            )?;
            once(
                "recipient",
                &recipient.id,
                envelope.recipients.iter().map(|r| r.id.as_str()),
            )?;
            recipient_ok(envelope, &recipient.id)
        }
        EventData::RecipientUpdated { update } => recipient_ok(envelope, &update.recipient_id),
        EventData::FieldAdded { field } => {
            validate::id("field", &field.id).map_err(reason)?;
            at_most("fields", envelope.fields.len(), validate::MAX_FIELDS)?;
            once(
                "field",
                &field.id,
                envelope.fields.iter().map(|f| f.id.as_str()),
            )?;
            field_by_id(envelope, &field.id)
        }
        EventData::FieldUpdated { update } => field_by_id(envelope, &update.field_id),
        _ => Ok(()),
    }
}

fn at_most(what: &str, count: usize, max: usize) -> std::result::Result<(), String> {
    if count > max {
        Err(format!(
            "it has {count} {what}; an envelope holds at most {max}"
        ))
    } else {
        Ok(())
    }
}

fn once<'a>(
    kind: &str,
    id: &str,
    ids: impl Iterator<Item = &'a str>,
) -> std::result::Result<(), String> {
    if ids.filter(|other| *other == id).nth(1).is_some() {
        Err(format!("two {kind}s have the id {id}"))
    } else {
        Ok(())
    }
}

fn recipient_ok(envelope: &Envelope, id: &str) -> std::result::Result<(), String> {
    let Some(recipient) = envelope.recipient(id) else {
        return Err(format!("recipient {id} is not in the envelope"));
    };
    if let Some(email) = &recipient.email {
        let shared = envelope.recipients.iter().any(|other| {
            other.id != recipient.id
                && other
                    .email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(email))
        });
        if shared {
            return Err(format!("two recipients have the email {email}"));
        }
    }
    recipient_fields_ok(recipient)
}

fn recipient_fields_ok(recipient: &super::model::Recipient) -> std::result::Result<(), String> {
    if recipient.routing_order == 0 || recipient.routing_order > validate::MAX_ROUTING_ORDER {
        return Err(format!(
            "recipient {} has routing order {}, outside 1..={}",
            recipient.id,
            recipient.routing_order,
            validate::MAX_ROUTING_ORDER
        ));
    }
    if recipient.name.is_empty()
        || recipient.name.chars().count() > validate::MAX_NAME_LEN
        || recipient.name.chars().any(char::is_control)
    {
        return Err(format!(
            "recipient {} has a name that is empty, too long or holds control characters",
            recipient.id
        ));
    }
    Ok(())
}

fn field_by_id(envelope: &Envelope, id: &str) -> std::result::Result<(), String> {
    match envelope.fields.iter().find(|f| f.id == id) {
        Some(field) => field_ok(envelope, field),
        None => Err(format!("field {id} is not in the envelope")),
    }
}

fn field_ok(envelope: &Envelope, field: &super::model::Field) -> std::result::Result<(), String> {
    let Some(document) = envelope.document(&field.document_id) else {
        return Err(format!(
            "field {} is on document {}, which the envelope does not have",
            field.id, field.document_id
        ));
    };
    if envelope.recipient(&field.recipient_id).is_none() {
        return Err(format!(
            "field {} belongs to recipient {}, whom the envelope does not have",
            field.id, field.recipient_id
        ));
    }
    // An anchored field has no page until it is placed at send.
    let unplaced = field.anchor.is_some() && field.page == 0;
    if !unplaced && (field.page == 0 || field.page > document.page_count) {
        return Err(format!(
            "field {} is on page {} of a {}-page document",
            field.id, field.page, document.page_count
        ));
    }
    Ok(())
}

/// [`check`] for an envelope loaded from JSON (`INVALID_ENVELOPE`).
pub(crate) fn check_loaded(envelope: &Envelope) -> Result<()> {
    check(envelope).map_err(|reason| {
        Error::new(
            ErrorCode::InvalidEnvelope,
            format!("the envelope {} is not valid: {reason}", envelope.id),
        )
    })
}
