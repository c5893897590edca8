//! A small page layout for the audit trail: text shaped with rustybuzz in
//! runs that fall back from Noto Sans to NanumGothic glyph by glyph, greedy
//! line breaking, blocks placed on A4 pages, and the drawing of it all with
//! krilla.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::pdf::font::{NANUM_GOTHIC, NOTO_SANS};

static NOTO_SANS_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");

/// A4 in points.
pub(crate) const PAGE_WIDTH: f32 = 595.276;
pub(crate) const PAGE_HEIGHT: f32 = 841.89;
pub(crate) const MARGIN: f32 = 50.0;
pub(crate) const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where content stops, above the footer.
pub(crate) const CONTENT_BOTTOM: f32 = PAGE_HEIGHT - 58.0;

/// An sRGB colour.
pub(crate) type Color = (u8, u8, u8);
pub(crate) const INK: Color = (28, 30, 34);
pub(crate) const MUTED: Color = (96, 100, 108);
pub(crate) const ACCENT: Color = (20, 70, 130);
pub(crate) const RULE: Color = (190, 194, 200);
pub(crate) const BAND: Color = (236, 239, 243);
pub(crate) const STRIPE: Color = (247, 248, 250);

/// How a piece of text looks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Style {
    pub size: f32,
    pub bold: bool,
    pub color: Color,
}

impl Style {
    pub const fn new(size: f32) -> Self {
        Self {
            size,
            bold: false,
            color: INK,
        }
    }

    pub const fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    pub const fn color(mut self, color: Color) -> Self {
        self.color = color;
        self
    }

    /// Distance between baselines.
    pub fn line_height(self) -> f32 {
        self.size * 1.38
    }

    /// From the top of a line to its baseline.
    pub fn ascent(self) -> f32 {
        self.size * 1.02
    }
}

/// A run of text shaped in one face: krilla's glyphs (advances in ems) and
/// the total advance in font units.
struct Shaped {
    glyphs: Vec<KrillaGlyph>,
    advance: i64,
}

/// The properties a shaping plan is made for.
type PlanKey = (
    rustybuzz::Direction,
    rustybuzz::Script,
    Option<rustybuzz::Language>,
);

struct Face {
    shaper: rustybuzz::Face<'static>,
    font: Font,
    units_per_em: f32,
    /// Shaping plans are slow to build (most of the time of a render when
    /// built per call, as `rustybuzz::shape` and krilla's `draw_text` do),
    /// so they are kept per direction, script and language.
    plans: RefCell<Vec<(PlanKey, Rc<rustybuzz::ShapePlan>)>>,
    /// Every run is shaped once: words are measured while wrapping, then
    /// the lines they make are measured and drawn.
    shaped: RefCell<HashMap<String, Rc<Shaped>>>,
}

impl Face {
    fn new(data: &'static [u8]) -> Option<Self> {
        let shaper = rustybuzz::Face::from_slice(data, 0)?;
        let units_per_em = shaper.units_per_em() as f32;
        let font = Font::new(krilla::Data::from(data), 0)?;
        Some(Self {
            shaper,
            font,
            units_per_em,
            plans: RefCell::default(),
            shaped: RefCell::default(),
        })
    }

    fn covers(&self, c: char) -> bool {
        self.shaper.glyph_index(c).is_some()
    }

    fn plan(&self, key: &PlanKey) -> Rc<rustybuzz::ShapePlan> {
        if let Some((_, plan)) = self.plans.borrow().iter().find(|(k, _)| k == key) {
            return Rc::clone(plan);
        }
        let plan = Rc::new(rustybuzz::ShapePlan::new(
            &self.shaper,
            key.0,
            Some(key.1),
            key.2.as_ref(),
            &[],
        ));
        self.plans
            .borrow_mut()
            .push((key.clone(), Rc::clone(&plan)));
        plan
    }

    /// `text` shaped in this face, with clusters mapped back to byte
    /// ranges of `text` (as krilla's own shaping does) so that the PDF's
    /// text extracts as written.
    fn shape(&self, text: &str) -> Rc<Shaped> {
        if let Some(shaped) = self.shaped.borrow().get(text) {
            return Rc::clone(shaped);
        }
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let direction = buffer.direction();
        let key = (direction, buffer.script(), buffer.language());
        let plan = self.plan(&key);
        let output = rustybuzz::shape_with_plan(&self.shaper, &plan, buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        let forward = matches!(
            direction,
            rustybuzz::Direction::LeftToRight | rustybuzz::Direction::TopToBottom
        );
        let em = self.units_per_em;
        let glyphs = infos
            .iter()
            .zip(positions)
            .enumerate()
            .map(|(i, (info, pos))| {
                let start = info.cluster as usize;
                // The cluster ends where the next cluster in text order begins.
                let next = if forward {
                    infos[i..].iter().find(|g| g.cluster != info.cluster)
                } else {
                    infos[..i].iter().rev().find(|g| g.cluster != info.cluster)
                };
                let end = next.map_or(text.len(), |g| g.cluster as usize);
                KrillaGlyph::new(
                    GlyphId::new(info.glyph_id),
                    pos.x_advance as f32 / em,
                    pos.x_offset as f32 / em,
                    pos.y_offset as f32 / em,
                    pos.y_advance as f32 / em,
                    start..end,
                    None,
                )
            })
            .collect();
        let advance = positions.iter().map(|p| i64::from(p.x_advance)).sum();
        let shaped = Rc::new(Shaped { glyphs, advance });
        self.shaped
            .borrow_mut()
            .insert(text.to_owned(), Rc::clone(&shaped));
        shaped
    }
}

/// The fonts, regular and bold, each a fallback list.
pub(crate) struct Fonts {
    regular: Vec<Face>,
    bold: Vec<Face>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts").finish_non_exhaustive()
    }
}

/// Characters that take the font of the character before them.
fn is_neutral(c: char) -> bool {
    c.is_whitespace()
        || matches!(u32::from(c),
            0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF
            | 0xFE20..=0xFE2F | 0x200B..=0x200D | 0xFE00..=0xFE0F)
}

impl Fonts {
    pub fn bundled() -> Option<Self> {
        Some(Self {
            regular: vec![Face::new(NOTO_SANS)?, Face::new(NANUM_GOTHIC)?],
            bold: vec![Face::new(NOTO_SANS_BOLD)?, Face::new(NANUM_GOTHIC)?],
        })
    }

    fn faces(&self, bold: bool) -> &[Face] {
        if bold { &self.bold } else { &self.regular }
    }

    /// The text with what no font can draw replaced: control characters by
    /// spaces, uncovered characters by U+FFFD (or `?`). The evidence JSON
    /// keeps the original; the PDF must not carry `.notdef` glyphs (PDF/A).
    pub fn sanitize(&self, text: &str) -> String {
        let faces = &self.regular;
        let covered = |c: char| faces.iter().any(|f| f.covers(c));
        let replacement = if covered('\u{FFFD}') { '\u{FFFD}' } else { '?' };
        text.chars()
            .map(|c| match c {
                '\n' => '\n',
                c if c.is_control() => ' ',
                c if c == ' ' || covered(c) => c,
                c if is_neutral(c) => ' ',
                _ => replacement,
            })
            .collect()
    }

    /// Splits `text` into runs of one font each: (face index, text).
    fn runs<'t>(&self, text: &'t str, bold: bool) -> Vec<(usize, &'t str)> {
        let faces = self.faces(bold);
        let mut runs: Vec<(usize, &'t str)> = Vec::new();
        let mut start = 0;
        let mut current: Option<usize> = None;
        for (i, c) in text.char_indices() {
            let face = if is_neutral(c) && current.is_some() {
                current
            } else {
                Some(faces.iter().position(|f| f.covers(c)).unwrap_or(0))
            };
            if face != current {
                if let Some(index) = current {
                    runs.push((index, &text[start..i]));
                }
                start = i;
                current = face;
            }
        }
        if let Some(index) = current {
            runs.push((index, &text[start..]));
        }
        runs
    }

    fn run_width(&self, face: &Face, text: &str, size: f32) -> f32 {
        face.shape(text).advance as f32 * size / face.units_per_em
    }

    /// Width of one line of `text` in points.
    pub fn measure(&self, text: &str, style: Style) -> f32 {
        let faces = self.faces(style.bold);
        self.runs(text, style.bold)
            .into_iter()
            .map(|(index, run)| self.run_width(&faces[index], run, style.size))
            .sum()
    }

    /// Advance of one character alone, for breaking inside a word.
    fn char_width(&self, c: char, style: Style) -> f32 {
        let faces = self.faces(style.bold);
        let face = faces.iter().find(|f| f.covers(c)).unwrap_or(&faces[0]);
        let advance = face
            .shaper
            .glyph_index(c)
            .and_then(|g| face.shaper.glyph_hor_advance(g))
            .unwrap_or(0);
        f32::from(advance) * style.size / face.units_per_em
    }

    /// Breaks `text` into lines no wider than `width`: at spaces, and inside
    /// words only when a word alone is too wide (digests, user agents).
    /// `\n` starts a new line.
    pub fn wrap(&self, text: &str, style: Style, width: f32) -> Vec<String> {
        let space = self.measure(" ", style);
        let mut lines = Vec::new();
        for paragraph in text.split('\n') {
            let mut line = String::new();
            let mut line_width = 0.0;
            for word in paragraph.split(' ') {
                let word_width = self.measure(word, style);
                if line.is_empty() && word_width <= width {
                    line.push_str(word);
                    line_width = word_width;
                    continue;
                }
                if !line.is_empty() && line_width + space + word_width <= width {
                    line.push(' ');
                    line.push_str(word);
                    line_width += space + word_width;
                    continue;
                }
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                if word_width <= width {
                    line.push_str(word);
                    line_width = word_width;
                    continue;
                }
                for c in word.chars() {
                    let c_width = self.char_width(c, style);
                    if !line.is_empty() && line_width + c_width > width {
                        lines.push(std::mem::take(&mut line));
                        line_width = 0.0;
                    }
                    line.push(c);
                    line_width += c_width;
                }
            }
            lines.push(line);
        }
        lines
    }
}

/// One drawing operation, in points from the top-left of the page.
#[derive(Debug, Clone)]
pub(crate) enum Op {
    /// A line of text with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        text: String,
        style: Style,
    },
    /// A filled rectangle.
    Fill {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Color,
    },
    /// A stroked rectangle.
    Frame {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: Color,
    },
    /// A horizontal rule.
    Rule {
        x: f32,
        y: f32,
        w: f32,
        width: f32,
        color: Color,
    },
    /// An image of the document's image list.
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        index: usize,
    },
}

impl Op {
    fn shifted(self, dy: f32) -> Self {
        match self {
            Op::Text { x, y, text, style } => Op::Text {
                x,
                y: y + dy,
                text,
                style,
            },
            Op::Fill { x, y, w, h, color } => Op::Fill {
                x,
                y: y + dy,
                w,
                h,
                color,
            },
            Op::Frame { x, y, w, h, color } => Op::Frame {
                x,
                y: y + dy,
                w,
                h,
                color,
            },
            Op::Rule {
                x,
                y,
                w,
                width,
                color,
            } => Op::Rule {
                x,
                y: y + dy,
                w,
                width,
                color,
            },
            Op::Image { x, y, w, h, index } => Op::Image {
                x,
                y: y + dy,
                w,
                h,
                index,
            },
        }
    }
}

/// Operations laid out from a top of 0, placed on a page as a whole.
#[derive(Debug, Clone, Default)]
pub(crate) struct Block {
    pub ops: Vec<Op>,
    pub height: f32,
}

impl Block {
    /// Lines of text at `x`, from the block's current height down.
    pub fn text(&mut self, fonts: &Fonts, x: f32, width: f32, text: &str, style: Style) -> f32 {
        let top = self.height;
        let bottom = self.text_at(fonts, x, top, width, text, style);
        self.height = self.height.max(bottom);
        bottom - top
    }

    /// Lines of text at (`x`, `top`) without moving the block's height;
    /// returns the bottom of the last line.
    pub fn text_at(
        &mut self,
        fonts: &Fonts,
        x: f32,
        top: f32,
        width: f32,
        text: &str,
        style: Style,
    ) -> f32 {
        let mut y = top;
        for line in fonts.wrap(&fonts.sanitize(text), style, width) {
            if !line.trim().is_empty() {
                self.ops.push(Op::Text {
                    x,
                    y: y + style.ascent(),
                    text: line,
                    style,
                });
            }
            y += style.line_height();
        }
        y
    }

    pub fn gap(&mut self, height: f32) {
        self.height += height;
    }
}

/// Pages being filled top to bottom.
#[derive(Debug)]
pub(crate) struct Pages {
    pub pages: Vec<Vec<Op>>,
    pub y: f32,
}

impl Pages {
    pub fn new() -> Self {
        Self {
            pages: vec![Vec::new()],
            y: MARGIN,
        }
    }

    pub fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    /// Whether `height` more fits on the current page.
    pub fn fits(&self, height: f32) -> bool {
        self.y + height <= CONTENT_BOTTOM
    }

    /// Places `block` at the current position, on a new page when it does
    /// not fit (unless it would not fit on an empty page either).
    pub fn place(&mut self, block: Block) {
        if !self.fits(block.height) && self.y > MARGIN {
            self.new_page();
        }
        let dy = self.y;
        if let Some(page) = self.pages.last_mut() {
            page.extend(block.ops.into_iter().map(|op| op.shifted(dy)));
        }
        self.y += block.height;
    }

    pub fn gap(&mut self, height: f32) {
        self.y += height;
    }
}

fn rgb_of(color: Color) -> rgb::Color {
    rgb::Color::new(color.0, color.1, color.2)
}

fn fill_of(color: Color) -> Fill {
    Fill {
        paint: rgb_of(color).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// Draws `ops` on `surface`.
pub(crate) fn draw(
    surface: &mut Surface<'_>,
    fonts: &Fonts,
    ops: &[Op],
    images: &[krilla::image::Image],
) {
    for op in ops {
        match op {
            Op::Text { x, y, text, style } => {
                surface.set_stroke(None);
                surface.set_fill(Some(fill_of(style.color)));
                let faces = fonts.faces(style.bold);
                let mut cursor = *x;
                for (index, run) in fonts.runs(text, style.bold) {
                    let face = &faces[index];
                    let shaped = face.shape(run);
                    surface.draw_glyphs(
                        Point::from_xy(cursor, *y),
                        &shaped.glyphs,
                        face.font.clone(),
                        run,
                        style.size,
                        false,
                    );
                    cursor += shaped.advance as f32 * style.size / face.units_per_em;
                }
            }
            Op::Fill { x, y, w, h, color } => {
                if let Some(path) = rect_path(*x, *y, *w, *h) {
                    surface.set_stroke(None);
                    surface.set_fill(Some(fill_of(*color)));
                    surface.draw_path(&path);
                }
            }
            Op::Frame { x, y, w, h, color } => {
                if let Some(path) = rect_path(*x, *y, *w, *h) {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb_of(*color).into(),
                        width: 0.6,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                }
            }
            Op::Rule {
                x,
                y,
                w,
                width,
                color,
            } => {
                let mut builder = PathBuilder::new();
                builder.move_to(*x, *y);
                builder.line_to(x + w, *y);
                if let Some(path) = builder.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb_of(*color).into(),
                        width: *width,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                }
            }
            Op::Image { x, y, w, h, index } => {
                if let (Some(image), Some(size)) = (images.get(*index), Size::from_wh(*w, *h)) {
                    surface.push_transform(&Transform::from_translate(*x, *y));
                    surface.draw_image(image.clone(), size);
                    surface.pop();
                }
            }
        }
    }
    surface.set_fill(None);
    surface.set_stroke(None);
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut builder = PathBuilder::new();
    builder.push_rect(Rect::from_xywh(x, y, w, h)?);
    builder.finish()
}
