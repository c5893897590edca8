//! The signature dictionary (ISO 32000-2 §12.8.1, Table 255) and its byte
//! range: written with placeholders whose offsets are known exactly, and
//! read back, with the `/ByteRange` checked against the file as ETSI EN
//! 319 142-1 §5.1 requires (one gap, holding exactly the `/Contents` hex
//! string).

use chrono::{DateTime, Utc};
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat, Writer};

use super::verify::Coverage;
use crate::error::{Error, ErrorCode, Result};
use crate::pdf::crypt::Encryption;
use crate::pdf::object::{self, decode_text_string, text_string};

/// Width of each number of the `/ByteRange` placeholder: ten digits cover
/// files up to 9.3 GiB.
const BYTE_RANGE_DIGITS: usize = 10;
/// Bytes of the whole `/ByteRange` placeholder: `[0 ` + three numbers
/// padded with spaces + `]`.
const BYTE_RANGE_PLACEHOLDER: usize = 2 + 2 + 3 * BYTE_RANGE_DIGITS + 2;

/// A `/ByteRange`: the two spans a signature covers, `[0 a]` and `[b c]`,
/// around its own `/Contents` string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ByteRange {
    /// End of the first span: the offset of the `<` that opens `/Contents`.
    pub contents_start: usize,
    /// Start of the second span: just after the `>` that closes `/Contents`.
    pub contents_end: usize,
    /// Length of the second span.
    pub tail_len: usize,
}

impl ByteRange {
    /// The byte range of a file of `total` bytes whose `/Contents` string
    /// (brackets included) spans `contents_start..contents_end`.
    pub fn around(contents_start: usize, contents_end: usize, total: usize) -> Result<Self> {
        let tail_len = total
            .checked_sub(contents_end)
            .filter(|_| contents_start < contents_end);
        match tail_len {
            Some(tail_len) => Ok(Self {
                contents_start,
                contents_end,
                tail_len,
            }),
            None => Err(Error::new(
                ErrorCode::Internal,
                "the /Contents placeholder lies outside the file",
            )),
        }
    }

    /// The four numbers: `[0 a b c]`.
    pub fn values(&self) -> [usize; 4] {
        [0, self.contents_start, self.contents_end, self.tail_len]
    }

    /// Reads `[0 a b c]` from four numbers, with `a < b` and `b + c` not
    /// overflowing; `None` for anything else.
    pub fn from_values(values: &[i64]) -> Option<Self> {
        let [start, a, b, c] = <[i64; 4]>::try_from(values).ok()?;
        let [a, b, c] = [a, b, c].map(|v| usize::try_from(v).ok());
        let (a, b, c) = (a?, b?, c?);
        (start == 0 && a < b && b.checked_add(c).is_some()).then_some(Self {
            contents_start: a,
            contents_end: b,
            tail_len: c,
        })
    }

    /// Where the covered bytes end: `b + c`.
    pub fn end(&self) -> usize {
        self.contents_end + self.tail_len
    }

    /// The two covered spans, as (offset, length).
    pub fn spans(&self) -> [(usize, usize); 2] {
        [(0, self.contents_start), (self.contents_end, self.tail_len)]
    }

    /// The placeholder text, padded with spaces to the width it was
    /// reserved with (`PDF_TOO_LARGE` when the numbers do not fit).
    fn padded(&self) -> Result<String> {
        let [_, a, b, c] = self.values();
        let text = format!("[0 {a} {b} {c}]");
        if text.len() > BYTE_RANGE_PLACEHOLDER {
            return Err(Error::new(
                ErrorCode::PdfTooLarge,
                "the signed file would be too large for a 10-digit /ByteRange",
            ));
        }
        Ok(format!("{text:<BYTE_RANGE_PLACEHOLDER$}"))
    }

    /// Writes this byte range over its placeholder at `at` in `bytes`.
    pub fn patch(&self, bytes: &mut [u8], at: usize) -> Result<()> {
        let text = self.padded()?;
        let slot = at
            .checked_add(BYTE_RANGE_PLACEHOLDER)
            .and_then(|end| bytes.get_mut(at..end))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::Internal,
                    "the /ByteRange placeholder lies outside the update",
                )
            })?;
        slot.copy_from_slice(text.as_bytes());
        Ok(())
    }

    /// Checks this byte range against `pdf`: it lies inside the file, its
    /// gap holds exactly one hex string (ETSI EN 319 142-1 §5.1), and it
    /// reaches at least the `%%EOF` that ends the revision holding the
    /// signature (so its own cross-reference section and trailer are
    /// signed). The coverage is the whole file, or the revision it ends;
    /// a failure says what is wrong in words.
    pub fn check(&self, pdf: &[u8]) -> std::result::Result<Coverage, String> {
        let end = self.end();
        if end > pdf.len() {
            return Err(format!(
                "the /ByteRange runs to byte {end}, past the end of the {}-byte file",
                pdf.len()
            ));
        }
        let gap = pdf
            .get(self.contents_start..self.contents_end)
            .unwrap_or_default();
        let sound = gap.len() >= 2
            && gap.first() == Some(&b'<')
            && gap.last() == Some(&b'>')
            && gap[1..gap.len() - 1].iter().all(u8::is_ascii_hexdigit);
        if !sound {
            return Err(
                "the /ByteRange does not cover the file around exactly one /Contents string"
                    .to_owned(),
            );
        }
        if end == pdf.len() {
            return Ok(Coverage::WholeFile);
        }
        match eof_after(pdf, self.contents_end) {
            Some(revision_end) if end >= revision_end => Ok(Coverage::Revision { bytes: end }),
            Some(revision_end) => Err(format!(
                "the /ByteRange stops at byte {end}, {} bytes before its revision ends at byte \
                 {revision_end} (the %%EOF after its /Contents): those bytes are not signed",
                revision_end - end
            )),
            None => Err(format!(
                "the /ByteRange stops at byte {end} of {}, and no %%EOF ends its revision",
                pdf.len()
            )),
        }
    }
}

/// Just past the first `%%EOF` marker at or after `from`.
pub(crate) fn eof_after(pdf: &[u8], from: usize) -> Option<usize> {
    const EOF: &[u8] = b"%%EOF";
    pdf.get(from..)?
        .windows(EOF.len())
        .position(|w| w == EOF)
        .map(|at| from + at + EOF.len())
}

/// The bytes after the last `%%EOF` of the file, when any of them is more
/// than an end-of-line or white space (NULs count as data here: they are
/// what a truncated or padded update leaves). `None` for a file without
/// `%%EOF`, which does not load anyway.
pub(crate) fn data_after_last_eof(pdf: &[u8]) -> Option<usize> {
    const EOF: &[u8] = b"%%EOF";
    let last = pdf.windows(EOF.len()).rposition(|w| w == EOF)? + EOF.len();
    let rest = &pdf[last..];
    rest.iter()
        .any(|b| !matches!(b, b'\r' | b'\n' | b' ' | b'\t' | b'\x0c'))
        .then_some(rest.len())
}

/// Where the DER value at the start of `bytes` ends (tag, length and
/// content), for the definite lengths DER allows; `None` when the header
/// cannot be read.
pub(crate) fn der_length(bytes: &[u8]) -> Option<usize> {
    let first = *bytes.get(1)?;
    let (header, length) = if first < 0x80 {
        (2, usize::from(first))
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 {
            return None;
        }
        let length = bytes
            .get(2..2 + count)?
            .iter()
            .fold(0usize, |n, b| (n << 8) | usize::from(*b));
        (2 + count, length)
    };
    header.checked_add(length)
}

/// The signature dictionary paraph writes (ISO 32000-2 Table 255),
/// serialised by hand so that the offsets of the `/ByteRange` and
/// `/Contents` placeholders are known exactly.
#[derive(Debug, Clone)]
pub(crate) struct SignatureDictionary<'a> {
    /// `/M`: the claimed signing time (PAdES keeps it out of the CMS).
    pub signing_time: DateTime<Utc>,
    /// `/Name`, `/Reason`, `/Location`, `/ContactInfo`, when given.
    pub name: Option<&'a str>,
    /// `/Reason`.
    pub reason: Option<&'a str>,
    /// `/Location`.
    pub location: Option<&'a str>,
    /// `/ContactInfo`.
    pub contact_info: Option<&'a str>,
    /// The DocMDP `/P` of a certification signature (§12.8.2.2).
    pub docmdp: Option<i64>,
    /// Hex digits reserved inside `/Contents <...>`.
    pub contents_capacity: usize,
}

/// A serialised signature dictionary and where its placeholders are,
/// relative to the start of its body.
#[derive(Debug, Clone)]
pub(crate) struct SerialisedDictionary {
    pub body: Vec<u8>,
    /// Offset of the `/ByteRange` placeholder.
    pub byte_range_at: usize,
    /// Offset of the `<` that opens `/Contents`.
    pub contents_at: usize,
}

impl SerialisedDictionary {
    /// Bytes of the `/Contents` string, brackets included.
    pub fn contents_len(capacity: usize) -> usize {
        capacity + 2
    }
}

impl SignatureDictionary<'_> {
    /// The dictionary's bytes, with a zero-filled `/Contents` and a
    /// blank `/ByteRange` of fixed width.
    ///
    /// In an encrypted file (`encryption`, with the dictionary's object id),
    /// its strings are encrypted, all but `/Contents` (ISO 32000-2 §7.6.2).
    pub fn serialise(
        &self,
        encryption: Option<(&Encryption, ObjectId)>,
    ) -> Result<SerialisedDictionary> {
        let string = |object: Object| -> Result<Vec<u8>> {
            match (encryption, object) {
                (Some((encryption, id)), Object::String(bytes, _)) => {
                    serialise_object(&Object::String(
                        encryption.encrypt_string(id, &bytes)?,
                        StringFormat::Hexadecimal,
                    ))
                }
                (_, object) => serialise_object(&object),
            }
        };
        let mut body = b"<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached".to_vec();
        let (byte_range_at, contents_at) = push_placeholders(&mut body, self.contents_capacity);
        body.extend_from_slice(b"/M");
        body.extend(string(text_string(&crate::pdf::date::format(
            self.signing_time,
        )))?);
        let texts = [
            ("Name", self.name),
            ("Reason", self.reason),
            ("Location", self.location),
            ("ContactInfo", self.contact_info),
        ];
        for (key, value) in texts {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                body.extend_from_slice(format!("/{key}").as_bytes());
                body.extend(string(text_string(value))?);
            }
        }
        if let Some(permission) = self.docmdp {
            body.extend_from_slice(
                format!(
                    "/Reference[<</Type/SigRef/TransformMethod/DocMDP/TransformParams<</Type/TransformParams/P {permission}/V/1.2>>>>]"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(b"/Prop_Build<</App<</Name/paraph/REx");
        body.extend(string(Object::string_literal(env!("CARGO_PKG_VERSION")))?);
        body.extend_from_slice(b">>/Filter<</Name/Adobe.PPKLite>>>>>>");
        Ok(SerialisedDictionary {
            body,
            byte_range_at,
            contents_at,
        })
    }
}

/// A document time-stamp dictionary (ISO 32000-2 §12.8.5, ETSI EN 319 142-1
/// §5.5): `/Type /DocTimeStamp`, `/SubFilter /ETSI.RFC3161`, a blank
/// `/ByteRange` and a zero-filled `/Contents` of `contents_capacity` hex
/// digits. It holds no string but `/Contents` (which is never encrypted),
/// so it reads the same in an encrypted file.
pub(crate) fn document_timestamp_dictionary(contents_capacity: usize) -> SerialisedDictionary {
    let mut body = b"<</Type/DocTimeStamp/Filter/Adobe.PPKLite/SubFilter/ETSI.RFC3161/V 0".to_vec();
    let (byte_range_at, contents_at) = push_placeholders(&mut body, contents_capacity);
    body.extend_from_slice(b">>");
    SerialisedDictionary {
        body,
        byte_range_at,
        contents_at,
    }
}

/// Appends `/ByteRange` with a blank array of fixed width and `/Contents`
/// with `capacity` zero hex digits; returns where the array and the `<`
/// of `/Contents` start in `body`.
fn push_placeholders(body: &mut Vec<u8>, capacity: usize) -> (usize, usize) {
    body.extend_from_slice(b"/ByteRange ");
    let byte_range_at = body.len();
    body.extend_from_slice(format!("[0 {0} {0} {0}]", " ".repeat(BYTE_RANGE_DIGITS)).as_bytes());
    body.extend_from_slice(b"/Contents ");
    let contents_at = body.len();
    body.push(b'<');
    body.resize(body.len() + capacity, b'0');
    body.push(b'>');
    (byte_range_at, contents_at)
}

fn serialise_object(object: &Object) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    Writer::write_object(&mut out, object)
        .map_err(|e| Error::new(ErrorCode::Internal, format!("cannot serialise: {e}")))?;
    Ok(out)
}

/// A signature dictionary as found in a PDF.
#[derive(Debug, Clone)]
pub(crate) struct FoundSignature {
    /// `/SubFilter`, as `/Name`.
    pub sub_filter: String,
    /// `/Type /DocTimeStamp` (ISO 32000-2 §12.8.5).
    pub is_document_timestamp: bool,
    /// `/M`, when it reads as a date.
    pub signing_time: Option<DateTime<Utc>>,
    /// `/Contents`: the CMS or time-stamp token, with its zero padding.
    pub contents: Vec<u8>,
    /// `/ByteRange`, when it is four sound numbers.
    pub byte_range: Option<ByteRange>,
}

impl FoundSignature {
    /// Reads the signature dictionary `sig` of `doc`.
    pub fn read(doc: &Document, sig: &Dictionary) -> Result<Self> {
        let sub_filter = object::lookup_name(doc, sig, b"SubFilter")?
            .map(|n| format!("/{}", String::from_utf8_lossy(n)))
            .unwrap_or_default();
        let is_document_timestamp =
            object::lookup_name(doc, sig, b"Type")? == Some(b"DocTimeStamp");
        let signing_time = match object::lookup(doc, sig, b"M")? {
            Some(Object::String(bytes, _)) => crate::pdf::date::parse(&decode_text_string(bytes)),
            _ => None,
        };
        let contents = match object::lookup(doc, sig, b"Contents")? {
            Some(Object::String(bytes, _)) => bytes.clone(),
            _ => Vec::new(),
        };
        let values: Vec<i64> = object::lookup_array(doc, sig, b"ByteRange")?
            .map(|a| a.iter().filter_map(|o| o.as_i64().ok()).collect())
            .unwrap_or_default();
        Ok(Self {
            sub_filter,
            is_document_timestamp,
            signing_time,
            contents,
            byte_range: ByteRange::from_values(&values),
        })
    }
}

/// The DocMDP `/P` of the document's certification signature, if it has one.
pub(crate) fn certification_permission(doc: &Document, root: Option<ObjectId>) -> Option<i64> {
    let sig = certification_reference(doc, root)?;
    let dict = object::get_dict(doc, sig).ok()?;
    docmdp_permission(doc, dict)
}

/// The signature dictionary referenced by the catalog's `/Perms /DocMDP`
/// (ISO 32000-2 §12.8.4.1).
pub(crate) fn certification_reference(doc: &Document, root: Option<ObjectId>) -> Option<ObjectId> {
    let catalog = object::get_dict(doc, root?).ok()?;
    let perms = object::lookup_dict(doc, catalog, b"Perms").ok()??;
    perms.get(b"DocMDP").ok()?.as_reference().ok()
}

/// The `/P` of a signature dictionary's DocMDP transform (Table 257); 2
/// when the transform gives none.
pub(crate) fn docmdp_permission(doc: &Document, sig: &Dictionary) -> Option<i64> {
    let refs = object::lookup_array(doc, sig, b"Reference").ok()??;
    refs.iter().find_map(|r| {
        let r = object::as_dict(object::resolve(doc, r).ok()?)?;
        if object::lookup_name(doc, r, b"TransformMethod").ok()?? != b"DocMDP" {
            return None;
        }
        let params = object::lookup_dict(doc, r, b"TransformParams").ok()??;
        match object::lookup(doc, params, b"P").ok()? {
            Some(Object::Integer(p)) => Some(*p),
            _ => Some(2),
        }
    })
}

/// Which fields a signature locks (ISO 32000-2 §12.8.2.4, Table 259:
/// `/Action`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum LockedFields {
    All,
    Include(Vec<String>),
    Exclude(Vec<String>),
}

/// A field lock of a signature present in the document: from the FieldMDP
/// transform of its signature dictionary's `/Reference`, or from its
/// field's `/Lock` (a signature field lock dictionary, Table 236), which
/// takes effect once the field is signed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldLock {
    /// The signature field whose signature holds the lock.
    pub by: String,
    pub fields: LockedFields,
    /// `/P`: the document's permissions after this signature (as DocMDP's,
    /// Table 257; PDF 2.0), when given.
    pub permission: Option<i64>,
}

impl FieldLock {
    /// Whether the field named `name` (fully qualified) is locked: a lock
    /// on a field covers its descendants.
    pub fn locks(&self, name: &str) -> bool {
        let covers = |names: &[String]| {
            names.iter().any(|n| {
                name == n || (name.starts_with(n.as_str()) && name[n.len()..].starts_with('.'))
            })
        };
        match &self.fields {
            LockedFields::All => true,
            LockedFields::Include(names) => covers(names),
            LockedFields::Exclude(names) => !covers(names),
        }
    }

    /// Whether a new field named `name` would take a name the lock lists.
    pub fn names(&self, name: &str) -> bool {
        matches!(&self.fields, LockedFields::Include(names) if names.iter().any(|n| n == name))
    }
}

fn read_lock(doc: &Document, by: &str, params: &Dictionary) -> Option<FieldLock> {
    let names = || -> Vec<String> {
        object::lookup_array(doc, params, b"Fields")
            .ok()
            .flatten()
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(|f| match object::resolve(doc, f).ok()? {
                        Object::String(bytes, _) => Some(decode_text_string(bytes)),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let fields = match object::lookup_name(doc, params, b"Action").ok()?? {
        b"All" => LockedFields::All,
        b"Include" => LockedFields::Include(names()),
        b"Exclude" => LockedFields::Exclude(names()),
        _ => return None,
    };
    let permission = match object::lookup(doc, params, b"P").ok()? {
        Some(Object::Integer(p)) => Some(*p),
        _ => None,
    };
    Some(FieldLock {
        by: by.to_owned(),
        fields,
        permission,
    })
}

/// The field locks of the signed signature fields among `fields` (the
/// form's fields) of `doc`.
pub(crate) fn field_locks(doc: &Document, fields: &[crate::pdf::FormField]) -> Vec<FieldLock> {
    let mut locks = Vec::new();
    for crate::pdf::FormField { name, id, .. } in fields.iter().filter(|f| f.signed) {
        let Ok(field) = object::get_dict(doc, *id) else {
            continue;
        };
        if let Ok(Some(lock)) = object::lookup_dict(doc, field, b"Lock")
            && let Some(lock) = read_lock(doc, name, lock)
        {
            locks.push(lock);
        }
        let Ok(Some(sig)) = object::lookup_dict(doc, field, b"V") else {
            continue;
        };
        let Ok(Some(references)) = object::lookup_array(doc, sig, b"Reference") else {
            continue;
        };
        for reference in references {
            let Some(reference) = object::resolve(doc, reference)
                .ok()
                .and_then(object::as_dict)
            else {
                continue;
            };
            if object::lookup_name(doc, reference, b"TransformMethod")
                .ok()
                .flatten()
                != Some(&b"FieldMDP"[..])
            {
                continue;
            }
            if let Ok(Some(params)) = object::lookup_dict(doc, reference, b"TransformParams")
                && let Some(lock) = read_lock(doc, name, params)
                && !locks.contains(&lock)
            {
                locks.push(lock);
            }
        }
    }
    locks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_refuse_overlaps_negatives_and_overflow() {
        assert!(ByteRange::from_values(&[0, 10, 20, 5]).is_some());
        assert!(ByteRange::from_values(&[1, 10, 20, 5]).is_none());
        assert!(ByteRange::from_values(&[0, 20, 10, 5]).is_none());
        assert!(ByteRange::from_values(&[0, -1, 10, 5]).is_none());
        assert!(ByteRange::from_values(&[0, 10, 20]).is_none());
        // Absurd but representable numbers read, and are then refused by
        // the check against the file.
        let absurd = ByteRange::from_values(&[0, 10, i64::MAX, i64::MAX]).expect("numbers");
        assert!(absurd.check(b"<00>").is_err());
    }

    #[test]
    fn byte_ranges_check_the_gap_and_the_file_length() {
        let pdf = b"abc<0A0B>def";
        let range = ByteRange::around(3, 9, pdf.len()).expect("fits");
        assert_eq!(range.values(), [0, 3, 9, 3]);
        assert_eq!(range.check(pdf), Ok(Coverage::WholeFile));
        let revised = b"abc<0A0B>d\n%%EOF\nmore update\n%%EOF\n";
        assert_eq!(
            ByteRange::around(3, 9, 17).expect("fits").check(revised),
            Ok(Coverage::Revision { bytes: 17 })
        );
        // Short of its own %%EOF: the revision's end is not signed.
        let short = ByteRange::around(3, 9, 10).expect("fits").check(revised);
        assert!(short.expect_err("short").contains("6 bytes before"));
        // A gap that is not one hex string, or a range past the end.
        assert!(
            ByteRange::around(2, 9, pdf.len())
                .expect("fits")
                .check(pdf)
                .is_err()
        );
        let past = ByteRange::from_values(&[0, 3, 9, 40]).expect("numbers");
        assert!(past.check(pdf).is_err());
        assert!(ByteRange::around(9, 3, 12).is_err());
        assert!(ByteRange::around(3, 9, 8).is_err());
    }

    #[test]
    fn trailing_data_and_der_lengths() {
        assert_eq!(data_after_last_eof(b"x\n%%EOF\n"), None);
        assert_eq!(data_after_last_eof(b"x\n%%EOF\r\n  \n"), None);
        assert_eq!(data_after_last_eof(b"x\n%%EOF\n\0\0"), Some(3));
        assert_eq!(data_after_last_eof(b"x\n%%EOF\ngarbage"), Some(8));
        assert_eq!(der_length(&[0x30, 0x03, 1, 2, 3, 0, 0]), Some(5));
        assert_eq!(der_length(&[0x30, 0x82, 0x01, 0x00]), Some(260));
        assert_eq!(der_length(&[0x30, 0x80]), None);
        assert_eq!(der_length(&[0x30]), None);
    }

    #[test]
    fn placeholders_are_patched_in_place_or_refused() {
        let dict = SignatureDictionary {
            signing_time: DateTime::from_timestamp(1_795_424_400, 0).expect("time"),
            name: Some("Marie"),
            reason: None,
            location: None,
            contact_info: None,
            docmdp: None,
            contents_capacity: 8,
        };
        let mut written = dict.serialise(None).expect("serialises");
        let contents = &written.body[written.contents_at..written.contents_at + 10];
        assert_eq!(contents, b"<00000000>");
        let range = ByteRange::around(100, 110, 200).expect("fits");
        range
            .patch(&mut written.body, written.byte_range_at)
            .expect("patches");
        let text = String::from_utf8_lossy(&written.body);
        assert!(text.contains("/ByteRange [0 100 110 90"), "{text}");
        let huge = ByteRange::around(10_000_000_000, 10_000_000_100, 30_000_000_000).expect("fits");
        assert_eq!(
            huge.patch(&mut written.body, written.byte_range_at)
                .expect_err("too wide")
                .code(),
            ErrorCode::PdfTooLarge
        );
        let end = written.body.len();
        assert!(range.patch(&mut written.body, end).is_err());
    }
}
