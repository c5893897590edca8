//! Interactive form fields (ISO 32000-2 §12.7): reading the existing ones,
//! adding signature, text, date, name, initials and checkbox fields, and
//! filling them.

use std::collections::HashSet;

use lopdf::{Dictionary, Object, ObjectId, StringFormat};
use serde::{Deserialize, Serialize};

use super::appearance::Stamper;
use super::document::{Page, Pdf};
use super::font::FontSet;
use super::geometry::PageGeometry;
use super::incremental::IncrementalUpdate;
use super::object::{self, PdfRect, decode_text_string, name, text_string};
use crate::error::{Error, ErrorCode, Result};
use crate::geometry::Rect;

/// Field flag: the user may not change the value (Table 227).
pub(crate) const FF_READ_ONLY: i64 = 1;
/// Field flag: the field must have a value when submitted (Table 227).
pub(crate) const FF_REQUIRED: i64 = 1 << 1;
/// Text field flag: several lines (Table 229).
pub(crate) const FF_MULTILINE: i64 = 1 << 12;
/// Annotation flag: print the annotation (Table 167).
pub(crate) const F_PRINT: i64 = 4;
/// Deepest field hierarchy read.
const MAX_FIELD_DEPTH: usize = 32;
/// Default appearance of the text fields paraph creates.
const TEXT_DA: &str = "/Helv 0 Tf 0 g";

/// The type of an existing form field (`/FT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FormFieldType {
    /// `/Sig`: a signature field.
    Signature,
    /// `/Tx`: a text field.
    Text,
    /// `/Btn`: a checkbox, radio button or push button.
    Button,
    /// `/Ch`: a list or combo box.
    Choice,
    /// No type, or one this engine does not know.
    Unknown,
}

impl FormFieldType {
    fn from_name(value: Option<&[u8]>) -> Self {
        match value {
            Some(b"Sig") => Self::Signature,
            Some(b"Tx") => Self::Text,
            Some(b"Btn") => Self::Button,
            Some(b"Ch") => Self::Choice,
            _ => Self::Unknown,
        }
    }
}

/// What a form field paraph adds holds (ISO 32000-2 §12.7.5): the PDF's
/// own vocabulary, which the envelope's field kinds map onto (dates and
/// names are text fields).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FormFieldKind {
    /// `/FT /Sig`: an empty signature field.
    Signature,
    /// `/FT /Tx`: a one-line text field.
    Text,
    /// `/FT /Btn`: a checkbox.
    Checkbox,
    /// A read-only text field that holds the signer's initials, drawn when
    /// they sign.
    Initials,
}

/// A widget (the visible part) of a form field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormWidget {
    /// The page, from 1, when the widget is on one.
    pub page: Option<u32>,
    /// Position from the top-left of the displayed page, in points.
    pub rect: Option<Rect>,
}

/// An existing form field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FormField {
    /// Fully qualified name (`parent.child`).
    pub name: String,
    /// Field type.
    #[serde(rename = "type")]
    pub field_type: FormFieldType,
    /// The value, as text, when it has one (not for signatures).
    pub value: Option<String>,
    /// For signature fields: whether it holds a signature.
    pub signed: bool,
    /// Read-only flag.
    pub read_only: bool,
    /// A text field of several lines.
    #[serde(default)]
    pub multiline: bool,
    /// The widgets.
    pub widgets: Vec<FormWidget>,
    #[serde(skip)]
    pub(crate) id: ObjectId,
}

/// A field to add, placed on a page in points from its top-left corner as
/// displayed. JSON (camelCase): `{"name", "kind", "page", "rect", "value",
/// "required", "readOnly"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormFieldSpec {
    /// Name, unique in the document; no `.` (it would nest the field).
    pub name: String,
    /// What it holds.
    pub kind: FormFieldKind,
    /// Page number, from 1.
    pub page: u32,
    /// Where.
    pub rect: Rect,
    /// A value to fill in now (text fields and checkboxes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Sets the Required flag.
    #[serde(default)]
    pub required: bool,
    /// Sets the ReadOnly flag. Initials fields are always read-only.
    #[serde(default)]
    pub read_only: bool,
    /// A text field of several lines (text fields only).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub multiline: bool,
}

impl Pdf<'_> {
    /// The form fields, depth first in `/Fields` order.
    pub fn fields(&self) -> Result<Vec<FormField>> {
        let doc = &self.doc;
        let catalog = self.catalog()?;
        let Some(acroform) = object::lookup_dict(doc, catalog, b"AcroForm")? else {
            return Ok(Vec::new());
        };
        let Some(roots) = object::lookup_array(doc, acroform, b"Fields")? else {
            return Ok(Vec::new());
        };
        let page_of: std::collections::HashMap<ObjectId, &super::document::Page> =
            self.pages().iter().map(|p| (p.id, p)).collect();
        let mut fields = Vec::new();
        let mut seen = HashSet::new();
        // (field ref, parent name, inherited FT, depth)
        let mut stack: Vec<(ObjectId, String, Option<Vec<u8>>, usize)> = roots
            .iter()
            .rev()
            .filter_map(|o| o.as_reference().ok())
            .map(|id| (id, String::new(), None, 0))
            .collect();
        while let Some((id, parent, inherited_ft, depth)) = stack.pop() {
            if depth > MAX_FIELD_DEPTH || !seen.insert(id) {
                return Err(Error::new(
                    ErrorCode::PdfReferenceCycle,
                    "the form field tree loops or is too deep",
                ));
            }
            let dict = object::get_dict(doc, id)?;
            let partial = match object::lookup(doc, dict, b"T")? {
                Some(Object::String(bytes, _)) => Some(decode_text_string(bytes)),
                _ => None,
            };
            let full = match (&partial, parent.is_empty()) {
                (Some(p), true) => p.clone(),
                (Some(p), false) => format!("{parent}.{p}"),
                (None, _) => parent.clone(),
            };
            let ft = object::lookup_name(doc, dict, b"FT")?
                .map(<[u8]>::to_vec)
                .or(inherited_ft);
            // Kids that have a /T are fields; the others are widgets.
            let kids: Vec<ObjectId> = object::lookup_array(doc, dict, b"Kids")?
                .map(|k| k.iter().filter_map(|o| o.as_reference().ok()).collect())
                .unwrap_or_default();
            let mut widget_ids = Vec::new();
            let mut child_fields = Vec::new();
            for kid in kids {
                let kid_dict = object::get_dict(doc, kid)?;
                if kid_dict.has(b"T") {
                    child_fields.push(kid);
                } else {
                    widget_ids.push(kid);
                }
            }
            if dict.get(b"Subtype").ok() == Some(&name("Widget")) {
                widget_ids.insert(0, id);
            }
            for child in child_fields.into_iter().rev() {
                stack.push((child, full.clone(), ft.clone(), depth + 1));
            }
            if partial.is_none() || (!widget_ids.is_empty() || !dict.has(b"Kids")) {
                if partial.is_none() {
                    continue;
                }
                let field_type = FormFieldType::from_name(ft.as_deref());
                let value = match object::lookup(doc, dict, b"V")? {
                    Some(Object::String(bytes, _)) => Some(decode_text_string(bytes)),
                    Some(Object::Name(n)) => Some(String::from_utf8_lossy(n).into_owned()),
                    _ => None,
                };
                let flags = match object::lookup(doc, dict, b"Ff")? {
                    Some(Object::Integer(f)) => *f,
                    _ => 0,
                };
                let mut widgets = Vec::new();
                for widget in &widget_ids {
                    let wd = object::get_dict(doc, *widget)?;
                    let page = match wd.get(b"P") {
                        Ok(Object::Reference(p)) => page_of.get(p).copied(),
                        _ => None,
                    }
                    .or_else(|| self.page_with_annotation(*widget));
                    let user_rect = match wd.get(b"Rect") {
                        Ok(r) => object::as_rect(doc, r)?,
                        Err(_) => None,
                    };
                    widgets.push(FormWidget {
                        page: page.map(|p| p.number),
                        rect: match (page, user_rect) {
                            (Some(p), Some(r)) => Some(p.geometry.to_displayed_rect(&r)),
                            _ => None,
                        },
                    });
                }
                fields.push(FormField {
                    name: full,
                    field_type,
                    signed: field_type == FormFieldType::Signature
                        && matches!(
                            object::lookup(doc, dict, b"V")?,
                            Some(Object::Dictionary(_))
                        ),
                    value: if field_type == FormFieldType::Signature {
                        None
                    } else {
                        value
                    },
                    read_only: flags & FF_READ_ONLY != 0,
                    multiline: field_type == FormFieldType::Text && flags & FF_MULTILINE != 0,
                    widgets,
                    id,
                });
            }
        }
        Ok(fields)
    }

    /// The page whose `/Annots` lists `annotation`.
    fn page_with_annotation(&self, annotation: ObjectId) -> Option<&super::document::Page> {
        self.pages().iter().find(|page| {
            object::get_dict(&self.doc, page.id)
                .ok()
                .and_then(|d| object::lookup_array(&self.doc, d, b"Annots").ok().flatten())
                .is_some_and(|annots| {
                    annots
                        .iter()
                        .any(|a| a.as_reference().ok() == Some(annotation))
                })
        })
    }

    /// The field named `name`: `PDF_FIELD_NOT_FOUND` when there is none,
    /// `PDF_FIELD_AMBIGUOUS` (listing them) when several fields share it.
    pub fn field(&self, name: &str) -> Result<FormField> {
        let fields = self.fields()?;
        let index = unique_field(&fields, name)?;
        Ok(fields
            .into_iter()
            .nth(index)
            .unwrap_or_else(|| unreachable!("index from the same list")))
    }
}

/// The position of the one field named `name`. Two field dictionaries with
/// one fully qualified name break ISO 32000-2 §12.7.4.2 but occur in real
/// files; signing or filling "the first" would act on a field the user may
/// not have meant, so the name is refused with the candidates listed.
pub(crate) fn unique_field(fields: &[FormField], name: &str) -> Result<usize> {
    let matches: Vec<usize> = fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.name == name)
        .map(|(i, _)| i)
        .collect();
    match matches.as_slice() {
        [] => Err(Error::new(
            ErrorCode::PdfFieldNotFound,
            format!("the PDF has no form field named {name:?}"),
        )),
        [one] => Ok(*one),
        several => {
            let candidates: Vec<String> = several
                .iter()
                .map(|&i| {
                    let field = &fields[i];
                    let pages: Vec<String> = field
                        .widgets
                        .iter()
                        .filter_map(|w| w.page)
                        .map(|p| p.to_string())
                        .collect();
                    format!(
                        "object {} {} R ({:?}{})",
                        field.id.0,
                        field.id.1,
                        field.field_type,
                        if pages.is_empty() {
                            String::new()
                        } else {
                            format!(", page {}", pages.join(", "))
                        }
                    )
                })
                .collect();
            Err(Error::new(
                ErrorCode::PdfFieldAmbiguous,
                format!(
                    "{} form fields are named {name:?}: {}; rename one of them first",
                    several.len(),
                    candidates.join("; ")
                ),
            ))
        }
    }
}

/// Checks a new field's name: non-empty, no `.`, not taken.
pub(crate) fn check_new_name(name: &str, taken: &HashSet<String>) -> Result<()> {
    if name.is_empty() || name.contains('.') || name.chars().any(char::is_control) {
        return Err(Error::new(
            ErrorCode::InvalidArgument,
            format!("field name {name:?} must be non-empty, without '.' or control characters"),
        ));
    }
    if taken.contains(name) {
        return Err(Error::new(
            ErrorCode::PdfFieldExists,
            format!("a form field named {name:?} already exists"),
        ));
    }
    Ok(())
}

/// Edits the AcroForm and page annotations of one update.
pub(crate) struct FormEditor {
    acroform: Dictionary,
    location: AcroFormLocation,
    new_fields: Vec<ObjectId>,
}

#[derive(Debug, Clone, Copy)]
enum AcroFormLocation {
    Indirect(ObjectId),
    InCatalog,
    Missing,
}

impl std::fmt::Debug for FormEditor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormEditor")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl FormEditor {
    pub fn new(update: &IncrementalUpdate<'_, '_>) -> Result<Self> {
        let pdf = update.document();
        let catalog = pdf.catalog()?;
        let (acroform, location) = match catalog.get(b"AcroForm") {
            Ok(Object::Reference(id)) => (
                update.current_dict(*id)?.clone(),
                AcroFormLocation::Indirect(*id),
            ),
            Ok(Object::Dictionary(dict)) => (dict.clone(), AcroFormLocation::InCatalog),
            _ => (Dictionary::new(), AcroFormLocation::Missing),
        };
        Ok(Self {
            acroform,
            location,
            new_fields: Vec::new(),
        })
    }

    /// Registers a new top-level field.
    pub fn add_field(&mut self, id: ObjectId) {
        self.new_fields.push(id);
    }

    /// Sets `/SigFlags` 3 (SignaturesExist | AppendOnly, Table 225).
    pub fn mark_signed(&mut self) {
        self.acroform.set("SigFlags", Object::Integer(3));
    }

    /// Makes sure `/DR` has the Helvetica that the `/DA` of new text
    /// fields names.
    pub fn ensure_default_font(&mut self, update: &IncrementalUpdate<'_, '_>) -> Result<()> {
        let doc = &update.document().doc;
        let mut dr = match self.acroform.get(b"DR") {
            Ok(o) => object::as_dict(object::resolve(doc, o)?)
                .cloned()
                .unwrap_or_default(),
            Err(_) => Dictionary::new(),
        };
        let mut fonts = match dr.get(b"Font") {
            Ok(o) => object::as_dict(object::resolve(doc, o)?)
                .cloned()
                .unwrap_or_default(),
            Err(_) => Dictionary::new(),
        };
        if !fonts.has(b"Helv") {
            let mut helv = Dictionary::new();
            helv.set("Type", name("Font"));
            helv.set("Subtype", name("Type1"));
            helv.set("BaseFont", name("Helvetica"));
            helv.set("Encoding", name("WinAnsiEncoding"));
            fonts.set("Helv", Object::Dictionary(helv));
            dr.set("Font", Object::Dictionary(fonts));
            self.acroform.set("DR", Object::Dictionary(dr));
        }
        if !self.acroform.has(b"DA") {
            self.acroform.set(
                "DA",
                Object::String(TEXT_DA.as_bytes().to_vec(), StringFormat::Literal),
            );
        }
        Ok(())
    }

    /// Writes the AcroForm (and the catalog, when the form is new or lives in it).
    pub fn finish(mut self, update: &mut IncrementalUpdate<'_, '_>) -> Result<()> {
        if !self.new_fields.is_empty() {
            let doc = &update.document().doc;
            let mut fields = match self.acroform.get(b"Fields") {
                Ok(o) => match object::resolve(doc, o)? {
                    Object::Array(a) => a.clone(),
                    _ => Vec::new(),
                },
                Err(_) => Vec::new(),
            };
            fields.extend(self.new_fields.iter().map(|&id| Object::Reference(id)));
            self.acroform.set("Fields", Object::Array(fields));
        }
        let catalog_id = update.document().catalog_id()?;
        match self.location {
            AcroFormLocation::Indirect(id) => update.set(id, Object::Dictionary(self.acroform)),
            AcroFormLocation::InCatalog => update.edit_dict(catalog_id, |catalog| {
                catalog.set("AcroForm", Object::Dictionary(self.acroform))
            })?,
            AcroFormLocation::Missing => {
                let id = update.add(Object::Dictionary(self.acroform));
                update.edit_dict(catalog_id, |catalog| {
                    catalog.set("AcroForm", Object::Reference(id))
                })?;
            }
        }
        Ok(())
    }
}

/// Appends `annotation` to the `/Annots` of page `page`.
pub(crate) fn add_annotation(
    update: &mut IncrementalUpdate<'_, '_>,
    page: ObjectId,
    annotation: ObjectId,
) -> Result<()> {
    let annots = update.current_dict(page)?.get(b"Annots").ok().cloned();
    match annots {
        Some(Object::Reference(array_id)) => {
            let mut annots = match update.current(array_id)? {
                Object::Array(a) => a.clone(),
                _ => Vec::new(),
            };
            annots = indirect_annotations(update, annots, array_id)?;
            annots.push(Object::Reference(annotation));
            update.set(array_id, Object::Array(annots));
        }
        Some(Object::Array(annots)) => {
            let mut annots = indirect_annotations(update, annots, page)?;
            annots.push(Object::Reference(annotation));
            update.edit_dict(page, |page| page.set("Annots", Object::Array(annots)))?;
        }
        _ => update.edit_dict(page, |page| {
            page.set("Annots", Object::Array(vec![Object::Reference(annotation)]))
        })?,
    }
    Ok(())
}

/// `annots` with every direct annotation dictionary moved into an object
/// of its own, as ISO 32000-2 §12.5.2 wants them (`/Annots` is "an array
/// of indirect references") and as strict readers require to compare
/// revisions (pyHanko refuses "Array contains direct objects"). Only in a
/// document without signatures: in a signed one, moving them would be a
/// change to what was signed.
fn indirect_annotations(
    update: &mut IncrementalUpdate<'_, '_>,
    annots: Vec<Object>,
    holder: ObjectId,
) -> Result<Vec<Object>> {
    if !annots.iter().any(|a| matches!(a, Object::Dictionary(_))) {
        return Ok(annots);
    }
    if update.document().fields()?.iter().any(|f| f.signed) {
        return Ok(annots);
    }
    Ok(annots
        .into_iter()
        .map(|a| match a {
            Object::Dictionary(dict) => {
                Object::Reference(update.add_from(Object::Dictionary(dict), holder))
            }
            other => other,
        })
        .collect())
}

/// A merged field and widget dictionary (Table 226 and Table 191).
pub(crate) fn widget_field(
    field_name: &str,
    ft: &str,
    page: ObjectId,
    rect: &PdfRect,
    flags: i64,
) -> Dictionary {
    let mut dict = Dictionary::new();
    dict.set("Type", name("Annot"));
    dict.set("Subtype", name("Widget"));
    dict.set("FT", name(ft));
    dict.set("T", text_string(field_name));
    dict.set("F", Object::Integer(F_PRINT));
    dict.set("Rect", rect.to_object());
    dict.set("P", Object::Reference(page));
    if flags != 0 {
        dict.set("Ff", Object::Integer(flags));
    }
    dict
}

/// Appearance dictionary with a normal appearance.
pub(crate) fn appearance_dict(normal: ObjectId) -> Object {
    let mut ap = Dictionary::new();
    ap.set("N", Object::Reference(normal));
    Object::Dictionary(ap)
}

/// Adds `fields` to the document in `update`, with appearances for every
/// widget (filled ones show their value).
pub(crate) fn add_fields_in(
    update: &mut IncrementalUpdate<'_, '_>,
    stamper: &mut Stamper<'_>,
    form: &mut FormEditor,
    fields: &[FormFieldSpec],
) -> Result<Vec<ObjectId>> {
    let pdf = update.document();
    let mut taken: HashSet<String> = pdf.fields()?.into_iter().map(|f| f.name).collect();
    let mut ids = Vec::new();
    let mut has_text = false;
    for field in fields {
        check_new_name(&field.name, &taken)?;
        let page = pdf.page(field.page)?;
        let geometry = page.geometry;
        let rect = geometry.to_user_rect(&field.rect)?;
        let mut flags = 0;
        if field.required {
            flags |= FF_REQUIRED;
        }
        if field.read_only || field.kind == FormFieldKind::Initials {
            flags |= FF_READ_ONLY;
        }
        if field.multiline && field.kind == FormFieldKind::Text {
            flags |= FF_MULTILINE;
        }
        let dict = match field.kind {
            FormFieldKind::Signature => {
                let mut dict =
                    widget_field(&field.name, "Sig", page.id, &rect, flags & !FF_REQUIRED);
                let blank = stamper.blank(update, &geometry, &rect);
                dict.set("AP", appearance_dict(blank));
                dict
            }
            FormFieldKind::Checkbox => {
                let on = field.value.as_deref() == Some("true");
                let mut dict = widget_field(&field.name, "Btn", page.id, &rect, flags);
                checkbox_appearance(update, stamper, &geometry, &rect, &mut dict, on);
                dict.set("V", name(if on { "Yes" } else { "Off" }));
                dict
            }
            FormFieldKind::Text | FormFieldKind::Initials => {
                has_text = true;
                let mut dict = widget_field(&field.name, "Tx", page.id, &rect, flags);
                dict.set(
                    "DA",
                    Object::String(TEXT_DA.as_bytes().to_vec(), StringFormat::Literal),
                );
                let appearance = match field.value.as_deref() {
                    Some(value) if !value.is_empty() => {
                        dict.set("V", text_string(value));
                        if flags & FF_MULTILINE != 0 {
                            stamper.text_multiline(update, &geometry, &rect, value)?
                        } else {
                            stamper.text(update, &geometry, &rect, value)?
                        }
                    }
                    _ => stamper.blank(update, &geometry, &rect),
                };
                dict.set("AP", appearance_dict(appearance));
                dict
            }
        };
        let id = update.add(Object::Dictionary(dict));
        add_annotation(update, page.id, id)?;
        form.add_field(id);
        taken.insert(field.name.clone());
        ids.push(id);
    }
    if has_text {
        form.ensure_default_font(update)?;
    }
    Ok(ids)
}

/// Sets a checkbox widget's two appearances and its state (`/AS`).
fn checkbox_appearance(
    update: &mut IncrementalUpdate<'_, '_>,
    stamper: &mut Stamper<'_>,
    geometry: &PageGeometry,
    rect: &PdfRect,
    dict: &mut Dictionary,
    on: bool,
) {
    let (on_ap, off_ap) = stamper.checkbox(update, geometry, rect);
    let mut states = Dictionary::new();
    states.set("Yes", Object::Reference(on_ap));
    states.set("Off", Object::Reference(off_ap));
    let mut ap = Dictionary::new();
    ap.set("N", Object::Dictionary(states));
    dict.set("AP", Object::Dictionary(ap));
    dict.set("AS", name(if on { "Yes" } else { "Off" }));
}

/// A value to fill into an existing form field. JSON:
/// `{"name": "start_date", "value": {"type": "TEXT", "text": "2027-01-04"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FormFieldFill {
    /// The field's fully qualified name.
    pub name: String,
    /// The value.
    pub value: FormFieldValue,
}

/// A value for an existing field, filled when signing. JSON:
/// `{"type": "TEXT", "text": "…"}`, `{"type": "CHECKBOX", "checked": true}`,
/// `{"type": "INITIALS", "text": "MD", "image": "<base64 PNG>"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "SCREAMING_SNAKE_CASE", deny_unknown_fields)]
pub enum FormFieldValue {
    /// Text, date or name.
    Text {
        /// The text.
        text: String,
    },
    /// A checkbox.
    Checkbox {
        /// Whether it is ticked.
        checked: bool,
    },
    /// Initials: text, or a drawn PNG.
    Initials {
        /// The initials as text (also the field value).
        text: String,
        /// A drawn version.
        #[serde(
            default,
            with = "crate::serde_util::base64_bytes_opt",
            skip_serializing_if = "Option::is_none"
        )]
        image: Option<Vec<u8>>,
    },
}

/// Fills existing fields with values and fresh appearances, so that the
/// values are part of what the signature in the same update covers.
pub(crate) fn fill_fields(
    update: &mut IncrementalUpdate<'_, '_>,
    stamper: &mut Stamper<'_>,
    values: &[FormFieldFill],
) -> Result<()> {
    let pdf = update.document();
    let fields = pdf.fields()?;
    for FormFieldFill {
        name: field_name,
        value,
    } in values
    {
        let info = &fields[unique_field(&fields, field_name)?];
        let expected = match value {
            FormFieldValue::Checkbox { .. } => FormFieldType::Button,
            _ => FormFieldType::Text,
        };
        if info.field_type != expected {
            return Err(Error::new(
                ErrorCode::PdfFieldTypeMismatch,
                format!(
                    "field {field_name:?} is a {:?} field, not a {expected:?} field",
                    info.field_type
                ),
            ));
        }
        let widget_ids = widget_ids(update, info.id, update.current_dict(info.id)?)?;
        let stored = match value {
            FormFieldValue::Text { text } => text_string(text),
            FormFieldValue::Initials { text, .. } => text_string(text),
            FormFieldValue::Checkbox { checked } => name(if *checked { "Yes" } else { "Off" }),
        };
        update.edit_dict(info.id, |field| field.set("V", stored))?;
        for widget_id in widget_ids {
            let mut widget = update.current_dict(widget_id)?.clone();
            let Some((page, rect)) = widget_placement(pdf, widget_id, &widget)? else {
                continue;
            };
            let geometry = page.geometry;
            match value {
                FormFieldValue::Text { text } => {
                    let ap = if info.multiline {
                        stamper.text_multiline(update, &geometry, &rect, text)?
                    } else {
                        stamper.text(update, &geometry, &rect, text)?
                    };
                    widget.set("AP", appearance_dict(ap));
                }
                FormFieldValue::Initials { text, image } => {
                    let ap = stamper.initials(update, &geometry, &rect, text, image.as_deref())?;
                    widget.set("AP", appearance_dict(ap));
                }
                FormFieldValue::Checkbox { checked } => {
                    checkbox_appearance(update, stamper, &geometry, &rect, &mut widget, *checked);
                }
            }
            update.set(widget_id, Object::Dictionary(widget));
        }
    }
    Ok(())
}

/// The widgets of a field: itself when merged, else its kids without `/T`.
pub(crate) fn widget_ids(
    update: &IncrementalUpdate<'_, '_>,
    field: ObjectId,
    dict: &Dictionary,
) -> Result<Vec<ObjectId>> {
    if dict.get(b"Subtype").ok() == Some(&name("Widget")) {
        return Ok(vec![field]);
    }
    let doc = &update.document().doc;
    let mut ids = Vec::new();
    if let Some(kids) = object::lookup_array(doc, dict, b"Kids")? {
        for kid in kids.iter().filter_map(|k| k.as_reference().ok()) {
            if !object::get_dict(doc, kid)?.has(b"T") {
                ids.push(kid);
            }
        }
    }
    Ok(ids)
}

/// The page and user-space rectangle of a widget.
pub(crate) fn widget_placement<'p>(
    pdf: &'p Pdf<'_>,
    widget_id: ObjectId,
    widget: &Dictionary,
) -> Result<Option<(&'p super::document::Page, PdfRect)>> {
    let page = match widget.get(b"P") {
        Ok(Object::Reference(p)) => pdf.pages().iter().find(|page| page.id == *p),
        _ => None,
    }
    .or_else(|| pdf.page_with_annotation(widget_id));
    let rect = match widget.get(b"Rect") {
        Ok(r) => object::as_rect(&pdf.doc, r)?,
        Err(_) => None,
    };
    Ok(page.zip(rect))
}

/// Adds `fields` to `pdf` as one incremental update and returns the new
/// PDF. Create every signer's fields, initials included, before the first
/// signature: later signatures may fill fields but not add form fields
/// other than signature fields.
pub fn add_fields(pdf: &[u8], fields: &[FormFieldSpec], fonts: &FontSet) -> Result<Vec<u8>> {
    let doc = Pdf::load(pdf)?;
    doc.check_permission(super::crypt::Change::CreateFields)?;
    let mut update = IncrementalUpdate::new(&doc)?;
    let mut stamper = Stamper::new(&mut update, fonts);
    let mut form = FormEditor::new(&update)?;
    add_fields_in(&mut update, &mut stamper, &mut form, fields)?;
    stamper.finish(&mut update)?;
    form.finish(&mut update)?;
    Ok(update.write()?.apply_to(pdf))
}

/// Fills existing fields of `pdf` with values (and fresh appearances) as
/// one incremental update, with no signature: what an approver, or a
/// signer who initials pages without signing them, leaves. Form filling
/// is a change viewers and validators allow after earlier signatures
/// (ISO 32000-2 §12.8.2.2). Returns the update to append to `pdf`.
pub fn fill_fields_update(
    pdf: &[u8],
    values: &[FormFieldFill],
    fonts: &FontSet,
    limits: &super::Limits,
) -> Result<Vec<u8>> {
    let doc = Pdf::load_with_limits(pdf, limits)?;
    doc.check_permission(super::crypt::Change::FillFields)?;
    let mut update = IncrementalUpdate::new(&doc)?;
    let mut stamper = Stamper::new(&mut update, fonts);
    fill_fields(&mut update, &mut stamper, values)?;
    stamper.finish(&mut update)?;
    Ok(update.write()?.bytes)
}

/// Size of an initials box, in points.
pub const INITIALS_BOX: (f64, f64) = (54.0, 28.0);
const INITIALS_GAP: f64 = 8.0;
const INITIALS_MARGIN_RIGHT: f64 = 24.0;
const INITIALS_MARGIN_BOTTOM: f64 = 14.0;

/// One INITIALS field per signer on every page, side by side in the
/// bottom-right margin of the page as displayed, in signer order. Field
/// names are `{prefix}_p{page}`; `prefixes` gives one prefix per signer.
pub fn initials_on_every_page(pages: &[Page], prefixes: &[String]) -> Vec<FormFieldSpec> {
    let mut fields = Vec::new();
    if prefixes.is_empty() {
        return fields;
    }
    let n = prefixes.len() as f64;
    for page in pages {
        let (width, height) = page.geometry.displayed_size();
        let (mut box_w, box_h) = INITIALS_BOX;
        let needed = n * box_w + (n - 1.0) * INITIALS_GAP + 2.0 * INITIALS_MARGIN_RIGHT;
        if needed > width {
            box_w = ((width - 2.0 * INITIALS_MARGIN_RIGHT - (n - 1.0) * INITIALS_GAP) / n).max(8.0);
        }
        let total = n * box_w + (n - 1.0) * INITIALS_GAP;
        let x0 = (width - INITIALS_MARGIN_RIGHT - total).max(0.0);
        let y = (height - INITIALS_MARGIN_BOTTOM - box_h).max(0.0);
        for (i, prefix) in prefixes.iter().enumerate() {
            fields.push(FormFieldSpec {
                name: format!("{prefix}_p{}", page.number),
                kind: FormFieldKind::Initials,
                page: page.number,
                rect: Rect::new(
                    x0 + i as f64 * (box_w + INITIALS_GAP),
                    y,
                    box_w,
                    box_h.min(height),
                ),
                value: None,
                required: false,
                read_only: true,
                multiline: false,
            });
        }
    }
    fields
}
