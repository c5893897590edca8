//! PAdES B-LTA (ETSI EN 319 142-1 §5.5): document time-stamps. A document
//! time-stamp (ISO 32000-2 §12.8.5: `/Type /DocTimeStamp`, `/SubFilter
//! /ETSI.RFC3161`) is an RFC 3161 token over the whole file but its own
//! `/Contents`, added as an incremental update after the validation data
//! ([`add_validation_data`](super::add_validation_data)). It proves that
//! the signatures and the data that validates them existed at its time,
//! so a verifier can judge them then, offline, after their certificates
//! have expired. Before the time-stamping certificate expires, the archive
//! renews the proof: validation data for the last time-stamp, then a new
//! document time-stamp over everything ([`add_document_timestamp`] again).
//!
//! The core stays pure: the caller's [`TimestampAuthority`] carries the
//! request to the TSA; the request (imprint and nonce) is built and the
//! response checked here.

use sha2::{Digest, Sha256};

use super::dictionary::{ByteRange, SerialisedDictionary, document_timestamp_dictionary};
use super::ltv::LtvOptions;
use super::sign::{add_invisible_field, covered_digest, write_with_byte_range};
use super::tsp::{self, TimestampAuthority};
use crate::error::{Error, ErrorCode, Result};
use crate::pdf::crypt::Change;
use crate::pdf::fields::FormEditor;
use crate::pdf::incremental::IncrementalUpdate;
use crate::pdf::{Pdf, PdfPassword};

/// Hex digits first reserved for the token: a token with a TSA chain of two
/// or three RSA certificates takes 4 to 8 KB. A larger one is fetched again
/// with room made for it.
const FIRST_RESERVE_HEX: usize = 2 * 12_000;

/// `pdf` with a document time-stamp from `tsa` over all of it, as an
/// incremental update (a new invisible signature field
/// `DocTimeStamp<n>`). Every earlier signature stays valid: a document
/// time-stamp is allowed after any signature, under every DocMDP level
/// (ISO 32000-2 §12.8.2.2; pyHanko calls such updates LTA updates).
///
/// For B-LTA, add the validation data first
/// ([`validation_needs`](super::validation_needs),
/// [`add_validation_data`](super::add_validation_data)). The TSA's errors
/// are returned as they are; a response that is not a granted token over
/// this document with the request's nonce is `TIMESTAMP_INVALID`.
pub fn add_document_timestamp(
    pdf: &[u8],
    tsa: &dyn TimestampAuthority,
    options: &LtvOptions,
) -> Result<Vec<u8>> {
    let doc = Pdf::open(
        pdf,
        &options.limits,
        options.pdf_password.as_ref().map(PdfPassword::expose),
    )?;
    doc.check_permission(Change::CreateFields)?;
    // The original is hashed once; each try adds its own update.
    let base_hasher = Sha256::new().chain_update(pdf);
    let mut capacity = FIRST_RESERVE_HEX;
    // At most twice: the second time with room for the token the TSA gave.
    for _ in 0..2 {
        let (mut increment, base_len, range) = write_update(&doc, capacity)?;
        let digest = covered_digest(base_hasher.clone(), &increment, base_len, &range)?;
        let token = tsp::timestamp_digest(tsa, &digest)?;
        let hex = hex::encode_upper(&token);
        if hex.len() > capacity {
            capacity = hex.len() + 2 * 1024;
            continue;
        }
        // One past the `<`.
        let start = range.contents_start - base_len + 1;
        increment[start..start + hex.len()].copy_from_slice(hex.as_bytes());
        let mut out = Vec::with_capacity(pdf.len() + increment.len());
        out.extend_from_slice(pdf);
        out.extend_from_slice(&increment);
        return Ok(out);
    }
    Err(Error::new(
        ErrorCode::TimestampInvalid,
        "the TSA's second token was larger than the room made for its first",
    ))
}

/// The update: the time-stamp dictionary with a placeholder of `capacity`
/// hex digits, its invisible field on page 1, the form's `/Fields` and
/// `/SigFlags`; the `/ByteRange` set. Returns the update's bytes, the
/// original's length and the byte range.
fn write_update(doc: &Pdf<'_>, capacity: usize) -> Result<(Vec<u8>, usize, ByteRange)> {
    let existing = doc.fields()?;
    let locks = super::dictionary::field_locks(&doc.doc, &existing);
    let name = (1..)
        .map(|i| format!("DocTimeStamp{i}"))
        .find(|n| !existing.iter().any(|f| &f.name == n) && !locks.iter().any(|l| l.names(n)))
        .unwrap_or_default();

    let mut update = IncrementalUpdate::new(doc)?;
    let mut form = FormEditor::new(&update)?;
    let sig_id = update.allocate();
    let SerialisedDictionary {
        body,
        byte_range_at,
        contents_at,
    } = document_timestamp_dictionary(capacity);
    update.set_raw(sig_id, body);
    add_invisible_field(&mut update, &mut form, &name, sig_id)?;
    form.mark_signed();
    form.finish(&mut update)?;
    write_with_byte_range(update, sig_id, byte_range_at, contents_at, capacity)
}
