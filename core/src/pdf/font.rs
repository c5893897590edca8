//! Fonts for stamps and filled fields: glyph-by-glyph fallback between the
//! fonts of a [`FontSet`], and embedding of the glyphs used as subsetted
//! CIDFontType2 fonts with a ToUnicode map, so that text is drawn the same
//! everywhere and can be extracted (ISO 32000-2 §9.7, §9.10.3).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use sha2::{Digest, Sha256};
use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

use super::incremental::IncrementalUpdate;
use super::object::name;
use crate::error::{Error, ErrorCode, Result};

/// One font of a [`FontSet`].
#[derive(Clone)]
struct FontData {
    data: Cow<'static, [u8]>,
    postscript_name: String,
}

impl std::fmt::Debug for FontData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FontData({}, {} bytes)",
            self.postscript_name,
            self.data.len()
        )
    }
}

/// An ordered list of TrueType/OpenType fonts: each character is drawn with
/// the first font that has a glyph for it (keeping the current font while it
/// can, to limit font switches).
///
/// ```
/// # #[cfg(feature = "bundled-fonts")] {
/// let fonts = paraph::pdf::FontSet::bundled();
/// assert!(fonts.covers("마리 뒤부아 — Marie Dubois, café"));
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FontSet {
    fonts: Arc<Vec<FontData>>,
}

#[cfg(feature = "bundled-fonts")]
pub(crate) static NOTO_SANS: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
#[cfg(feature = "bundled-fonts")]
pub(crate) static NANUM_GOTHIC: &[u8] = include_bytes!("../../fonts/NanumGothic.ttf");

impl Default for FontSet {
    /// The bundled fonts when the `bundled-fonts` feature is on; otherwise
    /// an empty set, with which only text-free appearances can be drawn
    /// (`PDF_TEXT_UNSUPPORTED` for the others).
    fn default() -> Self {
        #[cfg(feature = "bundled-fonts")]
        {
            Self::bundled()
        }
        #[cfg(not(feature = "bundled-fonts"))]
        {
            Self {
                fonts: Arc::new(Vec::new()),
            }
        }
    }
}

impl FontSet {
    /// Noto Sans (Latin, Greek, Cyrillic) then NanumGothic (Hangul), both
    /// under the SIL Open Font License 1.1, shipped in the crate.
    #[cfg(feature = "bundled-fonts")]
    pub fn bundled() -> Self {
        Self::from_static(&[NOTO_SANS, NANUM_GOTHIC])
            .unwrap_or_else(|_| unreachable!("the bundled fonts parse"))
    }

    #[cfg(feature = "bundled-fonts")]
    fn from_static(fonts: &[&'static [u8]]) -> Result<Self> {
        Self::from_data(fonts.iter().map(|&d| Cow::Borrowed(d)).collect())
    }

    /// A set from font files (TrueType or OpenType with TrueType outlines),
    /// in fallback order.
    pub fn from_fonts(fonts: Vec<Vec<u8>>) -> Result<Self> {
        Self::from_data(fonts.into_iter().map(Cow::Owned).collect())
    }

    fn from_data(fonts: Vec<Cow<'static, [u8]>>) -> Result<Self> {
        if fonts.is_empty() {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "a font set needs at least one font",
            ));
        }
        let mut list = Vec::new();
        for (i, data) in fonts.into_iter().enumerate() {
            let face = Face::parse(&data, 0).map_err(|e| {
                Error::new(
                    ErrorCode::InvalidArgument,
                    format!("font #{} cannot be read: {e}", i + 1),
                )
            })?;
            let postscript_name = face
                .names()
                .into_iter()
                .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
                .and_then(|n| n.to_string())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| format!("ParaphFont{}", i + 1));
            let postscript_name: String = postscript_name
                .chars()
                .filter(|c| c.is_ascii_graphic() && !"()<>[]{}/%#".contains(*c))
                .collect();
            list.push(FontData {
                data,
                postscript_name,
            });
        }
        Ok(Self {
            fonts: Arc::new(list),
        })
    }

    /// Whether every character of `text` (other than line breaks) has a glyph
    /// in some font of the set.
    pub fn covers(&self, text: &str) -> bool {
        let faces = self.faces();
        text.chars()
            .filter(|c| !c.is_control())
            .all(|c| faces.iter().any(|f| f.glyph_index(c).is_some()))
    }

    fn faces(&self) -> Vec<Face<'_>> {
        self.fonts
            .iter()
            .filter_map(|f| Face::parse(&f.data, 0).ok())
            .collect()
    }
}

/// A run of text in one font, ready for a content stream.
#[derive(Debug, Clone)]
pub(crate) struct TextRun {
    /// Resource name of the font (`F0`, `F1`).
    pub font: String,
    /// The glyphs as 2-byte CIDs, for a hex string operand of `Tj`.
    pub cids: Vec<u8>,
    /// Advance width in points.
    pub width: f64,
}

/// Embeds the glyphs used by one update, font by font.
pub(crate) struct FontEmbedder<'f> {
    set: &'f FontSet,
    faces: Vec<Face<'f>>,
    used: Vec<Option<Used>>,
}

/// Glyphs used from one font: the subset's glyph numbering and, per new
/// glyph id, its advance and the text it stands for.
struct Used {
    remapper: GlyphRemapper,
    glyphs: BTreeMap<u16, (u16, String)>,
}

impl std::fmt::Debug for FontEmbedder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FontEmbedder")
            .field("fonts", &self.set.fonts.len())
            .finish()
    }
}

impl<'f> FontEmbedder<'f> {
    pub fn new(set: &'f FontSet) -> Self {
        let faces = set.faces();
        let used = (0..faces.len()).map(|_| None).collect();
        Self { set, faces, used }
    }

    fn resource_name(index: usize) -> String {
        format!("F{index}")
    }

    /// Width of `text` at `size` points, without registering glyphs.
    pub fn measure(&self, text: &str, size: f64) -> Result<f64> {
        Ok(self
            .plan(text)?
            .iter()
            .map(|(font, glyph, _)| self.advance(*font, *glyph))
            .sum::<f64>()
            * size)
    }

    /// Splits `text` into runs per font, registering the glyphs for embedding.
    pub fn encode(&mut self, text: &str, size: f64) -> Result<Vec<TextRun>> {
        let plan = self.plan(text)?;
        let mut runs: Vec<TextRun> = Vec::new();
        for (font, glyph, ch) in plan {
            let advance = self.advance(font, glyph) * size;
            let used = self.used[font].get_or_insert_with(|| Used {
                remapper: GlyphRemapper::new(),
                glyphs: BTreeMap::new(),
            });
            let new_id = used.remapper.remap(glyph.0);
            let units = self.faces[font].glyph_hor_advance(glyph).unwrap_or(0);
            used.glyphs
                .entry(new_id)
                .or_insert_with(|| (units, ch.to_string()));
            let resource = Self::resource_name(font);
            match runs.last_mut() {
                Some(run) if run.font == resource => {
                    run.cids.extend_from_slice(&new_id.to_be_bytes());
                    run.width += advance;
                }
                _ => runs.push(TextRun {
                    font: resource,
                    cids: new_id.to_be_bytes().to_vec(),
                    width: advance,
                }),
            }
        }
        Ok(runs)
    }

    /// Advance of `glyph` in font `font`, in text space units per point.
    fn advance(&self, font: usize, glyph: GlyphId) -> f64 {
        let face = &self.faces[font];
        f64::from(face.glyph_hor_advance(glyph).unwrap_or(0)) / f64::from(face.units_per_em())
    }

    /// Chooses a font and glyph for every character.
    fn plan(&self, text: &str) -> Result<Vec<(usize, GlyphId, char)>> {
        let mut plan = Vec::new();
        let mut current: Option<usize> = None;
        for ch in text.chars().filter(|c| !c.is_control()) {
            let in_current = current.and_then(|f| self.faces[f].glyph_index(ch).map(|g| (f, g)));
            let chosen = in_current.or_else(|| {
                self.faces
                    .iter()
                    .enumerate()
                    .find_map(|(f, face)| face.glyph_index(ch).map(|g| (f, g)))
            });
            match chosen {
                Some((font, glyph)) => {
                    current = Some(font);
                    plan.push((font, glyph, ch));
                }
                None => {
                    return Err(Error::new(
                        ErrorCode::PdfTextUnsupported,
                        format!(
                            "no font has a glyph for {ch:?} (U+{:04X}) in {text:?}",
                            u32::from(ch)
                        ),
                    ));
                }
            }
        }
        Ok(plan)
    }

    /// Writes the fonts used into `update`; returns the `/Font` resource
    /// dictionary naming them.
    pub fn finish(self, update: &mut IncrementalUpdate<'_, '_>) -> Result<Dictionary> {
        let mut resources = Dictionary::new();
        for (index, used) in self.used.into_iter().enumerate() {
            let Some(used) = used else { continue };
            let face = &self.faces[index];
            let data = &self.set.fonts[index];
            let id = embed(update, face, data, &used)?;
            resources.set(Self::resource_name(index), Object::Reference(id));
        }
        Ok(resources)
    }
}

/// Writes a Type 0 font with a CIDFontType2 descendant holding the subset.
fn embed(
    update: &mut IncrementalUpdate<'_, '_>,
    face: &Face<'_>,
    data: &FontData,
    used: &Used,
) -> Result<ObjectId> {
    let subset = subsetter::subset(&data.data, 0, &used.remapper).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("subsetting {} failed: {e}", data.postscript_name),
        )
    })?;
    let upem = f64::from(face.units_per_em());
    let scale = |v: f64| (v * 1000.0 / upem).round() as i64;

    // A deterministic subset tag: six capitals from the glyphs used.
    let mut hasher = Sha256::new();
    for (gid, (_, text)) in &used.glyphs {
        hasher.update(gid.to_be_bytes());
        hasher.update(text.as_bytes());
    }
    let tag: String = hasher.finalize()[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    let base_font = format!("{tag}+{}", data.postscript_name);

    let mut file_dict = Dictionary::new();
    file_dict.set("Length1", Object::Integer(subset.len() as i64));
    let font_file = update.add_stream(file_dict, &subset);

    let bbox = face.global_bounding_box();
    let mut descriptor = Dictionary::new();
    descriptor.set("Type", name("FontDescriptor"));
    descriptor.set("FontName", Object::Name(base_font.as_bytes().to_vec()));
    descriptor.set("Flags", Object::Integer(4));
    descriptor.set(
        "FontBBox",
        Object::Array(
            [bbox.x_min, bbox.y_min, bbox.x_max, bbox.y_max]
                .iter()
                .map(|&v| Object::Integer(scale(f64::from(v))))
                .collect(),
        ),
    );
    descriptor.set(
        "ItalicAngle",
        Object::Integer(face.italic_angle().round() as i64),
    );
    descriptor.set("Ascent", Object::Integer(scale(f64::from(face.ascender()))));
    descriptor.set(
        "Descent",
        Object::Integer(scale(f64::from(face.descender()))),
    );
    descriptor.set(
        "CapHeight",
        Object::Integer(scale(f64::from(
            face.capital_height().unwrap_or(face.ascender()),
        ))),
    );
    descriptor.set("StemV", Object::Integer(80));
    descriptor.set("FontFile2", Object::Reference(font_file));
    let descriptor = update.add(Object::Dictionary(descriptor));

    // Widths: /W [first [w1 w2 ...]] over runs of consecutive CIDs.
    let mut widths: Vec<Object> = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut run_start: Option<u16> = None;
    let mut previous: Option<u16> = None;
    for (&cid, (advance, _)) in &used.glyphs {
        if previous.is_none_or(|p| p + 1 != cid) {
            if let Some(start) = run_start {
                widths.push(Object::Integer(i64::from(start)));
                widths.push(Object::Array(std::mem::take(&mut run)));
            }
            run_start = Some(cid);
        }
        run.push(Object::Integer(scale(f64::from(*advance))));
        previous = Some(cid);
    }
    if let Some(start) = run_start {
        widths.push(Object::Integer(i64::from(start)));
        widths.push(Object::Array(run));
    }

    let mut system_info = Dictionary::new();
    system_info.set(
        "Registry",
        Object::String(b"Adobe".to_vec(), StringFormat::Literal),
    );
    system_info.set(
        "Ordering",
        Object::String(b"Identity".to_vec(), StringFormat::Literal),
    );
    system_info.set("Supplement", Object::Integer(0));

    let mut cid_font = Dictionary::new();
    cid_font.set("Type", name("Font"));
    cid_font.set("Subtype", name("CIDFontType2"));
    cid_font.set("BaseFont", Object::Name(base_font.as_bytes().to_vec()));
    cid_font.set("CIDSystemInfo", Object::Dictionary(system_info));
    cid_font.set("FontDescriptor", Object::Reference(descriptor));
    cid_font.set("DW", Object::Integer(0));
    cid_font.set("W", Object::Array(widths));
    cid_font.set("CIDToGIDMap", name("Identity"));
    let cid_font = update.add(Object::Dictionary(cid_font));

    let to_unicode = update.add_stream(Dictionary::new(), to_unicode_cmap(used).as_bytes());

    let mut font = Dictionary::new();
    font.set("Type", name("Font"));
    font.set("Subtype", name("Type0"));
    font.set("BaseFont", Object::Name(base_font.as_bytes().to_vec()));
    font.set("Encoding", name("Identity-H"));
    font.set(
        "DescendantFonts",
        Object::Array(vec![Object::Reference(cid_font)]),
    );
    font.set("ToUnicode", Object::Reference(to_unicode));
    Ok(update.add(Object::Dictionary(font)))
}

/// A ToUnicode CMap mapping each CID to the text it stands for
/// (ISO 32000-2 §9.10.3).
fn to_unicode_cmap(used: &Used) -> String {
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = used.glyphs.iter().collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for (cid, (_, text)) in chunk {
            let hex: String = text
                .encode_utf16()
                .map(|unit| format!("{unit:04X}"))
                .collect();
            let _ = writeln!(cmap, "<{cid:04X}> <{hex}>");
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap
}
