//! Envelope operations: a request becomes core commands, the commands go
//! through [`paraph::envelope::create`] and [`paraph::envelope::apply`],
//! and the result is written with its events and outbox rows in one
//! transaction.
//!
//! Changes are optimistic: the envelope is read, the commands applied to
//! that version, and the write succeeds only if nobody wrote in between.
//! A lost race reads again and re-applies, up to [`MAX_WRITE_ATTEMPTS`]
//! times, then answers 409 `CONCURRENT_MODIFICATION`. The time given to the
//! core is never before the envelope's last event, even when the clocks of
//! several server processes differ.

pub mod request;
pub mod settings;

use std::collections::HashSet;

use base64::Engine as _;
use bytes::Bytes;
use paraph::ErrorCode;
use paraph::envelope::{
    self, Actor, AuthenticationMethod, Command, Context, CreateEnvelope, Envelope, EnvelopeStatus,
    Event, NewDocument, NewField, NewRecipient, RecipientRole, Transition, UpdateEnvelope,
};
use paraph::geometry::Rect;

use self::request::{
    DEFAULT_FIELD_HEIGHT, DEFAULT_FIELD_WIDTH, DEFAULT_FIELD_X, DEFAULT_FIELD_Y, EnvelopeRequest,
    FieldInput, MAX_ANCHOR_LEN, RecipientInput, authentication, check_label, check_locale,
    check_redirect_url, normalize_tags, parse_field_type, parse_level, parse_placement, parse_role,
};
use self::settings::{AccessCodeHash, AnchoredField, EnvelopeSettings};
use crate::auth::Principal;
use crate::documents::{self, PreparedDocument};
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::state::AppState;
use crate::store::{DocumentRecord, EnvelopeRecord, EnvelopeWrite, WebhookRecord, WriteError};
use crate::webhooks::payload::outbox_messages;

/// Reads and re-applies after a lost race at most this many times.
pub const MAX_WRITE_ATTEMPTS: usize = 4;
/// The reason recorded when a sent envelope is voided without one.
pub const DEFAULT_VOID_REASON: &str = "voided by the sender";

/// A written envelope, ready to show.
#[derive(Debug, Clone)]
pub struct Written {
    /// The envelope as stored.
    pub record: EnvelopeRecord,
    /// Its documents.
    pub documents: Vec<DocumentRecord>,
    /// The secret of a webhook endpoint created by the request (shown once).
    pub webhook_secret: Option<String>,
}

/// The context of a command from an API key: its time never before the
/// envelope's last event.
fn context(principal: &Principal, after: Option<&Envelope>) -> Context {
    let mut now = ids::now();
    if let Some(envelope) = after {
        now = now.max(envelope.updated_at);
    }
    let mut ctx = Context::new(
        now,
        Actor::ApiKey {
            id: principal.key_id.clone(),
        },
    );
    ctx.ip = principal.ip.clone();
    ctx.user_agent = principal.user_agent.clone();
    ctx
}

/// Applies commands in order, collecting every event.
fn apply_all(start: Transition, commands: Vec<Command>, ctx: &Context) -> AppResult<Transition> {
    let mut envelope = start.envelope;
    let mut events: Vec<Event> = start.events;
    for command in commands {
        let step = envelope::apply(&envelope, command, ctx)?;
        events.extend(step.events);
        envelope = step.envelope;
    }
    Ok(Transition { envelope, events })
}

/// The documents a request names: uploaded ones by id, then inline ones
/// (checked now; their bytes are stored only once everything is valid).
struct RequestedDocuments {
    /// In the envelope's order.
    records: Vec<DocumentRecord>,
    /// The inline ones, to store.
    new: Vec<PreparedDocument>,
}

async fn requested_documents(
    state: &AppState,
    principal: &Principal,
    req: &EnvelopeRequest,
) -> AppResult<RequestedDocuments> {
    let mut records = Vec::new();
    let mut new = Vec::new();
    let mut seen = HashSet::new();
    for id in req.document_ids.iter().flatten() {
        if !seen.insert(id.clone()) {
            return Err(AppError::invalid(format!("document {id} is listed twice")));
        }
        let document = state
            .store()
            .document(&principal.tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("document", id))?;
        records.push(document);
    }
    for (i, input) in req.documents.iter().flatten().enumerate() {
        if input.file_url.is_some() && input.base64_pdf.is_none() {
            return Err(AppError::invalid(format!(
                "documents[{i}].file_url is not supported by this server: send the PDF as base64Pdf, or upload it with POST /documents and pass documentIds"
            )));
        }
        let Some(encoded) = &input.base64_pdf else {
            return Err(AppError::invalid(format!("documents[{i}] needs base64Pdf")));
        };
        let bytes = decode_base64(encoded)
            .map_err(|_| AppError::invalid(format!("documents[{i}].base64Pdf is not base64")))?;
        let prepared = documents::prepare(
            &principal.tenant,
            input.name.as_deref(),
            Bytes::from(bytes),
            state.settings().max_document_bytes,
        )
        .await?;
        records.push(prepared.record.clone());
        new.push(prepared);
    }
    Ok(RequestedDocuments { records, new })
}

/// Standard base64, padded or not, with whitespace (line breaks) ignored.
fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let compact = compact.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD.decode(compact)
}

/// The recipients of a request as core commands, and the keyed hashes of
/// their access codes.
fn new_recipients(
    inputs: &[RecipientInput],
    require_sms_otp: bool,
    link_secret: &[u8; 32],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(Vec<NewRecipient>, Vec<AccessCodeHash>)> {
    let mut codes = Vec::new();
    let recipients = inputs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let role = parse_role(r.role.as_deref())?;
            let email = r.email.trim().to_owned();
            let phone = r
                .phone
                .as_ref()
                .map(|p| p.trim().to_owned())
                .filter(|p| !p.is_empty());
            let must_act = role.must_act();
            if require_sms_otp && must_act && phone.is_none() {
                return Err(AppError::new(
                    ErrorCode::InvalidRecipient,
                    format!("recipients[{i}] needs a phone: the envelope requires an SMS code"),
                ));
            }
            let id = ids::new_id("rcp", now)?;
            let mut method = authentication(require_sms_otp && must_act);
            if let Some(code) = &r.access_code {
                let what = format!("recipients[{i}].accessCode");
                let code = code.checked(&what)?;
                if !must_act {
                    return Err(AppError::new(
                        ErrorCode::InvalidRecipient,
                        format!("{what}: only a signer or an approver enters an access code"),
                    ));
                }
                if require_sms_otp {
                    return Err(AppError::new(
                        ErrorCode::InvalidRecipient,
                        format!(
                            "{what}: a recipient authenticates one way, and this envelope requires an SMS code"
                        ),
                    ));
                }
                codes.push(crate::signing::access_code::hash(link_secret, &id, code));
                method = AuthenticationMethod::AccessCode;
            }
            Ok(NewRecipient {
                id,
                name: r
                    .name
                    .as_ref()
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| email.clone()),
                email: Some(email),
                phone,
                role,
                routing_order: r.routing_order.unwrap_or(1),
                authentication: method,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok((recipients, codes))
}

/// Placed fields become `AddField` commands; anchored ones are kept for
/// when the envelope is prepared.
fn new_fields(
    inputs: &[FieldInput],
    recipients: &[(String, String)],
    document_ids: &[String],
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<(Vec<NewField>, Vec<AnchoredField>)> {
    let mut placed = Vec::new();
    let mut anchored = Vec::new();
    for (i, f) in inputs.iter().enumerate() {
        let recipient_id = match (&f.recipient_email, f.recipient_index) {
            (Some(email), _) => recipients
                .iter()
                .find(|(_, e)| e.eq_ignore_ascii_case(email.trim()))
                .map(|(id, _)| id.clone())
                .ok_or_else(|| {
                    AppError::invalid(format!(
                        "fields[{i}].recipientEmail {email} matches no recipient"
                    ))
                })?,
            (None, Some(index)) => {
                recipients
                    .get(index)
                    .map(|(id, _)| id.clone())
                    .ok_or_else(|| {
                        AppError::invalid(format!(
                            "fields[{i}].recipientIndex {index} is past the {} recipients",
                            recipients.len()
                        ))
                    })?
            }
            (None, None) => {
                return Err(AppError::invalid(format!(
                    "fields[{i}] needs recipientEmail or recipientIndex"
                )));
            }
        };
        let document_index = f.document_index.unwrap_or(0);
        let document_id = document_ids.get(document_index).cloned().ok_or_else(|| {
            AppError::invalid(format!(
                "fields[{i}].documentIndex {document_index} is past the {} documents",
                document_ids.len()
            ))
        })?;
        let kind = parse_field_type(f.field_type.as_deref())?;
        let width = f.width.unwrap_or(DEFAULT_FIELD_WIDTH);
        let height = f.height.unwrap_or(DEFAULT_FIELD_HEIGHT);
        let required = f.required.unwrap_or(true);
        let id = ids::new_id("fld", now)?;
        match f.anchor_text.as_deref().map(str::trim) {
            Some(text) if !text.is_empty() => {
                if text.chars().count() > MAX_ANCHOR_LEN {
                    return Err(AppError::invalid(format!(
                        "fields[{i}].anchorText is longer than {MAX_ANCHOR_LEN} characters"
                    )));
                }
                let size_ok = [width, height].iter().all(|v| v.is_finite() && *v > 0.0);
                if !size_ok {
                    return Err(AppError::new(
                        ErrorCode::FieldOutOfBounds,
                        format!("fields[{i}] needs a positive width and height"),
                    ));
                }
                anchored.push(AnchoredField {
                    id,
                    document_id,
                    recipient_id,
                    kind,
                    anchor_text: text.to_owned(),
                    anchor_placement: parse_placement(f.anchor_placement.as_deref())?,
                    anchor_index: f.anchor_index.unwrap_or(0),
                    page: f.page_number,
                    x: f.x,
                    y: f.y,
                    width,
                    height,
                    required,
                });
            }
            _ => placed.push(NewField {
                id,
                document_id,
                recipient_id,
                kind,
                page: f.page_number.unwrap_or(1),
                rect: Rect::new(
                    f.x.unwrap_or(DEFAULT_FIELD_X),
                    f.y.unwrap_or(DEFAULT_FIELD_Y),
                    width,
                    height,
                ),
                required,
                value: f.value.clone(),
                multiline: false,
                anchor: None,
            }),
        }
    }
    Ok((placed, anchored))
}

/// Anchored fields must belong to a signer for signature kinds, like placed
/// ones (the core checks those when they are added).
fn check_anchored(anchored: &[AnchoredField], envelope: &Envelope) -> AppResult<()> {
    for field in anchored {
        let recipient = envelope.recipient(&field.recipient_id).ok_or_else(|| {
            AppError::new(
                ErrorCode::RecipientNotFound,
                "an anchored field names no recipient",
            )
        })?;
        let allowed = if field.kind.is_filled_by_signing() {
            recipient.role == RecipientRole::Signer
        } else {
            recipient.role.must_act()
        };
        if !allowed {
            return Err(AppError::new(
                ErrorCode::FieldRecipientNotAllowed,
                format!(
                    "a {} field cannot belong to recipient {}, who is a {}",
                    crate::views::field_type_name(field.kind),
                    recipient.contact(),
                    crate::views::role_name(recipient.role)
                ),
            ));
        }
    }
    Ok(())
}

/// Checks the options a request sets, into `settings`; returns the new
/// webhook endpoint when `webhook_url` is set.
async fn apply_settings(
    state: &AppState,
    principal: &Principal,
    req: &EnvelopeRequest,
    settings: &mut EnvelopeSettings,
    envelope_id: &str,
) -> AppResult<Option<Option<WebhookRecord>>> {
    if let Some(redirect) = &req.redirect_url {
        if let Some(url) = redirect {
            check_redirect_url(url)?;
        }
        settings.redirect_url = redirect.clone();
    }
    if let Some(flag) = req.require_sms_otp {
        settings.require_sms_otp = flag;
    }
    if let Some(flag) = req.initials_on_every_page {
        settings.initials_on_every_page = flag;
    }
    if let Some(category) = &req.category {
        settings.category = Some(check_label("category", category)?);
    }
    if let Some(workspace) = &req.workspace_id {
        settings.workspace_id = Some(check_label("workspaceId", workspace)?);
    }
    if let Some(tags) = &req.tags {
        settings.tags = normalize_tags(tags)?;
    }
    let Some(webhook_url) = req.webhook_url()? else {
        return Ok(None);
    };
    let Some(url) = webhook_url else {
        settings.webhook_url = None;
        settings.webhook_id = None;
        return Ok(Some(None));
    };
    let checked = state.guard().check(&url).await?;
    let now = ids::now();
    let webhook = WebhookRecord {
        id: ids::new_id("wh", now)?,
        tenant: principal.tenant.clone(),
        envelope_id: Some(envelope_id.to_owned()),
        url: checked.url.to_string(),
        events: Vec::new(),
        secret: crate::routes::webhooks::new_secret()?,
        active: true,
        disabled_reason: None,
        created_at: now,
    };
    settings.webhook_url = Some(webhook.url.clone());
    settings.webhook_id = Some(webhook.id.clone());
    Ok(Some(Some(webhook)))
}

/// Creates a draft envelope from a request.
pub async fn create(
    state: &AppState,
    principal: &Principal,
    req: EnvelopeRequest,
) -> AppResult<Written> {
    if req.template_id.is_some() {
        return Err(AppError::invalid(
            "templateId is not supported by this server: pass documentIds or documents",
        ));
    }
    let subject = req
        .subject()?
        .ok_or_else(|| AppError::invalid("subject (or title) is required"))?;
    let recipients = req.recipients()?.unwrap_or_default();
    let ctx = context(principal, None);
    let envelope_id = ids::new_id("env", ctx.now)?;

    let mut settings = EnvelopeSettings::default();
    let envelope_webhook =
        apply_settings(state, principal, &req, &mut settings, &envelope_id).await?;
    let requested = requested_documents(state, principal, &req).await?;

    let created = envelope::create(
        CreateEnvelope {
            id: envelope_id.clone(),
            subject,
            message: req.message.clone().flatten(),
            signature_level: match &req.signature_level {
                Some(level) => parse_level(level)?,
                None => Default::default(),
            },
            locale: match &req.locale {
                Some(tag) => check_locale(tag)?,
                None => "en".to_owned(),
            },
            expires_at: req.expires_at.flatten(),
            settings: paraph::envelope::EnvelopeSettings::default(),
        },
        &ctx,
    )?;
    let (new_recipients, access_codes) = new_recipients(
        &recipients,
        settings.require_sms_otp,
        &state.settings().signing.link_secret,
        ctx.now,
    )?;
    settings.access_codes = access_codes;
    let recipient_keys: Vec<(String, String)> = new_recipients
        .iter()
        .map(|r| (r.id.clone(), r.email.clone().unwrap_or_default()))
        .collect();
    let document_ids: Vec<String> = requested.records.iter().map(|d| d.id.clone()).collect();
    let (fields, anchored) = new_fields(
        req.fields.as_deref().unwrap_or_default(),
        &recipient_keys,
        &document_ids,
        ctx.now,
    )?;

    let mut commands: Vec<Command> = requested
        .records
        .iter()
        .map(|d| {
            Command::AddDocument(NewDocument {
                id: d.id.clone(),
                name: d.name.clone(),
                page_count: d.pages,
                pages: Vec::new(),
                sha256: d.sha256.clone(),
            })
        })
        .collect();
    commands.extend(new_recipients.into_iter().map(Command::AddRecipient));
    commands.extend(fields.into_iter().map(Command::AddField));
    let transition = apply_all(created, commands, &ctx)?;
    check_anchored(&anchored, &transition.envelope)?;
    settings.anchored_fields = anchored;

    let write = EnvelopeWrite {
        tenant: principal.tenant.clone(),
        extra: settings.to_value(),
        outbox: outbox_messages(None, &transition)?,
        messages: Vec::new(),
        envelope: transition.envelope,
        events: transition.events,
        new_documents: requested.new.iter().map(|d| d.record.clone()).collect(),
        document_ids,
        envelope_webhook: envelope_webhook.clone(),
        deleted_at: None,
    };
    documents::store_bytes(state.blobs(), &requested.new).await?;
    match state.store().insert_envelope(&write).await {
        Ok(written) => {
            if written.deliveries > 0 {
                state.wake_deliveries();
            }
        }
        Err(err) => {
            documents::discard_bytes(state.blobs(), &requested.new).await;
            return Err(match err {
                WriteError::Conflict => AppError::new(
                    ErrorCode::ConcurrentModification,
                    "the envelope was written by another request",
                ),
                WriteError::Store(e) => e,
            });
        }
    }
    Ok(Written {
        record: EnvelopeRecord {
            tenant: write.tenant,
            envelope: write.envelope,
            extra: write.extra,
        },
        documents: requested.records,
        webhook_secret: envelope_webhook.flatten().map(|w| w.secret),
    })
}

/// A change computed from the envelope as read.
struct Plan {
    commands: Vec<Command>,
    settings: EnvelopeSettings,
    document_ids: Vec<String>,
    envelope_webhook: Option<Option<WebhookRecord>>,
    delete: bool,
}

fn conflict() -> AppError {
    AppError::new(
        ErrorCode::ConcurrentModification,
        "the envelope kept changing under this request; retry it",
    )
}

/// Reads, plans, applies and writes, again after each lost race.
async fn modify<F>(
    state: &AppState,
    principal: &Principal,
    id: &str,
    new_documents: &[DocumentRecord],
    mut plan: F,
) -> AppResult<EnvelopeRecord>
where
    F: FnMut(&EnvelopeRecord) -> AppResult<Plan>,
{
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let record = state
            .store()
            .envelope(&principal.tenant, id)
            .await?
            .ok_or_else(|| AppError::not_found("envelope", id))?;
        let plan = plan(&record)?;
        let ctx = context(principal, Some(&record.envelope));
        let before = record.envelope.clone();
        let transition = apply_all(
            Transition {
                envelope: record.envelope.clone(),
                events: Vec::new(),
            },
            plan.commands,
            &ctx,
        )?;
        check_anchored(&plan.settings.anchored_fields, &transition.envelope)?;
        let write = EnvelopeWrite {
            tenant: principal.tenant.clone(),
            extra: plan.settings.to_value(),
            outbox: outbox_messages(Some(&before), &transition)?,
            messages: crate::signing::messages::for_change(state, &before, &transition.envelope)?,
            envelope: transition.envelope,
            events: transition.events,
            new_documents: new_documents.to_vec(),
            document_ids: plan.document_ids,
            envelope_webhook: plan.envelope_webhook,
            deleted_at: plan.delete.then_some(ctx.now),
        };
        match state.store().update_envelope(&write, before.version).await {
            Ok(written) => {
                if written.deliveries > 0 {
                    state.wake_deliveries();
                }
                return Ok(EnvelopeRecord {
                    tenant: write.tenant,
                    envelope: write.envelope,
                    extra: write.extra,
                });
            }
            Err(WriteError::Conflict) => {
                tracing::debug!(
                    envelope = id,
                    "lost an optimistic-concurrency race; retrying"
                );
                continue;
            }
            Err(WriteError::Store(err)) => return Err(err),
        }
    }
    Err(conflict())
}

/// Changes a draft (`PATCH`): settings, and whole lists when given.
pub async fn update(
    state: &AppState,
    principal: &Principal,
    id: &str,
    req: EnvelopeRequest,
) -> AppResult<Written> {
    if req.template_id.is_some() {
        return Err(AppError::invalid(
            "templateId is not supported by this server: pass documentIds or documents",
        ));
    }
    let subject = req.subject()?;
    let recipients = req.recipients()?;
    let locale = req.locale.as_deref().map(check_locale).transpose()?;
    let level = req
        .signature_level
        .as_deref()
        .map(parse_level)
        .transpose()?;
    // Checks that need the network or the PDF parser are done once, before
    // the read-apply-write loop.
    let current = state
        .store()
        .envelope(&principal.tenant, id)
        .await?
        .ok_or_else(|| AppError::not_found("envelope", id))?;
    if current.envelope.status != EnvelopeStatus::Draft {
        return Err(paraph::Error::new(
            ErrorCode::EnvelopeNotDraft,
            format!(
                "envelope {id} is {} and can no longer be changed",
                current.envelope.status.as_str()
            ),
        )
        .into());
    }
    let mut base_settings = EnvelopeSettings::from_value(&current.extra);
    let envelope_webhook = apply_settings(state, principal, &req, &mut base_settings, id).await?;
    let requested = if req.has_documents() {
        Some(requested_documents(state, principal, &req).await?)
    } else {
        None
    };
    let new_records: Vec<DocumentRecord> = requested
        .as_ref()
        .map(|r| r.new.iter().map(|d| d.record.clone()).collect())
        .unwrap_or_default();
    let prepared: &[PreparedDocument] = requested.as_ref().map_or(&[], |r| r.new.as_slice());
    documents::store_bytes(state.blobs(), prepared).await?;

    let result = modify(state, principal, id, &new_records, |record| {
        let e = &record.envelope;
        let stored = EnvelopeSettings::from_value(&record.extra);
        let mut settings = base_settings.clone();
        if settings.require_sms_otp != stored.require_sms_otp && recipients.is_none() {
            return Err(AppError::invalid(
                "changing requireSmsOtp needs the recipients list, so that each signer's authentication can be set",
            ));
        }
        let ctx_now = context(principal, Some(e)).now;
        let mut commands = vec![Command::Update(UpdateEnvelope {
            subject: subject.clone(),
            message: req.message.clone(),
            signature_level: level,
            locale: locale.clone(),
            expires_at: req.expires_at,
            settings: None,
        })];
        if req.fields.is_some() {
            commands.extend(e.fields.iter().map(|f| Command::RemoveField {
                field_id: f.id.clone(),
            }));
        }
        let recipient_keys: Vec<(String, String)> = match &recipients {
            Some(inputs) => {
                commands.extend(e.recipients.iter().map(|r| Command::RemoveRecipient {
                    recipient_id: r.id.clone(),
                }));
                let (new, access_codes) = new_recipients(
                    inputs,
                    settings.require_sms_otp,
                    &state.settings().signing.link_secret,
                    ctx_now,
                )?;
                settings.access_codes = access_codes;
                let keys = new.iter().map(|r| (r.id.clone(), r.email.clone().unwrap_or_default())).collect();
                commands.extend(new.into_iter().map(Command::AddRecipient));
                keys
            }
            None => e
                .recipients
                .iter()
                .map(|r| (r.id.clone(), r.email.clone().unwrap_or_default()))
                .collect(),
        };
        let document_ids: Vec<String> = match &requested {
            Some(requested) => {
                commands.extend(e.documents.iter().map(|d| Command::RemoveDocument {
                    document_id: d.id.clone(),
                }));
                commands.extend(requested.records.iter().map(|d| {
                    Command::AddDocument(NewDocument {
                        id: d.id.clone(),
                        name: d.name.clone(),
                        page_count: d.pages,
                        pages: Vec::new(),
                        sha256: d.sha256.clone(),
                    })
                }));
                requested.records.iter().map(|d| d.id.clone()).collect()
            }
            None => e.documents.iter().map(|d| d.id.clone()).collect(),
        };
        match &req.fields {
            Some(inputs) => {
                let (placed, anchored) =
                    new_fields(inputs, &recipient_keys, &document_ids, ctx_now)?;
                commands.extend(placed.into_iter().map(Command::AddField));
                settings.anchored_fields = anchored;
            }
            None => {
                settings.anchored_fields = stored
                    .anchored_fields
                    .into_iter()
                    .filter(|a| {
                        recipient_keys.iter().any(|(id, _)| *id == a.recipient_id)
                            && document_ids.contains(&a.document_id)
                    })
                    .collect();
            }
        }
        Ok(Plan {
            commands,
            settings,
            document_ids,
            envelope_webhook: envelope_webhook.clone(),
            delete: false,
        })
    })
    .await;
    match result {
        Ok(record) => {
            let documents = state.store().envelope_documents(&record.envelope).await?;
            Ok(Written {
                record,
                documents,
                webhook_secret: envelope_webhook.flatten().map(|w| w.secret),
            })
        }
        Err(err) => {
            documents::discard_bytes(state.blobs(), prepared).await;
            Err(err)
        }
    }
}

/// Deletes a draft, or voids a sent envelope with `reason`.
pub async fn delete(
    state: &AppState,
    principal: &Principal,
    id: &str,
    reason: Option<String>,
) -> AppResult<EnvelopeRecord> {
    let record = modify(state, principal, id, &[], |record| {
        let e = &record.envelope;
        let settings = EnvelopeSettings::from_value(&record.extra);
        let document_ids = e.documents.iter().map(|d| d.id.clone()).collect();
        let (command, delete) = if e.status == EnvelopeStatus::Draft {
            (Command::Delete, true)
        } else {
            (
                Command::Void {
                    reason: reason
                        .clone()
                        .filter(|r| !r.trim().is_empty())
                        .unwrap_or_else(|| DEFAULT_VOID_REASON.to_owned()),
                },
                false,
            )
        };
        Ok(Plan {
            commands: vec![command],
            settings,
            document_ids,
            envelope_webhook: None,
            delete,
        })
    })
    .await?;
    if record.envelope.deleted_at.is_some() {
        // Documents deleted earlier whose last user was this draft: their
        // bytes can go now.
        let ids: Vec<String> = record
            .envelope
            .documents
            .iter()
            .map(|d| d.id.clone())
            .collect();
        for document in state.store().orphaned_documents(&ids).await? {
            if let Err(err) = state.blobs().delete(&document.object_key).await {
                tracing::warn!(document = %document.id, error = %err, "could not remove the bytes of a deleted document");
            }
        }
    }
    Ok(record)
}
