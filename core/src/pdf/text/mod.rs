//! Text on a page, with where it is: for placing fields relative to a
//! phrase ("anchor text"), as HR systems place fields on documents generated
//! from templates.

mod fonts;
mod interpret;
mod lexer;
#[rustfmt::skip]
mod standard_fonts;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::document::Pdf;
use super::object::PdfRect;
use crate::error::{Error, ErrorCode, Result};
use crate::geometry::Rect;

/// Where a field goes relative to its anchor text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AnchorPosition {
    /// After the text, vertically centred on it.
    #[default]
    Right,
    /// Before the text, vertically centred on it.
    Left,
    /// Above the text, left-aligned with it.
    Above,
    /// Below the text, left-aligned with it.
    Below,
}

/// A field placed relative to a phrase of the document. The phrase is
/// found case-insensitively and regardless of spacing, even when the PDF
/// splits it across text runs or fonts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Anchor {
    /// The phrase.
    pub text: String,
    /// Which occurrence, from 1, counting through the pages in order.
    #[serde(default = "first")]
    pub occurrence: u32,
    /// Only search this page (from 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// Where the field goes.
    #[serde(default)]
    pub position: AnchorPosition,
    /// Extra horizontal offset, in points (right is positive).
    #[serde(default)]
    pub offset_x: f64,
    /// Extra vertical offset, in points (down is positive).
    #[serde(default)]
    pub offset_y: f64,
    /// Width of the field.
    pub width: f64,
    /// Height of the field.
    pub height: f64,
}

fn first() -> u32 {
    1
}

/// Gap between the anchor text and the field, in points.
const ANCHOR_GAP: f64 = 4.0;

/// Where an anchor was found, and where its field goes (both from the
/// top-left of the displayed page).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnchorMatch {
    /// Page number, from 1.
    pub page: u32,
    /// The box of the matched text.
    pub text: Rect,
    /// The field's rectangle.
    pub field: Rect,
}

impl Pdf<'_> {
    /// The text of a page, as a reader would see it: runs in content order,
    /// a space where glyphs are apart, a line break where lines change.
    pub fn page_text(&self, number: u32) -> Result<String> {
        let page = self.page(number)?;
        let glyphs = interpret::page_glyphs(self, page)?;
        let mut text = String::new();
        let mut previous: Option<&interpret::Glyph> = None;
        for glyph in &glyphs {
            if let Some(p) = previous {
                let same_line = (glyph.bbox.lly - p.bbox.lly).abs() < p.size * 0.5;
                if !same_line {
                    text.push('\n');
                } else if glyph.bbox.llx - p.bbox.urx > p.size * 0.2 && !text.ends_with(' ') {
                    text.push(' ');
                }
            }
            text.push_str(&glyph.text);
            previous = Some(glyph);
        }
        Ok(text)
    }

    /// Finds an anchor's phrase and computes its field's rectangle.
    pub fn find_anchor(&self, anchor: &Anchor) -> Result<AnchorMatch> {
        let needle: Vec<char> = normalise(&anchor.text).collect();
        if needle.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "the anchor text is empty",
            ));
        }
        if !(anchor.width > 0.0 && anchor.height > 0.0) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "an anchored field needs a positive width and height",
            ));
        }
        if anchor.occurrence == 0 {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "anchor occurrences count from 1; 0 names none",
            ));
        }
        let wanted = anchor.occurrence;
        let mut seen = 0;
        let pages: Vec<&super::document::Page> = match anchor.page {
            Some(n) => vec![self.page(n)?],
            None => self.pages().iter().collect(),
        };
        // Pages that share their content streams and resources show the
        // same glyphs: interpret them once. All pages together spend one
        // budget of operations.
        let mut budget = self
            .limits()
            .max_content_operations
            .saturating_mul(interpret::DOCUMENT_OPERATIONS_FACTOR);
        let mut interpreted: HashMap<
            (Vec<lopdf::ObjectId>, usize),
            std::rc::Rc<Vec<interpret::Glyph>>,
        > = HashMap::new();
        for page in pages {
            let key = interpret::content_key(self, page);
            let glyphs = match key.as_ref().and_then(|k| interpreted.get(k)) {
                Some(glyphs) => std::rc::Rc::clone(glyphs),
                None => {
                    let glyphs =
                        std::rc::Rc::new(interpret::page_glyphs_within(self, page, &mut budget)?);
                    if let Some(key) = key {
                        interpreted.insert(key, std::rc::Rc::clone(&glyphs));
                    }
                    glyphs
                }
            };
            // The page's text without whitespace, lower-cased, each char
            // pointing back at its glyph.
            let mut chars = Vec::new();
            for (index, glyph) in glyphs.iter().enumerate() {
                for c in normalise(&glyph.text) {
                    chars.push((c, index));
                }
            }
            let mut start = 0;
            while start + needle.len() <= chars.len() {
                let hit = chars[start..start + needle.len()]
                    .iter()
                    .zip(&needle)
                    .all(|((c, _), n)| c == n);
                if !hit {
                    start += 1;
                    continue;
                }
                seen += 1;
                if seen == wanted {
                    let first = chars[start].1;
                    let last = chars[start + needle.len() - 1].1;
                    let bbox = glyphs[first..=last]
                        .iter()
                        .map(|g| g.bbox)
                        .reduce(|a, b| PdfRect {
                            llx: a.llx.min(b.llx),
                            lly: a.lly.min(b.lly),
                            urx: a.urx.max(b.urx),
                            ury: a.ury.max(b.ury),
                        })
                        .unwrap_or(glyphs[first].bbox);
                    let text = page.geometry.to_displayed_rect(&bbox);
                    return Ok(AnchorMatch {
                        page: page.number,
                        field: place(anchor, &text),
                        text,
                    });
                }
                start += needle.len();
            }
        }
        Err(Error::new(
            ErrorCode::PdfAnchorNotFound,
            if seen == 0 {
                format!("the text {:?} was not found", anchor.text)
            } else {
                format!(
                    "the text {:?} occurs {seen} time(s), not {wanted}",
                    anchor.text
                )
            },
        ))
    }
}

/// Lower-cased characters without whitespace (no-break spaces included).
fn normalise(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{00A0}')
        .flat_map(char::to_lowercase)
}

fn place(anchor: &Anchor, text: &Rect) -> Rect {
    let centred_y = text.y + text.height / 2.0 - anchor.height / 2.0;
    let (x, y) = match anchor.position {
        AnchorPosition::Right => (text.x + text.width + ANCHOR_GAP, centred_y),
        AnchorPosition::Left => (text.x - anchor.width - ANCHOR_GAP, centred_y),
        AnchorPosition::Above => (text.x, text.y - anchor.height - ANCHOR_GAP),
        AnchorPosition::Below => (text.x, text.y + text.height + ANCHOR_GAP),
    };
    Rect::new(
        (x + anchor.offset_x).max(0.0),
        (y + anchor.offset_y).max(0.0),
        anchor.width,
        anchor.height,
    )
}

#[cfg(test)]
mod tests;
