//! Repairing a damaged PDF that holds no signature: a clean full rewrite.
//!
//! Some files load only because lopdf is lenient (it rebuilds or corrects a
//! damaged cross-reference table by scanning), but an incremental update
//! appended to them points back at the damaged data, and strict readers
//! (pyHanko) then cannot read the result. For such a file without
//! signatures, rewriting it whole is harmless; with signatures it is not
//! (it would break them), so it is refused.

use std::io::Write;

use lopdf::{Dictionary, Object, Writer};

use super::document::Pdf;
use super::limits::Limits;
use super::numbers;
use crate::error::{Error, ErrorCode, Result};

/// The `PDF_DAMAGED` error for `doc`, with the way out that applies.
pub(crate) fn damaged(doc: &Pdf<'_>, why: &str) -> Error {
    let signed = doc.fields().is_ok_and(|f| f.iter().any(|f| f.signed));
    let hint = if signed {
        "it holds signatures, which a repair (a full rewrite) would break, so it cannot be signed again"
    } else {
        "repair it first (paraph sign --repair, or paraph::pdf::repair), which rewrites it whole"
    };
    Error::new(
        ErrorCode::PdfDamaged,
        format!("the PDF is damaged: {why}; {hint}"),
    )
}

/// Why `pdf` needs repair before an incremental update, or `None` when it
/// does not (or is refused by loading for another reason).
pub fn needs_repair(pdf: &[u8], limits: &Limits) -> Result<Option<String>> {
    Ok(Pdf::load_unfiltered(pdf, limits)?.damage())
}

/// `pdf` rewritten whole, with a fresh cross-reference table, when it needs
/// repair ([`needs_repair`]); `None` when it does not. Every object lopdf
/// could read is kept, its numbers spelled as in the file; object streams
/// are unpacked and the old cross-reference streams dropped. A document
/// that holds signatures is refused with `PDF_DAMAGED` (a rewrite would
/// break them), like an encrypted one with `PDF_ENCRYPTED`.
///
/// ```
/// # let pdf = paraph::pdf::testing::minimal_pdf(&[(612.0, 792.0, 0)]);
/// let limits = paraph::pdf::Limits::default();
/// // A sound file needs nothing.
/// assert!(paraph::pdf::repair(&pdf, &limits)?.is_none());
/// # Ok::<(), paraph::Error>(())
/// ```
pub fn repair(pdf: &[u8], limits: &Limits) -> Result<Option<Vec<u8>>> {
    let doc = Pdf::load_unfiltered(pdf, limits)?;
    let Some(why) = doc.damage() else {
        return Ok(None);
    };
    if doc.fields()?.iter().any(|f| f.signed) {
        return Err(damaged(&doc, &why));
    }
    if doc.encryption().is_some() {
        return Err(Error::new(
            ErrorCode::PdfEncrypted,
            format!(
                "the PDF is damaged ({why}) and encrypted: paraph repairs only unencrypted files, since a rewrite would have to re-encrypt every object; repair it with another tool (qpdf keeps the encryption)"
            ),
        ));
    }
    let io = |e: std::io::Error| {
        Error::new(
            ErrorCode::Internal,
            format!("writing to memory failed: {e}"),
        )
    };
    let version = doc.version();
    let mut out = Vec::with_capacity(pdf.len());
    writeln!(out, "%PDF-{version}").map_err(io)?;
    // The binary comment line: four bytes above 127 (ISO 32000-2 §7.5.2).
    out.extend_from_slice(b"%\xe2\xe3\xcf\xd3\n");
    let mut offsets = Vec::new();
    for (&id, object) in &doc.doc.objects {
        if let Object::Stream(stream) = object
            && (stream.dict.has_type(b"ObjStm") || stream.dict.has_type(b"XRef"))
        {
            continue;
        }
        offsets.push((id, out.len()));
        writeln!(out, "{} {} obj", id.0, id.1).map_err(io)?;
        // A damaged file's /Length may be wrong or indirect: the data
        // lopdf read decides it.
        let fixed;
        let object = match object {
            Object::Stream(stream)
                if stream
                    .dict
                    .get(b"Length")
                    .ok()
                    .and_then(|l| l.as_i64().ok())
                    != i64::try_from(stream.content.len()).ok() =>
            {
                let mut stream = stream.clone();
                stream
                    .dict
                    .set("Length", Object::Integer(stream.content.len() as i64));
                fixed = Object::Stream(stream);
                &fixed
            }
            other => other,
        };
        let mut written = Vec::new();
        Writer::write_object(&mut written, object).map_err(|e| {
            Error::new(
                ErrorCode::Internal,
                format!("cannot serialise an object: {e}"),
            )
        })?;
        match doc.original_text(id) {
            Some(original) => {
                out.extend_from_slice(&numbers::keep_original_reals(&written, &original))
            }
            None => out.extend_from_slice(&written),
        }
        out.extend_from_slice(b"\nendobj\n");
    }
    let size = offsets.last().map_or(1, |(id, _)| id.0 + 1);
    let xref = out.len();
    write!(out, "xref\n0 {size}\n0000000000 65535 f\r\n").map_err(io)?;
    let mut next = offsets.iter().peekable();
    for number in 1..size {
        match next.peek() {
            Some(&&((n, generation), offset)) if n == number => {
                write!(out, "{offset:010} {generation:05} n\r\n").map_err(io)?;
                next.next();
                // A second generation of one number cannot be listed: the
                // reader keeps the one the table names.
                while next.peek().is_some_and(|&&((n, _), _)| n == number) {
                    next.next();
                }
            }
            _ => out.extend_from_slice(b"0000000000 65535 f\r\n"),
        }
    }
    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(size)));
    for key in [&b"Root"[..], b"Info", b"ID"] {
        if let Ok(value) = doc.doc.trailer.get(key) {
            trailer.set(key, value.clone());
        }
    }
    out.extend_from_slice(b"trailer\n");
    Writer::write_object(&mut out, &Object::Dictionary(trailer)).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("cannot write the trailer: {e}"),
        )
    })?;
    write!(out, "\nstartxref\n{xref}\n%%EOF\n").map_err(io)?;
    // What was written must now be sound, or nothing is returned.
    let check = Pdf::load_unfiltered(&out, limits)?;
    if let Some(still) = check.damage() {
        return Err(Error::new(
            ErrorCode::PdfDamaged,
            format!("the PDF is damaged ({why}) and rewriting it did not repair it: {still}"),
        ));
    }
    if check.page_count() != doc.page_count() {
        return Err(Error::new(
            ErrorCode::PdfDamaged,
            format!(
                "the PDF is damaged ({why}); a rewrite kept {} of its {} pages, so it is not offered",
                check.page_count(),
                doc.page_count()
            ),
        ));
    }
    Ok(Some(out))
}
