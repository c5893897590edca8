//! The signing workflow (`paraph_core::workflow`): upload, prepare at send,
//! sign (or approve) for each recipient, finalize; and a certificate of
//! their own for each signer.
//!
//! Everything crosses as the core's JSON: the envelope (`Envelope`), its
//! events (`Event` arrays), the context (`Context`), the options and the
//! recipient's input. The documents cross as a JSON array of the core's
//! `DocumentBytes` (`[{"documentId": "doc_1", "pdf": "<base64>"}]`), which
//! C code never has to read: `paraph_workflow_upload` builds it from raw
//! bytes, every step gives the whole new set back, and
//! `paraph_workflow_document` takes a PDF out of it.

use std::ffi::c_char;

use paraph_core::envelope::{Command, Context, Envelope, Event, Transition};
use paraph_core::pades::{Signer, TimestampAuthority};
use paraph_core::workflow::{
    self, DocumentBytes, FinalizeOptions, PrepareOptions, RecipientCertificateOptions,
    RecipientInput, SignRecipientOptions,
};
use paraph_core::{Error, ErrorCode};

use crate::args;
use crate::boundary::{invalid_argument, run};
use crate::bytes::{self, paraph_bytes};
use crate::handle;
use crate::json::{self, parse, to_json};
use crate::result::paraph_result;
use crate::signer::{self, optional_tsa, paraph_signer, paraph_tsa};

/// Reads a PDF to add to an envelope (`paraph_core::workflow::upload`):
/// `*out_command` receives the `addDocument` command (page count, page
/// sizes, SHA-256) to apply with `paraph_envelope_apply`, and
/// `*out_documents` the documents JSON with this one added (or replaced,
/// for the same id). `documents_json` is the set so far, NULL for none.
///
/// Errors: `PARAPH_E_PDF_*` (a PDF that cannot be read, or is encrypted),
/// `PARAPH_E_MALFORMED_JSON`, `PARAPH_E_INVALID_ARGUMENT`. On error both
/// outputs are NULL.
///
/// # Safety
///
/// Each pointer must point to its length in readable bytes
/// (`documents_json` may be NULL with 0); the out-pointers must be valid
/// for pointer writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_workflow_upload(
    documents_json: *const c_char,
    documents_json_len: usize,
    document_id: *const c_char,
    document_id_len: usize,
    name: *const c_char,
    name_len: usize,
    pdf: *const u8,
    pdf_len: usize,
    out_command: *mut *mut paraph_bytes,
    out_documents: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_workflow_upload", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_command = unsafe { args::out(out_command, "out_command")? };
        // SAFETY: as above.
        let out_documents = unsafe { args::out(out_documents, "out_documents")? };
        // SAFETY: as above.
        let mut documents: Vec<DocumentBytes> =
            unsafe { json::options(documents_json, documents_json_len, "documents_json")? };
        // SAFETY: as above.
        let id = unsafe { args::text(document_id, document_id_len, "document_id")? };
        // SAFETY: as above.
        let name = unsafe { args::text(name, name_len, "name")? };
        if pdf.is_null() {
            return Err(invalid_argument("pdf is NULL"));
        }
        // SAFETY: as above.
        let pdf = unsafe { args::bytes(pdf, pdf_len, "pdf")? };
        let (document, bytes) = workflow::upload(id, name, pdf.to_vec(), &Default::default())?;
        merge(&mut documents, vec![bytes]);
        let command = to_json(&Command::AddDocument(document))?;
        let documents = to_json(&documents)?;
        *out_command = bytes::new(command);
        *out_documents = bytes::new(documents);
        Ok(())
    })
}

/// The PDF of document `document_id` in a documents JSON.
///
/// Errors: `PARAPH_E_DOCUMENT_NOT_FOUND`, `PARAPH_E_MALFORMED_JSON`,
/// `PARAPH_E_INVALID_ARGUMENT`. On error `*out_pdf` is NULL.
///
/// # Safety
///
/// `documents_json` and `document_id` must point to their lengths in
/// readable bytes; `out_pdf` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_workflow_document(
    documents_json: *const c_char,
    documents_json_len: usize,
    document_id: *const c_char,
    document_id_len: usize,
    out_pdf: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_workflow_document", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_pdf = unsafe { args::out(out_pdf, "out_pdf")? };
        // SAFETY: as above.
        let documents = unsafe { documents(documents_json, documents_json_len)? };
        // SAFETY: as above.
        let id = unsafe { args::text(document_id, document_id_len, "document_id")? };
        let document = documents
            .into_iter()
            .find(|d| d.document_id == id)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::DocumentNotFound,
                    format!("documents_json has no document {id}"),
                )
            })?;
        *out_pdf = bytes::new(document.pdf);
        Ok(())
    })
}

/// Prepares a draft's documents for sending (`workflow::prepare`): every
/// recipient's fields go into the documents, anchored ones placed.
/// `*out_documents` receives the documents as sent and `*out_command` the
/// `send` command (with their digests) to apply with
/// `paraph_envelope_apply`. `options_json` is the core's `PrepareOptions`
/// (`{"certify": ["doc_1"], "certificationTime": "..."}`) or NULL;
/// `platform` certifies the documents it names (NULL when none).
///
/// Errors: `PARAPH_E_ENVELOPE_NOT_DRAFT`, `PARAPH_E_DOCUMENT_MISMATCH`
/// (bytes that are not the envelope's), `PARAPH_E_DOCUMENT_NOT_FOUND`,
/// `PARAPH_E_PDF_*` (a field that does not fit, an anchor not found),
/// `PARAPH_E_MALFORMED_JSON`, `PARAPH_E_INVALID_ARGUMENT`.
///
/// # Safety
///
/// Each JSON pointer must point to its length in readable bytes
/// (`options_json` may be NULL with 0); the out-pointers must be valid for
/// pointer writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_workflow_prepare(
    state_json: *const c_char,
    state_json_len: usize,
    documents_json: *const c_char,
    documents_json_len: usize,
    platform: *const paraph_signer,
    options_json: *const c_char,
    options_json_len: usize,
    out_documents: *mut *mut paraph_bytes,
    out_command: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_workflow_prepare", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_documents = unsafe { args::out(out_documents, "out_documents")? };
        // SAFETY: as above.
        let out_command = unsafe { args::out(out_command, "out_command")? };
        // SAFETY: as above.
        let envelope = unsafe { state(state_json, state_json_len)? };
        // SAFETY: as above.
        let documents = unsafe { documents(documents_json, documents_json_len)? };
        let platform = optional_signer(platform, "platform")?;
        // SAFETY: as above.
        let options: PrepareOptions =
            unsafe { json::options(options_json, options_json_len, "options_json")? };
        let prepared = workflow::prepare(
            &envelope,
            &documents,
            platform.as_deref().map(|s| s.as_ref() as &dyn Signer),
            &options,
        )?;
        let documents = to_json(&prepared.documents)?;
        let command = to_json(&prepared.command)?;
        *out_documents = bytes::new(documents);
        *out_command = bytes::new(command);
        Ok(())
    })
}

/// Signs for one recipient (`workflow::sign_recipient`) with `signer` (one
/// issued for them by `paraph_workflow_issue_signer`, or a callback
/// signer): their values, name and initials go into the documents and
/// each of their signature fields gets its own PAdES revision, B-T when
/// `options_json` asks (`{"level": "B-T"}`, with `tsa`).
///
/// `input_json` is the core's `RecipientInput` (`{"recipientId": "marie",
/// "values": [{"fieldId", "value"}], "signature": {"type": "TYPED",
/// "text": "Marie"}}`); `options_json` the core's `SignRecipientOptions`
/// or NULL; `context_json` the recipient's `Context` (`now`, and an actor
/// `{"type": "recipient", "id": "marie"}`).
///
/// On success `*out_state` is the new envelope, `*out_events` the events
/// recorded (persist both), `*out_documents` the whole document set with
/// the signed ones.
///
/// Errors: the envelope's codes when it does not accept the signing
/// (`PARAPH_E_RECIPIENT_NOT_ACTIVE`, `PARAPH_E_CONSENT_REQUIRED`, ...),
/// `PARAPH_E_DOCUMENT_MISMATCH`, the signing codes of
/// `paraph_document_sign`, `PARAPH_E_MALFORMED_JSON`,
/// `PARAPH_E_INVALID_ARGUMENT`. On error every output is NULL.
///
/// # Safety
///
/// Each JSON pointer must point to its length in readable bytes
/// (`options_json` may be NULL with 0); the out-pointers must be valid for
/// pointer writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_workflow_sign_recipient(
    state_json: *const c_char,
    state_json_len: usize,
    documents_json: *const c_char,
    documents_json_len: usize,
    input_json: *const c_char,
    input_json_len: usize,
    signer: *const paraph_signer,
    tsa: *const paraph_tsa,
    options_json: *const c_char,
    options_json_len: usize,
    context_json: *const c_char,
    context_json_len: usize,
    out_state: *mut *mut paraph_bytes,
    out_events: *mut *mut paraph_bytes,
    out_documents: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_workflow_sign_recipient", || {
        // SAFETY: forwarded from this function's contract (also below).
        let outs = unsafe { Outputs::new(out_state, out_events, out_documents)? };
        // SAFETY: as above.
        let envelope = unsafe { state(state_json, state_json_len)? };
        // SAFETY: as above.
        let mut documents = unsafe { documents(documents_json, documents_json_len)? };
        // SAFETY: as above.
        let input = unsafe { json::required(input_json, input_json_len, "input_json")? };
        let input: RecipientInput = parse("input_json", input)?;
        let signer = handle::get(signer, "signer")?;
        let tsa = optional_tsa(tsa)?;
        // SAFETY: as above.
        let options: SignRecipientOptions =
            unsafe { json::options(options_json, options_json_len, "options_json")? };
        // SAFETY: as above.
        let ctx = unsafe { context(context_json, context_json_len)? };
        let signed = workflow::sign_recipient(
            &envelope,
            &documents,
            &input,
            signer.as_ref().as_ref(),
            tsa.as_deref().map(|t| t as &dyn TimestampAuthority),
            &options,
            &ctx,
        )?;
        merge(&mut documents, signed.documents);
        outs.write(&signed.transition, &documents)
    })
}

/// Records an approver's approval (`workflow::approve_recipient`): their
/// values are written into the documents as an unsigned revision (form
/// filling, which later signatures' validators accept). Arguments and
/// outputs as for `paraph_workflow_sign_recipient`, without a signer.
///
/// # Safety
///
/// As for `paraph_workflow_sign_recipient`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_workflow_approve_recipient(
    state_json: *const c_char,
    state_json_len: usize,
    documents_json: *const c_char,
    documents_json_len: usize,
    input_json: *const c_char,
    input_json_len: usize,
    options_json: *const c_char,
    options_json_len: usize,
    context_json: *const c_char,
    context_json_len: usize,
    out_state: *mut *mut paraph_bytes,
    out_events: *mut *mut paraph_bytes,
    out_documents: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_workflow_approve_recipient", || {
        // SAFETY: forwarded from this function's contract (also below).
        let outs = unsafe { Outputs::new(out_state, out_events, out_documents)? };
        // SAFETY: as above.
        let envelope = unsafe { state(state_json, state_json_len)? };
        // SAFETY: as above.
        let mut documents = unsafe { documents(documents_json, documents_json_len)? };
        // SAFETY: as above.
        let input = unsafe { json::required(input_json, input_json_len, "input_json")? };
        let input: RecipientInput = parse("input_json", input)?;
        // SAFETY: as above.
        let options: SignRecipientOptions =
            unsafe { json::options(options_json, options_json_len, "options_json")? };
        // SAFETY: as above.
        let ctx = unsafe { context(context_json, context_json_len)? };
        let approved = workflow::approve_recipient(&envelope, &documents, &input, &options, &ctx)?;
        merge(&mut documents, approved.documents);
        outs.write(&approved.transition, &documents)
    })
}

/// Finalizes an envelope whose recipients have all acted
/// (`workflow::finalize`): the platform's seal on the documents
/// `options_json` names (`{"seal": ["doc_1"], "level": "B-T"}`, or NULL),
/// the completion with the final digests, the evidence and the sealed
/// audit-trail PDF. `history_json` is the envelope's whole event log (a
/// JSON array of every `Event`, in order); `platform` seals.
///
/// On success `*out_state`, `*out_events` and `*out_documents` are as for
/// `paraph_workflow_sign_recipient`; `*out_evidence` is the evidence
/// bundle's JSON (for `paraph_audit_from_json`) and `*out_audit_trail` the
/// sealed audit-trail PDF.
///
/// Errors: `PARAPH_E_ENVELOPE_NOT_READY` (someone has still to act),
/// `PARAPH_E_DOCUMENT_MISMATCH`, `PARAPH_E_AUDIT_*`, the signing codes,
/// `PARAPH_E_MALFORMED_JSON`, `PARAPH_E_INVALID_ARGUMENT`. On error every
/// output is NULL.
///
/// # Safety
///
/// Each JSON pointer must point to its length in readable bytes
/// (`options_json` may be NULL with 0); the out-pointers must be valid for
/// pointer writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_workflow_finalize(
    state_json: *const c_char,
    state_json_len: usize,
    history_json: *const c_char,
    history_json_len: usize,
    documents_json: *const c_char,
    documents_json_len: usize,
    platform: *const paraph_signer,
    tsa: *const paraph_tsa,
    options_json: *const c_char,
    options_json_len: usize,
    context_json: *const c_char,
    context_json_len: usize,
    out_state: *mut *mut paraph_bytes,
    out_events: *mut *mut paraph_bytes,
    out_documents: *mut *mut paraph_bytes,
    out_evidence: *mut *mut paraph_bytes,
    out_audit_trail: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_workflow_finalize", || {
        // SAFETY: forwarded from this function's contract (also below).
        let outs = unsafe { Outputs::new(out_state, out_events, out_documents)? };
        // SAFETY: as above.
        let out_evidence = unsafe { args::out(out_evidence, "out_evidence")? };
        // SAFETY: as above.
        let out_audit_trail = unsafe { args::out(out_audit_trail, "out_audit_trail")? };
        // SAFETY: as above.
        let envelope = unsafe { state(state_json, state_json_len)? };
        // SAFETY: as above.
        let history = unsafe { json::required(history_json, history_json_len, "history_json")? };
        let history: Vec<Event> = parse("history_json", history)?;
        // SAFETY: as above.
        let documents = unsafe { documents(documents_json, documents_json_len)? };
        let platform = handle::get(platform, "platform")?;
        let tsa = optional_tsa(tsa)?;
        // SAFETY: as above.
        let options: FinalizeOptions =
            unsafe { json::options(options_json, options_json_len, "options_json")? };
        // SAFETY: as above.
        let ctx = unsafe { context(context_json, context_json_len)? };
        let finalized = workflow::finalize(
            &envelope,
            &history,
            &documents,
            platform.as_ref().as_ref(),
            tsa.as_deref().map(|t| t as &dyn TimestampAuthority),
            &options,
            &ctx,
        )?;
        let evidence = finalized.evidence.to_json();
        outs.write(&finalized.transition, &finalized.documents)?;
        *out_evidence = bytes::new(evidence);
        *out_audit_trail = bytes::new(finalized.audit_trail);
        Ok(())
    })
}

/// Issues signer `recipient_id` of the envelope a key and a certificate of
/// their own from the platform CA `ca` (a signer whose certificate is a
/// CA's; a callback signer on an HSM works), valid from `now` (Unix
/// seconds), for `paraph_workflow_sign_recipient`
/// (`workflow::issue_recipient_signer`).
///
/// `entropy` (at least 32 bytes from a secure random source, new for each
/// signing: the library has no randomness of its own) makes the key and
/// the serial number. `options_json` is the core's
/// `RecipientCertificateOptions` (`{"algorithm": "P-256", "validityDays":
/// 365}`; `"RSA-2048"` is slow to make) or NULL.
///
/// Errors: `PARAPH_E_RECIPIENT_NOT_FOUND`, `PARAPH_E_RECIPIENT_ROLE_MISMATCH`
/// (not a signer), `PARAPH_E_CERT_NOT_CA`, `PARAPH_E_CERT_EXPIRED` (the
/// CA's), `PARAPH_E_INVALID_ARGUMENT` (short entropy, NULL). On error
/// `*out_signer` is NULL.
///
/// # Safety
///
/// Each pointer must point to its length in readable bytes
/// (`options_json` may be NULL with 0); `out_signer` must be valid for a
/// pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_workflow_issue_signer(
    state_json: *const c_char,
    state_json_len: usize,
    recipient_id: *const c_char,
    recipient_id_len: usize,
    ca: *const paraph_signer,
    entropy: *const u8,
    entropy_len: usize,
    options_json: *const c_char,
    options_json_len: usize,
    now: i64,
    out_signer: *mut *mut paraph_signer,
) -> paraph_result {
    run("paraph_workflow_issue_signer", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_signer = unsafe { args::out(out_signer, "out_signer")? };
        // SAFETY: as above.
        let envelope = unsafe { state(state_json, state_json_len)? };
        // SAFETY: as above.
        let recipient_id = unsafe { args::text(recipient_id, recipient_id_len, "recipient_id")? };
        let ca = handle::get(ca, "ca")?;
        // SAFETY: as above.
        let entropy = unsafe { args::bytes(entropy, entropy_len, "entropy")? };
        // SAFETY: as above.
        let options: RecipientCertificateOptions =
            unsafe { json::options(options_json, options_json_len, "options_json")? };
        let issued = workflow::issue_recipient_signer(
            &envelope,
            recipient_id,
            ca.as_ref().as_ref(),
            entropy,
            &options,
            json::unix_time(now, "now")?,
        )?;
        *out_signer = signer::register(Box::new(issued));
        Ok(())
    })
}

/// The three outputs every recipient step gives, cleared at once.
struct Outputs<'a> {
    state: &'a mut *mut paraph_bytes,
    events: &'a mut *mut paraph_bytes,
    documents: &'a mut *mut paraph_bytes,
}

impl<'a> Outputs<'a> {
    /// # Safety
    ///
    /// Each pointer, unless NULL, must be valid for a pointer write.
    unsafe fn new(
        state: *mut *mut paraph_bytes,
        events: *mut *mut paraph_bytes,
        documents: *mut *mut paraph_bytes,
    ) -> Result<Self, Error> {
        Ok(Self {
            // SAFETY: forwarded from this function's contract (also below).
            state: unsafe { args::out(state, "out_state")? },
            // SAFETY: as above.
            events: unsafe { args::out(events, "out_events")? },
            // SAFETY: as above.
            documents: unsafe { args::out(documents, "out_documents")? },
        })
    }

    /// Writes the outputs, all or none.
    fn write(self, transition: &Transition, documents: &[DocumentBytes]) -> Result<(), Error> {
        let state = to_json(&transition.envelope)?;
        let events = to_json(&transition.events)?;
        let documents = to_json(&documents)?;
        *self.state = bytes::new(state);
        *self.events = bytes::new(events);
        *self.documents = bytes::new(documents);
        Ok(())
    }
}

/// Replaces the documents `changed` holds, by id, and adds new ones.
fn merge(documents: &mut Vec<DocumentBytes>, changed: Vec<DocumentBytes>) {
    for document in changed {
        match documents
            .iter_mut()
            .find(|d| d.document_id == document.document_id)
        {
            Some(slot) => *slot = document,
            None => documents.push(document),
        }
    }
}

/// # Safety
///
/// As for [`args::bytes`].
unsafe fn state(ptr: *const c_char, len: usize) -> Result<Envelope, Error> {
    // SAFETY: forwarded from this function's contract.
    let json = unsafe { json::required(ptr, len, "state_json")? };
    Envelope::from_json(json)
        .map_err(|e| Error::new(e.code(), format!("state_json: {}", e.message())))
}

/// # Safety
///
/// As for [`args::bytes`].
unsafe fn documents(ptr: *const c_char, len: usize) -> Result<Vec<DocumentBytes>, Error> {
    // SAFETY: forwarded from this function's contract.
    let json = unsafe { json::required(ptr, len, "documents_json")? };
    parse("documents_json", json)
}

/// # Safety
///
/// As for [`args::bytes`].
unsafe fn context(ptr: *const c_char, len: usize) -> Result<Context, Error> {
    // SAFETY: forwarded from this function's contract.
    let json = unsafe { json::required(ptr, len, "context_json")? };
    parse("context_json", json)
}

fn optional_signer(
    signer: *const paraph_signer,
    name: &str,
) -> Result<Option<std::sync::Arc<Box<dyn Signer>>>, Error> {
    if signer.is_null() {
        Ok(None)
    } else {
        handle::get(signer, name).map(Some)
    }
}
