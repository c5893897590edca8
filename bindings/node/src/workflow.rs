//! `workflow`: the core's signing workflow (upload → prepare →
//! signRecipient / approveRecipient, or the two-phase RecipientSigning →
//! finalize) and per-signer certificates (`issueRecipientSigner`). Each
//! step that writes PDFs runs on the libuv pool and returns a `Promise`.
//!
//! Every step calls one core function: the binding converts, it never
//! orchestrates.

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use paraph::envelope::{Command, Context, SignatureMark};
use paraph::pdf::Limits;
use paraph::workflow::{
    self, DocumentBytes as CoreDocumentBytes, FieldInput, FinalizeOptions, PrepareOptions,
    RecipientCertificateOptions, RecipientInput as CoreRecipientInput,
    RecipientSigning as CoreRecipientSigning, SignRecipientOptions, SignatureValue,
    SigningProgress,
};

use crate::callback::JsCallback;
use crate::convert::{self, CoreTask, InstantInput, Json, PromiseOf};
use crate::document::level;
use crate::envelope::{self, CommandContext, Envelope, Transition};
use crate::error::{boundary, core};
use crate::signer::{self, CertificatesInput, Signer, SignerArg};

/// A document's bytes, by its id in the envelope (what the steps take).
#[napi(object, object_to_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct DocumentBytesInput {
    /// The document's id in the envelope.
    pub document_id: String,
    /// Its PDF.
    pub pdf: Uint8Array,
}

/// A document's bytes, by its id in the envelope (what the steps return).
#[napi(object, object_from_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct DocumentBytes {
    /// The document's id in the envelope.
    pub document_id: String,
    /// Its PDF.
    pub pdf: Buffer,
}

fn documents_in(documents: Vec<DocumentBytesInput>) -> Vec<CoreDocumentBytes> {
    documents
        .into_iter()
        .map(|d| CoreDocumentBytes {
            document_id: d.document_id,
            pdf: d.pdf.to_vec(),
        })
        .collect()
}

fn documents_out(documents: Vec<CoreDocumentBytes>) -> Vec<DocumentBytes> {
    documents
        .into_iter()
        .map(|d| DocumentBytes {
            document_id: d.document_id,
            pdf: Buffer::from(d.pdf),
        })
        .collect()
}

fn commands_out(commands: &[Command]) -> paraph::Result<Vec<serde_json::Value>> {
    commands.iter().map(|c| Json::of(c).map(|j| j.0)).collect()
}

/// What `upload` returns.
#[napi(object, object_from_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct Uploaded {
    /// The `addDocument` command to apply to the envelope (page count, page
    /// sizes and SHA-256 read from the PDF).
    #[napi(ts_type = "EnvelopeCommand")]
    pub command: serde_json::Value,
    /// The bytes the steps take.
    pub bytes: DocumentBytes,
}

/// Reads a document to add to an envelope (under `limits`): the
/// `addDocument` command and the bytes. A PDF that cannot be read or is
/// encrypted is refused with the PDF engine's code.
#[napi(namespace = "workflow")]
pub fn upload(
    env: &Env,
    id: String,
    name: String,
    pdf: Uint8Array,
    #[napi(ts_arg_type = "Limits")] limits: Option<serde_json::Value>,
) -> Result<Uploaded> {
    boundary(env, || {
        let limits: Limits = convert::from_value_or_default(env, limits, "limits")?;
        let (document, bytes) =
            workflow::upload(&id, &name, pdf.to_vec(), &limits).map_err(core(env))?;
        Ok(Uploaded {
            command: convert::to_value(env, &Command::AddDocument(document))?,
            bytes: DocumentBytes {
                document_id: bytes.document_id,
                pdf: Buffer::from(bytes.pdf),
            },
        })
    })
}

/// Options of `prepare`.
#[napi(object, object_to_js = false)]
#[derive(Debug, Default)]
pub struct PrepareStepOptions {
    /// The platform's signer, which certifies the documents of `certify`.
    #[napi(ts_type = "Signer")]
    pub platform: Option<SignerArg>,
    /// Documents the platform certifies (DocMDP P=2).
    pub certify: Option<Vec<String>>,
    /// The certification's signing time (required with `certify`).
    #[napi(ts_type = "Date | string")]
    pub certification_time: Option<InstantInput>,
    /// Limits for reading the documents.
    #[napi(ts_type = "Limits")]
    pub limits: Option<serde_json::Value>,
}

/// What `prepare` resolves to.
#[napi(object, object_from_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct Prepared {
    /// Each document as it is sent, in the envelope's order.
    pub documents: Vec<DocumentBytes>,
    /// The `send` command with the prepared digests: apply it.
    #[napi(ts_type = "EnvelopeCommand")]
    pub command: serde_json::Value,
}

/// Prepares a draft's documents for sending: every recipient's fields go
/// into the documents (anchored ones beside their phrase), optionally
/// certified by the platform. Apply the `send` command it resolves with.
#[napi(namespace = "workflow", ts_return_type = "Promise<Prepared>")]
pub fn prepare<'env>(
    env: &'env Env,
    envelope: &Envelope,
    documents: Vec<DocumentBytesInput>,
    options: Option<PrepareStepOptions>,
) -> Result<PromiseOf<'env, Prepared>> {
    boundary(env, || {
        let options = options.unwrap_or_default();
        let core_options = PrepareOptions {
            certify: options.certify.unwrap_or_default(),
            certification_time: options
                .certification_time
                .map(|t| convert::instant(env, t, "certificationTime"))
                .transpose()?,
            limits: convert::from_value_or_default(env, options.limits, "limits")?,
            ..PrepareOptions::default()
        };
        let calls_js = options.platform.as_ref().is_some_and(|p| p.1);
        let platform = options.platform.map(|p| p.0);
        let state = envelope.inner.clone();
        let documents = documents_in(documents);
        convert::promise(env, calls_js, move || {
            let prepared =
                workflow::prepare(&state, &documents, platform.as_deref(), &core_options)?;
            Ok(Prepared {
                documents: documents_out(prepared.documents),
                command: Json::of(&prepared.command)?.0,
            })
        })
    })
}

/// A value a recipient gives one of their fields.
#[napi(object, object_to_js = false)]
#[derive(Debug)]
pub struct FieldValue {
    /// The field.
    pub field_id: String,
    /// The value (`"true"`/`"false"` for checkboxes).
    pub value: String,
}

/// The mark a recipient drew or typed.
#[napi(object, object_to_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct SignatureMarkInput {
    /// `"DRAWN"` (with `png`) or `"TYPED"` (with `text`).
    #[napi(ts_type = "'DRAWN' | 'TYPED'")]
    pub r#type: String,
    /// The drawn signature (PNG).
    pub png: Option<Uint8Array>,
    /// The typed text.
    pub text: Option<String>,
}

/// What a recipient brings when they sign or approve.
#[napi(object, object_to_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct RecipientInput {
    /// The recipient.
    pub recipient_id: String,
    /// Values for their fields, recorded as `fillField`.
    pub values: Option<Vec<FieldValue>>,
    /// The mark they drew or typed (their name when absent).
    pub signature: Option<SignatureMarkInput>,
    /// Their initials (derived from their name when absent).
    pub initials: Option<String>,
    /// Their initials, drawn (PNG).
    pub initials_image: Option<Uint8Array>,
}

fn recipient_input(env: &Env, input: RecipientInput) -> Result<CoreRecipientInput> {
    let signature = match input.signature {
        None => None,
        Some(mark) => Some(match (mark.r#type.as_str(), mark.png, mark.text) {
            ("DRAWN", Some(png), None) => SignatureMark::Drawn { png: png.to_vec() },
            ("TYPED", None, Some(text)) => SignatureMark::Typed { text },
            (kind, _, _) => {
                return Err(crate::error::new_err(
                    env,
                    paraph::ErrorCode::SignatureMarkInvalid,
                    format!(
                        "a signature mark is {{ type: 'DRAWN', png }} or {{ type: 'TYPED', text }}, not a {kind:?} mark with these keys"
                    ),
                ));
            }
        }),
    };
    Ok(CoreRecipientInput {
        recipient_id: input.recipient_id,
        values: input
            .values
            .unwrap_or_default()
            .into_iter()
            .map(|v| FieldInput {
                field_id: v.field_id,
                value: v.value,
            })
            .collect(),
        signature,
        initials: input.initials,
        initials_image: input.initials_image.map(|i| i.to_vec()),
    })
}

/// Options of `signRecipient`, `approveRecipient` and `beginRecipientSigning`.
#[napi(object, object_to_js = false)]
#[derive(Debug, Default)]
pub struct SignStepOptions {
    /// `"B-B"` (default) or `"B-T"` (needs `tsa`).
    #[napi(ts_type = "PadesLevel")]
    pub level: Option<String>,
    /// `/Reason` of the signatures.
    pub reason: Option<String>,
    /// The time-stamp authority for B-T: DER request in, DER response out.
    #[napi(ts_type = "(request: Buffer) => Uint8Array | Promise<Uint8Array>")]
    pub tsa: Option<JsCallback>,
    /// Limits for reading the documents.
    #[napi(ts_type = "Limits")]
    pub limits: Option<serde_json::Value>,
}

type Tsa = Option<Arc<dyn paraph::pades::TimestampAuthority>>;

fn sign_step_options(
    env: &Env,
    options: Option<SignStepOptions>,
) -> Result<(SignRecipientOptions, Tsa)> {
    let options = options.unwrap_or_default();
    let core_options = SignRecipientOptions {
        level: level(env, options.level)?,
        reason: options.reason,
        limits: convert::from_value_or_default(env, options.limits, "limits")?,
        ..SignRecipientOptions::default()
    };
    Ok((core_options, signer::timestamp_authority(options.tsa)))
}

/// A recipient's signature or approval, done.
#[napi(object, object_from_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct SignedRecipient {
    /// The documents the recipient changed, as they now are.
    pub documents: Vec<DocumentBytes>,
    /// The commands recorded (`fillField`s, then `sign` or `approve`).
    #[napi(ts_type = "EnvelopeCommand[]")]
    pub commands: Vec<serde_json::Value>,
    /// Those commands applied: persist the envelope, the events and the
    /// documents together.
    pub transition: Transition,
}

fn signed_out(signed: workflow::SignedRecipient) -> paraph::Result<SignedRecipient> {
    Ok(SignedRecipient {
        documents: documents_out(signed.documents),
        commands: commands_out(&signed.commands)?,
        transition: envelope::transition_of(signed.transition)?,
    })
}

/// Signs for a recipient in one call with `signer` (their issued key, or
/// an external signer): their values, the date, their name and initials
/// are written and each of their signature fields gets its own PAdES
/// revision. The envelope is asked first whether it accepts the signing.
#[napi(namespace = "workflow", ts_return_type = "Promise<SignedRecipient>")]
pub fn sign_recipient<'env>(
    env: &'env Env,
    envelope: &Envelope,
    documents: Vec<DocumentBytesInput>,
    input: RecipientInput,
    signer: &Signer,
    context: CommandContext,
    options: Option<SignStepOptions>,
) -> Result<PromiseOf<'env, SignedRecipient>> {
    boundary(env, || {
        let input = recipient_input(env, input)?;
        let ctx = envelope::context(env, context)?;
        let (options, tsa) = sign_step_options(env, options)?;
        let state = envelope.inner.clone();
        let calls_js = signer.calls_js() || tsa.is_some();
        let signer = signer.inner.clone();
        let documents = documents_in(documents);
        convert::promise(env, calls_js, move || {
            let signed = workflow::sign_recipient(
                &state,
                &documents,
                &input,
                &*signer,
                tsa.as_deref(),
                &options,
                &ctx,
            )?;
            signed_out(signed)
        })
    })
}

/// An approver's values written into the documents (unsigned revisions)
/// and their approval recorded.
#[napi(namespace = "workflow", ts_return_type = "Promise<SignedRecipient>")]
pub fn approve_recipient(
    env: &Env,
    envelope: &Envelope,
    documents: Vec<DocumentBytesInput>,
    input: RecipientInput,
    context: CommandContext,
    options: Option<SignStepOptions>,
) -> Result<AsyncTask<CoreTask<SignedRecipient>>> {
    boundary(env, || {
        let input = recipient_input(env, input)?;
        let ctx = envelope::context(env, context)?;
        let (options, _) = sign_step_options(env, options)?;
        let state = envelope.inner.clone();
        let documents = documents_in(documents);
        Ok(AsyncTask::new(CoreTask::new(move || {
            signed_out(workflow::approve_recipient(
                &state, &documents, &input, &options, &ctx,
            )?)
        })))
    })
}

/// Options of `finalize`.
#[napi(object, object_to_js = false)]
#[derive(Debug, Default)]
pub struct FinalizeStepOptions {
    /// Documents the platform seals before the completion is recorded.
    pub seal: Option<Vec<String>>,
    /// `"B-B"` (default) or `"B-T"` (needs `tsa`) for the seals and the
    /// audit trail.
    #[napi(ts_type = "PadesLevel")]
    pub level: Option<String>,
    /// The time-stamp authority for B-T.
    #[napi(ts_type = "(request: Buffer) => Uint8Array | Promise<Uint8Array>")]
    pub tsa: Option<JsCallback>,
    /// Limits for reading the documents.
    #[napi(ts_type = "Limits")]
    pub limits: Option<serde_json::Value>,
}

/// The completed envelope's files and records.
#[napi(object, object_from_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct Finalized {
    /// Every document as a client downloads it.
    pub documents: Vec<DocumentBytes>,
    /// `complete`, with the final digests.
    #[napi(ts_type = "EnvelopeCommand")]
    pub command: serde_json::Value,
    /// It applied to the envelope given.
    pub transition: Transition,
    /// The whole evidence bundle (the completion included), as JSON.
    #[napi(ts_type = "EvidenceBundle")]
    pub evidence: serde_json::Value,
    /// The sealed audit-trail PDF.
    pub audit_trail: Buffer,
}

/// Finalizes an envelope whose signers and approvers have all acted:
/// the platform's seals (when asked), the completion with the final
/// digests, the evidence and the sealed audit trail. `history` is the
/// envelope's whole event log.
#[napi(namespace = "workflow", ts_return_type = "Promise<Finalized>")]
#[allow(clippy::too_many_arguments)]
pub fn finalize<'env>(
    env: &'env Env,
    envelope: &Envelope,
    #[napi(ts_arg_type = "EnvelopeEvent[]")] history: Vec<serde_json::Value>,
    documents: Vec<DocumentBytesInput>,
    platform: &Signer,
    context: CommandContext,
    options: Option<FinalizeStepOptions>,
) -> Result<PromiseOf<'env, Finalized>> {
    boundary(env, || {
        let history = envelope::parse_events(history).map_err(core(env))?;
        let ctx = envelope::context(env, context)?;
        let options = options.unwrap_or_default();
        let core_options = FinalizeOptions {
            seal: options.seal.unwrap_or_default(),
            level: level(env, options.level)?,
            limits: convert::from_value_or_default(env, options.limits, "limits")?,
            ..FinalizeOptions::default()
        };
        let tsa = signer::timestamp_authority(options.tsa);
        let state = envelope.inner.clone();
        let calls_js = platform.calls_js() || tsa.is_some();
        let platform = platform.inner.clone();
        let documents = documents_in(documents);
        convert::promise(env, calls_js, move || {
            let done = workflow::finalize(
                &state,
                &history,
                &documents,
                &*platform,
                tsa.as_deref(),
                &core_options,
                &ctx,
            )?;
            Ok(Finalized {
                documents: documents_out(done.documents),
                command: Json::of(&done.command)?.0,
                transition: envelope::transition_of(done.transition)?,
                evidence: Json::of(&done.evidence)?.0,
                audit_trail: Buffer::from(done.audit_trail),
            })
        })
    })
}

/// Options of `issueRecipientSigner`.
#[napi(object, object_to_js = false)]
#[derive(Debug, Default)]
pub struct CertificateOptions {
    /// `"P-256"` (default, fast) or `"RSA-2048"` (slow to make).
    #[napi(ts_type = "'P-256' | 'RSA-2048'")]
    pub algorithm: Option<String>,
    /// Days of validity from `now` (default 365), cut to the CA's own.
    pub validity_days: Option<u32>,
}

/// Issues the signer `recipientId` a key and a certificate of their own
/// from the platform CA `ca` (a `Signer` whose certificate is a CA's; an
/// external one works), valid from `now`. `entropy`: at least 32 bytes
/// from `crypto.randomBytes`, new for each signing. Resolves to the
/// `Signer` to pass to `signRecipient`.
#[napi(namespace = "workflow", ts_return_type = "Promise<Signer>")]
pub fn issue_recipient_signer<'env>(
    env: &'env Env,
    envelope: &Envelope,
    recipient_id: String,
    ca: &Signer,
    entropy: Uint8Array,
    #[napi(ts_arg_type = "Date | string")] now: InstantInput,
    options: Option<CertificateOptions>,
) -> Result<PromiseOf<'env, Signer>> {
    boundary(env, || {
        let now = convert::instant(env, now, "now")?;
        let options = options.unwrap_or_default();
        let mut core_options = RecipientCertificateOptions::default();
        if let Some(algorithm) = options.algorithm {
            core_options.algorithm = convert::from_value(env, algorithm.into(), "algorithm")?;
        }
        if let Some(days) = options.validity_days {
            core_options.validity_days = days;
        }
        let state = envelope.inner.clone();
        let calls_js = ca.calls_js();
        let ca = ca.inner.clone();
        let entropy = entropy.to_vec();
        convert::promise(env, calls_js, move || {
            let key = workflow::issue_recipient_signer(
                &state,
                &recipient_id,
                &*ca,
                &entropy,
                &core_options,
                now,
            )?;
            Ok(Signer::from_key(key))
        })
    })
}

/// One signature value to produce for a `RecipientSigning`.
#[napi(object, object_from_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct ToSign {
    /// The document.
    pub document_id: String,
    /// The signature field.
    pub field_id: String,
    /// What to sign: the DER of the CMS signed attributes.
    pub data: Buffer,
    /// SHA-256 of `data`, for a signer that takes digests.
    pub digest: Buffer,
}

/// The value a signer made for one `ToSign`.
#[napi(object, object_to_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct SignatureValueInput {
    /// The document.
    pub document_id: String,
    /// PKCS#1 v1.5 for RSA, DER or `r || s` for P-256.
    pub value: Uint8Array,
}

/// What `RecipientSigning.provide` resolves to: the next round (`done`
/// false, `signing` set) or the finished signing (`done` true, `signed`
/// set).
#[napi(object, object_from_js = false)]
// napi's Buffer and Uint8Array have no Debug.
#[allow(missing_debug_implementations)]
pub struct SigningStep {
    /// Whether every signature is made.
    pub done: bool,
    /// The next round, when values are still needed.
    #[napi(ts_type = "workflow.RecipientSigning")]
    pub signing: Option<RecipientSigning>,
    /// The outcome, when done.
    pub signed: Option<SignedRecipient>,
}

/// A recipient's signing in two phases, for signers outside the process
/// (an HSM, a KMS): `toSign()` lists the values to make, `provide(...)`
/// takes them, in as many rounds as the signatures depend on each other.
/// Serialisable between rounds with `JSON.stringify`.
#[napi(namespace = "workflow")]
#[derive(Debug, Clone)]
pub struct RecipientSigning {
    inner: CoreRecipientSigning,
}

#[napi(namespace = "workflow")]
impl RecipientSigning {
    /// Begins a recipient's signing with the certificate chain of the key
    /// that will sign: the envelope must accept the signing, checked before
    /// any PDF work.
    #[napi(ts_return_type = "Promise<workflow.RecipientSigning>")]
    pub fn begin(
        env: &Env,
        envelope: &Envelope,
        documents: Vec<DocumentBytesInput>,
        input: RecipientInput,
        #[napi(ts_arg_type = "BytesInput | BytesInput[]")] certificate_chain: CertificatesInput,
        context: CommandContext,
        options: Option<SignStepOptions>,
    ) -> Result<AsyncTask<CoreTask<RecipientSigning>>> {
        boundary(env, || {
            let input = recipient_input(env, input)?;
            let chain = signer::certificates(env, certificate_chain)?;
            let ctx = envelope::context(env, context)?;
            let (options, _) = sign_step_options(env, options)?;
            let state = envelope.inner.clone();
            let documents = documents_in(documents);
            Ok(AsyncTask::new(CoreTask::new(move || {
                let inner = CoreRecipientSigning::begin(
                    &state, &documents, &input, &chain, &options, &ctx,
                )?;
                Ok(RecipientSigning { inner })
            })))
        })
    }

    /// The values to produce now, one per document with a signature waiting.
    #[napi]
    pub fn to_sign(&self) -> Vec<ToSign> {
        self.inner
            .to_sign()
            .into_iter()
            .map(|item| ToSign {
                digest: Buffer::from(paraph::digest::sha256(&item.message).to_vec()),
                data: Buffer::from(item.message),
                document_id: item.document_id,
                field_id: item.field_id,
            })
            .collect()
    }

    /// Takes the values for `toSign()` and finishes those signatures (each
    /// checked against its pending state and the certificate); `envelope`
    /// and `documents` are those given to `begin`. This object is left as
    /// it was.
    #[napi(ts_return_type = "Promise<SigningStep>")]
    pub fn provide<'env>(
        &self,
        env: &'env Env,
        envelope: &Envelope,
        documents: Vec<DocumentBytesInput>,
        values: Vec<SignatureValueInput>,
        context: CommandContext,
        #[napi(ts_arg_type = "{ tsa?: (request: Buffer) => Uint8Array | Promise<Uint8Array> }")]
        options: Option<SignStepOptions>,
    ) -> Result<PromiseOf<'env, SigningStep>> {
        boundary(env, || {
            let ctx: Context = envelope::context(env, context)?;
            let (_, tsa) = sign_step_options(env, options)?;
            let signing = self.inner.clone();
            let state = envelope.inner.clone();
            let documents = documents_in(documents);
            let values: Vec<SignatureValue> = values
                .into_iter()
                .map(|v| SignatureValue {
                    document_id: v.document_id,
                    value: v.value.to_vec(),
                })
                .collect();
            convert::promise(env, tsa.is_some(), move || {
                match signing.provide(&state, &documents, &values, tsa.as_deref(), &ctx)? {
                    SigningProgress::Pending(next) => Ok(SigningStep {
                        done: false,
                        signing: Some(RecipientSigning { inner: next }),
                        signed: None,
                    }),
                    SigningProgress::Signed(done) => Ok(SigningStep {
                        done: true,
                        signing: None,
                        signed: Some(signed_out(done)?),
                    }),
                }
            })
        })
    }

    /// The recipient.
    #[napi(getter)]
    pub fn recipient_id(&self) -> String {
        self.inner.recipient_id.clone()
    }

    /// The signing in progress as the core's JSON.
    #[napi(js_name = "toJSON", ts_return_type = "Record<string, unknown>")]
    pub fn to_json(&self, env: &Env) -> Result<serde_json::Value> {
        boundary(env, || {
            let text = self.inner.to_json();
            serde_json::from_str(&text)
                .map_err(paraph::Error::from)
                .map_err(core(env))
        })
    }

    /// Reads a signing in progress from its JSON text or object.
    #[napi(js_name = "fromJSON")]
    pub fn from_json(
        env: &Env,
        #[napi(ts_arg_type = "string | Record<string, unknown>")] json: Either<String, Object>,
    ) -> Result<RecipientSigning> {
        boundary(env, || {
            let text = convert::json_text(env, json)?;
            let inner = CoreRecipientSigning::from_json(&text).map_err(core(env))?;
            Ok(RecipientSigning { inner })
        })
    }
}
