//! Appearance streams (ISO 32000-2 §12.5.5, §12.7.4.3): what widgets look
//! like. Every appearance is drawn in the orientation of the page as
//! displayed, and its `/Matrix` undoes the page rotation.

use std::fmt::Write as _;

use lopdf::{Dictionary, Object, ObjectId};

use super::font::{FontEmbedder, FontSet, TextRun};
use super::geometry::PageGeometry;
use super::image::embed_image;
use super::incremental::IncrementalUpdate;
use super::object::{PdfRect, name, real};
use crate::error::{Error, ErrorCode, Result};
use crate::image::decode_png;

/// What a visible signature shows. JSON: `{"name", "image" (base64 PNG),
/// "date", "details"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignatureAppearance {
    /// The signer's name, typed: drawn large when there is no image, and as
    /// a caption under the image (on the date's line) otherwise.
    pub name: String,
    /// A drawn signature as PNG (transparency is kept).
    #[serde(
        default,
        with = "crate::serde_util::base64_bytes_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub image: Option<Vec<u8>>,
    /// The date line (`Signed 2026-11-23 10:35 UTC`).
    #[serde(default)]
    pub date: String,
    /// The small line under it (`marie@example.com · sig_7Q2…`).
    #[serde(default)]
    pub details: String,
}

/// Writes a number for a content stream: at most three decimals.
/// The smallest text size a stamp or field value is drawn at, in points:
/// below it text is there but cannot be read.
pub(crate) const MIN_LEGIBLE_SIZE: f64 = 3.0;

/// Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
/// U+061C) drawn as what they are, `[U+202E]`, so that a stamp cannot show
/// text in another order than the one it holds.
pub(crate) fn show_bidi_controls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
        {
            out.push_str(&format!("[U+{:04X}]", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn num(value: f64) -> String {
    let rounded = (value * 1000.0).round() / 1000.0;
    if rounded == rounded.trunc() {
        format!("{}", rounded as i64)
    } else {
        let text = format!("{rounded:.3}");
        text.trim_end_matches('0').to_owned()
    }
}

/// Draws the appearances of one update and embeds the fonts they use.
///
/// Fonts are embedded once per update, after every appearance is drawn, so
/// all appearances point to one shared, indirect `/Font` resource
/// dictionary that is written last.
pub(crate) struct Stamper<'f> {
    fonts: FontEmbedder<'f>,
    font_resources: ObjectId,
}

impl std::fmt::Debug for Stamper<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stamper").finish_non_exhaustive()
    }
}

/// Colours of stamps.
const INK: &str = "0.05 0.15 0.45 rg";
const CAPTION: &str = "0.25 g";
const RULE: &str = "0.6 G";

impl<'f> Stamper<'f> {
    pub fn new(update: &mut IncrementalUpdate<'_, '_>, fonts: &'f FontSet) -> Self {
        Self {
            fonts: FontEmbedder::new(fonts),
            font_resources: update.allocate(),
        }
    }

    /// Writes the shared font resources. Call once, after the last appearance.
    pub fn finish(self, update: &mut IncrementalUpdate<'_, '_>) -> Result<()> {
        let resources = self.fonts.finish(update)?;
        update.set(self.font_resources, Object::Dictionary(resources));
        Ok(())
    }

    /// Width and height of a widget as displayed.
    fn displayed_size(geometry: &PageGeometry, rect: &PdfRect) -> (f64, f64) {
        if geometry.rotation.degrees() % 180 == 90 {
            (rect.height(), rect.width())
        } else {
            (rect.width(), rect.height())
        }
    }

    /// A form XObject of `width` x `height` (as displayed) with `content`.
    fn form(
        &self,
        update: &mut IncrementalUpdate<'_, '_>,
        geometry: &PageGeometry,
        (width, height): (f64, f64),
        content: &str,
        images: Vec<(String, ObjectId)>,
    ) -> ObjectId {
        let mut resources = Dictionary::new();
        resources.set("Font", Object::Reference(self.font_resources));
        if !images.is_empty() {
            let mut xobjects = Dictionary::new();
            for (key, id) in images {
                xobjects.set(key, Object::Reference(id));
            }
            resources.set("XObject", Object::Dictionary(xobjects));
        }
        let mut dict = Dictionary::new();
        dict.set("Type", name("XObject"));
        dict.set("Subtype", name("Form"));
        dict.set("FormType", Object::Integer(1));
        dict.set(
            "BBox",
            Object::Array(vec![real(0.0), real(0.0), real(width), real(height)]),
        );
        dict.set(
            "Matrix",
            Object::Array(
                geometry
                    .appearance_matrix()
                    .iter()
                    .map(|&v| real(v))
                    .collect(),
            ),
        );
        dict.set("Resources", Object::Dictionary(resources));
        update.add_stream(dict, content.as_bytes())
    }

    /// Text runs at (x, y) in `size` points.
    fn show(out: &mut String, runs: &[TextRun], x: f64, y: f64, size: f64) {
        let _ = write!(out, "BT {} {} Td ", num(x), num(y));
        for run in runs {
            let hex: String = run.cids.iter().map(|b| format!("{b:02X}")).collect();
            let _ = write!(out, "/{} {} Tf <{hex}> Tj ", run.font, num(size));
        }
        out.push_str("ET\n");
    }

    /// The largest size up to `max` at which `text` fits `width`.
    fn fit(&self, text: &str, width: f64, max: f64) -> Result<f64> {
        let unit = self.fonts.measure(text, 1.0)?;
        Ok(if unit <= 0.0 {
            max
        } else {
            (width / unit).min(max)
        })
    }

    /// [`fit`](Self::fit), refusing (`PDF_TEXT_TOO_LONG`) text that would
    /// have to be drawn below [`MIN_LEGIBLE_SIZE`] (or below `max`, in a
    /// field too small for even that): a 10,000-character name would
    /// otherwise be drawn at 0.03 pt, present but invisible.
    fn fit_legible(&self, what: &str, text: &str, width: f64, max: f64) -> Result<f64> {
        let size = self.fit(text, width, max)?;
        let floor = MIN_LEGIBLE_SIZE.min(max);
        if size + 1e-9 < floor {
            let shown: String = text.chars().take(40).collect();
            return Err(Error::new(
                ErrorCode::PdfTextTooLong,
                format!(
                    "the {what} {shown:?}{} would be drawn at {size:.2} pt to fit a {width:.0} pt wide \
                     field; the smallest legible size is {MIN_LEGIBLE_SIZE} pt: shorten it or make \
                     the field larger",
                    if text.chars().count() > 40 { "…" } else { "" }
                ),
            ));
        }
        Ok(size)
    }

    /// A secondary line (the date, the small print) at the largest size
    /// up to `max` that fits, cut with `…` when even the smallest legible
    /// size would not fit: it is there to help read the stamp, and must
    /// not make the signature fail on words the signer never typed (a
    /// field's name from the PDF).
    fn fit_or_cut(&self, text: &str, width: f64, max: f64) -> Result<(String, f64)> {
        let floor = MIN_LEGIBLE_SIZE.min(max);
        let size = self.fit(text, width, max)?;
        if size + 1e-9 >= floor {
            return Ok((text.to_owned(), size));
        }
        // The longest prefix that fits with its ellipsis, by bisection
        // (measuring is linear in the text).
        let chars: Vec<char> = text.chars().collect();
        let cut = |n: usize| chars[..n].iter().collect::<String>() + "…";
        let (mut fits, mut too_long) = (0usize, chars.len());
        while fits + 1 < too_long {
            let middle = (fits + too_long) / 2;
            if self.fonts.measure(&cut(middle), floor)? <= width {
                fits = middle;
            } else {
                too_long = middle;
            }
        }
        if fits > 0 || self.fonts.measure("…", floor)? <= width {
            return Ok((cut(fits), floor));
        }
        Ok((String::new(), floor))
    }

    /// An empty appearance: unsigned signature fields, empty text fields.
    pub fn blank(
        &mut self,
        update: &mut IncrementalUpdate<'_, '_>,
        geometry: &PageGeometry,
        rect: &PdfRect,
    ) -> ObjectId {
        let size = Self::displayed_size(geometry, rect);
        self.form(update, geometry, size, "", Vec::new())
    }

    /// The visible stamp of a signature.
    pub fn signature(
        &mut self,
        update: &mut IncrementalUpdate<'_, '_>,
        geometry: &PageGeometry,
        rect: &PdfRect,
        stamp: &SignatureAppearance,
    ) -> Result<ObjectId> {
        let (w, h) = Self::displayed_size(geometry, rect);
        let pad = (w.min(h) * 0.06).clamp(1.0, 6.0);
        let inner = w - 2.0 * pad;
        let mut out = String::new();
        let mut images = Vec::new();
        if stamp.name.chars().any(char::is_control) {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                format!(
                    "the signer's name {:?} holds control characters",
                    stamp.name
                ),
            ));
        }
        let visible = SignatureAppearance {
            name: show_bidi_controls(&stamp.name),
            image: None,
            date: show_bidi_controls(&stamp.date),
            details: show_bidi_controls(&stamp.details),
        };
        let (details, details_size) =
            self.fit_or_cut(&visible.details, inner, (h * 0.09).clamp(3.0, 7.0))?;
        let (date, date_size) =
            self.fit_or_cut(&visible.date, inner, (h * 0.11).clamp(3.0, 9.0))?;
        let stamp = &SignatureAppearance {
            name: visible.name,
            image: stamp.image.clone(),
            date,
            details,
        };

        // Bottom-up: details, date, then the mark (image or typed name).
        let mut y = pad + details_size * 0.25;
        if !stamp.details.is_empty() {
            let runs = self.fonts.encode(&stamp.details, details_size)?;
            out.push_str(CAPTION);
            out.push('\n');
            Self::show(&mut out, &runs, pad, y, details_size);
            y += details_size * 1.3;
        }
        if stamp.image.is_some() && !stamp.name.is_empty() {
            // Under a drawing, the name and the date share one line, so
            // that the drawing keeps most of the height.
            let gap = "  ";
            let line = format!("{}{gap}{}", stamp.name, stamp.date);
            let size =
                self.fit_legible("signer's name", &line, inner, (h * 0.11).clamp(3.0, 9.0))?;
            let lead = self.fonts.measure(&format!("{}{gap}", stamp.name), size)?;
            let name_runs = self.fonts.encode(&stamp.name, size)?;
            out.push_str(INK);
            out.push('\n');
            Self::show(&mut out, &name_runs, pad, y, size);
            if !stamp.date.is_empty() {
                let date_runs = self.fonts.encode(&stamp.date, size)?;
                out.push_str(CAPTION);
                out.push('\n');
                Self::show(&mut out, &date_runs, pad + lead, y, size);
            }
            y += size * 1.2;
        } else if !stamp.date.is_empty() {
            let runs = self.fonts.encode(&stamp.date, date_size)?;
            out.push_str(CAPTION);
            out.push('\n');
            Self::show(&mut out, &runs, pad, y, date_size);
            y += date_size * 1.2;
        }
        let _ = writeln!(
            out,
            "{RULE} 0.5 w {} {} m {} {} l S",
            num(pad),
            num(y),
            num(w - pad),
            num(y)
        );
        let mark_bottom = y + pad * 0.5;
        let mark_height = (h - pad - mark_bottom).max(1.0);
        match &stamp.image {
            Some(png) => {
                // Centred across, on the rule.
                images.push(Self::draw_png(
                    update,
                    &mut out,
                    png,
                    (inner, mark_height),
                    |iw, _| (pad + (inner - iw) / 2.0, mark_bottom),
                )?);
            }
            None if !stamp.name.is_empty() => {
                let size =
                    self.fit_legible("signer's name", &stamp.name, inner, mark_height * 0.7)?;
                let runs = self.fonts.encode(&stamp.name, size)?;
                out.push_str(INK);
                out.push('\n');
                Self::show(&mut out, &runs, pad, mark_bottom + mark_height * 0.25, size);
            }
            None => {}
        }
        Ok(self.form(update, geometry, (w, h), &out, images))
    }

    /// Embeds a PNG as `/Im0` and draws it as large as fits in `fit`
    /// (width, height), keeping its aspect ratio, with its lower-left
    /// corner where `at(width, height)` says. Returns the resource entry.
    fn draw_png(
        update: &mut IncrementalUpdate<'_, '_>,
        out: &mut String,
        png: &[u8],
        (fit_w, fit_h): (f64, f64),
        at: impl FnOnce(f64, f64) -> (f64, f64),
    ) -> Result<(String, ObjectId)> {
        let decoded = decode_png(png)?;
        let (dw, dh) = (f64::from(decoded.width), f64::from(decoded.height));
        let scale = (fit_w / dw).min(fit_h / dh);
        let (iw, ih) = (dw * scale, dh * scale);
        let (x, y) = at(iw, ih);
        let id = embed_image(update, &decoded);
        let _ = writeln!(
            out,
            "q {} 0 0 {} {} {} cm /Im0 Do Q",
            num(iw),
            num(ih),
            num(x),
            num(y)
        );
        Ok(("Im0".to_owned(), id))
    }

    /// A signer's initials: the text, or a drawn image, centred.
    pub fn initials(
        &mut self,
        update: &mut IncrementalUpdate<'_, '_>,
        geometry: &PageGeometry,
        rect: &PdfRect,
        text: &str,
        image: Option<&[u8]>,
    ) -> Result<ObjectId> {
        let (w, h) = Self::displayed_size(geometry, rect);
        let mut out = String::new();
        let mut images = Vec::new();
        match image {
            Some(png) => {
                images.push(Self::draw_png(
                    update,
                    &mut out,
                    png,
                    (w * 0.9, h * 0.9),
                    |iw, ih| ((w - iw) / 2.0, (h - ih) / 2.0),
                )?);
            }
            None => {
                let size = self.fit_legible("initials", text, w * 0.9, h * 0.7)?;
                let width = self.fonts.measure(text, size)?;
                let runs = self.fonts.encode(text, size)?;
                out.push_str(INK);
                out.push('\n');
                Self::show(
                    &mut out,
                    &runs,
                    (w - width) / 2.0,
                    h * 0.5 - size * 0.35,
                    size,
                );
            }
        }
        Ok(self.form(update, geometry, (w, h), &out, images))
    }

    /// A filled text field (text, date, name): one line, shrunk to fit.
    pub fn text(
        &mut self,
        update: &mut IncrementalUpdate<'_, '_>,
        geometry: &PageGeometry,
        rect: &PdfRect,
        value: &str,
    ) -> Result<ObjectId> {
        let (w, h) = Self::displayed_size(geometry, rect);
        let line = value.lines().collect::<Vec<_>>().join(" ");
        let size = self.fit_legible("value", &line, (w - 4.0).max(1.0), (h * 0.7).min(11.0))?;
        let runs = self.fonts.encode(&line, size)?;
        let mut out = String::from("/Tx BMC\nq 0 g\n");
        Self::show(&mut out, &runs, 2.0, (h - size * 0.7) / 2.0, size);
        out.push_str("Q\nEMC\n");
        Ok(self.form(update, geometry, (w, h), &out, Vec::new()))
    }

    /// A filled text field of several lines: the value wrapped at the
    /// break opportunities of UAX #14 (the `unicode-linebreak` crate) and
    /// at its own line breaks, at the largest size up to 11 pt at which
    /// the lines fit the box (down to 4 pt; below that, the last lines are
    /// cut, as viewers do, and the value stays whole in `/V`).
    pub fn text_multiline(
        &mut self,
        update: &mut IncrementalUpdate<'_, '_>,
        geometry: &PageGeometry,
        rect: &PdfRect,
        value: &str,
    ) -> Result<ObjectId> {
        let (w, h) = Self::displayed_size(geometry, rect);
        let width = (w - 4.0).max(1.0);
        let mut size = (h * 0.7).min(11.0);
        let lines = loop {
            let lines = self.wrap(value, width, size)?;
            let needed = lines.len() as f64 * size * 1.2 + 2.0;
            if needed <= h || size <= 4.0 {
                break lines;
            }
            size = (size * 0.9).max(4.0);
        };
        let mut out = String::from("/Tx BMC\nq 0 g\n");
        let mut y = h - 2.0 - size;
        for line in lines {
            if y < 0.0 {
                break;
            }
            let runs = self.fonts.encode(&line, size)?;
            Self::show(&mut out, &runs, 2.0, y, size);
            y -= size * 1.2;
        }
        out.push_str("Q\nEMC\n");
        Ok(self.form(update, geometry, (w, h), &out, Vec::new()))
    }

    /// `text` in lines no wider than `width` at `size`: greedy, at UAX #14
    /// break opportunities; a word wider than the line stands alone.
    fn wrap(&self, text: &str, width: f64, size: f64) -> Result<Vec<String>> {
        let mut lines = Vec::new();
        for paragraph in text.lines() {
            let mut line = String::new();
            let mut start = 0;
            for (end, opportunity) in unicode_linebreak::linebreaks(paragraph) {
                let piece = &paragraph[start..end];
                start = end;
                let candidate = format!("{line}{piece}");
                if !line.is_empty() && self.fonts.measure(candidate.trim_end(), size)? > width {
                    lines.push(line.trim_end().to_owned());
                    line = piece.to_owned();
                } else {
                    line = candidate;
                }
                if opportunity == unicode_linebreak::BreakOpportunity::Mandatory
                    && end < paragraph.len()
                {
                    lines.push(line.trim_end().to_owned());
                    line.clear();
                }
            }
            lines.push(line.trim_end().to_owned());
        }
        Ok(lines)
    }

    /// The two appearances of a checkbox: `(on, off)`.
    pub fn checkbox(
        &mut self,
        update: &mut IncrementalUpdate<'_, '_>,
        geometry: &PageGeometry,
        rect: &PdfRect,
    ) -> (ObjectId, ObjectId) {
        let (w, h) = Self::displayed_size(geometry, rect);
        let s = w.min(h);
        let (x0, y0) = ((w - s) / 2.0, (h - s) / 2.0);
        let border = format!(
            "0.4 G 0.75 w {} {} {} {} re S\n",
            num(x0 + 0.5),
            num(y0 + 0.5),
            num(s - 1.0),
            num(s - 1.0)
        );
        let tick = format!(
            "{border}0 G {} w 1 J 1 j {} {} m {} {} l {} {} l S\n",
            num((s * 0.12).max(0.8)),
            num(x0 + s * 0.2),
            num(y0 + s * 0.5),
            num(x0 + s * 0.42),
            num(y0 + s * 0.25),
            num(x0 + s * 0.8),
            num(y0 + s * 0.78)
        );
        let on = self.form(update, geometry, (w, h), &tick, Vec::new());
        let off = self.form(update, geometry, (w, h), &border, Vec::new());
        (on, off)
    }
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn numbers_are_short_and_exact_enough() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(1.23456), "1.235");
        assert_eq!(num(-3.1), "-3.1");
    }
}
