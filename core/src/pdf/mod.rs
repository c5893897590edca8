//! Reading PDFs safely, placing form fields, and drawing their appearances.
//!
//! Everything paraph changes in a PDF is an incremental update appended to
//! the original bytes (ISO 32000-2 §7.5.6), so earlier signatures stay valid.
//! Loading is bounded by [`Limits`]: hostile files get a typed error, never a
//! panic, a hang or an exhausted memory.

pub(crate) mod appearance;
pub(crate) mod crypt;
pub(crate) mod date;
pub(crate) mod document;
pub(crate) mod fields;
pub(crate) mod font;
mod geometry;
pub(crate) mod image;
pub(crate) mod incremental;
pub(crate) mod limits;
mod numbers;
pub(crate) mod object;
mod repair;
mod scan;
#[doc(hidden)]
pub mod testing;
mod text;

pub use appearance::SignatureAppearance;
pub use crypt::PdfPassword;
pub(crate) use document::Pdf;
pub use document::{Page, PdfDocument};
pub use fields::{
    FormField, FormFieldFill, FormFieldKind, FormFieldSpec, FormFieldType, FormFieldValue,
    FormWidget, INITIALS_BOX, add_fields, fill_fields_update, initials_on_every_page,
};
pub use font::FontSet;
pub use geometry::{PageGeometry, Rotation};
pub use limits::{
    DEFAULT_MAX_CONTENT_OPERATIONS, DEFAULT_MAX_DECOMPRESSED_SIZE, DEFAULT_MAX_FILE_SIZE,
    DEFAULT_MAX_NESTING_DEPTH, DEFAULT_MAX_OBJECT_TOKENS, DEFAULT_MAX_OBJECTS, DEFAULT_MAX_PAGES,
    DEFAULT_MAX_TOKENS, Limits, MAX_REFERENCE_CHAIN,
};
pub use object::PdfRect;
pub use repair::{needs_repair, repair};
pub use text::{Anchor, AnchorMatch, AnchorPosition};

#[cfg(test)]
mod tests;
