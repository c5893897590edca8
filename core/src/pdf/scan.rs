//! A linear pre-scan of the raw bytes, run before the parser sees them.
//!
//! It bounds what a parser could be made to do by a hostile file: how deeply
//! arrays and dictionaries nest (stack), how many indirect objects there
//! are, and how many syntax tokens the parser would turn into objects, in
//! the whole document and in any one object (memory: a parsed token costs
//! lopdf about 128 bytes, so a 50 MB array of 25 million integers would
//! take 3 GB). Object streams are decompressed (within the decompression
//! limit) and scanned the same way, since what they hold is parsed too.
//! Other stream data is skipped with a vectorised search, so the scan costs
//! little even on large files made mostly of images.

use memchr::memmem;

use super::limits::Limits;
use crate::error::{Error, ErrorCode, Result};

/// What the scan saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Number of `endobj` keywords outside streams.
    pub objects: usize,
    /// Deepest nesting of `[` and `<<` seen.
    pub max_depth: usize,
    /// Syntax tokens outside stream data and cross-reference tables,
    /// object streams' contents included.
    pub tokens: usize,
}

fn is_delimiter_or_space(byte: u8) -> bool {
    matches!(
        byte,
        b' ' | b'\t'
            | b'\r'
            | b'\n'
            | b'\x0c'
            | b'\0'
            | b'('
            | b')'
            | b'<'
            | b'>'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'/'
            | b'%'
    )
}

fn keyword_at(bytes: &[u8], i: usize, keyword: &[u8]) -> bool {
    bytes[i..].starts_with(keyword)
        && (i == 0 || is_delimiter_or_space(bytes[i - 1]))
        && bytes
            .get(i + keyword.len())
            .is_none_or(|&b| is_delimiter_or_space(b))
}

/// Scans `bytes`, failing fast with `PDF_NESTING_TOO_DEEP`,
/// `PDF_TOO_MANY_OBJECTS` or `PDF_TOO_COMPLEX` when a limit is exceeded.
pub(crate) fn scan(bytes: &[u8], limits: &Limits) -> Result<Scan> {
    let mut scan = Scan {
        objects: 0,
        max_depth: 0,
        tokens: 0,
    };
    scan_into(bytes, limits, false, &mut scan)?;
    Ok(scan)
}

fn too_complex(message: String) -> Error {
    Error::new(ErrorCode::PdfTooComplex, message)
}

/// What the object being scanned has said about its stream, if it has one.
#[derive(Default)]
struct StreamHints {
    /// The last direct `/Length`.
    length: Option<usize>,
    /// `/ObjStm` was named: its data is parsed as objects.
    object_stream: bool,
    /// `/FlateDecode` (or `/Fl`) was named.
    flate: bool,
    /// Another filter was named.
    other_filter: bool,
}

const OTHER_FILTERS: [&[u8]; 9] = [
    b"ASCIIHexDecode",
    b"AHx",
    b"ASCII85Decode",
    b"A85",
    b"LZWDecode",
    b"LZW",
    b"RunLengthDecode",
    b"RL",
    b"Crypt",
];

fn scan_into(bytes: &[u8], limits: &Limits, in_object_stream: bool, scan: &mut Scan) -> Result<()> {
    let endstream = memmem::Finder::new(b"endstream");
    let trailer = memmem::Finder::new(b"trailer");
    let mut depth = 0usize;
    // Tokens of the current indirect object (an object stream's objects
    // share one count, bounded by the document's budget).
    let mut object_tokens = 0usize;
    let mut hints = StreamHints::default();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        // A token starts wherever syntax that the parser turns into an
        // object starts: a number, name, keyword, string, array or dictionary.
        let starts_token = match byte {
            b'(' | b'[' => true,
            b'<' => true,
            b'/' | b')' | b'>' | b']' | b'{' | b'}' | b'%' => false,
            b if is_delimiter_or_space(b) => false,
            _ => i == 0 || is_delimiter_or_space(bytes[i - 1]),
        };
        if starts_token {
            scan.tokens += 1;
            object_tokens += 1;
            if scan.tokens > limits.max_tokens {
                return Err(too_complex(format!(
                    "the PDF holds more than {} syntax tokens (limit), near byte {i}",
                    limits.max_tokens
                )));
            }
            if !in_object_stream && object_tokens > limits.max_object_tokens {
                return Err(too_complex(format!(
                    "an object holds more than {} syntax tokens (limit), near byte {i}",
                    limits.max_object_tokens
                )));
            }
            if matches!(byte, b'0'..=b'9' | b'+' | b'-' | b'.') {
                check_number(bytes, i)?;
            }
        }
        match byte {
            b'/' => {
                let name = &bytes[i + 1..];
                let end = name
                    .iter()
                    .position(|&b| is_delimiter_or_space(b))
                    .unwrap_or(name.len());
                let name = &name[..end];
                match name {
                    b"Length" => hints.length = direct_integer(bytes, i + 1 + end),
                    b"ObjStm" => hints.object_stream = true,
                    b"FlateDecode" | b"Fl" => hints.flate = true,
                    other if OTHER_FILTERS.contains(&other) => hints.other_filter = true,
                    _ => {}
                }
                // The name's first character starts a token (counted on
                // the next pass, since '/' is a delimiter).
                i += 1;
            }
            b'%' => {
                // A comment runs to the end of the line.
                i = memchr::memchr2(b'\r', b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            b'(' => i = skip_literal_string(bytes, i),
            b'<' if bytes.get(i + 1) == Some(&b'<') => {
                depth += 1;
                i += 2;
            }
            b'<' => i = memchr::memchr(b'>', &bytes[i..]).map_or(bytes.len(), |n| i + n + 1),
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                depth = depth.saturating_sub(1);
                i += 2;
            }
            b'[' => {
                depth += 1;
                i += 1;
            }
            b']' => {
                depth = depth.saturating_sub(1);
                i += 1;
            }
            b'x' if !in_object_stream && keyword_at(bytes, i, b"xref") => {
                // A cross-reference table is read into lopdf's own compact
                // table, not into objects: skip to its trailer.
                i = trailer
                    .find(&bytes[i..])
                    .map_or(bytes.len(), |n| i + n + b"trailer".len());
            }
            b's' if keyword_at(bytes, i, b"stream") => {
                // Stream data is opaque: jump over it by its /Length when
                // `endstream` follows there, else search for `endstream`.
                let mut start = i + b"stream".len();
                if bytes.get(start) == Some(&b'\r') {
                    start += 1;
                }
                if bytes.get(start) == Some(&b'\n') {
                    start += 1;
                }
                let start = start.min(bytes.len());
                let by_length = hints.length.take().and_then(|len| {
                    let data_end = start.checked_add(len)?;
                    let mut end = data_end;
                    while matches!(bytes.get(end), Some(b'\r' | b'\n' | b' ')) {
                        end += 1;
                    }
                    bytes[end.min(bytes.len())..]
                        .starts_with(b"endstream")
                        .then_some((data_end, end + b"endstream".len()))
                });
                let (data_end, next) = by_length.unwrap_or_else(|| {
                    endstream
                        .find(&bytes[start..])
                        .map_or((bytes.len(), bytes.len()), |n| {
                            (start + n, start + n + b"endstream".len())
                        })
                });
                if hints.object_stream && !in_object_stream {
                    let data = &bytes[start..data_end.min(bytes.len())];
                    scan_object_stream(data, &hints, limits, scan)?;
                }
                hints = StreamHints::default();
                i = next;
            }
            b'e' if keyword_at(bytes, i, b"endobj") => {
                scan.objects += 1;
                if scan.objects > limits.max_objects {
                    return Err(Error::new(
                        ErrorCode::PdfTooManyObjects,
                        format!(
                            "the PDF has more than {} objects (limit)",
                            limits.max_objects
                        ),
                    ));
                }
                // An object never spans `endobj`: unbalanced brackets in a
                // damaged object must not add up across the file.
                depth = 0;
                object_tokens = 0;
                hints = StreamHints::default();
                i += b"endobj".len();
            }
            _ => i += 1,
        }
        if depth > scan.max_depth {
            scan.max_depth = depth;
            if depth > limits.max_nesting_depth {
                return Err(Error::new(
                    ErrorCode::PdfNestingTooDeep,
                    format!(
                        "arrays or dictionaries nest more than {} levels deep near byte {i}",
                        limits.max_nesting_depth
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Decompresses an object stream (within the decompression limit) and
/// scans what the parser will read from it. Only Flate and unfiltered
/// object streams are read here (what producers write); one with another
/// filter is refused rather than parsed unmeasured.
fn scan_object_stream(
    data: &[u8],
    hints: &StreamHints,
    limits: &Limits,
    scan: &mut Scan,
) -> Result<()> {
    if hints.other_filter {
        return Err(Error::new(
            ErrorCode::PdfUnsupported,
            "an object stream uses a filter other than FlateDecode; rewrite the file (qpdf --object-streams=generate)",
        ));
    }
    if !hints.flate {
        return scan_into(data, limits, true, scan);
    }
    let mut decoded = Vec::new();
    let read = std::io::Read::read_to_end(
        &mut std::io::Read::take(
            flate2::read::ZlibDecoder::new(data),
            limits.max_decompressed_size as u64 + 1,
        ),
        &mut decoded,
    );
    if decoded.len() > limits.max_decompressed_size {
        return Err(Error::new(
            ErrorCode::PdfDecompressionLimit,
            format!(
                "an object stream decompresses to more than {} bytes",
                limits.max_decompressed_size
            ),
        ));
    }
    // A damaged stream is lopdf's to judge; what did decode is scanned.
    let _ = read;
    scan_into(&decoded, limits, true, scan)
}

/// Most digits before the decimal point of a number: a real beyond
/// 3.4 × 10^38 is outside what PDF allows (ISO 32000-2 Annex C) and would
/// read as infinity.
const MAX_INTEGER_DIGITS: usize = 38;

/// Refuses a number whose integer part is longer than any PDF number may
/// be (`PDF_NUMBER_OUT_OF_RANGE`), before the parser turns it into an
/// infinity that later reads as a missing page box.
fn check_number(bytes: &[u8], start: usize) -> Result<()> {
    let mut i = start;
    if matches!(bytes.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = bytes[i.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits > MAX_INTEGER_DIGITS {
        return Err(Error::new(
            ErrorCode::PdfNumberOutOfRange,
            format!(
                "the number at byte {start} has {digits} digits before its decimal point; \
                 PDF numbers stop at about 3.4e38"
            ),
        ));
    }
    Ok(())
}

/// A direct integer after `/Length` (not `N G R`), skipping whitespace.
fn direct_integer(bytes: &[u8], mut i: usize) -> Option<usize> {
    while matches!(bytes.get(i), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        i += 1;
    }
    let digits = bytes[i.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 12 {
        return None;
    }
    let value: usize = std::str::from_utf8(&bytes[i..i + digits])
        .ok()?
        .parse()
        .ok()?;
    // `12 0 R` is a reference, not a length.
    let mut j = i + digits;
    while matches!(bytes.get(j), Some(b' ' | b'\t' | b'\r' | b'\n')) {
        j += 1;
    }
    let generation = bytes[j.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if generation > 0 {
        let mut k = j + generation;
        while matches!(bytes.get(k), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            k += 1;
        }
        if bytes.get(k) == Some(&b'R') {
            return None;
        }
    }
    Some(value)
}

/// The index just after a literal string starting at `start` (`(`), with
/// balanced parentheses and backslash escapes.
pub(crate) fn skip_literal_string(bytes: &[u8], start: usize) -> usize {
    let mut level = 0usize;
    let mut i = start;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'(' => level += 1,
            b')' => {
                level -= 1;
                if level == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(depth: usize, objects: usize) -> Limits {
        Limits {
            max_nesting_depth: depth,
            max_objects: objects,
            ..Limits::default()
        }
    }

    #[test]
    fn counts_objects_and_depth_outside_strings_streams_and_comments() {
        let pdf = b"%PDF-1.7\n% [[[[ comment\n1 0 obj << /A [ [ (a string with [[[ and \\) ) ] ] >> endobj\n\
2 0 obj << /Length 10 >> stream\n[[[[<<<<<<\nendstream endobj\n";
        let scan = scan(pdf, &limits(64, 100)).expect("scans");
        assert_eq!(scan.objects, 2);
        assert_eq!(scan.max_depth, 3);
        // `1 0 obj << /A [ [ (…) ] ] >> endobj`: 1, 0, obj, <<, A, [, [, (…),
        // endobj; `2 0 obj << /Length 10 >> stream … endstream endobj`: 2, 0,
        // obj, <<, Length, 10, stream, endobj (comments and data skipped).
        assert_eq!(scan.tokens, 9 + 8);
    }

    #[test]
    fn refuses_deep_nesting_and_too_many_objects() {
        let deep = format!("1 0 obj {}{} endobj", "[".repeat(70), "]".repeat(70));
        assert_eq!(
            scan(deep.as_bytes(), &limits(64, 100))
                .expect_err("too deep")
                .code(),
            ErrorCode::PdfNestingTooDeep
        );
        let many = "1 0 obj null endobj\n".repeat(11);
        assert_eq!(
            scan(many.as_bytes(), &limits(64, 10))
                .expect_err("too many")
                .code(),
            ErrorCode::PdfTooManyObjects
        );
    }

    #[test]
    fn stream_data_is_skipped_by_its_length_or_by_search() {
        // Data that looks like syntax, with a correct /Length, a wrong one
        // and an indirect one: all skipped.
        for dict in ["/Length 12", "/Length 99", "/Length 7 0 R"] {
            let pdf = format!("1 0 obj << {dict} >> stream\n[[[[ endobj\nendstream endobj\n");
            let scan = scan(pdf.as_bytes(), &limits(2, 100)).expect("scans");
            assert_eq!((scan.objects, scan.max_depth), (1, 1), "{dict}");
        }
    }

    #[test]
    fn unbalanced_objects_do_not_add_up() {
        let pdf = "1 0 obj [ endobj\n".repeat(100);
        assert_eq!(
            scan(pdf.as_bytes(), &limits(2, 1000))
                .expect("scans")
                .max_depth,
            1
        );
    }
}

#[cfg(test)]
mod budget_tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn a_huge_array_is_refused_before_it_is_parsed() {
        let limits = Limits::default();
        let mut pdf = b"%PDF-1.7\n1 0 obj [".to_vec();
        for _ in 0..(limits.max_object_tokens + 10) {
            pdf.extend_from_slice(b"1 ");
        }
        pdf.extend_from_slice(b"] endobj\n");
        let err = scan(&pdf, &limits).expect_err("too many tokens");
        assert_eq!(err.code(), ErrorCode::PdfTooComplex);
        assert!(err.message().contains("an object"), "{}", err.message());
    }

    #[test]
    fn many_small_objects_count_against_the_document_budget() {
        let limits = Limits {
            max_tokens: 1_000,
            ..Limits::default()
        };
        let pdf = "1 0 obj << /Type /Annot /Subtype /Square >> endobj\n".repeat(200);
        let err = scan(pdf.as_bytes(), &limits).expect_err("too many tokens");
        assert_eq!(err.code(), ErrorCode::PdfTooComplex);
        assert!(err.message().contains("the PDF holds"), "{}", err.message());
    }

    #[test]
    fn numbers_beyond_what_pdf_allows_are_refused() {
        let huge = format!(
            "1 0 obj << /MediaBox [0 0 1{} 792] >> endobj\n",
            "0".repeat(40)
        );
        let err = scan(huge.as_bytes(), &Limits::default()).expect_err("huge");
        assert_eq!(err.code(), ErrorCode::PdfNumberOutOfRange);
        assert!(
            scan(
                b"1 0 obj [0 0 612.5 -792 +3 .5] endobj\n",
                &Limits::default()
            )
            .is_ok()
        );
    }

    #[test]
    fn cross_reference_tables_do_not_count() {
        let mut pdf = b"%PDF-1.7\n1 0 obj null endobj\nxref\n0 100001\n".to_vec();
        for _ in 0..100_000 {
            pdf.extend_from_slice(b"0000000000 65535 f \n");
        }
        pdf.extend_from_slice(b"trailer << /Size 2 >>\nstartxref\n9\n%%EOF\n");
        let limits = Limits {
            max_tokens: 1_000,
            ..Limits::default()
        };
        let scanned = scan(&pdf, &limits).expect("scans");
        assert!(scanned.tokens < 20, "{}", scanned.tokens);
    }

    #[test]
    fn object_streams_are_scanned_after_decompression() {
        let mut inner = b"1 0 ".to_vec();
        inner.push(b'[');
        for _ in 0..5_000 {
            inner.extend_from_slice(b"1 ");
        }
        inner.push(b']');
        let mut encoder =
            flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&inner).expect("compresses");
        let data = encoder.finish().expect("compresses");
        let mut pdf = format!(
            "%PDF-1.7\n5 0 obj << /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {} >> stream\n",
            data.len()
        )
        .into_bytes();
        pdf.extend_from_slice(&data);
        pdf.extend_from_slice(b"\nendstream endobj\n");
        let limits = Limits {
            max_tokens: 4_000,
            ..Limits::default()
        };
        let err = scan(&pdf, &limits).expect_err("hidden tokens");
        assert_eq!(err.code(), ErrorCode::PdfTooComplex);
        let roomy = Limits::default();
        assert!(scan(&pdf, &roomy).expect("scans").tokens > 5_000);
        // Another filter is refused rather than parsed unmeasured.
        let hex = b"%PDF-1.7\n5 0 obj << /Type /ObjStm /Filter /ASCIIHexDecode /Length 2 >> stream\n00\nendstream endobj\n";
        assert_eq!(
            scan(hex, &roomy).expect_err("other filter").code(),
            ErrorCode::PdfUnsupported
        );
    }
}
