//! Runs a page's content streams far enough to know where each glyph is
//! drawn (ISO 32000-2 §8.4, §9.3, §9.4), in user space.

use std::collections::HashMap;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::fonts::FontMetrics;
use super::lexer::Lexer;
use crate::error::{Error, ErrorCode, Result};
use crate::pdf::document::{Page, Pdf, from_lopdf};
use crate::pdf::limits::Limits;
use crate::pdf::object::{self, PdfRect};

/// Deepest nesting of form XObjects followed.
const MAX_FORM_DEPTH: usize = 8;
/// Most glyphs collected from one page: a single `Tj` of a 60 MB string
/// would otherwise make 60 million glyphs.
pub(crate) const MAX_GLYPHS_PER_PAGE: usize = 1_000_000;

/// One glyph: the text it stands for and its box in user space.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Glyph {
    pub text: String,
    pub bbox: PdfRect,
    /// Font size in user space units (for spacing decisions).
    pub size: f64,
}

type Matrix = [f64; 6];
const IDENTITY: Matrix = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a × b` in PDF's row-vector convention.
fn multiply(a: &Matrix, b: &Matrix) -> Matrix {
    [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]
}

fn apply(m: &Matrix, x: f64, y: f64) -> (f64, f64) {
    (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
}

fn translate(x: f64, y: f64) -> Matrix {
    [1.0, 0.0, 0.0, 1.0, x, y]
}

#[derive(Debug, Clone)]
struct TextState {
    font: Option<String>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scale: f64,
    leading: f64,
    rise: f64,
}

impl Default for TextState {
    fn default() -> Self {
        Self {
            font: None,
            size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scale: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

struct Interpreter<'d> {
    doc: &'d Document,
    limits: &'d Limits,
    glyphs: Vec<Glyph>,
    operations: usize,
    /// What is left of a budget shared by several pages (anchor search).
    document_remaining: usize,
    fonts: HashMap<ObjectId, FontMetrics>,
}

fn number(o: &Object) -> f64 {
    object::as_number(o).unwrap_or(0.0)
}

/// The resources of a page, inherited from the page tree when it has none.
fn page_resources(doc: &Document, page: ObjectId) -> Result<Option<&Dictionary>> {
    let mut current = page;
    for _ in 0..64 {
        let dict = object::get_dict(doc, current)?;
        if let Some(resources) = object::lookup_dict(doc, dict, b"Resources")? {
            return Ok(Some(resources));
        }
        match dict.get(b"Parent") {
            Ok(Object::Reference(parent)) => current = *parent,
            _ => return Ok(None),
        }
    }
    Ok(None)
}

/// The decompressed content of a page (its `/Contents` streams joined).
fn page_content(doc: &Document, page: ObjectId, limits: &Limits) -> Result<Vec<u8>> {
    let dict = object::get_dict(doc, page)?;
    let streams: Vec<&Object> = match dict.get(b"Contents") {
        Ok(Object::Array(items)) => items.iter().collect(),
        Ok(other) => vec![other],
        Err(_) => Vec::new(),
    };
    let mut out = Vec::new();
    for stream in streams {
        if let Object::Stream(s) = object::resolve(doc, stream)? {
            let data = if s.dict.has(b"Filter") {
                s.decompressed_content_with_limit(limits.max_decompressed_size)
                    .map_err(from_lopdf)?
            } else {
                s.content.clone()
            };
            out.extend_from_slice(&data);
            out.push(b'\n');
            if out.len() > limits.max_decompressed_size {
                return Err(Error::new(
                    ErrorCode::PdfDecompressionLimit,
                    format!(
                        "a page's content decompresses to more than {} bytes",
                        limits.max_decompressed_size
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// Most content operations interpreted over all the pages of one search
/// (an anchor looked for through the document), as a multiple of the
/// per-page limit: 200 pages of distinct 2-million-operation streams would
/// otherwise run for minutes.
pub(crate) const DOCUMENT_OPERATIONS_FACTOR: usize = 10;

/// The glyphs of `page`, in content order.
pub(crate) fn page_glyphs(pdf: &Pdf<'_>, page: &Page) -> Result<Vec<Glyph>> {
    let mut unbounded = usize::MAX;
    page_glyphs_within(pdf, page, &mut unbounded)
}

/// [`page_glyphs`], spending the operations interpreted from `budget`
/// (`PDF_CONTENT_TOO_COMPLEX` once it is spent).
pub(crate) fn page_glyphs_within(
    pdf: &Pdf<'_>,
    page: &Page,
    budget: &mut usize,
) -> Result<Vec<Glyph>> {
    let doc = &pdf.doc;
    let limits = pdf.limits();
    let content = page_content(doc, page.id, limits)?;
    let resources = page_resources(doc, page.id)?;
    let mut interpreter = Interpreter {
        doc,
        limits,
        glyphs: Vec::new(),
        operations: 0,
        document_remaining: *budget,
        fonts: HashMap::new(),
    };
    interpreter.run(&content, resources, IDENTITY, 0)?;
    *budget = budget.saturating_sub(interpreter.operations);
    Ok(interpreter.glyphs)
}

/// What makes two pages' glyphs the same: the same content streams (by
/// reference) with the same resources. `None` when the page's content is
/// not made of references only.
pub(crate) fn content_key(pdf: &Pdf<'_>, page: &Page) -> Option<(Vec<ObjectId>, usize)> {
    let doc = &pdf.doc;
    let dict = object::get_dict(doc, page.id).ok()?;
    let streams: Vec<ObjectId> = match dict.get(b"Contents").ok()? {
        Object::Array(items) => items
            .iter()
            .map(|o| o.as_reference().ok())
            .collect::<Option<Vec<_>>>()?,
        Object::Reference(id) => vec![*id],
        _ => return None,
    };
    let resources = page_resources(doc, page.id)
        .ok()
        .flatten()
        .map_or(0, |r| std::ptr::from_ref(r) as usize);
    Some((streams, resources))
}

impl Interpreter<'_> {
    fn run(
        &mut self,
        content: &[u8],
        resources: Option<&Dictionary>,
        base: Matrix,
        depth: usize,
    ) -> Result<()> {
        let mut lexer = Lexer::new(content);
        let mut args: Vec<Object> = Vec::new();
        let mut ctm = base;
        let mut state = TextState::default();
        let mut stack: Vec<(Matrix, TextState)> = Vec::new();
        let mut tm = IDENTITY;
        let mut tlm = IDENTITY;
        while let Some(operator) = lexer.next_operation(&mut args)? {
            self.operations += 1;
            if self.operations > self.document_remaining {
                return Err(Error::new(
                    ErrorCode::PdfContentTooComplex,
                    format!(
                        "the pages searched have more than {} content operations together",
                        self.limits
                            .max_content_operations
                            .saturating_mul(DOCUMENT_OPERATIONS_FACTOR)
                    ),
                ));
            }
            if self.operations > self.limits.max_content_operations {
                return Err(Error::new(
                    ErrorCode::PdfContentTooComplex,
                    format!(
                        "a page has more than {} content operations",
                        self.limits.max_content_operations
                    ),
                ));
            }
            let args = &args[..];
            let n = |i: usize| args.get(i).map(number).unwrap_or(0.0);
            let operator = std::str::from_utf8(&operator).unwrap_or("");
            match operator {
                // Deeper q nesting than 256 is ignored (the state is kept).
                "q" if stack.len() < 256 => stack.push((ctm, state.clone())),
                "Q" => {
                    if let Some((m, s)) = stack.pop() {
                        ctm = m;
                        state = s;
                    }
                }
                "cm" if args.len() == 6 => {
                    ctm = multiply(&[n(0), n(1), n(2), n(3), n(4), n(5)], &ctm);
                }
                "BT" => {
                    tm = IDENTITY;
                    tlm = IDENTITY;
                }
                "Tf" => {
                    state.font = args
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .map(|n| String::from_utf8_lossy(n).into_owned());
                    state.size = n(1);
                }
                "Tc" => state.char_spacing = n(0),
                "Tw" => state.word_spacing = n(0),
                "Tz" => state.scale = n(0) / 100.0,
                "TL" => state.leading = n(0),
                "Ts" => state.rise = n(0),
                "Td" => {
                    tlm = multiply(&translate(n(0), n(1)), &tlm);
                    tm = tlm;
                }
                "TD" => {
                    state.leading = -n(1);
                    tlm = multiply(&translate(n(0), n(1)), &tlm);
                    tm = tlm;
                }
                "Tm" if args.len() == 6 => {
                    tlm = [n(0), n(1), n(2), n(3), n(4), n(5)];
                    tm = tlm;
                }
                "T*" => {
                    tlm = multiply(&translate(0.0, -state.leading), &tlm);
                    tm = tlm;
                }
                "Tj" => {
                    if let Some(Object::String(bytes, _)) = args.first() {
                        self.show(bytes, &mut tm, &ctm, &state, resources)?;
                    }
                }
                "'" | "\"" => {
                    if operator == "\"" {
                        state.word_spacing = n(0);
                        state.char_spacing = n(1);
                    }
                    tlm = multiply(&translate(0.0, -state.leading), &tlm);
                    tm = tlm;
                    if let Some(Object::String(bytes, _)) = args.last() {
                        self.show(bytes, &mut tm, &ctm, &state, resources)?;
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = args.first() {
                        for item in items {
                            match item {
                                Object::String(bytes, _) => {
                                    self.show(bytes, &mut tm, &ctm, &state, resources)?
                                }
                                other => {
                                    let adjust = -number(other) / 1000.0 * state.size * state.scale;
                                    tm = multiply(&translate(adjust, 0.0), &tm);
                                }
                            }
                        }
                    }
                }
                "Do" if depth < MAX_FORM_DEPTH => {
                    self.form(args, resources, &ctm, depth)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Runs a form XObject.
    fn form(
        &mut self,
        args: &[Object],
        resources: Option<&Dictionary>,
        ctm: &Matrix,
        depth: usize,
    ) -> Result<()> {
        let (Some(name), Some(resources)) =
            (args.first().and_then(|o| o.as_name().ok()), resources)
        else {
            return Ok(());
        };
        let Some(xobjects) = object::lookup_dict(self.doc, resources, b"XObject")? else {
            return Ok(());
        };
        let Some(Object::Stream(stream)) = object::lookup(self.doc, xobjects, name)? else {
            return Ok(());
        };
        if object::lookup_name(self.doc, &stream.dict, b"Subtype")? != Some(b"Form") {
            return Ok(());
        }
        let matrix = object::lookup_array(self.doc, &stream.dict, b"Matrix")?
            .filter(|m| m.len() == 6)
            .map(|m| {
                let v: Vec<f64> = m.iter().map(number).collect();
                [v[0], v[1], v[2], v[3], v[4], v[5]]
            })
            .unwrap_or(IDENTITY);
        let content = if stream.dict.has(b"Filter") {
            stream
                .decompressed_content_with_limit(self.limits.max_decompressed_size)
                .map_err(from_lopdf)?
        } else {
            stream.content.clone()
        };
        let form_resources =
            object::lookup_dict(self.doc, &stream.dict, b"Resources")?.or(Some(resources));
        self.run(&content, form_resources, multiply(&matrix, ctm), depth + 1)
    }

    fn font(&mut self, resources: Option<&Dictionary>, name: &str) -> Result<Option<ObjectId>> {
        let Some(resources) = resources else {
            return Ok(None);
        };
        let Some(fonts) = object::lookup_dict(self.doc, resources, b"Font")? else {
            return Ok(None);
        };
        let Ok(Object::Reference(id)) = fonts.get(name.as_bytes()) else {
            return Ok(None);
        };
        if !self.fonts.contains_key(id) {
            let dict = object::get_dict(self.doc, *id)?;
            let metrics = FontMetrics::read(self.doc, dict, self.limits.max_decompressed_size)?;
            self.fonts.insert(*id, metrics);
        }
        Ok(Some(*id))
    }

    fn show(
        &mut self,
        bytes: &[u8],
        tm: &mut Matrix,
        ctm: &Matrix,
        state: &TextState,
        resources: Option<&Dictionary>,
    ) -> Result<()> {
        let Some(font_name) = &state.font else {
            return Ok(());
        };
        let Some(font_id) = self.font(resources, font_name)? else {
            return Ok(());
        };
        let font = &self.fonts[&font_id];
        let text_to_user = |tm: &Matrix| {
            multiply(
                &multiply(
                    &[
                        state.size * state.scale,
                        0.0,
                        0.0,
                        state.size,
                        0.0,
                        state.rise,
                    ],
                    tm,
                ),
                ctm,
            )
        };
        for code in font.codes(bytes) {
            let width = font.width(code);
            let trm = text_to_user(tm);
            let corners = [(0.0, -0.2), (width, -0.2), (0.0, 0.8), (width, 0.8)]
                .map(|(x, y)| apply(&trm, x, y));
            let xs = corners.map(|c| c.0);
            let ys = corners.map(|c| c.1);
            let bbox = PdfRect {
                llx: xs.iter().copied().fold(f64::INFINITY, f64::min),
                lly: ys.iter().copied().fold(f64::INFINITY, f64::min),
                urx: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                ury: ys.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            };
            let size = (trm[2] * trm[2] + trm[3] * trm[3]).sqrt();
            if let Some(text) = font.text(code)
                && bbox.llx.is_finite()
                && bbox.ury.is_finite()
            {
                if self.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
                    return Err(Error::new(
                        ErrorCode::PdfContentTooComplex,
                        format!("a page shows more than {MAX_GLYPHS_PER_PAGE} glyphs"),
                    ));
                }
                self.glyphs.push(Glyph { text, bbox, size });
            }
            let spacing = state.char_spacing
                + if font.code_len == 1 && code == 32 {
                    state.word_spacing
                } else {
                    0.0
                };
            let advance = (width * state.size + spacing) * state.scale;
            *tm = multiply(&translate(advance, 0.0), tm);
        }
        Ok(())
    }
}
