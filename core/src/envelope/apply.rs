//! Deciding: checking a command against the envelope and producing events.

use serde::{Deserialize, Serialize};

use super::command::{
    Actor, Command, Context, CreateEnvelope, NewDocument, NewField, NewRecipient, UpdateEnvelope,
};
use super::event::{Event, EventData, NotificationReason};
use super::evolve::{evolve, genesis, pending_recipient};
use super::model::{
    Document, DocumentDigest, Envelope, EnvelopeStatus, Field, FieldKind, RecipientRole,
    RecipientStatus, SignatureMark,
};
use super::validate;
use crate::error::{Error, ErrorCode, Result};

/// The outcome of a command: the new envelope and the events that led to it,
/// in order. Persist the events (they are the history) and the envelope (a
/// snapshot of it); publish the events to webhooks and the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    /// The envelope after the command.
    pub envelope: Envelope,
    /// The events the command produced, with consecutive `seq` numbers.
    pub events: Vec<Event>,
}

/// Creates a draft envelope.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use paraph::envelope::{self, Actor, Context, CreateEnvelope, EnvelopeStatus};
///
/// let now = Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap();
/// let ctx = Context::new(now, Actor::ApiKey { id: "key_1".into() });
/// let created = envelope::create(
///     CreateEnvelope {
///         id: "env_1".into(),
///         subject: "Employment contract".into(),
///         message: None,
///         signature_level: Default::default(),
///         locale: "en".into(),
///         expires_at: None,
///     },
///     &ctx,
/// )?;
/// assert_eq!(created.envelope.status, EnvelopeStatus::Draft);
/// assert_eq!(created.events[0].event_type(), "envelope.created");
/// # Ok::<(), paraph::Error>(())
/// ```
pub fn create(params: CreateEnvelope, ctx: &Context) -> Result<Transition> {
    forbid_recipient_actor(ctx, "create")?;
    validate::id("envelope", &params.id)?;
    validate::subject(&params.subject)?;
    validate::message(params.message.as_deref())?;
    validate::locale(&params.locale)?;
    validate::expiry(params.expires_at, ctx.now)?;
    let event = Event {
        envelope_id: params.id,
        seq: 1,
        occurred_at: ctx.now,
        actor: ctx.actor.clone(),
        ip: ctx.ip.clone(),
        user_agent: ctx.user_agent.clone(),
        data: EventData::EnvelopeCreated {
            subject: params.subject,
            message: params.message,
            signature_level: params.signature_level,
            locale: params.locale,
            expires_at: params.expires_at,
        },
    };
    let envelope = genesis(&event)?;
    Ok(Transition {
        envelope,
        events: vec![event],
    })
}

/// Applies a command to an envelope, or to no envelope yet.
///
/// Returns the new envelope and the events it produced, or a typed error
/// and no change at all: the input is never modified.
///
/// From no envelope (`None`), only [`Command::Create`] is accepted (it is
/// [`create`]); anything else is `ENVELOPE_NOT_FOUND`. To an envelope,
/// `Create` is `ENVELOPE_ALREADY_EXISTS`.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use paraph::envelope::{self, Actor, Command, Context, CreateEnvelope};
///
/// let ctx = Context::new(Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap(), Actor::System);
/// let command: Command = serde_json::from_str(r#"{"type": "create", "id": "env_1", "subject": "Offer"}"#)?;
/// let created = envelope::apply(None, command, &ctx)?;
/// let again = envelope::apply(&created.envelope, Command::Send, &ctx);
/// assert_eq!(again.unwrap_err().code().name(), "NO_DOCUMENT");
/// # Ok::<(), paraph::Error>(())
/// ```
pub fn apply<'e>(
    envelope: impl Into<Option<&'e Envelope>>,
    command: Command,
    ctx: &Context,
) -> Result<Transition> {
    let envelope = match (envelope.into(), command) {
        (None, Command::Create(params)) => return create(params, ctx),
        (None, command) => {
            return Err(Error::new(
                ErrorCode::EnvelopeNotFound,
                format!(
                    "there is no envelope to {}; create one first",
                    command.name()
                ),
            ));
        }
        (Some(envelope), command) => (envelope, command),
    };
    let (envelope, command) = envelope;
    if envelope.deleted_at.is_some() {
        return Err(Error::new(
            ErrorCode::EnvelopeDeleted,
            format!("envelope {} has been deleted", envelope.id),
        ));
    }
    if envelope.is_terminal() {
        return Err(Error::new(
            ErrorCode::EnvelopeTerminal,
            format!(
                "envelope {} is {} and accepts no command",
                envelope.id,
                envelope.status.as_str()
            ),
        ));
    }
    if let Command::Create(_) = command {
        return Err(Error::new(
            ErrorCode::EnvelopeAlreadyExists,
            format!("envelope {} already exists", envelope.id),
        ));
    }
    if ctx.now < envelope.updated_at {
        return Err(Error::new(
            ErrorCode::TimeBeforeLastEvent,
            format!(
                "the command's time {} is before the envelope's last event at {}",
                ctx.now.to_rfc3339(),
                envelope.updated_at.to_rfc3339()
            ),
        ));
    }
    check_actor(envelope, &command, ctx)?;
    if envelope.status == EnvelopeStatus::Sent
        && envelope.expires_at.is_some_and(|at| ctx.now >= at)
        && !matches!(command, Command::Expire | Command::Void { .. })
    {
        return Err(Error::new(
            ErrorCode::EnvelopeExpired,
            format!(
                "envelope {} expired at {}; only expire and void are accepted",
                envelope.id,
                envelope
                    .expires_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_default()
            ),
        ));
    }

    let mut step = Step::new(envelope, ctx);
    match command {
        Command::Create(_) => {
            return Err(Error::new(
                ErrorCode::EnvelopeAlreadyExists,
                format!("envelope {} already exists", envelope.id),
            ));
        }
        Command::Update(update) => step.update(update)?,
        Command::AddDocument(document) => step.add_document(document)?,
        Command::RemoveDocument { document_id } => step.remove_document(document_id)?,
        Command::AddRecipient(recipient) => step.add_recipient(recipient)?,
        Command::RemoveRecipient { recipient_id } => step.remove_recipient(recipient_id)?,
        Command::AddField(field) => step.add_field(field)?,
        Command::RemoveField { field_id } => step.remove_field(field_id)?,
        Command::Send => step.send()?,
        Command::View { recipient_id } => step.view(recipient_id)?,
        Command::FillField {
            recipient_id,
            field_id,
            value,
        } => step.fill_field(recipient_id, field_id, value)?,
        Command::Consent {
            recipient_id,
            version,
            text_sha256,
        } => step.consent(recipient_id, version, text_sha256)?,
        Command::Sign {
            recipient_id,
            documents,
            signature,
        } => step.sign(recipient_id, documents, signature)?,
        Command::Approve { recipient_id } => step.approve(recipient_id)?,
        Command::Decline {
            recipient_id,
            reason,
        } => step.decline(recipient_id, reason)?,
        Command::Void { reason } => step.void(reason)?,
        Command::Expire => step.expire()?,
        Command::Remind { recipient_ids } => step.remind(recipient_ids)?,
        Command::Delete => step.delete()?,
    }
    Ok(step.finish())
}

/// Recipients act only for themselves and only through recipient commands;
/// recipient commands are only taken from recipients, so that the evidence
/// always names the person who acted.
fn check_actor(envelope: &Envelope, command: &Command, ctx: &Context) -> Result<()> {
    match (&ctx.actor, command.acting_recipient()) {
        (Actor::Recipient { id }, Some(acting)) if id == acting => Ok(()),
        (Actor::Recipient { id }, Some(acting)) => Err(Error::new(
            ErrorCode::ActorNotAllowed,
            format!("recipient {id} cannot act for recipient {acting}"),
        )),
        (Actor::Recipient { id }, None) => Err(Error::new(
            ErrorCode::ActorNotAllowed,
            format!(
                "recipient {id} cannot {} envelope {}",
                command.name(),
                envelope.id
            ),
        )),
        (actor, Some(acting)) => Err(Error::new(
            ErrorCode::ActorNotAllowed,
            format!(
                "only recipient {acting} can {}; {} cannot act for them",
                command.name(),
                actor.label()
            ),
        )),
        (_, None) => Ok(()),
    }
}

fn forbid_recipient_actor(ctx: &Context, command: &str) -> Result<()> {
    match &ctx.actor {
        Actor::Recipient { id } => Err(Error::new(
            ErrorCode::ActorNotAllowed,
            format!("recipient {id} cannot {command} an envelope"),
        )),
        _ => Ok(()),
    }
}

/// A command being decided: a working copy of the envelope that every
/// emitted event is folded into at once, so that later checks of the same
/// command (routing after a signature) see its effects.
struct Step<'c> {
    envelope: Envelope,
    events: Vec<Event>,
    ctx: &'c Context,
}

impl<'c> Step<'c> {
    fn new(envelope: &Envelope, ctx: &'c Context) -> Self {
        Self {
            envelope: envelope.clone(),
            events: Vec::new(),
            ctx,
        }
    }

    fn finish(self) -> Transition {
        Transition {
            envelope: self.envelope,
            events: self.events,
        }
    }

    fn emit(&mut self, data: EventData) -> Result<()> {
        let event = Event {
            envelope_id: self.envelope.id.clone(),
            seq: self.envelope.version + 1,
            occurred_at: self.ctx.now,
            actor: self.ctx.actor.clone(),
            ip: self.ctx.ip.clone(),
            user_agent: self.ctx.user_agent.clone(),
            data,
        };
        evolve(&mut self.envelope, &event).map_err(|e| {
            Error::new(
                ErrorCode::Internal,
                format!("a decided event did not apply: {}", e.message()),
            )
        })?;
        self.events.push(event);
        Ok(())
    }

    fn require_draft(&self, command: &str) -> Result<()> {
        if self.envelope.status == EnvelopeStatus::Draft {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::EnvelopeNotDraft,
                format!(
                    "cannot {command}: envelope {} is {}",
                    self.envelope.id,
                    self.envelope.status.as_str()
                ),
            ))
        }
    }

    fn require_sent(&self, command: &str) -> Result<()> {
        if self.envelope.status == EnvelopeStatus::Sent {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::EnvelopeNotSent,
                format!(
                    "cannot {command}: envelope {} is {}",
                    self.envelope.id,
                    self.envelope.status.as_str()
                ),
            ))
        }
    }

    fn recipient_index(&self, id: &str) -> Result<usize> {
        self.envelope
            .recipients
            .iter()
            .position(|r| r.id == id)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::RecipientNotFound,
                    format!("envelope {} has no recipient {id}", self.envelope.id),
                )
            })
    }

    fn field(&self, id: &str) -> Result<&Field> {
        self.envelope.field(id).ok_or_else(|| {
            Error::new(
                ErrorCode::FieldNotFound,
                format!("envelope {} has no field {id}", self.envelope.id),
            )
        })
    }

    fn document(&self, id: &str) -> Result<&Document> {
        self.envelope.document(id).ok_or_else(|| {
            Error::new(
                ErrorCode::DocumentNotFound,
                format!("envelope {} has no document {id}", self.envelope.id),
            )
        })
    }

    // ---- draft editing ----

    fn update(&mut self, update: UpdateEnvelope) -> Result<()> {
        self.require_draft("update")?;
        let current = &self.envelope;
        let subject = update.subject.unwrap_or_else(|| current.subject.clone());
        let message = update.message.unwrap_or_else(|| current.message.clone());
        let signature_level = update.signature_level.unwrap_or(current.signature_level);
        let locale = update.locale.unwrap_or_else(|| current.locale.clone());
        let expires_at = update.expires_at.unwrap_or(current.expires_at);
        validate::subject(&subject)?;
        validate::message(message.as_deref())?;
        validate::locale(&locale)?;
        validate::expiry(expires_at, self.ctx.now)?;
        self.emit(EventData::EnvelopeUpdated {
            subject,
            message,
            signature_level,
            locale,
            expires_at,
        })
    }

    fn add_document(&mut self, new: NewDocument) -> Result<()> {
        self.require_draft("add a document")?;
        validate::id("document", &new.id)?;
        validate::document_name(&new.name)?;
        validate::page_count(new.page_count)?;
        validate::sha256_hex("document", &new.sha256)?;
        validate::capacity(
            "documents",
            self.envelope.documents.len(),
            validate::MAX_DOCUMENTS,
        )?;
        if self.envelope.document(&new.id).is_some() {
            return Err(duplicate("document", &new.id));
        }
        self.emit(EventData::DocumentAdded {
            document: Document {
                id: new.id,
                name: new.name,
                page_count: new.page_count,
                sha256: new.sha256,
                signed_sha256: None,
            },
        })
    }

    fn remove_document(&mut self, document_id: String) -> Result<()> {
        self.require_draft("remove a document")?;
        self.document(&document_id)?;
        self.emit(EventData::DocumentRemoved { document_id })
    }

    fn add_recipient(&mut self, new: NewRecipient) -> Result<()> {
        self.require_draft("add a recipient")?;
        validate::id("recipient", &new.id)?;
        validate::recipient(&new)?;
        validate::capacity(
            "recipients",
            self.envelope.recipients.len(),
            validate::MAX_RECIPIENTS,
        )?;
        if self.envelope.recipient(&new.id).is_some() {
            return Err(duplicate("recipient", &new.id));
        }
        self.emit(EventData::RecipientAdded {
            recipient: pending_recipient(new),
        })
    }

    fn remove_recipient(&mut self, recipient_id: String) -> Result<()> {
        self.require_draft("remove a recipient")?;
        self.recipient_index(&recipient_id)?;
        self.emit(EventData::RecipientRemoved { recipient_id })
    }

    fn add_field(&mut self, new: NewField) -> Result<()> {
        self.require_draft("add a field")?;
        validate::id("field", &new.id)?;
        validate::capacity("fields", self.envelope.fields.len(), validate::MAX_FIELDS)?;
        if self.envelope.field(&new.id).is_some() {
            return Err(duplicate("field", &new.id));
        }
        let document = self.document(&new.document_id)?;
        if new.page == 0 || new.page > document.page_count {
            return Err(Error::new(
                ErrorCode::FieldOutOfBounds,
                format!(
                    "field {} is on page {} but document {} has pages 1 to {}",
                    new.id, new.page, document.id, document.page_count
                ),
            ));
        }
        if !new.rect.is_well_formed() {
            return Err(Error::new(
                ErrorCode::FieldOutOfBounds,
                format!(
                    "field {} needs a finite rectangle with x, y >= 0 and a positive size",
                    new.id
                ),
            ));
        }
        let recipient = &self.envelope.recipients[self.recipient_index(&new.recipient_id)?];
        let allowed = if new.kind.is_filled_by_signing() {
            recipient.role == RecipientRole::Signer
        } else {
            recipient.role.must_act()
        };
        if !allowed {
            return Err(Error::new(
                ErrorCode::FieldRecipientNotAllowed,
                format!(
                    "a {} field cannot belong to recipient {}, who is a {}",
                    new.kind.as_str(),
                    recipient.id,
                    recipient.role.as_str()
                ),
            ));
        }
        if let Some(value) = &new.value {
            validate::field_value(&new.id, new.kind, value)?;
        }
        self.emit(EventData::FieldAdded {
            field: Field {
                id: new.id,
                document_id: new.document_id,
                recipient_id: new.recipient_id,
                kind: new.kind,
                page: new.page,
                rect: new.rect,
                required: new.required,
                value: new.value,
            },
        })
    }

    fn remove_field(&mut self, field_id: String) -> Result<()> {
        self.require_draft("remove a field")?;
        self.field(&field_id)?;
        self.emit(EventData::FieldRemoved { field_id })
    }

    fn delete(&mut self) -> Result<()> {
        self.require_draft("delete")?;
        self.emit(EventData::EnvelopeDeleted)
    }

    // ---- sending and routing ----

    fn send(&mut self) -> Result<()> {
        self.require_draft("send")?;
        let envelope = &self.envelope;
        if envelope.documents.is_empty() {
            return Err(Error::new(
                ErrorCode::NoDocument,
                format!("envelope {} has no document to send", envelope.id),
            ));
        }
        if !envelope
            .recipients
            .iter()
            .any(|r| r.role == RecipientRole::Signer)
        {
            return Err(Error::new(
                ErrorCode::NoSigner,
                format!("envelope {} needs at least one signer", envelope.id),
            ));
        }
        if let Some(field) = envelope.fields.iter().find(|f| {
            f.kind == FieldKind::Signature
                && envelope
                    .recipient(&f.recipient_id)
                    .is_none_or(|r| r.role != RecipientRole::Signer)
        }) {
            return Err(Error::new(
                ErrorCode::FieldRecipientNotAllowed,
                format!("signature field {} does not belong to a signer", field.id),
            ));
        }
        validate::expiry(envelope.expires_at, self.ctx.now)?;
        let documents = envelope.document_digests();
        self.emit(EventData::EnvelopeSent { documents })?;
        self.advance_routing()
    }

    /// Notifies everyone whose routing order has been reached, or completes
    /// the envelope when every signer and approver has acted.
    fn advance_routing(&mut self) -> Result<()> {
        match self.envelope.active_routing_order() {
            Some(order) => {
                for recipient_id in self.pending_up_to(order) {
                    self.emit(EventData::RecipientNotified {
                        recipient_id,
                        reason: NotificationReason::RoutingOrderReached,
                    })?;
                }
                Ok(())
            }
            None => {
                // CCs receive the completed documents; CCs and viewers whose
                // order was never reached are told now.
                let mut to_notify: Vec<(u32, usize, String)> = self
                    .envelope
                    .recipients
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| {
                        r.role == RecipientRole::Cc || r.status == RecipientStatus::Pending
                    })
                    .map(|(i, r)| (r.routing_order, i, r.id.clone()))
                    .collect();
                to_notify.sort();
                for (_, _, recipient_id) in to_notify {
                    self.emit(EventData::RecipientNotified {
                        recipient_id,
                        reason: NotificationReason::EnvelopeCompleted,
                    })?;
                }
                let documents = self.envelope.document_digests();
                self.emit(EventData::EnvelopeCompleted { documents })
            }
        }
    }

    /// Pending recipients with a routing order up to `order`, by order then
    /// by the order they were added.
    fn pending_up_to(&self, order: u32) -> Vec<String> {
        let mut pending: Vec<(u32, usize, String)> = self
            .envelope
            .recipients
            .iter()
            .enumerate()
            .filter(|(_, r)| r.status == RecipientStatus::Pending && r.routing_order <= order)
            .map(|(i, r)| (r.routing_order, i, r.id.clone()))
            .collect();
        pending.sort();
        pending.into_iter().map(|(_, _, id)| id).collect()
    }

    // ---- recipient actions ----

    /// The recipient, checked to be one whose turn it is and who has not acted.
    fn active_recipient(&self, id: &str, command: &str) -> Result<usize> {
        let index = self.recipient_index(id)?;
        let recipient = &self.envelope.recipients[index];
        match recipient.status {
            RecipientStatus::Notified | RecipientStatus::Viewed => Ok(index),
            RecipientStatus::Signed | RecipientStatus::Approved | RecipientStatus::Declined => {
                Err(Error::new(
                    ErrorCode::RecipientAlreadyActed,
                    format!(
                        "recipient {id} cannot {command}: already {}",
                        recipient.status.as_str()
                    ),
                ))
            }
            RecipientStatus::Pending => Err(Error::new(
                ErrorCode::RecipientNotActive,
                format!(
                    "recipient {id} cannot {command} yet: routing order {} has not been reached",
                    recipient.routing_order
                ),
            )),
        }
    }

    fn require_role(&self, index: usize, role: RecipientRole, command: &str) -> Result<()> {
        let recipient = &self.envelope.recipients[index];
        if recipient.role == role {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::RecipientRoleMismatch,
                format!(
                    "recipient {} is a {} and cannot {command}",
                    recipient.id,
                    recipient.role.as_str()
                ),
            ))
        }
    }

    fn view(&mut self, recipient_id: String) -> Result<()> {
        self.require_sent("view")?;
        let index = self.recipient_index(&recipient_id)?;
        let recipient = &self.envelope.recipients[index];
        if matches!(
            recipient.status,
            RecipientStatus::Pending | RecipientStatus::Declined
        ) {
            return Err(Error::new(
                ErrorCode::RecipientNotActive,
                format!(
                    "recipient {recipient_id} cannot view: status is {}",
                    recipient.status.as_str()
                ),
            ));
        }
        self.emit(EventData::RecipientViewed { recipient_id })
    }

    fn fill_field(&mut self, recipient_id: String, field_id: String, value: String) -> Result<()> {
        self.require_sent("fill a field")?;
        self.active_recipient(&recipient_id, "fill a field")?;
        let field = self.field(&field_id)?;
        if field.recipient_id != recipient_id {
            return Err(Error::new(
                ErrorCode::FieldNotOwned,
                format!(
                    "field {field_id} belongs to recipient {}, not {recipient_id}",
                    field.recipient_id
                ),
            ));
        }
        validate::field_value(&field_id, field.kind, &value)?;
        self.emit(EventData::FieldFilled {
            recipient_id,
            field_id,
            value,
        })
    }

    fn require_fields_filled(&self, recipient_id: &str) -> Result<()> {
        let missing: Vec<&str> = self
            .envelope
            .fields_of(recipient_id)
            .filter(|f| f.required && !f.kind.is_filled_by_signing())
            .filter(|f| match (f.kind, f.value.as_deref()) {
                (FieldKind::Checkbox, value) => value != Some("true"),
                (_, value) => value.is_none_or(|v| v.trim().is_empty()),
            })
            .map(|f| f.id.as_str())
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(Error::new(
                ErrorCode::RequiredFieldMissing,
                format!(
                    "recipient {recipient_id} must first fill required field(s) {}",
                    missing.join(", ")
                ),
            ))
        }
    }

    fn consent(
        &mut self,
        recipient_id: String,
        version: String,
        text_sha256: String,
    ) -> Result<()> {
        self.require_sent("consent")?;
        let index = self.active_recipient(&recipient_id, "consent")?;
        let role = self.envelope.recipients[index].role;
        if !role.must_act() {
            return Err(Error::new(
                ErrorCode::RecipientRoleMismatch,
                format!(
                    "recipient {recipient_id} is a {} and signs nothing to consent to",
                    role.as_str()
                ),
            ));
        }
        validate::consent(&version, &text_sha256)?;
        self.emit(EventData::RecipientConsented {
            recipient_id,
            version,
            text_sha256,
        })
    }

    fn sign(
        &mut self,
        recipient_id: String,
        documents: Vec<DocumentDigest>,
        signature: Option<SignatureMark>,
    ) -> Result<()> {
        self.require_sent("sign")?;
        let index = self.active_recipient(&recipient_id, "sign")?;
        self.require_role(index, RecipientRole::Signer, "sign")?;
        self.require_fields_filled(&recipient_id)?;
        if let Some(mark) = &signature {
            validate::signature_mark(mark)?;
        }
        for (i, digest) in documents.iter().enumerate() {
            self.document(&digest.document_id)?;
            validate::sha256_hex("signed document", &digest.sha256)?;
            if documents[..i]
                .iter()
                .any(|d| d.document_id == digest.document_id)
            {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!("document {} is listed twice", digest.document_id),
                ));
            }
        }
        self.emit(EventData::RecipientSigned {
            recipient_id,
            documents,
            signature,
        })?;
        self.advance_routing()
    }

    fn approve(&mut self, recipient_id: String) -> Result<()> {
        self.require_sent("approve")?;
        let index = self.active_recipient(&recipient_id, "approve")?;
        self.require_role(index, RecipientRole::Approver, "approve")?;
        self.require_fields_filled(&recipient_id)?;
        self.emit(EventData::RecipientApproved { recipient_id })?;
        self.advance_routing()
    }

    fn decline(&mut self, recipient_id: String, reason: String) -> Result<()> {
        self.require_sent("decline")?;
        let index = self.active_recipient(&recipient_id, "decline")?;
        let role = self.envelope.recipients[index].role;
        if !role.must_act() {
            return Err(Error::new(
                ErrorCode::RecipientRoleMismatch,
                format!(
                    "recipient {recipient_id} is a {} and has nothing to decline",
                    role.as_str()
                ),
            ));
        }
        let reason = validate::reason("decline", &reason)?;
        self.emit(EventData::RecipientDeclined {
            recipient_id: recipient_id.clone(),
            reason: reason.clone(),
        })?;
        self.emit(EventData::EnvelopeDeclined {
            recipient_id,
            reason,
        })
    }

    // ---- sender and scheduler ----

    fn void(&mut self, reason: String) -> Result<()> {
        self.require_sent("void")?;
        let reason = validate::reason("void", &reason)?;
        self.emit(EventData::EnvelopeVoided { reason })
    }

    fn expire(&mut self) -> Result<()> {
        self.require_sent("expire")?;
        match self.envelope.expires_at {
            Some(at) if self.ctx.now >= at => {
                let missing_recipient_ids = self.envelope.missing_recipient_ids();
                self.emit(EventData::EnvelopeExpired {
                    missing_recipient_ids,
                })
            }
            Some(at) => Err(Error::new(
                ErrorCode::EnvelopeNotExpired,
                format!(
                    "envelope {} expires at {}, not yet",
                    self.envelope.id,
                    at.to_rfc3339()
                ),
            )),
            None => Err(Error::new(
                ErrorCode::EnvelopeNotExpired,
                format!("envelope {} has no expiry time", self.envelope.id),
            )),
        }
    }

    fn remind(&mut self, recipient_ids: Vec<String>) -> Result<()> {
        self.require_sent("remind")?;
        let targets: Vec<String> = if recipient_ids.is_empty() {
            self.envelope
                .recipients
                .iter()
                .filter(|r| r.role.must_act() && r.status.is_active())
                .map(|r| r.id.clone())
                .collect()
        } else {
            for (i, id) in recipient_ids.iter().enumerate() {
                if recipient_ids[..i].contains(id) {
                    return Err(Error::new(
                        ErrorCode::InvalidArgument,
                        format!("recipient {id} is listed twice"),
                    ));
                }
                let index = self.active_recipient(id, "be reminded")?;
                if !self.envelope.recipients[index].role.must_act() {
                    return Err(Error::new(
                        ErrorCode::RecipientRoleMismatch,
                        format!("recipient {id} has nothing to do and cannot be reminded"),
                    ));
                }
            }
            recipient_ids
        };
        for recipient_id in targets {
            self.emit(EventData::RecipientReminded { recipient_id })?;
        }
        Ok(())
    }
}

fn duplicate(kind: &str, id: &str) -> Error {
    Error::new(
        ErrorCode::DuplicateId,
        format!("a {kind} with id {id} already exists in this envelope"),
    )
}
