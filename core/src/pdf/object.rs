//! Small, careful helpers over lopdf objects: resolving references without
//! looping, reading numbers and rectangles, and PDF text strings.

use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

use super::limits::MAX_REFERENCE_CHAIN;
use crate::error::{Error, ErrorCode, Result};

/// Follows references until a direct object; a chain longer than
/// [`MAX_REFERENCE_CHAIN`] is a cycle. A missing object reads as `null`
/// (ISO 32000-2 §7.3.10).
pub(crate) fn resolve<'a>(doc: &'a Document, mut object: &'a Object) -> Result<&'a Object> {
    for _ in 0..MAX_REFERENCE_CHAIN {
        match object {
            Object::Reference(id) => match doc.objects.get(id) {
                Some(next) => object = next,
                None => return Ok(&Object::Null),
            },
            direct => return Ok(direct),
        }
    }
    Err(Error::new(
        ErrorCode::PdfReferenceCycle,
        "a chain of references does not end (reference cycle)",
    ))
}

/// The object with `id`, resolved.
pub(crate) fn get(doc: &Document, id: ObjectId) -> Result<&Object> {
    match doc.objects.get(&id) {
        Some(object) => resolve(doc, object),
        None => Ok(&Object::Null),
    }
}

/// The dictionary with `id` (a stream's dictionary for a stream).
pub(crate) fn get_dict(doc: &Document, id: ObjectId) -> Result<&Dictionary> {
    as_dict(get(doc, id)?).ok_or_else(|| {
        Error::new(
            ErrorCode::PdfMalformed,
            format!("object {} {} R is not a dictionary", id.0, id.1),
        )
    })
}

/// A dictionary, or a stream's dictionary.
pub(crate) fn as_dict(object: &Object) -> Option<&Dictionary> {
    match object {
        Object::Dictionary(dict) => Some(dict),
        Object::Stream(stream) => Some(&stream.dict),
        _ => None,
    }
}

/// `dict[key]`, resolved; `None` when absent or null.
pub(crate) fn lookup<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Result<Option<&'a Object>> {
    match dict.get(key) {
        Ok(object) => match resolve(doc, object)? {
            Object::Null => Ok(None),
            object => Ok(Some(object)),
        },
        Err(_) => Ok(None),
    }
}

/// `dict[key]` as a dictionary, resolved.
pub(crate) fn lookup_dict<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Result<Option<&'a Dictionary>> {
    Ok(lookup(doc, dict, key)?.and_then(as_dict))
}

/// `dict[key]` as an array, resolved.
pub(crate) fn lookup_array<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Result<Option<&'a Vec<Object>>> {
    Ok(match lookup(doc, dict, key)? {
        Some(Object::Array(array)) => Some(array),
        _ => None,
    })
}

/// `dict[key]` as a name.
pub(crate) fn lookup_name<'a>(
    doc: &'a Document,
    dict: &'a Dictionary,
    key: &[u8],
) -> Result<Option<&'a [u8]>> {
    Ok(match lookup(doc, dict, key)? {
        Some(Object::Name(name)) => Some(name.as_slice()),
        _ => None,
    })
}

/// A number, integer or real.
pub(crate) fn as_number(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// A rectangle `[x1 y1 x2 y2]` in user space, normalised so that
/// `llx <= urx` and `lly <= ury` (ISO 32000-2 §7.9.5).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PdfRect {
    /// Lower-left x.
    pub llx: f64,
    /// Lower-left y.
    pub lly: f64,
    /// Upper-right x.
    pub urx: f64,
    /// Upper-right y.
    pub ury: f64,
}

impl PdfRect {
    /// Width.
    pub fn width(&self) -> f64 {
        self.urx - self.llx
    }

    /// Height.
    pub fn height(&self) -> f64 {
        self.ury - self.lly
    }

    /// The overlap of two rectangles, if they overlap.
    pub fn intersect(&self, other: &PdfRect) -> Option<PdfRect> {
        let r = PdfRect {
            llx: self.llx.max(other.llx),
            lly: self.lly.max(other.lly),
            urx: self.urx.min(other.urx),
            ury: self.ury.min(other.ury),
        };
        (r.width() > 0.0 && r.height() > 0.0).then_some(r)
    }

    pub(crate) fn to_object(self) -> Object {
        Object::Array(vec![
            real(self.llx),
            real(self.lly),
            real(self.urx),
            real(self.ury),
        ])
    }
}

/// A number as a PDF object, rounded to 1/1000 of a point, written as an
/// integer when it is whole.
pub(crate) fn real(value: f64) -> Object {
    let rounded = (value * 1000.0).round() / 1000.0;
    if rounded.fract() == 0.0 && rounded.abs() < i64::MAX as f64 {
        Object::Integer(rounded as i64)
    } else {
        Object::Real(rounded as f32)
    }
}

/// Reads a rectangle; `None` unless it is four finite numbers with some area.
pub(crate) fn as_rect(doc: &Document, object: &Object) -> Result<Option<PdfRect>> {
    let Object::Array(items) = resolve(doc, object)? else {
        return Ok(None);
    };
    if items.len() != 4 {
        return Ok(None);
    }
    let mut values = [0.0; 4];
    for (slot, item) in values.iter_mut().zip(items) {
        match as_number(resolve(doc, item)?) {
            Some(v) if v.is_finite() => *slot = v,
            _ => return Ok(None),
        }
    }
    let [x1, y1, x2, y2] = values;
    let rect = PdfRect {
        llx: x1.min(x2),
        lly: y1.min(y2),
        urx: x1.max(x2),
        ury: y1.max(y2),
    };
    Ok((rect.width() > 0.0 && rect.height() > 0.0).then_some(rect))
}

/// Decodes a PDF text string: UTF-16BE with a byte order mark, UTF-8 with a
/// BOM (PDF 2.0), or PDFDocEncoding (ISO 32000-2 §7.9.2.2).
pub(crate) fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(utf8) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return String::from_utf8_lossy(utf8).into_owned();
    }
    bytes.iter().map(|&b| pdf_doc_encoding(b)).collect()
}

/// PDFDocEncoding: Latin-1 except for 0x18–0x1F and 0x80–0x9F.
fn pdf_doc_encoding(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '•', '†', '‡', '…', '—', '–', 'ƒ', '⁄', '‹', '›', '−', '‰', '„', '“', '”', '‘', '’', '‚',
        '™', 'ﬁ', 'ﬂ', 'Ł', 'Œ', 'Š', 'Ÿ', 'Ž', 'ı', 'ł', 'œ', 'š', 'ž', '\u{FFFD}',
    ];
    const LOW: [char; 8] = ['˘', 'ˇ', 'ˆ', '˙', '˝', '˛', '˚', '˜'];
    match byte {
        0x18..=0x1F => LOW[usize::from(byte - 0x18)],
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        0xA0 => '€',
        _ => char::from(byte),
    }
}

/// Encodes a text string: printable ASCII as a literal string, anything
/// else as UTF-16BE with a byte order mark. The writer escapes delimiters,
/// so text from signers can never break out of the string.
pub(crate) fn text_string(text: &str) -> Object {
    if text.bytes().all(|b| (0x20..0x7F).contains(&b)) {
        Object::String(text.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_be_bytes());
        }
        Object::String(bytes, StringFormat::Hexadecimal)
    }
}

/// A name object.
pub(crate) fn name(value: &str) -> Object {
    Object::Name(value.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_round_trip() {
        for text in [
            "Marie Dubois",
            "마리 뒤부아 — Marie Dubois",
            "(evil) \\ )>> /JS",
        ] {
            let Object::String(bytes, _) = text_string(text) else {
                panic!("string")
            };
            assert_eq!(decode_text_string(&bytes), text);
        }
        assert_eq!(decode_text_string(b"caf\xe9 \x84"), "café —");
    }

    #[test]
    fn reference_cycles_are_reported() {
        let mut doc = Document::with_version("1.7");
        doc.objects.insert((1, 0), Object::Reference((2, 0)));
        doc.objects.insert((2, 0), Object::Reference((1, 0)));
        assert_eq!(
            get(&doc, (1, 0)).expect_err("cycle").code(),
            ErrorCode::PdfReferenceCycle
        );
    }

    #[test]
    fn rectangles_are_normalised_and_degenerate_ones_refused() {
        let doc = Document::with_version("1.7");
        let rect = |v: [i64; 4]| Object::Array(v.iter().map(|&n| Object::Integer(n)).collect());
        let r = as_rect(&doc, &rect([612, 792, 0, 0]))
            .expect("reads")
            .expect("rect");
        assert_eq!((r.llx, r.lly, r.urx, r.ury), (0.0, 0.0, 612.0, 792.0));
        assert!(
            as_rect(&doc, &rect([0, 0, 0, 10]))
                .expect("reads")
                .is_none()
        );
    }
}
