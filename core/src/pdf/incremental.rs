//! Incremental updates (ISO 32000-2 §7.5.6): new and changed objects, a
//! cross-reference section and a trailer appended after the original bytes,
//! which are never touched.

use std::collections::BTreeMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat, Writer};
use sha2::{Digest, Sha256};

use super::document::Pdf;
use super::numbers;
use super::object;
use crate::error::{Error, ErrorCode, Result};

/// The highest object number an update may allocate: the largest a
/// cross-reference section can name portably (ISO 32000-1 Annex C gives
/// 8,388,607 indirect objects as the limit readers must handle). A
/// trailer `/Size` beyond it is refused rather than wrapped.
pub(crate) const MAX_OBJECT_NUMBER: u32 = 8_388_607;

/// Streams shorter than this are stored as they are: compressing them
/// saves nothing.
const MIN_COMPRESSED_STREAM: usize = 256;

/// An object body to write: a lopdf object, or bytes already serialised
/// (a signature dictionary with placeholders whose offsets matter).
#[derive(Debug, Clone)]
enum Body {
    Object(Object),
    Raw(Vec<u8>),
}

/// A written update: the bytes to append to the original file, and where
/// each of its objects starts, counted from the start of the whole file.
#[derive(Debug, Clone)]
pub(crate) struct Increment {
    /// The bytes to append to the original file.
    pub bytes: Vec<u8>,
    /// Length of the original file.
    pub base_len: usize,
    /// Absolute offset of each object of the update (`N G obj`).
    pub offsets: BTreeMap<ObjectId, usize>,
}

impl Increment {
    /// Absolute offset of the start of the body of object `id` (after `obj\n`).
    pub fn body_offset(&self, id: ObjectId) -> Option<usize> {
        self.offsets
            .get(&id)
            .map(|&start| start + format!("{} {} obj\n", id.0, id.1).len())
    }

    /// The whole new file: the original bytes followed by the update.
    pub fn apply_to(&self, original: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(original.len() + self.bytes.len());
        out.extend_from_slice(original);
        out.extend_from_slice(&self.bytes);
        out
    }
}

/// Collects the objects of one incremental update.
pub(crate) struct IncrementalUpdate<'d, 'a> {
    doc: &'d Pdf<'a>,
    next_number: u32,
    bodies: BTreeMap<ObjectId, Body>,
    /// New objects made of a part of an original one (a direct annotation
    /// moved out of a page): the original whose spelling of numbers they keep.
    sources: BTreeMap<ObjectId, ObjectId>,
    /// One compressor for the whole update: its state is large to allocate.
    compressor: Option<flate2::Compress>,
}

impl std::fmt::Debug for IncrementalUpdate<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IncrementalUpdate")
            .field("next_number", &self.next_number)
            .field("objects", &self.bodies.len())
            .finish_non_exhaustive()
    }
}

impl<'d, 'a> IncrementalUpdate<'d, 'a> {
    /// An empty update of `doc`. New objects are numbered after both the
    /// trailer's `/Size` and the highest object number in use; a file that
    /// leaves no room for them below [`MAX_OBJECT_NUMBER`] is refused.
    pub fn new(doc: &'d Pdf<'a>) -> Result<Self> {
        let declared = match doc.doc.trailer.get(b"Size") {
            Ok(Object::Integer(n)) => u64::try_from(*n).unwrap_or(0),
            _ => 0,
        };
        let highest = doc.doc.objects.keys().map(|id| id.0).max().unwrap_or(0);
        let next = declared.max(u64::from(highest) + 1).max(1);
        let next_number = u32::try_from(next)
            .ok()
            .filter(|&n| n <= MAX_OBJECT_NUMBER)
            .ok_or_else(|| {
                Error::new(
                    ErrorCode::PdfTooManyObjects,
                    format!(
                        "the trailer's /Size is {next}: new objects would need numbers above {MAX_OBJECT_NUMBER}, the most a PDF may use"
                    ),
                )
            })?;
        Ok(Self {
            doc,
            next_number,
            bodies: BTreeMap::new(),
            sources: BTreeMap::new(),
            compressor: None,
        })
    }

    pub fn document(&self) -> &'d Pdf<'a> {
        self.doc
    }

    /// A fresh object number for a new object (generation 0). Numbers past
    /// [`MAX_OBJECT_NUMBER`] make [`write`](Self::write) refuse the update.
    pub fn allocate(&mut self) -> ObjectId {
        let id = (self.next_number, 0);
        self.next_number = self.next_number.saturating_add(1);
        id
    }

    /// Adds a new object and returns its id.
    pub fn add(&mut self, object: impl Into<Object>) -> ObjectId {
        let id = self.allocate();
        self.bodies.insert(id, Body::Object(object.into()));
        id
    }

    /// Adds a new object made of part of original object `source` (whose
    /// numbers it keeps as the file spells them), and returns its id.
    pub fn add_from(&mut self, object: impl Into<Object>, source: ObjectId) -> ObjectId {
        let id = self.add(object);
        self.sources.insert(id, source);
        id
    }

    /// Sets (adds or replaces) object `id`.
    pub fn set(&mut self, id: ObjectId, object: impl Into<Object>) {
        self.bodies.insert(id, Body::Object(object.into()));
    }

    /// Sets object `id` to bytes already serialised (and already encrypted,
    /// for an encrypted file: see [`Pdf::encryption`]).
    pub fn set_raw(&mut self, id: ObjectId, body: Vec<u8>) {
        self.bodies.insert(id, Body::Raw(body));
    }

    /// Object `id` as this update will leave it: changed here, or original.
    pub fn current(&self, id: ObjectId) -> Result<&Object> {
        match self.bodies.get(&id) {
            Some(Body::Object(object)) => Ok(object),
            Some(Body::Raw(_)) => Err(Error::new(
                ErrorCode::Internal,
                "a pre-serialised object cannot be read back",
            )),
            None => object::get(&self.doc.doc, id),
        }
    }

    /// Changes the dictionary of object `id` (a stream's dictionary for a
    /// stream) as this update leaves it: the one way objects of the
    /// original file are edited. `PDF_MALFORMED` when it is not a
    /// dictionary.
    pub fn edit_dict<T>(
        &mut self,
        id: ObjectId,
        edit: impl FnOnce(&mut Dictionary) -> T,
    ) -> Result<T> {
        let mut current = self.current(id)?.clone();
        let dict = match &mut current {
            Object::Dictionary(dict) => dict,
            Object::Stream(stream) => &mut stream.dict,
            _ => {
                return Err(Error::new(
                    ErrorCode::PdfMalformed,
                    format!("object {} {} R should be a dictionary", id.0, id.1),
                ));
            }
        };
        let out = edit(dict);
        self.set(id, current);
        Ok(out)
    }

    /// The dictionary of object `id` as this update leaves it.
    pub fn current_dict(&self, id: ObjectId) -> Result<&Dictionary> {
        object::as_dict(self.current(id)?).ok_or_else(|| {
            Error::new(
                ErrorCode::PdfMalformed,
                format!("object {} {} R should be a dictionary", id.0, id.1),
            )
        })
    }

    /// A stream object with `dict` and `data`, compressed unless tiny.
    pub fn add_stream(&mut self, mut dict: Dictionary, data: &[u8]) -> ObjectId {
        let stream = if data.len() < MIN_COMPRESSED_STREAM {
            Stream::new(dict, data.to_vec())
        } else {
            dict.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            let compressor = self
                .compressor
                .get_or_insert_with(|| flate2::Compress::new(Compression::fast(), true));
            Stream::new(dict, deflate_with(compressor, data))
        };
        self.add(Object::Stream(stream))
    }

    /// Writes the update. The cross-reference section has the kind of the
    /// file's last one (a table or a stream), as readers expect.
    pub fn write(self) -> Result<Increment> {
        let doc = &self.doc.doc;
        let base = self.doc.bytes();
        // The cross-reference stream takes one more number.
        if self.next_number >= MAX_OBJECT_NUMBER {
            return Err(Error::new(
                ErrorCode::PdfTooManyObjects,
                format!("the update would need object numbers above {MAX_OBJECT_NUMBER}"),
            ));
        }
        // Offsets in cross-reference data count from the header (bytes
        // before it are allowed); `offsets` stays absolute for callers.
        let header = self.doc.header_offset();
        if let Some(why) = self.doc.damage() {
            return Err(super::repair::damaged(self.doc, &why));
        }
        let mut out = Vec::new();
        if !matches!(base.last(), Some(b'\n' | b'\r')) {
            out.push(b'\n');
        }
        let mut offsets = BTreeMap::new();
        for (id, body) in &self.bodies {
            offsets.insert(*id, base.len() + out.len());
            writeln!(out, "{} {} obj", id.0, id.1).map_err(io_bug)?;
            match body {
                Body::Object(object) => {
                    let encrypted;
                    let object = match self.doc.encryption() {
                        Some(encryption) => {
                            let mut copy = object.clone();
                            encryption.encrypt_object(*id, &mut copy)?;
                            encrypted = copy;
                            &encrypted
                        }
                        None => object,
                    };
                    let mut written = Vec::new();
                    Writer::write_object(&mut written, object).map_err(|e| {
                        Error::new(
                            ErrorCode::Internal,
                            format!("cannot serialise an object: {e}"),
                        )
                    })?;
                    // An object of the original file keeps its numbers as
                    // the file spells them (lopdf holds reals as f32).
                    let source = self.sources.get(id).unwrap_or(id);
                    match self.doc.original_text(*source) {
                        Some(original) if doc.objects.contains_key(source) => {
                            out.extend_from_slice(&numbers::keep_original_reals(
                                &written, &original,
                            ));
                        }
                        _ => out.extend_from_slice(&written),
                    }
                }
                Body::Raw(bytes) => out.extend_from_slice(bytes),
            }
            out.extend_from_slice(b"\nendobj\n");
        }

        let mut trailer = Dictionary::new();
        for key in [&b"Root"[..], b"Info"] {
            if let Ok(value) = doc.trailer.get(key) {
                trailer.set(key, value.clone());
            }
        }
        trailer.set("ID", self.file_id());
        // The update is encrypted like the file, with the same dictionary
        // (whose file key also depends on the first /ID, kept as it is).
        if let Some(encryption) = self.doc.encryption() {
            trailer.set("Encrypt", Object::Reference(encryption.dictionary()));
        }
        trailer.set("Prev", Object::Integer(self.doc.update_prev() as i64));

        let uses_xref_stream = matches!(
            doc.reference_table.cross_reference_type,
            lopdf::xref::XrefType::CrossReferenceStream
        );
        let xref_offset = base.len() + out.len();
        let relative = |offsets: &BTreeMap<ObjectId, usize>| -> BTreeMap<ObjectId, usize> {
            offsets.iter().map(|(&id, &at)| (id, at - header)).collect()
        };
        if uses_xref_stream {
            let xref_id = (self.next_number, 0);
            offsets.insert(xref_id, xref_offset);
            let size = self.next_number + 1;
            let (index, rows) = xref_stream_rows(&relative(&offsets));
            trailer.set("Type", Object::Name(b"XRef".to_vec()));
            trailer.set("Size", Object::Integer(i64::from(size)));
            trailer.set(
                "Index",
                Object::Array(
                    index
                        .into_iter()
                        .map(|n| Object::Integer(i64::from(n)))
                        .collect(),
                ),
            );
            trailer.set(
                "W",
                Object::Array(vec![
                    Object::Integer(1),
                    Object::Integer(8),
                    Object::Integer(2),
                ]),
            );
            trailer.set("Filter", Object::Name(b"FlateDecode".to_vec()));
            let stream = Stream::new(trailer, deflate(&rows));
            writeln!(out, "{} 0 obj", xref_id.0).map_err(io_bug)?;
            Writer::write_object(&mut out, &Object::Stream(stream))
                .map_err(|e| Error::new(ErrorCode::Internal, format!("cannot write xref: {e}")))?;
            out.extend_from_slice(b"\nendobj\n");
        } else {
            trailer.set("Size", Object::Integer(i64::from(self.next_number)));
            out.extend_from_slice(b"xref\n");
            for (first, entries) in subsections(&relative(&offsets)) {
                writeln!(out, "{first} {}", entries.len()).map_err(io_bug)?;
                for (offset, generation) in entries {
                    write!(out, "{offset:010} {generation:05} n\r\n").map_err(io_bug)?;
                }
            }
            out.extend_from_slice(b"trailer\n");
            Writer::write_object(&mut out, &Object::Dictionary(trailer)).map_err(|e| {
                Error::new(ErrorCode::Internal, format!("cannot write trailer: {e}"))
            })?;
            out.push(b'\n');
        }
        write!(out, "startxref\n{}\n%%EOF\n", xref_offset - header).map_err(io_bug)?;
        // Never produce a file that a reader under the same limits, our own
        // verifier included, would then refuse.
        let limit = self.doc.limits().max_file_size;
        let total = base.len().saturating_add(out.len());
        if total > limit {
            return Err(Error::new(
                ErrorCode::PdfTooLarge,
                format!(
                    "the updated file would have {total} bytes, over the limit of {limit} that \
                     reading it back (verification included) enforces"
                ),
            ));
        }
        Ok(Increment {
            bytes: out,
            base_len: base.len(),
            offsets,
        })
    }

    /// The trailer `/ID`: kept as it is, or made from the file's bytes when
    /// missing (PDF 2.0 requires one).
    fn file_id(&self) -> Object {
        if let Ok(id @ Object::Array(_)) = self.doc.doc.trailer.get(b"ID") {
            return id.clone();
        }
        let bytes = self.doc.bytes();
        let mut hasher = Sha256::new();
        hasher.update(&bytes[..bytes.len().min(1 << 20)]);
        hasher.update((bytes.len() as u64).to_be_bytes());
        let digest = hasher.finalize();
        let id = Object::String(digest[..16].to_vec(), StringFormat::Hexadecimal);
        Object::Array(vec![id.clone(), id])
    }
}

fn io_bug(e: std::io::Error) -> Error {
    Error::new(
        ErrorCode::Internal,
        format!("writing to memory failed: {e}"),
    )
}

/// Compresses with Flate at the default level.
pub(crate) fn deflate(data: &[u8]) -> Vec<u8> {
    let mut encoder =
        ZlibEncoder::new(Vec::with_capacity(data.len() / 2 + 64), Compression::fast());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(data);
    encoder.finish().unwrap_or_default()
}

/// [`deflate`] with a compressor that is reset and reused.
fn deflate_with(compressor: &mut flate2::Compress, data: &[u8]) -> Vec<u8> {
    compressor.reset();
    // Deflate grows incompressible data by a few bytes per block at most.
    let mut out = Vec::with_capacity(data.len() + data.len() / 1000 + 64);
    match compressor.compress_vec(data, &mut out, flate2::FlushCompress::Finish) {
        Ok(flate2::Status::StreamEnd) => out,
        _ => deflate(data),
    }
}

/// Consecutive runs of object numbers, each with its objects' offsets and
/// generation numbers. An object appears once per number: an update never
/// holds two generations of one object.
fn subsections(offsets: &BTreeMap<ObjectId, usize>) -> Vec<(u32, Vec<(usize, u16)>)> {
    let mut sections: Vec<(u32, Vec<(usize, u16)>)> = Vec::new();
    for (&(number, generation), &offset) in offsets {
        let entry = (offset, generation);
        match sections.last_mut() {
            Some((first, list)) if u64::from(*first) + list.len() as u64 == u64::from(number) => {
                list.push(entry)
            }
            _ => sections.push((number, vec![entry])),
        }
    }
    sections
}

/// The `/Index` array and the rows (type 1, 8-byte offset, 2-byte
/// generation) of a cross-reference stream (ISO 32000-2 §7.5.8).
fn xref_stream_rows(offsets: &BTreeMap<ObjectId, usize>) -> (Vec<u32>, Vec<u8>) {
    let mut index = Vec::new();
    let mut rows = Vec::new();
    for (first, list) in subsections(offsets) {
        index.push(first);
        index.push(list.len() as u32);
        for (offset, generation) in list {
            rows.push(1);
            rows.extend_from_slice(&(offset as u64).to_be_bytes());
            rows.extend_from_slice(&generation.to_be_bytes());
        }
    }
    (index, rows)
}
