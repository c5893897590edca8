//! Named limits that keep hostile PDFs from exhausting time, memory or stack.

/// Largest file accepted by default: 64 MiB.
pub const DEFAULT_MAX_FILE_SIZE: usize = 64 * 1024 * 1024;
/// Most indirect objects accepted by default.
pub const DEFAULT_MAX_OBJECTS: usize = 1_000_000;
/// Deepest nesting of arrays and dictionaries, and of the page tree, accepted
/// by default. lopdf's own parser stops at 100.
pub const DEFAULT_MAX_NESTING_DEPTH: usize = 64;
/// Most bytes one stream may decompress to by default: 64 MiB.
pub const DEFAULT_MAX_DECOMPRESSED_SIZE: usize = 64 * 1024 * 1024;
/// Most pages accepted by default.
pub const DEFAULT_MAX_PAGES: usize = 10_000;
/// Most content-stream operators interpreted for one page (text extraction).
pub const DEFAULT_MAX_CONTENT_OPERATIONS: usize = 2_000_000;
/// Most syntax tokens (numbers, names, strings, keywords, arrays,
/// dictionaries) accepted in the whole document by default, object streams
/// included. A parsed token costs the parser about 128 bytes, so this keeps
/// the parsed document near 256 MiB whatever the file's size.
pub const DEFAULT_MAX_TOKENS: usize = 2_000_000;
/// Most tokens accepted in one indirect object by default (one array of
/// integers may not take the whole budget in one allocation).
pub const DEFAULT_MAX_OBJECT_TOKENS: usize = 500_000;
/// Longest chain of references followed to resolve one object.
pub const MAX_REFERENCE_CHAIN: usize = 32;

/// Limits applied while reading a PDF. Each one, when exceeded, gives its
/// own error code (`PDF_TOO_LARGE`, `PDF_TOO_MANY_OBJECTS`,
/// `PDF_NESTING_TOO_DEEP`, `PDF_DECOMPRESSION_LIMIT`, `PDF_TOO_MANY_PAGES`,
/// `PDF_TOO_COMPLEX` for the token budgets);
/// reference cycles give `PDF_REFERENCE_CYCLE` whatever the limits, and
/// over-long content streams `PDF_CONTENT_TOO_COMPLEX`.
///
/// JSON (camelCase): each key may be left out for its default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_file_size: usize,
    /// Most indirect objects.
    pub max_objects: usize,
    /// Deepest nesting of arrays, dictionaries and page-tree levels.
    pub max_nesting_depth: usize,
    /// Most bytes any single stream may decompress to.
    pub max_decompressed_size: usize,
    /// Most pages.
    pub max_pages: usize,
    /// Most content operators interpreted on one page, forms included
    /// (`PDF_CONTENT_TOO_COMPLEX`).
    pub max_content_operations: usize,
    /// Most syntax tokens in the whole document, object streams included
    /// (`PDF_TOO_COMPLEX`): what bounds the parsed document's memory.
    pub max_tokens: usize,
    /// Most syntax tokens in one indirect object (`PDF_TOO_COMPLEX`).
    pub max_object_tokens: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            max_objects: DEFAULT_MAX_OBJECTS,
            max_nesting_depth: DEFAULT_MAX_NESTING_DEPTH,
            max_decompressed_size: DEFAULT_MAX_DECOMPRESSED_SIZE,
            max_pages: DEFAULT_MAX_PAGES,
            max_content_operations: DEFAULT_MAX_CONTENT_OPERATIONS,
            max_tokens: DEFAULT_MAX_TOKENS,
            max_object_tokens: DEFAULT_MAX_OBJECT_TOKENS,
        }
    }
}
