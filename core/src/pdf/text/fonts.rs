//! What text extraction needs of a font: how its codes split, their widths,
//! and the Unicode text they stand for (ISO 32000-2 §9.6–9.10).

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object};

use super::standard_fonts::{GLYPH_NAMES, MAC_ROMAN, STANDARD, WIDTHS, WIN_ANSI};
use crate::error::Result;
use crate::pdf::object;

/// Width used when a font gives none, in text space units per point.
const FALLBACK_WIDTH: f64 = 0.5;

/// A font as seen by text extraction.
#[derive(Debug, Clone)]
pub(crate) struct FontMetrics {
    /// Bytes per code: 1 for simple fonts, usually 2 for Type 0 fonts.
    pub code_len: usize,
    widths: HashMap<u32, f64>,
    default_width: f64,
    to_unicode: HashMap<u32, String>,
    encoding: Option<[Option<char>; 256]>,
    standard_widths: Option<&'static [(char, u16)]>,
}

impl FontMetrics {
    /// Reads a font dictionary; `limit` bounds the decompression of its
    /// ToUnicode stream.
    pub fn read(doc: &Document, font: &Dictionary, limit: usize) -> Result<Self> {
        let subtype = object::lookup_name(doc, font, b"Subtype")?.unwrap_or_default();
        let to_unicode = match object::lookup(doc, font, b"ToUnicode")? {
            Some(Object::Stream(stream)) => {
                let data = stream
                    .decompressed_content_with_limit(limit)
                    .map_err(crate::pdf::document::from_lopdf)
                    .unwrap_or_default();
                parse_to_unicode(&data)
            }
            _ => HashMap::new(),
        };
        if subtype == b"Type0" {
            return Self::read_type0(doc, font, to_unicode);
        }
        let base_font = object::lookup_name(doc, font, b"BaseFont")?
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        let scale = if subtype == b"Type3" {
            object::lookup_array(doc, font, b"FontMatrix")?
                .and_then(|m| m.first().and_then(object::as_number))
                .unwrap_or(0.001)
        } else {
            0.001
        };
        let mut widths = HashMap::new();
        let first = match object::lookup(doc, font, b"FirstChar")? {
            Some(Object::Integer(n)) => *n,
            _ => 0,
        };
        if let Some(array) = object::lookup_array(doc, font, b"Widths")? {
            for (i, w) in array.iter().enumerate() {
                if let Some(w) = object::as_number(object::resolve(doc, w)?) {
                    widths.insert((first + i as i64).clamp(0, 255) as u32, w * scale);
                }
            }
        }
        let missing = object::lookup_dict(doc, font, b"FontDescriptor")?
            .and_then(|d| d.get(b"MissingWidth").ok().and_then(object::as_number))
            .map(|w| w * scale);
        let encoding = simple_encoding(doc, font, &base_font)?;
        let standard_widths = if widths.is_empty() {
            standard_font(&base_font)
        } else {
            None
        };
        Ok(Self {
            code_len: 1,
            widths,
            default_width: missing.unwrap_or(FALLBACK_WIDTH),
            to_unicode,
            encoding: Some(encoding),
            standard_widths,
        })
    }

    fn read_type0(
        doc: &Document,
        font: &Dictionary,
        to_unicode: HashMap<u32, String>,
    ) -> Result<Self> {
        let descendant = object::lookup_array(doc, font, b"DescendantFonts")?
            .and_then(|a| a.first())
            .map(|d| object::resolve(doc, d))
            .transpose()?
            .and_then(object::as_dict);
        let mut widths = HashMap::new();
        let mut default_width = 1.0;
        if let Some(cid) = descendant {
            if let Some(Object::Integer(dw)) = object::lookup(doc, cid, b"DW")? {
                default_width = *dw as f64 / 1000.0;
            }
            if let Some(w) = object::lookup_array(doc, cid, b"W")? {
                read_cid_widths(doc, w, &mut widths)?;
            }
        }
        Ok(Self {
            code_len: 2,
            widths,
            default_width,
            to_unicode,
            encoding: None,
            standard_widths: None,
        })
    }

    /// Width of `code` in text space units (per point of font size).
    pub fn width(&self, code: u32) -> f64 {
        if let Some(w) = self.widths.get(&code) {
            return *w;
        }
        if let (Some(table), Some(ch)) = (self.standard_widths, self.simple_char(code))
            && let Ok(i) = table.binary_search_by_key(&ch, |(c, _)| *c)
        {
            return f64::from(table[i].1) / 1000.0;
        }
        self.default_width
    }

    fn simple_char(&self, code: u32) -> Option<char> {
        self.encoding
            .as_ref()
            .and_then(|e| e.get(code as usize).copied().flatten())
    }

    /// The text `code` stands for.
    pub fn text(&self, code: u32) -> Option<String> {
        if let Some(text) = self.to_unicode.get(&code) {
            return Some(text.clone());
        }
        self.simple_char(code).map(String::from)
    }

    /// Splits a string operand into codes.
    pub fn codes(&self, bytes: &[u8]) -> Vec<u32> {
        bytes
            .chunks(self.code_len)
            .map(|chunk| chunk.iter().fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
            .collect()
    }
}

/// `/W` of a CIDFont: `c [w1 w2 ...]` and `c_first c_last w` forms.
fn read_cid_widths(doc: &Document, array: &[Object], widths: &mut HashMap<u32, f64>) -> Result<()> {
    let mut i = 0;
    // At most 65 536 CIDs: bounds hostile ranges.
    while i < array.len() && widths.len() <= 65_536 {
        let first = object::as_number(object::resolve(doc, &array[i])?).unwrap_or(0.0) as i64;
        match array
            .get(i + 1)
            .map(|o| object::resolve(doc, o))
            .transpose()?
        {
            Some(Object::Array(list)) => {
                for (k, w) in list.iter().enumerate() {
                    if let Some(w) = object::as_number(object::resolve(doc, w)?) {
                        widths.insert((first + k as i64).clamp(0, 0xFFFF) as u32, w / 1000.0);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let last = object::as_number(last).unwrap_or(0.0) as i64;
                let w = array
                    .get(i + 2)
                    .map(|o| object::resolve(doc, o))
                    .transpose()?
                    .and_then(object::as_number)
                    .unwrap_or(1000.0);
                for cid in first.max(0)..=last.min(first.max(0) + 0xFFFF).min(0xFFFF) {
                    widths.insert(cid as u32, w / 1000.0);
                }
                i += 3;
            }
            None => break,
        }
    }
    Ok(())
}

/// The code-to-Unicode table of a simple font: its base encoding with
/// `/Differences` applied.
fn simple_encoding(
    doc: &Document,
    font: &Dictionary,
    base_font: &str,
) -> Result<[Option<char>; 256]> {
    let default = if base_font.contains("Symbol") || base_font.contains("Dingbats") {
        [None; 256]
    } else {
        STANDARD
    };
    let named = |name: &[u8]| match name {
        b"WinAnsiEncoding" => Some(WIN_ANSI),
        b"MacRomanEncoding" => Some(MAC_ROMAN),
        b"StandardEncoding" => Some(STANDARD),
        _ => None,
    };
    Ok(match object::lookup(doc, font, b"Encoding")? {
        Some(Object::Name(name)) => named(name).unwrap_or(default),
        Some(Object::Dictionary(dict)) => {
            let mut table = object::lookup_name(doc, dict, b"BaseEncoding")?
                .and_then(named)
                .unwrap_or(default);
            if let Some(differences) = object::lookup_array(doc, dict, b"Differences")? {
                let mut code = 0usize;
                for item in differences {
                    match object::resolve(doc, item)? {
                        Object::Integer(n) => code = (*n).clamp(0, 255) as usize,
                        Object::Name(glyph) => {
                            if code < 256 {
                                table[code] = glyph_char(&String::from_utf8_lossy(glyph));
                            }
                            code += 1;
                        }
                        _ => {}
                    }
                }
            }
            table
        }
        _ => default,
    })
}

/// The Unicode character of a glyph name: a Latin name from the Adobe Glyph
/// List, or `uniXXXX` / `uXXXX[XX]`.
fn glyph_char(name: &str) -> Option<char> {
    if let Ok(i) = GLYPH_NAMES.binary_search_by_key(&name, |(n, _)| n) {
        return Some(GLYPH_NAMES[i].1);
    }
    let hex = name
        .strip_prefix("uni")
        .filter(|h| h.len() == 4)
        .or_else(|| {
            name.strip_prefix('u')
                .filter(|h| (4..=6).contains(&h.len()))
        })?;
    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
}

/// Widths of a standard 14 font (or a common alias) by its base name.
fn standard_font(base_font: &str) -> Option<&'static [(char, u16)]> {
    let name = base_font.split('+').next_back().unwrap_or(base_font);
    let canonical = match name.replace([' ', ','], "-").as_str() {
        "Arial" | "ArialMT" => "Helvetica",
        "Arial-Bold" | "Arial-BoldMT" => "Helvetica-Bold",
        "TimesNewRoman" | "TimesNewRomanPSMT" => "Times-Roman",
        "TimesNewRoman-Bold" | "TimesNewRomanPS-BoldMT" => "Times-Bold",
        "CourierNew" | "CourierNewPSMT" => "Courier",
        other => return WIDTHS.iter().find(|(n, _)| *n == other).map(|(_, w)| *w),
    };
    WIDTHS
        .iter()
        .find(|(n, _)| *n == canonical)
        .map(|(_, w)| *w)
}

/// Parses the `bfchar` and `bfrange` sections of a ToUnicode CMap
/// (ISO 32000-2 §9.10.3). Malformed parts are skipped; at most 65 536
/// mappings are read.
pub(crate) fn parse_to_unicode(data: &[u8]) -> HashMap<u32, String> {
    let tokens = tokenize(data);
    let mut map = HashMap::new();
    let mut i = 0;
    let mut section: Option<&[u8]> = None;
    while i < tokens.len() && map.len() <= 65_536 {
        match &tokens[i] {
            Token::Keyword(k) if k == b"beginbfchar" || k == b"beginbfrange" => {
                section = Some(if k == b"beginbfchar" {
                    b"char"
                } else {
                    b"range"
                });
                i += 1;
            }
            Token::Keyword(k) if k.starts_with(b"end") => {
                section = None;
                i += 1;
            }
            Token::Hex(src) if section == Some(b"char") => {
                if let Some(Token::Hex(dst)) = tokens.get(i + 1) {
                    map.insert(code_of(src), utf16_text(dst));
                }
                i += 2;
            }
            Token::Hex(lo) if section == Some(b"range") => {
                let (lo, hi) = match tokens.get(i + 1) {
                    Some(Token::Hex(hi)) => (code_of(lo), code_of(hi)),
                    _ => {
                        i += 1;
                        continue;
                    }
                };
                let hi = hi.min(lo.saturating_add(0xFFFF));
                match tokens.get(i + 2) {
                    Some(Token::Hex(dst)) => {
                        let base: Vec<u16> = units(dst);
                        for (k, code) in (lo..=hi).enumerate() {
                            let mut text = base.clone();
                            if let Some(last) = text.last_mut() {
                                *last = last.wrapping_add(k as u16);
                            }
                            map.insert(code, String::from_utf16_lossy(&text));
                        }
                        i += 3;
                    }
                    Some(Token::ArrayStart) => {
                        let mut j = i + 3;
                        let mut code = lo;
                        while let Some(Token::Hex(dst)) = tokens.get(j) {
                            if code <= hi {
                                map.insert(code, utf16_text(dst));
                            }
                            code = code.saturating_add(1);
                            j += 1;
                        }
                        i = j + 1;
                    }
                    _ => i += 2,
                }
            }
            _ => i += 1,
        }
    }
    map
}

#[derive(Debug, PartialEq)]
enum Token {
    Hex(Vec<u8>),
    Keyword(Vec<u8>),
    ArrayStart,
    ArrayEnd,
}

fn tokenize(data: &[u8]) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < data.len() {
        match data[i] {
            b'<' if data.get(i + 1) == Some(&b'<') => i += 2,
            b'>' if data.get(i + 1) == Some(&b'>') => i += 2,
            b'<' => {
                let end = data[i..]
                    .iter()
                    .position(|&b| b == b'>')
                    .map_or(data.len(), |n| i + n);
                let digits: Vec<u8> = data[i + 1..end]
                    .iter()
                    .copied()
                    .filter(u8::is_ascii_hexdigit)
                    .collect();
                let bytes = digits
                    .chunks(2)
                    .map(|pair| {
                        let text = std::str::from_utf8(pair).unwrap_or("0");
                        let padded = if text.len() == 1 {
                            format!("{text}0")
                        } else {
                            text.to_owned()
                        };
                        u8::from_str_radix(&padded, 16).unwrap_or(0)
                    })
                    .collect();
                tokens.push(Token::Hex(bytes));
                i = end + 1;
            }
            b'[' => {
                tokens.push(Token::ArrayStart);
                i += 1;
            }
            b']' => {
                tokens.push(Token::ArrayEnd);
                i += 1;
            }
            b'%' => {
                i = data[i..]
                    .iter()
                    .position(|&b| b == b'\n' || b == b'\r')
                    .map_or(data.len(), |n| i + n)
            }
            // Literal strings (CMap names) are skipped.
            b'(' => i = crate::pdf::scan::skip_literal_string(data, i),
            b if b.is_ascii_alphabetic() => {
                let end = data[i..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .map_or(data.len(), |n| i + n);
                tokens.push(Token::Keyword(data[i..end].to_vec()));
                i = end;
            }
            _ => i += 1,
        }
    }
    tokens
}

fn code_of(bytes: &[u8]) -> u32 {
    bytes
        .iter()
        .take(4)
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b))
}

fn units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]))
        .collect()
}

fn utf16_text(bytes: &[u8]) -> String {
    String::from_utf16_lossy(&units(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_unicode_maps_chars_ranges_and_arrays() {
        let cmap = b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
            1 begincodespacerange <0000> <FFFF> endcodespacerange\n\
            2 beginbfchar <0003> <0020> <0011> <D55C> endbfchar\n\
            2 beginbfrange <0024> <0026> <0041> <0030> <0031> [<00E9> <0066 0066>] endbfrange\nendcmap";
        let map = parse_to_unicode(cmap);
        assert_eq!(map[&3], " ");
        assert_eq!(map[&0x11], "한");
        assert_eq!(map[&0x25], "B");
        assert_eq!(map[&0x30], "é");
        assert_eq!(map[&0x31], "ff");
    }

    #[test]
    fn glyph_names_and_standard_widths_resolve() {
        assert_eq!(glyph_char("eacute"), Some('é'));
        assert_eq!(glyph_char("uni00E9"), Some('é'));
        assert_eq!(glyph_char("u1F600"), Some('😀'));
        assert_eq!(glyph_char("nonsense"), None);
        let helvetica = standard_font("Helvetica").expect("helvetica");
        let w = |c: char| {
            helvetica[helvetica
                .binary_search_by_key(&c, |(c, _)| *c)
                .expect("char")]
            .1
        };
        assert_eq!(w('a'), 556);
        assert_eq!(w(' '), 278);
        assert!(standard_font("ABCDEF+Times-Roman").is_some());
        assert!(standard_font("Unknown").is_none());
    }
}
