//! Signing a [`paraph_document`]: in one call with a [`paraph_signer`]
//! (`paraph_core::pades::sign`), or in two phases whose pending state
//! crosses as the core's JSON (`pades::prepare` / `pades::finish`).

use std::ffi::c_char;

use paraph_core::pades::{
    self, PadesLevel, PreparedSignature, SignOptions, SignatureField, TimestampAuthority,
};
use paraph_core::pdf::SignatureAppearance;

use crate::args;
use crate::boundary::{invalid_argument, run};
use crate::bytes::{self, paraph_bytes};
use crate::document::paraph_document;
use crate::handle;
use crate::json;
use crate::result::paraph_result;
use crate::signer::{optional_tsa, paraph_signer, paraph_tsa};

/// Signs the document with `signer`; `*out_pdf` receives the signed PDF
/// (the document's bytes and one incremental update), PAdES B-B, or B-T
/// when `tsa` is not NULL.
///
/// - `field` (UTF-8, not NUL-terminated): the name of an existing, empty
///   signature field, which shows the signature; NULL (and 0) for a new
///   invisible field.
/// - `name`: the signer's name, written as `/Name` and drawn in a visible
///   field; NULL for the certificate's common name.
/// - `reason`: `/Reason`; NULL for none.
/// - `image_png`: a drawn signature (PNG) for a visible field; NULL for
///   none (the name is then drawn large).
/// - `signing_time`: Unix seconds, the claimed signing time (`/M`); the
///   signing certificate must be valid then.
///
/// Errors: `PARAPH_E_CERT_EXPIRED`, `PARAPH_E_CERT_NOT_YET_VALID`,
/// `PARAPH_E_PDF_FIELD_NOT_FOUND`, `PARAPH_E_PDF_FIELD_ALREADY_SIGNED`,
/// `PARAPH_E_PDF_FIELD_TYPE_MISMATCH`, `PARAPH_E_PDF_IMAGE_INVALID`,
/// `PARAPH_E_SIGNING_FAILED` (a callback signer failed),
/// `PARAPH_E_TIMESTAMP_INVALID` (the time-stamp callback failed or its
/// answer is not a valid token), `PARAPH_E_INVALID_ARGUMENT` (NULL, not
/// UTF-8, invalid handles). On error `*out_pdf` is NULL.
///
/// # Safety
///
/// Each pointer must point to its length in readable bytes (or be NULL
/// with 0); `out_pdf` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_sign(
    document: *const paraph_document,
    signer: *const paraph_signer,
    tsa: *const paraph_tsa,
    field: *const c_char,
    field_len: usize,
    name: *const c_char,
    name_len: usize,
    reason: *const c_char,
    reason_len: usize,
    image_png: *const u8,
    image_png_len: usize,
    signing_time: i64,
    out_pdf: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_document_sign", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_pdf = unsafe { args::out(out_pdf, "out_pdf")? };
        let document = handle::get(document, "document")?;
        let signer = handle::get(signer, "signer")?;
        let tsa = optional_tsa(tsa)?;
        // SAFETY: as above.
        let field = unsafe { optional_text(field, field_len, "field")? };
        // SAFETY: as above.
        let name = unsafe { optional_text(name, name_len, "name")? };
        // SAFETY: as above.
        let reason = unsafe { optional_text(reason, reason_len, "reason")? };
        // SAFETY: as above.
        let image = unsafe { args::bytes(image_png, image_png_len, "image_png")? };
        let mut options = SignOptions::new(json::unix_time(signing_time, "signing_time")?);
        options.limits = *document.limits();
        if let Some(field) = field {
            options.field = SignatureField::Existing {
                name: field.to_owned(),
            };
            let shown = name.map(str::to_owned).or_else(|| {
                signer
                    .certificate_chain()
                    .first()
                    .and_then(|c| c.common_name())
            });
            options.appearance = Some(SignatureAppearance {
                name: shown.unwrap_or_default(),
                image: (!image.is_empty()).then(|| image.to_vec()),
                date: options
                    .signing_time
                    .format("Signed %Y-%m-%d %H:%M UTC")
                    .to_string(),
                details: String::new(),
            });
        } else if !image.is_empty() {
            return Err(invalid_argument(
                "image_png needs a field: an invisible signature shows nothing",
            ));
        }
        options.signer_name = name.map(str::to_owned);
        options.reason = reason.map(str::to_owned);
        if tsa.is_some() {
            options.level = PadesLevel::BaselineT;
        }
        let tsa = tsa.as_deref().map(|t| t as &dyn TimestampAuthority);
        let signed = pades::sign(document.bytes(), signer.as_ref().as_ref(), tsa, &options)?;
        *out_pdf = bytes::new(signed);
        Ok(())
    })
}

/// Signs the document with `signer` and the core's `SignOptions` as JSON
/// (`{"signingTime": "2026-11-23T10:00:00Z", "field": {"type": "existing",
/// "name": "sig_1"}, "appearance": {"name", "image", "date", "details"},
/// "level": "B-T", "reason", "location", "contactInfo", "signerName",
/// "certify": "FORM_FILLING", "fieldValues": [...]}`; only `signingTime`
/// is required). `tsa` is needed for `"level": "B-T"`.
///
/// Errors: as for `paraph_document_sign`, and `PARAPH_E_MALFORMED_JSON`.
///
/// # Safety
///
/// `options_json` must point to `options_json_len` readable bytes;
/// `out_pdf` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_sign_with_options(
    document: *const paraph_document,
    signer: *const paraph_signer,
    tsa: *const paraph_tsa,
    options_json: *const c_char,
    options_json_len: usize,
    out_pdf: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_document_sign_with_options", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_pdf = unsafe { args::out(out_pdf, "out_pdf")? };
        let document = handle::get(document, "document")?;
        let signer = handle::get(signer, "signer")?;
        let tsa = optional_tsa(tsa)?;
        // SAFETY: as above.
        let options = unsafe { json::required(options_json, options_json_len, "options_json")? };
        let options: SignOptions = json::parse("options_json", options)?;
        let tsa = tsa.as_deref().map(|t| t as &dyn TimestampAuthority);
        let signed = pades::sign(document.bytes(), signer.as_ref().as_ref(), tsa, &options)?;
        *out_pdf = bytes::new(signed);
        Ok(())
    })
}

/// The first phase of a two-phase signature, for a key in another process
/// or service: writes the signing update with a placeholder and returns
/// what must be signed.
///
/// `certificates` is the signer's chain (PEM, signing certificate first, or
/// one DER certificate); `options_json` the core's `SignOptions` (see
/// `paraph_document_sign_with_options`).
///
/// `*out_pending` receives the pending signature (the core's
/// `PreparedSignature` JSON) to keep until the value comes back; it carries
/// no secret, and `paraph_document_finish_signature` trusts none of it.
/// `*out_message` receives the bytes to sign (the DER of the CMS signed
/// attributes), `*out_digest` their 32-byte SHA-256, for a signer that
/// takes digests.
///
/// Errors: `PARAPH_E_CERT_INVALID`, `PARAPH_E_CERT_EXPIRED`,
/// `PARAPH_E_CERT_NOT_YET_VALID`, `PARAPH_E_UNSUPPORTED_ALGORITHM`, the PDF
/// field codes, `PARAPH_E_MALFORMED_JSON`, `PARAPH_E_INVALID_ARGUMENT`.
/// On error every output is NULL.
///
/// # Safety
///
/// `certificates` and `options_json` must point to their lengths in
/// readable bytes; the out-pointers must be valid for pointer writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_prepare_signature(
    document: *const paraph_document,
    certificates: *const u8,
    certificates_len: usize,
    options_json: *const c_char,
    options_json_len: usize,
    out_pending: *mut *mut paraph_bytes,
    out_message: *mut *mut paraph_bytes,
    out_digest: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_document_prepare_signature", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_pending = unsafe { args::out(out_pending, "out_pending")? };
        // SAFETY: as above.
        let out_message = unsafe { args::out(out_message, "out_message")? };
        // SAFETY: as above.
        let out_digest = unsafe { args::out(out_digest, "out_digest")? };
        let document = handle::get(document, "document")?;
        // SAFETY: as above.
        let chain = unsafe { json::certificates(certificates, certificates_len, "certificates")? };
        // SAFETY: as above.
        let options = unsafe { json::required(options_json, options_json_len, "options_json")? };
        let options: SignOptions = json::parse("options_json", options)?;
        let prepared = pades::prepare(document.bytes(), &chain, &options)?;
        let message = prepared.message().to_vec();
        let digest = prepared.message_digest().to_vec();
        *out_pending = bytes::new(json::to_json(&prepared)?);
        *out_message = bytes::new(message);
        *out_digest = bytes::new(digest);
        Ok(())
    })
}

/// The second phase: completes the pending signature of
/// `paraph_document_prepare_signature` with its value; `*out_pdf` receives
/// the signed PDF. `document` must be the document it was prepared for;
/// for `"level": "B-T"`, `tsa` time-stamps the value.
///
/// Nothing of the pending state is trusted: the update must hash to the
/// digest it claims, its byte range and placeholder must be where the
/// update has them, and the value must verify with the signing
/// certificate's key.
///
/// Errors: `PARAPH_E_PENDING_SIGNATURE_INVALID` (another document, or a
/// changed pending state), `PARAPH_E_KEY_CERT_MISMATCH` (a value made with
/// another key), `PARAPH_E_UNSUPPORTED_SCHEMA_VERSION`,
/// `PARAPH_E_MALFORMED_JSON`, `PARAPH_E_TIMESTAMP_INVALID`,
/// `PARAPH_E_INVALID_ARGUMENT`. On error `*out_pdf` is NULL.
///
/// # Safety
///
/// `pending_json` and `signature_value` must point to their lengths in
/// readable bytes; `out_pdf` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_document_finish_signature(
    document: *const paraph_document,
    pending_json: *const c_char,
    pending_json_len: usize,
    signature_value: *const u8,
    signature_value_len: usize,
    tsa: *const paraph_tsa,
    out_pdf: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_document_finish_signature", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_pdf = unsafe { args::out(out_pdf, "out_pdf")? };
        let document = handle::get(document, "document")?;
        let tsa = optional_tsa(tsa)?;
        // SAFETY: as above.
        let pending = unsafe { json::required(pending_json, pending_json_len, "pending_json")? };
        let pending = PreparedSignature::from_json(pending)?;
        // SAFETY: as above.
        let value =
            unsafe { args::bytes(signature_value, signature_value_len, "signature_value")? };
        let tsa = tsa.as_deref().map(|t| t as &dyn TimestampAuthority);
        *out_pdf = bytes::new(pades::finish(document.bytes(), &pending, value, tsa)?);
        Ok(())
    })
}

/// An optional text argument: NULL (with 0) is `None`; empty text too.
///
/// # Safety
///
/// As for [`args::bytes`].
pub(crate) unsafe fn optional_text<'a>(
    ptr: *const c_char,
    len: usize,
    name: &str,
) -> Result<Option<&'a str>, paraph_core::Error> {
    // SAFETY: forwarded from this function's contract.
    let text = unsafe { args::text(ptr, len, name)? };
    Ok((!text.is_empty()).then_some(text))
}
