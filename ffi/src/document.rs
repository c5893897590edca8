//! [`paraph_document`]: a PDF loaded under the core's limits
//! (`paraph_core::pdf::PdfDocument`), its pages and fields, adding fields,
//! and verifying its signatures.

use std::ffi::c_char;

use paraph_core::pades::{self, VerifyOptions};
use paraph_core::pdf::{self, FontSet, FormFieldSpec, PdfDocument};

use crate::args;
use crate::boundary::{run, run_or};
use crate::bytes::{self, paraph_bytes};
use crate::handle::{self, Opaque};
use crate::json::{self, parse, to_json};
use crate::result::paraph_result;

/// A PDF, loaded and checked under the core's default limits (file size,
/// objects, nesting, decompressed size, pages). Open one with
/// `paraph_document_open`; free it with `paraph_document_free`. Immutable:
/// functions that change a PDF give a new document or new bytes, and a
/// document may be shared by threads.
#[derive(Debug)]
pub struct paraph_document {
    _private: [u8; 0],
}

impl Opaque for paraph_document {
    type Inner = PdfDocument;
    const C_NAME: &'static str = "paraph_document";
}

/// Opens a PDF from `pdf_len` bytes (copied: the buffer may be freed after
/// the call).
///
/// Errors: `PARAPH_E_PDF_MALFORMED` (not a PDF), `PARAPH_E_PDF_ENCRYPTED`,
/// the limit codes (`PARAPH_E_PDF_TOO_LARGE`, `PARAPH_E_PDF_TOO_MANY_OBJECTS`,
/// `PARAPH_E_PDF_NESTING_TOO_DEEP`, `PARAPH_E_PDF_DECOMPRESSION_LIMIT`,
/// `PARAPH_E_PDF_TOO_MANY_PAGES`, ...), `PARAPH_E_INVALID_ARGUMENT` (NULL).
/// On error `*out_document` is NULL.
///
/// # Safety
///
/// `pdf` must point to `pdf_len` readable bytes; `out_document` must be
/// valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_open(
    pdf: *const u8,
    pdf_len: usize,
    out_document: *mut *mut paraph_document,
) -> paraph_result {
    run("paraph_document_open", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_document = unsafe { args::out(out_document, "out_document")? };
        if pdf.is_null() {
            return Err(crate::boundary::invalid_argument("pdf is NULL"));
        }
        // SAFETY: as above.
        let pdf = unsafe { args::bytes(pdf, pdf_len, "pdf")? };
        let document = PdfDocument::load(pdf)?;
        *out_document = handle::register::<paraph_document>(document);
        Ok(())
    })
}

/// Frees a document. Accepts NULL; does nothing for a handle that is not a
/// live `paraph_document`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_document_free(document: *mut paraph_document) {
    run_or("paraph_document_free", (), || handle::release(document));
}

/// The document's bytes, as opened: valid until the document is freed.
/// NULL when `document` is NULL or not a live `paraph_document`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_document_data(document: *const paraph_document) -> *const u8 {
    run_or("paraph_document_data", std::ptr::null(), || {
        // The table keeps the document (and its bytes, which never move)
        // alive until `paraph_document_free`.
        handle::get(document, "document").map_or(std::ptr::null(), |d| d.bytes().as_ptr())
    })
}

/// The length of the document's bytes; 0 when `document` is NULL or not a
/// live `paraph_document`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_document_len(document: *const paraph_document) -> usize {
    run_or("paraph_document_len", 0, || {
        handle::get(document, "document").map_or(0, |d| d.bytes().len())
    })
}

/// The pages as a JSON array of the core's `Page`: `[{"number": 1,
/// "geometry": {"mediaBox": {...}, "cropBox": {...}, "rotation": 0}}]`.
///
/// Errors: `PARAPH_E_INVALID_ARGUMENT` (NULL or invalid handle).
///
/// # Safety
///
/// `out_json` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_pages(
    document: *const paraph_document,
    out_json: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_document_pages", || {
        // SAFETY: forwarded from this function's contract.
        let out_json = unsafe { args::out(out_json, "out_json")? };
        let document = handle::get(document, "document")?;
        *out_json = bytes::new(to_json(document.pages())?);
        Ok(())
    })
}

/// The form fields as a JSON array of the core's `FormField`, depth first:
/// `[{"name": "sig_marie", "type": "SIGNATURE", "value": null, "signed":
/// false, "readOnly": false, "multiline": false, "widgets": [{"page": 1,
/// "rect": {"x", "y", "width", "height"}}]}]`.
///
/// Errors: `PARAPH_E_PDF_MALFORMED` (a broken form),
/// `PARAPH_E_INVALID_ARGUMENT` (NULL or invalid handle).
///
/// # Safety
///
/// `out_json` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_fields(
    document: *const paraph_document,
    out_json: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_document_fields", || {
        // SAFETY: forwarded from this function's contract.
        let out_json = unsafe { args::out(out_json, "out_json")? };
        let document = handle::get(document, "document")?;
        *out_json = bytes::new(to_json(&document.fields()?)?);
        Ok(())
    })
}

/// Adds form fields as one incremental update; `*out_document` receives
/// the new document (the original is unchanged). `fields_json` is a JSON
/// array of the core's `FormFieldSpec`: `[{"name": "sig_marie", "kind":
/// "SIGNATURE", "page": 1, "rect": {"x": 72, "y": 600, "width": 200,
/// "height": 50}}]` (kinds `SIGNATURE`, `TEXT`, `CHECKBOX`, `INITIALS`;
/// optional `value`, `required`, `readOnly`, `multiline`; the rectangle in
/// points from the top-left of the page as displayed).
///
/// Errors: `PARAPH_E_PDF_FIELD_EXISTS`, `PARAPH_E_PDF_PAGE_NOT_FOUND`,
/// `PARAPH_E_PDF_FIELD_OUTSIDE_PAGE`, `PARAPH_E_MALFORMED_JSON`,
/// `PARAPH_E_INVALID_ARGUMENT` (NULL or invalid handle). On error
/// `*out_document` is NULL.
///
/// # Safety
///
/// `fields_json` must point to `fields_json_len` readable bytes;
/// `out_document` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_add_fields(
    document: *const paraph_document,
    fields_json: *const c_char,
    fields_json_len: usize,
    out_document: *mut *mut paraph_document,
) -> paraph_result {
    run("paraph_document_add_fields", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_document = unsafe { args::out(out_document, "out_document")? };
        let document = handle::get(document, "document")?;
        // SAFETY: as above.
        let fields = unsafe { json::required(fields_json, fields_json_len, "fields_json")? };
        let fields: Vec<FormFieldSpec> = parse("fields_json", fields)?;
        let updated = pdf::add_fields(document.bytes(), &fields, &FontSet::default())?;
        let updated = PdfDocument::from_vec(updated, document.limits())?;
        *out_document = handle::register::<paraph_document>(updated);
        Ok(())
    })
}

/// Verifies every signature of the document; `*out_report` receives the
/// core's `VerificationReport` as JSON (`{"signatures": [{"fieldName",
/// "intact", "coverage", "modifications", "chain", "signer",
/// "signingTime", "timestamp", "problems", ...}], "trustChecked": ...}`).
///
/// `trust_anchors` holds the certificates trusted as roots, as PEM (one or
/// more) or one DER certificate; with none (NULL and 0) chains are not
/// judged. `time` (Unix seconds) is when chains are judged for a signature
/// without a valid time-stamp: the library reads no clock.
///
/// A signature that does not hold is in the report, not an error: use
/// `paraph_document_verify_verdict` for the one-code answer.
///
/// Errors: `PARAPH_E_CERT_INVALID` (anchors that cannot be read),
/// `PARAPH_E_PDF_*` (a PDF that cannot be read), `PARAPH_E_INVALID_ARGUMENT`.
///
/// # Safety
///
/// `trust_anchors` must point to `trust_anchors_len` readable bytes (or be
/// NULL with 0); `out_report` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_verify(
    document: *const paraph_document,
    trust_anchors: *const u8,
    trust_anchors_len: usize,
    time: i64,
    out_report: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_document_verify", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_report = unsafe { args::out(out_report, "out_report")? };
        let document = handle::get(document, "document")?;
        // SAFETY: as above.
        let anchors =
            unsafe { json::certificates(trust_anchors, trust_anchors_len, "trust_anchors")? };
        let options =
            VerifyOptions::new(json::unix_time(time, "time")?).with_trust_anchors(anchors);
        let report = pades::verify(document.bytes(), &options)?;
        *out_report = bytes::new(to_json(&report)?);
        Ok(())
    })
}

/// The verdict of verifying the document, as one code: `PARAPH_OK` when it
/// has signatures and every one is intact (and, with trust anchors,
/// trusted); otherwise the core's code for the first problem
/// (`PARAPH_E_SIGNATURE_NOT_FOUND`, `PARAPH_E_SIGNATURE_INVALID`,
/// `PARAPH_E_CERT_UNTRUSTED`, ...), with the detail in the last error.
/// Arguments as for `paraph_document_verify`.
///
/// # Safety
///
/// `trust_anchors` must point to `trust_anchors_len` readable bytes (or be
/// NULL with 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_verify_verdict(
    document: *const paraph_document,
    trust_anchors: *const u8,
    trust_anchors_len: usize,
    time: i64,
) -> paraph_result {
    run("paraph_document_verify_verdict", || {
        let document = handle::get(document, "document")?;
        // SAFETY: forwarded from this function's contract.
        let anchors =
            unsafe { json::certificates(trust_anchors, trust_anchors_len, "trust_anchors")? };
        let options =
            VerifyOptions::new(json::unix_time(time, "time")?).with_trust_anchors(anchors);
        pades::verify(document.bytes(), &options)?.verdict()
    })
}
