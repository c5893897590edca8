//! [`paraph_audit`]: the hash-chained evidence of an envelope
//! (`paraph_core::audit::EvidenceBundle`), the audit-trail PDF rendered from
//! it and sealed, and the verification of a sealed audit trail.

use std::ffi::c_char;

use paraph_core::audit::{self, EvidenceBundle, RenderOptions};
use paraph_core::envelope::Event;
use paraph_core::pades::{TimestampAuthority, VerifyOptions};

use crate::args;
use crate::boundary::{invalid_argument, run, run_or};
use crate::bytes::{self, paraph_bytes};
use crate::handle::{self, Opaque};
use crate::json;
use crate::result::paraph_result;
use crate::signer::{optional_tsa, paraph_signer, paraph_tsa};

/// An envelope's evidence: one hash-chained record per event, with a
/// summary, as the core's `EvidenceBundle`. Make one from the events
/// (`paraph_audit_from_events`) or read one (`paraph_audit_from_json`);
/// free it with `paraph_audit_free`. Immutable; may be shared by threads.
#[derive(Debug)]
pub struct paraph_audit {
    _private: [u8; 0],
}

impl Opaque for paraph_audit {
    type Inner = EvidenceBundle;
    const C_NAME: &'static str = "paraph_audit";
}

/// The evidence of an envelope from its whole history: `events_json` is the
/// JSON array of its `Event`s, in order, as `paraph_envelope_apply` gave
/// them; `generated_at` (Unix seconds) is when the bundle is made.
///
/// Errors: `PARAPH_E_INVALID_EVENT_LOG` (no events, events out of order
/// or of several envelopes), `PARAPH_E_MALFORMED_JSON`, `PARAPH_E_INVALID_ARGUMENT`.
/// On error `*out_audit` is NULL.
///
/// # Safety
///
/// `events_json` must point to `events_json_len` readable bytes;
/// `out_audit` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_audit_from_events(
    events_json: *const c_char,
    events_json_len: usize,
    generated_at: i64,
    out_audit: *mut *mut paraph_audit,
) -> paraph_result {
    run("paraph_audit_from_events", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_audit = unsafe { args::out(out_audit, "out_audit")? };
        // SAFETY: as above.
        let events = unsafe { json::required(events_json, events_json_len, "events_json")? };
        let events: Vec<Event> = json::parse("events_json", events)?;
        let bundle =
            EvidenceBundle::from_events(&events, json::unix_time(generated_at, "generated_at")?)?;
        *out_audit = handle::register::<paraph_audit>(bundle);
        Ok(())
    })
}

/// Reads an evidence bundle (its JSON, as `paraph_audit_to_json` or
/// `paraph_workflow_finalize` gave it).
///
/// Errors: `PARAPH_E_AUDIT_EVIDENCE_INVALID` (not an evidence bundle, no
/// `schemaVersion`), `PARAPH_E_UNSUPPORTED_SCHEMA_VERSION`,
/// `PARAPH_E_INVALID_ARGUMENT`. On error `*out_audit` is NULL.
///
/// # Safety
///
/// `json` must point to `json_len` readable bytes; `out_audit` must be
/// valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_audit_from_json(
    json: *const c_char,
    json_len: usize,
    out_audit: *mut *mut paraph_audit,
) -> paraph_result {
    run("paraph_audit_from_json", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_audit = unsafe { args::out(out_audit, "out_audit")? };
        // SAFETY: as above.
        let text = unsafe { json::required(json, json_len, "json")? };
        let bundle = EvidenceBundle::from_json(text.as_bytes())?;
        *out_audit = handle::register::<paraph_audit>(bundle);
        Ok(())
    })
}

/// The evidence bundle as JSON, fit for archiving.
///
/// Errors: `PARAPH_E_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `out_json` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_audit_to_json(
    audit: *const paraph_audit,
    out_json: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_audit_to_json", || {
        // SAFETY: forwarded from this function's contract.
        let out_json = unsafe { args::out(out_json, "out_json")? };
        let audit = handle::get(audit, "audit")?;
        *out_json = bytes::new(audit.to_json());
        Ok(())
    })
}

/// The bundle's own check as the core's `BundleReport` JSON: the hash chain
/// (`{"chain": {"count", "firstBreak"}, "problems": [...]}`). An edited,
/// removed or reordered record is named in `chain.firstBreak`.
///
/// Errors: `PARAPH_E_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `out_report` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_audit_check(
    audit: *const paraph_audit,
    out_report: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_audit_check", || {
        // SAFETY: forwarded from this function's contract.
        let out_report = unsafe { args::out(out_report, "out_report")? };
        let audit = handle::get(audit, "audit")?;
        *out_report = bytes::new(json::to_json(&audit.verify())?);
        Ok(())
    })
}

/// Renders the audit-trail PDF (A4, PDF/A-3, the evidence attached), not
/// yet sealed: seal it with `paraph_audit_seal`. `options_json` is the
/// core's `RenderOptions` (`{"locale": "fr"}`: `en`, `fr`, `ko`), or NULL
/// for English.
///
/// Errors: `PARAPH_E_AUDIT_CHAIN_BROKEN`, `PARAPH_E_AUDIT_EVIDENCE_INVALID`,
/// `PARAPH_E_AUDIT_RENDER_FAILED`, `PARAPH_E_MALFORMED_JSON`,
/// `PARAPH_E_INVALID_ARGUMENT`. On error `*out_pdf` is NULL.
///
/// # Safety
///
/// `options_json` must point to `options_json_len` readable bytes (or be
/// NULL with 0); `out_pdf` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_audit_render(
    audit: *const paraph_audit,
    options_json: *const c_char,
    options_json_len: usize,
    out_pdf: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_audit_render", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_pdf = unsafe { args::out(out_pdf, "out_pdf")? };
        let audit = handle::get(audit, "audit")?;
        // SAFETY: as above.
        let options: RenderOptions =
            unsafe { json::options(options_json, options_json_len, "options_json")? };
        *out_pdf = bytes::new(audit::render_audit_trail(&audit, &options)?);
        Ok(())
    })
}

/// Seals an audit-trail PDF with the platform's `signer`: a certification
/// signature (no change allowed after it) claimed at `signing_time` (Unix
/// seconds), B-B, or B-T when `tsa` is not NULL.
///
/// Errors: the signing codes of `paraph_document_sign`, `PARAPH_E_PDF_*`.
///
/// # Safety
///
/// `pdf` must point to `pdf_len` readable bytes; `out_pdf` must be valid
/// for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_audit_seal(
    pdf: *const u8,
    pdf_len: usize,
    signer: *const paraph_signer,
    tsa: *const paraph_tsa,
    signing_time: i64,
    out_pdf: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_audit_seal", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_pdf = unsafe { args::out(out_pdf, "out_pdf")? };
        if pdf.is_null() {
            return Err(invalid_argument("pdf is NULL"));
        }
        // SAFETY: as above.
        let pdf = unsafe { args::bytes(pdf, pdf_len, "pdf")? };
        let signer = handle::get(signer, "signer")?;
        let tsa = optional_tsa(tsa)?;
        let tsa = tsa.as_deref().map(|t| t as &dyn TimestampAuthority);
        let time = json::unix_time(signing_time, "signing_time")?;
        *out_pdf = bytes::new(audit::seal_audit_trail(
            pdf,
            signer.as_ref().as_ref(),
            tsa,
            time,
        )?);
        Ok(())
    })
}

/// Verifies a sealed audit trail: its seal (against `trust_anchors`, PEM or
/// DER; none to skip the trust check), the evidence attached to it, the
/// hash chain, and, when `document` is not NULL, that the document is one
/// the envelope completed with. `*out_report` receives the core's
/// `AuditReport` JSON; `time` (Unix seconds) is when chains are judged.
///
/// A seal, chain or document that does not hold is in the report, not an
/// error: call `paraph_audit_verify_verdict` for one code.
///
/// Errors: `PARAPH_E_AUDIT_EVIDENCE_NOT_FOUND`,
/// `PARAPH_E_AUDIT_EVIDENCE_INVALID`, `PARAPH_E_PDF_*`,
/// `PARAPH_E_CERT_INVALID` (anchors), `PARAPH_E_INVALID_ARGUMENT`.
///
/// # Safety
///
/// Each pointer must point to its length in readable bytes (`document` and
/// `trust_anchors` may be NULL with 0); `out_report` must be valid for a
/// pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_audit_verify(
    audit_trail_pdf: *const u8,
    audit_trail_pdf_len: usize,
    document: *const u8,
    document_len: usize,
    trust_anchors: *const u8,
    trust_anchors_len: usize,
    time: i64,
    out_report: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_audit_verify", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_report = unsafe { args::out(out_report, "out_report")? };
        // SAFETY: as above.
        let report = unsafe {
            audit_report(
                audit_trail_pdf,
                audit_trail_pdf_len,
                document,
                document_len,
                trust_anchors,
                trust_anchors_len,
                time,
            )?
        };
        *out_report = bytes::new(json::to_json(&report)?);
        Ok(())
    })
}

/// The verdict of `paraph_audit_verify`, as one code: `PARAPH_OK` when the
/// seal is intact (and trusted, with anchors), the chain and summary hold
/// and the document, when given, is a final document of the envelope;
/// otherwise the core's code (`PARAPH_E_AUDIT_SEAL_INVALID`,
/// `PARAPH_E_AUDIT_CHAIN_BROKEN`, `PARAPH_E_AUDIT_DOCUMENT_MISMATCH`,
/// `PARAPH_E_CERT_UNTRUSTED`, ...) with the detail in the last error.
///
/// # Safety
///
/// As for `paraph_audit_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_audit_verify_verdict(
    audit_trail_pdf: *const u8,
    audit_trail_pdf_len: usize,
    document: *const u8,
    document_len: usize,
    trust_anchors: *const u8,
    trust_anchors_len: usize,
    time: i64,
) -> paraph_result {
    run("paraph_audit_verify_verdict", || {
        // SAFETY: forwarded from this function's contract.
        let report = unsafe {
            audit_report(
                audit_trail_pdf,
                audit_trail_pdf_len,
                document,
                document_len,
                trust_anchors,
                trust_anchors_len,
                time,
            )?
        };
        report.verdict()
    })
}

/// Frees an evidence bundle. Accepts NULL; does nothing for a handle that
/// is not a live `paraph_audit`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_audit_free(audit: *mut paraph_audit) {
    run_or("paraph_audit_free", (), || handle::release(audit));
}

/// # Safety
///
/// As for `paraph_audit_verify`.
unsafe fn audit_report(
    pdf: *const u8,
    pdf_len: usize,
    document: *const u8,
    document_len: usize,
    trust_anchors: *const u8,
    trust_anchors_len: usize,
    time: i64,
) -> Result<audit::AuditReport, paraph_core::Error> {
    if pdf.is_null() {
        return Err(invalid_argument("audit_trail_pdf is NULL"));
    }
    // SAFETY: forwarded from this function's contract (also below).
    let pdf = unsafe { args::bytes(pdf, pdf_len, "audit_trail_pdf")? };
    let document = if document.is_null() {
        // SAFETY: NULL is never read; this checks the length is 0.
        unsafe { args::bytes(document, document_len, "document")? };
        None
    } else {
        // SAFETY: as above.
        Some(unsafe { args::bytes(document, document_len, "document")? })
    };
    // SAFETY: as above.
    let anchors = unsafe { json::certificates(trust_anchors, trust_anchors_len, "trust_anchors")? };
    let options = VerifyOptions::new(json::unix_time(time, "time")?).with_trust_anchors(anchors);
    audit::verify_audit_trail(pdf, document, &options)
}
