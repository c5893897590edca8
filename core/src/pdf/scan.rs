//! A linear pre-scan of the raw bytes, run before the parser sees them.
//!
//! It bounds what a parser could be made to do by a hostile file: how deeply
//! arrays and dictionaries nest (stack) and how many indirect objects there
//! are (memory). Stream data is skipped with a vectorised search, so the
//! scan costs little even on large files made mostly of images.

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

/// Scans `bytes`, failing fast with `PDF_NESTING_TOO_DEEP` or
/// `PDF_TOO_MANY_OBJECTS` when a limit is exceeded.
pub(crate) fn scan(bytes: &[u8], limits: &Limits) -> Result<Scan> {
    let endstream = memmem::Finder::new(b"endstream");
    let mut scan = Scan {
        objects: 0,
        max_depth: 0,
    };
    let mut depth = 0usize;
    // The last direct `/Length` seen in this object, to skip stream data
    // without searching it.
    let mut length: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if keyword_at(bytes, i + 1, b"Length") => {
                i += b"/Length".len();
                length = direct_integer(bytes, i);
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
                let by_length = length.take().and_then(|len| {
                    let mut end = start.checked_add(len)?;
                    while matches!(bytes.get(end), Some(b'\r' | b'\n' | b' ')) {
                        end += 1;
                    }
                    bytes[end.min(bytes.len())..]
                        .starts_with(b"endstream")
                        .then_some(end + b"endstream".len())
                });
                i = by_length.unwrap_or_else(|| {
                    endstream
                        .find(&bytes[start.min(bytes.len())..])
                        .map_or(bytes.len(), |n| start + n + b"endstream".len())
                });
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
                length = None;
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
    Ok(scan)
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
