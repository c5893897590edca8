//! Real numbers kept as the file spells them when an object of the original
//! file is written again in an update.
//!
//! lopdf holds reals as `f32`, so an object read and written back loses
//! digits: `/MediaBox [0 0 595.303937007874 841.889763779528]` would come
//! back as `[0 0 595.30396 841.8898]`, and a validator comparing revisions
//! (pyHanko's difference analysis) then sees an earlier signature followed
//! by a change nobody made. Writing our own PDF serialiser for this alone
//! would duplicate lopdf's; instead the object is serialised by lopdf and
//! each real token of the result is replaced by the original token that
//! reads as the same `f32` — matched in order, since lopdf keeps a
//! dictionary's keys in file order and an edit replaces values in place or
//! appends. Values the update set itself have no original token and stay
//! as lopdf writes them.

use std::collections::HashMap;

use super::scan::skip_literal_string;

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn is_delimiter(byte: u8) -> bool {
    matches!(
        byte,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// A token that PDF reads as a real number (ISO 32000-2 §7.3.3): digits
/// with one period, optionally signed.
fn is_real(token: &[u8]) -> bool {
    let digits = token
        .strip_prefix(b"+")
        .or_else(|| token.strip_prefix(b"-"));
    let digits = digits.unwrap_or(token);
    digits.iter().filter(|&&b| b == b'.').count() == 1
        && digits.iter().any(u8::is_ascii_digit)
        && digits.iter().all(|&b| b == b'.' || b.is_ascii_digit())
}

/// The spans of the real-number tokens of one object's text, in order,
/// up to its `stream` or `endobj` keyword (strings, names and comments
/// skipped).
fn real_spans(text: &[u8]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let byte = text[i];
        if is_space(byte) {
            i += 1;
        } else if byte == b'%' {
            while i < text.len() && !matches!(text[i], b'\r' | b'\n') {
                i += 1;
            }
        } else if byte == b'(' {
            i = skip_literal_string(text, i);
        } else if byte == b'<' {
            if text.get(i + 1) == Some(&b'<') {
                i += 2;
            } else {
                i = memchr::memchr(b'>', &text[i..]).map_or(text.len(), |end| i + end + 1);
            }
        } else if byte == b'/' {
            i += 1;
            while i < text.len() && !is_space(text[i]) && !is_delimiter(text[i]) {
                i += 1;
            }
        } else if is_delimiter(byte) {
            i += 1;
        } else {
            let start = i;
            while i < text.len() && !is_space(text[i]) && !is_delimiter(text[i]) {
                i += 1;
            }
            let token = &text[start..i];
            if token == b"stream" || token == b"endobj" {
                break;
            }
            if is_real(token) {
                spans.push((start, i));
            }
        }
    }
    spans
}

/// The `f32` values a reader could take a real token for (parsed as `f32`
/// directly, or as `f64` and then narrowed: both roundings exist).
fn readings(token: &[u8]) -> Vec<u32> {
    let Ok(text) = std::str::from_utf8(token) else {
        return Vec::new();
    };
    let mut out = Vec::with_capacity(2);
    if let Ok(v) = text.parse::<f32>() {
        out.push(v.to_bits());
    }
    if let Ok(v) = text.parse::<f64>() {
        let narrowed = (v as f32).to_bits();
        if !out.contains(&narrowed) {
            out.push(narrowed);
        }
    }
    out
}

/// `serialized`, lopdf's writing of an object whose text in the original
/// file is `original`, with every real token replaced by the original's
/// spelling of the same value.
pub(crate) fn keep_original_reals(serialized: &[u8], original: &[u8]) -> Vec<u8> {
    let originals: Vec<(&[u8], Vec<u32>)> = real_spans(original)
        .into_iter()
        .map(|(s, e)| (&original[s..e], readings(&original[s..e])))
        .collect();
    if originals.is_empty() {
        return serialized.to_vec();
    }
    // Out of order (a value moved by an edit): the first spelling of it.
    let mut any_order: HashMap<u32, &[u8]> = HashMap::new();
    for (token, values) in &originals {
        for value in values {
            any_order.entry(*value).or_insert(token);
        }
    }
    let mut out = Vec::with_capacity(serialized.len() + 16 * originals.len());
    let mut copied = 0;
    let mut cursor = 0;
    for (start, end) in real_spans(serialized) {
        let Ok(value) = std::str::from_utf8(&serialized[start..end])
            .map_err(|_| ())
            .and_then(|t| t.parse::<f32>().map_err(|_| ()))
        else {
            continue;
        };
        let bits = value.to_bits();
        let in_order = originals[cursor..]
            .iter()
            .position(|(_, values)| values.contains(&bits));
        let replacement = match in_order {
            Some(offset) => {
                cursor += offset + 1;
                Some(originals[cursor - 1].0)
            }
            None => any_order.get(&bits).copied(),
        };
        if let Some(token) = replacement {
            out.extend_from_slice(&serialized[copied..start]);
            out.extend_from_slice(token);
            copied = end;
        }
    }
    out.extend_from_slice(&serialized[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reals_are_found_outside_strings_names_and_comments() {
        let text =
            b" << /A 1.5 /B (2.5 \\) 3.5) /C.5 4.5 % 5.5\n/D [-.25 7 +8.] <2E35> >> stream 9.5";
        let found: Vec<&[u8]> = real_spans(text).iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(found, vec![&b"1.5"[..], b"4.5", b"-.25", b"+8."]);
    }

    #[test]
    fn original_spellings_come_back_in_order() {
        let original = b" << /Type /Page /MediaBox [0 0 595.303937007874 841.889763779528] /CropBox [0 0 595.32001 841.92] /Rotate 0 >>\nendobj";
        // What lopdf writes after an edit that appended /Annots.
        let serialized =
            b"<</Type/Page/MediaBox[0 0 595.30396 841.8898]/CropBox[0 0 595.32 841.92]/Rotate 0/Annots[5 0 R]/Rect[0.5 1.25 2 3]>>";
        let kept = keep_original_reals(serialized, original);
        assert_eq!(
            String::from_utf8_lossy(&kept),
            "<</Type/Page/MediaBox[0 0 595.303937007874 841.889763779528]/CropBox[0 0 595.32001 841.92]/Rotate 0/Annots[5 0 R]/Rect[0.5 1.25 2 3]>>"
        );
    }

    #[test]
    fn values_set_by_the_update_keep_their_own_spelling() {
        let original = b"<< /Rect [10.123456789 20 30 40] >>";
        let serialized = b"<</Rect[11.5 20 30 40]/V 10.123457>>";
        // 11.5 is new; 10.123457 reads as the original's f32 and takes its digits.
        assert_eq!(
            keep_original_reals(serialized, original),
            b"<</Rect[11.5 20 30 40]/V 10.123456789>>".to_vec()
        );
    }

    #[test]
    fn stream_data_is_left_alone() {
        let original = b"<< /Length 3 /Decode [0.333333333 1] >>\nstream\n1.5\nendstream";
        let serialized = b"<</Length 3/Decode[0.33333334 1]>>stream\n1.5\nendstream";
        assert_eq!(
            keep_original_reals(serialized, original),
            b"<</Length 3/Decode[0.333333333 1]>>stream\n1.5\nendstream".to_vec()
        );
    }
}
