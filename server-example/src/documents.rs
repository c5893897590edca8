//! Taking in a PDF: checks, page count and digest through the core, then
//! the bytes to the object store.

use bytes::Bytes;
use paraph::ErrorCode;
use paraph::workflow;
use sha2::{Digest, Sha256};

use crate::blobs::Blobs;
use crate::error::{AppError, AppResult};
use crate::ids;
use crate::store::{DocumentRecord, Tenant};

/// The status of a stored, valid document.
pub const STATUS_READY: &str = "READY";
/// Longest file name kept.
pub const MAX_NAME_LEN: usize = 255;
/// The name of a document sent without one.
pub const DEFAULT_NAME: &str = "document.pdf";

/// A checked document whose bytes are not stored yet.
#[derive(Debug, Clone)]
pub struct PreparedDocument {
    /// Its metadata.
    pub record: DocumentRecord,
    /// Its bytes.
    pub bytes: Bytes,
}

/// Whether bytes begin like a PDF (`%PDF-` in the first kilobyte, where
/// readers look for it).
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

/// A file name fit to show: its last path component, without control
/// characters, at most [`MAX_NAME_LEN`] characters.
pub fn clean_name(name: Option<&str>) -> String {
    let name = name.unwrap_or_default();
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_LEN)
        .collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() || cleaned == "." || cleaned == ".." {
        DEFAULT_NAME.to_owned()
    } else {
        cleaned.to_owned()
    }
}

/// Checks a PDF with the core's loader (bounded by its limits: a broken,
/// encrypted or hostile file is a typed 4xx) and describes it.
pub async fn prepare(
    tenant: &Tenant,
    name: Option<&str>,
    bytes: Bytes,
    max_bytes: usize,
) -> AppResult<PreparedDocument> {
    if bytes.len() > max_bytes {
        return Err(AppError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "the document has {} bytes; the limit is {max_bytes}",
                bytes.len()
            ),
        ));
    }
    let for_check = bytes.clone();
    // Parsing is CPU-bound: keep it off the async workers.
    let pages = crate::cpu::run("the PDF check", move || {
        // The workflow's own admission check, so that a stored document is
        // one an envelope can take.
        Ok(workflow::accept(&for_check, &Default::default()).map(|doc| doc.page_count())?)
    })
    .await?;
    let pages = u32::try_from(pages)
        .map_err(|_| AppError::new(ErrorCode::PdfTooManyPages, "the PDF has too many pages"))?;
    let now = ids::now();
    let id = ids::new_id("doc", now)?;
    Ok(PreparedDocument {
        record: DocumentRecord {
            object_key: Blobs::document_key(&tenant.account_id, &id),
            id,
            tenant: tenant.clone(),
            name: clean_name(name),
            mime_type: "application/pdf".to_owned(),
            size: bytes.len() as u64,
            pages,
            sha256: hex::encode(Sha256::digest(&bytes)),
            status: STATUS_READY.to_owned(),
            created_at: now,
        },
        bytes,
    })
}

/// Writes the bytes of each document; on failure removes those written.
pub async fn store_bytes(blobs: &Blobs, documents: &[PreparedDocument]) -> AppResult<()> {
    for (i, document) in documents.iter().enumerate() {
        if let Err(err) = blobs
            .put(&document.record.object_key, document.bytes.clone())
            .await
        {
            discard_bytes(blobs, &documents[..i]).await;
            return Err(err);
        }
    }
    Ok(())
}

/// Removes the bytes of documents whose database write did not happen.
pub async fn discard_bytes(blobs: &Blobs, documents: &[PreparedDocument]) {
    for document in documents {
        if let Err(err) = blobs.delete(&document.record.object_key).await {
            tracing::warn!(key = %document.record.object_key, error = %err, "could not remove unreferenced bytes");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(clean_name(Some("C:\\docs\\contrat.pdf")), "contrat.pdf");
        assert_eq!(clean_name(Some("a\u{0}b\n.pdf")), "ab.pdf");
        assert_eq!(clean_name(Some("  ")), DEFAULT_NAME);
        assert_eq!(clean_name(None), DEFAULT_NAME);
        assert_eq!(clean_name(Some(&"x".repeat(300))).len(), MAX_NAME_LEN);
    }

    #[test]
    fn pdf_sniffing_looks_at_the_first_kilobyte() {
        assert!(looks_like_pdf(b"%PDF-1.7\n..."));
        assert!(looks_like_pdf(b"\xef\xbb\xbf%PDF-1.4"));
        assert!(!looks_like_pdf(b"PK\x03\x04"));
        let mut late = vec![b' '; 2000];
        late.extend_from_slice(b"%PDF-1.7");
        assert!(!looks_like_pdf(&late));
    }
}
