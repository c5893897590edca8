//! Deciding: checking a command against the envelope and producing events.

use serde::{Deserialize, Serialize};

use super::command::{
    Actor, Command, Context, CreateEnvelope, NewDocument, NewField, NewRecipient, UpdateEnvelope,
    UpdateField, UpdateRecipient,
};
use super::event::{Event, EventData, NotificationReason};
use super::evolve::{evolve, genesis, pending_recipient};
use super::model::{
    AuthenticationMethod, Document, DocumentDigest, Envelope, EnvelopeStatus, Field, FieldKind,
    FieldPlacement, RecipientRole, RecipientStatus, SignatureLevel, SignatureMark,
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
/// let created = envelope::create(CreateEnvelope::new("env_1", "Employment contract"), &ctx)?;
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
    validate::settings(&params.settings)?;
    let event = Event {
        schema_version: super::SCHEMA_VERSION,
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
            settings: params.settings,
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
/// let again = envelope::apply(&created.envelope, Command::send(), &ctx);
/// assert_eq!(again.unwrap_err().code().name(), "NO_DOCUMENT");
/// # Ok::<(), paraph::Error>(())
/// ```
pub fn apply<'e>(
    envelope: impl Into<Option<&'e Envelope>>,
    command: Command,
    ctx: &Context,
) -> Result<Transition> {
    let ctx = &validate::context(ctx)?;
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
    if envelope.awaiting_completion()
        && !matches!(command, Command::Complete { .. } | Command::View { .. })
    {
        return Err(Error::new(
            ErrorCode::EnvelopeAwaitingCompletion,
            format!(
                "every signer and approver of envelope {} has acted; only its completion is accepted",
                envelope.id
            ),
        ));
    }
    if envelope.status == EnvelopeStatus::Sent
        && envelope.expires_at.is_some_and(|at| ctx.now >= at)
        && !matches!(
            command,
            Command::Expire | Command::Void { .. } | Command::Complete { .. }
        )
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
        Command::UpdateRecipient(update) => step.update_recipient(update)?,
        Command::RemoveRecipient { recipient_id } => step.remove_recipient(recipient_id)?,
        Command::AddField(field) => step.add_field(field)?,
        Command::UpdateField(update) => step.update_field(update)?,
        Command::RemoveField { field_id } => step.remove_field(field_id)?,
        Command::Send {
            documents,
            placements,
        } => step.send(documents, placements)?,
        Command::RequestAuthentication { recipient_id } => {
            step.request_authentication(recipient_id)?
        }
        Command::Authenticate {
            recipient_id,
            method,
            passed,
        } => step.authenticate(recipient_id, method, passed)?,
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
            certificate_sha256,
        } => step.sign(recipient_id, documents, signature, certificate_sha256)?,
        Command::Approve {
            recipient_id,
            documents,
        } => step.approve(recipient_id, documents)?,
        Command::Decline {
            recipient_id,
            reason,
        } => step.decline(recipient_id, reason)?,
        Command::Void { reason } => step.void(reason)?,
        Command::Expire => step.expire()?,
        Command::Complete { documents } => step.complete(documents)?,
        Command::ReturnToDraft { reason } => step.return_to_draft(reason)?,
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
            schema_version: super::SCHEMA_VERSION,
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

    /// Digests of known documents, each listed once.
    fn check_digests(&self, what: &str, documents: &[DocumentDigest]) -> Result<()> {
        for (i, digest) in documents.iter().enumerate() {
            self.document(&digest.document_id)?;
            validate::sha256_hex(what, &digest.sha256)?;
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
        Ok(())
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
        let settings = update.settings.unwrap_or(current.settings);
        validate::settings(&settings)?;
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
            settings,
        })
    }

    fn add_document(&mut self, new: NewDocument) -> Result<()> {
        self.require_draft("add a document")?;
        validate::id("document", &new.id)?;
        validate::document_name(&new.name)?;
        validate::page_count(new.page_count)?;
        validate::page_sizes(new.page_count, &new.pages)?;
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
                pages: new.pages,
                sha256: new.sha256,
                sent_sha256: None,
                signed_sha256: None,
                final_sha256: None,
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
        self.require_unique_email(&new.id, new.email.as_deref())?;
        self.emit(EventData::RecipientAdded {
            recipient: pending_recipient(new),
        })
    }

    /// Emails are unique within an envelope (case does not matter).
    fn require_unique_email(&self, recipient_id: &str, email: Option<&str>) -> Result<()> {
        let Some(email) = email else { return Ok(()) };
        match self.envelope.recipients.iter().find(|r| {
            r.id != recipient_id
                && r.email
                    .as_deref()
                    .is_some_and(|other| other.eq_ignore_ascii_case(email))
        }) {
            Some(other) => Err(Error::new(
                ErrorCode::DuplicateEmail,
                format!("recipient {} already has the email {email}", other.id),
            )),
            None => Ok(()),
        }
    }

    fn update_recipient(&mut self, update: UpdateRecipient) -> Result<()> {
        self.require_draft("update a recipient")?;
        let index = self.recipient_index(&update.recipient_id)?;
        let current = &self.envelope.recipients[index];
        let merged = NewRecipient {
            id: current.id.clone(),
            name: update.name.clone().unwrap_or_else(|| current.name.clone()),
            email: update
                .email
                .clone()
                .unwrap_or_else(|| current.email.clone()),
            phone: update
                .phone
                .clone()
                .unwrap_or_else(|| current.phone.clone()),
            role: update.role.unwrap_or(current.role),
            routing_order: update.routing_order.unwrap_or(current.routing_order),
            authentication: update.authentication.unwrap_or(current.authentication),
        };
        validate::recipient(&merged)?;
        self.require_unique_email(&merged.id, merged.email.as_deref())?;
        if merged.role != current.role
            && let Some(field) = self
                .envelope
                .fields_of(&merged.id)
                .find(|f| !field_allowed(f.kind, merged.role))
        {
            return Err(Error::new(
                ErrorCode::FieldRecipientNotAllowed,
                format!(
                    "recipient {} cannot become a {}: field {} is a {} field",
                    merged.id,
                    merged.role.as_str(),
                    field.id,
                    field.kind.as_str()
                ),
            ));
        }
        self.emit(EventData::RecipientUpdated { update })
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
        let field = Field {
            id: new.id,
            document_id: new.document_id,
            recipient_id: new.recipient_id,
            kind: new.kind,
            page: new.page,
            rect: new.rect,
            required: new.required,
            value: new.value,
            multiline: new.multiline,
            anchor: new.anchor,
        };
        self.check_field(&field)?;
        self.emit(EventData::FieldAdded { field })
    }

    fn update_field(&mut self, update: UpdateField) -> Result<()> {
        self.require_draft("update a field")?;
        let mut field = self.field(&update.field_id)?.clone();
        if let Some(recipient_id) = &update.recipient_id {
            field.recipient_id.clone_from(recipient_id);
        }
        field.page = update.page.unwrap_or(field.page);
        field.rect = update.rect.unwrap_or(field.rect);
        field.required = update.required.unwrap_or(field.required);
        if let Some(value) = &update.value {
            field.value.clone_from(value);
        }
        field.multiline = update.multiline.unwrap_or(field.multiline);
        if let Some(anchor) = &update.anchor {
            field.anchor.clone_from(anchor);
        }
        self.check_field(&field)?;
        self.emit(EventData::FieldUpdated { update })
    }

    /// A field's document, page, rectangle, recipient and value, as
    /// [`add_field`](Self::add_field) and [`update_field`](Self::update_field)
    /// accept them.
    fn check_field(&self, field: &Field) -> Result<()> {
        let document = self.document(&field.document_id)?;
        let anchored = field.anchor.is_some();
        let page_ok = if anchored {
            field.page <= document.page_count
        } else {
            (1..=document.page_count).contains(&field.page)
        };
        if !page_ok {
            return Err(Error::new(
                ErrorCode::FieldOutOfBounds,
                format!(
                    "field {} is on page {} but document {} has pages 1 to {}",
                    field.id, field.page, document.id, document.page_count
                ),
            ));
        }
        let rect = &field.rect;
        let rect_ok = if anchored {
            [rect.x, rect.y].iter().all(|v| v.is_finite())
                && rect.width.is_finite()
                && rect.height.is_finite()
                && rect.width > 0.0
                && rect.height > 0.0
        } else {
            rect.is_well_formed()
        };
        if !rect_ok {
            return Err(Error::new(
                ErrorCode::FieldOutOfBounds,
                format!(
                    "field {} needs a finite rectangle with x, y >= 0 and a positive size",
                    field.id
                ),
            ));
        }
        if !anchored {
            check_fits_page(document, &field.id, field.page, rect)?;
        }
        if let Some(anchor) = &field.anchor {
            validate::anchor(&field.id, anchor)?;
        }
        let recipient = &self.envelope.recipients[self.recipient_index(&field.recipient_id)?];
        if !field_allowed(field.kind, recipient.role) {
            return Err(Error::new(
                ErrorCode::FieldRecipientNotAllowed,
                format!(
                    "a {} field cannot belong to recipient {}, who is a {}",
                    field.kind.as_str(),
                    recipient.id,
                    recipient.role.as_str()
                ),
            ));
        }
        if let Some(value) = &field.value {
            validate::field_value(&field.id, field.kind, value)?;
        }
        Ok(())
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

    fn send(
        &mut self,
        documents: Vec<DocumentDigest>,
        placements: Vec<FieldPlacement>,
    ) -> Result<()> {
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
        if let Some(signer) = envelope.recipients.iter().find(|r| {
            r.role == RecipientRole::Signer
                && !envelope
                    .fields_of(&r.id)
                    .any(|f| f.kind == FieldKind::Signature)
        }) {
            return Err(Error::new(
                ErrorCode::SignerWithoutField,
                format!("signer {} has no signature field", signer.id),
            ));
        }
        if envelope.signature_level != SignatureLevel::Simple
            && let Some(weak) = envelope
                .recipients
                .iter()
                .find(|r| r.role == RecipientRole::Signer && !r.authentication.needs_code())
        {
            return Err(Error::new(
                ErrorCode::AdvancedRequiresStrongAuth,
                format!(
                    "an {} signature needs every signer to authenticate by SMS or access code; signer {} uses {}",
                    if envelope.signature_level == SignatureLevel::Qualified {
                        "QUALIFIED"
                    } else {
                        "ADVANCED"
                    },
                    weak.id,
                    weak.authentication.as_str()
                ),
            ));
        }
        validate::expiry(envelope.expires_at, self.ctx.now)?;
        self.check_digests("sent document", &documents)?;
        for (i, placement) in placements.iter().enumerate() {
            let field = self.field(&placement.field_id)?;
            if field.anchor.is_none() {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!("field {} is not anchored and needs no placement", field.id),
                ));
            }
            if placements[..i]
                .iter()
                .any(|p| p.field_id == placement.field_id)
            {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!("field {} is placed twice", placement.field_id),
                ));
            }
            let document = self.document(&field.document_id)?;
            if !(1..=document.page_count).contains(&placement.page)
                || !placement.rect.is_well_formed()
            {
                return Err(Error::new(
                    ErrorCode::FieldOutOfBounds,
                    format!(
                        "field {} is placed on page {} of a document with pages 1 to {}, or at an unusable rectangle",
                        field.id, placement.page, document.page_count
                    ),
                ));
            }
            check_fits_page(document, &field.id, placement.page, &placement.rect)?;
        }
        if let Some(unplaced) = self
            .envelope
            .fields
            .iter()
            .find(|f| f.anchor.is_some() && !placements.iter().any(|p| p.field_id == f.id))
        {
            return Err(Error::new(
                ErrorCode::FieldNotPlaced,
                format!(
                    "field {} is anchored to a phrase but was not placed; prepare the documents before sending",
                    unplaced.id
                ),
            ));
        }
        let round = self.envelope.round;
        let mut sent = self.envelope.document_digests();
        for digest in documents {
            if let Some(slot) = sent
                .iter_mut()
                .find(|d| d.document_id == digest.document_id)
            {
                *slot = digest;
            }
        }
        self.emit(EventData::EnvelopeSent {
            documents: sent,
            placements,
            round,
        })?;
        self.advance_routing()
    }

    /// Notifies everyone whose routing order has been reached. Once every
    /// signer and approver has acted, nothing more happens here: the
    /// completion comes with [`complete`](Self::complete), once the final
    /// documents exist.
    fn advance_routing(&mut self) -> Result<()> {
        if let Some(order) = self.envelope.active_routing_order() {
            for recipient_id in self.pending_up_to(order) {
                self.emit(EventData::RecipientNotified {
                    recipient_id,
                    reason: NotificationReason::RoutingOrderReached,
                })?;
            }
        }
        Ok(())
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

    fn complete(&mut self, documents: Vec<DocumentDigest>) -> Result<()> {
        self.require_sent("complete")?;
        if !self.envelope.awaiting_completion() {
            return Err(Error::new(
                ErrorCode::EnvelopeNotReady,
                format!(
                    "envelope {} cannot complete: {} must still act",
                    self.envelope.id,
                    self.envelope.missing_recipient_ids().join(", ")
                ),
            ));
        }
        self.check_digests("final document", &documents)?;
        // CCs receive the completed documents; CCs and viewers whose order
        // was never reached are told now.
        let mut to_notify: Vec<(u32, usize, String)> = self
            .envelope
            .recipients
            .iter()
            .enumerate()
            .filter(|(_, r)| r.role == RecipientRole::Cc || r.status == RecipientStatus::Pending)
            .map(|(i, r)| (r.routing_order, i, r.id.clone()))
            .collect();
        to_notify.sort();
        for (_, _, recipient_id) in to_notify {
            self.emit(EventData::RecipientNotified {
                recipient_id,
                reason: NotificationReason::EnvelopeCompleted,
            })?;
        }
        let mut finals = self.envelope.document_digests();
        for digest in documents {
            if let Some(slot) = finals
                .iter_mut()
                .find(|d| d.document_id == digest.document_id)
            {
                *slot = digest;
            }
        }
        self.emit(EventData::EnvelopeCompleted { documents: finals })
    }

    fn return_to_draft(&mut self, reason: String) -> Result<()> {
        self.require_sent("return to draft")?;
        if let Some(acted) = self
            .envelope
            .recipients
            .iter()
            .find(|r| r.status.has_acted())
        {
            return Err(Error::new(
                ErrorCode::EnvelopeHasSignatures,
                format!(
                    "envelope {} cannot return to draft: recipient {} has {}",
                    self.envelope.id,
                    acted.id,
                    acted.status.as_str().to_lowercase()
                ),
            ));
        }
        let reason = validate::reason("return to draft", &reason)?;
        let round = self.envelope.round;
        self.emit(EventData::EnvelopeReturnedToDraft { reason, round })
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

    /// An active recipient who may act: not locked out, and authenticated
    /// when their method asks for a code.
    fn authenticated_recipient(&self, id: &str, command: &str) -> Result<usize> {
        let index = self.active_recipient(id, command)?;
        let recipient = &self.envelope.recipients[index];
        if recipient.locked_at.is_some() {
            return Err(Error::new(
                ErrorCode::RecipientLocked,
                format!(
                    "recipient {id} is locked out after too many failed authentication attempts"
                ),
            ));
        }
        if !recipient.is_authenticated() {
            return Err(Error::new(
                ErrorCode::RecipientNotAuthenticated,
                format!(
                    "recipient {id} must pass {} authentication before they can {command}",
                    recipient.authentication.as_str()
                ),
            ));
        }
        Ok(index)
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
        let first_of_all = self.envelope.viewed_at.is_none();
        self.emit(EventData::RecipientViewed {
            recipient_id: recipient_id.clone(),
        })?;
        if first_of_all {
            self.emit(EventData::EnvelopeViewed { recipient_id })?;
        }
        Ok(())
    }

    fn request_authentication(&mut self, recipient_id: String) -> Result<()> {
        self.require_sent("request an authentication code")?;
        let index = self.active_recipient(&recipient_id, "request an authentication code")?;
        let recipient = &self.envelope.recipients[index];
        if recipient.locked_at.is_some() {
            return Err(Error::new(
                ErrorCode::RecipientLocked,
                format!("recipient {recipient_id} is locked out"),
            ));
        }
        if !recipient.authentication.needs_code() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "recipient {recipient_id} authenticates by {} and needs no code",
                    recipient.authentication.as_str()
                ),
            ));
        }
        let method = recipient.authentication;
        self.emit(EventData::RecipientAuthenticationRequested {
            recipient_id,
            method,
        })
    }

    fn authenticate(
        &mut self,
        recipient_id: String,
        method: AuthenticationMethod,
        passed: bool,
    ) -> Result<()> {
        self.require_sent("authenticate")?;
        let index = self.active_recipient(&recipient_id, "authenticate")?;
        let recipient = &self.envelope.recipients[index];
        if recipient.locked_at.is_some() {
            return Err(Error::new(
                ErrorCode::RecipientLocked,
                format!("recipient {recipient_id} is locked out after too many failed attempts"),
            ));
        }
        if method != recipient.authentication {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "recipient {recipient_id} authenticates by {}, not {}",
                    recipient.authentication.as_str(),
                    method.as_str()
                ),
            ));
        }
        if passed {
            return self.emit(EventData::RecipientAuthenticated {
                recipient_id,
                method,
            });
        }
        let attempts = recipient.failed_authentications.saturating_add(1);
        let limit = self.envelope.settings.max_authentication_attempts;
        self.emit(EventData::RecipientAuthenticationFailed {
            recipient_id: recipient_id.clone(),
            method,
            attempts,
        })?;
        if attempts >= limit {
            self.emit(EventData::RecipientLocked { recipient_id })?;
        }
        Ok(())
    }

    fn fill_field(&mut self, recipient_id: String, field_id: String, value: String) -> Result<()> {
        self.require_sent("fill a field")?;
        self.authenticated_recipient(&recipient_id, "fill a field")?;
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
        if field.kind.is_filled_automatically() {
            return Err(Error::new(
                ErrorCode::FieldValueInvalid,
                format!(
                    "field {field_id} ({}) is filled when the recipient signs",
                    field.kind.as_str()
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
            .filter(|f| {
                f.required && !f.kind.is_filled_by_signing() && !f.kind.is_filled_automatically()
            })
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
        let index = self.authenticated_recipient(&recipient_id, "consent")?;
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
        certificate_sha256: Option<String>,
    ) -> Result<()> {
        self.require_sent("sign")?;
        let index = self.authenticated_recipient(&recipient_id, "sign")?;
        self.require_role(index, RecipientRole::Signer, "sign")?;
        if self.envelope.recipients[index].consent.is_none() {
            return Err(Error::new(
                ErrorCode::ConsentRequired,
                format!("recipient {recipient_id} must consent to sign electronically first"),
            ));
        }
        self.require_fields_filled(&recipient_id)?;
        if let Some(mark) = &signature {
            validate::signature_mark(mark)?;
        }
        if let Some(fingerprint) = &certificate_sha256 {
            validate::sha256_hex("certificate", fingerprint)?;
        }
        self.check_digests("signed document", &documents)?;
        self.emit(EventData::RecipientSigned {
            recipient_id,
            documents,
            signature,
            certificate_sha256,
        })?;
        self.advance_routing()
    }

    fn approve(&mut self, recipient_id: String, documents: Vec<DocumentDigest>) -> Result<()> {
        self.require_sent("approve")?;
        let index = self.authenticated_recipient(&recipient_id, "approve")?;
        self.require_role(index, RecipientRole::Approver, "approve")?;
        self.require_fields_filled(&recipient_id)?;
        self.check_digests("approved document", &documents)?;
        self.emit(EventData::RecipientApproved {
            recipient_id,
            documents,
        })?;
        self.advance_routing()
    }

    fn decline(&mut self, recipient_id: String, reason: String) -> Result<()> {
        self.require_sent("decline")?;
        let index = self.authenticated_recipient(&recipient_id, "decline")?;
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

/// Signature and initials fields belong to signers; the others to signers
/// and approvers.
fn field_allowed(kind: FieldKind, role: RecipientRole) -> bool {
    if kind.is_filled_by_signing() {
        role == RecipientRole::Signer
    } else {
        role.must_act()
    }
}

/// A rectangle must fit its page when the document's page sizes are known.
fn check_fits_page(
    document: &Document,
    field_id: &str,
    page: u32,
    rect: &crate::geometry::Rect,
) -> Result<()> {
    let Some(size) = usize::try_from(page)
        .ok()
        .and_then(|p| p.checked_sub(1))
        .and_then(|i| document.pages.get(i))
    else {
        return Ok(());
    };
    // Editors round; half a point of overhang is let through.
    let fits = rect.x + rect.width <= size.width + 0.5 && rect.y + rect.height <= size.height + 0.5;
    if fits {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::FieldOutOfBounds,
            format!(
                "field {field_id} at x={} y={} width={} height={} does not fit page {page} of {} ({:.1} x {:.1} pt)",
                rect.x, rect.y, rect.width, rect.height, document.id, size.width, size.height
            ),
        ))
    }
}

fn duplicate(kind: &str, id: &str) -> Error {
    Error::new(
        ErrorCode::DuplicateId,
        format!("a {kind} with id {id} already exists in this envelope"),
    )
}
