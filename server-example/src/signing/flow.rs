//! Send, the recipients' actions and the completion: each reads the
//! envelope and the bytes of its documents, calls the core's
//! [`paraph::workflow`] (or [`paraph::envelope::apply`]), writes the new
//! document versions to the object store, then the envelope, its events
//! and its outbox rows in one transaction, only if the envelope's version
//! is still the one read (optimistic concurrency; a lost race reads again,
//! [`MAX_WRITE_ATTEMPTS`] times, then answers 409).
//!
//! The last signer's request also finalizes: the completion, the sealed
//! audit trail and the final documents are written before the transaction
//! that records `envelope.completed`, so that event is only delivered once
//! the signed PDF can be downloaded.

use base64::Engine as _;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use paraph::ErrorCode;
use paraph::envelope::{
    self, Actor, AnchorPlacement as CorePlacement, AuthenticationMethod, Command, Context,
    Envelope, EnvelopeStatus, Event, FieldAnchor, FieldKind, NewField, RecipientRole,
    SignatureMark, Transition,
};
use paraph::geometry::Rect;
use paraph::workflow::{
    self, DocumentBytes, FinalizeOptions, PrepareOptions, RecipientCertificateOptions,
    RecipientInput, SignRecipientOptions,
};

use super::links::{self, SigningLink};
use super::{CONSENT_TEXT, CONSENT_VERSION, CertificateMode, audit_trail_key, version_key};
use crate::auth::Principal;
use crate::envelopes::settings::{AnchorPlacement, EnvelopeSettings, PendingCode};
use crate::envelopes::{MAX_WRITE_ATTEMPTS, Written};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::{EnvelopeRecord, EnvelopeWrite, QueuedMessage, WriteError};
use crate::webhooks::payload::outbox_messages_with_links;

/// Default signature fields, when a request places none: 150 × 40 points,
/// from 72 points off the bottom-left of the last page, side by side.
const DEFAULT_WIDTH: f64 = 150.0;
const DEFAULT_HEIGHT: f64 = 40.0;
const DEFAULT_MARGIN: f64 = 72.0;
const DEFAULT_GAP: f64 = 20.0;

/// Who acts, from where.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The client's address.
    pub ip: Option<String>,
    /// The client's user agent.
    pub user_agent: Option<String>,
}

/// What a change writes.
struct Change {
    /// From the envelope read to the new one.
    transition: Transition,
    /// The server-side settings after the change.
    settings: EnvelopeSettings,
    /// Object-store writes, done before the transaction.
    blobs: Vec<(String, Bytes)>,
    /// Messages beside those the transition calls for (a code by SMS).
    messages: Vec<QueuedMessage>,
}

fn conflict() -> AppError {
    AppError::new(
        ErrorCode::ConcurrentModification,
        "the envelope kept changing under this request; retry it",
    )
}

/// The time for a command: now, never before the envelope's last event.
fn now_after(envelope: &Envelope) -> DateTime<Utc> {
    crate::ids::now().max(envelope.updated_at)
}

/// Writes a change: bytes first, then the envelope if nobody wrote since
/// `before`. `Ok(None)` when the race was lost.
async fn commit(
    state: &AppState,
    before: &EnvelopeRecord,
    change: Change,
) -> AppResult<Option<EnvelopeRecord>> {
    for (key, bytes) in &change.blobs {
        state.blobs().put(key, bytes.clone()).await?;
    }
    let e = &change.transition.envelope;
    let outbox = outbox_messages_with_links(
        Some(&before.envelope),
        &change.transition,
        &state.settings().public_url,
    )?;
    let mut messages = super::messages::for_change(state, &before.envelope, e)?;
    messages.extend(change.messages);
    let write = EnvelopeWrite {
        tenant: before.tenant.clone(),
        extra: change.settings.to_value(),
        outbox,
        messages,
        envelope: e.clone(),
        events: change.transition.events.clone(),
        new_documents: Vec::new(),
        document_ids: e.documents.iter().map(|d| d.id.clone()).collect(),
        envelope_webhook: None,
        deleted_at: None,
    };
    match state
        .store()
        .update_envelope(&write, before.envelope.version)
        .await
    {
        Ok(written) => {
            if written.deliveries > 0 {
                state.wake_deliveries();
            }
            if !write.messages.is_empty() {
                state.wake_messages();
            }
            Ok(Some(EnvelopeRecord {
                tenant: write.tenant,
                envelope: write.envelope,
                extra: write.extra,
            }))
        }
        Err(WriteError::Conflict) => Ok(None),
        Err(WriteError::Store(err)) => Err(err),
    }
}

/// Reads with `$load`, plans with `$plan` (a block that may `.await`
/// and `?`, with the record read bound to `$record`), commits; again after
/// a lost race, [`MAX_WRITE_ATTEMPTS`] times, then 409.
macro_rules! with_retries {
    ($state:expr, $load:expr, |$record:ident| $plan:block) => {{
        let mut outcome: AppResult<EnvelopeRecord> = Err(conflict());
        for _ in 0..MAX_WRITE_ATTEMPTS {
            let $record: EnvelopeRecord = $load.await?;
            let planned: Change = $plan;
            if let Some(written) = commit($state, &$record, planned).await? {
                outcome = Ok(written);
                break;
            }
            tracing::debug!(
                envelope = %$record.envelope.id,
                "lost an optimistic-concurrency race; retrying"
            );
        }
        outcome
    }};
}

/// The bytes of every document of the envelope as it is now: the uploads
/// of a draft, the recorded versions of a sent envelope.
pub async fn current_documents(
    state: &AppState,
    record: &EnvelopeRecord,
) -> AppResult<Vec<DocumentBytes>> {
    let e = &record.envelope;
    let mut out = Vec::with_capacity(e.documents.len());
    if e.status == EnvelopeStatus::Draft {
        let uploads = state.store().envelope_documents(e).await?;
        for document in &e.documents {
            let upload = uploads
                .iter()
                .find(|u| u.id == document.id)
                .ok_or_else(|| AppError::not_found("document", &document.id))?;
            out.push(DocumentBytes {
                document_id: document.id.clone(),
                pdf: state.blobs().get(&upload.object_key).await?.to_vec(),
            });
        }
    } else {
        for document in &e.documents {
            let key = version_key(
                &record.tenant.account_id,
                &e.id,
                &document.id,
                document.current_sha256(),
            );
            out.push(DocumentBytes {
                document_id: document.id.clone(),
                pdf: state.blobs().get(&key).await?.to_vec(),
            });
        }
    }
    Ok(out)
}

/// The object-store writes of new document versions.
fn version_blobs(record: &EnvelopeRecord, documents: &[DocumentBytes]) -> Vec<(String, Bytes)> {
    documents
        .iter()
        .map(|d| {
            let sha = paraph::digest::sha256_hex(&d.pdf);
            (
                version_key(
                    &record.tenant.account_id,
                    &record.envelope.id,
                    &d.document_id,
                    &sha,
                ),
                Bytes::from(d.pdf.clone()),
            )
        })
        .collect()
}

/// Applies commands in order as one transition.
fn apply_all(envelope: &Envelope, commands: Vec<Command>, ctx: &Context) -> AppResult<Transition> {
    let mut state = envelope.clone();
    let mut events = Vec::new();
    for command in commands {
        let step = envelope::apply(&state, command, ctx)?;
        events.extend(step.events);
        state = step.envelope;
    }
    Ok(Transition {
        envelope: state,
        events,
    })
}

/// Joins two transitions that follow each other.
fn chain(first: Transition, second: Transition) -> Transition {
    let mut events = first.events;
    events.extend(second.events);
    Transition {
        envelope: second.envelope,
        events,
    }
}

/// The fields an envelope gets at send: the anchored ones, and when the
/// request placed none at all, a signature field for each signer on the
/// last page of the last document. A signer left without a field while
/// others have some is the core's 409 `SIGNER_WITHOUT_FIELD`.
fn send_fields(
    e: &Envelope,
    settings: &EnvelopeSettings,
    uploads: &[DocumentBytes],
) -> AppResult<Vec<Command>> {
    let mut commands: Vec<Command> = settings
        .anchored_fields
        .iter()
        .map(|a| {
            Command::AddField(NewField {
                id: a.id.clone(),
                document_id: a.document_id.clone(),
                recipient_id: a.recipient_id.clone(),
                kind: a.kind,
                page: a.page.unwrap_or(0),
                rect: Rect::new(0.0, 0.0, a.width, a.height),
                required: a.required,
                value: None,
                multiline: false,
                anchor: Some(FieldAnchor {
                    text: a.anchor_text.clone(),
                    occurrence: a.anchor_index.saturating_add(1),
                    placement: match a.anchor_placement {
                        AnchorPlacement::Right => CorePlacement::Right,
                        AnchorPlacement::Left => CorePlacement::Left,
                        AnchorPlacement::Above => CorePlacement::Above,
                        AnchorPlacement::Below => CorePlacement::Below,
                    },
                }),
            })
        })
        .collect();
    if !e.fields.is_empty() || !commands.is_empty() {
        return Ok(commands);
    }
    let Some(last) = e.documents.last() else {
        return Ok(commands);
    };
    let Some(bytes) = uploads.iter().find(|d| d.document_id == last.id) else {
        return Ok(commands);
    };
    let (read, _) = workflow::upload(&last.id, &last.name, bytes.pdf.clone(), &Default::default())?;
    let Some(page) = read.pages.last() else {
        return Ok(commands);
    };
    let per_row = (((page.width - 2.0 * DEFAULT_MARGIN + DEFAULT_GAP)
        / (DEFAULT_WIDTH + DEFAULT_GAP))
        .floor() as usize)
        .max(1);
    let signers = e
        .recipients
        .iter()
        .filter(|r| r.role == RecipientRole::Signer);
    for (i, signer) in signers.enumerate() {
        let (row, col) = (i / per_row, i % per_row);
        let x = DEFAULT_MARGIN.min(page.width / 4.0) + col as f64 * (DEFAULT_WIDTH + DEFAULT_GAP);
        let y = (page.height
            - DEFAULT_MARGIN.min(page.height / 4.0)
            - DEFAULT_HEIGHT
            - row as f64 * (DEFAULT_HEIGHT + DEFAULT_GAP))
            .max(0.0);
        commands.push(Command::AddField(NewField {
            id: crate::ids::new_id("fld", e.updated_at)?,
            document_id: last.id.clone(),
            recipient_id: signer.id.clone(),
            kind: FieldKind::Signature,
            page: read.page_count,
            rect: Rect::new(
                x,
                y,
                DEFAULT_WIDTH.min(page.width),
                DEFAULT_HEIGHT.min(page.height),
            ),
            required: true,
            value: None,
            multiline: false,
            anchor: None,
        }));
    }
    Ok(commands)
}

/// Every recipient's link of the envelope's current round.
fn round_links(state: &AppState, e: &Envelope, now: DateTime<Utc>) -> Vec<SigningLink> {
    let signing = &state.settings().signing;
    let mut expires_at = now + signing.link_lifetime;
    if let Some(envelope_expiry) = e.expires_at {
        expires_at = expires_at.min(envelope_expiry);
    }
    e.recipients
        .iter()
        .map(|r| SigningLink {
            recipient_id: r.id.clone(),
            token_sha256: links::token_sha256(&links::token(
                &signing.link_secret,
                &e.id,
                &r.id,
                e.round,
            )),
            expires_at,
        })
        .collect()
}

/// `POST /envelopes/{id}/send`: the documents prepared (fields written
/// into them), `send` applied with their digests, a link for each
/// recipient.
pub async fn send(state: &AppState, principal: &Principal, id: &str) -> AppResult<Written> {
    let platform = state.settings().signing.platform()?;
    let record = with_retries!(
        state,
        async {
            state
                .store()
                .envelope(&principal.tenant, id)
                .await?
                .ok_or_else(|| AppError::not_found("envelope", id))
        },
        |record| {
            let record = &record;
            let e = &record.envelope;
            if e.status != EnvelopeStatus::Draft {
                return Err(paraph::Error::new(
                    ErrorCode::EnvelopeNotDraft,
                    format!(
                        "envelope {id} is {} and was sent already",
                        e.status.as_str()
                    ),
                )
                .into());
            }
            let mut settings = EnvelopeSettings::from_value(&record.extra);
            let uploads = current_documents(state, record).await?;
            let mut ctx = Context::new(
                now_after(e),
                Actor::ApiKey {
                    id: principal.key_id.clone(),
                },
            );
            ctx.ip = principal.ip.clone();
            ctx.user_agent = principal.user_agent.clone();
            let now = ctx.now;
            let (transition, prepared) = {
                let (envelope, anchored, platform) =
                    (e.clone(), settings.clone(), platform.clone());
                crate::cpu::run("preparing the documents", move || {
                    let fields = apply_all(
                        &envelope,
                        send_fields(&envelope, &anchored, &uploads)?,
                        &ctx,
                    )?;
                    let prepared = workflow::prepare(
                        &fields.envelope,
                        &uploads,
                        Some(&platform.seal),
                        &PrepareOptions::default(),
                    )?;
                    let sent = apply_all(&fields.envelope, vec![prepared.command.clone()], &ctx)?;
                    Ok((chain(fields, sent), prepared.documents))
                })
                .await?
            };
            settings.anchored_fields.clear();
            settings.pending_codes.clear();
            settings.signing_links = round_links(state, &transition.envelope, now);
            Change {
                blobs: version_blobs(record, &prepared),
                transition,
                settings,
                messages: Vec::new(),
            }
        }
    )?;
    let documents = state.store().envelope_documents(&record.envelope).await?;
    Ok(Written {
        record,
        documents,
        webhook_secret: None,
    })
}

/// A recipient's link, read: the envelope and who holds the link.
#[derive(Debug, Clone)]
pub struct Holder {
    /// The envelope as read.
    pub record: EnvelopeRecord,
    /// The recipient.
    pub recipient_id: String,
}

/// The envelope and recipient of a token: `TOKEN_INVALID` (401) for a
/// token that is not one of the current round's, `LINK_EXPIRED` (410)
/// after its expiry.
pub async fn holder(state: &AppState, token: &str) -> AppResult<Holder> {
    let invalid = || AppError::new(ErrorCode::TokenInvalid, "this signing link is not valid");
    let envelope_id = links::envelope_of(token).ok_or_else(invalid)?;
    let record = state
        .store()
        .envelope_by_id(envelope_id)
        .await?
        .ok_or_else(invalid)?;
    let settings = EnvelopeSettings::from_value(&record.extra);
    let link = links::find(&settings.signing_links, token).ok_or_else(invalid)?;
    if link.expires_at <= crate::ids::now() {
        return Err(AppError::new(
            ErrorCode::LinkExpired,
            "this signing link has expired; ask the sender for a new one",
        ));
    }
    let recipient_id = link.recipient_id.clone();
    if record.envelope.recipient(&recipient_id).is_none() {
        return Err(invalid());
    }
    Ok(Holder {
        record,
        recipient_id,
    })
}

/// The recipient's context.
fn recipient_context(e: &Envelope, recipient_id: &str, client: &Client) -> Context {
    let mut ctx = Context::new(
        now_after(e),
        Actor::Recipient {
            id: recipient_id.to_owned(),
        },
    );
    ctx.ip.clone_from(&client.ip);
    ctx.user_agent.clone_from(&client.user_agent);
    ctx
}

/// Runs recipient commands through the envelope, for the link's holder.
async fn recipient_commands<F>(
    state: &AppState,
    token: &str,
    client: &Client,
    mut commands: F,
) -> AppResult<EnvelopeRecord>
where
    F: FnMut(
        &EnvelopeRecord,
        &str,
        &mut EnvelopeSettings,
        &mut Vec<QueuedMessage>,
    ) -> AppResult<Vec<Command>>,
{
    with_retries!(
        state,
        async { AppResult::Ok(holder(state, token).await?.record) },
        |record| {
            let held = holder_of(&record, token)?;
            let ctx = recipient_context(&record.envelope, &held, client);
            let mut settings = EnvelopeSettings::from_value(&record.extra);
            let mut messages = Vec::new();
            let list = commands(&record, &held, &mut settings, &mut messages)?;
            Change {
                transition: apply_all(&record.envelope, list, &ctx)?,
                settings,
                blobs: Vec::new(),
                messages,
            }
        }
    )
}

/// The recipient of `token` in an envelope read again.
fn holder_of(record: &EnvelopeRecord, token: &str) -> AppResult<String> {
    let settings = EnvelopeSettings::from_value(&record.extra);
    links::find(&settings.signing_links, token)
        .map(|l| l.recipient_id.clone())
        .ok_or_else(|| AppError::new(ErrorCode::TokenInvalid, "this signing link is not valid"))
}

/// Records that the recipient opened the envelope, the first time and
/// while it is their turn (the core refuses it otherwise; a view is then
/// simply not recorded).
pub async fn record_view(state: &AppState, token: &str, client: &Client) -> AppResult<Holder> {
    let held = holder(state, token).await?;
    let recipient = held.record.envelope.recipient(&held.recipient_id);
    // Behind a code, the envelope is seen once the code is passed.
    let first_view = recipient
        .is_some_and(|r| r.status.is_active() && r.viewed_at.is_none() && !super::code_pending(r));
    if !first_view || held.record.envelope.status != EnvelopeStatus::Sent {
        return Ok(held);
    }
    let result = recipient_commands(state, token, client, |_, rid, _, _| {
        Ok(vec![Command::View {
            recipient_id: rid.to_owned(),
        }])
    })
    .await;
    match result {
        Ok(record) => Ok(Holder {
            record,
            recipient_id: held.recipient_id,
        }),
        Err(err) if err.status().is_client_error() => Ok(held),
        Err(err) => Err(err),
    }
}

/// Sends the recipient a code by SMS (`requestAuthentication`), replacing
/// any code sent before: its SHA-256 goes to the envelope's settings and
/// the SMS to the outbox, in the transaction of the command (the code is
/// derived from a random nonce and the link secret, so neither row holds
/// it). Only for recipients whose method is SMS and who have a phone.
pub async fn request_code(state: &AppState, token: &str, client: &Client) -> AppResult<()> {
    let signing = &state.settings().signing;
    let lifetime = signing.code_lifetime;
    recipient_commands(state, token, client, |record, rid, settings, messages| {
        let e = &record.envelope;
        let recipient = e
            .recipient(rid)
            .ok_or_else(|| AppError::new(ErrorCode::RecipientNotFound, "no such recipient"))?;
        if recipient.authentication != AuthenticationMethod::SmsCode {
            return Err(AppError::invalid(format!(
                "this recipient authenticates with {}, not a code by SMS",
                recipient.authentication.as_str()
            )));
        }
        if recipient.phone.is_none() {
            return Err(AppError::new(
                ErrorCode::InvalidRecipient,
                "the recipient has no phone number",
            ));
        }
        let nonce = crate::ids::random_base62(22)?;
        let code = super::sms::derive_code(&signing.link_secret, &e.id, rid, &nonce);
        settings.pending_codes.retain(|c| c.recipient_id != rid);
        settings.pending_codes.push(PendingCode {
            recipient_id: rid.to_owned(),
            code_sha256: super::sms::code_sha256(&e.id, rid, &code),
            expires_at: now_after(e) + lifetime,
        });
        messages.push(super::messages::code_message(e, rid, &nonce)?);
        Ok(vec![Command::RequestAuthentication {
            recipient_id: rid.to_owned(),
        }])
    })
    .await?;
    Ok(())
}

/// Checks a code (`authenticate`, passed or not; the core counts failures
/// and locks the recipient out after too many): the code sent by SMS, or
/// the access code the sender gave, by the recipient's method. A wrong
/// code answers `TOKEN_INVALID` after the failure is recorded.
pub async fn authenticate(
    state: &AppState,
    token: &str,
    code: &str,
    client: &Client,
) -> AppResult<EnvelopeRecord> {
    let secret = state.settings().signing.link_secret.clone();
    let mut passed = false;
    let record = recipient_commands(state, token, client, |record, rid, settings, _| {
        let e = &record.envelope;
        let method = e
            .recipient(rid)
            .map(|r| r.authentication)
            .unwrap_or_default();
        passed = match method {
            AuthenticationMethod::AccessCode => {
                super::access_code::matches(&settings.access_codes, &secret, rid, code)
            }
            _ => {
                let now = now_after(e);
                let hash = super::sms::code_sha256(&e.id, rid, code.trim());
                settings.pending_codes.iter().any(|c| {
                    c.recipient_id == rid
                        && c.expires_at > now
                        && bool::from(subtle::ConstantTimeEq::ct_eq(
                            c.code_sha256.as_bytes(),
                            hash.as_bytes(),
                        ))
                })
            }
        };
        if passed {
            settings.pending_codes.retain(|c| c.recipient_id != rid);
        }
        Ok(vec![Command::Authenticate {
            recipient_id: rid.to_owned(),
            method,
            passed,
        }])
    })
    .await?;
    if !passed {
        return Err(AppError::new(
            ErrorCode::TokenInvalid,
            "the code is wrong or has expired",
        ));
    }
    Ok(record)
}

/// Records the recipient's consent to sign electronically, to the text
/// the signing page shows ([`CONSENT_TEXT`]).
pub async fn consent(state: &AppState, token: &str, client: &Client) -> AppResult<EnvelopeRecord> {
    recipient_commands(state, token, client, |_, rid, _, _| {
        Ok(vec![Command::Consent {
            recipient_id: rid.to_owned(),
            version: CONSENT_VERSION.to_owned(),
            text_sha256: paraph::digest::sha256_hex(CONSENT_TEXT.as_bytes()),
        }])
    })
    .await
}

/// Declines for the recipient, with a reason.
pub async fn decline(
    state: &AppState,
    token: &str,
    reason: &str,
    client: &Client,
) -> AppResult<EnvelopeRecord> {
    recipient_commands(state, token, client, |_, rid, settings, _| {
        settings.pending_codes.clear();
        Ok(vec![Command::Decline {
            recipient_id: rid.to_owned(),
            reason: reason.to_owned(),
        }])
    })
    .await
}

/// What a recipient brings to signing or approving.
#[derive(Debug, Clone, Default)]
pub struct Action {
    /// Field values.
    pub values: Vec<workflow::FieldInput>,
    /// Their mark: drawn (PNG) or typed; their name when `None`.
    pub signature: Option<SignatureMark>,
    /// Their initials, when not derived from their name.
    pub initials: Option<String>,
}

/// Signs (a SIGNER) or approves (an APPROVER) for the link's holder
/// through the core's workflow, with a certificate issued for them by the
/// platform CA (or the platform's seal, by configuration); the last one
/// also finalizes.
pub async fn act(
    state: &AppState,
    token: &str,
    action: &Action,
    approve: bool,
    client: &Client,
) -> AppResult<EnvelopeRecord> {
    let signing = &state.settings().signing;
    let platform = signing.platform()?;
    with_retries!(
        state,
        async { AppResult::Ok(holder(state, token).await?.record) },
        |record| {
            let record = &record;
            let rid = holder_of(record, token)?;
            let e = &record.envelope;
            let ctx = recipient_context(e, &rid, client);
            let documents = current_documents(state, record).await?;
            let input = RecipientInput {
                recipient_id: rid.clone(),
                values: action.values.clone(),
                signature: action.signature.clone(),
                initials: action.initials.clone(),
                initials_image: None,
            };
            let signed = {
                let (envelope, rid, platform, mode) = (
                    e.clone(),
                    rid.clone(),
                    platform.clone(),
                    signing.certificates,
                );
                let (documents, ctx) = (documents.clone(), ctx.clone());
                let mut entropy = [0u8; 32];
                if !approve && mode == CertificateMode::PerSigner {
                    crate::ids::fill_random(&mut entropy)?;
                }
                crate::cpu::run("signing", move || {
                    let options = SignRecipientOptions::default();
                    if approve {
                        return Ok(workflow::approve_recipient(
                            &envelope, &documents, &input, &options, &ctx,
                        )?);
                    }
                    let issued;
                    let signer: &dyn paraph::pades::Signer = match mode {
                        CertificateMode::PlatformSeal => &platform.seal,
                        CertificateMode::PerSigner => {
                            issued = workflow::issue_recipient_signer(
                                &envelope,
                                &rid,
                                &platform.ca,
                                &entropy,
                                &RecipientCertificateOptions::default(),
                                ctx.now,
                            )?;
                            &issued
                        }
                    };
                    Ok(workflow::sign_recipient(
                        &envelope, &documents, &input, signer, None, &options, &ctx,
                    )?)
                })
                .await?
            };
            let mut blobs = version_blobs(record, &signed.documents);
            let mut settings = EnvelopeSettings::from_value(&record.extra);
            settings.pending_codes.retain(|c| c.recipient_id != rid);
            let mut transition = signed.transition;
            if transition.envelope.awaiting_completion() {
                let mut current = documents;
                for changed in signed.documents {
                    if let Some(slot) = current
                        .iter_mut()
                        .find(|d| d.document_id == changed.document_id)
                    {
                        *slot = changed;
                    }
                }
                let mut history: Vec<Event> = state.store().envelope_events(&e.id).await?;
                history.extend(transition.events.iter().cloned());
                let system = Context::new(ctx.now, Actor::System);
                let (completing, platform) = (transition.envelope.clone(), platform.clone());
                let archive = signing.archive.clone();
                let done = crate::cpu::run("finalizing the envelope", move || {
                    let options = finalize_options(&platform, archive.as_deref());
                    let tsa = archive
                        .as_deref()
                        .map(|a| &a.tsa as &dyn paraph::pades::TimestampAuthority);
                    Ok(workflow::finalize(
                        &completing,
                        &history,
                        &current,
                        &platform.seal,
                        tsa,
                        &options,
                        &system,
                    )?)
                })
                .await?;
                blobs.extend(version_blobs(record, &done.documents));
                blobs.push((
                    audit_trail_key(&record.tenant.account_id, &done.transition.envelope),
                    Bytes::from(done.audit_trail),
                ));
                transition = chain(transition, done.transition);
            }
            Change {
                transition,
                settings,
                blobs,
                messages: Vec::new(),
            }
        }
    )
}

/// How envelopes are finalized: B-B by default; with an archive (a TSA),
/// B-T seals and audit trail, the platform's CA and seal certificates in
/// each document's DSS, and a document time-stamp (B-LTA).
fn finalize_options(
    platform: &crate::signing::Platform,
    archive: Option<&crate::signing::tsa::Archive>,
) -> FinalizeOptions {
    use paraph::pades::Signer as _;
    if archive.is_none() {
        return FinalizeOptions::default();
    }
    let mut certificates: Vec<Vec<u8>> = Vec::new();
    for cert in platform
        .ca
        .certificate_chain()
        .iter()
        .chain(platform.seal.certificate_chain())
    {
        if !certificates.iter().any(|c| c == cert.der()) {
            certificates.push(cert.der().to_vec());
        }
    }
    FinalizeOptions {
        level: paraph::pades::PadesLevel::BaselineT,
        validation_data: paraph::pades::ValidationData {
            certificates,
            ..Default::default()
        },
        archive: true,
        ..FinalizeOptions::default()
    }
}

/// Decodes a drawn signature (base64 PNG; a `data:image/png;base64,`
/// prefix is allowed).
pub fn drawn_mark(encoded: &str) -> AppResult<SignatureMark> {
    let text = encoded
        .strip_prefix("data:image/png;base64,")
        .unwrap_or(encoded);
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let png = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(compact.trim_end_matches('='))
        .map_err(|_| AppError::invalid("signature.png is not base64"))?;
    Ok(SignatureMark::Drawn { png })
}

/// The sealed audit trail of a terminal envelope: the one sealed at
/// completion, or, for a declined, voided or expired one, rendered now
/// from its history (at the time of its last event, so every download is
/// the same evidence) and sealed by the platform. `ENVELOPE_NOT_READY`
/// (409) before a terminal state.
pub async fn audit_trail(state: &AppState, record: &EnvelopeRecord) -> AppResult<Bytes> {
    let e = &record.envelope;
    if !e.is_terminal() {
        return Err(AppError::new(
            ErrorCode::EnvelopeNotReady,
            format!(
                "envelope {} is {}: its audit trail is sealed once it is completed, declined, voided or expired",
                e.id,
                e.status.as_str()
            ),
        ));
    }
    if e.status == EnvelopeStatus::Completed {
        return state
            .blobs()
            .get(&audit_trail_key(&record.tenant.account_id, e))
            .await;
    }
    let platform = state.settings().signing.platform()?;
    let events = state.store().envelope_events(&e.id).await?;
    let at = e.updated_at;
    let locale = paraph::audit::Locale::parse(&e.locale).unwrap_or_default();
    let pdf = crate::cpu::run("sealing the audit trail", move || {
        let bundle = paraph::audit::EvidenceBundle::from_events(&events, at)?;
        let rendered =
            paraph::audit::render_audit_trail(&bundle, &paraph::audit::RenderOptions { locale })?;
        Ok(paraph::audit::seal_audit_trail(
            &rendered,
            &platform.seal,
            None,
            at,
        )?)
    })
    .await?;
    Ok(Bytes::from(pdf))
}

/// The final documents of a completed envelope (`ENVELOPE_NOT_READY`,
/// 409, before), each with its name.
pub async fn signed_documents(
    state: &AppState,
    record: &EnvelopeRecord,
) -> AppResult<Vec<(String, String, Bytes)>> {
    let e = &record.envelope;
    if e.status != EnvelopeStatus::Completed {
        return Err(AppError::new(
            ErrorCode::EnvelopeNotReady,
            format!(
                "envelope {} is {}: the signed document exists once it is COMPLETED",
                e.id,
                e.status.as_str()
            ),
        ));
    }
    let mut out = Vec::new();
    for document in &e.documents {
        let key = version_key(
            &record.tenant.account_id,
            &e.id,
            &document.id,
            document.current_sha256(),
        );
        out.push((
            document.id.clone(),
            document.name.clone(),
            state.blobs().get(&key).await?,
        ));
    }
    Ok(out)
}

/// How many reminders a recipient gets at most.
pub const MAX_REMINDERS: u32 = 3;

/// The background task's pass: sent envelopes past their expiry are
/// expired (`expire`, as the system); recipients whose turn came
/// `remind_after` ago (or their last reminder did) and who have not
/// acted are reminded (`remind`), at most [`MAX_REMINDERS`] times. A race
/// with another process is lost quietly: the other one did it. Returns
/// (expired, reminded envelopes).
pub async fn expire_and_remind(
    state: &AppState,
    remind_after: Option<chrono::Duration>,
    batch: u32,
) -> AppResult<(usize, usize)> {
    let now = crate::ids::now();
    let (mut expired, mut reminded) = (0, 0);
    for record in state.store().sent_envelopes(batch).await? {
        let e = &record.envelope;
        let command = if e.expires_at.is_some_and(|at| at <= now) {
            Command::Expire
        } else if let Some(after) = remind_after {
            let due: Vec<String> = e
                .recipients
                .iter()
                .filter(|r| r.status.is_active() && r.reminder_count < MAX_REMINDERS)
                .filter(|r| {
                    r.last_reminded_at
                        .or(r.notified_at)
                        .is_some_and(|at| at + after <= now)
                })
                .map(|r| r.id.clone())
                .collect();
            if due.is_empty() {
                continue;
            }
            Command::Remind { recipient_ids: due }
        } else {
            continue;
        };
        let expiring = matches!(command, Command::Expire);
        let id = e.id.clone();
        let result = system_command(state, &id, e.version, command, expiring).await;
        match result {
            Ok(_) if expiring => expired += 1,
            Ok(_) => reminded += 1,
            Err(err) if err.status().is_client_error() => {
                tracing::debug!(envelope = %id, error = %err.message(), "expiry or reminder skipped");
            }
            Err(err) => return Err(err),
        }
    }
    Ok((expired, reminded))
}

/// Applies a command of the platform's own to an envelope still at `version`.
async fn system_command(
    state: &AppState,
    id: &str,
    version: u64,
    command: Command,
    expiring: bool,
) -> AppResult<EnvelopeRecord> {
    with_retries!(
        state,
        async {
            state
                .store()
                .envelope_by_id(id)
                .await?
                .ok_or_else(|| AppError::not_found("envelope", id))
        },
        |current| {
            if current.envelope.version != version {
                // Someone acted since the scan: look again next pass.
                return Err(conflict());
            }
            let ctx = Context::new(now_after(&current.envelope), Actor::System);
            let mut settings = EnvelopeSettings::from_value(&current.extra);
            if expiring {
                settings.pending_codes.clear();
            }
            Change {
                transition: apply_all(&current.envelope, vec![command.clone()], &ctx)?,
                settings,
                blobs: Vec::new(),
                messages: Vec::new(),
            }
        }
    )
}
