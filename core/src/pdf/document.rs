//! Loading a PDF under limits, and its page tree.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId};

use super::crypt::{Change, Encryption};
use super::geometry::{PageGeometry, Rotation};
use super::limits::Limits;
use super::object::{self, PdfRect};
use super::scan;
use crate::error::{Error, ErrorCode, Result};

/// US Letter, the media box viewers assume when a page has none.
const DEFAULT_MEDIA_BOX: PdfRect = PdfRect {
    llx: 0.0,
    lly: 0.0,
    urx: 612.0,
    ury: 792.0,
};

/// A page of a loaded PDF. JSON: `{"number", "geometry": {"mediaBox",
/// "cropBox", "rotation"}}` (serialised only: a page comes from a PDF).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    /// Page number, from 1.
    pub number: u32,
    /// Boxes and rotation, inherited from the page tree where the page has none.
    pub geometry: PageGeometry,
    #[serde(skip)]
    pub(crate) id: ObjectId,
}

/// A PDF loaded under [`Limits`], owning its bytes: what a Python
/// object, a Node task or a C handle holds across calls and threads. Cheap
/// to clone (the parsed document is shared).
///
/// ```
/// # let pdf = paraph::pdf::testing::minimal_pdf(&[(612.0, 792.0, 0)]);
/// let doc = paraph::pdf::PdfDocument::load(&pdf)?;
/// assert_eq!(doc.page_count(), 1);
/// assert_eq!(doc.page(1)?.geometry.displayed_size(), (612.0, 792.0));
/// # Ok::<(), paraph::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PdfDocument {
    inner: Arc<Pdf<'static>>,
}

impl PdfDocument {
    /// Loads (a copy of) a PDF with the default [`Limits`].
    pub fn load(bytes: &[u8]) -> Result<Self> {
        Self::from_vec(bytes.to_vec(), &Limits::default())
    }

    /// Loads (a copy of) a PDF under `limits`. An encrypted file opens when
    /// its user password is empty (its permissions are then checked by each
    /// change); one that needs a password gives `PDF_ENCRYPTED`: see
    /// [`open`](Self::open).
    pub fn load_with_limits(bytes: &[u8], limits: &Limits) -> Result<Self> {
        Self::from_vec(bytes.to_vec(), limits)
    }

    /// Loads (a copy of) a PDF under `limits`, opening an encrypted file
    /// with `password` (user or owner; the owner password lifts the
    /// permissions). `PDF_WRONG_PASSWORD` when it does not open the file.
    pub fn open(bytes: &[u8], limits: &Limits, password: Option<&str>) -> Result<Self> {
        Self::from_vec_with_password(bytes.to_vec(), limits, password)
    }

    /// Loads a PDF under `limits`, taking its bytes without a copy.
    pub fn from_vec(bytes: Vec<u8>, limits: &Limits) -> Result<Self> {
        Self::from_vec_with_password(bytes, limits, None)
    }

    /// [`from_vec`](Self::from_vec), opening an encrypted file with `password`.
    pub fn from_vec_with_password(
        bytes: Vec<u8>,
        limits: &Limits,
        password: Option<&str>,
    ) -> Result<Self> {
        let Pdf {
            bytes: _,
            doc,
            pages,
            limits,
            encryption,
            padded_startxref,
        } = Pdf::open(&bytes, limits, password)?;
        Ok(Self {
            inner: Arc::new(Pdf {
                bytes: Cow::Owned(bytes),
                doc,
                pages,
                limits,
                encryption,
                padded_startxref,
            }),
        })
    }

    /// The bytes, as loaded.
    pub fn bytes(&self) -> &[u8] {
        self.inner.bytes()
    }

    /// Whether the file is encrypted (it opened with the empty user
    /// password or the one given; its updates are encrypted the same way).
    pub fn is_encrypted(&self) -> bool {
        self.inner.encryption().is_some()
    }

    /// The limits it was loaded under.
    pub fn limits(&self) -> &Limits {
        self.inner.limits()
    }

    /// The PDF version from the header, or the catalog's `/Version` if later.
    pub fn version(&self) -> String {
        self.inner.version()
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.inner.page_count()
    }

    /// The pages, in order.
    pub fn pages(&self) -> &[Page] {
        self.inner.pages()
    }

    /// Page `number` (from 1), or `PDF_PAGE_NOT_FOUND`.
    pub fn page(&self, number: u32) -> Result<&Page> {
        self.inner.page(number)
    }

    /// The form fields, depth first in `/Fields` order.
    pub fn fields(&self) -> Result<Vec<super::FormField>> {
        self.inner.fields()
    }

    /// The form field named `name` (`PDF_FIELD_NOT_FOUND`).
    pub fn field(&self, name: &str) -> Result<super::FormField> {
        self.inner.field(name)
    }

    /// The text of page `number`, in reading order as drawn.
    pub fn page_text(&self, number: u32) -> Result<String> {
        self.inner.page_text(number)
    }

    /// Finds an anchor phrase and where its field goes.
    pub fn find_anchor(&self, anchor: &super::Anchor) -> Result<super::AnchorMatch> {
        self.inner.find_anchor(anchor)
    }
}

/// Whether `text` starts with the header `N G obj` of object `number`.
fn starts_object(text: &[u8], number: u32, generation: u16) -> bool {
    let mut words = text
        .split(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0'))
        .filter(|w| !w.is_empty());
    let number_ok = words.next() == Some(number.to_string().as_bytes());
    let generation_ok = words.next() == Some(generation.to_string().as_bytes());
    number_ok && generation_ok && words.next().is_some_and(|w| w.starts_with(b"obj"))
}

/// A PDF loaded under [`Limits`], with its page tree resolved, over
/// borrowed or owned bytes: the engine's own view, which the signing path
/// builds without copying a large input.
///
/// The original bytes are never changed: every change paraph makes is an
/// incremental update appended to them, so that earlier signatures stay
/// valid (ISO 32000-2 §7.5.6).
#[derive(Debug)]
pub(crate) struct Pdf<'a> {
    bytes: Cow<'a, [u8]>,
    pub(crate) doc: Document,
    pages: Vec<Page>,
    limits: Limits,
    /// How the file is encrypted, when it is: what an update adds is
    /// encrypted the same way.
    encryption: Option<Encryption>,
    /// The file's final `startxref`, as written, when the only offsets
    /// lopdf had to correct point at white space before their sections
    /// (see [`Pdf::update_prev`]).
    padded_startxref: Option<usize>,
}

impl<'a> Pdf<'a> {
    /// Loads a PDF with the default [`Limits`].
    pub fn load(bytes: &'a [u8]) -> Result<Self> {
        Self::load_with_limits(bytes, &Limits::default())
    }

    /// Loads a PDF under `limits`. An encrypted file opens with the empty
    /// user password; see [`open`](Self::open) for one that needs a password.
    pub fn load_with_limits(bytes: &'a [u8], limits: &Limits) -> Result<Self> {
        Self::load_impl(bytes, limits, true, None)
    }

    /// Loads a PDF under `limits`, opening an encrypted file with
    /// `password` (the user or the owner password; the owner password lifts
    /// the permissions). `PDF_ENCRYPTED` when a password is needed and none
    /// is given, `PDF_WRONG_PASSWORD` when it does not open the file.
    pub fn open(bytes: &'a [u8], limits: &Limits, password: Option<&str>) -> Result<Self> {
        Self::load_impl(bytes, limits, true, password)
    }

    /// Loads keeping image data, for verification, which compares every
    /// object between revisions.
    pub(crate) fn load_unfiltered(bytes: &'a [u8], limits: &Limits) -> Result<Self> {
        Self::load_impl(bytes, limits, false, None)
    }

    /// [`load_unfiltered`](Self::load_unfiltered) with a password.
    pub(crate) fn open_unfiltered(
        bytes: &'a [u8],
        limits: &Limits,
        password: Option<&str>,
    ) -> Result<Self> {
        Self::load_impl(bytes, limits, false, password)
    }

    fn load_impl(
        bytes: &'a [u8],
        limits: &Limits,
        drop_images: bool,
        password: Option<&str>,
    ) -> Result<Self> {
        if bytes.len() > limits.max_file_size {
            return Err(Error::new(
                ErrorCode::PdfTooLarge,
                format!(
                    "the file has {} bytes; the limit is {}",
                    bytes.len(),
                    limits.max_file_size
                ),
            ));
        }
        let header = &bytes[..bytes.len().min(1024)];
        if memchr::memmem::find(header, b"%PDF-").is_none() {
            return Err(Error::new(
                ErrorCode::PdfMalformed,
                "the file does not start with a %PDF- header",
            ));
        }
        scan::scan(bytes, limits)?;

        let options = || LoadOptions {
            password: password.map(str::to_owned),
            max_decompressed_size: Some(limits.max_decompressed_size),
            filter: drop_images.then_some(drop_image_data as lopdf::FilterFunc),
            ..LoadOptions::default()
        };
        let load = |bytes: &[u8]| Document::load_mem_with_options(bytes, options());
        let mut loaded = load(bytes);
        if let Ok(doc) = &loaded
            && let Some(neutral) = without_misdirected_headers(bytes, doc)
        {
            loaded = load(&neutral);
        }
        let doc = loaded.map_err(|e| match e {
            lopdf::Error::InvalidPassword => Error::new(
                ErrorCode::PdfWrongPassword,
                "the password given does not open the PDF",
            ),
            lopdf::Error::UnsupportedSecurityHandler(name) => Error::new(
                ErrorCode::PdfEncrypted,
                format!(
                    "the PDF is encrypted with the /{} security handler; only the standard password handler is supported",
                    String::from_utf8_lossy(&name)
                ),
            ),
            other => from_lopdf(other),
        })?;

        // lopdf opens an encrypted file with the empty user password or the
        // one given, and then takes /Encrypt out of the trailer; one that
        // still has it could not be opened.
        if doc.trailer.has(b"Encrypt") && doc.encryption_state.is_none() {
            let why = match password {
                Some(_) => "the PDF needs a password to open, and the one given does not open it",
                None => {
                    "the PDF needs a password to open: give it (paraph sign --pdf-password, or the pdfPassword option)"
                }
            };
            let code = match password {
                Some(_) => ErrorCode::PdfWrongPassword,
                None => ErrorCode::PdfEncrypted,
            };
            return Err(Error::new(code, why));
        }
        let encryption = Encryption::of(&doc, password)?;
        if doc.objects.len() > limits.max_objects {
            return Err(Error::new(
                ErrorCode::PdfTooManyObjects,
                format!(
                    "the PDF has {} objects; the limit is {}",
                    doc.objects.len(),
                    limits.max_objects
                ),
            ));
        }
        let pages = page_tree(&doc, limits)?;
        let padded_startxref = (doc.xref_recovery
            == Some(lopdf::xref::XrefRecovery::OffsetCorrected))
        .then(|| padded_startxref(bytes, &doc, limits))
        .flatten();
        Ok(Self {
            bytes: Cow::Borrowed(bytes),
            doc,
            pages,
            limits: *limits,
            encryption,
            padded_startxref,
        })
    }

    /// The text of object `id` as the file spells it (after `N G obj`, up to
    /// and past its end: readers stop at `endobj` or `stream`), from its
    /// cross-reference entry: in the file, or in its object stream. `None`
    /// when the entry does not lead to that object (a damaged table).
    pub(crate) fn original_text(&self, id: ObjectId) -> Option<Cow<'_, [u8]>> {
        match self.doc.reference_table.get(id.0)? {
            lopdf::xref::XrefEntry::Normal { offset, generation } if *generation == id.1 => {
                let text = self.bytes.get(self.header_offset() + *offset as usize..)?;
                let head = format!("{} {} obj", id.0, id.1);
                text.starts_with(head.as_bytes())
                    .then(|| Cow::Borrowed(&text[head.len()..]))
            }
            lopdf::xref::XrefEntry::Compressed { container, index } if id.1 == 0 => {
                let stream = self.doc.objects.get(&(*container, 0))?.as_stream().ok()?;
                let first = usize::try_from(stream.dict.get(b"First").ok()?.as_i64().ok()?).ok()?;
                let data = stream
                    .decompressed_content_with_limit(self.limits.max_decompressed_size)
                    .ok()?;
                let numbers = object_stream_header(data.get(..first)?)?;
                let pairs: Vec<&[usize]> = numbers.chunks(2).collect();
                let at = usize::from(*index);
                let &[number, offset] = *pairs.get(at)? else {
                    return None;
                };
                if number != id.0 as usize {
                    return None;
                }
                let end = pairs
                    .get(at + 1)
                    .and_then(|next| next.get(1))
                    .map_or(data.len(), |next| first + next);
                Some(Cow::Owned(data.get(first + offset..end)?.to_vec()))
            }
            _ => None,
        }
    }

    /// Why an incremental update on this file would not be readable by a
    /// strict reader, if it would not: lopdf had to rebuild or correct
    /// the cross-reference data, or an entry in use does not lead to its
    /// object (an offset where another object starts, a compressed object
    /// its object stream does not hold). lopdf reads such files by
    /// scanning; pyHanko and others follow the entries and fail.
    pub(crate) fn damage(&self) -> Option<String> {
        if let Some(recovery) = self.doc.xref_recovery
            && self.padded_startxref.is_none()
        {
            return Some(match recovery {
                lopdf::xref::XrefRecovery::OffsetCorrected => {
                    "its startxref or /Prev offsets do not point at its cross-reference sections"
                        .to_owned()
                }
                _ => "its cross-reference data is unreadable and had to be rebuilt by scanning the file"
                    .to_owned(),
            });
        }
        let mut containers: std::collections::HashMap<u32, Option<Vec<u32>>> =
            std::collections::HashMap::new();
        let mut referenced: Option<HashSet<ObjectId>> = None;
        for (&number, entry) in &self.doc.reference_table.entries {
            match *entry {
                lopdf::xref::XrefEntry::Normal { offset, generation } => {
                    let found = self
                        .bytes
                        .get(self.header_offset() + offset as usize..)
                        .is_some_and(|text| starts_object(text, number, generation));
                    // An entry that no reference leads to is read by no one
                    // (qpdf's hybrid-xref.pdf misplaces the entry of its own
                    // cross-reference stream, which nothing refers to); one
                    // that lopdf found by scanning, or that something refers
                    // to, a strict reader would not find.
                    if !found
                        && (self.doc.objects.contains_key(&(number, generation))
                            || referenced
                                .get_or_insert_with(|| self.referenced_ids())
                                .contains(&(number, generation)))
                    {
                        return Some(format!(
                            "its cross-reference entry for object {number} {generation} R points at byte {offset}, where that object does not start"
                        ));
                    }
                }
                lopdf::xref::XrefEntry::Compressed { container, index } => {
                    let numbers = containers
                        .entry(container)
                        .or_insert_with(|| self.object_stream_numbers(container));
                    let held = numbers
                        .as_ref()
                        .and_then(|n| n.get(usize::from(index)))
                        .is_some_and(|&n| n == number);
                    if !held {
                        return Some(format!(
                            "its cross-reference data puts object {number} in object stream {container} 0 R, which does not hold it"
                        ));
                    }
                    if !self.doc.objects.contains_key(&(number, 0)) {
                        return Some(format!(
                            "object {number} 0 R of object stream {container} 0 R cannot be read (the stream is cut short)"
                        ));
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// The `/Prev` of an update: where the file's last cross-reference
    /// section is, as its final `startxref` says. A `startxref` that points
    /// at the white space before its section (node-signpdf writes one that
    /// points at the line feed before `xref`) is kept as it is written:
    /// every reader skips that white space, and pyHanko recognises an
    /// earlier signature's revision as whole only when the update's /Prev
    /// equals the startxref that ends the revision.
    pub(crate) fn update_prev(&self) -> usize {
        self.padded_startxref.unwrap_or(self.doc.xref_start)
    }

    /// Every object id that a reference in the document (an object or the
    /// trailer) names.
    fn referenced_ids(&self) -> HashSet<ObjectId> {
        fn walk(object: &Object, into: &mut HashSet<ObjectId>) {
            match object {
                Object::Reference(id) => {
                    into.insert(*id);
                }
                Object::Array(items) => items.iter().for_each(|item| walk(item, into)),
                Object::Dictionary(dict) => dict.iter().for_each(|(_, value)| walk(value, into)),
                Object::Stream(stream) => {
                    stream.dict.iter().for_each(|(_, value)| walk(value, into))
                }
                _ => {}
            }
        }
        let mut ids = HashSet::new();
        for object in self.doc.objects.values() {
            walk(object, &mut ids);
        }
        self.doc
            .trailer
            .iter()
            .for_each(|(_, value)| walk(value, &mut ids));
        ids
    }

    /// Where `%PDF-` starts. Bytes before it are allowed (ISO 32000-2
    /// §7.5.2 lets readers accept them), and then every offset of the
    /// cross-reference data counts from the header, as lopdf reads them.
    pub(crate) fn header_offset(&self) -> usize {
        memchr::memmem::find(&self.bytes[..self.bytes.len().min(1024)], b"%PDF-").unwrap_or(0)
    }

    /// The object numbers an object stream's header lists, in order.
    fn object_stream_numbers(&self, container: u32) -> Option<Vec<u32>> {
        let stream = self.doc.objects.get(&(container, 0))?.as_stream().ok()?;
        if !stream.dict.has_type(b"ObjStm") {
            return None;
        }
        let first = usize::try_from(stream.dict.get(b"First").ok()?.as_i64().ok()?).ok()?;
        let data = stream
            .decompressed_content_with_limit(self.limits.max_decompressed_size)
            .ok()?;
        let numbers = object_stream_header(data.get(..first)?)?;
        numbers
            .iter()
            .step_by(2)
            .map(|&n| u32::try_from(n).ok())
            .collect()
    }

    /// How the file is encrypted, when it is.
    pub(crate) fn encryption(&self) -> Option<&Encryption> {
        self.encryption.as_ref()
    }

    /// Refuses `change` when the file is encrypted and its permissions
    /// forbid it (`PDF_PERMISSION_DENIED`).
    pub(crate) fn check_permission(&self, change: Change) -> Result<()> {
        match &self.encryption {
            Some(encryption) => encryption.check(change),
            None => Ok(()),
        }
    }

    /// The limits it was loaded under (they also bound text extraction).
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The original bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The PDF version from the header, or the catalog's `/Version` if later.
    pub fn version(&self) -> String {
        let catalog_version = self
            .catalog()
            .ok()
            .and_then(|c| object::lookup_name(&self.doc, c, b"Version").ok().flatten())
            .map(|v| String::from_utf8_lossy(v).into_owned());
        match catalog_version {
            Some(v) if v.as_str() > self.doc.version.as_str() => v,
            _ => self.doc.version.clone(),
        }
    }

    /// Number of pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// The pages, in order.
    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// Page `number` (from 1), or `PDF_PAGE_NOT_FOUND`.
    pub fn page(&self, number: u32) -> Result<&Page> {
        usize::try_from(number)
            .ok()
            .and_then(|n| n.checked_sub(1))
            .and_then(|i| self.pages.get(i))
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::PdfPageNotFound,
                    format!(
                        "page {number} does not exist; the document has pages 1 to {}",
                        self.pages.len()
                    ),
                )
            })
    }

    /// The document catalog.
    pub(crate) fn catalog(&self) -> Result<&Dictionary> {
        let root =
            self.doc.trailer.get(b"Root").map_err(|_| {
                Error::new(ErrorCode::PdfMalformed, "the trailer has no /Root catalog")
            })?;
        object::as_dict(object::resolve(&self.doc, root)?).ok_or_else(|| {
            Error::new(
                ErrorCode::PdfMalformed,
                "the /Root catalog is not a dictionary",
            )
        })
    }

    /// The catalog's object id.
    pub(crate) fn catalog_id(&self) -> Result<ObjectId> {
        match self.doc.trailer.get(b"Root") {
            Ok(Object::Reference(id)) => Ok(*id),
            _ => Err(Error::new(
                ErrorCode::PdfMalformed,
                "the trailer's /Root is not an indirect reference",
            )),
        }
    }
}

/// Stands in for the pixel data of image XObjects, which paraph never reads
/// nor rewrites. Not empty: lopdf re-reads empty streams from the file.
const IMAGE_DATA_PLACEHOLDER: &[u8] = b"%";

/// Drops the pixel data of image XObjects while loading, so that large scans
/// are not held twice (once in the file, once parsed).
///
/// lopdf keeps the object as mutated for top-level objects and the returned
/// one for members of object streams (which are never streams), so both are
/// honoured.
fn drop_image_data(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    match object {
        Object::Stream(stream) => {
            if stream.dict.get(b"Subtype").ok() == Some(&Object::Name(b"Image".to_vec())) {
                stream.content = IMAGE_DATA_PLACEHOLDER.to_vec();
            }
            Some((id, Object::Null))
        }
        other => Some((id, other.clone())),
    }
}

/// Maps lopdf's errors to paraph's codes.
pub(crate) fn from_lopdf(err: lopdf::Error) -> Error {
    use lopdf::Error as E;
    match err {
        E::Decompress(lopdf::DecompressError::MemoryLimitExceeded { limit }) => Error::new(
            ErrorCode::PdfDecompressionLimit,
            format!("a stream decompresses to more than {limit} bytes (decompression bomb?)"),
        ),
        E::Decompress(lopdf::DecompressError::TooManyFilters { count, limit }) => Error::new(
            ErrorCode::PdfDecompressionLimit,
            format!("a stream chains {count} filters; at most {limit} are decoded"),
        ),
        E::ReferenceCycle(id) => Error::new(
            ErrorCode::PdfReferenceCycle,
            format!("object {} {} R is part of a reference cycle", id.0, id.1),
        ),
        E::RecursionLimit | E::ReferenceLimit => Error::new(
            ErrorCode::PdfNestingTooDeep,
            "the PDF's objects nest or refer to each other too deeply",
        ),
        other => Error::new(
            ErrorCode::PdfMalformed,
            format!("the PDF cannot be read: {other}"),
        ),
    }
}

/// Inherited page attributes (ISO 32000-2 §7.7.3.4).
#[derive(Debug, Clone, Copy, Default)]
struct Inherited {
    media_box: Option<PdfRect>,
    crop_box: Option<PdfRect>,
    rotate: Option<i64>,
}

/// Walks the page tree from the catalog, in order, without recursion: every
/// node may be reached once (a node reached twice is a cycle or a shared
/// subtree, both refused) and the tree may be at most
/// `limits.max_nesting_depth` levels deep.
fn page_tree(doc: &Document, limits: &Limits) -> Result<Vec<Page>> {
    let root = match doc.trailer.get(b"Root").ok() {
        Some(root) => object::as_dict(object::resolve(doc, root)?),
        None => None,
    }
    .ok_or_else(|| Error::new(ErrorCode::PdfMalformed, "the PDF has no catalog"))?;
    let pages_root = match root.get(b"Pages") {
        Ok(Object::Reference(id)) => *id,
        _ => {
            return Err(Error::new(
                ErrorCode::PdfMalformed,
                "the catalog has no /Pages tree",
            ));
        }
    };

    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<(ObjectId, Inherited, usize)> = vec![(pages_root, Inherited::default(), 0)];
    while let Some((id, inherited, depth)) = stack.pop() {
        if depth > limits.max_nesting_depth {
            return Err(Error::new(
                ErrorCode::PdfNestingTooDeep,
                format!(
                    "the page tree is more than {} levels deep",
                    limits.max_nesting_depth
                ),
            ));
        }
        if !seen.insert(id) {
            return Err(Error::new(
                ErrorCode::PdfReferenceCycle,
                format!(
                    "page tree node {} {} R is reached twice (a /Kids cycle or a shared node)",
                    id.0, id.1
                ),
            ));
        }
        let node = object::get_dict(doc, id)?;
        let here = Inherited {
            media_box: read_box(doc, node, b"MediaBox")?.or(inherited.media_box),
            crop_box: read_box(doc, node, b"CropBox")?.or(inherited.crop_box),
            rotate: match object::lookup(doc, node, b"Rotate")? {
                Some(value) => object::as_number(value).map(|v| v as i64),
                None => None,
            }
            .or(inherited.rotate),
        };
        let is_leaf = match object::lookup_name(doc, node, b"Type")? {
            Some(b"Page") => true,
            Some(b"Pages") => false,
            _ => !node.has(b"Kids"),
        };
        if is_leaf {
            check_parent_chain(doc, id, limits)?;
            if pages.len() >= limits.max_pages {
                return Err(Error::new(
                    ErrorCode::PdfTooManyPages,
                    format!("the PDF has more than {} pages", limits.max_pages),
                ));
            }
            let media_box = here.media_box.unwrap_or(DEFAULT_MEDIA_BOX);
            let crop_box = here
                .crop_box
                .and_then(|c| c.intersect(&media_box))
                .unwrap_or(media_box);
            pages.push(Page {
                number: u32::try_from(pages.len() + 1).unwrap_or(u32::MAX),
                geometry: PageGeometry {
                    media_box,
                    crop_box,
                    rotation: Rotation::from_degrees(here.rotate.unwrap_or(0)),
                },
                id,
            });
            continue;
        }
        let kids = object::lookup_array(doc, node, b"Kids")?.ok_or_else(|| {
            Error::new(
                ErrorCode::PdfMalformed,
                format!("page tree node {} {} R has no /Kids", id.0, id.1),
            )
        })?;
        // Reverse so that popping visits kids in document order.
        for kid in kids.iter().rev() {
            match kid {
                Object::Reference(kid_id) => stack.push((*kid_id, here, depth + 1)),
                _ => {
                    return Err(Error::new(
                        ErrorCode::PdfMalformed,
                        format!("page tree node {} {} R has a direct kid", id.0, id.1),
                    ));
                }
            }
        }
    }
    if pages.is_empty() {
        return Err(Error::new(ErrorCode::PdfMalformed, "the PDF has no pages"));
    }
    Ok(pages)
}

/// Largest page-box coordinate accepted, in points: far beyond the
/// 14,400 pt a page may measure (ISO 32000-2 Annex C), yet where f32
/// arithmetic on positions still means something.
pub(crate) const MAX_BOX_COORDINATE: f64 = 1.0e7;

fn read_box(doc: &Document, node: &Dictionary, key: &[u8]) -> Result<Option<PdfRect>> {
    let rect = match node.get(key) {
        Ok(value) => object::as_rect(doc, value)?,
        Err(_) => None,
    };
    if let Some(r) = &rect {
        let bad = [r.llx, r.lly, r.urx, r.ury]
            .into_iter()
            .find(|v| !v.is_finite() || v.abs() > MAX_BOX_COORDINATE);
        if let Some(value) = bad {
            return Err(Error::new(
                ErrorCode::PdfNumberOutOfRange,
                format!(
                    "a page's /{} has the coordinate {}, beyond the {MAX_BOX_COORDINATE:e} pt a page box may reach",
                    String::from_utf8_lossy(key),
                    crate::geometry::points(value)
                ),
            ));
        }
    }
    Ok(rect)
}

/// Follows a page's `/Parent` chain to the root: a loop there would hang
/// any consumer that looks up inherited attributes, so it is refused.
fn check_parent_chain(doc: &Document, page: ObjectId, limits: &Limits) -> Result<()> {
    let mut seen = HashSet::new();
    let mut current = page;
    loop {
        if !seen.insert(current) || seen.len() > limits.max_nesting_depth + 1 {
            return Err(Error::new(
                ErrorCode::PdfReferenceCycle,
                format!(
                    "the /Parent chain of page object {} {} R loops",
                    page.0, page.1
                ),
            ));
        }
        match object::get_dict(doc, current)?.get(b"Parent") {
            Ok(Object::Reference(parent)) => current = *parent,
            _ => return Ok(()),
        }
    }
}

/// The file's final `startxref` value, as written, when lopdf corrected
/// offsets only because they point at white space before their sections
/// (node-signpdf writes a startxref that points at the line feed before
/// `xref`, and an update that keeps it has a /Prev that does the same).
/// Every reader skips that white space. The check patches each such
/// pointer (the final startxref, every /Prev and /XRefStm) in a copy,
/// keeping its length, and reads the copy again: it must then read with no
/// correction at all. Only a file lopdf had to correct pays for it.
fn padded_startxref(bytes: &[u8], doc: &Document, limits: &Limits) -> Option<usize> {
    let header = memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-")?;
    let body = &bytes[header..];
    let (at, len) = final_startxref_number(body)?;
    let declared: usize = std::str::from_utf8(&body[at..at + len])
        .ok()?
        .parse()
        .ok()?;
    let mut pointers = vec![(at, len)];
    for key in [&b"/Prev"[..], b"/XRefStm"] {
        for found in memchr::memmem::find_iter(body, key) {
            let mut at = found + key.len();
            while body.get(at).is_some_and(u8::is_ascii_whitespace) {
                at += 1;
            }
            let len = body[at..].iter().take_while(|c| c.is_ascii_digit()).count();
            if len > 0 && len <= 12 {
                pointers.push((at, len));
            }
        }
    }
    let mut fixed = body.to_vec();
    let mut patched = false;
    for (at, len) in pointers {
        let value: usize = std::str::from_utf8(&body[at..at + len])
            .ok()?
            .parse()
            .ok()?;
        let Some(rest) = body.get(value..) else {
            continue;
        };
        let blank = rest.iter().take_while(|c| c.is_ascii_whitespace()).count();
        let section = &rest[blank..];
        if blank == 0
            || !(section.starts_with(b"xref") || section.first().is_some_and(u8::is_ascii_digit))
        {
            continue;
        }
        let corrected = (value + blank).to_string();
        if corrected.len() > len {
            return None;
        }
        let slot = &mut fixed[at..at + len];
        slot.fill(b' ');
        slot[..corrected.len()].copy_from_slice(corrected.as_bytes());
        patched = true;
    }
    if !patched {
        return None;
    }
    let options = LoadOptions {
        max_decompressed_size: Some(limits.max_decompressed_size),
        ..LoadOptions::default()
    };
    let again = Document::load_mem_with_options(&fixed, options).ok()?;
    (again.xref_recovery.is_none() && again.xref_start == doc.xref_start).then_some(declared)
}

/// Where the number after the file's final `startxref` is (its start and
/// length), found as lopdf finds it: the last `%%EOF` within the last 1024
/// bytes that are not white space, and the `startxref` just before it.
fn final_startxref_number(body: &[u8]) -> Option<(usize, usize)> {
    let end = body
        .iter()
        .rposition(|c| !b" \t\n\r\0\x0C".contains(c))
        .map_or(0, |pos| pos + 1);
    let tail = end.saturating_sub(1024);
    let eof = tail + memchr::memmem::rfind(&body[tail..end], b"%%EOF")?;
    let keyword = memchr::memmem::rfind(&body[eof.saturating_sub(64)..eof], b"startxref")?
        + eof.saturating_sub(64);
    let mut at = keyword + b"startxref".len();
    while body.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    let len = body[at..eof]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    (len > 0).then_some((at, len))
}

/// The integers of an object stream's header (object number, offset,
/// ...), read as PDF syntax: white space and comments separate them (qpdf
/// writes a `%` comment before each object, and its /First may count one).
fn object_stream_header(header: &[u8]) -> Option<Vec<usize>> {
    let mut numbers = Vec::new();
    let mut rest = header;
    loop {
        while let Some((&c, tail)) = rest.split_first() {
            if c == b'%' {
                let end = tail
                    .iter()
                    .position(|&c| c == b'\n' || c == b'\r')
                    .unwrap_or(tail.len());
                rest = &tail[end..];
            } else if c.is_ascii_whitespace() || c == 0 {
                rest = tail;
            } else {
                break;
            }
        }
        if rest.is_empty() {
            return Some(numbers);
        }
        let len = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 {
            return None;
        }
        numbers.push(std::str::from_utf8(&rest[..len]).ok()?.parse().ok()?);
        rest = &rest[len..];
    }
}

/// `bytes` with the object headers that misdirected cross-reference entries
/// lead to made unreadable, when there are such entries; `None` otherwise.
///
/// lopdf reads every entry's object and files it under the number the
/// object's own header gives. An entry that points at another object's
/// older copy (qpdf's `hybrid-xref.pdf` lists its cross-reference stream,
/// 109, at the offset of an older catalog, 1 0 obj) then replaces that
/// object's current version with the old one: after an update, the new
/// catalog and its signature fields vanish. Other readers look objects up
/// by number and never see it. Reading a copy in which such a header no
/// longer parses (its first digit replaced, every offset kept) gives
/// lopdf's view the objects the entries of their own numbers lead to. A
/// header that an entry of its own number also points at is left alone.
fn without_misdirected_headers(bytes: &[u8], doc: &Document) -> Option<Vec<u8>> {
    let header = memchr::memmem::find(&bytes[..bytes.len().min(1024)], b"%PDF-")?;
    let normal = || {
        doc.reference_table
            .entries
            .iter()
            .filter_map(|(&number, entry)| match *entry {
                lopdf::xref::XrefEntry::Normal { offset, generation } => {
                    Some((offset as usize, number, generation))
                }
                _ => None,
            })
    };
    // Entries whose offset starts another object's header: none in a sound
    // file, which then pays for this one pass and no more.
    let misdirected: Vec<(usize, u32, u16, usize)> = normal()
        .filter_map(|(offset, number, generation)| {
            let (found, found_generation, start) =
                bytes.get(header + offset..).and_then(object_header)?;
            ((found, found_generation) != (number, generation)).then_some((
                offset,
                found,
                found_generation,
                start,
            ))
        })
        .collect();
    if misdirected.is_empty() {
        return None;
    }
    let own: HashSet<(usize, u32, u16)> = normal().collect();
    let mut neutral: Option<Vec<u8>> = None;
    for (offset, found, found_generation, start) in misdirected {
        // Another object's header, which its own entry does not point at.
        if !own.contains(&(offset, found, found_generation)) {
            let copy = neutral.get_or_insert_with(|| bytes.to_vec());
            copy[header + offset + start] = b'X';
        }
    }
    neutral
}

/// The object number and generation of an `N G obj` header at the start
/// of `text` (after white space), with where its first digit is.
fn object_header(text: &[u8]) -> Option<(u32, u16, usize)> {
    let start = text.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let mut words = text[start..]
        .split(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0'))
        .filter(|w| !w.is_empty());
    let number = std::str::from_utf8(words.next()?).ok()?.parse().ok()?;
    let generation = std::str::from_utf8(words.next()?).ok()?.parse().ok()?;
    words
        .next()
        .is_some_and(|w| w.starts_with(b"obj"))
        .then_some((number, generation, start))
}

#[cfg(test)]
mod header_tests {
    use super::object_stream_header;

    #[test]
    fn object_stream_headers_are_read_as_pdf_syntax() {
        assert_eq!(
            object_stream_header(b"95 0\n96 74\r\n97 259 "),
            Some(vec![95, 0, 96, 74, 97, 259])
        );
        // qpdf's /First can take in the comment before the first object.
        assert_eq!(
            object_stream_header(b"95 0 96 74\n%95\n"),
            Some(vec![95, 0, 96, 74])
        );
        assert_eq!(object_stream_header(b"95 0 <<"), None);
    }
}
