//! A streaming reader of content streams (ISO 32000-2 §7.8.2): one
//! operation at a time, its operands in a buffer the caller reuses.
//!
//! lopdf's `Content::decode` turns a whole stream into a vector of
//! operations first, about 570 bytes each, so a 4 KB stream of 1.9 million
//! `q` operators took 1 GB before any limit could be applied. Reading one
//! operation at a time lets the interpreter count as it goes and stop at
//! its limit with memory bounded by one operation, which is itself bounded
//! here ([`MAX_OPERAND_TOKENS`]). No crate offers an incremental content
//! parser over lopdf's objects, hence this one.

use lopdf::{Dictionary, Object, StringFormat};

use crate::error::{Error, ErrorCode, Result};

/// Most tokens (operands, and the elements of arrays and dictionaries
/// among them) one operation may carry.
pub(crate) const MAX_OPERAND_TOKENS: usize = 100_000;
/// Deepest nesting of arrays and dictionaries inside operands.
const MAX_OPERAND_DEPTH: usize = 32;

fn is_space(b: u8) -> bool {
    matches!(b, b'\0' | b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_space(b) && !is_delimiter(b)
}

fn too_complex(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::PdfContentTooComplex, message)
}

/// Reads operations from one content stream.
pub(crate) struct Lexer<'c> {
    data: &'c [u8],
    at: usize,
    /// Tokens of the operation being read.
    tokens: usize,
}

enum Token {
    Object(Object),
    Operator(Vec<u8>),
    ArrayEnd,
    DictEnd,
}

impl<'c> Lexer<'c> {
    pub(crate) fn new(data: &'c [u8]) -> Self {
        Self {
            data,
            at: 0,
            tokens: 0,
        }
    }

    /// The next operation: its operator, with its operands left in
    /// `operands` (cleared first). `None` at the end of the stream.
    /// Inline images (`BI … ID … EI`) are read past and reported as `BI`
    /// with no operands.
    pub(crate) fn next_operation(&mut self, operands: &mut Vec<Object>) -> Result<Option<Vec<u8>>> {
        operands.clear();
        self.tokens = 0;
        loop {
            match self.token(0)? {
                None => return Ok(None),
                Some(Token::Object(object)) => operands.push(object),
                Some(Token::Operator(op)) if op == b"BI" => {
                    self.skip_inline_image()?;
                    operands.clear();
                    return Ok(Some(op));
                }
                Some(Token::Operator(op)) => return Ok(Some(op)),
                // Stray closers are ignored, as readers do.
                Some(Token::ArrayEnd | Token::DictEnd) => {}
            }
        }
    }

    fn count(&mut self) -> Result<()> {
        self.tokens += 1;
        if self.tokens > MAX_OPERAND_TOKENS {
            return Err(too_complex(format!(
                "a content operation has more than {MAX_OPERAND_TOKENS} operands"
            )));
        }
        Ok(())
    }

    fn skip_space_and_comments(&mut self) {
        while let Some(&b) = self.data.get(self.at) {
            if is_space(b) {
                self.at += 1;
            } else if b == b'%' {
                while let Some(&c) = self.data.get(self.at) {
                    if c == b'\r' || c == b'\n' {
                        break;
                    }
                    self.at += 1;
                }
            } else {
                break;
            }
        }
    }

    fn token(&mut self, depth: usize) -> Result<Option<Token>> {
        self.skip_space_and_comments();
        let Some(&b) = self.data.get(self.at) else {
            return Ok(None);
        };
        if depth > MAX_OPERAND_DEPTH {
            return Err(too_complex(format!(
                "content operands nest more than {MAX_OPERAND_DEPTH} levels deep"
            )));
        }
        let token = match b {
            b'/' => {
                self.at += 1;
                Token::Object(Object::Name(self.name()))
            }
            b'(' => Token::Object(Object::String(self.literal_string(), StringFormat::Literal)),
            b'<' if self.data.get(self.at + 1) == Some(&b'<') => {
                self.at += 2;
                Token::Object(Object::Dictionary(self.dictionary(depth + 1)?))
            }
            b'<' => Token::Object(Object::String(self.hex_string(), StringFormat::Hexadecimal)),
            b'>' if self.data.get(self.at + 1) == Some(&b'>') => {
                self.at += 2;
                Token::DictEnd
            }
            b'[' => {
                self.at += 1;
                Token::Object(Object::Array(self.array(depth + 1)?))
            }
            b']' => {
                self.at += 1;
                Token::ArrayEnd
            }
            b')' | b'>' | b'{' | b'}' => {
                self.at += 1;
                return self.token(depth);
            }
            _ => {
                let start = self.at;
                while self.data.get(self.at).is_some_and(|&c| is_regular(c)) {
                    self.at += 1;
                }
                let word = &self.data[start..self.at];
                match word {
                    b"true" => Token::Object(Object::Boolean(true)),
                    b"false" => Token::Object(Object::Boolean(false)),
                    b"null" => Token::Object(Object::Null),
                    _ => match number(word) {
                        Some(n) => Token::Object(n),
                        None => Token::Operator(word.to_vec()),
                    },
                }
            }
        };
        if matches!(token, Token::Object(_)) {
            self.count()?;
        }
        Ok(Some(token))
    }

    fn name(&mut self) -> Vec<u8> {
        let mut name = Vec::new();
        while let Some(&c) = self.data.get(self.at) {
            if !is_regular(c) {
                break;
            }
            if c == b'#'
                && let Some(value) = self
                    .data
                    .get(self.at + 1..self.at + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                name.push(value);
                self.at += 3;
                continue;
            }
            name.push(c);
            self.at += 1;
        }
        name
    }

    fn literal_string(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut level = 0usize;
        while let Some(&c) = self.data.get(self.at) {
            self.at += 1;
            match c {
                b'(' => {
                    if level > 0 {
                        out.push(c);
                    }
                    level += 1;
                }
                b')' => {
                    level = level.saturating_sub(1);
                    if level == 0 {
                        return out;
                    }
                    out.push(c);
                }
                b'\\' => {
                    let Some(&e) = self.data.get(self.at) else {
                        break;
                    };
                    self.at += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'b' => out.push(0x08),
                        b'f' => out.push(0x0c),
                        b'\r' => {
                            if self.data.get(self.at) == Some(&b'\n') {
                                self.at += 1;
                            }
                        }
                        b'\n' => {}
                        b'0'..=b'7' => {
                            let mut value = u32::from(e - b'0');
                            for _ in 0..2 {
                                match self.data.get(self.at) {
                                    Some(&d @ b'0'..=b'7') => {
                                        value = value * 8 + u32::from(d - b'0');
                                        self.at += 1;
                                    }
                                    _ => break,
                                }
                            }
                            out.push((value & 0xff) as u8);
                        }
                        other => out.push(other),
                    }
                }
                _ => out.push(c),
            }
        }
        out
    }

    fn hex_string(&mut self) -> Vec<u8> {
        self.at += 1;
        let mut out = Vec::new();
        let mut high: Option<u8> = None;
        while let Some(&c) = self.data.get(self.at) {
            self.at += 1;
            if c == b'>' {
                break;
            }
            let Some(digit) = (c as char).to_digit(16) else {
                continue;
            };
            let digit = digit as u8;
            match high.take() {
                None => high = Some(digit),
                Some(h) => out.push(h << 4 | digit),
            }
        }
        if let Some(h) = high {
            out.push(h << 4);
        }
        out
    }

    fn array(&mut self, depth: usize) -> Result<Vec<Object>> {
        let mut items = Vec::new();
        loop {
            match self.token(depth)? {
                None | Some(Token::ArrayEnd) => return Ok(items),
                Some(Token::Object(o)) => items.push(o),
                Some(Token::Operator(op)) => items.push(Object::Name(op)),
                Some(Token::DictEnd) => {}
            }
        }
    }

    fn dictionary(&mut self, depth: usize) -> Result<Dictionary> {
        let mut dict = Dictionary::new();
        loop {
            let key = match self.token(depth)? {
                None | Some(Token::DictEnd) => return Ok(dict),
                Some(Token::Object(Object::Name(key))) => key,
                Some(_) => continue,
            };
            match self.token(depth)? {
                None | Some(Token::DictEnd) => return Ok(dict),
                Some(Token::Object(value)) => dict.set(key, value),
                Some(Token::Operator(op)) => dict.set(key, Object::Name(op)),
                Some(Token::ArrayEnd) => {}
            }
        }
    }

    /// After `BI`: the image dictionary up to `ID`, one white-space byte,
    /// then data up to an `EI` that stands alone (§8.9.7).
    fn skip_inline_image(&mut self) -> Result<()> {
        loop {
            match self.token(1)? {
                None => return Ok(()),
                Some(Token::Operator(op)) if op == b"ID" => break,
                Some(_) => {}
            }
        }
        self.at += 1;
        while self.at < self.data.len() {
            let rest = &self.data[self.at..];
            if rest.starts_with(b"EI")
                && self.at > 0
                && is_space(self.data[self.at - 1])
                && rest.get(2).is_none_or(|&c| !is_regular(c))
            {
                self.at += 2;
                return Ok(());
            }
            self.at += 1;
        }
        Ok(())
    }
}

/// An integer or a real, as PDF writes them (`12`, `-3.5`, `.5`, `4.`).
fn number(word: &[u8]) -> Option<Object> {
    let text = std::str::from_utf8(word).ok()?;
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    if body.bytes().filter(|&b| b == b'.').count() > 1 {
        return None;
    }
    if !body.contains('.') {
        return Some(match text.parse::<i64>() {
            Ok(i) => Object::Integer(i),
            // Out of range: readers clamp; a real keeps the magnitude.
            Err(_) => Object::Real(text.parse::<f64>().ok()? as f32),
        });
    }
    let normalised = if body == "." { "0" } else { text };
    normalised
        .parse::<f64>()
        .ok()
        .map(|f| Object::Real(f as f32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn operations(data: &[u8]) -> Vec<(String, Vec<Object>)> {
        let mut lexer = Lexer::new(data);
        let mut operands = Vec::new();
        let mut out = Vec::new();
        while let Some(op) = lexer.next_operation(&mut operands).expect("reads") {
            out.push((String::from_utf8_lossy(&op).into_owned(), operands.clone()));
        }
        out
    }

    #[test]
    fn reads_operators_with_their_operands() {
        let ops = operations(
            b"q 1 0 0 1 72.5 -.5 cm BT /F1#20x 12 Tf (a\\(b\\)\\101) Tj [<0041> -120 (c)] TJ ET Q % done\n",
        );
        let names: Vec<&str> = ops.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["q", "cm", "BT", "Tf", "Tj", "TJ", "ET", "Q"]);
        assert_eq!(ops[1].1[4], Object::Real(72.5));
        assert_eq!(ops[1].1[5], Object::Real(-0.5));
        assert_eq!(ops[3].1[0], Object::Name(b"F1 x".to_vec()));
        assert_eq!(
            ops[4].1[0],
            Object::String(b"a(b)A".to_vec(), StringFormat::Literal)
        );
        let Object::Array(items) = &ops[5].1[0] else {
            panic!("array")
        };
        assert_eq!(items.len(), 3);
        assert_eq!(
            items[0],
            Object::String(vec![0, 0x41], StringFormat::Hexadecimal)
        );
    }

    #[test]
    fn inline_images_are_skipped_whole() {
        let ops = operations(b"BI /W 2 /H 1 /BPC 8 /CS /G ID \x00EI\xffQ EI Q BT ET");
        let names: Vec<&str> = ops.iter().map(|(o, _)| o.as_str()).collect();
        assert_eq!(names, ["BI", "Q", "BT", "ET"]);
    }

    #[test]
    fn one_operation_cannot_carry_unbounded_operands() {
        let mut data = b"[".to_vec();
        for _ in 0..=MAX_OPERAND_TOKENS {
            data.extend_from_slice(b"1 ");
        }
        data.extend_from_slice(b"] TJ");
        let mut lexer = Lexer::new(&data);
        let mut operands = Vec::new();
        let err = lexer.next_operation(&mut operands).expect_err("too many");
        assert_eq!(err.code(), ErrorCode::PdfContentTooComplex);
        let deep = "[".repeat(100);
        let mut lexer = Lexer::new(deep.as_bytes());
        assert_eq!(
            lexer
                .next_operation(&mut operands)
                .expect_err("deep")
                .code(),
            ErrorCode::PdfContentTooComplex
        );
    }
}
